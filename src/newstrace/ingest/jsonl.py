"""JSON Lines: one article per line, ``text`` or ``html`` plus optional metadata fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from newstrace.ingest.decode import normalize_newlines
from newstrace.ingest.errors import IngestError, Item, Problem
from newstrace.ingest.html import html_to_document
from newstrace.ingest.plaintext import read_header
from newstrace.ingest.published import parse_published
from newstrace.records import DateSource, DocumentInput

METADATA_FIELDS = ("url", "outlet", "title", "byline")


def _record_to_document(record: dict[str, object], source: str) -> DocumentInput:
    text, html = record.get("text"), record.get("html")
    if isinstance(text, str) and text.strip():
        doc = DocumentInput(text=normalize_newlines(text), source=source, source_format="jsonl")
        header = read_header(doc.text)
        doc.byline = header.byline
        if header.published is not None:
            doc.published, doc.published_source = header.published, DateSource.DATELINE
    elif isinstance(html, str) and html.strip():
        doc = html_to_document(html, source, source_format="jsonl")
    else:
        raise IngestError("record has neither 'text' nor 'html'")
    for name in METADATA_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            setattr(doc, name, value.strip())
    published = record.get("published")
    if isinstance(published, str) and published.strip():
        parsed = parse_published(published)
        if parsed is None:
            doc.warnings.append(f"unreadable published date {published!r} ignored")
        else:
            doc.published, doc.published_source = parsed, DateSource.RECORD
    return doc


def read_jsonl(stream: TextIO, source: str, max_line_chars: int) -> Iterator[Item]:
    """Read line by line so a large file never sits in memory whole."""
    records = 0
    for number, line in enumerate(stream, start=1):
        line_source = f"{source}:{number}"
        if not line.strip():
            continue
        records += 1
        if len(line) > max_line_chars:
            yield Problem(line_source, f"line longer than {max_line_chars} characters; refused")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(line_source, f"invalid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield Problem(line_source, "line is not a JSON object")
            continue
        try:
            yield _record_to_document(record, line_source)
        except IngestError as exc:
            yield Problem(line_source, str(exc))
    if not records:
        raise IngestError("no records (empty or blank lines only)")
