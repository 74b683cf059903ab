"""Typed records shared by every stage.

Every finding newstrace produces rests on :class:`Span` objects: a document id and
character offsets into the document's *stored* text, so a user can always go back
to the exact characters a finding came from. Stages exchange these records, the
store persists them, and the report and web layers render them.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass, field
from enum import StrEnum


class DatePrecision(StrEnum):
    """How much of a date the source actually states."""

    DAY = "day"
    WEEK = "week"  # a calendar week, Monday to Sunday ("last week")
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

    def last_day(self) -> dt.date:
        """The last day of the stated period: two dates are ordered only when one period
        ends before the other begins."""
        if self.precision is DatePrecision.YEAR:
            return self.value.replace(month=12, day=31)
        if self.precision is DatePrecision.MONTH:
            return self.value.replace(day=monthrange(self.value.year, self.value.month)[1])
        if self.precision is DatePrecision.WEEK:
            return self.value + dt.timedelta(days=6)
        return self.value


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


# --- Findings ------------------------------------------------------------------------
# Each finding is a frozen record that carries the spans it rests on. Extraction stages
# build them from one document's text; ``doc_id`` in their spans is the stored id (0
# while a text is analysed before it is stored).


@dataclass(frozen=True, slots=True)
class Mention:
    """A piece of text that a finding quotes as evidence: the words and where they are."""

    text: str
    span: Span


class SpeakerKind(StrEnum):
    NAMED_PERSON = "named_person"
    ANONYMOUS_PERSON = "anonymous_person"
    ANONYMOUS_GROUP = "anonymous_group"
    ORGANIZATION = "organization"
    OUTLET = "outlet"
    DOCUMENT = "document"  # a report, statement, post
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a statement is attributed to, as written and as resolved in the document.

    ``mention`` is the reference next to the statement ("he", "the source"); ``resolved``
    the fullest mention of the same speaker in the document ("Defence Minister Omar Saleh").
    """

    kind: SpeakerKind
    mention: Mention | None
    resolved: Mention | None = None
    description: Mention | None = None  # role and affiliation words as written
    anonymity: Mention | None = None  # "who asked to remain unnamed"
    canonical: str | None = None  # the alias table's name for a known actor or outlet

    @property
    def name(self) -> str:
        chosen = self.resolved or self.mention
        return chosen.text if chosen else "unknown"


class QuoteKind(StrEnum):
    DIRECT = "direct"
    PARTIAL = "partial"  # a quoted phrase inside the reporter's sentence
    INDIRECT = "indirect"  # reported speech


@dataclass(frozen=True, slots=True)
class Quote:
    """An attributed statement: its content span, speaker, cue verb, recipient, hedges."""

    kind: QuoteKind
    content: Mention
    speaker: Speaker
    cue: Mention | None = None  # "said", "told", "according to"
    recipient: Mention | None = None  # "Reuters" in "told Reuters"
    hedges: tuple[Mention, ...] = ()


class FigureClass(StrEnum):
    KILLED = "killed"
    INJURED = "injured"
    FIGHTERS = "fighters"  # fighters, troops, members
    OPERATIONS = "operations"  # operations, attacks
    DISTANCE = "distance"
    MONEY = "money"
    OTHER = "other"


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROXIMATE = "approximate"  # around, about, nearly
    MORE_THAN = "more_than"
    LESS_THAN = "less_than"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    RANGE = "range"  # between 150 and 200
    VAGUE = "vague"  # dozens, hundreds, thousands


@dataclass(frozen=True, slots=True)
class Figure:
    """A number with its unit noun: best value with low/high bounds, as UCDP keeps them."""

    mention: Mention
    best: float | None
    low: float | None
    high: float | None
    qualifier: Qualifier
    figure_class: FigureClass
    unit: str | None = None
    implausible: bool = False  # ill-formed or impossible: kept as a mention, not a value
    note: str = ""  # why it is implausible, or how it was derived ("sum of the listed victims")


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A temporal expression normalized against the document's published date.

    ``start``/``end`` bound the period meant (a day, a week, a month...). Both stay
    ``None`` when the expression is relative and the document has no date.
    """

    mention: Mention
    start: dt.date | None
    end: dt.date | None
    precision: DatePrecision
    relative: bool = False
    duration: str | None = None  # ISO 8601 length of "four years after" ("P4Y")
    implausible: bool = False  # a date no calendar has ("31 February"): kept, never dated


@dataclass(frozen=True, slots=True)
class Place:
    """A toponym resolved (or not) to a gazetteer entry.

    ``geo_precision`` follows ACLED: 1 the named place itself, 2 a nearby or part-of
    region, 3 only the larger region. Unresolved places keep their text and no
    coordinates; none are ever invented.
    """

    mention: Mention
    name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    feature_type: str | None = None  # city, region, valley, desert, base, country...
    country: str | None = None
    admin1: str | None = None
    geo_precision: int | None = None
    gazetteer_id: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an event field holds what it holds, or why it stays empty."""

    field: str  # "place", "date", "fatalities", "injured", "actor1", "actor2", "type"
    text: str


