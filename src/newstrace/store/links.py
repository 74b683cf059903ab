"""Reuse links in the store, and the linking state they are rebuilt from.

A document is linked once per analysis: when it is analysed again (its quotes may have
changed), or when the linker's version changes, it is linked again. Its passages, and
every pair it takes part in, are replaced in one transaction, so an interrupted run
loses at most the document under way.

One process links at a time (:func:`one_linker`): a linker compares each document with
every document linked before it, and reads which those are once, when it starts, so two
linking at once would each miss the other's documents.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import Engine, Select, delete, func, insert, or_, select, text, true
from sqlalchemy.orm import Session

from newstrace.records import (
    Analysis,
    AttributionDrift,
    Change,
    ClaimChange,
    ClaimField,
    DirectionBasis,
    DirectionReason,
    DocumentReuse,
    DriftAspect,
    Mention,
    Passage,
    QuoteChange,
    QuoteEdit,
    Relation,
    ReuseKind,
    ReuseLink,
    Span,
)
from newstrace.store.database import StoreError
from newstrace.store.documents import lock_document
from newstrace.store.findings import FindingStore
from newstrace.store.retry import retrying
from newstrace.store.schema import (
    AnalysisRow,
    ClaimEmbeddingRow,
    ReuseLinkedRow,
    ReuseLinkRow,
    ReusePairRow,
    ReusePassageRow,
)

LINK_LOCK = 0x6C696E6B  # PostgreSQL advisory lock key while a process links: "link"
LINK_WAIT_S = 600.0  # how long a second linker waits for the first before giving up
LOCK_POLL_S = 0.2


class LinkerBusy(StoreError):
    """Another process kept linking the ledger for longer than a linker waits."""


def _busy(wait_s: float) -> LinkerBusy:
    return LinkerBusy(
        f"another process has been linking this ledger for over {wait_s:g} s; what this run "
        "analysed is stored: run the same command again later to link it"
    )


@contextmanager
def _advisory_lock(engine: Engine, wait_s: float) -> Iterator[None]:
    """PostgreSQL: a session advisory lock on a connection of its own (no transaction
    stays open while it is held); the server drops it with the connection."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        deadline = time.monotonic() + wait_s
        while not conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LINK_LOCK}):
            if time.monotonic() >= deadline:
                raise _busy(wait_s)
            time.sleep(LOCK_POLL_S)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LINK_LOCK})


@contextmanager
def _file_lock(path: str, wait_s: float) -> Iterator[None]:
    """SQLite: ``flock`` on a file next to the database (never a soft lock, which a killed
    process would leave behind); the kernel drops it with the process."""
    lock = FileLock(f"{path}.link-lock", fallback_to_soft=False)
    try:
        lock.acquire(timeout=wait_s, poll_interval=LOCK_POLL_S)
    except Timeout:
        raise _busy(wait_s) from None
    try:
        yield
    finally:
        lock.release()


def one_linker(engine: Engine, wait_s: float | None = None) -> AbstractContextManager[None]:
    """Hold the ledger's linking lock for the block, waiting for another linker at most
    ``wait_s`` (default :data:`LINK_WAIT_S`), then :class:`LinkerBusy`. An in-memory
    SQLite database has one process: nothing to lock."""
    wait = LINK_WAIT_S if wait_s is None else wait_s
    if engine.dialect.name == "postgresql":
        return _advisory_lock(engine, wait)
    path = engine.url.database
    return _file_lock(path, wait) if path and path != ":memory:" else nullcontext()


def _reason_json(reason: DirectionReason) -> dict[str, Any]:
    evidence = reason.evidence
    return {
        "basis": reason.basis.value,
        "origin_doc": reason.origin_doc,
        "text": reason.text,
        "evidence": [evidence.text, evidence.span.doc_id, evidence.span.start, evidence.span.end]
        if evidence
        else None,
    }


def _reason(data: dict[str, Any]) -> DirectionReason:
    evidence = data.get("evidence")
    return DirectionReason(
        DirectionBasis(data["basis"]),
        int(data["origin_doc"]),
        str(data["text"]),
        Mention(str(evidence[0]), Span(int(evidence[1]), int(evidence[2]), int(evidence[3])))
        if evidence
        else None,
    )


def _detail_json(link: ReuseLink) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    if link.drift:
        detail["drift"] = {
            "origin_speaker": link.drift.origin_speaker,
            "derived_speaker": link.drift.derived_speaker,
            "changes": [[c.aspect.value, c.origin, c.derived] for c in link.drift.changes],
        }
    if link.quote_edit:
        edit = link.quote_edit
        detail["quote_edit"] = [edit.change.value, edit.dropped, edit.added]
    return detail


