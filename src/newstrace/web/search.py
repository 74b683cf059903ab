"""Search across documents, quotes and speakers: SQLite FTS5, or PostgreSQL full text.

The indexes come from migration 0006. A query is untrusted: only its words are kept,
and each is quoted as an FTS5 string (or handed to ``websearch_to_tsquery``, which takes
any text), always as a bound parameter, so no input can break the query syntax. Every
word must match; words match their stems (``killed`` finds ``kills``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from newstrace.records import SpeakerKind
from newstrace.store import DocumentStore
from newstrace.store.schema import DocumentRow, QuoteRow
from newstrace.web.ledger import DocumentSummary, summaries_by_id
from newstrace.web.speakers import QuoteRef, SpeakerSummary, identity, quote_refs, speakers

SEARCH_LIMIT = 50  # rows per kind of result; the page says when there were more
MAX_TERMS = 16
SNIPPET_CONTEXT = 80
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")

# On PostgreSQL, the expressions migration 0006 indexes (kept identical so the indexes serve).
DOCUMENT_VECTOR = (
    "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(outlet, '') "
    "|| ' ' || coalesce(byline, '') || ' ' || text)"
)
QUOTE_VECTOR = (
    "to_tsvector('english'::regconfig, content_text || ' ' || coalesce(speaker_name, '') "
    "|| ' ' || coalesce(speaker_canonical, ''))"
)
SPEAKER_VECTOR = (
    "to_tsvector('english'::regconfig, coalesce(speaker_name, '') || ' ' "
    "|| coalesce(speaker_canonical, '') || ' ' "
    "|| coalesce(mentions #>> '{speaker_description,0}', ''))"
)
# On SQLite, the FTS5 tables and the columns that hold a speaker's words.
_SQLITE = {
    "documents": "SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q "
    "ORDER BY rank, rowid LIMIT :n",
    "quotes": "SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH :q "
    "ORDER BY rank, rowid LIMIT :n",
    "speakers": "SELECT DISTINCT quotes.speaker_kind, quotes.speaker_name, "
    "quotes.speaker_canonical FROM quotes_fts JOIN quotes ON quotes.id = quotes_fts.rowid "
    "WHERE quotes_fts MATCH :q",
}
_SPEAKER = (QuoteRow.speaker_kind, QuoteRow.speaker_name, QuoteRow.speaker_canonical)
_SPEAKER_COLUMNS = "{speaker_name speaker_canonical speaker_description}"


def terms(query: str) -> list[str]:
    """The words of ``query`` (letters and digits), at most :data:`MAX_TERMS`."""
    return _WORD.findall(query)[:MAX_TERMS]


def fts5_query(words: list[str], columns: str = "") -> str:
    """Every word as a quoted FTS5 string (all required); ``columns`` limits where."""
    quoted = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return f"{columns} : ({quoted})" if columns else quoted


def _matching(engine: Engine, kind: str, words: list[str], limit: int) -> list[int]:
    """Row ids of ``kind`` ("documents" or "quotes") that hold every word, best first."""
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            table, vector = (
                (DocumentRow, DOCUMENT_VECTOR) if kind == "documents" else (QuoteRow, QUOTE_VECTOR)
            )
            query = select(table.id).where(postgres_match(vector, words))
            return list(session.scalars(query.order_by(table.id).limit(limit)))
        params = {"q": fts5_query(words), "n": limit}
        return [int(i) for i in session.scalars(text(_SQLITE[kind]), params)]


def postgres_match(vector: str, words: list[str]) -> ColumnElement[bool]:
    """``vector @@ websearch_to_tsquery(words)``, the words bound as one parameter.

    Each word is quoted, so "or" and a leading "-" stay words (or stop words), never operators.
    """
    quoted = " ".join(f'"{w}"' for w in words)
    tsquery = func.websearch_to_tsquery(literal_column("'english'::regconfig"), quoted)
    return literal_column(vector).bool_op("@@")(tsquery)


@dataclass(frozen=True, slots=True)
class Snippet:
    """Words around a hit: the hit itself kept apart so the template can mark it."""

    before: str
    hit: str
    after: str


@dataclass(frozen=True, slots=True)
class DocumentHit:
    summary: DocumentSummary
    snippet: Snippet | None  # None when only the metadata matched


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    documents: list[DocumentHit]
    quotes: list[QuoteRef]
    speakers: list[SpeakerSummary]
    more: frozenset[str]  # kinds of result cut at SEARCH_LIMIT


def snippet(text: str, words: list[str], context: int = SNIPPET_CONTEXT) -> Snippet | None:
    """The first word of ``text`` that starts like one of ``words``, with context around."""
    if not words:
        return None
    pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    found = re.search(rf"\b(?:{pattern})\w*", text, re.IGNORECASE)
    if found is None:
        return None
    start, end = max(0, found.start() - context), min(len(text), found.end() + context)
    return Snippet(
        ("…" if start else "") + _SPACES.sub(" ", text[start : found.start()]),
        found.group(),
        _SPACES.sub(" ", text[found.end() : end]) + ("…" if end < len(text) else ""),
    )


def search(
    store: DocumentStore,
    query: str,
    everyone: Callable[[], list[SpeakerSummary]] | None = None,
) -> SearchResults:
    """Documents, quotes and speakers whose words hold every word of ``query``.

    ``everyone()`` gives every speaker (the server keeps them; by default they are read).
    """
    words = terms(query)
    if not words:
        return SearchResults(query, [], [], [], frozenset())
    engine, more = store.engine, set()
    doc_ids = _matching(engine, "documents", words, SEARCH_LIMIT + 1)
    quote_ids = _matching(engine, "quotes", words, SEARCH_LIMIT + 1)
    for kind, found in (("documents", doc_ids), ("quotes", quote_ids)):
        if len(found) > SEARCH_LIMIT:
            more.add(kind)
    summaries = summaries_by_id(store, doc_ids[:SEARCH_LIMIT])
    texts = _texts(engine, doc_ids[:SEARCH_LIMIT])
    documents = [
        DocumentHit(summaries[doc_id], snippet(texts[doc_id], words))
        for doc_id in doc_ids[:SEARCH_LIMIT]
        if doc_id in summaries
    ]
    with Session(engine) as session:
        shown = session.execute(
            select(QuoteRow.id, QuoteRow.document_id).where(
                QuoteRow.id.in_(quote_ids[:SEARCH_LIMIT])
            )
        ).all()
    quotes = quote_refs(store, shown)
    keys = _speaker_keys(engine, words)
    speaker_hits = [s for s in (everyone or partial(speakers, store))() if s.key in keys]
    if len(speaker_hits) > SEARCH_LIMIT:
        more.add("speakers")
    return SearchResults(query, documents, quotes, speaker_hits[:SEARCH_LIMIT], frozenset(more))


def _texts(engine: Engine, doc_ids: list[int]) -> dict[int, str]:
    """The text of each document, in one query."""
    with Session(engine) as session:
        rows = session.execute(
            select(DocumentRow.id, DocumentRow.text).where(DocumentRow.id.in_(doc_ids))
        ).all()
    return {doc_id: body for doc_id, body in rows}


def _speaker_keys(engine: Engine, words: list[str]) -> set[str]:
    """The speakers (grouping keys) whose name or description holds every word."""
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            rows = session.execute(
                select(*_SPEAKER).where(postgres_match(SPEAKER_VECTOR, words)).distinct()
            ).all()
        else:
            rows = session.execute(
                text(_SQLITE["speakers"]), {"q": fts5_query(words, _SPEAKER_COLUMNS)}
            ).all()
    return {identity(SpeakerKind(kind), name, canonical)[0] for kind, name, canonical in rows}
