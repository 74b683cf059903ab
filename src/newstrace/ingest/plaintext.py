"""Plain text and Markdown: the text is stored as written; metadata only where it is printed.

A saved article often carries its own header: a title, a byline line ("By ...",
"Our Baghdad Correspondent") and a dateline ("JAN 16, 2024 -"). Those are read from
the first lines of the text. Anything the text does not state stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.ingest.published import parse_published
from newstrace.records import PartialDate

HEADER_LINES = 15  # a dateline or byline further down is body text, not a header

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})"
)
# Optional weekday, place ("BAGHDAD,") or label ("Published:") before the date; a dash,
# colon, bar or end of line after it.
_DATELINE = re.compile(
    r"^\s*(?:(?:published|posted|updated|date)\s*(?:on)?\s*:?\s*)?"
    r"(?:[A-Z][A-Za-z .'-]{1,40},\s+)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?P<date>{_DATE})"
    r"\s*(?:[-–—:|]|$)",
    re.IGNORECASE,
)
_BY = re.compile(r"^\s*by\s+(?P<who>[^\d].{1,80}?)\s*$", re.IGNORECASE)
_ROLE_WORDS = re.compile(
    r"\b(correspondents?|reporters?|staff|writers?|editors?|contributors?|journalists?"
    r"|bureau|desk|news\s+service|special\s+to)\b",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^\s{0,3}#\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True, slots=True)
class Header:
    title: str | None
    byline: str | None
    published: PartialDate | None
    dateline: str | None  # the printed date text, for the record


def _is_short_name_line(line: str, max_words: int = 8) -> bool:
    words = line.split(maxsplit=max_words)  # no need to split a long paragraph whole
    return 0 < len(words) <= max_words and not line.rstrip().endswith((".", "?", "!", ":", ";"))


def _title(lines: list[str], markdown: bool, header_lines: set[int]) -> str | None:
    """A Markdown heading, else a one-line first paragraph that reads as a headline.

    The byline and dateline lines (``header_lines``) end that paragraph: a headline is
    often printed straight above them.
    """
    for line in lines[:HEADER_LINES]:
        if markdown:
            heading = _MD_HEADING.match(line)
            if heading:
                return heading.group("title").strip()
    first_para: list[str] = []
    for i, line in enumerate(lines):
        if i in header_lines:
            break
        if not line.strip():
            if first_para:
                break
            continue
        first_para.append(line.strip())
    if len(first_para) == 1 and _is_short_name_line(first_para[0], max_words=20):
        return first_para[0].lstrip("# ").strip() or None
    return None


def read_header(text: str, markdown: bool = False) -> Header:
    """Title, byline and dateline stated in the first lines of ``text``."""
    lines = text.splitlines()
    head = lines[:HEADER_LINES]
    dateline_index: int | None = None
    published: PartialDate | None = None
    dateline_text: str | None = None
    for i, line in enumerate(head):
        match = _DATELINE.match(line)
        if match:
            published = parse_published(match.group("date"))
            if published is not None:
                dateline_index, dateline_text = i, match.group("date")
                break

    byline: str | None = None
    header_lines = {dateline_index} if dateline_index is not None else set()
    for i, line in enumerate(head):
        if i == dateline_index:
            continue
        by = _BY.match(line)
        if by and _is_short_name_line(by.group("who"), max_words=10):
            byline = by.group("who").strip()
        elif _is_short_name_line(line) and _ROLE_WORDS.search(line):
            byline = line.strip()
        if byline is not None:
            header_lines.add(i)
            break
    return Header(_title(lines, markdown, header_lines), byline, published, dateline_text)
