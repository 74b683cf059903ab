"""The events view's read model: filtered events with their anchors, the map's points, the
timeline's bars and the values the filters offer.

Filters come from the address bar (untrusted): they reach the database only as bound
parameters. Each event keeps the anchor the reader gives it (``e-3``: the third event of
its document in store order), so the list, the map and the timeline link to its words.
The list and the map show a page of events at a time (ordered on indexes, migration
0008); the timeline and the filters' values count the whole ledger.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from newstrace.records import DatePrecision, PartialDate
from newstrace.store import DocumentStore
from newstrace.store.schema import DocumentRow, EventRow
from newstrace.web.cache import LedgerCache, remembered

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
EVENT_LIMIT = 500  # rows listed at most; the page says when there were more
TIMELINE_DAYS_MAX = 92  # a longer span is drawn by month
EVENT_PREFIX = "e"
# Precise enough to sit on a day of the timeline (a week is drawn on its Monday).
TIMELINE_PRECISIONS = (DatePrecision.DAY.value, DatePrecision.WEEK.value)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What the events view is narrowed to; every field is optional."""

    event_type: str | None = None
    actor: str | None = None
    country: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def params(self, **changes: object) -> dict[str, str]:
        """The filter as query parameters (with ``changes``), for links that keep it."""
        values: dict[str, object] = {
            "type": self.event_type,
            "actor": self.actor,
            "country": self.country,
            "from": self.start,
            "to": self.end,
            **changes,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.params())


@dataclass(frozen=True, slots=True)
class EventItem:
    """One event as the list and the map show it."""

    id: int
    doc_id: int
    anchor: str
    event_type: str
    sub_event_type: str | None
    actor1: str | None
    actor2: str | None
    date: PartialDate | None
    country: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    fatalities: float | None
    injured: float | None
    is_tally: bool
    sentence: str
    doc_title: str | None
    doc_outlet: str | None


@dataclass(frozen=True, slots=True)
class Options:
    """The values each filter can take, from the whole ledger."""

    types: list[str]
    actors: list[str]
    countries: list[str]
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True, slots=True)
class Bar:
    """A timeline bar: the events dated ``start``..``end``, at ``x`` of a 0..100 axis."""

    start: dt.date
    end: dt.date
    label: str
    count: int
    x: float
    width: float
    height: float  # 0..100 of the tallest bar


@dataclass(frozen=True, slots=True)
class Timeline:
    """Events per day (or per month over a long span), and what could not be placed."""

    bars: list[Bar]
    by_month: bool
    vague: int  # dated only to a month or a year
    undated: int
    peak: int = 0
    ticks: list[tuple[float, str]] = field(default_factory=list)


def _number() -> Any:
    """An event's number within its document (the reader's ``e-N``: store order), counted
    on the document's index for the rows a page shows only."""
    earlier = aliased(EventRow)
    return (
        select(func.count())
        .where(earlier.document_id == EventRow.document_id, earlier.id <= EventRow.id)
        .scalar_subquery()
    )


def _where(query: Q, chosen: EventFilter) -> Q:
    if chosen.event_type:
        query = query.where(EventRow.event_type == chosen.event_type)
    if chosen.actor:
        query = query.where(or_(EventRow.actor1 == chosen.actor, EventRow.actor2 == chosen.actor))
    if chosen.country:
        query = query.where(EventRow.country == chosen.country)
    if chosen.start:
        query = query.where(EventRow.event_date >= chosen.start)
    if chosen.end:
        query = query.where(EventRow.event_date <= chosen.end)
    return query


def count(store: DocumentStore, chosen: EventFilter) -> int:
    """How many events ``chosen`` selects."""
    with Session(store.engine) as session:
        return session.scalar(_where(select(func.count()).select_from(EventRow), chosen)) or 0


def events(
    store: DocumentStore, chosen: EventFilter, limit: int = EVENT_LIMIT
) -> tuple[list[EventItem], int]:
    """Events matching ``chosen`` by date (undated last), at most ``limit``; and how many."""
    return event_rows(store, chosen, limit), count(store, chosen)


