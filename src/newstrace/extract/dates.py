"""Temporal expressions normalized against the document's published date.

Candidates are spaCy's DATE entities (a following "after"/"before" joins a duration:
"four years after"). Each is read into the period it names, ``start`` to ``end``, with
the precision the text states:

* forms dateparser misreads or misses are read here first: years, year ranges and
  decades ("2003-2009", "the 1990s"), parts of a period ("the end of 2017", "earlier this
  month"), counts back from the publication ("a few weeks ago", "the past two years"),
  bare weekdays ("on Tuesday": the latest such day up to publication), and durations
  ("six years", "four years after"), which keep their length as an ISO 8601 duration and
  no dates since what they count from is not a date in the text;
* the rest goes to dateparser (only ever on these short strings, cached), with the
  publication as ``RELATIVE_BASE`` and past dates preferred, as news reports the past.

An expression that needs the publication date ("4 January", "last week") is resolved only
when the document's date is known at least as finely as the expression: nothing is
guessed. A calendar date that does not exist ("31 February") is kept as a flagged mention
without dates.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from dateparser.date import DateDataParser
from dateutil.relativedelta import relativedelta
from spacy.tokens import Doc, Span, Token

from newstrace.extract.numbers import read_amount
from newstrace.nlp.pipeline import mention
from newstrace.records import DatePrecision, PartialDate, TimeExpression

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
UNITS = {
    "day": DatePrecision.DAY,
    "week": DatePrecision.WEEK,
    "month": DatePrecision.MONTH,
    "year": DatePrecision.YEAR,
    "decade": DatePrecision.YEAR,
    "century": DatePrecision.YEAR,
}
_UNIT_STEP = {  # one unit as a calendar step, and as a count of an ISO 8601 duration letter
    "day": (relativedelta(days=1), 1, "D"),
    "week": (relativedelta(weeks=1), 1, "W"),
    "month": (relativedelta(months=1), 1, "M"),
    "year": (relativedelta(years=1), 1, "Y"),
    "decade": (relativedelta(years=10), 10, "Y"),
    "century": (relativedelta(years=100), 100, "Y"),
}
RELATIVE_WORDS = frozenset(
    {
        "today",
        "yesterday",
        "tomorrow",
        "tonight",
        "now",
        "ago",
        "recent",
        "recently",
        "past",
        "last",
        "next",
        "this",
        "weekend",
        "earlier",
        "later",
    }
)
# Counts a reader takes as a span, not a number: "a few weeks ago" is two to five weeks.
VAGUE_COUNTS = {"a few": (2, 5), "few": (2, 5), "several": (3, 9), "a couple of": (2, 2)}
_PRECISION_RANK = {
    DatePrecision.DAY: 0,
    DatePrecision.WEEK: 1,
    DatePrecision.MONTH: 2,
    DatePrecision.YEAR: 3,
}
_NO_BASE = dt.date(2000, 1, 1)  # only to learn the precision dateparser reads; dates dropped

_UNIT = r"(?P<unit>days?|weeks?|months?|years?|decades?|century|centuries)"
_MONTH = r"(?P<month>[a-z]{3,9})\.?"
_YEAR_TOKEN = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")
_DURATION = re.compile(
    r"(?:(?:more|less|fewer) than |about |around |nearly |almost |over |some |under )?"
    rf"(?P<count>[\w,.\- ]+? )?{_UNIT}(?P<direction> after| before| later| earlier)?"
)
_AGO = re.compile(rf"(?P<count>[\w,.\- ]+?) {_UNIT} ago")
_PAST = re.compile(rf"(?:the )?(?P<which>past|last) (?P<count>[\w,.\- ]+? )?{_UNIT}")
_YEAR_RANGE = re.compile(r"(?:from |between )?(\d{4}) ?(?:-|–|—|to|and|until) ?(\d{4})")
_DECADE = re.compile(r"(?:(?P<part>early|mid|late)[- ])?(\d{3})0s")
_PART = re.compile(
    r"(?P<part>earlier|later|early|mid|late|(?:the )?(?:end|beginning|start|middle|first half"
    r"|second half) of)[- ](?P<rest>.+)"
)
_YEAR = re.compile(r"(\d{4})")
_WEEKDAY = re.compile(r"(?P<last>last )?(?P<day>[a-z]+day)")
_DAY_MONTH = re.compile(
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH}(?:,? (?P<year>\d{{4}}))?"
)
_MONTH_DAY = re.compile(rf"{_MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<year>\d{{4}}))?")
_LEADING = re.compile(r"(?:(?:on|in|during|from|the|around|about|circa|approximately) )+")
_ANCHOR_WORDS = frozenset({"after", "before", "later", "earlier"})


@dataclass(frozen=True, slots=True)
class _Reading:
    """What an expression says before the publication date is applied."""

    start: dt.date | None
    end: dt.date | None
    precision: DatePrecision
    relative: bool
    duration: str | None = None
    implausible: bool = False


def _singular(word: str) -> str:
    """'centuries' -> 'century', 'weeks' -> 'week': unit words as :data:`UNITS` keys them."""
    return re.sub(r"ies$", "y", word).removesuffix("s")


def looks_temporal(span: Span) -> bool:
    """Whether an entity spaCy labelled DATE/TIME really speaks of time ("Between 20 and 30"
    is sometimes labelled DATE; its numbers are figures, not dates)."""
    for token in span:
        lower = token.lower_.rstrip(".")
        singular = _singular(lower)
        if (
            lower in MONTHS
            or singular in WEEKDAYS
            or singular in UNITS
            or lower in RELATIVE_WORDS
            or _YEAR_TOKEN.search(lower)
        ):
            return True
    return False


def temporal_tokens(doc: Doc) -> set[int]:
    """Tokens that are part of a date or time: those of temporal DATE/TIME entities, and
    the day and year numbers beside a month name that the entity recognizer left out
    ("JAN 16, 2024", "4 MARCH 2025")."""
    found: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in {"DATE", "TIME"} and looks_temporal(ent):
            found.update(range(ent.start, ent.end))
    for token in doc:
        if token.is_lower or token.lower_.rstrip(".") not in MONTHS:  # "may" is a verb
            continue
        before = token.i - 1
        if before >= 0 and _is_day(doc[before]):
            found.add(before)
        after = token.i + 1  # "JAN 16, 2024", "4 MARCH 2025": a day, a comma, a year
        if after < len(doc) and _is_day(doc[after]):
            found.add(after)
            after += 1
        if after < len(doc) and doc[after].text == ",":
            after += 1
        if after < len(doc) and _is_year(doc[after]):
            found.add(after)
    return found


def _is_day(token: Token) -> bool:
    return token.is_digit and 1 <= int(token.text) <= 31


def _is_year(token: Token) -> bool:
    return token.is_digit and len(token.text) == 4 and 1000 <= int(token.text) <= 2999


# --- Periods ---------------------------------------------------------------------------------


def _period(day: dt.date, precision: DatePrecision) -> tuple[dt.date, dt.date]:
    """The calendar day, ISO week, month or year that contains ``day``."""
    if precision is DatePrecision.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if precision is DatePrecision.MONTH:
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])
    if precision is DatePrecision.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return day, day


def _years(first: int, last: int) -> _Reading:
    if last < first:
        return _Reading(None, None, DatePrecision.YEAR, relative=False, implausible=True)
    return _Reading(dt.date(first, 1, 1), dt.date(last, 12, 31), DatePrecision.YEAR, False)


def _part_of(reading: _Reading, part: str, base: dt.date | None) -> _Reading:
    """Narrow a period to the part named: early/mid/late thirds, halves, before or after
    the publication ('earlier this month')."""
    start, end = reading.start, reading.end
    if start is None or end is None:
        return reading
    if part in {"earlier", "later"}:
        if base is None or not start <= base <= end:
            return _Reading(None, None, reading.precision, relative=True)
        start, end = (start, base) if part == "earlier" else (base, end)
        return _Reading(start, end, reading.precision, reading.relative)
    key = part.removeprefix("the ").removesuffix(" of")
    pieces = {"first half": (0, 2), "second half": (1, 2), "early": (0, 3), "beginning": (0, 3)}
    pieces |= {"start": (0, 3), "mid": (1, 3), "middle": (1, 3), "late": (2, 3), "end": (2, 3)}
    index, count = pieces[key]
    if reading.precision is DatePrecision.YEAR and start.year == end.year:
        months = 12 // count
        first = dt.date(start.year, index * months + 1, 1)
        last_month = (index + 1) * months
        last = dt.date(start.year, last_month, monthrange(start.year, last_month)[1])
    else:
        span = (end - start).days + 1
        first = start + dt.timedelta(days=span * index // count)
        last = start + dt.timedelta(days=span * (index + 1) // count - 1)
    return _Reading(first, last, reading.precision, reading.relative)


def _count(words: str) -> tuple[float, float] | None:
    """(fewest, most) of a count of units: 'four' -> (4, 4), 'a few' -> (2, 5)."""
    words = words.strip()
    if not words or words in {"a", "an", "one"}:
        return 1.0, 1.0
    if words in VAGUE_COUNTS:
        low, high = VAGUE_COUNTS[words]
        return float(low), float(high)
    value = read_amount(words.split()).value
    return (value, value) if value is not None else None


def _back(base: dt.date, unit: str, count: float) -> dt.date:
    step, _, _ = _UNIT_STEP[unit]
    return base - step * int(count)


def _calendar_problem(text: str) -> bool:
    """'31 February', 'April 31': a day the month never has (any year when none is given)."""
    match = _DAY_MONTH.fullmatch(text) or _MONTH_DAY.fullmatch(text)
    if match is None or match["month"] not in MONTHS:
        return False
    year = int(match["year"]) if match["year"] else 2000  # a leap year: 29 February exists
    return not 1 <= int(match["day"]) <= monthrange(year, MONTHS[match["month"]])[1]


@lru_cache(maxsize=64)
def _parser(base: dt.date) -> DateDataParser:
    settings = {
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "past",
        "PARSERS": ["relative-time", "absolute-time"],
    }
    return DateDataParser(languages=["en"], settings=settings)


_DATEPARSER_PRECISION = {
    "day": DatePrecision.DAY,
    "time": DatePrecision.DAY,
    "week": DatePrecision.WEEK,
    "month": DatePrecision.MONTH,
    "year": DatePrecision.YEAR,
}


@lru_cache(maxsize=8192)
def _dateparser(text: str, base: dt.date) -> tuple[dt.date, DatePrecision] | None:
    """dateparser's reading of a short expression against ``base``, cached (it is slow)."""
    data = _parser(base).get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), _DATEPARSER_PRECISION[data.period or "day"]


