"""WARC archives through warcio: HTML responses become documents, the rest is skipped."""

from __future__ import annotations

import io
import zlib
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newstrace.ingest.errors import IngestError, Item, Problem
from newstrace.ingest.html import read_html_bytes

_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK = 64 * 1024


class _GzipMembers(io.RawIOBase):
    """Concatenated gzip members (a .warc.gz), decompressed, noting where the data is cut.

    warcio's own decompression takes a cut for a clean end, and ``gzip.GzipFile`` drops
    what it decoded in the read that meets the cut. Here every byte before the cut is
    handed over, the stream then ends, and ``truncated`` says it ended early.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._inflate = zlib.decompressobj(wbits=31)
        self._pending = b""
        self.truncated = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._inflate.unconsumed_tail
            if not chunk:
                chunk = self._inflate.unused_data or self._raw.read(_BLOCK)
                if self._inflate.eof:
                    if not chunk:
                        return 0
                    self._inflate = zlib.decompressobj(wbits=31)  # the next member
                elif not chunk:
                    self.truncated = True
                    return 0
            # Bounded output: text compresses a thousandfold, a gzip bomb more.
            self._pending = self._inflate.decompress(chunk, _BLOCK)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class _ArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    # warcio writes this warning about a damaged record straight to stderr; the damage is
    # reported to the user as a problem with the archive instead.
    INC_RECORD = ""


def _cut_short(record: Any) -> bool:
    """The archive ended before the length the record's header declares."""
    return bool(getattr(record.raw_stream, "limit", 0))


def _records(
    stream: BinaryIO | io.RawIOBase, source: str, max_record_bytes: int
) -> Generator[Item, None, tuple[int, int]]:
    """Yield what the HTML responses hold; return (HTML responses, other records)."""
    skipped = 0
    found = 0
    record = None
    for index, record in enumerate(_ArchiveIterator(stream), start=1):
        if record.rec_type != "response" or record.http_headers is None:
            skipped += 1
            continue
        content_type = record.http_headers.get_header("Content-Type") or ""
        if "html" not in content_type.lower():
            skipped += 1
            continue
        found += 1
        uri = record.rec_headers.get_header("WARC-Target-URI")
        record_source = f"{source}#record{index}"
        body = record.content_stream().read(max_record_bytes + 1)
        if len(body) > max_record_bytes:
            yield Problem(record_source, f"record larger than {max_record_bytes} bytes; refused")
            continue
        if _cut_short(record):
            raise EOFError("archive ends inside a record")  # never store half a page
        try:
            yield read_html_bytes(body, record_source, url=uri)
        except IngestError as exc:
            yield Problem(record_source, str(exc))
    if record is not None and _cut_short(record):
        raise EOFError("archive ends inside a record")
    return found, skipped


def read_warc(stream: BinaryIO, source: str, max_record_bytes: int) -> Iterator[Item]:
    """Yield documents, a :class:`Problem` per unreadable record, and a skipped-count note.

    A truncated or damaged archive keeps the complete records before the damage and is
    then reported; a half-read record is never stored.
    """
    gzipped = stream.read(2) == _GZIP_MAGIC
    stream.seek(0)
    members = _GzipMembers(stream) if gzipped else None
    try:
        found, skipped = yield from _records(members or stream, source, max_record_bytes)
        if members is not None and members.truncated:
            raise EOFError("compressed data ends inside a gzip member")
    except ArchiveLoadFailed as exc:
        reason = str(exc).split(",")[0].strip() or "unknown format"
        raise IngestError(f"not a readable WARC archive ({reason})") from exc
    except EOFError as exc:
        raise IngestError("truncated WARC archive (ends inside a record)") from exc
    except zlib.error as exc:
        raise IngestError(f"damaged WARC archive ({exc})") from exc
    except AttributeError as exc:  # warcio's parser on a record header cut short
        raise IngestError("damaged WARC archive (incomplete record header)") from exc
    if not found:
        raise IngestError(f"no HTML responses in the archive ({skipped} other records)")
    if skipped:
        yield Problem(
            source, f"skipped {skipped} WARC records that are not HTML responses", fatal=False
        )
