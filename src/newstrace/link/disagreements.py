"""Figure disagreements: one event, different tolls, each with its source and date.

Two values can both be true when their bounds overlap ("at least 12" and "15"), or when
the higher one was published later (a toll that rose as the wounded died). Otherwise
they are incompatible, which grades a claim ``contradicted`` when they come from
independent origins. The events stage writes a toll of 0 when the text states none, so a
0 is not a value here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from newstrace.records import (
    ClaimMember,
    Figure,
    FigureClass,
    FigureDisagreement,
    FigureValue,
    PartialDate,
    Qualifier,
)

HARMS = (FigureClass.KILLED, FigureClass.INJURED)
_OPEN_ABOVE = {Qualifier.AT_LEAST, Qualifier.MORE_THAN, Qualifier.VAGUE}
_OPEN_BELOW = {Qualifier.AT_MOST, Qualifier.LESS_THAN}


def bounds(figure: Figure) -> tuple[float, float]:
    """The range of counts a figure allows ("at least 12": 12 to no limit)."""
    best = figure.best or 0.0
    low = figure.low if figure.low is not None else best
    high = figure.high if figure.high is not None else best
    if figure.qualifier in _OPEN_ABOVE and figure.high is None:
        high = math.inf
    if figure.qualifier in _OPEN_BELOW and figure.low is None:
        low = 0.0
    if figure.qualifier is Qualifier.APPROXIMATE:
        low, high = low * 0.8, high * 1.2
    return low, high


def _later(a: PartialDate | None, b: PartialDate | None) -> bool:
    """Whether ``a`` was certainly published after ``b``."""
    return a is not None and b is not None and a.value > b.last_day()


def compatible(a: FigureValue, b: FigureValue) -> bool:
    """Whether both values can be true: overlapping bounds, or a rising toll."""
    (a_low, a_high), (b_low, b_high) = bounds(a.figure), bounds(b.figure)
    if a_low <= b_high and b_low <= a_high:
        return True
    rising_a = a_low > b_high and _later(a.published, b.published)
    rising_b = b_low > a_high and _later(b.published, a.published)
    return rising_a or rising_b


def toll_of(member: ClaimMember, harm: FigureClass) -> Figure | None:
    """The member's stated toll for ``harm``, if it states one."""
    event = member.event
    if event is None:
        return None
    figure = event.fatalities if harm is FigureClass.KILLED else event.injured
    if figure is None or figure.implausible or not figure.best:
        return None
    return figure


def figure_values(
    members: Iterable[ClaimMember],
    harm: FigureClass,
    documents: dict[int, tuple[str | None, PartialDate | None]],
) -> list[FigureValue]:
    """Each document's distinct values for ``harm``, in document order."""
    found: dict[tuple[int, float | None, float | None, float | None, str], FigureValue] = {}
    for member in members:
        figure = toll_of(member, harm)
        if figure is None or member.event is None:
            continue
        doc_id = member.evidence.span.doc_id
        outlet, published = documents.get(doc_id, (None, None))
        key = (doc_id, figure.low, figure.best, figure.high, figure.qualifier.value)
        found.setdefault(
            key,
            FigureValue(doc_id, outlet, published, harm, figure, member.evidence, member.source),
        )
    return sorted(found.values(), key=lambda v: (v.doc_id, v.figure.mention.span.start))


def disagreements(
    members: Sequence[ClaimMember],
    documents: dict[int, tuple[str | None, PartialDate | None]],
) -> tuple[FigureDisagreement, ...]:
    """Per harm, the values when they are not all the same number."""
    found: list[FigureDisagreement] = []
    for harm in HARMS:
        values = figure_values(members, harm, documents)
        if len({bounds(v.figure) for v in values}) < 2:
            continue
        fits = all(compatible(a, b) for i, a in enumerate(values) for b in values[i + 1 :])
        found.append(FigureDisagreement(harm, tuple(values), fits))
    return tuple(found)


def describe_value(value: FigureValue) -> str:
    """'at least 12 people (police, Example Times, 2025-03-10)': the value, who, where, when."""
    where = value.outlet or f"document {value.doc_id}"
    when = value.published.iso() if value.published else "undated"
    words = " ".join(value.figure.mention.text.split())
    who = [value.source.name] if value.source.name != where else []
    return f"{words} ({', '.join([*who, where, when])})"
