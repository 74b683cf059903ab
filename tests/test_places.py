"""Toponyms resolved against the packaged gazetteer, and the fallbacks when it lacks one.

Each case is a sentence a conflict report could print; the resolver must get the place,
its country and province, and a precision code that says how well the point stands for
it, with a reason. A place no gazetteer entry fits keeps its words and gets no point.
"""

from __future__ import annotations

import pytest

from newstrace.analysis import analyze_text
from newstrace.extract.places import extract_places
from newstrace.nlp.pipeline import parse
from newstrace.records import Place


def places(text: str) -> dict[str, Place]:
    """The places of ``text`` by the words of their mention."""
    return {p.mention.text: p for p in extract_places(parse(text), 7)}


def test_feature_word_and_adjective_decide_the_entry() -> None:
    found = places(
        "ISIS drone-attacked a ceremony at the Military College in the Syrian city of Homs."
    )
    homs = found["Homs"]
    assert (homs.country, homs.geo_precision, homs.feature_type) == ("Syria", 1, "city")
    assert homs.latitude == pytest.approx(34.72, abs=0.05)
    assert homs.mention.span.doc_id == 7
    # a site the gazetteer lacks is placed in the town the text puts it in, less precisely
    college = found["Military College"]
    assert (college.name, college.geo_precision) == ("Homs", 2)
    assert "where the text puts it" in college.reason


def test_a_province_is_not_a_foreign_village_of_the_same_name() -> None:
    anbar = places("Clashes broke out in Anbar Governorate in Iraq.")["Anbar Governorate"]
    assert (anbar.country, anbar.feature_type, anbar.geo_precision) == ("Iraq", "admin1", 3)


@pytest.mark.parametrize(
    ("text", "mention", "country"),
    [
        ("Shelling hit Damascus, Syria, on Monday.", "Damascus", "Syria"),
        ("Two bombings hit the Iranian city of Kerman.", "Kerman", "Iran"),
        ("ISIS captured Palmyra in Syria.", "Palmyra", "Syria"),
        ("A car bomb exploded in Tadmur in Syria.", "Tadmur", "Syria"),
    ],
)
def test_namesakes_elsewhere_lose_to_the_document_country(
    text: str, mention: str, country: str
) -> None:
    assert places(text)[mention].country == country


def test_spelling_variants_reach_one_entry() -> None:
    found = places(
        "Fighting in Deir Ezzor, Syria and in Dayr az Zawr, Syria, and Tadmur and Palmyra."
    )
    assert found["Deir Ezzor"].gazetteer_id == found["Dayr az Zawr"].gazetteer_id
    assert found["Palmyra"].gazetteer_id == found["Tadmur"].gazetteer_id
    assert "spelling variant" in found["Deir Ezzor"].reason


def test_comma_chain_is_a_hierarchy_and_names_the_province() -> None:
    found = places("Assailants attacked a watchtower in Tarmiyah, Saladin, Iraq.")
    tarmiyah = found["Tarmiyah"]
    assert tarmiyah.geo_precision == 1
    assert tarmiyah.admin1 == found["Saladin"].name  # the province the text names
    assert found["Saladin"].feature_type == "admin1"


def test_valley_missing_from_the_gazetteer_falls_back_to_the_province_its_sentence_names() -> None:
    text = (
        "Houran Valley is the largest of its kind in Iraq, extending 369 kilometers from the "
        "Iraqi-Saudi border to the Euphrates River near the city of Haditha in Anbar Governorate."
    )
    valley = places(text)["Houran Valley"]
    assert (valley.country, valley.admin1, valley.geo_precision) == ("Iraq", "Al Anbār", 3)
    assert valley.feature_type == "valley"
    assert "not in the gazetteer" in valley.reason


def test_feature_named_after_a_town_stands_at_the_town() -> None:
    desert = places("ISIS fighters dug hideouts near the Rutba desert in western Iraq.")[
        "Rutba desert"
    ]
    assert (desert.name, desert.geo_precision, desert.feature_type) == ("Ar Ruţbah", 2, "desert")
    assert "no desert of this name" in desert.reason


def test_unknown_place_is_kept_as_words_without_coordinates() -> None:
    found = places("Gunmen attacked a checkpoint in the village of Qarqashoonbad.")
    unknown = found["Qarqashoonbad"]
    assert unknown.latitude is None and unknown.longitude is None and unknown.name is None
    assert unknown.reason.startswith("not in the gazetteer")


def test_actors_metonyms_and_modifiers_are_not_places() -> None:
    found = places(
        "Washington said US forces will stay. An Iran-backed militia fired rockets at "
        "a Turkey backed faction in Afrin, Aleppo, Syria."
    )
    assert {"Washington", "US", "Iran", "Turkey"}.isdisjoint(found)
    assert found["Afrin"].country == "Syria"


def test_a_place_around_a_town_lies_in_the_town_province_not_at_the_town() -> None:
    # "rural X" and "the countryside of X" name the area around X; a province named after
    # its capital ("in al-Hasakeh") may mean either: the place is sought in the province
    found = places("Rebels looted crops in rural Tal Tamer in al-Hasakeh.")
    tal_tamer = found["Tal Tamer"]
    assert tal_tamer.name != found["al-Hasakeh"].name  # not the province's fallback
    assert tal_tamer.admin1 == "Al Ḩasakah" and tal_tamer.geo_precision == 1
    far = places("Patrols reached Tal Tamer in the western countryside of Qamishli.")
    assert far["Tal Tamer"].name == tal_tamer.name  # about 80 km from Qamishli itself


def test_a_spelling_variant_from_another_province_is_not_the_place() -> None:
    found = places("Shelling hit Basira city in the Deir Ezzor countryside.")
    assert found["Basira city"].admin1 == found["Deir Ezzor countryside"].admin1


def test_the_event_is_placed_at_the_place_inside_a_province_named_after_its_capital() -> None:
    events = analyze_text("On 8 May 2020, Turkish forces shelled Tal Tamer in al-Hasakeh.").events
    place = events[0].place
    assert place is not None and place.mention.text == "Tal Tamer"