@dataclass(frozen=True, slots=True)
class Event:
    """A reported happening, typed on the ACLED scheme (``data/event_types.yaml``).

    Every field rests on words of the text and carries a :class:`Reason`; a field the
    text does not support stays empty with its reason, and never empties the others. A
    tally ("753 people during 491 operations in 2024") is kept as one aggregate record
    with ``is_tally`` set, never as one event.
    """

    trigger: Mention  # "bombings", "drone-attacked", "killed"
    sentence: Mention  # the sentence that reports it (ACLED's notes)
    event_type: str
    sub_event_type: str | None = None
    actor1: str | None = None  # the alias table's name, else the words as written
    actor1_mention: Mention | None = None
    actor2: str | None = None
    actor2_mention: Mention | None = None
    place: Place | None = None
    date: TimeExpression | None = None
    fatalities: Figure | None = None
    injured: Figure | None = None
    claim: Mention | None = None  # "ISIS claimed responsibility", "according to SOHR"
    claimed_by: str | None = None
    is_tally: bool = False
    also: tuple[Mention, ...] = ()  # other sentences that report the same event
    reasons: tuple[Reason, ...] = ()
    flags: tuple[str, ...] = ()  # doubts a reader should see ("toll above any single attack")

    def reason(self, name: str) -> str:
        """The reason recorded for field ``name`` ('' when none was)."""
        return next((r.text for r in self.reasons if r.field == name), "")


@dataclass(frozen=True, slots=True)
class SentenceVector:
    """A claim sentence's embedding, made beside the findings (on whichever worker
    analysed the document), so that linking only compares vectors."""

    span: Span
    model: str
    vector: bytes  # unit length, float16


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the per-document stages found in one document."""

    doc_id: int
    english: bool
    quotes: tuple[Quote, ...] = ()
    figures: tuple[Figure, ...] = ()
    times: tuple[TimeExpression, ...] = ()
    places: tuple[Place, ...] = ()
    events: tuple[Event, ...] = ()
    notes: tuple[str, ...] = ()  # what was skipped and why
    claim_vectors: tuple[SentenceVector, ...] = ()  # empty when not embedded


# --- Reuse between documents ---------------------------------------------------------
# Links carry spans into both documents, so the claims and corroboration stages can
# group what several documents say by following who took it from whom.


class ReuseKind(StrEnum):
    """How a stretch was taken from another document."""

    VERBATIM_QUOTE = "verbatim_quote"  # the same words, between quotation marks on both sides
    VERBATIM_PASSAGE = "verbatim_passage"  # the same words, not quoted on both sides
    NEAR_VERBATIM = "near_verbatim"  # the same words save a few edited inside
    PARAPHRASE = "paraphrase"  # the same content in other words (sentence embeddings)


class DirectionBasis(StrEnum):
    """What told the origin from the derived copy, strongest first.

    ``undetermined`` when nothing did: the two sides then stand in store order (the
    earlier-stored document as ``origin``), which says nothing about who copied whom.
    """

    PUBLISHED = "published"  # the origin was published before the derived document
    CITATION = "citation"  # the derived text names the origin's outlet as its source
    COMPLETENESS = "completeness"  # the origin holds the fuller copies of shared quotes
    UNDETERMINED = "undetermined"


class Relation(StrEnum):
    """The METER corpus's classes for a text against the source it may derive from."""

    WHOLLY_DERIVED = "wholly_derived"
    PARTIALLY_DERIVED = "partially_derived"
    INDEPENDENT = "independent"


class DriftAspect(StrEnum):
    """What changed in how a copied quote's speaker is described."""

    NAME = "name"  # another named person
    NAMED = "named"  # named on one side, unnamed on the other
    ROLE = "role"  # "spokesman" -> "official", "senior officer" -> "officer"
    AFFILIATION = "affiliation"  # "provincial police" -> "army"
    ANONYMITY = "anonymity"  # an anonymity marker on one side only


@dataclass(frozen=True, slots=True)
class Change:
    """One aspect of a description, as each side words it ('' where a side has none)."""

    aspect: DriftAspect
    origin: str
    derived: str


@dataclass(frozen=True, slots=True)
class AttributionDrift:
    """The same words attributed to a differently described speaker."""

    origin_speaker: str  # the description as written: "A senior army officer, who ..."
    derived_speaker: str
    changes: tuple[Change, ...]


class QuoteChange(StrEnum):
    TRUNCATED = "truncated"  # the derived copy leaves out words of the origin's quote
    EXTENDED = "extended"  # the derived copy's quote runs on past the origin's
    RECUT = "recut"  # both: words left out and words added at its ends


@dataclass(frozen=True, slots=True)
class QuoteEdit:
    """How a copied quote's extent differs: the words each side has that the other lacks."""

    change: QuoteChange
    dropped: str  # words of the origin's quote missing from the derived copy
    added: str  # words of the derived copy's quote missing from the origin