def _link(row: ReuseLinkRow, origin_id: int, derived_id: int) -> ReuseLink:
    drift = row.detail.get("drift")
    edit = row.detail.get("quote_edit")
    return ReuseLink(
        origin=Span(origin_id, row.origin_start, row.origin_end),
        derived=Span(derived_id, row.derived_start, row.derived_end),
        kind=ReuseKind(row.kind),
        similarity=row.similarity,
        drift=AttributionDrift(
            drift["origin_speaker"],
            drift["derived_speaker"],
            tuple(Change(DriftAspect(a), o, d) for a, o, d in drift["changes"]),
        )
        if drift
        else None,
        quote_edit=QuoteEdit(QuoteChange(edit[0]), edit[1], edit[2]) if edit else None,
        mutations=tuple(ClaimChange(ClaimField(f), o, d) for f, o, d in row.mutations or ()),
    )


def stored_analysis(findings: FindingStore) -> Callable[[int], Analysis | None]:
    """A document's stored findings as one record, as paraphrase and mutation read them
    (the last documents read are kept: each is read once per pair it is compared in)."""

    @lru_cache(maxsize=256)
    def read(doc_id: int) -> Analysis | None:
        return Analysis(
            doc_id,
            True,
            quotes=tuple(findings.quotes(doc_id)),
            figures=tuple(findings.figures(doc_id)),
            times=tuple(findings.times(doc_id)),
            places=tuple(findings.places(doc_id)),
            events=tuple(findings.events(doc_id)),
        )

    return read


class LinkStore:
    """Reads and writes of reuse; shares the document store's engine."""

    def __init__(self, engine: Engine, version: str) -> None:
        self.engine = engine
        self.version = version

    def current(self) -> Select[Any]:
        """Documents linked by this version since their last analysis."""
        return (
            select(ReuseLinkedRow.document_id)
            .join(AnalysisRow, AnalysisRow.document_id == ReuseLinkedRow.document_id)
            .where(ReuseLinkedRow.link_version == self.version)
            .where(ReuseLinkedRow.linked_at >= AnalysisRow.analysed_at)
        )

    def pending(self) -> list[int]:
        """Analysed documents to link, in id order."""
        with Session(self.engine) as session:
            return list(
                session.scalars(
                    select(AnalysisRow.document_id)
                    .where(AnalysisRow.document_id.not_in(self.current()))
                    .order_by(AnalysisRow.document_id)
                )
            )

    def signatures(
        self, first: int | None = None, last: int | None = None
    ) -> Iterator[tuple[int, bytes]]:
        """(document id, passage signature) of every document linked and still current
        (with ids from ``first`` to ``last``, when given)."""
        query = (
            select(ReusePassageRow.document_id, ReusePassageRow.signature)
            .where(ReusePassageRow.document_id.in_(self.current()))
            .order_by(ReusePassageRow.document_id)
            .execution_options(yield_per=5000)
        )
        if first is not None and last is not None:
            query = query.where(ReusePassageRow.document_id.between(first, last))
        with Session(self.engine) as session:
            for row in session.execute(query):
                yield row.document_id, row.signature

    def linked(self) -> list[int]:
        """Documents linked and still current, in id order."""
        with Session(self.engine) as session:
            return list(session.scalars(self.current().order_by(ReuseLinkedRow.document_id)))

    @retrying
    def save(self, doc_id: int, passages: list[Passage], found: list[DocumentReuse]) -> None:
        """Replace the document's passages and every pair it is part of."""
        with Session(self.engine) as session, session.begin():
            lock_document(session, doc_id)
            involved = or_(ReusePairRow.origin_id == doc_id, ReusePairRow.derived_id == doc_id)
            pairs = select(ReusePairRow.id).where(involved)
            session.execute(delete(ReuseLinkRow).where(ReuseLinkRow.pair_id.in_(pairs)))
            session.execute(delete(ReusePairRow).where(involved))
            session.execute(delete(ReusePassageRow).where(ReusePassageRow.document_id == doc_id))
            session.add_all(
                ReusePassageRow(
                    document_id=doc_id,
                    span_start=p.span.start,
                    span_end=p.span.end,
                    signature=p.signature,
                )
                for p in passages
            )
            for reuse in found:
                pair = ReusePairRow(
                    origin_id=reuse.origin_doc,
                    derived_id=reuse.derived_doc,
                    direction=reuse.direction.value,
                    relation=reuse.relation.value,
                    reused_share=reuse.reused_share,
                    reasons=[_reason_json(r) for r in reuse.reasons],
                )
                session.add(pair)
                session.flush()
                if reuse.links:  # many rows a pair: one executemany, no ORM objects
                    session.execute(
                        insert(ReuseLinkRow),
                        [
                            {
                                "pair_id": pair.id,
                                "kind": link.kind.value,
                                "similarity": link.similarity,
                                "origin_start": link.origin.start,
                                "origin_end": link.origin.end,
                                "derived_start": link.derived.start,
                                "derived_end": link.derived.end,
                                "detail": _detail_json(link),
                                "mutations": [
                                    [m.field.value, m.origin, m.derived] for m in link.mutations
                                ],
                            }
                            for link in reuse.links
                        ],
                    )
            session.merge(
                ReuseLinkedRow(
                    document_id=doc_id,
                    link_version=self.version,
                    linked_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                )
            )

    def reuse(self, doc_id: int | None = None) -> list[DocumentReuse]:
        """Every pair (those ``doc_id`` is part of, if given), with their links."""
        pairs_query = select(ReusePairRow).order_by(ReusePairRow.derived_id, ReusePairRow.origin_id)
        links_query = (
            select(ReuseLinkRow)
            .join(ReusePairRow, ReusePairRow.id == ReuseLinkRow.pair_id)
            .order_by(ReuseLinkRow.pair_id, ReuseLinkRow.derived_start)
        )
        if doc_id is not None:
            involved = or_(ReusePairRow.origin_id == doc_id, ReusePairRow.derived_id == doc_id)
            pairs_query, links_query = pairs_query.where(involved), links_query.where(involved)
        with Session(self.engine) as session:
            links: dict[int, list[ReuseLinkRow]] = {}
            for row in session.scalars(links_query):
                links.setdefault(row.pair_id, []).append(row)
            return [
                DocumentReuse(
                    origin_doc=pair.origin_id,
                    derived_doc=pair.derived_id,
                    direction=DirectionBasis(pair.direction),
                    relation=Relation(pair.relation),
                    reused_share=pair.reused_share,
                    links=tuple(
                        _link(row, pair.origin_id, pair.derived_id)
                        for row in links.get(pair.id, [])
                    ),
                    reasons=tuple(_reason(r) for r in pair.reasons),
                )
                for pair in session.scalars(pairs_query)
            ]

    def count_links(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(ReuseLinkRow)) or 0


