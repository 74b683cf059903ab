"""The claims views' read model: clusters from the claim store, each item tied to the
reader's anchor for its words.

A claim member rests on a quote's words or an event's sentence; a figure disagreement
on an event's sentence. The reader anchors quotes (``q-3``) and events (``e-2``), so each
span is looked up among its document's findings and linked there (to the document when
no finding holds exactly those characters).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from newstrace.link.corroboration import describe_edge
from newstrace.records import (
    ClaimCluster,
    ClaimMember,
    DirectionBasis,
    FigureDisagreement,
    Grade,
    Span,
)
from newstrace.store import DocumentStore
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.web.events import EVENT_PREFIX
from newstrace.web.graph import EdgeIn, Graph, NodeIn, layout
from newstrace.web.ledger import DocumentSummary, document_summaries, number
from newstrace.web.pages import published
from newstrace.web.speakers import quotes_by_id

GRADES = tuple(Grade)
GRADES_BY_NAME = {grade.name.lower(): grade for grade in Grade}  # ?grade=confirmed


class Anchors:
    """The reader's anchor of each quote's words and each event's sentence, per document."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._by_doc: dict[int, dict[tuple[int, int], str]] = {}

    def of(self, span: Span) -> str:
        """The anchor of exactly these characters ('' when no finding holds them)."""
        if span.doc_id not in self._by_doc:
            self._by_doc[span.doc_id] = self._read(span.doc_id)
        return self._by_doc[span.doc_id].get((span.start, span.end), "")

    def _read(self, doc_id: int) -> dict[tuple[int, int], str]:
        found: dict[tuple[int, int], str] = {}
        events = FindingStore(self.store.engine).events(doc_id)
        for n, event in enumerate(events, start=1):
            found.setdefault(
                (event.sentence.span.start, event.sentence.span.end), f"{EVENT_PREFIX}-{n}"
            )
        for ref in quotes_by_id(self.store, [doc_id]).values():
            span = ref.quote.content.span
            found[(span.start, span.end)] = ref.anchor
        return found


@dataclass(frozen=True, slots=True)
class MemberView:
    member: ClaimMember
    anchor: str


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One document's toll in a disagreement, with the anchor of its sentence."""

    doc_id: int
    outlet: str | None
    published: str
    words: str
    value: str
    source: str
    anchor: str


@dataclass(frozen=True, slots=True)
class DisagreementView:
    harm: str
    compatible: bool
    rows: tuple[FigureRow, ...]


@dataclass(frozen=True, slots=True)
class ClaimView:
    cluster: ClaimCluster
    members: tuple[MemberView, ...]
    documents: dict[int, DocumentSummary]
    disagreements: tuple[DisagreementView, ...]


@dataclass(frozen=True, slots=True)
class ClaimList:
    clusters: list[ClaimCluster]
    grades: Counter[Grade]  # every cluster's grade, whatever the filter
    grade: Grade | None


def _bounds(low: float | None, best: float | None, high: float | None) -> str:
    value = number(best)
    if low is not None and high is not None and low != high:
        value += f" ({number(low)} to {number(high)})"
    return value


def _disagreement(found: FigureDisagreement, anchors: Anchors) -> DisagreementView:
    return DisagreementView(
        found.harm.value,
        found.compatible,
        tuple(
            FigureRow(
                doc_id=v.doc_id,
                outlet=v.outlet,
                published=published(v.published),
                words=v.figure.mention.text,
                value=_bounds(v.figure.low, v.figure.best, v.figure.high),
                source=v.source.name,
                anchor=anchors.of(v.sentence.span),
            )
            for v in found.values
        ),
    )


def claim_list(store: DocumentStore, grade: Grade | None) -> ClaimList:
    """Clusters (of ``grade``), those several documents share first."""
    every = ClaimStore(store.engine).clusters()
    chosen = [c for c in every if grade is None or c.grade is grade]
    chosen.sort(key=lambda c: (-len(c.documents), c.key))
    return ClaimList(chosen, Counter(c.grade for c in every), grade)


def claim_view(store: DocumentStore, cluster: ClaimCluster, anchors: Anchors) -> ClaimView:
    """``cluster`` with its items' anchors (``anchors`` may serve many clusters)."""
    return ClaimView(
        cluster,
        tuple(MemberView(m, anchors.of(m.evidence.span)) for m in cluster.members),
        {d.id: d for d in document_summaries(store, ids=cluster.documents)},
        tuple(_disagreement(d, anchors) for d in cluster.disagreements),
    )


def find_claim(store: DocumentStore, key: str) -> ClaimView | None:
    """The cluster ``key`` as the claim page shows it, or ``None`` for an unknown key."""
    cluster = ClaimStore(store.engine).cluster(key)
    return claim_view(store, cluster, Anchors(store)) if cluster is not None else None


def graph(view: ClaimView, link: Callable[[int], str]) -> Graph:
    """The claim's provenance: a box per document (outlet, date), an arrow per copy."""
    nodes = [
        NodeIn(
            doc_id,
            (d.outlet if d else None) or "unknown outlet",
            f"{published(d.published) if d else 'unknown'} · document {doc_id}",
            link(doc_id),
        )
        for doc_id in view.cluster.documents
        for d in [view.documents.get(doc_id)]
    ]
    edges = [
        EdgeIn(
            e.origin_doc,
            e.derived_doc,
            e.direction is not DirectionBasis.UNDETERMINED,
            describe_edge(e),
        )
        for e in view.cluster.edges
    ]
    return layout(nodes, edges)
