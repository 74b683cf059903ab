"""The evaluation harness: adapters on small team-made files, the scorers on known answers,
the reference case scored against itself, and 20-row smoke runs over ../shared/data.

Place checks run on a tiny gazetteer written here (a few invented-id places), so these
tests need neither the packaged index nor the network.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newstrace.cli import app
from newstrace.evaluate.baselines import Textacy
from newstrace.evaluate.datasets import (
    DEFAULT_PATHS,
    DatasetError,
    IncidentGold,
    read_acled,
    read_fakes,
    read_gtd,
    read_polnear,
)
from newstrace.evaluate.incidents import acled_fields, fakes_fields, gtd_fields, score_rows
from newstrace.evaluate.places import PlaceJudge
from newstrace.evaluate.polnear import FoundAttribution, score_attributions
from newstrace.evaluate.predictions import DateGuess, IncidentPrediction, PlaceGuess
from newstrace.evaluate.reference import (
    FIELDS as REFERENCE_FIELDS,
)
from newstrace.evaluate.reference import (
    FoundDoc,
    FoundQuote,
    ReferencePrediction,
    ReuseLink,
    load_reference,
    score_reference,
)
from newstrace.evaluate.scoring import Tally
from newstrace.evaluate.vocab import actor_keys
from newstrace.gazetteer import Gazetteer
from newstrace.gazetteer.index import IndexWriter, PlaceRow
from newstrace.gazetteer.lookup import GAZETTEER_ENV
from newstrace.records import DatePrecision, Figure, FigureClass, Mention, Qualifier, Span
from tests.conftest import PROJECT_ROOT, SEEDS

FIXTURES = Path(__file__).parent / "fixtures" / "eval"
runner = CliRunner()


def _place(
    rowid: int, name: str, lat: float, lon: float, kind: str, cc: str, a1: str | None
) -> PlaceRow:
    return PlaceRow(rowid, f"test:{rowid}", name, name, lat, lon, kind, cc, a1, 1_000_000)


@pytest.fixture(scope="module")
def tiny_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gazetteer") / "tiny.sqlite"
    with IndexWriter(path) as writer:
        writer.add_countries([("IQ", "IRQ", "Iraq"), ("SY", "SYR", "Syria")])
        writer.add_admin1([("IQ.07", "Baghdad"), ("SY.09", "Aleppo")])
        for row in (
            _place(1, "Baghdad", 33.3406, 44.4009, "city", "IQ", "07"),
            _place(2, "Aleppo", 36.2021, 37.1343, "city", "SY", "09"),
            _place(3, "Baghdad Governorate", 33.3406, 44.4009, "admin1", "IQ", "07"),
            _place(4, "Aleppo Governorate", 36.2021, 37.1343, "admin1", "SY", "09"),
            _place(5, "Iraq", 33.3406, 44.4009, "country", "IQ", None),
            _place(6, "Syria", 33.5102, 36.2913, "country", "SY", None),
        ):
            writer.add(row)
        writer.finish(sources="test places")
    return path


@pytest.fixture(scope="module")
def judge(tiny_gazetteer: Path) -> Iterator[PlaceJudge]:
    with Gazetteer.open(tiny_gazetteer) as opened:
        yield PlaceJudge(opened)


def _values(tallies: dict[str, Tally]) -> dict[str, float | None]:
    return {name: tally.score().value for name, tally in tallies.items()}


def _perfect(gold: IncidentGold) -> IncidentPrediction:
    place = PlaceGuess(gold.location, gold.latitude, gold.longitude, gold.country, gold.admin1)
    date = DateGuess(gold.date, gold.date, DatePrecision.DAY) if gold.date else None
    return IncidentPrediction(
        fatalities=gold.fatalities,
        injured=gold.injured,
        place=place,
        event_type=gold.event_type,
        sub_event_type=gold.sub_event_type,
        actor1=gold.actor1,
        date=date,
    )


# --- adapters -----------------------------------------------------------------------------


def test_gtd_adapter_strips_the_date_and_maps_the_attack_type() -> None:
    first, second, third = read_gtd(FIXTURES / "gtd.csv")
    assert first.text.startswith("Assailants opened fire")
    assert first.published is not None and first.published.value == dt.date(2021, 3, 14)
    assert (first.fatalities, first.injured) == (2, 3)
    assert first.event_type == "Battles"  # an armed assault on the military
    assert second.event_type == "Explosions/Remote violence"
    assert third.event_type is None  # GTD "Unknown": not scored
    assert (third.location, third.admin1, third.latitude, third.injured) == (None, None, None, None)


def test_acled_adapter_reads_dates_precision_and_coding_notes() -> None:
    first, second, third = read_acled(FIXTURES / "acled.csv")
    assert first.published is None and first.date == dt.date(2020, 5, 9)
    assert (first.event_type, first.sub_event_type) == ("Battles", "Armed clash")
    assert second.date_window_days == 3 and second.fatalities_coded
    assert third.date_precision is DatePrecision.MONTH and not third.fatalities_coded


def test_polnear_adapter_keeps_one_annotator_per_article() -> None:
    docs = list(read_polnear(FIXTURES / "polnear.jsonl"))
    assert [d.item for d in docs] == ["article-one", "article-two"]
    first = docs[0]
    assert len(first.attributions) == 2  # annotator a1, the lowest id
    content = first.attributions[0].content[0]
    assert first.text[content[0] : content[1]] == "that the old bridge would reopen in June"


def test_fakes_adapter_never_invents_a_date() -> None:
    first, second = read_fakes(FIXTURES / "fakes.csv")
    assert first.text.startswith("Shelling hits Aleppo market\n\n")
    assert first.published is not None and first.published.value == dt.date(2017, 4, 3)
    assert second.published is None
    assert (first.location, first.country) == ("aleppo", "Syria")


def test_fakes_adapter_reads_the_same_fields_from_jsonl(tmp_path: Path) -> None:
    with (FIXTURES / "fakes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    jsonl = tmp_path / "fakes.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert list(read_fakes(jsonl)) == list(read_fakes(FIXTURES / "fakes.csv"))
    jsonl.write_text('{"unit_id": "1"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="needs the fields"):
        list(read_fakes(jsonl))


def test_bad_files_are_reported(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="missing columns"):
        list(read_gtd(wrong))
    with pytest.raises(DatasetError, match="cannot read"):
        list(read_acled(tmp_path / "absent.csv"))


def test_actor_names_normalize_across_schemes() -> None:
    keys = actor_keys()
    assert keys.key("Islamic State of Iraq and the Levant (ISIL)") == keys.key("ISIS")
    assert keys.key("Military Forces of Syria (2000-) Military Intelligence") == keys.key(
        "Syrian Arab Army"
    )
    assert keys.key("QSD: Syrian Democratic Forces") == keys.key("SDF")
    assert keys.key("Unknown") is None and keys.key("Unidentified Armed Group (Syria)") is None
    assert keys.key("Protesters (Iraq)") == keys.key("Protesters (Syria)") != keys.key("Iraq")


# --- incident scorer ------------------------------------------------------------------------


def test_gtd_perfect_empty_and_partial(judge: PlaceJudge) -> None:
    golds = list(read_gtd(FIXTURES / "gtd.csv"))
    fields = gtd_fields(judge)
    perfect, _ = score_rows(golds, [_perfect(g) for g in golds], fields)
    assert set(_values(perfect).values()) == {1.0}
    assert perfect["place_within_5km"].n == 2  # the row without coordinates is not scored
    assert perfect["attack_type"].n == 2 and perfect["injured_exact"].n == 2

    empty, misses = score_rows(golds, [IncidentPrediction() for _ in golds], fields)
    values = _values(empty)
    assert values.pop("perpetrator_exact") == pytest.approx(2 / 3)  # "Unknown": none named
    assert set(values.values()) == {0.0}
    assert {m.field for m in misses} == {*values, "perpetrator_exact"}

    one_off = dataclasses.replace(
        _perfect(golds[0]),
        fatalities=3,
        place=PlaceGuess("Baghdad", 33.3406, 44.4009 + 0.2, "IQ", "Baghdad Governorate"),
        actor1="Kurdistan Workers' Party",
    )
    partial, _ = score_rows(golds, [one_off, *(_perfect(g) for g in golds[1:])], fields)
    values = _values(partial)
    assert values["fatalities_exact"] == pytest.approx(2 / 3)
    assert values["fatalities_within_1"] == 1.0
    assert values["place_within_5km"] == 0.5  # 18.6 km off
    assert values["place_within_25km"] == 1.0
    assert values["country_exact"] == 1.0  # "IQ" and "Iraq" are one country
    assert values["admin1_exact"] == 1.0  # "Baghdad Governorate" is "Baghdad"
    assert values["perpetrator_exact"] == pytest.approx(2 / 3)


def test_acled_dates_at_their_precision(judge: PlaceJudge) -> None:
    golds = list(read_acled(FIXTURES / "acled.csv"))
    fields = acled_fields(judge)
    perfect, _ = score_rows(golds, [_perfect(g) for g in golds], fields)
    assert set(_values(perfect).values()) == {1.0}
    assert perfect["fatalities_exact_coded"].n == 1
    assert perfect["fatalities_exact_reported"].n == 2

    def dated(gold: IncidentGold, day: dt.date, precision: DatePrecision) -> IncidentPrediction:
        return dataclasses.replace(_perfect(gold), date=DateGuess(day, day, precision))

    shifted = [
        dated(golds[0], dt.date(2020, 5, 8), DatePrecision.DAY),  # precision 1: the day only
        dated(golds[1], dt.date(2020, 5, 4), DatePrecision.DAY),  # precision 2: within 3 days
        dated(golds[2], dt.date(2020, 5, 30), DatePrecision.DAY),  # precision 3: the month
    ]
    tallies, _ = score_rows(golds, shifted, fields)
    assert tallies["date_exact"].score().value == pytest.approx(2 / 3)
    empty, _ = score_rows(golds, [IncidentPrediction() for _ in golds], fields)
    assert empty["actor1"].score().value == pytest.approx(1 / 3)  # "Unidentified": none named


def test_fakes_main_location_and_event_rate(judge: PlaceJudge) -> None:
    golds = list(read_fakes(FIXTURES / "fakes.csv"))
    fields = fakes_fields(judge)
    found = [
        IncidentPrediction(
            place=PlaceGuess("Aleppo", 36.2, 37.1, "SY", "Aleppo Governorate"), events_found=2
        ),
        IncidentPrediction(place=PlaceGuess("Baghdad", 33.3, 44.4, "IQ", "Baghdad")),
    ]
    tallies, _ = score_rows(golds, found, fields)
    assert _values(tallies) == {"main_location": 0.5, "docs_with_events": 0.5}


# --- attribution scorer ---------------------------------------------------------------------


def test_attribution_perfect_empty_and_partial() -> None:
    docs = list(read_polnear(FIXTURES / "polnear.jsonl"))
    gold_as_found = [
        [FoundAttribution(a.content, a.source, a.cue) for a in doc.attributions] for doc in docs
    ]
    perfect, misses = score_attributions(docs, gold_as_found)
    assert set(_values(perfect).values()) == {1.0} and not misses

    empty, _ = score_attributions(docs, [[] for _ in docs])
    assert _values(empty) == {
        "content_precision": None,
        "content_recall": 0.0,
        "content_f1": 0.0,
        "source_match": None,
        "cue_match": None,
    }

    mayor = docs[0].attributions[0]
    wrong_speaker = FoundAttribution(mayor.content, source=((0, 3),), cue=mayor.cue)
    partial, misses = score_attributions(docs, [[wrong_speaker], []])
    assert _values(partial) == {
        "content_precision": 1.0,
        "content_recall": pytest.approx(1 / 3),
        "content_f1": pytest.approx(0.5),
        "source_match": 0.0,
        "cue_match": 1.0,
    }
    assert {m.field for m in misses} == {"source_match", "content_recall"}


def test_textacy_baseline_finds_direct_quotes_and_counts_refusals() -> None:
    docs = list(read_polnear(FIXTURES / "polnear.jsonl"))
    textacy = Textacy()
    found = [textacy.attributions(doc.text) for doc in docs]
    assert [len(f) for f in found] == [1, 0]  # the direct quote only, not reported speech
    tallies, _ = score_attributions(docs, found)
    assert _values(tallies) == {
        "content_precision": 1.0,
        "content_recall": pytest.approx(1 / 3),
        "content_f1": pytest.approx(0.5),
        "source_match": 0.0,  # "engineer": 8 of the 18 characters of "the chief engineer"
        "cue_match": 1.0,
    }
    assert textacy.attributions('He said "it is over, and we are done" and left. "Then') == []
    assert textacy.notes() == ["textacy refused 1 of 3 documents (scored as empty)"]


# --- reference case -------------------------------------------------------------------------


def _reference_answers(expected: dict[str, Any]) -> ReferencePrediction:
    """The analyst's own findings, written as a system's answers."""
    case = load_reference(SEEDS / "expected.json")
    docs: dict[str, dict[str, list[Any]]] = {
        d.id: {"quotes": [], "events": [], "figures": []} for d in case.docs
    }
    for q in expected["quotes"]:
        docs[q["doc"]]["quotes"].append(
            FoundQuote(case.span_of(q["doc"], q["text"]), q["speaker"], None, q["speaker_kind"])
        )
    for e in expected["events"]:
        place = PlaceGuess(e["place"], e.get("lat"), e.get("lon"), e["country"], None)
        date = None
        if e["date"]:
            precision = DatePrecision(e["date_precision"])
            parts = [int(p) for p in e["date"].split("-")] + [1, 1]
            day = dt.date(parts[0], parts[1], parts[2])
            date = DateGuess(day, day, precision)
        fatalities = e["fatalities"]["value"] if "fatalities" in e else None
        docs[e["doc"]]["events"].append(IncidentPrediction(fatalities, place=place, date=date))
    for n in expected["numbers"]:
        start, end = case.span_of(n["doc"], n["text"])
        mention = Mention(n["text"], Span(case.doc(n["doc"]).index, start, end))
        qualifier = Qualifier(n.get("qualifier", "range"))
        docs[n["doc"]]["figures"].append(
            Figure(
                mention, n.get("value"), n.get("low"), n.get("high"), qualifier, FigureClass.OTHER
            )
        )
    links = []
    for r in expected["reuse"]:
        spans = []
        for side, doc_id in (("derived", "000"), ("origin", "001")):
            if side in r:
                quote = next(q for q in expected["quotes"] if q["id"] == r[side])
                start, end = case.span_of(quote["doc"], quote["text"])
            else:
                start, end = case.span_of(doc_id, r[f"{side}_text"])
            spans.append(Span(case.doc(doc_id).index, start, end))
        drift = r.get("attribution_drift") or {}
        changed = ("place", "time") if r["kind"] == "mutated_claim" else ()  # as its note says
        links.append(
            ReuseLink(
                spans[0],
                spans[1],
                drift.get("derived_speaker"),
                drift.get("origin_speaker"),
                changed,
            )
        )
    return ReferencePrediction(
        {
            doc_id: FoundDoc(tuple(d["quotes"]), tuple(d["events"]), tuple(d["figures"]))
            for doc_id, d in docs.items()
        },
        tuple(links),
    )


def test_reference_scores_the_analysts_own_findings_perfectly(judge: PlaceJudge) -> None:
    if not SEEDS.exists():
        pytest.fail(f"reference case not found at {SEEDS}")
    expected = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    case = load_reference(SEEDS / "expected.json")
    answers = _reference_answers(expected)
    tallies, misses = score_reference(case, answers, judge)
    assert set(tallies) == set(REFERENCE_FIELDS)
    assert set(_values(tallies).values()) == {1.0}, misses
    assert tallies["quotes_direct"].n == 15 and tallies["drift"].n == 2

    nothing = ReferencePrediction({d.id: FoundDoc() for d in case.docs})
    tallies, _ = score_reference(case, nothing, judge)
    assert set(_values(tallies).values()) == {0.0}

    # Reversed links point the wrong way: reuse and provenance both fail.
    reversed_links = tuple(ReuseLink(link.origin, link.derived) for link in answers.links)
    tallies, _ = score_reference(case, dataclasses.replace(answers, links=reversed_links), judge)
    assert _values(tallies)["reuse"] == 0.0 and _values(tallies)["provenance"] == 0.0


# --- smoke runs: the whole harness over 20 rows of each development split -------------------

# Stable field names per dataset, and the baselines a smoke run includes (textacy, slow on
# whole articles, is covered above on the fixture).
SMOKE = {
    "gtd": (
        ["fatalities_exact", "injured_exact", "place_within_25km", "perpetrator_exact"],
        ["all"],
    ),
    "acled": (["date_exact", "event_type", "actor1", "location_within_25km"], ["all"]),
    "polnear": (["content_precision", "content_recall", "content_f1", "source_match"], []),
    "fakes": (["main_location", "docs_with_events"], ["all"]),
    "reference": (["quotes_direct", "speakers", "events", "reuse", "provenance"], ["all"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(SMOKE))
def test_smoke_run(
    kind: str, tiny_gazetteer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = PROJECT_ROOT / DEFAULT_PATHS[kind]
    if not path.exists():
        pytest.fail(f"development data not found at {path}")
    monkeypatch.setenv(GAZETTEER_ENV, str(tiny_gazetteer))
    out = tmp_path / f"{kind}.json"
    fields, baselines = SMOKE[kind]
    arguments = ["eval", kind, str(path), "--limit", "20", "--misses", "5", "--json", str(out)]
    result = runner.invoke(app, arguments + [f"--baseline={name}" for name in baselines])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["kind"] == kind
    assert data["rows"] == (2 if kind == "reference" else 20)
    assert set(fields) <= set(data["scores"])
    for score in data["scores"].values():
        assert score["value"] is None or 0.0 <= score["value"] <= 1.0
        assert 0 <= score["correct"] <= score["n"]
    assert bool(data["baselines"]) == bool(baselines)
    assert all(set(b) <= set(data["scores"]) for b in data["baselines"].values())
    assert len(data["misses"]) <= 5
    assert fields[0] in result.output
