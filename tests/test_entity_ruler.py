"""The gazetteer's place names labelled ahead of the statistical NER, common words left out."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from spacy.language import Language

from newstrace.gazetteer import Gazetteer, default_gazetteer
from newstrace.gazetteer.geonames import build_from_geonames
from newstrace.nlp import gazetteer_ruler
from newstrace.nlp.gazetteer_ruler import (
    MIN_POPULATION,
    CommonWords,
    PlaceNames,
    cache_path,
    load_place_names,
)
from newstrace.nlp.pipeline import PLACES_NAME, load_pipeline, parse

FIXTURES = Path(__file__).parent / "fixtures" / "geonames"

# Cities of the region that the small model, on its own, calls an organisation or a
# nationality in these sentences.
MISLABELLED = {
    "Fighting resumed near Erbil on Tuesday.": "Erbil",
    "Two men were killed in Tartus on Friday.": "Tartus",
    "Fighting resumed near Samarra on Tuesday.": "Samarra",
}


def _labels(doc_ents: object) -> dict[str, str]:
    return {ent.text: ent.label_ for ent in doc_ents}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


def test_places_the_model_mislabels_are_labelled_from_the_gazetteer(nlp: Language) -> None:
    for text, name in MISLABELLED.items():
        with nlp.select_pipes(disable=[PLACES_NAME]):
            alone = _labels(nlp(text).ents)
        assert alone.get(name) not in {"GPE", "LOC"}, (name, alone)
        assert _labels(parse(text).ents).get(name) == "GPE", name


def _settlement_named(gazetteer: Gazetteer, name: str) -> bool:
    return any(
        c.entry.feature_type in {"city", "town"} and c.entry.population >= MIN_POPULATION
        for c in gazetteer.lookup(name, fuzzy=False, limit=10)
    )


def test_a_common_word_that_names_a_town_is_not_labelled(nlp: Language) -> None:
    gazetteer = default_gazetteer()
    assert gazetteer is not None
    for word in ("Police", "Split"):
        assert _settlement_named(gazetteer, word)  # the gazetteer has a town of that name
        assert word.lower() in CommonWords(nlp)
    doc = parse("Police said the convoy was hit on the road. Split decisions followed.")
    assert not [ent for ent in doc.ents if ent.label_ == "GPE"]


def test_only_whole_names_are_labelled() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer is not None and _settlement_named(gazetteer, "Victoria")
    labels = _labels(parse("Victoria Nuland spoke at Mosul University.").ents)
    assert labels.get("Victoria") is None and labels.get("Mosul") is None
    assert _labels(parse("The convoy reached Mosul at dawn.").ents).get("Mosul") == "GPE"


def test_alias_tables_keep_precedence() -> None:
    doc = parse("The Islamic State of Iraq and the Levant attacked a checkpoint in Syria.")
    by_text = {ent.text: ent for ent in doc.ents}
    assert by_text["Islamic State of Iraq and the Levant"].label_ == "ORG"
    assert "Iraq" not in by_text  # not labelled inside the actor's name
    assert by_text["Syria"].ent_id_.startswith("state:")  # the state's entry, not a bare GPE


def test_matching_is_leftmost_longest() -> None:
    names = PlaceNames([("Deir", "ez", "-", "Zor"), ("Deir",), ("Zor",)])
    words = ["in", "Deir", "ez", "-", "Zor", "and", "Deir"]
    assert list(names.find(words)) == [(1, 5), (6, 7)]


def test_patterns_are_built_once_and_cached_beside_the_index(
    tmp_path: Path, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = build_from_geonames(
        [FIXTURES / "ZZ.txt", FIXTURES / "alternateNamesV2.txt"], tmp_path / "zz.sqlite"
    )
    with Gazetteer.open(index) as gazetteer:
        built = load_place_names(gazetteer, nlp)
        assert {("Testland",), ("Qasr", "al", "Mithal"), ("Sabeer",)} <= built.patterns
        assert ("Tall", "Sabir") not in built.patterns  # a village of 900 people
        assert cache_path(gazetteer).is_file()

        def no_build(*_: object) -> list[tuple[str, ...]]:
            raise AssertionError("rebuilt although the cache matches")

        monkeypatch.setattr(gazetteer_ruler, "build_patterns", no_build)
        assert load_place_names(gazetteer, nlp).patterns == built.patterns
        monkeypatch.setitem(gazetteer.meta, "built_at", "another build")
        with pytest.raises(AssertionError, match="rebuilt"):
            load_place_names(gazetteer, nlp)  # a rebuilt index invalidates the cache


def test_an_unwritable_cache_folder_is_no_error(
    tmp_path: Path, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_: object, **__: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    index = build_from_geonames([FIXTURES / "ZZ.txt"], tmp_path / "zz.sqlite")
    monkeypatch.setattr(tempfile, "mkstemp", refused)  # after the index is built
    with Gazetteer.open(index) as gazetteer:
        assert ("Testland",) in load_place_names(gazetteer, nlp).patterns
        assert not cache_path(gazetteer).exists()
