"""Published dates: parsed with the precision the source states, checked for plausibility.

A date is only ever read from what a source says (metadata, a feed field, a dateline
printed in the text). Nothing here guesses a date from content.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as dateutil_parser

from newstrace.records import DatePrecision, PartialDate

EARLIEST_PLAUSIBLE = dt.date(1900, 1, 1)

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T\s].*)?$")
_HAS_DAY = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b",
    re.IGNORECASE,
)
_HAS_MONTH = re.compile(rf"\b(?:{_MONTHS})\b", re.IGNORECASE)
_HAS_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


class ImplausibleDate(ValueError):
    """A date that cannot be a publication date (in the future, or before 1900)."""


def check_plausible(date: PartialDate, today: dt.date | None = None) -> PartialDate:
    limit = (today or dt.date.today()) + dt.timedelta(days=1)  # time zones ahead of ours
    if date.value > limit:
        raise ImplausibleDate(f"published date {date.iso()} is in the future")
    if date.value < EARLIEST_PLAUSIBLE:
        raise ImplausibleDate(f"published date {date.iso()} is before 1900")
    return date


def parse_published(value: str) -> PartialDate | None:
    """Parse a date string, keeping only the precision it states; ``None`` if unparseable.

    ``2024`` is a year, ``January 2024`` or ``2024-01`` a month, anything naming a day a day.
    """
    text = value.strip()
    if not text:
        return None
    iso = _ISO.match(text)
    if iso:
        year, month, day = iso.groups()
        try:
            if day:
                return PartialDate(dt.date(int(year), int(month), int(day)), DatePrecision.DAY)
            if month:
                return PartialDate(dt.date(int(year), int(month), 1), DatePrecision.MONTH)
            return PartialDate(dt.date(int(year), 1, 1), DatePrecision.YEAR)
        except ValueError:
            return None
    if not _HAS_YEAR.search(text):
        return None
    try:
        parsed = dateutil_parser.parse(text, fuzzy=True, default=dt.datetime(1, 1, 1)).date()
    except (ValueError, OverflowError):
        return None
    if _HAS_DAY.search(text):
        return PartialDate(parsed, DatePrecision.DAY)
    if _HAS_MONTH.search(text):
        return PartialDate(parsed.replace(day=1), DatePrecision.MONTH)
    return PartialDate(dt.date(parsed.year, 1, 1), DatePrecision.YEAR)
