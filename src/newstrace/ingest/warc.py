"""WARC archives through warcio: HTML responses become documents, the rest is skipped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newstrace.ingest.errors import IngestError, Item, Problem
from newstrace.ingest.html import read_html_bytes


def read_warc(stream: BinaryIO, source: str, max_record_bytes: int) -> Iterator[Item]:
    """Yield documents, a :class:`Problem` per unreadable record, and a skipped-count note."""
    skipped = 0
    try:
        for index, record in enumerate(ArchiveIterator(stream), start=1):
            if record.rec_type != "response" or record.http_headers is None:
                skipped += 1
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if "html" not in content_type.lower():
                skipped += 1
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            record_source = f"{source}#record{index}"
            body = record.content_stream().read(max_record_bytes + 1)
            if len(body) > max_record_bytes:
                yield Problem(
                    record_source, f"record larger than {max_record_bytes} bytes; refused"
                )
                continue
            try:
                yield read_html_bytes(body, record_source, url=uri)
            except IngestError as exc:
                yield Problem(record_source, str(exc))
    except ArchiveLoadFailed as exc:
        raise IngestError(f"not a readable WARC archive ({str(exc).splitlines()[0]})") from exc
    if skipped:
        yield Problem(
            source, f"skipped {skipped} WARC records that are not HTML responses", fatal=False
        )
