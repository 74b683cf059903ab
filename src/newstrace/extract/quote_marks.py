"""Finding quoted passages by their quotation marks, robust to real-world formatting.

Handles curly, straight, guillemet and low-9 double marks, typographic single marks,
apostrophes inside words, quotes that run over several paragraphs with an opening mark
on each, and unbalanced marks: an opening mark that is never closed ends its passage at
the paragraph end (flagged ``closed=False``) and the rest of the document still parses.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from newstrace.nlp.layout import paragraph_bounds

OPENING_DOUBLE = "“„«‟"
CLOSING_DOUBLE = "”»"
STRAIGHT_DOUBLE = '"'
OPENING_SINGLE = "‘‹"
CLOSING_SINGLE = "’›"
STRAIGHT_SINGLE = "'"
_OPEN_CONTEXT = " \t\n([{—–-/:;,>*_"  # what may stand before an opening mark
_SINGLE_MARKS = frozenset(OPENING_SINGLE + CLOSING_SINGLE + STRAIGHT_SINGLE)
MAX_SINGLE_QUOTE_CHARS = 400  # single marks double as apostrophes: keep their passages short


@dataclass(frozen=True, slots=True)
class QuotedPassage:
    """Characters inside the marks (``start``..``end``), and the marks' outer bounds."""

    start: int
    end: int
    outer_start: int
    outer_end: int
    closed: bool


def _role(text: str, i: int, double: bool, inside: bool = False) -> str:
    """'open', 'close' or 'none' for the mark at ``i``, from the mark and its neighbours.

    ``inside`` says whether a double-quoted passage is open: a straight mark then closes.
    """
    char = text[i]
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if double:
        if char in OPENING_DOUBLE:
            return "open"
        if char in CLOSING_DOUBLE:
            # A closing mark used as an opening one ("”Text" after a space).
            return "open" if not inside and before.isspace() and not after.isspace() else "close"
        if inside:
            return "close"
        return "open" if not after.isspace() else "none"
    # Single marks: an apostrophe between letters (don't, Iraq’s) is never a quote mark.
    if before.isalnum() and after.isalnum():
        return "none"
    if char in OPENING_SINGLE or (char == STRAIGHT_SINGLE and (before in _OPEN_CONTEXT or i == 0)):
        return "open" if after.isalnum() or after in '[(“"' else "none"
    if char in CLOSING_SINGLE or char == STRAIGHT_SINGLE:
        return "close" if not before.isspace() and not after.isalnum() else "none"
    return "none"


def _scan_double(text: str, paragraphs: list[tuple[int, int]]) -> list[QuotedPassage]:
    marks = set(OPENING_DOUBLE + CLOSING_DOUBLE + STRAIGHT_DOUBLE)
    passages: list[QuotedPassage] = []
    open_at: int | None = None  # index of the opening mark of the passage under way
    for index, (p_start, p_end) in enumerate(paragraphs):
        continuing = open_at is not None
        for i in range(p_start, p_end):
            if text[i] not in marks:
                continue
            role = _role(text, i, double=True, inside=open_at is not None)
            if continuing and i == _first_visible(text, p_start, p_end):
                continuing = False  # the repeated opening mark of a continued quote
                continue
            continuing = False
            if role == "open" and open_at is None:
                open_at = i
            elif role == "close" and open_at is not None:
                passages.append(QuotedPassage(open_at + 1, i, open_at, i + 1, True))
                open_at = None
        if open_at is not None and not _next_paragraph_opens(text, paragraphs, index):
            end = p_end
            passages.append(QuotedPassage(open_at + 1, end, open_at, end, False))
            open_at = None
    return passages


def _first_visible(text: str, start: int, end: int) -> int:
    for i in range(start, end):
        if not text[i].isspace():
            return i
    return end


def _next_paragraph_opens(text: str, paragraphs: list[tuple[int, int]], index: int) -> bool:
    """A quote that runs on: the next paragraph starts with an opening mark."""
    if index + 1 >= len(paragraphs):
        return False
    start, end = paragraphs[index + 1]
    first = _first_visible(text, start, end)
    return first < end and text[first] in OPENING_DOUBLE + STRAIGHT_DOUBLE


def _scan_single(text: str, paragraphs: list[tuple[int, int]]) -> list[QuotedPassage]:
    passages: list[QuotedPassage] = []
    for p_start, p_end in paragraphs:
        open_at: int | None = None
        for i in range(p_start, p_end):
            if text[i] not in _SINGLE_MARKS:
                continue
            role = _role(text, i, double=False)
            if role == "open" and open_at is None:
                open_at = i
            elif role == "close" and open_at is not None:
                if i - open_at <= MAX_SINGLE_QUOTE_CHARS:
                    passages.append(QuotedPassage(open_at + 1, i, open_at, i + 1, True))
                open_at = None
    return passages


def _inside(doubles: list[QuotedPassage], position: int) -> bool:
    """Whether ``position`` lies within the marks of one of ``doubles`` (which follow one
    another without overlapping): a binary search, so a text of thousands of quotes stays
    linear."""
    index = bisect_right(doubles, position, key=lambda d: d.outer_start) - 1
    return index >= 0 and position < doubles[index].outer_end


def find_quoted_passages(text: str) -> list[QuotedPassage]:
    """All quoted passages in ``text``, outermost only, in document order."""
    paragraphs = paragraph_bounds(text)
    doubles = _scan_double(text, paragraphs)
    singles = [s for s in _scan_single(text, paragraphs) if not _inside(doubles, s.outer_start)]
    passages = sorted(doubles + singles, key=lambda p: p.start)
    return [p for p in passages if p.end > p.start and text[p.start : p.end].strip()]
