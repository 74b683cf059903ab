"""Flat rows of the ledger for JSON Lines and CSV export, one table at a time.

Every row of a finding carries the character offsets of its evidence, so an exported
quote can be checked against the stored text without newstrace.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import TextIO

from newstrace.records import Document, Mention, Quote
from newstrace.store import DocumentStore
from newstrace.store.findings import FindingStore

DOCUMENT_FIELDS = (
    "id",
    "outlet",
    "title",
    "byline",
    "url",
    "published",
    "published_precision",
    "published_source",
    "source",
    "source_format",
    "encoding",
    "version",
    "previous_version_id",
    "content_hash",
    "text",
)
_QUOTE_MENTIONS = (
    "content",
    "speaker",
    "speaker_resolved",
    "description",
    "anonymity",
    "cue",
    "recipient",
)
QUOTE_FIELDS = (
    "document_id",
    "kind",
    "speaker_kind",
    "speaker_name",
    "speaker_canonical",
    *(f"{role}_{part}" for role in _QUOTE_MENTIONS for part in ("text", "start", "end")),
    "hedges",
)


def document_row(doc: Document) -> dict[str, object]:
    return {
        "id": doc.id,
        "outlet": doc.outlet,
        "title": doc.title,
        "byline": doc.byline,
        "url": doc.url,
        "published": doc.published.iso() if doc.published else None,
        "published_precision": doc.published.precision.value if doc.published else "unknown",
        "published_source": doc.published_source.value,
        "source": doc.source,
        "source_format": doc.source_format,
        "encoding": doc.encoding,
        "version": doc.version,
        "previous_version_id": doc.previous_version_id,
        "content_hash": doc.content_hash,
        "text": doc.text,
    }


def quote_row(quote: Quote) -> dict[str, object]:
    speaker = quote.speaker
    mentions: dict[str, Mention | None] = {
        "content": quote.content,
        "speaker": speaker.mention,
        "speaker_resolved": speaker.resolved,
        "description": speaker.description,
        "anonymity": speaker.anonymity,
        "cue": quote.cue,
        "recipient": quote.recipient,
    }
    row: dict[str, object] = {
        "document_id": quote.content.span.doc_id,
        "kind": quote.kind.value,
        "speaker_kind": speaker.kind.value,
        "speaker_name": speaker.name,
        "speaker_canonical": speaker.canonical,
    }
    for role, found in mentions.items():
        row[f"{role}_text"] = found.text if found else None
        row[f"{role}_start"] = found.span.start if found else None
        row[f"{role}_end"] = found.span.end if found else None
    row["hedges"] = "; ".join(h.text for h in quote.hedges)
    return row


TABLES: dict[
    str, tuple[tuple[str, ...], Callable[[DocumentStore], Iterable[dict[str, object]]]]
] = {
    "documents": (DOCUMENT_FIELDS, lambda store: map(document_row, store.documents())),
    "quotes": (QUOTE_FIELDS, lambda store: map(quote_row, FindingStore(store.engine).quotes())),
}


def export_table(store: DocumentStore, table: str, export_format: str, handle: TextIO) -> int:
    """Write ``table`` to ``handle`` as ``jsonl`` or ``csv``; return the number of rows."""
    fields, rows = TABLES[table]
    written = 0
    if export_format == "jsonl":
        for row in rows(store):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
        return written
    writer = csv.DictWriter(handle, fieldnames=fields)
    writer.writeheader()
    for row in rows(store):
        writer.writerow(row)
        written += 1
    return written
