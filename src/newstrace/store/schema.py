"""SQLAlchemy table definitions; Alembic migrations in ``migrations/`` create them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
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
    pipeline_version: Mapped[str] = mapped_column(String(32))
    english: Mapped[bool]
    notes: Mapped[list[str]] = mapped_column(JSON)
    analysed_at: Mapped[dt.datetime]


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
