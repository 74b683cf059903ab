"""Events: the reference findings by id, the coding rules tolls follow, bad input, storage.

The reference events are matched by the rules of ../shared/reference/seeds/README.md
(through the evaluation's own scorer); the other cases are sentences of the kind GTD and
ACLED code, checked for the field each rule is about.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from functools import cache

import pytest

from newstrace.analysis import analyze_text
from newstrace.evaluate.places import PlaceJudge
from newstrace.evaluate.reference import (
    ReferencePrediction,
    found_from_analysis,
    load_reference,
    outlets,
    score_reference,
)
from newstrace.gazetteer.lookup import Gazetteer
from newstrace.records import DatePrecision, DocumentInput, Event, PartialDate
from newstrace.report.export import EVENT_FIELDS, export_table
from newstrace.store import DocumentStore, open_store
from newstrace.store.findings import FindingStore
from tests.conftest import SEEDS

EXPECTED = SEEDS / "expected.json"
MONDAY = PartialDate(dt.date(2021, 3, 15), DatePrecision.DAY)


@cache
def _reference_misses() -> frozenset[str]:
    """Ids of the reference events newstrace's events do not match."""
    case = load_reference(EXPECTED)
    found = ReferencePrediction(
        {
            doc.id: found_from_analysis(
                analyze_text(doc.text, doc.index, doc.published, outlets(case))
            )
            for doc in case.docs
        }
    )
    _, misses = score_reference(case, found, PlaceJudge(Gazetteer.open_default()))
    return frozenset(m.item for m in misses if m.field == "events")


def _reference_event_ids() -> list[str]:
    if not EXPECTED.exists():
        return []
    return [str(e["id"]) for e in json.loads(EXPECTED.read_text("utf-8"))["events"]]


def test_reference_case_is_present() -> None:
    assert EXPECTED.exists(), f"reference case not found at {EXPECTED}"


@pytest.mark.parametrize("event_id", _reference_event_ids())
def test_reference_event_is_found(event_id: str) -> None:
    assert event_id not in _reference_misses()


def main_event(text: str, published: PartialDate | None = MONDAY) -> Event:
    events = [e for e in analyze_text(text, 3, published).events if not e.is_tally]
    assert events, f"no event in {text!r}"
    return events[0]


def test_gtd_summary_fields_and_their_reasons() -> None:
    event = main_event(
        "Assailants opened fire in Al-Shuhada neighborhood, Jalawla district, Diyala "
        "province, Iraq. One police officer was killed, and two police officers and one "
        "civilian were wounded in the attack. No group claimed responsibility for the "
        "attack; however, sources attributed the incident to the Islamic State of Iraq and "
        "the Levant (ISIL)."
    )
    assert (event.event_type, event.sub_event_type) == ("Battles", "Armed clash")
    assert event.actor1 == "Islamic State" and event.claim is not None
    assert event.reason("actor1") == "attributed by sources"
    assert event.fatalities is not None and event.fatalities.best == 1
    assert event.injured is not None and event.injured.best == 3  # the listed victims summed
    assert event.place is not None and event.place.country == "Iraq"
    assert event.place.admin1 == "Diyālá"
    assert event.date is not None and event.date.start == MONDAY.value
    assert event.reason("date") == "no date in the text: the published date"


def test_claim_outranks_attribution_and_no_claim_names_no_one() -> None:
    claimed = main_event(
        "An explosive device detonated in Al-Bab, Aleppo, Syria. The Afrin Liberation "
        "Forces (HRE) claimed responsibility for the incident. Sources also attributed the "
        "attack to the People's Protection Units (YPG)."
    )
    assert claimed.actor1 == "Afrin Liberation Forces (HRE)"
    assert claimed.claimed_by == "Afrin Liberation Forces (HRE)"
    unclaimed = main_event(
        "Assailants threw a grenade at a liquor store in Baghdad, Iraq. There were no "
        "reported casualties. No group claimed responsibility for the incident."
    )
    assert unclaimed.actor1 is None
    assert unclaimed.sub_event_type == "Grenade"


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("Two soldiers and three civilians were killed in a bombing in Mosul, Iraq.", 5, 0),
        ("Gunmen attacked a checkpoint in Kirkuk, Iraq, killing 4 soldiers and injuring 6.", 4, 6),
        ("A roadside bomb exploded in Tikrit, Iraq. No casualties were reported.", 0, 0),
        ("Unidentified gunmen shot dead a civilian in Dar'a, Syria.", 1, 0),
        (
            "On 9 May 2020, clashes took place on Tafas front in Dar'a. Several soldiers were "
            "killed in the attack. Unknown fatalities coded as 10.",
            10,
            0,
        ),
        (
            "IS fighters opened fire on a convoy in Baghuz, Syria, killing between 2 to 4 "
            "fighters.",
            2,
            0,
        ),
    ],
)
def test_tolls_follow_the_coding_rules(text: str, killed: int, injured: int) -> None:
    event = main_event(text)
    assert event.fatalities is not None and event.fatalities.best == killed
    assert event.injured is not None and event.injured.best == injured


