"""Article text split at finding boundaries, for rendering findings in place.

Findings may overlap or nest (a speaker inside a quote, a place inside a speaker's
description, two quotes sharing words). The text is cut at every boundary and the
highlights opened and closed around the pieces so elements always nest: a highlight
that crosses another is closed and reopened, and only its first piece carries the
finding's id. Pieces are plain strings for the template to escape: no markup is
ever built here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal


@dataclass(frozen=True, slots=True)
class Highlight:
    """Characters ``start``..``end`` of the text shown as part of finding ``finding``.

    ``finding`` is the anchor id every piece shares (``q-3``); ``role`` says which part of
    the finding the characters are ("quote", "speaker", "hedge", "place" ...), ``variant``
    a finer class (the speaker kind) and ``label`` the tooltip.
    """

    start: int
    end: int
    finding: str
    role: str
    variant: str = ""
    label: str = ""
    anchor: bool = True  # whether the first piece carries ``finding`` as its element id


@dataclass(frozen=True, slots=True)
class Token:
    """One step of the rendered text: open a highlight, a piece of text, or close one."""

    tag: Literal["open", "text", "close"]
    text: str = ""
    highlight: Highlight | None = None
    first: bool = False  # the highlight's first piece (the one that carries its id)


_CLOSE = Token("close")


def _order(h: Highlight) -> tuple[int, int, str, str]:
    """Longer highlights open first so they enclose shorter ones; ties by finding id."""
    return (h.start, -h.end, h.finding, h.role)


def tokens(text: str, highlights: Iterable[Highlight]) -> list[Token]:
    """``text`` as properly nested open/text/close tokens; spans outside the text are dropped."""
    pending = sorted(
        {h for h in highlights if 0 <= h.start < h.end <= len(text)}, key=_order, reverse=True
    )
    bounds = sorted({0, len(text)} | {h.start for h in pending} | {h.end for h in pending})
    out: list[Token] = []
    stack: list[Highlight] = []
    opened: set[Highlight] = set()
    for pos, nxt in pairwise(bounds):
        ending = [i for i, h in enumerate(stack) if h.end <= pos]
        reopen: list[Highlight] = []
        if ending:
            # Close down to the lowest element that ends here, then reopen the survivors.
            low = ending[0]
            out.extend(_CLOSE for _ in stack[low:])
            reopen = [h for h in stack[low:] if h.end > pos]
            del stack[low:]
        while pending and pending[-1].start == pos:
            reopen.append(pending.pop())
        for h in sorted(reopen, key=lambda h: -h.end):  # stable: earlier opens stay outside
            out.append(Token("open", highlight=h, first=h not in opened))
            opened.add(h)
            stack.append(h)
        out.append(Token("text", text=text[pos:nxt]))
    out.extend(_CLOSE for _ in stack)
    return out
