"""What readers report besides documents: a fatal error, or a problem with one item."""

from __future__ import annotations

from dataclasses import dataclass

from newstrace.records import DocumentInput


class IngestError(Exception):
    """Input that cannot be read. ``str(exc)`` is shown to the user as is."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One input (a file, a feed entry, a WARC record, a line) not stored, and why.

    ``fatal`` is False for notes that lose nothing (e.g. skipped non-HTML records).
    """

    source: str
    message: str
    fatal: bool = True


Item = DocumentInput | Problem
