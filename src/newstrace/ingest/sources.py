"""From command-line inputs (files, folders, URLs) to a stream of documents and problems.

Each input is read by the reader for its format; a bad input becomes a
:class:`Problem` naming it, and the rest of the batch goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newstrace.ingest.decode import looks_binary, sniff_encoding
from newstrace.ingest.errors import IngestError, Item, Problem
from newstrace.ingest.feed import read_feed
from newstrace.ingest.html import read_html_bytes
from newstrace.ingest.jsonl import read_jsonl
from newstrace.ingest.manifest import Manifest
from newstrace.ingest.published import ImplausibleDate, check_plausible
from newstrace.ingest.text_file import text_bytes_to_document
from newstrace.ingest.url import FetchPolicy, is_url, read_url
from newstrace.ingest.warc import read_warc
from newstrace.records import DateSource, DocumentInput

MiB = 1024 * 1024

_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".warc": "warc",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


@dataclass(frozen=True, slots=True)
class IngestOptions:
    manifest: Manifest | None = None
    max_document_bytes: int = 10 * MiB  # one article; larger single files are refused
    max_feed_bytes: int = 20 * MiB  # feedparser holds a feed in memory several times over
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    today: dt.date | None = None  # for the plausibility check; today when None


def detect_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".warc.gz", ".warc")):
        return "warc"
    known = _FORMATS.get(path.suffix.lower())
    if known:
        return known
    with path.open("rb") as handle:
        head = handle.read(2048)
    if looks_binary(head):
        return "binary"
    stripped = head.lstrip().lower()
    if stripped.startswith(b"<?xml") and (b"<rss" in stripped or b"<feed" in stripped):
        return "feed"
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "html"
    if stripped.startswith(b"warc/"):
        return "warc"
    return "text"


def expand_inputs(inputs: Iterable[str], skip: set[Path]) -> Iterator[str]:
    """Folders become their files (sorted, hidden ones left out); URLs pass through."""
    for value in inputs:
        path = Path(value)
        if not is_url(value) and path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.resolve() not in skip:
                    yield str(child)
        else:
            yield value


def _read_single(path: Path, kind: str, limit: int) -> DocumentInput:
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file")
    if size > limit:
        raise IngestError(f"file of {size / MiB:.1f} MiB exceeds the {limit / MiB:.0f} MiB cap")
    data = path.read_bytes()
    if kind == "html":
        return read_html_bytes(data, str(path))
    return text_bytes_to_document(data, str(path), kind)


def read_path(path: Path, options: IngestOptions) -> Iterator[Item]:
    """Every document in one local file."""
    if not path.exists():
        raise IngestError("no such file or folder")
    kind = detect_format(path)
    if kind == "binary":
        raise IngestError("binary file, not text")
    if kind in {"text", "markdown", "html"}:
        yield _read_single(path, kind, options.max_document_bytes)
    elif kind == "feed":
        size = path.stat().st_size
        if size > options.max_feed_bytes:
            raise IngestError(f"feed of {size / MiB:.1f} MiB exceeds the cap")
        yield from read_feed(path.read_bytes(), str(path))
    elif kind == "warc":
        with path.open("rb") as stream:
            yield from read_warc(stream, str(path), options.max_document_bytes)
    elif kind == "jsonl":
        with path.open("rb") as raw:
            encoding = sniff_encoding(raw.read(64 * 1024))
        with path.open(encoding=encoding, errors="replace") as stream:
            yield from read_jsonl(stream, str(path), options.max_document_bytes)


def _finish(doc: DocumentInput, path: Path | None, options: IngestOptions) -> DocumentInput:
    """Apply the manifest, then refuse an implausible published date."""
    if options.manifest is not None and path is not None:
        options.manifest.apply(doc, path)
    if doc.published is not None:
        try:
            check_plausible(doc.published, options.today)
        except ImplausibleDate as exc:
            doc.warnings.append(f"{exc}; not stored")
            doc.published, doc.published_source = None, DateSource.NONE
    return doc


def read_sources(inputs: Iterable[str], options: IngestOptions) -> Iterator[Item]:
    """Documents and problems from every input, in order; never raises for bad input."""
    manifest_file = options.manifest.source if options.manifest else None
    skip = {manifest_file.resolve()} if manifest_file else set()
    for value in expand_inputs(inputs, skip):
        path = None if is_url(value) else Path(value)
        try:
            items = read_url(value, options.fetch) if path is None else read_path(path, options)
            for item in items:
                yield item if isinstance(item, Problem) else _finish(item, path, options)
        except IngestError as exc:
            yield Problem(value, str(exc))
        except OSError as exc:
            yield Problem(value, f"cannot read ({exc.strerror or exc.__class__.__name__})")