class ClaimField(StrEnum):
    """What a reused or paraphrased claim may change while saying the same."""

    PLACE = "place"
    TIME = "time"
    FIGURE = "figure"  # a toll, a count of fighters or of attacks
    ACTOR = "actor"  # an armed group or state force named


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """One field of a claim as each side states it ('' where a side states none)."""

    field: ClaimField
    origin: str
    derived: str


@dataclass(frozen=True, slots=True)
class ReuseLink:
    """A stretch of the derived document taken from a stretch of the origin."""

    origin: Span
    derived: Span
    kind: ReuseKind
    similarity: float  # of the two stretches' words: 1.0 when verbatim
    drift: AttributionDrift | None = None
    quote_edit: QuoteEdit | None = None
    mutations: tuple[ClaimChange, ...] = ()  # a mutated claim: place, time, figure, actor


@dataclass(frozen=True, slots=True)
class DirectionReason:
    """One piece of evidence on who copied whom, and the document it says is the origin."""

    basis: DirectionBasis
    origin_doc: int
    text: str
    evidence: Mention | None = None  # the citing words, in the document that cites


@dataclass(frozen=True, slots=True)
class DocumentReuse:
    """What one document took from another.

    ``reasons`` lists every piece of direction evidence found, deciding or not (they may
    disagree: then ``direction`` is ``undetermined``). ``reused_share`` is the share of
    the derived document's words inside its links, which ``relation`` classifies.
    """

    origin_doc: int
    derived_doc: int
    direction: DirectionBasis
    relation: Relation
    reused_share: float
    links: tuple[ReuseLink, ...]
    reasons: tuple[DirectionReason, ...] = ()


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence or quote indexed for reuse search, with its MinHash signature."""

    span: Span
    signature: bytes


# --- Claims and corroboration ---------------------------------------------------------
# A claim is what several documents may say alike: an attributed statement or an event
# with its tolls. Claims are grouped into clusters across the corpus, and each cluster is
# graded by how many independent origins stand behind it (``link/claims.py``).


class ClaimKind(StrEnum):
    STATEMENT = "statement"  # an attributed statement (a quote, direct or reported)
    EVENT = "event"  # a reported happening, with its tolls as figures


class Grade(StrEnum):
    """Corroboration of a claim, in the words of the NATO/Admiralty credibility scale."""

    CONFIRMED = "confirmed by independent sources"
    SINGLE_NAMED = "single source, named"
    SINGLE_ANONYMOUS = "single source, anonymous"
    ECHOED = "echoed only"  # several documents, one origin
    CONTRADICTED = "contradicted"  # independent origins give incompatible values


@dataclass(frozen=True, slots=True)
class ClaimSource:
    """Who a document says the claim comes from: a speaker, or the outlet itself."""

    name: str
    kind: SpeakerKind
    key: str  # equal keys are one source: a canonical name, or the words lower-cased

    @property
    def named(self) -> bool:
        return self.kind not in {
            SpeakerKind.ANONYMOUS_PERSON,
            SpeakerKind.ANONYMOUS_GROUP,
            SpeakerKind.UNKNOWN,
        }


@dataclass(frozen=True, slots=True)
class ClaimMember:
    """One document's version of a claim: the words it rests on and who it cites."""

    kind: ClaimKind
    evidence: Mention  # the quote's content, or the event's sentence
    source: ClaimSource
    event: Event | None = None  # for an event claim: the event as found


@dataclass(frozen=True, slots=True)
class ProvenanceEdge:
    """That one document's version of a claim was taken from another's.

    ``direction`` is the reuse pair's basis; ``undetermined`` means the two share the words
    but nothing told who copied whom. ``notes`` are the drift and edits of the copy.
    """

    origin_doc: int
    derived_doc: int
    direction: DirectionBasis
    kind: ReuseKind
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FigureValue:
    """A toll as one document states it, with where and from whom."""

    doc_id: int
    outlet: str | None
    published: PartialDate | None
    harm: FigureClass  # killed or injured
    figure: Figure
    sentence: Mention
    source: ClaimSource


@dataclass(frozen=True, slots=True)
class FigureDisagreement:
    """Different tolls for one event; ``compatible`` when every pair of values could be
    true together (overlapping bounds, or a later and higher count: a rising toll)."""

    harm: FigureClass
    values: tuple[FigureValue, ...]
    compatible: bool


@dataclass(frozen=True, slots=True)
class ClaimCluster:
    """What several documents (or one) say alike, its provenance and its grade.

    ``key`` is stable across recomputation (the kind and the first member's position),
    so a user can cite it; ``evidence`` says in words why the grade is what it is.
    """

    key: str
    kind: ClaimKind
    summary: str
    members: tuple[ClaimMember, ...]
    edges: tuple[ProvenanceEdge, ...]
    origins: int
    grade: Grade
    evidence: str
    disagreements: tuple[FigureDisagreement, ...] = ()

    @property
    def documents(self) -> tuple[int, ...]:
        return tuple(sorted({m.evidence.span.doc_id for m in self.members}))
