"""What a copy changed: who the quote is attributed to, and how much of it is kept.

A description is split into the person's name, their role (the speaker noun and its
rank: "senior officer"), their affiliation (the other words: "provincial police",
"army") and any anonymity marker, and each part is compared on its own, so the report
says *what* changed rather than only that the wording did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newstrace.extract.lexicon import PERSON_NOUNS
from newstrace.link.text import Words
from newstrace.records import (
    AttributionDrift,
    Change,
    DriftAspect,
    QuoteChange,
    QuoteEdit,
    Speaker,
    SpeakerKind,
)

_DESCRIPTION_WORD = re.compile(r"\w+(?:[-‐‑]\w+)*")
_JOINABLE_GAP = re.compile(r"[\s,;:()–—-]*")
# Words of a description that say nothing about the speaker.
_FILLER = frozenset("a an the of from in at with for on and or who which that is was".split())
RANK_WORDS = frozenset(
    """senior high-ranking high-level top junior low-level low-ranking mid-level former
    retired deputy chief leading veteran acting""".split()
)
# One name for role nouns that differ only in wording.
ROLE_SYNONYMS = {
    "mp": "lawmaker",
    "parliamentarian": "lawmaker",
    "legislator": "lawmaker",
    "spokesman": "spokesperson",
    "spokeswoman": "spokesperson",
    "advisor": "adviser",
}


def describe(speaker: Speaker, text: str) -> str:
    """The speaker as the document describes them: the (resolved) mention with its
    description and anonymity phrase, adjacent pieces kept as written."""
    pieces = sorted(
        {m.span: m for m in (speaker.resolved or speaker.mention, speaker.anonymity) if m}.values(),
        key=lambda m: m.span.start,
    )
    parts: list[str] = []
    end = -1
    for piece in pieces:
        gap = text[end : piece.span.start] if end >= 0 else None
        if gap is not None and _JOINABLE_GAP.fullmatch(gap):
            parts[-1] += gap + piece.text
        else:
            parts.append(piece.text)
        end = piece.span.end
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class _Profile:
    name: tuple[str, ...]
    role: tuple[str, ...]
    affiliation: tuple[str, ...]
    named: bool
    anonymity: str


def _role_key(word: str) -> str | None:
    folded = word.casefold()
    singular = folded[:-1] if folded.endswith("s") and folded[:-1] in PERSON_NOUNS else folded
    if singular in PERSON_NOUNS or folded in RANK_WORDS:
        return ROLE_SYNONYMS.get(singular, singular)
    return None


def _profile(speaker: Speaker) -> _Profile:
    named = speaker.kind is SpeakerKind.NAMED_PERSON
    said = speaker.resolved or speaker.mention
    words = _DESCRIPTION_WORD.findall(said.text) if said else []
    described = (
        set(_DESCRIPTION_WORD.findall(speaker.description.text))
        if named and speaker.description
        else set()
    )
    role: list[str] = []
    affiliation: list[str] = []
    name: list[str] = []
    for word in words:
        if word.casefold() in _FILLER:
            continue
        if _role_key(word):
            role.append(word)
        elif named and word not in described:
            name.append(word)
        else:
            affiliation.append(word)
    return _Profile(
        tuple(name),
        tuple(role),
        tuple(affiliation),
        named,
        speaker.anonymity.text if speaker.anonymity else "",
    )


def _keys(words: Sequence[str], role: bool = False) -> frozenset[str]:
    return frozenset((_role_key(w) or w) if role else w.casefold() for w in words)


def _changes(origin: _Profile, derived: _Profile) -> list[Change]:
    changes = []

    def changed(aspect: DriftAspect, o: Sequence[str], d: Sequence[str]) -> None:
        changes.append(Change(aspect, " ".join(o), " ".join(d)))

    if origin.named != derived.named:
        changed(DriftAspect.NAMED, origin.name or ["unnamed"], derived.name or ["unnamed"])
    elif origin.named:
        a, b = _keys(origin.name), _keys(derived.name)
        if not (a <= b or b <= a):
            changed(DriftAspect.NAME, origin.name, derived.name)
    if _keys(origin.role, role=True) != _keys(derived.role, role=True):
        changed(DriftAspect.ROLE, origin.role, derived.role)
    if _keys(origin.affiliation) != _keys(derived.affiliation):
        changed(DriftAspect.AFFILIATION, origin.affiliation, derived.affiliation)
    if bool(origin.anonymity) != bool(derived.anonymity):
        changed(DriftAspect.ANONYMITY, [origin.anonymity], [derived.anonymity])
    return changes


def attribution_drift(
    origin: Speaker, origin_text: str, derived: Speaker, derived_text: str
) -> AttributionDrift | None:
    """How the derived copy re-describes the quote's speaker, or None when it does not
    (or when either side does not say who speaks). Two names of one known actor or outlet
    ("ISIS", "the Islamic State") are the same speaker."""
    if SpeakerKind.UNKNOWN in (origin.kind, derived.kind):
        return None
    if origin.canonical and origin.canonical == derived.canonical:
        return None
    changes = _changes(_profile(origin), _profile(derived))
    if not changes:
        return None
    return AttributionDrift(
        describe(origin, origin_text), describe(derived, derived_text), tuple(changes)
    )


def extra_words(words: Words, text: str, quote: tuple[int, int], aligned: set[int]) -> str:
    """The quote's words at its two ends that the other document lacks.

    ``aligned``: indexes of the words the other document also has. Only the ends count,
    so a quote split around an inserted attribution is neither cut nor extended.
    """
    first, stop = words.within(*quote)
    inside = [i for i in range(first, stop) if i in aligned]
    if not inside:
        return ""
    ends = ((first, inside[0]), (inside[-1] + 1, stop))
    return " … ".join(text[words.starts[a] : words.ends[b - 1]] for a, b in ends if b > a)


def quote_edit(dropped: str, added: str) -> QuoteEdit | None:
    """Whether the derived copy of a quote is cut short (``dropped``: the origin's words it
    lacks) or runs on (``added``: its words the origin lacks)."""
    if dropped and added:
        return QuoteEdit(QuoteChange.RECUT, dropped, added)
    if dropped:
        return QuoteEdit(QuoteChange.TRUNCATED, dropped, "")
    if added:
        return QuoteEdit(QuoteChange.EXTENDED, "", added)
    return None


def most_overlapping(spans: Sequence[tuple[int, int]], start: int, end: int) -> int | None:
    """Index of the span among ``spans`` that overlaps characters ``start..end`` most."""
    best, best_overlap = None, 0
    for index, (s_start, s_end) in enumerate(spans):
        overlap = min(end, s_end) - max(start, s_start)
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    return best
