"""HTML pages: main text and metadata through trafilatura."""

from __future__ import annotations

import re
from collections import Counter

import trafilatura
from trafilatura.utils import load_html

from newstrace.ingest.decode import decode_bytes, normalize_newlines
from newstrace.ingest.errors import IngestError
from newstrace.ingest.plaintext import read_header
from newstrace.ingest.published import parse_published
from newstrace.records import DateSource, DocumentInput

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Metadata only: never let date extraction search the body text for something date-like.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _only_link_text(text: str, html: str) -> bool:
    """Every extracted word is the text of some link: a menu or an index page, no article.

    trafilatura falls back to whatever text a page has, navigation included.
    """
    tree = load_html(html)
    if tree is None:
        return False
    link_words = Counter(word for link in tree.iter("a") for word in link.text_content().split())
    return not Counter(text.split()) - link_words


def html_to_document(
    html: str, source: str, url: str | None = None, source_format: str = "html"
) -> DocumentInput:
    """Extract the article in ``html``; raise :class:`IngestError` when there is none."""
    try:
        extracted = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError, RecursionError) as exc:  # malformed markup deep in lxml
        raise IngestError(f"unparseable HTML ({type(exc).__name__})") from exc
    text = normalize_newlines(getattr(extracted, "text", None) or "").strip()
    if not text or _only_link_text(text, html):
        raise IngestError("no article text found in the HTML")
    doc = DocumentInput(
        text=text,
        source=source,
        source_format=source_format,
        title=getattr(extracted, "title", None) or None,
        byline=getattr(extracted, "author", None) or None,
        outlet=getattr(extracted, "sitename", None) or None,
        url=getattr(extracted, "url", None) or url,
    )
    meta_date = getattr(extracted, "date", None)
    published = parse_published(meta_date) if meta_date else None
    if published is not None:
        doc.published, doc.published_source = published, DateSource.HTML_METADATA
    else:
        header = read_header(text)
        if header.published is not None:
            doc.published, doc.published_source = header.published, DateSource.DATELINE
        doc.byline = doc.byline or header.byline
    return doc


def read_html_bytes(data: bytes, source: str, url: str | None = None) -> DocumentInput:
    decoded = decode_bytes(data, declared_charset(data))
    doc = html_to_document(decoded.text, source, url)
    doc.encoding = decoded.encoding
    if decoded.warning:
        doc.warnings.append(decoded.warning)
    return doc