class EmbeddingStore:
    """Claim-sentence embeddings of one model, by document: the paraphrase stage's cache
    and the source its corpus index is rebuilt from."""

    def __init__(self, engine: Engine, model: str, linked: LinkStore | None = None) -> None:
        self.engine = engine
        self.model = model
        # When given, the corpus index holds only documents this link version has linked,
        # so an interrupted run that embedded but never linked a document resumes exactly
        # as an uninterrupted one would.
        self.linked = linked

    def vectors(self, doc_id: int) -> dict[tuple[int, int], bytes]:
        """The document's stored vectors by sentence (start, end)."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(
                    ClaimEmbeddingRow.span_start,
                    ClaimEmbeddingRow.span_end,
                    ClaimEmbeddingRow.vector,
                )
                .where(ClaimEmbeddingRow.document_id == doc_id)
                .where(ClaimEmbeddingRow.model == self.model)
            )
            return {(row.span_start, row.span_end): row.vector for row in rows}

    def add(self, doc_id: int, rows: Sequence[tuple[int, int, bytes]]) -> None:
        """Keep newly embedded sentences of a document."""
        with Session(self.engine) as session, session.begin():
            session.add_all(
                ClaimEmbeddingRow(
                    document_id=doc_id,
                    span_start=start,
                    span_end=end,
                    model=self.model,
                    vector=vector,
                )
                for start, end, vector in rows
            )

    def every(self) -> Iterator[tuple[int, bytes]]:
        """(document id, vector) of every stored sentence, in document order."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(ClaimEmbeddingRow.document_id, ClaimEmbeddingRow.vector)
                .where(ClaimEmbeddingRow.model == self.model)
                .where(
                    ClaimEmbeddingRow.document_id.in_(self.linked.current())
                    if self.linked
                    else true()
                )
                .order_by(ClaimEmbeddingRow.document_id)
                .execution_options(yield_per=5000)
            )
            for row in rows:
                yield row.document_id, row.vector