def _relative_reading(text: str, base: dt.date | None) -> _Reading | None:
    """Counts back from the publication, weekdays and durations (None: none of these)."""
    if (match := _AGO.fullmatch(text)) and (count := _count(match["count"])):
        unit = _singular(match["unit"])
        precision = UNITS[unit]
        if base is None:
            return _Reading(None, None, precision, relative=True)
        earliest = _period(_back(base, unit, count[1]), precision)[0]
        latest = _period(_back(base, unit, count[0]), precision)[1]
        return _Reading(earliest, latest, precision, relative=True)
    # "the past year", "the last two years": up to publication ("last year" is 2023)
    if (match := _PAST.fullmatch(text)) and (match["which"] == "past" or match["count"]):
        count, unit = _count(match["count"] or ""), _singular(match["unit"])
        if count is not None:
            since = _back(base, unit, count[1]) if base else None
            return _Reading(since, base, UNITS[unit], relative=True)
    if (match := _WEEKDAY.fullmatch(text)) and match["day"] in WEEKDAYS:
        if base is None:
            return _Reading(None, None, DatePrecision.DAY, relative=True)
        back = (base.weekday() - WEEKDAYS[match["day"]]) % 7 or (7 if match["last"] else 0)
        day = base - dt.timedelta(days=back)
        return _Reading(day, day, DatePrecision.DAY, relative=True)
    if (match := _DURATION.fullmatch(text)) and not RELATIVE_WORDS & set(text.split()):
        count = _count(match["count"]) if match["count"] else None  # "years": how many unsaid
        unit = _singular(match["unit"])
        _, size, letter = _UNIT_STEP[unit]
        duration = f"P{int(count[0] * size)}{letter}" if count and count[0] == count[1] else None
        return _Reading(None, None, UNITS[unit], relative=True, duration=duration)
    return None


