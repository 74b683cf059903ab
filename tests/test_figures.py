"""Figures: numbers with unit, qualifier, class and UCDP-style bounds; ACLED's mapping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newstrace.analysis import analyze_text
from newstrace.extract.figures import acled_fatalities, extract_figures
from newstrace.nlp.pipeline import parse
from newstrace.records import Figure, FigureClass, Qualifier
from tests.conftest import SEEDS

K, W, F, OP, D, M, X = (
    FigureClass.KILLED,
    FigureClass.INJURED,
    FigureClass.FIGHTERS,
    FigureClass.OPERATIONS,
    FigureClass.DISTANCE,
    FigureClass.MONEY,
    FigureClass.OTHER,
)


def figures_of(text: str) -> list[Figure]:
    return extract_figures(parse(text))


def only(text: str, mention: str) -> Figure:
    found = [f for f in figures_of(text) if f.mention.text == mention]
    assert len(found) == 1, [f.mention.text for f in figures_of(text)]
    return found[0]


# (sentence, mention, best, low, high, qualifier, class, unit)
CASES = [
    # the qualifier words and what they make of low / best / high
    ("ISIS had more than 35,000 fighters.", "more than 35,000 fighters", 35000, 35000, None,
     Qualifier.MORE_THAN, F, "fighters"),
    ("Around 753 people were killed in the desert.", "Around 753 people", 753, None, None,
     Qualifier.APPROXIMATE, K, "people"),
    ("At least 3 people lost their lives.", "At least 3 people", 3, 3, None,
     Qualifier.AT_LEAST, K, "people"),
    ("Up to 50 fighters were killed.", "Up to 50 fighters", 50, None, 50,
     Qualifier.AT_MOST, K, "fighters"),
    ("Fewer than 10 soldiers were wounded.", "Fewer than 10 soldiers", 10, None, 10,
     Qualifier.LESS_THAN, W, "soldiers"),
    ("Some 200 people were injured.", "Some 200 people", 200, None, None,
     Qualifier.APPROXIMATE, W, "people"),
    ("The army sent an additional 1,500 troops.", "1,500 troops", 1500, 1500, 1500,
     Qualifier.EXACT, F, "troops"),
    # ranges
    ("Cliffs rise between 150 to 200 meters.", "between 150 to 200 meters", None, 150, 200,
     Qualifier.RANGE, D, "meters"),
    ("Between 20 and 30 civilians died in the raid.", "Between 20 and 30 civilians", None, 20, 30,
     Qualifier.RANGE, K, "civilians"),
    ("The bombing killed two or three people.", "two or three people", None, 2, 3,
     Qualifier.RANGE, K, "people"),
    ("The column advanced 150-200 km.", "150-200 km", None, 150, 200, Qualifier.RANGE, D, "km"),
    # vague plurals keep bounds, no best
    ("Dozens were killed in the attack.", "Dozens", None, 24, 99, Qualifier.VAGUE, K, None),
    ("Hundreds of fighters fled to Turkey.", "Hundreds of fighters", None, 200, 999,
     Qualifier.VAGUE, F, "fighters"),
    ("The army deployed tens of thousands of troops.", "tens of thousands of troops", None,
     20000, 99999, Qualifier.VAGUE, F, "troops"),
    ("Several hundred families fled.", "Several hundred families", None, 200, 999,
     Qualifier.VAGUE, X, "families"),
    ("Scores of people died in the floods.", "Scores of people", None, 40, 99,
     Qualifier.VAGUE, K, "people"),
    # spelled-out numbers
    ("Gunmen killed thirteen soldiers.", "thirteen soldiers", 13, 13, 13, Qualifier.EXACT, K,
     "soldiers"),
    ("Two hundred and fifty fighters crossed.", "Two hundred and fifty fighters", 250, 250, 250,
     Qualifier.EXACT, F, "fighters"),
    ("Twenty-five people died on the road.", "Twenty-five people", 25, 25, 25, Qualifier.EXACT,
     K, "people"),
    ("A dozen rebels were killed.", "A dozen rebels", 12, 12, 12, Qualifier.EXACT, K, "rebels"),
    ("The war killed half a million people.", "half a million people", 500000, 500000, 500000,
     Qualifier.EXACT, K, "people"),
    # the class read from the governing verb, the noun, the toll
    ("753 people were killed.", "753 people", 753, 753, 753, Qualifier.EXACT, K, "people"),
    ("The blast hit the town, killing about 100 people.", "about 100 people", 100, None, None,
     Qualifier.APPROXIMATE, K, "people"),
    ("The death toll rose to 12.", "12", 12, 12, 12, Qualifier.EXACT, K, None),
    ("The blast left 12 dead.", "12 dead", 12, 12, 12, Qualifier.EXACT, K, "dead"),
    ("At least 12 killed in blast.", "At least 12 killed", 12, 12, None, Qualifier.AT_LEAST, K,
     "killed"),
    ("The explosions killed 90 people and injured dozens.", "dozens", None, 24, 99,
     Qualifier.VAGUE, W, None),
    ("Rebels shot dead 7 villagers.", "7 villagers", 7, 7, 7, Qualifier.EXACT, K, "villagers"),
    ("It led to the death of tens of civilians.", "tens of civilians", None, 20, 99,
     Qualifier.VAGUE, K, "civilians"),
    ("30 gunmen killed a guard.", "30 gunmen", 30, 30, 30, Qualifier.EXACT, F, "gunmen"),
    ("ISIS carried out 491 known operations.", "491 known operations", 491, 491, 491,
     Qualifier.EXACT, OP, "operations"),
    ("Dozens of attacks hit the region.", "Dozens of attacks", None, 24, 99, Qualifier.VAGUE, OP,
     "attacks"),
    ("The valley extends 369 kilometers.", "369 kilometers", 369, 369, 369, Qualifier.EXACT, D,
     "kilometers"),
    ("He was paid $5 million.", "$5 million", 5e6, 5e6, 5e6, Qualifier.EXACT, M, "$"),
    ("The group raised 3 million dollars.", "3 million dollars", 3e6, 3e6, 3e6, Qualifier.EXACT,
     M, "dollars"),
    ("A 10,000-strong force advanced.", "10,000-strong force", 1e4, 1e4, 1e4, Qualifier.EXACT,
     F, "force"),
    ("They visited two regions.", "two regions", 2, 2, 2, Qualifier.EXACT, X, "regions"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "mention", "best", "low", "high", "qualifier", "figure_class", "unit"), CASES
)
def test_figure(
    text: str,
    mention: str,
    best: float | None,
    low: float | None,
    high: float | None,
    qualifier: Qualifier,
    figure_class: FigureClass,
    unit: str | None,
) -> None:
    figure = only(text, mention)
    assert (figure.best, figure.low, figure.high) == (best, low, high)
    assert figure.qualifier is qualifier
    assert figure.figure_class is figure_class
    assert figure.unit == unit
    assert not figure.implausible


def test_dates_and_names_are_not_figures() -> None:
    found = figures_of("In December 2013 and in 2024, 753 people were killed on 5 January.")
    assert [f.mention.text for f in found] == ["753 people"]
    assert not figures_of("Four years after the vote, the F-16 jets stayed; JAN 16, 2024 -")


def test_listed_victims_are_summed() -> None:
    text = (
        "In December 2013, ISIS killed the commander of the army's Seventh Division, his "
        "assistant, the director of intelligence in Anbar Governorate, eight officers, and "
        "thirteen soldiers."
    )
    sums = [f for f in figures_of(text) if f.note]
    assert len(sums) == 1
    total = sums[0]
    assert (total.best, total.low, total.high) == (24, 24, 24)
    assert total.qualifier is Qualifier.EXACT and total.figure_class is FigureClass.KILLED
    assert total.mention.text.startswith("the commander") and total.mention.text.endswith(
        "thirteen soldiers"
    )
    # the listed counts are victims too
    assert only(text, "eight officers").figure_class is FigureClass.KILLED


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("Gunmen killed the mayor, his two sons and three guards.", 6),
        ("The strike killed a commander, two of his aides, and five civilians.", 8),
        ("The commander and three soldiers were killed.", 4),
    ],
)
def test_more_listed_sums(text: str, total: float) -> None:
    assert [f.best for f in figures_of(text) if f.note] == [total]


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen killed the mayor and civilians in two villages.",  # how many civilians is unsaid
        "Gunmen killed the mayor and dozens of soldiers.",  # not an exact count
        "The army deployed two brigades and three battalions.",  # not a killing
    ],
)
def test_no_sum_without_an_exact_list_of_victims(text: str) -> None:
    assert not [f for f in figures_of(text) if f.note]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Officials said 1.000.000 people fled.", "1.000.000 people"),
        ("Officials said 10 000 were displaced.", "10 000"),
        ("Officials said 1.000 people fled.", "1.000 people"),
        ("The militants killed 5 billion people.", "5 billion people"),
        ("The rebels killed 2.5 people.", "2.5 people"),
    ],
)
def test_bad_numbers_are_flagged_not_stored(text: str, mention: str) -> None:
    figure = only(text, mention)
    assert figure.implausible and figure.note
    assert (figure.best, figure.low, figure.high) == (None, None, None)
    assert acled_fatalities(figure) == 0


@pytest.mark.parametrize(
    ("text", "mention", "acled"),
    [
        ("Tens of people were killed.", "Tens of people", 10),
        ("Dozens of people were killed.", "Dozens of people", 12),
        ("Hundreds of people were killed.", "Hundreds of people", 100),
        ("Thousands of people were killed.", "Thousands of people", 1000),
        ("Tens of thousands of people were killed.", "Tens of thousands of people", 10000),
        ("Between 20 and 30 people were killed.", "Between 20 and 30 people", 20),
        ("More than 40 people were killed.", "More than 40 people", 40),
        ("Around 90 people were killed.", "Around 90 people", 90),
        ("Up to 50 people were killed.", "Up to 50 people", 50),
        ("Fewer than 10 people were killed.", "Fewer than 10 people", 9),
        ("Seven people were killed.", "Seven people", 7),
    ],
)
def test_acled_mapping(text: str, mention: str, acled: int) -> None:
    assert acled_fatalities(only(text, mention)) == acled


def test_mentions_point_at_the_stored_text() -> None:
    text = "*The Cradle* reports that **around 90 people** were killed."
    figure = extract_figures(parse(text), doc_id=7)[0]
    assert figure.mention.span.doc_id == 7
    assert figure.mention.span.text_of(text) == figure.mention.text == "around 90 people"


def test_analysis_carries_figures() -> None:
    analysis = analyze_text("The blast killed 12 people on Tuesday.", doc_id=3)
    assert [(f.best, f.figure_class) for f in analysis.figures] == [(12, FigureClass.KILLED)]


# --- The reference numbers ----------------------------------------------------------------------


def _states(figure: Figure, gold: dict[str, Any]) -> bool:
    """The reference's number rule: the value (or low/high range) and the qualifier."""
    if "value" in gold:
        return figure.best == gold["value"] and figure.qualifier == gold["qualifier"]
    qualifier = gold.get("qualifier", Qualifier.RANGE)
    return (figure.low, figure.high, figure.qualifier) == (gold["low"], gold["high"], qualifier)


