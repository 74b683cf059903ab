"""Confirming reuse between two documents and aligning the reused stretches exactly.

Shared runs of :data:`SEED_WORDS` words are the evidence (in the reference case they
found every copied quote where whole-sentence similarity missed half). Each run is
grown to its full length and runs are laid greedily, longest first, so no word is used
twice (greedy string tiling, as in studies of agency copy on the METER corpus). Runs
split only by a small edit (a word changed, added or dropped) are joined into one
near-verbatim stretch, and each stretch is grown over small edits at its ends by
aligning the words around it (rapidfuzz).

Stretches never cross the edge of a quote, so each quote is linked on its own, apart
from the narration copied around it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise

from rapidfuzz.distance import Indel, LCSseq

SEED_WORDS = 8
SMALL_GAP_WORDS = 3  # joined whatever the words in the gap
EDIT_GAP_WORDS = 12  # joined when the two gaps are still alike (an edited phrase)
ALIKE_GAPS = 0.5  # Indel similarity of the two gaps' words
# A run of words that recurs this often in one document is boilerplate there (a
# repeated sign-off, a list): it cannot tell which copy of itself was taken.
MAX_REPEATS = 4

Pos = tuple[int, int]  # a word index in each document


@dataclass(frozen=True, slots=True)
class Tile:
    """Words ``a .. a + size`` of one document equal words ``b .. b + size`` of the other."""

    a: int
    b: int
    size: int


@dataclass(frozen=True, slots=True)
class Segment:
    """Aligned stretches (word indexes, end exclusive) and the similarity of their words."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float = 1.0


def tiles(a: Sequence[str], b: Sequence[str], seed: int = SEED_WORDS) -> list[Tile]:
    """Maximal shared runs of at least ``seed`` words, longest first, none overlapping."""
    positions: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(b) - seed + 1):
        positions.setdefault(tuple(b[j : j + seed]), []).append(j)
    runs = []
    for i in range(len(a) - seed + 1):
        found = positions.get(tuple(a[i : i + seed]))
        if not found or len(found) > MAX_REPEATS:
            continue
        for j in found:
            if i and j and a[i - 1] == b[j - 1]:
                continue  # inside a run that starts earlier
            size = seed
            while i + size < len(a) and j + size < len(b) and a[i + size] == b[j + size]:
                size += 1
            runs.append(Tile(i, j, size))
    runs.sort(key=lambda t: (-t.size, t.a, t.b))
    used_a: set[int] = set()
    used_b: set[int] = set()
    laid = []
    for run in runs:
        # A run that overlaps one laid before keeps its longest stretch still free.
        free = [k for k in range(run.size) if run.a + k not in used_a and run.b + k not in used_b]
        stretches = groupby(enumerate(free), key=lambda pair: pair[1] - pair[0])
        best = max(([k for _, k in group] for _, group in stretches), key=len, default=[])
        if len(best) >= seed:
            kept = Tile(run.a + best[0], run.b + best[0], len(best))
            used_a.update(range(kept.a, kept.a + kept.size))
            used_b.update(range(kept.b, kept.b + kept.size))
            laid.append(kept)
    return sorted(laid, key=lambda t: t.a)


class Side:
    """One document's words and the word ranges (end exclusive) of its quotes."""

    def __init__(self, words: Sequence[str], quotes: Sequence[tuple[int, int]] = ()) -> None:
        self.words = words
        self.quotes = quotes
        self.cuts = sorted({i for quote in quotes for i in quote})

    def area(self, index: int) -> int:
        """Which stretch between quote edges word ``index`` stands in."""
        return bisect_right(self.cuts, index)

    def quoted(self, start: int, end: int) -> bool:
        return any(q_start <= start and end <= q_end for q_start, q_end in self.quotes)

    def room(self, start: int, end: int, taken: Sequence[tuple[int, int]]) -> tuple[int, int]:
        """How far the stretch ``start..end`` may grow each way: never past a quote's edge
        or a ``taken`` stretch, nor more than :data:`EDIT_GAP_WORDS`."""
        before = [0, start - EDIT_GAP_WORDS, *(c for c in self.cuts if c <= start)]
        after = [len(self.words), end + EDIT_GAP_WORDS, *(c for c in self.cuts if c >= end)]
        before += [t_end for _, t_end in taken if t_end <= start]
        after += [t_start for t_start, _ in taken if t_start >= end]
        return max(before), min(after)


