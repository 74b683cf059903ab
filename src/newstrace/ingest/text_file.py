"""Plain text and Markdown documents from bytes."""

from __future__ import annotations

from newstrace.ingest.decode import decode_bytes, normalize_newlines
from newstrace.ingest.errors import IngestError
from newstrace.ingest.plaintext import read_header
from newstrace.records import DateSource, DocumentInput


def text_bytes_to_document(data: bytes, source: str, source_format: str) -> DocumentInput:
    """Decode and keep the text exactly as written; read only what its header states."""
    decoded = decode_bytes(data)
    text = normalize_newlines(decoded.text)
    if not text.strip():
        raise IngestError("no text (empty or white space only)")
    header = read_header(text, markdown=source_format == "markdown")
    doc = DocumentInput(
        text=text,
        source=source,
        source_format=source_format,
        title=header.title,
        byline=header.byline,
        encoding=decoded.encoding,
    )
    if header.published is not None:
        doc.published, doc.published_source = header.published, DateSource.DATELINE
    if decoded.warning:
        doc.warnings.append(decoded.warning)
    return doc
