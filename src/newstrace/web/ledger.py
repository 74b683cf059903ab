"""What the document views show, read from the store: document rows and the reader.

Plain records only (no HTML), so the static report and the web UI render the same
thing. Reads that the stores do not offer yet (counts per document, pages) are
SQLAlchemy selects on the existing tables, always with bound parameters.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from newstrace.link.reuse import LINK_VERSION
from newstrace.records import (
    DatePrecision,
    DateSource,
    DirectionBasis,
    Document,
    Mention,
    PartialDate,
)
from newstrace.store import DocumentStore
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.store.links import LinkStore
from newstrace.store.schema import (
    AnalysisRow,
    ClaimMemberRow,
    DocumentRow,
    EventRow,
    FigureRow,
    PlaceRow,
    QuoteRow,
    ReuseLinkRow,
    ReusePairRow,
    TimeRow,
)
from newstrace.web.highlight import Highlight, Token, tokens
from newstrace.web.speakers import QuoteRef, SpeakerRef, numbered_quotes, speaker_ref

EXCERPT_CHARS = 160
COUNT_CHUNK = 1_000  # documents counted a statement (each binds its ids eight times)


# --- Documents -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A row of the documents list: metadata without the text, and finding counts."""

    id: int
    title: str | None
    outlet: str | None
    byline: str | None
    published: PartialDate | None
    published_source: DateSource
    source_format: str
    version: int
    analysed: bool
    english: bool
    counts: dict[str, int] = field(default_factory=dict)  # FindingKind.key -> count


# The documents asked for, bound when a statement runs: statements are built once, not per page.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_SUMMARY_COLUMNS = (
    DocumentRow.id,
    DocumentRow.title,
    DocumentRow.outlet,
    DocumentRow.byline,
    DocumentRow.published,
    DocumentRow.published_precision,
    DocumentRow.published_source,
    DocumentRow.source_format,
    DocumentRow.version,
    AnalysisRow.document_id,
    AnalysisRow.english,
)
_SUMMARIES = (
    select(*_SUMMARY_COLUMNS)
    .outerjoin(AnalysisRow, AnalysisRow.document_id == DocumentRow.id)
    .order_by(DocumentRow.id)
)


