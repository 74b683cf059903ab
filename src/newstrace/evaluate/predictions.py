"""What a system answered, in the terms the scorers compare, and newstrace's answers.

newstrace is reached only through :func:`newstrace.analysis.analyze_text`. The mapping
from its :class:`~newstrace.analysis.Analysis` reads the event and figure stages by
attribute (``events``, ``figures``), so the scores pick those stages up as they land;
until then the fields they would fill stay empty and score as missed. Expected on an
event: ``event_type``, ``sub_event_type``, ``actor1`` (str), ``place``
(:class:`~newstrace.records.Place`), ``date`` (:class:`~newstrace.records.TimeExpression`),
``fatalities`` and ``injured`` (:class:`~newstrace.records.Figure`), ``is_tally`` (bool).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from newstrace.analysis import Analysis
from newstrace.records import DatePrecision, Figure, Place, TimeExpression


@dataclass(frozen=True, slots=True)
class PlaceGuess:
    """A place a system named, with the words it rests on."""

    name: str | None
    latitude: float | None
    longitude: float | None
    country: str | None  # a name or an ISO code
    admin1: str | None
    evidence: str = ""

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def describe(self) -> str:
        point = f" ({self.latitude:.3f}, {self.longitude:.3f})" if self.has_point else ""
        where = ", ".join(part for part in (self.name, self.admin1, self.country) if part)
        return f"{where or '?'}{point}"


@dataclass(frozen=True, slots=True)
class DateGuess:
    """A date a system stated: the period it bounds and how precisely."""

    start: dt.date
    end: dt.date
    precision: DatePrecision
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class IncidentPrediction:
    """A system's answer for one incident report (or one article's main place)."""

    fatalities: float | None = None
    injured: float | None = None
    place: PlaceGuess | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    date: DateGuess | None = None
    events_found: int = 0
    evidence: dict[str, str] = field(default_factory=dict)  # field -> words it rests on


def place_of(value: object) -> PlaceGuess | None:
    if not isinstance(value, Place):
        return None
    return PlaceGuess(
        value.name or value.mention.text,
        value.latitude,
        value.longitude,
        value.country,
        value.admin1,
        value.mention.text,
    )


def date_of(value: object) -> DateGuess | None:
    if not isinstance(value, TimeExpression) or value.start is None:
        return None
    return DateGuess(value.start, value.end or value.start, value.precision, value.mention.text)


def count_of(value: object) -> float | None:
    return value.best if isinstance(value, Figure) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def events_of(analysis: Analysis) -> tuple[object, ...]:
    """The events the analysis found (none until the events stage lands)."""
    return tuple(getattr(analysis, "events", ()))


def incident_from_event(event: object) -> IncidentPrediction:
    """One event in the terms the scorers compare."""
    fatalities, injured = getattr(event, "fatalities", None), getattr(event, "injured", None)
    evidence = {
        name: figure.mention.text
        for name, figure in (("fatalities", fatalities), ("injured", injured))
        if isinstance(figure, Figure)
    }
    return IncidentPrediction(
        fatalities=count_of(fatalities),
        injured=count_of(injured),
        place=place_of(getattr(event, "place", None)),
        event_type=_text(getattr(event, "event_type", None)),
        sub_event_type=_text(getattr(event, "sub_event_type", None)),
        actor1=_text(getattr(event, "actor1", None)),
        date=date_of(getattr(event, "date", None)),
        events_found=1,
        evidence=evidence,
    )


def incident_from_analysis(analysis: Analysis) -> IncidentPrediction:
    """GTD/ACLED: the document's main event is its first event that is not a tally."""
    events = events_of(analysis)
    main = next((e for e in events if not getattr(e, "is_tally", False)), None)
    if main is None:
        return IncidentPrediction(events_found=len(events))
    return replace(incident_from_event(main), events_found=len(events))


def main_place(places: Sequence[PlaceGuess]) -> PlaceGuess | None:
    """The place most events are at (the first such place on a tie)."""
    if not places:
        return None
    counts = Counter(_place_key(p) for p in places)
    best = max(counts.values())
    return next(p for p in places if counts[_place_key(p)] == best)


def _place_key(place: PlaceGuess) -> tuple[object, ...]:
    return (place.name, place.latitude, place.longitude)


def article_from_analysis(analysis: Analysis) -> IncidentPrediction:
    """FA-KES: the article's main place, over its events that are not tallies."""
    events = events_of(analysis)
    places = [
        place
        for event in events
        if not getattr(event, "is_tally", False)
        for place in [place_of(getattr(event, "place", None))]
        if place is not None
    ]
    return IncidentPrediction(place=main_place(places), events_found=len(events))
