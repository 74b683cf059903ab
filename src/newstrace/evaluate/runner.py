"""Run newstrace and the chosen baselines over one dataset file and score them alike."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Generic, TypeVar

from newstrace.analysis import analyze_text
from newstrace.evaluate.baselines import BASELINE_FIELDS, FirstNumber, OracleGazetteer, Textacy
from newstrace.evaluate.datasets import (
    ArticleGold,
    AttributionDoc,
    EvalError,
    IncidentGold,
    read_acled,
    read_fakes,
    read_gtd,
    read_polnear,
)
from newstrace.evaluate.incidents import Field, acled_fields, fakes_fields, gtd_fields, score_rows
from newstrace.evaluate.places import PlaceJudge
from newstrace.evaluate.polnear import (
    FoundAttribution,
    attributions_from_analysis,
    score_attributions,
)
from newstrace.evaluate.predictions import (
    IncidentPrediction,
    article_from_analysis,
    incident_from_analysis,
)
from newstrace.evaluate.reference import (
    ReferenceCase,
    ReferencePrediction,
    ReuseLink,
    found_from_analysis,
    load_reference,
    outlets,
    score_reference,
)
from newstrace.evaluate.scoring import FieldScore, Miss, Tally, worst_misses
from newstrace.gazetteer.lookup import Gazetteer
from newstrace.link import LinkDoc, Linker
from newstrace.link.mutation import MutationFinder
from newstrace.link.paraphrase import EmbeddingParaphrases
from newstrace.records import DirectionBasis, DocumentReuse

KINDS = ("reference", "gtd", "acled", "polnear", "fakes")
BASELINES = {
    "reference": (Textacy.name,),
    "gtd": (FirstNumber.name, OracleGazetteer.name),
    "acled": (FirstNumber.name, OracleGazetteer.name),
    "polnear": (Textacy.name,),
    "fakes": (FirstNumber.name,),
}
NEWSTRACE = "newstrace"

T = TypeVar("T")
P = TypeVar("P")
Scorer = Callable[[Sequence[T], Sequence[P]], tuple[dict[str, Tally], list[Miss]]]
Tracker = Callable[[str, int], Callable[[], None]]  # (system, items) -> advance by one


def _untracked(_: str, __: int) -> Callable[[], None]:
    return lambda: None


@dataclass(slots=True)
class System(Generic[T, P]):
    """A way of answering each gold item; a baseline is reported on its own fields only."""

    name: str
    predict: Callable[[T], P]
    fields: frozenset[str] | None = None
    notes: Callable[[], list[str]] = list


@dataclass(slots=True)
class SystemResult:
    name: str
    scores: dict[str, FieldScore]
    misses: list[Miss]
    seconds: float
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class EvalResult:
    """One run: newstrace first, then each baseline, over the same rows."""

    kind: str
    path: str
    rows: int
    systems: list[SystemResult]
    gazetteer: str
    ran_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat("T", "seconds"))

    @property
    def newstrace(self) -> SystemResult:
        return self.systems[0]

    def as_json(self, misses: int) -> dict[str, object]:
        """The ``--json`` object: stable top-level keys, then what helps tracking."""
        return {
            "kind": self.kind,
            "path": self.path,
            "rows": self.rows,
            "scores": {k: v.as_json() for k, v in self.newstrace.scores.items()},
            "baselines": {
                s.name: {k: v.as_json() for k, v in s.scores.items()} for s in self.systems[1:]
            },
            "misses": [m.as_json() for m in worst_misses(self.newstrace.misses, misses)],
            "seconds": {s.name: round(s.seconds, 2) for s in self.systems},
            "notes": {s.name: s.notes for s in self.systems if s.notes},
            "gazetteer": self.gazetteer,
            "ran_at": self.ran_at,
        }


def _evaluate(
    items: Sequence[T], systems: Sequence[System[T, P]], score: Scorer[T, P], tracker: Tracker
) -> list[SystemResult]:
    results = []
    for system in systems:
        advance = tracker(system.name, len(items))
        started = time.perf_counter()
        predictions = []
        for item in items:
            predictions.append(system.predict(item))
            advance()
        seconds = time.perf_counter() - started
        tallies, misses = score(items, predictions)
        if system.fields is not None:
            tallies = {k: v for k, v in tallies.items() if k in system.fields}
            misses = [m for m in misses if m.field in system.fields]
        scores = {name: tally.score() for name, tally in tallies.items()}
        results.append(SystemResult(system.name, scores, misses, seconds, system.notes()))
    return results


def _chosen(kind: str, baselines: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(baselines))
    if "all" in wanted:
        return list(BASELINES[kind])
    unknown = [name for name in wanted if name not in BASELINES[kind]]
    if unknown:
        raise EvalError(
            f"baseline {', '.join(unknown)} does not apply to {kind} "
            f"(choose from {', '.join(BASELINES[kind])} or all)"
        )
    return wanted


def _incident_scorer(
    fields: Sequence[Field[IncidentGold]],
) -> Scorer[IncidentGold, IncidentPrediction]:
    return lambda golds, found: score_rows(golds, found, fields)


def _incident_systems(
    judge: PlaceJudge, chosen: Sequence[str]
) -> list[System[IncidentGold, IncidentPrediction]]:
    systems: list[System[IncidentGold, IncidentPrediction]] = [
        System(
            NEWSTRACE,
            lambda g: incident_from_analysis(analyze_text(g.text, published=g.published)),
        )
    ]
    for name in chosen:
        baseline = FirstNumber(judge) if name == FirstNumber.name else OracleGazetteer(judge)
        systems.append(System(name, baseline, BASELINE_FIELDS[name]))
    return systems


def _run_gtd_or_acled(
    kind: str,
    path: Path,
    limit: int | None,
    judge: PlaceJudge,
    chosen: Sequence[str],
    tracker: Tracker,
) -> tuple[int, list[SystemResult]]:
    reader, fields = (read_gtd, gtd_fields) if kind == "gtd" else (read_acled, acled_fields)
    golds = list(islice(reader(path), limit))
    systems = _incident_systems(judge, chosen)
    return len(golds), _evaluate(golds, systems, _incident_scorer(fields(judge)), tracker)


def _run_fakes(
    path: Path, limit: int | None, judge: PlaceJudge, chosen: Sequence[str], tracker: Tracker
) -> tuple[int, list[SystemResult]]:
    articles = list(islice(read_fakes(path), limit))
    systems: list[System[ArticleGold, IncidentPrediction]] = [
        System(
            NEWSTRACE,
            lambda a: article_from_analysis(
                analyze_text(a.text, published=a.published, known_outlets=[a.outlet or ""])
            ),
        )
    ]
    if FirstNumber.name in chosen:
        systems.append(
            System(FirstNumber.name, FirstNumber(judge), BASELINE_FIELDS[FirstNumber.name])
        )
    fields = fakes_fields(judge)
    return len(articles), _evaluate(
        articles, systems, lambda g, f: score_rows(g, f, fields), tracker
    )


def _run_polnear(
    path: Path, limit: int | None, chosen: Sequence[str], tracker: Tracker
) -> tuple[int, list[SystemResult]]:
    docs = list(islice(read_polnear(path), limit))
    systems: list[System[AttributionDoc, Sequence[FoundAttribution]]] = [
        System(
            NEWSTRACE,
            lambda d: attributions_from_analysis(analyze_text(d.text, published=d.published)),
        )
    ]
    if Textacy.name in chosen:
        textacy = Textacy()
        systems.append(
            System(
                Textacy.name,
                lambda d: textacy.attributions(d.text),
                BASELINE_FIELDS[Textacy.name],
                textacy.notes,
            )
        )
    return len(docs), _evaluate(docs, systems, score_attributions, tracker)


def scorable_links(found: Iterable[DocumentReuse]) -> tuple[ReuseLink, ...]:
    """Links as the reference scorer takes them: only those whose direction something
    decided (an undetermined one states no derived side), with both speaker
    descriptions where the attribution drifted."""
    return tuple(
        ReuseLink(
            link.derived,
            link.origin,
            link.drift.derived_speaker if link.drift else None,
            link.drift.origin_speaker if link.drift else None,
            tuple(m.field.value for m in link.mutations),
        )
        for reuse in found
        if reuse.direction is not DirectionBasis.UNDETERMINED
        for link in reuse.links
    )


def newstrace_reference(case: ReferenceCase) -> ReferencePrediction:
    """newstrace on the two seed articles: each analysed, then linked one after the
    other as the store links them."""
    known = outlets(case)
    analyses = {
        doc.id: analyze_text(doc.text, doc.index, doc.published, known) for doc in case.docs
    }
    docs = {
        doc.index: LinkDoc(
            doc.index, doc.text, doc.outlet, doc.published, quotes=analyses[doc.id].quotes
        )
        for doc in case.docs
    }
    analysed = {doc.index: analyses[doc.id] for doc in case.docs}.get
    linker = Linker(docs.get, None, EmbeddingParaphrases(analysed), MutationFinder(analysed))
    found = [reuse for index in sorted(docs) for reuse in linker.link(docs[index]).reuse]
    return ReferencePrediction(
        {doc.id: found_from_analysis(analyses[doc.id]) for doc in case.docs},
        scorable_links(found),
    )


def _run_reference(
    path: Path, judge: PlaceJudge, chosen: Sequence[str], tracker: Tracker
) -> tuple[int, list[SystemResult]]:
    case = load_reference(path)
    systems: list[System[ReferenceCase, ReferencePrediction]] = [
        System(NEWSTRACE, newstrace_reference)
    ]
    if Textacy.name in chosen:
        textacy = Textacy()
        systems.append(
            System(
                Textacy.name,
                lambda c: ReferencePrediction(
                    {d.id: textacy.reference_doc(d.text) for d in c.docs}
                ),
                BASELINE_FIELDS[Textacy.name],
                textacy.notes,
            )
        )
    results = _evaluate(
        [case], systems, lambda cases, found: score_reference(cases[0], found[0], judge), tracker
    )
    return len(case.docs), results


def run_eval(
    kind: str,
    path: Path,
    *,
    gazetteer: Gazetteer,
    limit: int | None = None,
    baselines: Iterable[str] = (),
    tracker: Tracker = _untracked,
) -> EvalResult:
    """Score newstrace and ``baselines`` (names, or ``all``) on ``path`` in ``kind``'s layout."""
    if kind not in KINDS:
        raise EvalError(f"unknown dataset kind {kind!r} (choose from {', '.join(KINDS)})")
    chosen = _chosen(kind, baselines)
    judge = PlaceJudge(gazetteer)
    if kind == "reference":
        rows, results = _run_reference(path, judge, chosen, tracker)
    elif kind == "polnear":
        rows, results = _run_polnear(path, limit, chosen, tracker)
    elif kind == "fakes":
        rows, results = _run_fakes(path, limit, judge, chosen, tracker)
    else:
        rows, results = _run_gtd_or_acled(kind, path, limit, judge, chosen, tracker)
    return EvalResult(
        kind, str(path), rows, results, gazetteer.meta.get("sources", str(gazetteer.path))
    )