def document_summaries(
    store: DocumentStore,
    ids: Iterable[int] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[DocumentSummary]:
    """Documents in id order (all, or those in ``ids``), ``limit`` at most from ``offset``."""
    query = _SUMMARIES if ids is None else _SUMMARIES.where(DocumentRow.id.in_(_IDS))
    with Session(store.engine) as session:
        params = {} if ids is None else {"ids": list(ids)}
        rows = session.execute(query.offset(offset).limit(limit), params).all()
        counts = _counts(session, [r[0] for r in rows])
    return [
        DocumentSummary(
            id=row[0],
            title=row[1],
            outlet=row[2],
            byline=row[3],
            published=PartialDate(row[4], DatePrecision(row[5])) if row[4] is not None else None,
            published_source=DateSource(row[6]),
            source_format=row[7],
            version=row[8],
            analysed=row[9] is not None,
            english=bool(row[10]) if row[9] is not None else True,
            counts={kind.key: counts[kind.key][row[0]] for kind in KINDS},
        )
        for row in rows
    ]


def summaries_by_id(store: DocumentStore, ids: Iterable[int]) -> dict[int, DocumentSummary]:
    """The summaries of documents ``ids``, by id: how views name the documents they cite."""
    return {d.id: d for d in document_summaries(store, ids=ids)}


# --- The reader ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocLink:
    """A link from a finding to words of another document (``anchor`` there)."""

    doc_id: int
    anchor: str
    text: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One finding in the reader's side panel, linking to its span ``#anchor``."""

    anchor: str
    variant: str  # a CSS class suffix: the speaker kind of a quote, a place resolved or not
    excerpt: str
    kind_label: str
    details: tuple[tuple[str, str], ...] = ()  # (label, value)
    speaker: SpeakerRef | None = None
    elsewhere: DocLink | None = None  # the other side of a reused passage
    claim: str | None = None  # the key of the claim cluster the words belong to


@dataclass(frozen=True, slots=True)
class Finding:
    """A panel entry and the highlights that show it in the text."""

    entry: Entry
    highlights: tuple[Highlight, ...]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def number(value: float | None) -> str:
    """A count as written: ``12`` not ``12.0``; ``?`` when unknown."""
    if value is None:
        return "?"
    return str(int(value)) if value == int(value) else f"{value:g}"


def _details(*pairs: tuple[str, object]) -> tuple[tuple[str, str], ...]:
    """(label, value) rows for the values that are set."""
    return tuple((label, str(value)) for label, value in pairs if value not in (None, "", ()))


def _marked(mention: Mention, anchor: str, role: str, variant: str, label: str) -> Highlight:
    return Highlight(mention.span.start, mention.span.end, anchor, role, variant, label)


def _quote_finding(ref: QuoteRef) -> Finding:
    quote, anchor = ref.quote, ref.anchor
    speaker = quote.speaker
    kind = speaker.kind.value
    label = f"{quote.kind.value} quote · {speaker.name} ({kind.replace('_', ' ')})"
    parts = [_marked(quote.content, anchor, "quote", kind, label)]
    extra = [("speaker", speaker.mention), ("anonymity", speaker.anonymity), ("cue", quote.cue)]
    extra += [("hedge", h) for h in quote.hedges]
    parts += [
        Highlight(m.span.start, m.span.end, anchor, role, kind, f"{role} · {m.text}", anchor=False)
        for role, m in extra
        if m is not None
    ]
    words = {
        "described as": speaker.description,
        "anonymity": speaker.anonymity,
        "cue": quote.cue,
        "to": quote.recipient,
    }
    entry = Entry(
        anchor=anchor,
        variant=kind,
        excerpt=excerpt(quote.content.text),
        kind_label=f"{quote.kind.value} quote",
        details=_details(
            *((label, m.text if m else None) for label, m in words.items()),
            ("hedges", ", ".join(h.text for h in quote.hedges)),
        ),
        speaker=speaker_ref(speaker),
    )
    return Finding(entry, tuple(parts))


def _quote_findings(store: DocumentStore, doc: Document) -> list[Finding]:
    return [
        _quote_finding(ref) for ref in numbered_quotes(FindingStore(store.engine).quotes(doc.id))
    ]


def _period(start: dt.date | None, end: dt.date | None) -> str | None:
    if start is None:
        return None
    return start.isoformat() if end in (None, start) else f"{start.isoformat()} to {end}"


def _event_findings(store: DocumentStore, doc: Document) -> list[Finding]:
    found = []
    for n, event in enumerate(FindingStore(store.engine).events(doc.id), start=1):
        anchor = f"e-{n}"
        kind = " · ".join(filter(None, (event.event_type, event.sub_event_type)))
        place, date = event.place, event.date
        entry = Entry(
            anchor=anchor,
            variant="tally" if event.is_tally else "event",
            excerpt=excerpt(event.sentence.text),
            kind_label=("tally · " if event.is_tally else "") + kind,
            details=_details(
                ("trigger", event.trigger.text),
                ("actor", event.actor1),
                ("against", event.actor2),
                ("place", (place.name or place.mention.text) if place else None),
                ("date", (_period(date.start, date.end) or date.mention.text) if date else None),
                ("killed", event.fatalities.mention.text if event.fatalities else None),
                ("injured", event.injured.mention.text if event.injured else None),
                ("claimed by", event.claimed_by),
                ("doubts", "; ".join(event.flags)),
            ),
        )
        found.append(Finding(entry, (_marked(event.trigger, anchor, "event", "", kind),)))
    return found


def _place_findings(store: DocumentStore, doc: Document) -> list[Finding]:
    found = []
    for n, place in enumerate(FindingStore(store.engine).places(doc.id), start=1):
        anchor = f"p-{n}"
        resolved = place.latitude is not None and place.longitude is not None
        where = ", ".join(filter(None, (place.name, place.admin1, place.country)))
        entry = Entry(
            anchor=anchor,
            variant="resolved" if resolved else "unresolved",
            excerpt=place.mention.text,
            kind_label=place.feature_type or "place",
            details=_details(
                ("resolved to", where),
                (
                    "coordinates",
                    f"{place.latitude:.4f}, {place.longitude:.4f}" if resolved else None,
                ),
                ("precision", place.geo_precision),
                ("why", place.reason),
            ),
        )
        label = f"place · {where or 'not resolved'}"
        found.append(
            Finding(entry, (_marked(place.mention, anchor, "place", entry.variant, label),))
        )
    return found


def _time_findings(store: DocumentStore, doc: Document) -> list[Finding]:
    found = []
    for n, time in enumerate(FindingStore(store.engine).times(doc.id), start=1):
        anchor = f"t-{n}"
        period = _period(time.start, time.end)
        entry = Entry(
            anchor=anchor,
            variant="implausible" if time.implausible else "dated" if period else "undated",
            excerpt=time.mention.text,
            kind_label=f"{time.precision} date" + (" (relative)" if time.relative else ""),
            details=_details(
                ("means", period or "cannot be dated"),
                ("length", time.duration),
                ("doubt", "no calendar has this date" if time.implausible else None),
            ),
        )
        label = f"date · {period or 'undated'}"
        found.append(Finding(entry, (_marked(time.mention, anchor, "time", entry.variant, label),)))
    return found


def _figure_findings(store: DocumentStore, doc: Document) -> list[Finding]:
    found = []
    for n, figure in enumerate(FindingStore(store.engine).figures(doc.id), start=1):
        anchor = f"n-{n}"
        value = number(figure.best)
        if figure.low is not None and figure.high is not None and figure.low != figure.high:
            value += f" ({number(figure.low)} to {number(figure.high)})"
        entry = Entry(
            anchor=anchor,
            variant="implausible" if figure.implausible else figure.figure_class.value,
            excerpt=figure.mention.text,
            kind_label=f"{figure.figure_class.value} figure",
            details=_details(
                ("value", value),
                ("qualifier", figure.qualifier.value.replace("_", " ")),
                ("unit", figure.unit),
                ("note", figure.note),
            ),
        )
        label = f"figure · {figure.figure_class.value} · {value}"
        found.append(
            Finding(entry, (_marked(figure.mention, anchor, "figure", entry.variant, label),))
        )
    return found


def reuse_anchor(other_doc: int, start: int) -> str:
    """The anchor of a reused passage: unique per document, known to the other side too."""
    return f"r-{other_doc}-{start}"


def _names(store: DocumentStore, doc_ids: set[int]) -> dict[int, str]:
    """How a link names each document: its title and outlet, read in one query."""
    with Session(store.engine) as session:
        rows = session.execute(
            select(DocumentRow.id, DocumentRow.title, DocumentRow.outlet).where(
                DocumentRow.id.in_(doc_ids)
            )
        ).all()
    return {
        doc_id: f"{title or 'untitled'} ({outlet or 'unknown outlet'})"
        for doc_id, title, outlet in rows
    }


def _reuse_findings(store: DocumentStore, doc: Document) -> list[Finding]:
    found = []
    pairs = LinkStore(store.engine, LINK_VERSION).reuse(doc.id)
    names = _names(
        store, {p.origin_doc if p.derived_doc == doc.id else p.derived_doc for p in pairs}
    )
    for pair in pairs:
        derived = pair.derived_doc == doc.id
        other = pair.origin_doc if derived else pair.derived_doc
        decided = pair.direction is not DirectionBasis.UNDETERMINED
        relation = ("taken from" if derived else "taken by") if decided else "shared with"
        named = names.get(other, f"document {other}")
        for link in pair.links:
            here, there = (link.derived, link.origin) if derived else (link.origin, link.derived)
            anchor = reuse_anchor(other, here.start)
            edit, drift = link.quote_edit, link.drift
            entry = Entry(
                anchor=anchor,
                variant=link.kind.value,
                excerpt=excerpt(here.text_of(doc.text)),
                kind_label=f"{link.kind.value.replace('_', ' ')} · {relation} document {other}",
                details=_details(
                    ("similarity", f"{link.similarity:.0%}"),
                    ("who copied whom", pair.direction.value),
                    ("quote", f"{edit.change.value}" if edit else None),
                    ("words dropped", edit.dropped if edit else None),
                    ("words added", edit.added if edit else None),
                    (
                        "speaker described",
                        f"{drift.origin_speaker} → {drift.derived_speaker}" if drift else None,
                    ),
                ),
                elsewhere=DocLink(other, reuse_anchor(doc.id, there.start), named),
            )
            label = f"reused · {relation} document {other}"
            found.append(
                Finding(
                    entry,
                    (Highlight(here.start, here.end, anchor, "reuse", link.kind.value, label),),
                )
            )
    return sorted(found, key=lambda f: (f.highlights[0].start, f.entry.anchor))


def _claim_findings(store: DocumentStore, doc: Document) -> list[Finding]:
    """The document's words that are part of a claim, with its grade and its page."""
    found: list[Finding] = []
    for cluster in ClaimStore(store.engine).clusters(doc_id=doc.id):
        for member in cluster.members:
            span = member.evidence.span
            if span.doc_id != doc.id:
                continue
            anchor = f"c-{len(found) + 1}"
            grade = cluster.grade.name.lower()
            entry = Entry(
                anchor=anchor,
                variant=grade,
                excerpt=excerpt(member.evidence.text),
                kind_label=f"{cluster.grade.value} · {len(cluster.documents)} documents",
                details=_details(("source", member.source.name), ("claim", cluster.summary)),
                claim=cluster.key,
            )
            label = f"claim {cluster.key} · {cluster.grade.value}"
            found.append(
                Finding(entry, (Highlight(span.start, span.end, anchor, "claim", grade, label),))
            )
    return sorted(found, key=lambda f: (f.highlights[0].start, f.entry.anchor))


CountQuery = Select[*tuple[Any, ...]]  # (document id, count) of one kind of finding


def _count_by(column: Any) -> tuple[CountQuery, ...]:
    """Findings per document, counted in the database for the ids asked."""
    return (select(column, func.count()).where(column.in_(_IDS)).group_by(column),)


def _count_reuse() -> tuple[CountQuery, ...]:
    """Reused passages per document, on either side of a pair."""
    return tuple(
        select(side, func.count())
        .join(ReuseLinkRow, ReuseLinkRow.pair_id == ReusePairRow.id)
        .where(side.in_(_IDS))
        .group_by(side)
        for side in (ReusePairRow.origin_id, ReusePairRow.derived_id)
    )


def _counts(session: Session, ids: Sequence[int]) -> dict[str, Counter[int]]:
    """Findings of every kind per document, counted in one statement."""
    counts: dict[str, Counter[int]] = {kind.key: Counter() for kind in KINDS}
    for at in range(0, len(ids), COUNT_CHUNK):
        chunk = list(ids[at : at + COUNT_CHUNK])
        for doc_id, n, key in session.execute(_COUNTS, {"ids": chunk}).all():
            counts[key][doc_id] += n
    return counts


@dataclass(frozen=True, slots=True)
class FindingKind:
    """A kind of finding: a panel section in the reader and a count in the documents list."""

    key: str
    label: str
    read: Callable[[DocumentStore, Document], list[Finding]]
    count: tuple[CountQuery, ...] = field(compare=False)  # per document, for the ids bound


KINDS: tuple[FindingKind, ...] = (
    FindingKind("quote", "Quotes", _quote_findings, _count_by(QuoteRow.document_id)),
    FindingKind("event", "Events", _event_findings, _count_by(EventRow.document_id)),
    FindingKind("place", "Places", _place_findings, _count_by(PlaceRow.document_id)),
    FindingKind("time", "Dates", _time_findings, _count_by(TimeRow.document_id)),
    FindingKind("figure", "Figures", _figure_findings, _count_by(FigureRow.document_id)),
    FindingKind("reuse", "Reused passages", _reuse_findings, _count_reuse()),
    FindingKind("claim", "Claims", _claim_findings, _count_by(ClaimMemberRow.document_id)),
)
_COUNTS = union_all(*(q.add_columns(literal(kind.key)) for kind in KINDS for q in kind.count))


@dataclass(frozen=True, slots=True)
class Section:
    kind: FindingKind
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Reader:
    """A document with its findings: the text as tokens and the panel's sections."""

    doc: Document
    tokens: list[Token]
    sections: tuple[Section, ...]
    analysed: bool
    notes: tuple[str, ...]


def _analysis(store: DocumentStore, doc_id: int) -> tuple[bool, tuple[str, ...]]:
    with Session(store.engine) as session:
        row = session.get(AnalysisRow, doc_id)
        return (row is not None, tuple(row.notes) if row else ())


def reader(store: DocumentStore, doc_id: int) -> Reader | None:
    """The reader view of document ``doc_id``, or ``None`` when there is no such document."""
    doc = store.get(doc_id)
    if doc is None:
        return None
    found = {kind: kind.read(store, doc) for kind in KINDS}
    highlights = [h for findings in found.values() for f in findings for h in f.highlights]
    analysed, notes = _analysis(store, doc_id)
    return Reader(
        doc=doc,
        tokens=tokens(doc.text, highlights),
        sections=tuple(
            Section(kind, tuple(f.entry for f in findings)) for kind, findings in found.items()
        ),
        analysed=analysed,
        notes=notes,
    )
