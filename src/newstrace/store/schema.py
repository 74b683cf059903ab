"""SQLAlchemy table definitions; Alembic migrations in ``migrations/`` create them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.date | None]
    published_precision: Mapped[str] = mapped_column(String(8))
    published_source: Mapped[str] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    ingested_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_documents_url", "url"),)


class IngestWarningRow(Base):
    """A refusal or doubt met while reading input, kept so nothing is lost silently."""

    __tablename__ = "ingest_warnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    source: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class AnalysisRow(Base):
    """That a document went through the per-document stages, and with which version."""

    __tablename__ = "analyses"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    pipeline_version: Mapped[str] = mapped_column(String(64))
    english: Mapped[bool]
    notes: Mapped[list[str]] = mapped_column(JSON)
    analysed_at: Mapped[dt.datetime] = mapped_column(index=True)  # 0008: the web's fingerprint


class QuoteRow(Base):
    """One attributed statement. Columns hold what views filter on; ``mentions`` holds
    every evidence span as ``{role: [text, start, end]}`` (hedges under ``hedges``)."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_start: Mapped[int]
    content_end: Mapped[int]
    content_text: Mapped[str] = mapped_column(Text)
    speaker_kind: Mapped[str] = mapped_column(String(24))
    speaker_name: Mapped[str | None] = mapped_column(Text)
    speaker_canonical: Mapped[str | None] = mapped_column(Text)
    mentions: Mapped[dict[str, list[object]]] = mapped_column(JSON)

    __table_args__ = (Index("ix_quotes_speaker", "speaker_name", "speaker_canonical"),)


class MentionColumns:
    """What every row of words found in a document has: its document and its characters."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    span_start: Mapped[int]
    span_end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class FigureRow(MentionColumns, Base):
    """A number with its unit, bounds, qualifier and class (``span_*``: its words)."""

    __tablename__ = "figures"

    best: Mapped[float | None] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    qualifier: Mapped[str] = mapped_column(String(16))
    figure_class: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(Text)
    implausible: Mapped[bool]
    note: Mapped[str] = mapped_column(Text)


class TimeRow(MentionColumns, Base):
    """A temporal expression and the period it was normalized to."""

    __tablename__ = "time_expressions"

    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    precision: Mapped[str] = mapped_column(String(8))
    relative: Mapped[bool]
    duration: Mapped[str | None] = mapped_column(String(32))
    implausible: Mapped[bool]


class PlaceRow(MentionColumns, Base):
    """A toponym and the gazetteer entry it resolved to (none: no coordinates)."""

    __tablename__ = "places"

    name: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    feature_type: Mapped[str | None] = mapped_column(String(24))
    country: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(Text)
    geo_precision: Mapped[int | None]
    gazetteer_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


class EventRow(Base):
    """One event. Columns hold what views filter and export on (ACLED's fields);
    ``detail`` holds the full record: every mention, the place, date and tolls as found,
    the reasons and flags."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(48))
    sub_event_type: Mapped[str | None] = mapped_column(String(64))
    actor1: Mapped[str | None] = mapped_column(Text)
    actor2: Mapped[str | None] = mapped_column(Text)
    event_date: Mapped[dt.date | None]
    date_precision: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[int | None]
    fatalities: Mapped[float | None] = mapped_column(Float)
    injured: Mapped[float | None] = mapped_column(Float)
    is_tally: Mapped[bool]
    claimed_by: Mapped[str | None] = mapped_column(Text)
    sentence_start: Mapped[int]
    sentence_end: Mapped[int]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)

    # 0008: the events view filters and orders by these (date, then document and id).
    __table_args__ = (
        Index("ix_events_date", "event_date", "document_id", "id"),
        Index("ix_events_type", "event_type", "event_date", "document_id", "id"),
        Index("ix_events_country", "country", "event_date", "document_id", "id"),
        Index("ix_events_actor1", "actor1"),
        Index("ix_events_actor2", "actor2"),
    )


class ReusePassageRow(Base):
    """A sentence or quote of a linked document with its MinHash signature: the reuse
    index is rebuilt from these, so the database alone holds the linking state."""

    __tablename__ = "reuse_passages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    span_start: Mapped[int]
    span_end: Mapped[int]
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class ClaimEmbeddingRow(Base):
    """A claim sentence's embedding (float16), kept so that re-linking never embeds a
    sentence again and the paraphrase index is rebuilt from the store."""

    __tablename__ = "claim_embeddings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    span_start: Mapped[int]
    span_end: Mapped[int]
    model: Mapped[str] = mapped_column(String(48))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class StatementVectorRow(Base):
    """A statement's embedding (float16) by the hash of its words, kept so that claims
    are rebuilt by embedding only statements not seen before; a statement copied into
    many documents is embedded once."""

    __tablename__ = "statement_vectors"

    model: Mapped[str] = mapped_column(String(48), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class ReuseLinkedRow(Base):
    """That a document was linked against the corpus, when, and by which linker version."""

    __tablename__ = "reuse_linked"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    link_version: Mapped[str] = mapped_column(String(32))
    linked_at: Mapped[dt.datetime] = mapped_column(index=True)  # 0008: the web's fingerprint


class ReusePairRow(Base):
    """What one document took from another: direction, its reasons, METER relation."""

    __tablename__ = "reuse_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    derived_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    relation: Mapped[str] = mapped_column(String(24))
    reused_share: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ReuseLinkRow(Base):
    """One reused stretch; ``detail`` holds attribution drift and quote edits,
    ``mutations`` the claim fields the derived side states otherwise ([field, origin,
    derived] each)."""

    __tablename__ = "reuse_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("reuse_pairs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    similarity: Mapped[float] = mapped_column(Float)
    origin_start: Mapped[int]
    origin_end: Mapped[int]
    derived_start: Mapped[int]
    derived_end: Mapped[int]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    mutations: Mapped[list[list[str]]] = mapped_column(JSON, default=list)


class ClaimClusterRow(Base):
    """One claim cluster with its grade; ``detail`` holds its members (evidence spans,
    sources, events), provenance edges and figure disagreements. Rebuilt wholesale after
    every linking run, so it never outlives the findings it rests on."""

    __tablename__ = "claim_clusters"

    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    documents: Mapped[int]
    origins: Mapped[int]
    evidence: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    built_at: Mapped[dt.datetime] = mapped_column(index=True)  # when computed (all rows alike)

    # 0008: the claims list's order (most documents first), whole or by grade.
    __table_args__ = (
        Index("ix_claim_clusters_order", text("documents DESC"), "key"),
        Index("ix_claim_clusters_grade_order", "grade", text("documents DESC"), "key"),
    )


class ClaimMemberRow(Base):
    """That a document's stretch belongs to a claim cluster: claims by document."""

    __tablename__ = "claim_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_key: Mapped[str] = mapped_column(ForeignKey("claim_clusters.key"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    span_start: Mapped[int]
    span_end: Mapped[int]


# SQLite full-text search (migration 0006): FTS5 virtual tables, which SQLAlchemy does not
# model, and the shadow tables SQLite keeps for them. PostgreSQL has indexes instead.
SQLITE_SEARCH_TABLES = frozenset(
    f"{table}{part}"
    for table in ("documents_fts", "quotes_fts")
    for part in ("", "_config", "_data", "_docsize", "_idx")
) | {"quotes_fts_content"}
