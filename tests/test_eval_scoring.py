"""The evaluation arithmetic: ratios, intervals, distances, span matching, miss ranking."""

from __future__ import annotations

import pytest

from newstrace.evaluate.scoring import (
    Miss,
    Tally,
    covers_half,
    length,
    match_one_to_one,
    overlap,
    worst_misses,
)
from newstrace.gazetteer.geo import haversine_km


def test_perfect_empty_and_partial_accuracy() -> None:
    perfect, empty, partial = Tally(), Tally(), Tally()
    for ok in (True, True, True, True):
        perfect.hit(ok)
        empty.hit(False)
    for ok in (True, False, True, True):
        partial.hit(ok)
    assert perfect.score().value == 1.0
    assert empty.score().value == 0.0
    score = partial.score()
    assert (score.n, score.correct, score.value) == (4, 3, 0.75)


def test_ratio_of_sums_over_units() -> None:
    """F1 as 2·TP / (found + gold) summed over articles, not averaged per article."""
    f1 = Tally()
    f1.add(2 * 1, 2 + 2)  # one article: 1 true positive, 2 found, 2 gold
    f1.add(2 * 3, 3 + 5)  # another: 3 of 3 found right, 5 gold
    assert f1.score().value == pytest.approx(8 / 12)


def test_nothing_to_score_has_no_value() -> None:
    score = Tally().score()
    assert (score.n, score.value, score.low, score.high) == (0, None, None, None)
    assert score.as_json() == {"n": 0, "correct": 0, "value": None, "ci95": None}


def test_bootstrap_interval_is_fixed_and_brackets_the_value() -> None:
    def tally() -> Tally:
        t = Tally()
        for i in range(60):
            t.hit(i % 3 != 0)
        return t

    first, second = tally().score(), tally().score()
    assert (first.low, first.high) == (second.low, second.high)  # fixed seed
    assert first.low is not None and first.high is not None
    assert first.low < 2 / 3 < first.high
    assert first.low >= 0.0 and first.high <= 1.0
    constant = Tally()
    for _ in range(10):
        constant.hit(True)
    assert (constant.score().low, constant.score().high) == (1.0, 1.0)


def test_haversine() -> None:
    assert haversine_km(33.0, 44.0, 33.0, 44.0) == 0.0
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.2, abs=0.1)
    # Baghdad to Mosul, about 350 km as the crow flies.
    assert haversine_km(33.3406, 44.4009, 36.335, 43.1189) == pytest.approx(352, abs=5)


def test_span_overlap_counts_each_character_once() -> None:
    assert length([(0, 10), (5, 15)]) == 15
    assert overlap([(0, 10)], [(5, 20)]) == 5
    assert overlap([(0, 4), (10, 14)], [(2, 12)]) == 4  # discontinuous gold content


def test_half_of_the_gold_characters_rule() -> None:
    assert covers_half([(0, 10)], [(5, 30)])  # exactly half
    assert not covers_half([(0, 10)], [(6, 30)])
    assert covers_half([(0, 4), (10, 14)], [(2, 12)])  # 4 of 8
    assert not covers_half([], [(0, 5)])


def test_one_to_one_matching_credits_each_found_span_once() -> None:
    gold = [[(0, 10)], [(12, 20)], [(40, 50)]]
    found = [[(0, 20)], [(12, 19)]]
    # found[0] covers both gold 0 and 1; gold 1 is better served by found[1].
    assert match_one_to_one(gold, found) == {0: 0, 1: 1}
    assert match_one_to_one(gold, [[(0, 20)]]) == {0: 0}


def test_worst_misses_take_turns_between_fields() -> None:
    misses = [Miss("a", str(i), "t", "g", "p", severity=i) for i in range(5)]
    misses += [Miss("b", "x", "t", "g", "p", severity=0.5)]
    worst = worst_misses(misses, 3)
    assert [(m.field, m.item) for m in worst] == [("a", "4"), ("b", "x"), ("a", "3")]
