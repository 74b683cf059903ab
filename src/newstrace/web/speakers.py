"""Speakers across the ledger, counted in the database.

The speakers list is one grouped query (kind, name, description, anonymity and document
per group of quotes), so a page never reads every quote; the server keeps it while the
ledger stays the same (``web/cache.py``). A speaker's own page reads one page of its
quotes by the speaker's stored names (indexed), and the other quotes of their documents
only to number them the way the reader does.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from anyascii import anyascii
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from newstrace.records import Quote, Speaker, SpeakerKind
from newstrace.store import DocumentStore
from newstrace.store.findings import quote_from_row
from newstrace.store.schema import QuoteRow

ANONYMOUS_KINDS = frozenset({SpeakerKind.ANONYMOUS_PERSON, SpeakerKind.ANONYMOUS_GROUP})
UNKNOWN_SPEAKER = "(no speaker found)"
QUOTE_PREFIX = "q"
DESCRIPTION = QuoteRow.mentions[("speaker_description", 0)].as_string()
ANONYMITY = QuoteRow.mentions[("speaker_anonymity", 0)].as_string()
Identity = tuple[str, str | None, str | None]  # a quote's speaker columns: kind, name, canonical


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    """Enough of a speaker to name it and link to its page."""

    name: str
    slug: str
    kind: SpeakerKind


def identity(kind: SpeakerKind, name: str | None, canonical: str | None) -> tuple[str, str]:
    """(grouping key, display name): the alias table's name when known, else the words.

    Anonymous speakers are grouped by the words that describe them, so one row may be
    several people; the speakers page says so.
    """
    if kind is SpeakerKind.UNKNOWN:
        return "", UNKNOWN_SPEAKER
    shown = canonical or name or "unknown"
    return " ".join(shown.casefold().split()), shown


def _identity(speaker: Speaker) -> tuple[str, str]:
    return identity(speaker.kind, speaker.name, speaker.canonical)


def _slug(key: str, name: str) -> str:
    """A URL- and file-name-safe id: the name's words plus a hash of the key keeps keys apart."""
    words = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")[:48].strip("-")
    return f"{words or 'speaker'}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:6]}"


def speaker_ref(speaker: Speaker) -> SpeakerRef:
    key, name = _identity(speaker)
    return SpeakerRef(name, _slug(key, name), speaker.kind)


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """A quote with the anchor of its span in the reader (``q-3`` of document 7)."""

    doc_id: int
    anchor: str
    quote: Quote


def _quote_order(quote: Quote) -> tuple[int, int, str, str, str]:
    span = quote.content.span
    return (span.start, span.end, quote.kind.value, quote.speaker.kind.value, quote.speaker.name)


def numbered_quotes(quotes: Iterable[Quote]) -> list[QuoteRef]:
    """Quotes with their anchors, numbered per document in text order.

    Every view numbers through here, so ``#q-3`` means the same quote wherever it is linked.
    """
    by_doc: dict[int, list[Quote]] = defaultdict(list)
    for quote in quotes:
        by_doc[quote.content.span.doc_id].append(quote)
    return [
        QuoteRef(doc_id, f"{QUOTE_PREFIX}-{n}", quote)
        for doc_id in sorted(by_doc)
        for n, quote in enumerate(sorted(by_doc[doc_id], key=_quote_order), start=1)
    ]


def quotes_by_id(store: DocumentStore, doc_ids: Iterable[int]) -> dict[int, QuoteRef]:
    """Every quote of ``doc_ids``, numbered as the reader numbers them, by row id."""
    query = (
        select(QuoteRow)
        .where(QuoteRow.document_id.in_(sorted(set(doc_ids))))
        .order_by(QuoteRow.document_id, QuoteRow.content_start, QuoteRow.id)
    )
    with Session(store.engine) as session:
        rows = [(row.id, quote_from_row(row)) for row in session.scalars(query)]
    refs = numbered_quotes(quote for _, quote in rows)
    by_quote = {id(ref.quote): ref for ref in refs}
    return {row_id: by_quote[id(quote)] for row_id, quote in rows}


