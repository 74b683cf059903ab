"""Runs of number words in a parse, and the amount each run states.

A run is what a reader takes as one number: ``35,000``, ``1.5 million``, ``thirteen``,
``two hundred and fifty``, ``a dozen``, ``dozens``, ``tens of thousands``, ``several
hundred``. Spelled-out integers are read by text2num; plural counting words are kept as
bounds (text2num would read "thousands" as 1000). Digit groups of no single known style
(``1.000.000``, ``10 000``, ``1.000``) are kept as a problem, never read as a value: the same string
means a million in one country and one in another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from text_to_num import text2num

from newstrace.extract.figure_lexicon import (
    NEEDS_OF,
    SCALE_WORDS,
    VAGUE_AMOUNTS,
    VAGUE_MODIFIERS,
)

_PLAIN_DIGITS = re.compile(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_POINT_OR_GROUP = re.compile(r"\d{1,3}\.\d{3}")  # "1.000": a decimal point or a thousands dot
_DIGIT_LIKE = re.compile(r"\d[\d,.]*")
_SPACE_GROUP = re.compile(r"\d{3}")
_ARTICLES = frozenset({"a", "an"})
_HYPHENS = frozenset({"-", "‐"})


@dataclass(frozen=True, slots=True)
class Amount:
    """What a run states: ``low == high`` for one value, bounds for a vague plural."""

    low: float | None = None
    high: float | None = None
    vague: bool = False
    problem: str = ""  # why the words state no number

    @property
    def value(self) -> float | None:
        return self.low if not self.vague and self.low == self.high else None


def _words_value(words: Sequence[str]) -> float | None:
    """Spelled-out or digit-and-scale words as one number, or None when they are not one."""
    if not words:
        return None
    head, rest = words[0], list(words[1:])
    if head == "half" and rest[:1] and rest[0] in _ARTICLES:
        scale = _words_value(rest[1:])
        return None if scale is None else 0.5 * scale
    if words[-1] == "dozen":
        count = _words_value(words[:-1]) if len(words) > 1 else 1.0
        return None if count is None else 12 * count
    if _PLAIN_DIGITS.fullmatch(head):
        number = float(head.replace(",", ""))
        scale = _words_value(rest) if rest else 1.0
        return None if scale is None else number * scale
    spelled = ["one" if w in _ARTICLES else w for w in words if w not in _HYPHENS]
    try:
        return float(text2num(" ".join(spelled), "en"))
    except ValueError:
        return None


def read_amount(words: Sequence[str]) -> Amount:
    """The amount lower-cased ``words`` (one run) state."""
    words = [w for w in words if w]
    if not words:
        return Amount(problem="no number")
    digit_tokens = [w for w in words if _DIGIT_LIKE.fullmatch(w)]
    if len(digit_tokens) > 1 or (
        digit_tokens
        and (
            not _PLAIN_DIGITS.fullmatch(digit_tokens[0])
            or _POINT_OR_GROUP.fullmatch(digit_tokens[0])
        )
    ):
        return Amount(problem=f"digit grouping of no single style: {' '.join(digit_tokens)}")
    plural = _vague_plural(words)
    if plural is not None:
        return plural
    value = _words_value(words)
    if value is None:
        return Amount(problem=f"not a number: {' '.join(words)}")
    return Amount(value, value)


def _vague_plural(words: Sequence[str]) -> Amount | None:
    """'dozens', 'tens of thousands', 'several hundred', 'a few dozen' as bounds."""
    rest = [w for w in words if w not in _ARTICLES]
    if rest and rest[0] in VAGUE_MODIFIERS and len(rest) > 1:
        rest = [SCALE_WORDS.get(rest[1], rest[1]), *rest[2:]]
    if not rest or rest[0] not in VAGUE_AMOUNTS:
        return None
    base = VAGUE_AMOUNTS[rest[0]]
    multiplier = 1
    for joiner, scale in zip(rest[1::2], rest[2::2], strict=False):
        plural = SCALE_WORDS.get(scale, scale)
        if joiner != "of" or plural not in VAGUE_AMOUNTS:
            return None
        multiplier *= VAGUE_AMOUNTS[plural].unit
    if len(rest) % 2 == 0:  # a trailing "of" belongs to what follows, not to the amount
        return None
    return Amount(base.low * multiplier, (base.high + 1) * multiplier - 1, vague=True)


# --- Runs in a parse -------------------------------------------------------------------------


def is_number(token: Token) -> bool:
    """A token that is, or is part of, a number (not an ordinal: 'first' is like_num too)."""
    lower = token.lower_
    if lower in NEEDS_OF:
        return token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "of"
    if lower in VAGUE_AMOUNTS or lower in SCALE_WORDS:
        return True
    if token.ent_type_ == "ORDINAL" or token.like_url:
        return False
    return token.tag_ == "CD" and (token.like_num or bool(_DIGIT_LIKE.fullmatch(lower)))


def _leads_to_scale(doc: Doc, i: int) -> bool:
    """'a' / 'half a' / 'several' / 'a few' immediately before a counting word."""
    j = i
    while j < len(doc) and doc[j].lower_ in _ARTICLES | VAGUE_MODIFIERS | {"half"}:
        j += 1
    return j > i and j < len(doc) and doc[j].lower_ in SCALE_WORDS | VAGUE_AMOUNTS.keys()


def _joins(doc: Doc, j: int) -> bool:
    """Whether token ``j`` continues the run that ends at ``j - 1``."""
    token, before = doc[j], doc[j - 1]
    if is_number(token):
        before_digits = bool(_DIGIT_LIKE.fullmatch(before.lower_))
        if _DIGIT_LIKE.fullmatch(token.lower_):
            # "10 000": a space-grouped thousand is part of the same (ill-formed) run
            return (
                before_digits
                and before.whitespace_ == " "
                and bool(_SPACE_GROUP.fullmatch(token.lower_))
            )
        return token.lower_ in SCALE_WORDS if before_digits else True  # "1.5 million"
    if j + 1 >= len(doc) or not is_number(doc[j + 1]):
        return False
    after = doc[j + 1]
    if token.lower_ in _HYPHENS:  # twenty-five (a hyphen between digits is a range)
        return not before.whitespace_ and not token.whitespace_ and not before.is_digit
    if token.lower_ == "and":  # two hundred and fifty
        return before.lower_ in SCALE_WORDS and not after.is_digit
    if token.lower_ == "of":  # tens of thousands
        return before.lower_ in VAGUE_AMOUNTS and after.lower_ in VAGUE_AMOUNTS
    return False


def run_at(doc: Doc, i: int) -> int:
    """End (exclusive) of the number run starting at token ``i``; ``i`` when none starts there."""
    if not (is_number(doc[i]) or _leads_to_scale(doc, i)):
        return i
    j = i + 1
    while j < len(doc) and (
        _joins(doc, j) or (doc[j - 1].lower_ in _ARTICLES | VAGUE_MODIFIERS | {"half"})
    ):
        j += 1
    return j


def run_words(doc: Doc, start: int, end: int) -> list[str]:
    """The lower-cased words of a run, as :func:`read_amount` reads them."""
    return [t.lower_ for t in doc[start:end]]