def event_rows(
    store: DocumentStore, chosen: EventFilter, limit: int, offset: int = 0
) -> list[EventItem]:
    """Events matching ``chosen`` by date (undated last), ``limit`` at most from ``offset``.

    The page's ids are chosen first on the narrow columns, so the sentence (inside the
    JSON detail) and the number are read for the rows shown only.
    """
    shown = (
        _where(select(EventRow.id, EventRow.event_date, EventRow.document_id), chosen)
        .order_by(EventRow.event_date.nulls_last(), EventRow.document_id, EventRow.id)
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    query = (
        select(
            *(column for column in EventRow.__table__.columns if column.key != "detail"),
            _number().label("n"),
            EventRow.detail[("sentence", 0)].as_string().label("sentence_text"),
            DocumentRow.title,
            DocumentRow.outlet,
        )
        .join(shown, shown.c.id == EventRow.id)
        .join(DocumentRow, DocumentRow.id == EventRow.document_id)
        .order_by(shown.c.event_date.nulls_last(), shown.c.document_id, shown.c.id)
    )
    with Session(store.engine) as session:
        rows = session.execute(query).all()
    return [_item(row._mapping) for row in rows]


def _item(row: Any) -> EventItem:
    date = row["event_date"]
    precision = row["date_precision"] or DatePrecision.UNKNOWN.value
    return EventItem(
        id=row["id"],
        doc_id=row["document_id"],
        anchor=f"{EVENT_PREFIX}-{row['n']}",
        event_type=row["event_type"],
        sub_event_type=row["sub_event_type"],
        actor1=row["actor1"],
        actor2=row["actor2"],
        date=PartialDate(date, DatePrecision(precision)) if date is not None else None,
        country=row["country"],
        location=row["location"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        fatalities=row["fatalities"],
        injured=row["injured"],
        is_tally=bool(row["is_tally"]),
        sentence=row["sentence_text"] or "",
        doc_title=row["title"],
        doc_outlet=row["outlet"],
    )


def options(store: DocumentStore) -> Options:
    """Every type, actor and country in the ledger, and its first and last event date."""
    actors = union(
        select(EventRow.actor1.label("actor")).where(EventRow.actor1.is_not(None)),
        select(EventRow.actor2.label("actor")).where(EventRow.actor2.is_not(None)),
    ).subquery()
    with Session(store.engine) as session:
        types = session.scalars(select(EventRow.event_type).distinct()).all()
        countries = session.scalars(
            select(EventRow.country).where(EventRow.country.is_not(None)).distinct()
        ).all()
        names = session.scalars(select(actors.c.actor)).all()
        first, last = session.execute(
            select(func.min(EventRow.event_date), func.max(EventRow.event_date))
        ).one()
    return Options(
        sorted(types),
        sorted(filter(None, names), key=str.casefold),
        sorted(filter(None, countries)),
        first,
        last,
    )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def timeline(store: DocumentStore, chosen: EventFilter) -> Timeline:
    """Bars of the events ``chosen`` selects that are dated to a day or a week.

    Events dated only to a month or a year would sit misleadingly on its first day, so
    they are counted apart, as are undated ones.
    """
    query = _where(
        select(EventRow.event_date, EventRow.date_precision, func.count()).group_by(
            EventRow.event_date, EventRow.date_precision
        ),
        chosen,
    )
    with Session(store.engine) as session:
        rows = session.execute(query).all()
    per_day: Counter[dt.date] = Counter()
    vague = undated = 0
    for day, precision, n in rows:
        if day is None:
            undated += n
        elif precision in TIMELINE_PRECISIONS:
            per_day[day] += n
        else:
            vague += n
    if not per_day:
        return Timeline([], False, vague, undated)
    first, last = min(per_day), max(per_day)
    by_month = (last - first).days > TIMELINE_DAYS_MAX
    counts: Counter[dt.date] = Counter()
    for day, n in per_day.items():
        counts[_month(day) if by_month else day] += n
    start = _month(first) if by_month else first
    slots = _slots(start, _month(last) if by_month else last, by_month)
    width = 100 / len(slots)
    peak = max(counts.values())
    bars = [
        Bar(
            start=slot,
            end=_month_end(slot) if by_month else slot,
            label=slot.strftime("%Y-%m") if by_month else slot.isoformat(),
            count=counts[slot],
            x=i * width,
            width=width,
            height=100 * counts[slot] / peak,
        )
        for i, slot in enumerate(slots)
        if counts[slot]
    ]
    return Timeline(bars, by_month, vague, undated, peak, _ticks(slots, width, by_month))


def _next(slot: dt.date, by_month: bool) -> dt.date:
    return (_month_end(slot) if by_month else slot) + dt.timedelta(days=1)


def _slots(first: dt.date, last: dt.date, by_month: bool) -> list[dt.date]:
    """Every day (or month) from ``first`` to ``last``: empty ones keep their place."""
    slots = []
    while first <= last:
        slots.append(first)
        first = _next(first, by_month)
    return slots


def _ticks(slots: list[dt.date], width: float, by_month: bool) -> list[tuple[float, str]]:
    """Axis labels: the first slot, then each new month (each new year when by month)."""
    return [
        (i * width, s.strftime("%Y" if by_month else "%Y-%m-%d"))
        for i, s in enumerate(slots)
        if i == 0 or (s.month == 1 if by_month else s.day == 1)
    ]


def map_points(found: list[EventItem], link: Callable[[int, str], str]) -> list[dict[str, Any]]:
    """The events that have coordinates, as plain data for the map's JSON block.

    ``link(doc_id, anchor)`` builds the address of an event's words in the reader.
    """
    return [
        {
            "lat": e.latitude,
            "lon": e.longitude,
            "type": e.event_type,
            "sub": e.sub_event_type or "",
            "date": e.date.iso() if e.date else "undated",
            "fatalities": e.fatalities,
            "tally": e.is_tally,
            "place": e.location or "",
            "href": link(e.doc_id, e.anchor),
            "source": e.doc_title or f"document {e.doc_id}",
        }
        for e in found
        if e.latitude is not None and e.longitude is not None
    ]


def page(
    store: DocumentStore,
    chosen: EventFilter,
    link: Callable[[int, str], str],
    number: int = 1,
    size: int = EVENT_LIMIT,
    cache: LedgerCache | None = None,
) -> dict[str, Any]:
    """Everything the events view shows for ``chosen`` (the template's context): page
    ``number`` of ``size`` events (none past the last page), on the map too; the timeline
    and the filters' values over the whole ledger (kept in ``cache`` while the ledger
    stays the same)."""
    total = remembered(cache, ("events", chosen), lambda: count(store, chosen))
    pages = max(1, math.ceil(total / size))
    found = event_rows(store, chosen, size, (number - 1) * size) if number <= pages else []
    points = map_points(found, link)
    return {
        "chosen": chosen,
        "items": found,
        "total": total,
        "first": (number - 1) * size + 1,
        "page": number,
        "pages": pages,
        "options": remembered(cache, "event options", lambda: options(store)),
        "timeline": remembered(cache, ("timeline", chosen), lambda: timeline(store, chosen)),
        "points": points,
        "located": len(points),
    }
