"""Typed records shared by every stage.

Every finding newstrace produces rests on :class:`Span` objects: a document id and
character offsets into the document's *stored* text, so a user can always go back
to the exact characters a finding came from. Stages exchange these records, the
store persists them, and the report and web layers render them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class DatePrecision(StrEnum):
    """How much of a date the source actually states."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class DateSource(StrEnum):
    """Where a document's published date came from (kept so a user can weigh it)."""

    MANIFEST = "manifest"
    HTML_METADATA = "html_metadata"
    FEED = "feed"
    RECORD = "record"  # a field of a JSON Lines record
    HTTP_HEADER = "http_header"
    DATELINE = "dateline"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date stated only down to ``precision``.

    ``value`` holds the first day of the stated period (for a month, the 1st).
    """

    value: dt.date
    precision: DatePrecision

    def iso(self) -> str:
        """The date written only as far as it is known: ``2024``, ``2024-01``, ``2024-01-16``."""
        if self.precision is DatePrecision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is DatePrecision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start`` (inclusive) to ``end`` (exclusive) of a stored document."""

    doc_id: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span {self.start}..{self.end}")

    def text_of(self, document_text: str) -> str:
        """The characters this span covers in ``document_text``."""
        return document_text[self.start : self.end]


@dataclass(slots=True)
class DocumentInput:
    """An article as a reader produced it, before it is stored.

    Metadata fields are ``None`` when the source does not state them: nothing is
    invented. ``provenance`` records how each field was obtained.
    """

    text: str
    source: str  # the path, URL or ``path#entry`` the text came from
    source_format: str  # text, markdown, html, feed, warc, jsonl, url
    title: str | None = None
    byline: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: PartialDate | None = None
    published_source: DateSource = DateSource.NONE
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Document:
    """A stored article: its text is immutable once stored, so spans stay valid."""

    id: int
    text: str
    content_hash: str
    source: str
    source_format: str
    title: str | None
    byline: str | None
    outlet: str | None
    url: str | None
    published: PartialDate | None
    published_source: DateSource
    encoding: str | None
    version: int
    previous_version_id: int | None
    ingested_at: dt.datetime
