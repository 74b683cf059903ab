"""Counting, confidence intervals and the small measures every scorer shares.

Every score is a ratio of sums over *units* (a row, an article): accuracy is hits over
rows, precision true positives over predictions, F1 ``2·TP / (predicted + gold)``. One
representation serves them all, and the bootstrap resamples units, so an interval says
how much the figure would move on another sample of articles from the same source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest

import numpy as np

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240116  # fixed: the same data gives the same interval on every run

Interval = tuple[int, int]  # character offsets [start, end)


@dataclass(slots=True)
class Tally:
    """Per-unit ``(correct, total)`` counts of one field."""

    units: list[tuple[int, int]] = field(default_factory=list)

    def add(self, correct: int, total: int) -> None:
        self.units.append((correct, total))

    def hit(self, ok: bool) -> None:
        """One unit scored right or wrong."""
        self.add(int(ok), 1)

    @property
    def n(self) -> int:
        return sum(total for _, total in self.units)

    @property
    def correct(self) -> int:
        return sum(correct for correct, _ in self.units)

    def score(self) -> FieldScore:
        n = self.n
        value = self.correct / n if n else None
        low, high = self._interval() if n else (None, None)
        return FieldScore(n, self.correct, value, low, high)

    def _interval(self) -> tuple[float, float]:
        """95% percentile bootstrap interval of the ratio of sums, units resampled."""
        counts = np.array(self.units, dtype=float)
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        picks = rng.integers(0, len(counts), size=(BOOTSTRAP_RESAMPLES, len(counts)))
        correct = counts[picks, 0].sum(axis=1)
        total = counts[picks, 1].sum(axis=1)
        ratios = np.divide(correct, total, out=np.zeros_like(correct), where=total > 0)
        low, high = np.percentile(ratios, [2.5, 97.5])
        return float(low), float(high)


@dataclass(frozen=True, slots=True)
class FieldScore:
    """What a field scored: ``value`` is ``None`` when there was nothing to score."""

    n: int
    correct: int
    value: float | None
    low: float | None = None
    high: float | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "correct": self.correct,
            "value": _rounded(self.value),
            "ci95": [_rounded(self.low), _rounded(self.high)] if self.low is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FieldScore:
        interval = data.get("ci95")
        low, high = interval if isinstance(interval, list) else (None, None)
        value = data.get("value")
        return cls(
            n=int(str(data["n"])),
            correct=int(str(data["correct"])),
            value=float(value) if isinstance(value, int | float) else None,
            low=float(low) if isinstance(low, int | float) else None,
            high=float(high) if isinstance(high, int | float) else None,
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True, slots=True)
class Miss:
    """One wrong answer, with enough context for a developer to see why.

    ``severity`` orders misses within a field (km off, count difference; 1 otherwise).
    """

    field: str
    item: str
    text: str
    gold: str
    predicted: str
    severity: float = 1.0

    def as_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "item": self.item,
            "text": self.text,
            "gold": self.gold,
            "predicted": self.predicted,
            "severity": round(self.severity, 3),
        }


def worst_misses(misses: Iterable[Miss], limit: int) -> list[Miss]:
    """The ``limit`` worst misses, taken in turn from each field so every field shows."""
    by_field: dict[str, list[Miss]] = {}
    for miss in misses:
        by_field.setdefault(miss.field, []).append(miss)
    ranked = [sorted(group, key=lambda m: -m.severity) for group in by_field.values()]
    interleaved = [m for row in zip_longest(*ranked) for m in row if m is not None]
    return interleaved[:limit]


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same characters."""
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def length(intervals: Sequence[Interval]) -> int:
    """Characters covered by ``intervals`` (overlaps counted once)."""
    return sum(end - start for start, end in merged(intervals))


def overlap(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    """Characters covered by both sets of intervals."""
    total = 0
    for start_a, end_a in merged(a):
        for start_b, end_b in merged(b):
            total += max(0, min(end_a, end_b) - max(start_a, start_b))
    return total


def covers_half(gold: Sequence[Interval], found: Sequence[Interval]) -> bool:
    """The matching rule for spans: ``found`` covers at least half of ``gold``'s characters."""
    size = length(gold)
    return size > 0 and 2 * overlap(gold, found) >= size


def match_one_to_one(
    gold: Sequence[Sequence[Interval]], found: Sequence[Sequence[Interval]]
) -> dict[int, int]:
    """Pair gold and found spans one to one (gold index -> found index).

    A pair qualifies by :func:`covers_half`; pairs are taken largest overlap first, so a
    found span is credited once, to the gold span it covers most.
    """
    pairs = sorted(
        (
            (overlap(g, f), gi, fi)
            for gi, g in enumerate(gold)
            for fi, f in enumerate(found)
            if covers_half(g, f)
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _, gi, fi in pairs:
        if gi not in matched and fi not in used:
            matched[gi] = fi
            used.add(fi)
    return matched


def clip(text: str, limit: int = 240) -> str:
    """``text`` on one line, cut to ``limit`` characters for tables and miss lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
