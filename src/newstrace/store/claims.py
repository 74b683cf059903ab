"""Claim clusters in the store: replaced as a whole after each linking run.

Claims are a view of the whole corpus (adding one article can join two clusters), so
they are recomputed and written in one transaction rather than patched. Readers get
typed :class:`~newstrace.records.ClaimCluster` records:

- ``ClaimStore(engine).clusters(grade=None, doc_id=None)``: every cluster, or those of
  one grade, or those a document takes part in, in key order;
- ``ClaimStore(engine).cluster(key)``: one cluster by its key (``None`` if unknown).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from newstrace.records import (
    ClaimCluster,
    ClaimKind,
    ClaimMember,
    ClaimSource,
    DatePrecision,
    DirectionBasis,
    FigureClass,
    FigureDisagreement,
    FigureValue,
    Grade,
    Mention,
    PartialDate,
    ProvenanceEdge,
    ReuseKind,
    Span,
    SpeakerKind,
)
from newstrace.store.findings import event_from_row, event_row, figure_fields, figure_from
from newstrace.store.retry import retrying
from newstrace.store.schema import (
    ClaimClusterRow,
    ClaimMemberRow,
    EventRow,
    ReuseLinkedRow,
    StatementVectorRow,
)

REBUILD_LOCK = 0x636C616D  # PostgreSQL advisory lock key while claims are rebuilt: "clam"
LOOKUP_CHUNK = 500  # hashes per query: well under every database's bound-parameter limit
_EVENT_COLUMNS = ("event_type", "sub_event_type", "actor1", "actor2", "claimed_by", "is_tally")


def _words(mention: Mention) -> list[Any]:
    return [mention.text, mention.span.doc_id, mention.span.start, mention.span.end]


def _words_of(value: list[Any]) -> Mention:
    return Mention(str(value[0]), Span(int(value[1]), int(value[2]), int(value[3])))


def _source(source: ClaimSource) -> list[str]:
    return [source.name, source.kind.value, source.key]


def _source_of(value: list[str]) -> ClaimSource:
    return ClaimSource(value[0], SpeakerKind(value[1]), value[2])


def _member(member: ClaimMember) -> dict[str, Any]:
    found: dict[str, Any] = {
        "kind": member.kind.value,
        "evidence": _words(member.evidence),
        "source": _source(member.source),
    }
    if member.event is not None:
        row = event_row(member.event, member.evidence.span.doc_id)
        found["event"] = {name: getattr(row, name) for name in _EVENT_COLUMNS}
        found["event"]["detail"] = row.detail
    return found


def _member_of(data: dict[str, Any]) -> ClaimMember:
    evidence = _words_of(data["evidence"])
    stored = data.get("event")
    event = event_from_row(EventRow(document_id=evidence.span.doc_id, **stored)) if stored else None
    return ClaimMember(ClaimKind(data["kind"]), evidence, _source_of(data["source"]), event)


def _date(date: PartialDate | None) -> list[str] | None:
    return [date.value.isoformat(), date.precision.value] if date else None


def _date_of(value: list[str] | None) -> PartialDate | None:
    if not value:
        return None
    return PartialDate(dt.date.fromisoformat(value[0]), DatePrecision(value[1]))


def _value(value: FigureValue) -> dict[str, Any]:
    return {
        "doc_id": value.doc_id,
        "outlet": value.outlet,
        "published": _date(value.published),
        "figure": figure_fields(value.figure),
        "sentence": _words(value.sentence),
        "source": _source(value.source),
    }


def _value_of(data: dict[str, Any], harm: FigureClass) -> FigureValue:
    doc_id = int(data["doc_id"])
    return FigureValue(
        doc_id,
        data["outlet"],
        _date_of(data["published"]),
        harm,
        figure_from(doc_id, data["figure"]),
        _words_of(data["sentence"]),
        _source_of(data["source"]),
    )


def _detail(cluster: ClaimCluster) -> dict[str, Any]:
    return {
        "members": [_member(m) for m in cluster.members],
        "edges": [
            [e.origin_doc, e.derived_doc, e.direction.value, e.kind.value, list(e.notes)]
            for e in cluster.edges
        ],
        "disagreements": [
            {
                "harm": d.harm.value,
                "compatible": d.compatible,
                "values": [_value(v) for v in d.values],
            }
            for d in cluster.disagreements
        ],
    }


def _cluster_of(row: ClaimClusterRow) -> ClaimCluster:
    detail = row.detail
    return ClaimCluster(
        key=row.key,
        kind=ClaimKind(row.kind),
        summary=row.summary,
        members=tuple(_member_of(m) for m in detail["members"]),
        edges=tuple(
            ProvenanceEdge(int(o), int(d), DirectionBasis(b), ReuseKind(k), tuple(notes))
            for o, d, b, k, notes in detail["edges"]
        ),
        origins=row.origins,
        grade=Grade(row.grade),
        evidence=row.evidence,
        disagreements=tuple(
            FigureDisagreement(
                FigureClass(d["harm"]),
                tuple(_value_of(v, FigureClass(d["harm"])) for v in d["values"]),
                bool(d["compatible"]),
            )
            for d in detail["disagreements"]
        ),
    )


class ClaimStore:
    """Reads and writes of claim clusters; shares the document store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @retrying
    def replace(self, clusters: Sequence[ClaimCluster]) -> None:
        """Write ``clusters`` in place of every stored one, in one transaction.

        On PostgreSQL two processes rebuilding at once take turns (an advisory lock held
        to the end of the transaction): otherwise each deletes only the rows committed
        before it began and both insert the same keys. SQLite has one writer anyway."""
        built_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with Session(self.engine) as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REBUILD_LOCK})
            session.execute(delete(ClaimMemberRow))
            session.execute(delete(ClaimClusterRow))
            for cluster in clusters:
                session.add(
                    ClaimClusterRow(
                        key=cluster.key,
                        kind=cluster.kind.value,
                        grade=cluster.grade.value,
                        summary=cluster.summary,
                        documents=len(cluster.documents),
                        origins=cluster.origins,
                        evidence=cluster.evidence,
                        detail=_detail(cluster),
                        built_at=built_at,
                    )
                )
            session.flush()
            session.add_all(
                ClaimMemberRow(
                    cluster_key=cluster.key,
                    document_id=member.evidence.span.doc_id,
                    span_start=member.evidence.span.start,
                    span_end=member.evidence.span.end,
                )
                for cluster in clusters
                for member in cluster.members
            )

    def clusters(self, grade: Grade | None = None, doc_id: int | None = None) -> list[ClaimCluster]:
        """Every cluster (of ``grade``, with a member in ``doc_id``), in key order."""
        query = select(ClaimClusterRow).order_by(ClaimClusterRow.key)
        if grade is not None:
            query = query.where(ClaimClusterRow.grade == grade.value)
        if doc_id is not None:
            keys = select(ClaimMemberRow.cluster_key).where(ClaimMemberRow.document_id == doc_id)
            query = query.where(ClaimClusterRow.key.in_(keys))
        with Session(self.engine) as session:
            return [_cluster_of(row) for row in session.scalars(query)]

    def cluster(self, key: str) -> ClaimCluster | None:
        """The cluster with ``key``, or ``None``."""
        with Session(self.engine) as session:
            row = session.get(ClaimClusterRow, key)
            return _cluster_of(row) if row is not None else None

    def current(self) -> bool:
        """Whether the stored clusters were built after the last document was linked (and
        so after its findings were stored): an interrupted run leaves them stale."""
        with Session(self.engine) as session:
            built = session.scalar(select(func.max(ClaimClusterRow.built_at)))
            linked = session.scalar(select(func.max(ReuseLinkedRow.linked_at)))
        return built is not None and (linked is None or built >= linked)

    def count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(ClaimClusterRow)) or 0