def _read(text: str, base: dt.date | None) -> _Reading:
    """The period ``text`` (lower-case, single-spaced) names, given the publication ``base``."""
    if _calendar_problem(text):
        return _Reading(None, None, DatePrecision.UNKNOWN, relative=False, implausible=True)
    if match := _YEAR_RANGE.fullmatch(text):
        return _years(int(match[1]), int(match[2]))
    if match := _DECADE.fullmatch(text):
        decade = _years(int(match[2]) * 10, int(match[2]) * 10 + 9)
        return _part_of(decade, match["part"], base) if match["part"] else decade
    if match := _YEAR.fullmatch(text):
        return _years(int(match[1]), int(match[1]))
    if match := _PART.fullmatch(text):
        return _part_of(_read(match["rest"], base), match["part"], base)
    reading = _relative_reading(text, base)
    if reading is not None:
        return reading
    relative = _YEAR_TOKEN.search(text) is None
    parsed = _dateparser(text, base or _NO_BASE)
    if parsed is None:
        return _Reading(None, None, DatePrecision.UNKNOWN, relative)
    day, precision = parsed
    if relative and base is None:
        return _Reading(None, None, precision, relative)
    return _Reading(*_period(day, precision), precision, relative)


def _normalize(text: str) -> str:
    clean = " ".join(text.lower().split()).strip(" ,.;:()")
    return _LEADING.sub("", clean, count=1) if _LEADING.match(clean) else clean


