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
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newstrace.link.corroboration import describe_edge
from newstrace.records import (
    ClaimCluster,
    ClaimKind,
    ClaimMember,
    DirectionBasis,
    FigureDisagreement,
    Grade,
    Span,
)
from newstrace.store import DocumentStore
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.store.schema import ClaimClusterRow
from newstrace.web.events import EVENT_PREFIX
from newstrace.web.graph import EdgeIn, Graph, NodeIn, layout
from newstrace.web.ledger import DocumentSummary, number, summaries_by_id
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
class ClaimRow:
    """A row of the claims list: the cluster without its members (read from its columns)."""

    key: str
    kind: ClaimKind
    summary: str
    grade: Grade
    documents: int
    origins: int

    @classmethod
    def of(cls, cluster: ClaimCluster) -> ClaimRow:
        return cls(
            cluster.key,
            cluster.kind,
            cluster.summary,
            cluster.grade,
            len(cluster.documents),
            cluster.origins,
        )


@dataclass(frozen=True, slots=True)
class ClaimList:
    rows: list[ClaimRow]
    grades: Counter[Grade]  # every cluster's grade, whatever the filter
    grade: Grade | None
    page: int = 1
    pages: int = 1
    clusters: list[ClaimCluster] = field(default_factory=list)  # in full, for the report


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
    """Every cluster (of ``grade``) in full, those several documents share first."""
    every = ClaimStore(store.engine).clusters()
    chosen = [c for c in every if grade is None or c.grade is grade]
    chosen.sort(key=lambda c: (-len(c.documents), c.key))
    rows = [ClaimRow.of(c) for c in chosen]
    return ClaimList(rows, Counter(c.grade for c in every), grade, clusters=chosen)


def grade_counts(store: DocumentStore) -> Counter[Grade]:
    """How many clusters have each grade, counted in the database."""
    with Session(store.engine) as session:
        rows = session.execute(
            select(ClaimClusterRow.grade, func.count()).group_by(ClaimClusterRow.grade)
        ).all()
    return Counter({Grade(grade): n for grade, n in rows})


def claim_rows(
    store: DocumentStore, grade: Grade | None, offset: int, limit: int
) -> list[ClaimRow]:
    """Rows of the claims list (of ``grade``) in its order, ``limit`` from ``offset``, read
    from the clusters' columns (an index holds the order: migration 0008)."""
    c = ClaimClusterRow
    query = select(c.key, c.kind, c.summary, c.grade, c.documents, c.origins)
    if grade is not None:
        query = query.where(c.grade == grade.value)
    query = query.order_by(c.documents.desc(), c.key).offset(offset).limit(limit)
    with Session(store.engine) as session:
        found = session.execute(query).all()
    return [
        ClaimRow(key, ClaimKind(kind), summary, Grade(value), documents, origins)
        for key, kind, summary, value, documents, origins in found
    ]


def claim_view(store: DocumentStore, cluster: ClaimCluster, anchors: Anchors) -> ClaimView:
    """``cluster`` with its items' anchors (``anchors`` may serve many clusters)."""
    return ClaimView(
        cluster,
        tuple(MemberView(m, anchors.of(m.evidence.span)) for m in cluster.members),
        summaries_by_id(store, cluster.documents),
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