class StatementVectors:
    """Statement embeddings of one model by the hash of the statement's words: the
    :class:`~newstrace.link.similarity.VectorCache` claims rebuilds read and fill."""

    def __init__(self, engine: Engine, model: str) -> None:
        self.engine = engine
        self.model = model

    def vectors(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The kept vectors of those of ``keys`` seen before."""
        found: dict[str, bytes] = {}
        with Session(self.engine) as session:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                rows = session.execute(
                    select(StatementVectorRow.text_hash, StatementVectorRow.vector)
                    .where(StatementVectorRow.model == self.model)
                    .where(StatementVectorRow.text_hash.in_(keys[start : start + LOOKUP_CHUNK]))
                )
                found.update((key, vector) for key, vector in rows)
        return found

    @retrying
    def add(self, vectors: Mapping[str, bytes]) -> None:
        """Keep new vectors; one another process kept meanwhile stays as it is."""
        if not vectors:
            return
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        rows = [{"model": self.model, "text_hash": k, "vector": v} for k, v in vectors.items()]
        with Session(self.engine) as session, session.begin():
            for start in range(0, len(rows), LOOKUP_CHUNK):
                session.execute(
                    insert(StatementVectorRow).on_conflict_do_nothing(),
                    rows[start : start + LOOKUP_CHUNK],
                )