def test_acled_note_date_type_and_place() -> None:
    event = main_event(
        "On 8 May 2020, Turkish forces shelled Dardara in al-Hasakeh using artillery fire. "
        "Neither fatalities nor injuries were reported.",
        published=None,
    )
    assert event.date is not None and event.date.start == dt.date(2020, 5, 8)
    assert event.sub_event_type == "Shelling/artillery/missile attack"
    assert event.actor1 == "Turkish Armed Forces"
    assert event.place is not None and event.place.country == "Syria"
    assert event.reason("fatalities") == "the report says none were killed"


def test_tally_is_one_aggregate_record() -> None:
    events = analyze_text(
        "ISIS militants have killed around 753 people during 491 known operations in Syria, "
        "according to the Syrian Observatory for Human Rights."
    ).events
    assert len(events) == 1 and events[0].is_tally
    tally = events[0]
    assert tally.fatalities is not None and tally.fatalities.best == 753
    assert tally.claimed_by == "Syrian Observatory for Human Rights"


def test_one_event_told_in_several_sentences_stays_one() -> None:
    events = analyze_text(
        "A car bomb exploded at a market in Baqubah, Diyala, Iraq. The blast killed seven "
        "people and wounded 20. Police said the explosion also damaged shops.",
        published=MONDAY,
    ).events
    assert len(events) == 1
    assert events[0].fatalities is not None and events[0].fatalities.best == 7
    assert len(events[0].also) == 2


def test_unresolvable_place_leaves_the_other_fields() -> None:
    event = main_event(
        "On 3 March 2021, gunmen killed two farmers near Qarqashoonbad.", published=None
    )
    assert event.place is None and event.reason("place") == "no place in the text"
    assert event.date is not None and event.date.start == dt.date(2021, 3, 3)
    assert event.fatalities is not None and event.fatalities.best == 2


def test_place_not_in_gazetteer_keeps_no_invented_coordinates() -> None:
    analysis = analyze_text("Gunmen attacked the village of Qarqashoonbad on Monday.", 0, MONDAY)
    (place,) = analysis.places
    assert place.mention.text == "Qarqashoonbad" and place.latitude is None
    assert all(e.place is None or e.place.latitude is None for e in analysis.events)


def test_absurd_toll_is_flagged_not_counted() -> None:
    event = main_event("A car bomb killed 50,000 people in Baghdad, Iraq, on Monday.")
    assert event.flags and "implausible toll" in event.flags[0]
    assert event.fatalities is not None and event.fatalities.best is None
    assert event.fatalities.implausible


def test_intended_and_negated_attacks_are_not_events() -> None:
    assert not analyze_text("ISIS threatened to attack Baghdad, Iraq.").events
    assert not analyze_text("The militia did not attack the base in Baghdad, Iraq.").events


@pytest.mark.parametrize(
    ("text", "day"),
    [
        (
            "Suspected Islamic State fighters ambushed an army convoy south of Tikrit, Iraq"
            " late on Sunday, military officials said.",
            "Sunday",
        ),
        (
            "Gunmen attacked a checkpoint near Baiji, Iraq on 4 January, killing two policemen.",
            "4 January",
        ),
    ],
)
def test_a_day_is_never_an_actor(text: str, day: str) -> None:
    events = analyze_text(text, 3, MONDAY).events
    assert events
    assert all(day not in (e.actor1 or "", e.actor2 or "") for e in events)


@pytest.fixture
def seeded(any_db: str) -> Iterator[DocumentStore]:
    store = open_store(any_db)
    yield store
    store.close()


def test_findings_round_trip_through_the_store(seeded: DocumentStore) -> None:
    text = (
        "On 5 October 2023, ISIS drone-attacked a ceremony at the Military College in the "
        "Syrian city of Homs, killing about 100 people. ISIS claimed responsibility."
    )
    doc_id = seeded.add(
        DocumentInput(text=text, source="homs.txt", source_format="text", outlet="Wire")
    ).document_id
    analysis = analyze_text(text, doc_id)
    findings = FindingStore(seeded.engine)
    findings.save(analysis, "test")
    findings.save(analysis, "test")  # replaced, not doubled
    assert tuple(findings.events(doc_id)) == analysis.events
    assert tuple(findings.places(doc_id)) == analysis.places
    assert tuple(findings.figures(doc_id)) == analysis.figures
    assert tuple(findings.times(doc_id)) == analysis.times

    out = io.StringIO()
    assert export_table(seeded, "events", "csv", out) == len(analysis.events)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(row) == EVENT_FIELDS
    assert (row["event_date"], row["location"], row["source"]) == ("2023-10-05", "Homs", "Wire")
    assert row["notes"].startswith("On 5 October 2023")
    maps = io.StringIO()
    export_table(seeded, "events", "geojson", maps)
    feature = json.loads(maps.getvalue())["features"][0]
    assert feature["geometry"]["coordinates"][1] == pytest.approx(34.72, abs=0.05)