@dataclass(slots=True)
class SpeakerSummary:
    """Everything the ledger holds about one speaker across documents."""

    slug: str
    key: str
    name: str
    kinds: Counter[SpeakerKind] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)  # the words as written
    descriptions: Counter[str] = field(default_factory=Counter)
    quote_count: int = 0
    anonymous: int = 0  # quotes given anonymously (anonymous kind or anonymity words)
    document_ids: set[int] = field(default_factory=set)
    identities: set[Identity] = field(default_factory=set)  # as stored: kind, name, canonical

    @property
    def kind(self) -> SpeakerKind:
        return self.kinds.most_common(1)[0][0]

    @property
    def documents(self) -> list[int]:
        return sorted(self.document_ids)


def speakers(store: DocumentStore) -> list[SpeakerSummary]:
    """Every speaker, most quoted first; quotes with no speaker found form one row."""
    grouped = (
        QuoteRow.speaker_kind,
        QuoteRow.speaker_name,
        QuoteRow.speaker_canonical,
        DESCRIPTION,
        ANONYMITY.is_not(None),
        QuoteRow.document_id,
    )
    with Session(store.engine) as session:
        rows = session.execute(select(*grouped, func.count()).group_by(*grouped)).all()
    found: dict[str, SpeakerSummary] = {}
    for kind_value, name, canonical, description, anonymity, doc_id, n in rows:
        kind = SpeakerKind(kind_value)
        key, shown = identity(kind, name, canonical)
        summary = found.setdefault(key, SpeakerSummary(_slug(key, shown), key, shown))
        summary.kinds[kind] += n
        if kind is not SpeakerKind.UNKNOWN and name:
            summary.names[name] += n
        if description:
            summary.descriptions[description] += n
        summary.quote_count += n
        summary.anonymous += n if kind in ANONYMOUS_KINDS or anonymity else 0
        summary.document_ids.add(doc_id)
        summary.identities.add((kind_value, name, canonical))
    return sorted(found.values(), key=lambda s: (-s.quote_count, s.name.casefold()))


def _said_by(summary: SpeakerSummary) -> ColumnElement[bool]:
    """Quotes whose stored speaker is one of the summary's (an indexed match on the name)."""

    def equal(column: InstrumentedAttribute[str | None], value: str | None) -> ColumnElement[bool]:
        return column.is_(None) if value is None else column == value

    return or_(
        *(
            and_(
                QuoteRow.speaker_kind == kind,
                equal(QuoteRow.speaker_name, name),
                equal(QuoteRow.speaker_canonical, canonical),
            )
            for kind, name, canonical in sorted(summary.identities, key=str)
        )
    )


def speaker_quotes(
    store: DocumentStore, summary: SpeakerSummary, offset: int = 0, limit: int | None = None
) -> list[QuoteRef]:
    """The speaker's quotes in document and text order (``limit`` from ``offset``), with
    the reader's anchors; only the documents of the quotes asked for are read."""
    query = (
        select(QuoteRow.id, QuoteRow.document_id)
        .where(_said_by(summary))
        .order_by(
            QuoteRow.document_id,
            QuoteRow.content_start,
            QuoteRow.content_end,
            QuoteRow.kind,
            QuoteRow.speaker_kind,
            QuoteRow.id,
        )
        .offset(offset)
        .limit(limit)
    )
    with Session(store.engine) as session:
        rows = session.execute(query).all()
    return quote_refs(store, rows)


def quote_refs(store: DocumentStore, quotes: Iterable[tuple[int, int]]) -> list[QuoteRef]:
    """The quotes (row id, document id) with the reader's anchors, in document and text
    order; only their documents' quotes are read, to number them."""
    wanted = dict(quotes)
    refs = quotes_by_id(store, set(wanted.values()))
    return sorted(
        (refs[quote_id] for quote_id in wanted if quote_id in refs),
        key=lambda r: (r.doc_id, int(r.anchor.split("-")[1])),
    )
