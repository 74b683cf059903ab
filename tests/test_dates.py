"""Temporal expressions: periods normalized against the published date, never guessed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from newstrace.analysis import analyze_text
from newstrace.extract.dates import extract_times
from newstrace.nlp.pipeline import parse
from newstrace.records import DatePrecision, PartialDate, TimeExpression
from tests.conftest import SEEDS

PUBLISHED = PartialDate(dt.date(2024, 1, 16), DatePrecision.DAY)  # a Tuesday
DAY, WEEK, MONTH, YEAR = (
    DatePrecision.DAY,
    DatePrecision.WEEK,
    DatePrecision.MONTH,
    DatePrecision.YEAR,
)


def times_of(text: str, published: PartialDate | None = PUBLISHED) -> list[TimeExpression]:
    return extract_times(parse(text), published)


def only(text: str, mention: str, published: PartialDate | None = PUBLISHED) -> TimeExpression:
    found = [t for t in times_of(text, published) if t.mention.text == mention]
    assert len(found) == 1, [t.mention.text for t in times_of(text, published)]
    return found[0]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# (sentence, mention, start, end, precision, relative)
CASES = [
    ("On 5 October 2023, a drone hit the college.", "5 October 2023", "2023-10-05", "2023-10-05",
     DAY, False),
    ("On 4 January, ISIS claimed the bombings.", "4 January", "2024-01-04", "2024-01-04", DAY,
     True),
    ("Last week, the prime minister spoke.", "Last week", "2024-01-08", "2024-01-14", WEEK, True),
    ("ISIS was active in 2024.", "2024", "2024-01-01", "2024-12-31", YEAR, False),
    ("Attacks rose during 2024.", "2024", "2024-01-01", "2024-12-31", YEAR, False),
    ("It happened in December 2013, officials said.", "December 2013", "2013-12-01",
     "2013-12-31", MONTH, False),
    ("Fighters fled at the end of 2017.", "the end of 2017", "2017-09-01", "2017-12-31", YEAR,
     False),
    ("The camp held them for six years (2003-2009).", "2003-2009", "2003-01-01", "2009-12-31",
     YEAR, False),
    ("Many people died in the 1990s.", "the 1990s", "1990-01-01", "1999-12-31", YEAR, False),
    ("Clashes began in mid-2019.", "mid-2019", "2019-05-01", "2019-08-31", YEAR, False),
    ("Activity was recorded a few weeks ago near the desert.", "a few weeks ago", "2023-12-11",
     "2024-01-07", WEEK, True),
    ("There were dozens of attacks in the past few weeks.", "the past few weeks", "2023-12-12",
     "2024-01-16", WEEK, True),
    ("Gunmen struck on Tuesday.", "Tuesday", "2024-01-16", "2024-01-16", DAY, True),
    ("Gunmen struck on Sunday.", "Sunday", "2024-01-14", "2024-01-14", DAY, True),
    ("Two people died yesterday.", "yesterday", "2024-01-15", "2024-01-15", DAY, True),
    ("The group lost ground last year.", "last year", "2023-01-01", "2023-12-31", YEAR, True),
    ("Security forces carried out raids last month.", "last month", "2023-12-01", "2023-12-31",
     MONTH, True),
    ("Fighters crossed the border earlier this month.", "earlier this month", "2024-01-01",
     "2024-01-16", MONTH, True),
    ("Two people died two days ago.", "two days ago", "2024-01-14", "2024-01-14", DAY, True),
    ("Troops withdrew two weeks ago.", "two weeks ago", "2024-01-01", "2024-01-07", WEEK, True),
    ("Raids rose in the last 10 days.", "the last 10 days", "2024-01-06", "2024-01-16", DAY,
     True),
]  # fmt: skip


@pytest.mark.parametrize(("text", "mention", "start", "end", "precision", "relative"), CASES)
def test_time_expression(
    text: str, mention: str, start: str, end: str, precision: DatePrecision, relative: bool
) -> None:
    found = only(text, mention)
    assert (found.start, found.end) == (d(start), d(end))
    assert found.precision is precision
    assert found.relative is relative
    assert not found.implausible


def test_durations_keep_text_and_interval_but_no_dates() -> None:
    text = "Last week, four years after parliament voted, the premier spoke."
    found = only(text, "four years after")
    assert (found.start, found.end, found.duration) == (None, None, "P4Y")
    assert found.relative and found.precision is YEAR
    held = only("The camp held them for six years.", "six years")
    assert (held.start, held.duration) == (None, "P6Y")
    vague = only("Raids continued for years.", "years")
    assert (vague.start, vague.duration) == (None, None)


@pytest.mark.parametrize(
    ("text", "mention", "precision"),
    [
        ("On 4 January, ISIS claimed the bombings.", "4 January", DAY),
        ("Last week, the prime minister spoke.", "Last week", WEEK),
        ("Gunmen struck on Tuesday.", "Tuesday", DAY),
        ("Activity was recorded a few weeks ago.", "a few weeks ago", WEEK),
        ("The officer spoke in January.", "January", MONTH),
        ("Four years after the vote, troops stayed.", "Four years after", YEAR),
    ],
)
def test_relative_expressions_stay_unresolved_without_a_published_date(
    text: str, mention: str, precision: DatePrecision
) -> None:
    found = only(text, mention, published=None)
    assert (found.start, found.end) == (None, None)
    assert found.relative and found.precision is precision


def test_absolute_expressions_need_no_published_date() -> None:
    found = only("On 5 October 2023, a drone hit the college.", "5 October 2023", published=None)
    assert (found.start, found.precision, found.relative) == (d("2023-10-05"), DAY, False)


def test_a_coarse_published_date_resolves_only_what_it_can() -> None:
    january = PartialDate(dt.date(2024, 1, 1), DatePrecision.MONTH)
    text = "Raids rose last month, and again last week."
    assert (only(text, "last month", january).start, only(text, "last week", january).start) == (
        d("2023-12-01"),
        None,
    )


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("The attack happened on 31 February, officials said.", "31 February"),
        ("Fighting resumed on 30 February 2023 near the town.", "30 February 2023"),
    ],
)
def test_impossible_dates_are_flagged_not_dated(text: str, mention: str) -> None:
    found = only(text, mention)
    assert found.implausible
    assert (found.start, found.end) == (None, None)


def test_leap_day_is_a_date() -> None:
    found = only("Shelling resumed on 29 February 2024.", "29 February 2024")
    assert (found.start, found.implausible) == (d("2024-02-29"), False)


def test_numbers_that_are_not_times_are_not_times() -> None:
    assert not times_of("Between 20 and 30 civilians died in the raid.")


def test_mentions_point_at_the_stored_text() -> None:
    text = "On *4 January*, ISIS claimed the bombings."
    found = extract_times(parse(text), PUBLISHED, doc_id=5)
    assert [t.mention.span.text_of(text) for t in found] == ["4 January"]
    assert found[0].mention.span.doc_id == 5


def test_analysis_carries_times() -> None:
    analysis = analyze_text("Two people died on 4 January.", doc_id=2, published=PUBLISHED)
    assert [(t.start, t.precision) for t in analysis.times] == [(d("2024-01-04"), DAY)]


# --- The reference articles ---------------------------------------------------------------------


def _seed(doc_id: str) -> tuple[str, PartialDate | None]:
    expected = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    gold = next(g for g in expected["documents"] if g["id"] == doc_id)
    published = gold["published"] and PartialDate(d(gold["published"]), DatePrecision.DAY)
    return (SEEDS / gold["file"]).read_text(encoding="utf-8"), published or None


def test_reference_dated_article() -> None:
    text, published = _seed("001")
    found = {" ".join(t.mention.text.split()): t for t in extract_times(parse(text), published)}
    assert (found["5 October 2023"].start, found["5 October 2023"].precision) == (
        d("2023-10-05"),
        DAY,
    )
    assert found["4 January"].start == d("2024-01-04")
    assert found["14 January"].start == d("2024-01-14")
    assert (found["December 2013"].start, found["December 2013"].precision) == (
        d("2013-12-01"),
        MONTH,
    )
    assert (found["Last week"].start, found["Last week"].end) == (d("2024-01-08"), d("2024-01-14"))
    assert found["four years after"].duration == "P4Y"
    assert (found["2003-2009"].start, found["2003-2009"].end) == (d("2003-01-01"), d("2009-12-31"))
    assert found["a few weeks ago"].start is not None
    assert found["the end of 2017"].end == d("2017-12-31")


def test_reference_undated_article_invents_no_date() -> None:
    text, published = _seed("000")
    assert published is None
    found = extract_times(parse(text), published)
    assert found
    for time in found:
        if time.relative:
            assert (time.start, time.end) == (None, None), time.mention.text
    years = {t.mention.text: t.start for t in found if not t.relative}
    assert years["2024"] == d("2024-01-01")