def _split(tile: Tile, a: Side, b: Side) -> list[Tile]:
    """``tile`` cut wherever either side enters or leaves a quote."""
    inner = {c - tile.a for c in a.cuts if tile.a < c < tile.a + tile.size}
    inner |= {c - tile.b for c in b.cuts if tile.b < c < tile.b + tile.size}
    bounds = [0, *sorted(inner), tile.size]
    return [Tile(tile.a + s, tile.b + s, e - s) for s, e in pairwise(bounds)]


def _joins(a: Side, b: Side, left: Segment, right: Tile) -> bool:
    gap_a, gap_b = right.a - left.a_end, right.b - left.b_end
    if min(gap_a, gap_b) < 0:
        return False
    if a.area(left.a_end - 1) != a.area(right.a) or b.area(left.b_end - 1) != b.area(right.b):
        return False  # a quote begins or ends between them
    if max(gap_a, gap_b) <= SMALL_GAP_WORDS:
        return True
    gaps = a.words[left.a_end : right.a], b.words[left.b_end : right.b]
    return max(gap_a, gap_b) <= EDIT_GAP_WORDS and Indel.normalized_similarity(*gaps) >= ALIKE_GAPS


def _grow(a: Sequence[str], b: Sequence[str], at: Pos, limit: Pos, step: int) -> Pos:
    """How far a stretch ending (``step`` 1) or starting (``step`` -1) at word ``at`` of
    each side grows, up to ``limit``: over runs of two or more equal words each at most
    :data:`SMALL_GAP_WORDS` beyond the last, as aligning the words between finds them."""
    if step > 0:
        window_a, window_b = a[at[0] : limit[0]], b[at[1] : limit[1]]
    else:
        window_a, window_b = a[limit[0] : at[0]][::-1], b[limit[1] : at[1]][::-1]
    reach = (0, 0)
    for block in LCSseq.opcodes(window_a, window_b):
        if block.tag != "equal":
            continue
        if max(block.src_start - reach[0], block.dest_start - reach[1]) > SMALL_GAP_WORDS:
            break
        if block.src_end - block.src_start >= 2:
            reach = (block.src_end, block.dest_end)
    return at[0] + step * reach[0], at[1] + step * reach[1]


def segments(a: Side, b: Side) -> list[Segment]:
    """The reused stretches between two documents' words, in ``a``'s order.

    A stretch shorter than :data:`SEED_WORDS` words (narration left between two quotes,
    a word run on past a quote's end) is linked only when it is a quote on both sides.
    """
    joined: list[Segment] = []
    for tile in (piece for t in tiles(a.words, b.words) for piece in _split(t, a, b)):
        if joined and _joins(a, b, joined[-1], tile):
            last = joined[-1]
            joined[-1] = Segment(last.a_start, tile.a + tile.size, last.b_start, tile.b + tile.size)
        else:
            joined.append(Segment(tile.a, tile.a + tile.size, tile.b, tile.b + tile.size))
    found = []
    for index, s in enumerate(joined):
        others = [*joined[:index], *joined[index + 1 :]]
        floor_a, ceiling_a = a.room(s.a_start, s.a_end, [(t.a_start, t.a_end) for t in others])
        floor_b, ceiling_b = b.room(s.b_start, s.b_end, [(t.b_start, t.b_end) for t in others])
        a_start, b_start = _grow(a.words, b.words, (s.a_start, s.b_start), (floor_a, floor_b), -1)
        a_end, b_end = _grow(a.words, b.words, (s.a_end, s.b_end), (ceiling_a, ceiling_b), 1)
        quoted = a.quoted(a_start, a_end) and b.quoted(b_start, b_end)
        if a_end - a_start < SEED_WORDS and not quoted:
            continue
        similarity = Indel.normalized_similarity(a.words[a_start:a_end], b.words[b_start:b_end])
        found.append(Segment(a_start, a_end, b_start, b_end, similarity))
    return found
