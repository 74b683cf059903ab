"""Quotes: newstrace vs textacy's ``direct_quotations``, precision / recall / F1 on gold.

Both systems read the same texts, through the eval harness's own adapters:

* **reference**: the two seed articles (``expected.json``, 18 gold quotes, direct and
  indirect). A gold quote is found when a found quote covers at least half of its
  characters (``covers_half``, the reference matching rule); precision is the share of
  found quotes that cover half of some gold quote, recall the share of gold quotes found,
  F1 their harmonic mean. The analyst's list is what counts as a quote: a real quote
  the analyst left out counts against precision.
* **PolNeAR** dev articles, through ``run_eval`` (content spans, one to one, half of the
  gold characters; F1 ``2·matched / (found + gold)`` over all articles).

textacy finds direct quotations only and refuses a text with an odd number of quote
marks (scored as finding nothing), which is what it would do for a user too. The table
goes to docs/benchmarks.md and, as a kept section, to docs/accuracy.md.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, Results, finish, machine_info, markdown_table, parser
from newstrace.evaluate.accuracy import with_kept_section
from newstrace.evaluate.baselines import Textacy
from newstrace.evaluate.datasets import DEFAULT_PATHS, EvalError
from newstrace.evaluate.reference import ReferenceCase, ReferencePrediction, load_reference
from newstrace.evaluate.runner import NEWSTRACE, newstrace_reference, run_eval
from newstrace.evaluate.scoring import Interval, covers_half
from newstrace.gazetteer.lookup import Gazetteer

QUICK_SIZE = 15  # PolNeAR articles; the reference case always runs whole
ACCURACY = ROOT / "docs" / "accuracy.md"
SECTION = "quotes-vs-textacy"
HEADER = ("corpus", "system", "found", "gold", "precision", "recall", "F1", "time")


@dataclass(frozen=True, slots=True)
class Score:
    """One system on one corpus: counts, the three measures, and how long it took."""

    corpus: str
    system: str
    found: int
    gold: int
    precision: float
    recall: float
    f1: float
    seconds: float

    def row(self) -> tuple[str, ...]:
        shares = (f"{100 * v:.1f}%" for v in (self.precision, self.recall, self.f1))
        counts = (str(self.found), str(self.gold))
        return (self.corpus, self.system, *counts, *shares, f"{self.seconds:.1f} s")

    def figures(self) -> dict[str, float]:
        prefix = f"{self.corpus.split()[0].casefold()}_{self.system}"
        measures = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        return {f"{prefix}_{name}": round(value, 4) for name, value in measures.items()}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _gold_spans(case: ReferenceCase, kinds: frozenset[str]) -> dict[str, list[Interval]]:
    spans: dict[str, list[Interval]] = {doc.id: [] for doc in case.docs}
    for gold in case.data["quotes"]:
        if gold["kind"] in kinds:
            spans[gold["doc"]].append(case.span_of(gold["doc"], gold["text"]))
    return spans


def _reference_score(
    system: str, case: ReferenceCase, found: ReferencePrediction, seconds: float
) -> tuple[Score, float]:
    """The score on every gold quote, and the recall on direct ones only (textacy's scope)."""
    gold = _gold_spans(case, frozenset({"direct", "indirect"}))
    direct = _gold_spans(case, frozenset({"direct"}))

    def recall(spans: dict[str, list[Interval]]) -> tuple[int, int]:
        hits = sum(
            any(covers_half([g], [q.content]) for q in found.docs[doc].quotes)
            for doc, golds in spans.items()
            for g in golds
        )
        return hits, sum(map(len, spans.values()))

    quotes = [(doc, q.content) for doc, found_doc in found.docs.items() for q in found_doc.quotes]
    right = sum(any(covers_half([g], [content]) for g in gold[doc]) for doc, content in quotes)
    hits, total = recall(gold)
    precision, all_recall = _share(right, len(quotes)), _share(hits, total)
    score = Score(
        "reference",
        system,
        len(quotes),
        total,
        precision,
        all_recall,
        _f1(precision, all_recall),
        seconds,
    )
    return score, _share(*recall(direct))


def _timed(predict: Callable[[], ReferencePrediction]) -> tuple[ReferencePrediction, float]:
    started = time.perf_counter()
    found = predict()
    return found, time.perf_counter() - started


def reference(path: Path) -> tuple[list[Score], list[str]]:
    """Both systems on the seed articles; notes: direct-only recall and textacy refusals."""
    case = load_reference(path)
    textacy = Textacy()
    runs = {
        NEWSTRACE: _timed(lambda: newstrace_reference(case)),
        Textacy.name: _timed(
            lambda: ReferencePrediction(
                {doc.id: textacy.reference_doc(doc.text) for doc in case.docs}
            )
        ),
    }
    scores, direct = [], []
    for system, (found, seconds) in runs.items():
        score, direct_recall = _reference_score(system, case, found, seconds)
        scores.append(score)
        direct.append(f"{system} {100 * direct_recall:.1f}%")
    notes = [
        "Reference, recall on the direct gold quotes only (textacy's scope): "
        + ", ".join(direct)
        + ".",
        *(f"Reference: {note}." for note in textacy.notes()),
    ]
    return scores, notes


def polnear(path: Path, limit: int | None) -> tuple[list[Score], list[str]]:
    """Both systems on PolNeAR through the eval harness (its reader, scorer and timing)."""
    with Gazetteer.configured() as gazetteer:  # run_eval wants one; PolNeAR never asks it
        result = run_eval("polnear", path, gazetteer=gazetteer, limit=limit, baselines=["textacy"])
    corpus = f"PolNeAR dev ({result.rows} articles)"
    scores = []
    for system in result.systems:
        precision, recall = system.scores["content_precision"], system.scores["content_recall"]
        scores.append(
            Score(
                corpus,
                system.name,
                precision.n,
                recall.n,
                precision.value or 0.0,
                recall.value or 0.0,
                system.scores["content_f1"].value or 0.0,
                system.seconds,
            )
        )
    notes = [f"PolNeAR ({s.name}): {note}." for s in result.systems for note in s.notes]
    return scores, notes


def accuracy_section(results: Results, when: str) -> str:
    """The kept section of docs/accuracy.md: the table, how it was matched, and when."""
    return "\n".join(
        [
            "## Quotes: newstrace vs textacy",
            "",
            f"Written by `bench/quotes_vs_textacy.py` ({when}); `make eval` keeps it as it "
            "is. Both systems read the same texts. PolNeAR: the eval harness's content "
            "scores (one to one, half of the gold characters). textacy finds direct "
            "quotations only.",
            "",
            *markdown_table(results.header, results.rows),
            "",
            *(f"{note}\n" for note in results.notes),
        ]
    )


def main() -> int:
    options = parser(__doc__, "--polnear-articles", None, QUICK_SIZE, "PolNeAR articles")
    args = options.parse_args()
    info = machine_info()
    limit = QUICK_SIZE if args.quick else args.size
    try:
        reference_scores, reference_notes = reference(ROOT / DEFAULT_PATHS["reference"])
        polnear_scores, polnear_notes = polnear(ROOT / DEFAULT_PATHS["polnear"], limit)
    except EvalError as exc:  # textacy not installed, or the shared data missing
        print(f"quotes_vs_textacy: {exc}", file=sys.stderr)
        return 2
    scores = reference_scores + polnear_scores
    results = Results(
        title="Quotes: newstrace vs textacy direct_quotations",
        section="quotes, newstrace vs textacy (reference case, PolNeAR dev)",
        header=HEADER,
        rows=[s.row() for s in scores],
        figures={name: value for s in scores for name, value in s.figures().items()},
        notes=(
            "Reference precision: the share of found quotes that cover half of some gold "
            "quote (a real quote the analyst did not list counts against it); recall: the "
            f"share of the {reference_scores[0].gold} gold quotes (direct and indirect) half "
            "covered by a found one. Times include each system's first model load.",
            *reference_notes,
            *polnear_notes,
        ),
    )
    finish(args, results, info)
    if not (args.quick or args.no_record):
        page = ACCURACY.read_text(encoding="utf-8")
        when = f"last run {dt.date.today().isoformat()}, commit {info['commit']}"
        section = accuracy_section(results, when)
        ACCURACY.write_text(with_kept_section(page, SECTION, section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