def test_reference_numbers() -> None:
    expected = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    files = {d["id"]: SEEDS / d["file"] for d in expected["documents"]}
    texts = {doc: path.read_text(encoding="utf-8") for doc, path in files.items()}
    found = {doc: extract_figures(parse(text)) for doc, text in texts.items()}
    misses = []
    for gold in expected["numbers"]:
        where = texts[gold["doc"]].find(gold["text"])
        assert where >= 0, gold["text"]
        gold_span = range(where, where + len(gold["text"]))
        hits = [
            f
            for f in found[gold["doc"]]
            if _states(f, gold)
            and set(range(f.mention.span.start, f.mention.span.end)) & set(gold_span)
        ]
        if not hits:
            misses.append(f"{gold['doc']}: {gold['text']!r}")
    assert not misses, f"reference numbers missed: {misses}"


def test_reference_event_tolls_are_killed_figures() -> None:
    expected = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    files = {d["id"]: SEEDS / d["file"] for d in expected["documents"]}
    for event in expected["events"]:
        toll = event.get("fatalities")
        if not toll or "value" not in toll:
            continue
        figures = extract_figures(parse(files[event["doc"]].read_text(encoding="utf-8")))
        killed = [
            f
            for f in figures
            if f.figure_class is FigureClass.KILLED
            and f.best == toll["value"]
            and f.qualifier == toll["qualifier"]
        ]
        assert killed, f"{event['id']}: no killed figure of {toll['value']} ({toll['qualifier']})"


@pytest.mark.parametrize(
    "text",
    [
        "MOSUL, FEB 9, 2023 - Three policemen were killed in a roadside blast.",
        "Three policemen were killed on 9 February 2023 in a roadside blast.",
    ],
)
def test_a_year_beside_a_month_is_a_date_not_a_toll(text: str) -> None:
    tolls = [(f.mention.text, f.best) for f in figures_of(text) if f.figure_class is K]
    assert tolls == [("Three policemen", 3)]


def test_a_count_after_a_dated_comma_is_still_a_count() -> None:
    tolls = [f.best for f in figures_of("On 5 May 2020, 3 civilians were killed.") if f.best]
    assert tolls == [3]
