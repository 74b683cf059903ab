"""The document store: add articles once, version changed ones, read them back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newstrace.records import DatePrecision, DateSource, Document, DocumentInput, PartialDate
from newstrace.store.retry import retrying
from newstrace.store.schema import DocumentRow, IngestWarningRow

_WHITESPACE = re.compile(r"\s+")
MAX_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL (bigint) can store
# NUL (PostgreSQL text refuses it) and lone surrogates (no backend can encode them as
# UTF-8) still reach the store: a NUL past the binary sniff, a JSON "\u0000" or "\ud800",
# a file name that is not UTF-8. One U+FFFD each keeps every character offset.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    return _UNSTORABLE.sub("\ufffd", value)


def _storable_input(doc: DocumentInput) -> DocumentInput:
    """``doc`` with characters no database can store replaced, and a warning saying where."""
    changed: dict[str, Any] = {
        field.name: _storable(value)
        for field in dataclasses.fields(doc)
        if isinstance(value := getattr(doc, field.name), str) and _UNSTORABLE.search(value)
    }
    if not changed:
        return doc
    note = f"NUL or lone surrogate characters replaced with U+FFFD in: {', '.join(changed)}"
    return dataclasses.replace(doc, **changed, warnings=[*doc.warnings, note])


def content_hash(text: str) -> str:
    """Hash of the text with Unicode and white space normalized.

    Re-wrapped lines or a changed encoding do not make a new document; any change
    of words does.
    """
    normalized = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


class AddOutcome(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    NEW_VERSION = "new_version"


@dataclass(frozen=True, slots=True)
class AddResult:
    outcome: AddOutcome
    document_id: int


def _to_record(row: DocumentRow) -> Document:
    published = (
        PartialDate(row.published, DatePrecision(row.published_precision))
        if row.published is not None
        else None
    )
    return Document(
        id=row.id,
        text=row.text,
        content_hash=row.content_hash,
        source=row.source,
        source_format=row.source_format,
        title=row.title,
        byline=row.byline,
        outlet=row.outlet,
        url=row.url,
        published=published,
        published_source=DateSource(row.published_source),
        encoding=row.encoding,
        version=row.version,
        previous_version_id=row.previous_version_id,
        ingested_at=row.ingested_at,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def lock_document(session: Session, doc_id: int) -> None:
    """Hold the document's row until the transaction ends, so two writers replacing its
    findings or links take turns: on PostgreSQL the second would otherwise miss the
    first's uncommitted rows when it deletes, and both sets would stay. (SQLite has one
    writer at a time anyway.)"""
    session.execute(select(DocumentRow.id).where(DocumentRow.id == doc_id).with_for_update())


class DocumentStore:
    """All reads and writes of documents go through here, one transaction each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @retrying
    def add(self, doc: DocumentInput) -> AddResult:
        """Store ``doc`` unless its text is already stored.

        Same text: a no-op reporting the existing id. Same URL with other text: a new
        version that points at the latest earlier one. Warnings the reader recorded
        are stored with the document in the same transaction.
        """
        doc = _storable_input(doc)
        digest = content_hash(doc.text)
        with Session(self.engine) as session, session.begin():
            existing = session.scalar(
                select(DocumentRow.id).where(DocumentRow.content_hash == digest)
            )
            if existing is not None:
                return AddResult(AddOutcome.DUPLICATE, existing)
            previous = None
            if doc.url:
                previous = session.scalar(
                    select(DocumentRow)
                    .where(DocumentRow.url == doc.url)
                    .order_by(DocumentRow.version.desc())
                    .limit(1)
                )
            row = DocumentRow(
                content_hash=digest,
                text=doc.text,
                source=doc.source,
                source_format=doc.source_format,
                title=doc.title,
                byline=doc.byline,
                outlet=doc.outlet,
                url=doc.url,
                published=doc.published.value if doc.published else None,
                published_precision=(
                    doc.published.precision if doc.published else DatePrecision.UNKNOWN
                ).value,
                published_source=doc.published_source.value,
                encoding=doc.encoding,
                version=previous.version + 1 if previous else 1,
                previous_version_id=previous.id if previous else None,
                ingested_at=_now(),
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                # Another writer stored the same text between our check and insert.
                session.rollback()
                return self._duplicate_of(digest)
            for message in doc.warnings:
                session.add(
                    IngestWarningRow(
                        document_id=row.id,
                        source=doc.source,
                        message=_storable(message),
                        created_at=_now(),
                    )
                )
            outcome = AddOutcome.NEW_VERSION if previous else AddOutcome.NEW
            return AddResult(outcome, row.id)

    def _duplicate_of(self, digest: str) -> AddResult:
        with Session(self.engine) as session:
            found = session.scalar(select(DocumentRow.id).where(DocumentRow.content_hash == digest))
        if found is None:
            raise RuntimeError("document vanished after a unique-key conflict")
        return AddResult(AddOutcome.DUPLICATE, found)

    @retrying
    def record_warning(self, source: str, message: str) -> None:
        """Keep a refusal that concerns no stored document (e.g. an unreadable file)."""
        with Session(self.engine) as session, session.begin():
            session.add(
                IngestWarningRow(
                    document_id=None,
                    source=_storable(source),
                    message=_storable(message),
                    created_at=_now(),
                )
            )

    def get(self, doc_id: int) -> Document | None:
        """The document, or None, also for an id no database could hold (from an address)."""
        if not 0 < doc_id <= MAX_ID:
            return None
        with Session(self.engine) as session:
            row = session.get(DocumentRow, doc_id)
            return _to_record(row) if row else None

    def count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(DocumentRow)) or 0

    def documents(self, batch_size: int = 500) -> Iterator[Document]:
        """Every document in id order, read in batches so memory stays flat."""
        last_id = 0
        while True:
            with Session(self.engine) as session:
                rows = session.scalars(
                    select(DocumentRow)
                    .where(DocumentRow.id > last_id)
                    .order_by(DocumentRow.id)
                    .limit(batch_size)
                ).all()
                batch = [_to_record(r) for r in rows]
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id

    def warnings(self) -> list[tuple[str, str, int | None]]:
        """(source, message, document id) of every recorded warning, oldest first."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(
                    IngestWarningRow.source, IngestWarningRow.message, IngestWarningRow.document_id
                ).order_by(IngestWarningRow.id)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]
