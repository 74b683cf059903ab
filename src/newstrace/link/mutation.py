"""Claim mutation: what a reused or paraphrased claim states that its origin does not.

A copy that keeps the claim but moves it ("in three districts of northern Kirkuk" ->
"from the southern Jordanian deserts in 2023") is reported field by field, with both
values. Each side's span is read for its places, dates, figures and actors: the places,
dates and figures the per-document stages stored inside the span, plus locative phrases
the place stage leaves out ("the southern Jordanian deserts": a direction, a demonym, a
feature word) and armed actors named from the alias tables.

A field counts as changed when the derived side states it and the origin states
something else or nothing: a summary that drops a detail is not a mutation, a copy that
adds or swaps one is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from newstrace.extract.toponyms import place_terms
from newstrace.link.text import LinkDoc
from newstrace.nlp.aliases import ActorKind, load_aliases, normalize_name
from newstrace.records import (
    Analysis,
    ClaimChange,
    ClaimField,
    FigureClass,
    Span,
)

Findings = Callable[[int], Analysis | None]
"""A document's stored findings by id (None when it was not analysed)."""

CLAIM_FIGURES = frozenset(
    {FigureClass.KILLED, FigureClass.INJURED, FigureClass.FIGHTERS, FigureClass.OPERATIONS}
)
ACTOR_KINDS = frozenset({ActorKind.ARMED_GROUP, ActorKind.STATE_FORCE, ActorKind.INTERNATIONAL})
_DIRECTIONS = (
    "north|south|east|west|central|north-?eastern|north-?western|south-?eastern|"
    "south-?western|northern|southern|eastern|western"
)
_NAME = r"[A-Z][\w'’-]*"


@dataclass(frozen=True, slots=True)
class _Value:
    """One stated value: how the text words it, and what it means for comparison (two
    values are the same when they share a key: a gazetteer id or the words)."""

    start: int
    text: str
    keys: frozenset[object]


@cache
def _locative() -> re.Pattern[str]:
    """A preposition, then a direction or name words, then a feature word or a name:
    "from the southern Jordanian deserts", "across northern Raqqa"."""
    terms = place_terms()
    preps = "|".join(sorted(terms.locative | terms.weak_locative, key=len, reverse=True))
    features = "|".join(sorted(map(re.escape, terms.feature_words), key=len, reverse=True))
    dirs = rf"(?:(?:{_DIRECTIONS})\s+)"
    return re.compile(
        rf"\b(?:{preps})\s+(?:the\s+)?"
        rf"({dirs}*(?:{_NAME}\s+){{0,3}}(?:{features})\b|{dirs}+{_NAME}(?:\s+{_NAME}){{0,2}})"
    )


@cache
def _actor_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Armed actors' names: acronyms matched in their case, other names in any case."""
    names = {
        alias
        for entry in load_aliases().entries
        if entry.kind in ACTOR_KINDS
        for alias in (entry.name, *entry.aliases)
    }
    acronyms = {n for n in names if n.isupper() and len(n) <= 6}

    def pattern(chosen: set[str], flags: int) -> re.Pattern[str]:
        alternatives = "|".join(sorted(map(re.escape, chosen), key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags)

    return pattern(acronyms, 0), pattern(names - acronyms, re.IGNORECASE)


def _fold(text: str) -> str:
    return " ".join(re.sub(r"\bthe\b", " ", text.replace("*", "").casefold()).split())


def _inside(span: Span, other: Span) -> bool:
    return span.start <= other.start and other.end <= span.end


def _direction_before(text: str, start: int) -> str:
    found = re.search(rf"\b({_DIRECTIONS})\s+$", text[max(0, start - 20) : start])
    return found.group(1) + " " if found else ""


def _places(doc: LinkDoc, span: Span, found: Analysis | None) -> Iterator[_Value]:
    phrases = [
        (match.start(1), match.end(1))
        for match in _locative().finditer(doc.text, span.start, span.end)
        if any(c.isupper() for c in match.group(1)) or re.match(_DIRECTIONS, match.group(1))
    ]
    for start, end in phrases:
        words = doc.text[start:end]
        yield _Value(start, " ".join(words.split()), frozenset({_fold(words)}))
    for place in found.places if found else ():
        where = place.mention.span
        if not _inside(span, where) or any(s <= where.start < e for s, e in phrases):
            continue
        direction = _direction_before(doc.text, where.start)
        name = " ".join(place.mention.text.replace("*", "").split())
        keys = {(direction, _fold(name)), (direction, place.gazetteer_id)}
        yield _Value(where.start, direction + name, frozenset(keys - {(direction, None)}))


def _times(span: Span, found: Analysis | None) -> Iterator[_Value]:
    for time in found.times if found else ():
        if _inside(span, time.mention.span) and time.start is not None and not time.implausible:
            keys = frozenset({(time.start, time.end)})
            yield _Value(time.mention.span.start, time.mention.text, keys)


def _figures(span: Span, found: Analysis | None) -> Iterator[_Value]:
    for figure in found.figures if found else ():
        if (
            _inside(span, figure.mention.span)
            and figure.figure_class in CLAIM_FIGURES
            and not figure.implausible
        ):
            key = (figure.figure_class, figure.low, figure.best, figure.high, figure.qualifier)
            text = " ".join(figure.mention.text.split())
            yield _Value(figure.mention.span.start, text, frozenset({key}))


def actor_mentions(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """Names of armed groups, state forces and coalitions in ``text[start:end]``."""
    for pattern in _actor_patterns():
        yield from pattern.finditer(text, start, end)


def _actors(doc: LinkDoc, span: Span) -> Iterator[_Value]:
    table = load_aliases()
    for match in actor_mentions(doc.text, span.start, span.end):
        entry = table.resolve(match.group())
        key = entry.id if entry else normalize_name(match.group())
        yield _Value(match.start(), match.group(), frozenset({key}))


def _stated(doc: LinkDoc, span: Span, found: Analysis | None) -> dict[ClaimField, list[_Value]]:
    return {
        ClaimField.PLACE: list(_places(doc, span, found)),
        ClaimField.TIME: list(_times(span, found)),
        ClaimField.FIGURE: list(_figures(span, found)),
        ClaimField.ACTOR: list(_actors(doc, span)),
    }


def _words(values: list[_Value]) -> str:
    """The values as written, in text order, each once."""
    seen: dict[str, None] = {}
    for value in sorted(values, key=lambda v: v.start):
        seen.setdefault(value.text)
    return "; ".join(seen)


class MutationFinder:
    """Compares the claims of a link's two spans, reading each document's findings."""

    def __init__(self, findings: Findings) -> None:
        self.findings = findings

    def __call__(
        self, origin: LinkDoc, origin_span: Span, derived: LinkDoc, derived_span: Span
    ) -> tuple[ClaimChange, ...]:
        """The fields the derived span states differently from the origin span."""
        before = _stated(origin, origin_span, self.findings(origin.id))
        after = _stated(derived, derived_span, self.findings(derived.id))
        changes = []
        for name in ClaimField:
            known = frozenset().union(*(v.keys for v in before[name]))
            if any(value.keys.isdisjoint(known) for value in after[name]):
                changes.append(ClaimChange(name, _words(before[name]), _words(after[name])))
        return tuple(changes)
