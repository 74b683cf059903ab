"""One scorer for coded incidents (GTD, ACLED, FA-KES), parametrised by its fields.

A field is a name and a check of one gold row against one prediction. The check returns
``None`` when the row does not code the field (GTD "Unknown" attack type, no
coordinates), so such rows count neither way. Each dataset is a list of fields built
from the same few checks, under the stable names ``--json`` reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from newstrace.evaluate.datasets import ArticleGold, IncidentGold
from newstrace.evaluate.places import PlaceJudge
from newstrace.evaluate.predictions import IncidentPrediction
from newstrace.evaluate.scoring import Miss, Tally, clip
from newstrace.evaluate.vocab import actor_keys, event_scheme
from newstrace.gazetteer.geo import haversine_km
from newstrace.records import DatePrecision

NONE = "—"  # how an absent answer is shown


@dataclass(frozen=True, slots=True)
class Verdict:
    """One row on one field: right or wrong, and what each side said."""

    correct: bool
    gold: str
    predicted: str
    severity: float = 1.0
    evidence: str = ""


Check = Callable[[IncidentGold, IncidentPrediction], Verdict | None]
G = TypeVar("G", IncidentGold, ArticleGold)


@dataclass(frozen=True, slots=True)
class Field(Generic[G]):
    """A scored field: its stable name and the check of one row."""

    name: str
    check: Callable[[G, IncidentPrediction], Verdict | None]


def _shown(value: object) -> str:
    if value is None:
        return NONE
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count_check(attribute: str, tolerance: int = 0) -> Check:
    """A toll (``fatalities``, ``injured``) equal to the coded one, within ``tolerance``."""

    def check(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
        expected: int | None = getattr(gold, attribute)
        value: float | None = getattr(found, attribute)
        if expected is None:
            return None
        error = abs(value - expected) if value is not None else None
        return Verdict(
            error is not None and error <= tolerance,
            _shown(expected),
            _shown(value),
            severity=1.0 + (error if error is not None else expected),
            evidence=found.evidence.get(attribute, ""),
        )

    return check


def within_km_check(km: float) -> Check:
    """The predicted point within ``km`` of the coded coordinates."""

    def check(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
        if gold.latitude is None or gold.longitude is None:
            return None
        shown = (
            f"{gold.location or gold.admin1 or gold.country} ({gold.latitude}, {gold.longitude})"
        )
        place = found.place
        if place is None or place.latitude is None or place.longitude is None:
            return Verdict(False, shown, NONE, severity=20_000.0)
        error = haversine_km(gold.latitude, gold.longitude, place.latitude, place.longitude)
        return Verdict(
            error <= km,
            shown,
            f"{place.describe()}: {error:.0f} km off",
            severity=error,
            evidence=place.evidence,
        )

    return check


def country_check(judge: PlaceJudge) -> Check:
    def check(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
        if gold.country is None:
            return None
        predicted = found.place.country if found.place else None
        expected = judge.country_code(gold.country)
        correct = predicted is not None and judge.country_code(predicted) == expected
        return Verdict(correct, gold.country, _shown(predicted))

    return check


def admin1_check(judge: PlaceJudge) -> Check:
    def check(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
        if gold.admin1 is None:
            return None
        predicted = found.place.admin1 if found.place else None
        correct = judge.same_admin1(gold.admin1, predicted, gold.country)
        return Verdict(correct, gold.admin1, _shown(predicted))

    return check


def event_type_check(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
    if gold.event_type is None:
        return None
    predicted = event_scheme().event_type(found.event_type)
    return Verdict(predicted == gold.event_type, gold.event_type, _shown(found.event_type))


def sub_event_type_check(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
    if gold.sub_event_type is None:
        return None
    predicted = event_scheme().sub_event_type(found.sub_event_type)
    return Verdict(
        predicted == gold.sub_event_type, gold.sub_event_type, _shown(found.sub_event_type)
    )


def actor_check(gold: IncidentGold, found: IncidentPrediction) -> Verdict:
    """Same actor after alias normalization; "no named actor" must be matched by none."""
    keys = actor_keys()
    correct = keys.key(gold.actor1) == keys.key(found.actor1)
    return Verdict(correct, _shown(gold.actor1), _shown(found.actor1))


def date_check(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
    """The event date at the coded precision: the day (within the coded window) or month."""
    if gold.date is None:
        return None
    date = found.date
    shown = NONE if date is None else f"{date.start.isoformat()} ({date.precision})"
    if date is None:
        return Verdict(False, gold.date.isoformat(), shown)
    if gold.date_precision is DatePrecision.MONTH:
        correct = (date.start.year, date.start.month) == (gold.date.year, gold.date.month)
    else:
        correct = (
            date.precision is DatePrecision.DAY
            and abs((date.start - gold.date).days) <= gold.date_window_days
        )
    severity = 1.0 + abs((date.start - gold.date).days)
    return Verdict(correct, gold.date.isoformat(), shown, severity, date.evidence)


def only(rows: Callable[[IncidentGold], bool], check: Check) -> Check:
    """``check`` on the rows ``rows`` accepts (the others are not scored on it)."""

    def restricted(gold: IncidentGold, found: IncidentPrediction) -> Verdict | None:
        return check(gold, found) if rows(gold) else None

    return restricted


def distance_fields(prefix: str) -> list[Field[IncidentGold]]:
    return [Field(f"{prefix}_within_{km}km", within_km_check(km)) for km in (5, 25, 100)]


def gtd_fields(judge: PlaceJudge) -> list[Field[IncidentGold]]:
    """The GTD fields (stable names)."""
    return [
        Field("fatalities_exact", count_check("fatalities")),
        Field("fatalities_within_1", count_check("fatalities", tolerance=1)),
        Field("injured_exact", count_check("injured")),
        *distance_fields("place"),
        Field("country_exact", country_check(judge)),
        Field("admin1_exact", admin1_check(judge)),
        Field("attack_type", event_type_check),
        Field("perpetrator_exact", actor_check),
    ]


def acled_fields(judge: PlaceJudge) -> list[Field[IncidentGold]]:
    """The ACLED fields (stable names); tolls coded by convention are also listed apart."""
    exact = count_check("fatalities")
    return [
        Field("date_exact", date_check),
        Field("event_type", event_type_check),
        Field("sub_event_type", sub_event_type_check),
        Field("actor1", actor_check),
        *distance_fields("location"),
        Field("admin1_exact", admin1_check(judge)),
        Field("fatalities_exact", exact),
        Field("fatalities_exact_reported", only(lambda g: not g.fatalities_coded, exact)),
        Field("fatalities_exact_coded", only(lambda g: g.fatalities_coded, exact)),
    ]


def fakes_fields(judge: PlaceJudge) -> list[Field[ArticleGold]]:
    """FA-KES: the article's main place against its coded location; any event found."""

    def main_location(gold: ArticleGold, found: IncidentPrediction) -> Verdict:
        place = found.place
        correct = place is not None and judge.same_place(gold.location, place, gold.country)
        return Verdict(
            correct,
            gold.location,
            place.describe() if place else NONE,
            evidence=place.evidence if place else "",
        )

    def docs_with_events(gold: ArticleGold, found: IncidentPrediction) -> Verdict:
        return Verdict(found.events_found > 0, "an event", f"{found.events_found} events")

    return [Field("main_location", main_location), Field("docs_with_events", docs_with_events)]


def score_rows(
    golds: Sequence[G],
    predictions: Sequence[IncidentPrediction],
    fields: Sequence[Field[G]],
) -> tuple[dict[str, Tally], list[Miss]]:
    """Tallies per field over paired rows, and every miss."""
    tallies = {f.name: Tally() for f in fields}
    misses: list[Miss] = []
    for gold, found in zip(golds, predictions, strict=True):
        for f in fields:
            verdict = f.check(gold, found)
            if verdict is None:
                continue
            tallies[f.name].hit(verdict.correct)
            if not verdict.correct:
                shown = f"{verdict.predicted} ← “{clip(verdict.evidence, 80)}”"
                misses.append(
                    Miss(
                        f.name,
                        gold.item,
                        clip(gold.text),
                        verdict.gold,
                        shown if verdict.evidence else verdict.predicted,
                        verdict.severity,
                    )
                )
    return tallies, misses
