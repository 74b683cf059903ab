"""RSS and Atom feeds through feedparser: one document per entry."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from email.utils import parseaddr
from typing import Any

import feedparser
import trafilatura

from newstrace.ingest.errors import IngestError, Item, Problem
from newstrace.ingest.html import html_to_document
from newstrace.records import DatePrecision, DateSource, DocumentInput, PartialDate


def _entry_date(entry: Any) -> PartialDate | None:
    parsed: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return PartialDate(
            dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday), DatePrecision.DAY
        )
    except ValueError:
        return None


def _entry_author(entry: Any) -> str | None:
    """The author as named: RSS writes ``email (Name)``, and the name is the byline."""
    author = str(entry.get("author") or "").strip()
    if "@" in author:
        return parseaddr(author)[0] or author
    return author or None


def _entry_html(entry: Any) -> str:
    """Full content when the feed carries it, else the summary."""
    for content in entry.get("content") or []:
        if content.get("value"):
            return str(content["value"])
    return str(entry.get("summary") or "")


def _fragment_text(fragment: str, source: str) -> DocumentInput:
    try:
        return html_to_document(
            f"<html><body>{fragment}</body></html>", source, source_format="feed"
        )
    except IngestError:
        # Short entries fall below trafilatura's article heuristics: keep all their text.
        text = (trafilatura.html2txt(fragment) or "").strip()
        if not text:
            raise
        return DocumentInput(text=text, source=source, source_format="feed")


def read_feed(data: bytes, source: str) -> Iterator[Item]:
    """Yield a document per readable entry and a :class:`Problem` per broken one."""
    try:
        parsed = feedparser.parse(data)
    except (UnicodeError, LookupError, ValueError) as exc:  # found by fuzzing (fuzz/)
        raise IngestError(f"unreadable feed ({type(exc).__name__})") from exc
    if not parsed.entries:
        reason = getattr(parsed, "bozo_exception", None)
        detail = f" ({str(reason).splitlines()[0]})" if reason else ""
        raise IngestError(f"no feed entries found{detail}")
    outlet = parsed.feed.get("title") or None
    for index, entry in enumerate(parsed.entries, start=1):
        entry_source = f"{source}#entry{index}"
        html = _entry_html(entry)
        if not html.strip():
            yield Problem(entry_source, "feed entry has no text")
            continue
        try:
            doc = _fragment_text(html, entry_source)
        except IngestError as exc:
            yield Problem(entry_source, str(exc))
            continue
        doc.title = entry.get("title") or doc.title
        doc.byline = _entry_author(entry) or doc.byline
        doc.url = entry.get("link") or doc.url
        doc.outlet = outlet or doc.outlet
        published = _entry_date(entry)
        if published is not None:
            doc.published, doc.published_source = published, DateSource.FEED
        yield doc