def _base_for(reading_precision: DatePrecision, published: PartialDate | None) -> dt.date | None:
    """The publication date, when it is known at least as finely as ``reading_precision``."""
    if published is None or published.precision not in _PRECISION_RANK:
        return None
    rank = _PRECISION_RANK.get(reading_precision, 0)
    return published.value if _PRECISION_RANK[published.precision] <= rank else None


def _reading_for(text: str, published: PartialDate | None) -> _Reading:
    """Read one expression against the publication date, never beyond what it supports."""
    normalized = _normalize(text)
    # first learn the expression's own precision, then whether the publication supports it
    reading = _read(normalized, published.value if published else None)
    if not reading.relative or reading.start is None:
        return reading
    base = _base_for(reading.precision, published)
    if base is None:
        return _Reading(None, None, reading.precision, True, reading.duration)
    return reading


def _calendar_word(doc: Doc, i: int) -> bool:
    """A capitalised month name, or a day number or year beside one ("7 May 2020")."""
    token = doc[i]
    if token.lower_.rstrip(".") in MONTHS and token.text[:1].isupper():
        return True
    beside = [doc[j] for j in (i - 1, i + 1) if 0 <= j < len(doc)]
    month_beside = any(b.lower_.rstrip(".") in MONTHS and b.text[:1].isupper() for b in beside)
    day = token.is_digit and 1 <= int(token.text) <= 31
    return month_beside and (day or bool(_YEAR_TOKEN.fullmatch(token.text)))


def _widened(doc: Doc, ent: Span) -> Span:
    """A DATE entity with the day, month and year words beside it that the recognizer
    left out ("Around 7 May 2020" gives "May 2020"; "On 29 Apr 2020" only "2020")."""
    start, end = ent.start, ent.end
    while start > 0 and _calendar_word(doc, start - 1):
        start -= 1
    while end < len(doc) and _calendar_word(doc, end):
        end += 1
    return doc[start:end]


def _candidates(doc: Doc) -> Iterable[Span]:
    """DATE entities, a duration joined by the 'after'/'before' that anchors it."""
    seen: set[tuple[int, int]] = set()
    for found in doc.ents:
        if found.label_ != "DATE" or not looks_temporal(found):
            continue
        ent = _widened(doc, found)
        if (ent.start, ent.end) in seen:
            continue
        seen.add((ent.start, ent.end))
        following = doc[ent.end] if ent.end < len(doc) else None
        if (
            following is not None
            and following.lower_ in _ANCHOR_WORDS
            and _DURATION.fullmatch(_normalize(ent.text))
        ):
            yield doc[ent.start : ent.end + 1]
        else:
            yield ent


def extract_times(doc: Doc, published: PartialDate | None, doc_id: int = 0) -> list[TimeExpression]:
    """Every temporal expression in ``doc``, normalized against its ``published`` date."""
    times = []
    for span in _candidates(doc):
        reading = _reading_for(span.text, published)
        times.append(
            TimeExpression(
                mention(doc, span.start_char, span.end_char, doc_id),
                reading.start,
                reading.end,
                reading.precision,
                reading.relative,
                duration=reading.duration,
                implausible=reading.implausible,
            )
        )
    return times
