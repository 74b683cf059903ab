"""Claims across the corpus: what several documents say alike, grouped and graded.

A claim is a check-worthy statement: an attributed statement (each stored quote) or a
reported event (each stored event that is not a tally, its tolls as figures). Claims are
grouped into clusters in two passes:

1. reuse first: a quote or event sentence and its copy in another document (a stored
   reuse link, verbatim or near verbatim, joins their stretches) are one claim, whatever
   the copy changed; paraphrase links are left to step 2, which compares statements by
   meaning at its own threshold;
2. then likeness between documents: statements a :class:`Similarity` pairs (and whose
   numbers, when both state some, share one); events of the same type placed within
   ``RADIUS_KM`` of each other (or in one province, when either is placed only to its
   province) on days at most ``DAYS_APART`` apart. Groups are joined transitively, so
   an event placed only to a province can join two towns of it into one cluster.

Each cluster gets its provenance (:mod:`.corroboration`), its figure disagreements
(:mod:`.disagreements`) and its grade with the evidence in words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import chain

from newstrace.gazetteer.geo import haversine_km
from newstrace.link.corroboration import (
    COPY_KINDS,
    SAME_WORDS,
    SELF_PREFIX,
    grade,
    overlaps,
    provenance,
    spans_of,
    unlinked_copies,
)
from newstrace.link.disagreements import describe_value, disagreements
from newstrace.link.similarity import Similarity, TokenSetSimilarity
from newstrace.records import (
    ClaimCluster,
    ClaimKind,
    ClaimMember,
    ClaimSource,
    DatePrecision,
    DocumentReuse,
    Event,
    FigureDisagreement,
    PartialDate,
    Place,
    Quote,
    Speaker,
    SpeakerKind,
)

RADIUS_KM = 25.0  # two events this close are one place (a town and its outskirts)
REGIONAL_PRECISION = 3  # ACLED geo-precision: only the province is known
DAYS_APART = 2  # reports of one event often date it a day or two apart
SUMMARY_CHARS = 140
_ARTICLES = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# How an event's source reads when no quote in its document names it: an indefinite or
# plural unnamed source is anonymous, anything else ("police", "the hospital") an
# organisation.
_INDEFINITE = re.compile(r"^(?:a|an|one|some|several|two|three)\s", re.IGNORECASE)
_UNNAMED_GROUP = re.compile(
    r"\b(?:sources|officials|residents|witnesses|activists|medics)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What grading shows of a document: its outlet and published date."""

    outlet: str | None
    published: PartialDate | None


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything claims are built from, as the stores return it."""

    quotes: Sequence[Quote]
    events: Sequence[Event]
    reuse: Sequence[DocumentReuse]
    documents: dict[int, DocumentInfo]


def source_key(name: str) -> str:
    """Equal keys are one source: the words lower-cased, without a leading article."""
    return _ARTICLES.sub("", " ".join(name.split()).lower())


def speaker_source(speaker: Speaker) -> ClaimSource:
    key = speaker.canonical or source_key(speaker.name)
    return ClaimSource(speaker.name, speaker.kind, key)


def outlet_source(doc_id: int, info: DocumentInfo | None) -> ClaimSource:
    """The outlet as the source of what it states without citing anyone."""
    outlet = info.outlet if info else None
    name = outlet or f"document {doc_id}"
    return ClaimSource(name, SpeakerKind.OUTLET, SELF_PREFIX + source_key(name))


def event_source(event: Event, quotes: Sequence[Quote], info: DocumentInfo | None) -> ClaimSource:
    """Who the event's document cites for it: the speaker of a quote whose speaker words
    are the event's source words, else the source words read as they are, else the outlet."""
    doc_id = event.sentence.span.doc_id
    if event.claim is None or not event.claimed_by:
        return outlet_source(doc_id, info)
    for quote in quotes:
        speaker = quote.speaker
        words = [m for m in (speaker.mention, speaker.resolved) if m is not None]
        if any(overlaps(m.span, event.claim.span) for m in words):
            return speaker_source(speaker)
    name = event.claimed_by
    if _UNNAMED_GROUP.search(name):
        kind = SpeakerKind.ANONYMOUS_GROUP
    elif _INDEFINITE.match(name):
        kind = SpeakerKind.ANONYMOUS_PERSON
    else:
        kind = SpeakerKind.ORGANIZATION
    return ClaimSource(name, kind, source_key(name))


def members_of(corpus: Corpus) -> list[ClaimMember]:
    """Every claim a document makes: its quotes, then its events (tallies left out)."""
    by_doc: dict[int, list[Quote]] = {}
    for quote in corpus.quotes:
        by_doc.setdefault(quote.content.span.doc_id, []).append(quote)
    members = [
        ClaimMember(ClaimKind.STATEMENT, q.content, speaker_source(q.speaker))
        for q in corpus.quotes
    ]
    for event in corpus.events:
        if event.is_tally:
            continue
        doc_id = event.sentence.span.doc_id
        source = event_source(event, by_doc.get(doc_id, []), corpus.documents.get(doc_id))
        members.append(ClaimMember(ClaimKind.EVENT, event.sentence, source, event))
    return members


class _Groups:
    """Union-find over member indexes."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            found.setdefault(self.find(i), []).append(i)
        return list(found.values())


def _reused_pairs(
    members: Sequence[ClaimMember], reuse: Iterable[DocumentReuse]
) -> Iterator[tuple[int, int]]:
    """Members of one kind whose stretches a reuse link joins."""
    by_doc: dict[int, list[int]] = {}
    for i, member in enumerate(members):
        by_doc.setdefault(member.evidence.span.doc_id, []).append(i)
    for pair in reuse:
        for link in (link for link in pair.links if link.kind in COPY_KINDS):
            origins = [
                i
                for i in by_doc.get(pair.origin_doc, [])
                if any(overlaps(link.origin, s) for s in spans_of(members[i]))
            ]
            derived = [
                j
                for j in by_doc.get(pair.derived_doc, [])
                if any(overlaps(link.derived, s) for s in spans_of(members[j]))
            ]
            yield from (
                (i, j) for i in origins for j in derived if members[i].kind is members[j].kind
            )


def _numbers_agree(a: str, b: str) -> bool:
    """Statements that both state numbers are one claim only if they share one."""
    found_a, found_b = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    return not found_a or not found_b or bool(found_a & found_b)


def _similar_statements(
    members: Sequence[ClaimMember], similarity: Similarity
) -> Iterator[tuple[int, int]]:
    """Statements of two documents that ``similarity`` pairs, or that share their words
    (a cut copy the reuse linker missed is one claim whatever the model thinks of it)."""
    indexes = [i for i, m in enumerate(members) if m.kind is ClaimKind.STATEMENT]
    texts = [" ".join(members[i].evidence.text.split()) for i in indexes]
    found = similarity.pairs(texts)
    if not isinstance(similarity, TokenSetSimilarity):
        found = chain(found, TokenSetSimilarity(SAME_WORDS).pairs(texts))
    for a, b, _score in found:
        i, j = indexes[a], indexes[b]
        if members[i].evidence.span.doc_id == members[j].evidence.span.doc_id:
            continue
        if _numbers_agree(texts[a], texts[b]):
            yield i, j


def _placed_and_dated(event: Event) -> tuple[Place, dt.date, dt.date] | None:
    place, date = event.place, event.date
    if place is None or place.latitude is None or place.longitude is None:
        return None
    if date is None or date.start is None or date.precision is not DatePrecision.DAY:
        return None
    return place, date.start, date.end or date.start


def same_place(a: Place, b: Place) -> bool:
    """Within ``RADIUS_KM``; or, when either is known only to its province (ACLED's
    precision 3), both in that province."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return False
    if haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= RADIUS_KM:
        return True
    regional = REGIONAL_PRECISION in {a.geo_precision, b.geo_precision}
    return regional and a.admin1 is not None and (a.country, a.admin1) == (b.country, b.admin1)


def same_event(a: Event, b: Event) -> bool:
    """Same type, :func:`same_place`, days at most ``DAYS_APART`` apart."""
    where_a, where_b = _placed_and_dated(a), _placed_and_dated(b)
    if where_a is None or where_b is None or a.event_type != b.event_type:
        return False
    place_a, start_a, end_a = where_a
    place_b, start_b, end_b = where_b
    gap = max((start_b - end_a).days, (start_a - end_b).days, 0)
    return gap <= DAYS_APART and same_place(place_a, place_b)


def _similar_events(members: Sequence[ClaimMember]) -> Iterator[tuple[int, int]]:
    """Pairs of one event type compared only within a window of days, in date order."""
    dated: dict[str, list[tuple[dt.date, dt.date, int]]] = {}
    for i, member in enumerate(members):
        event = member.event
        if event is not None and (found := _placed_and_dated(event)) is not None:
            dated.setdefault(event.event_type, []).append((found[1], found[2], i))
    window = dt.timedelta(days=DAYS_APART)
    for events in dated.values():
        events.sort()
        for n, (_start, end, i) in enumerate(events):
            for start_b, _end_b, j in events[n + 1 :]:
                if start_b - end > window:
                    break
                a, b = members[i], members[j]
                if a.evidence.span.doc_id == b.evidence.span.doc_id:
                    continue
                if a.event is not None and b.event is not None and same_event(a.event, b.event):
                    yield i, j


def _excerpt(text: str) -> str:
    shown = " ".join(text.split())
    return shown if len(shown) <= SUMMARY_CHARS else shown[: SUMMARY_CHARS - 1] + "…"


def summary(members: Sequence[ClaimMember], found: Sequence[FigureDisagreement]) -> str:
    """A line for a table: the first version's words and source, or the event's facts
    with every value of its disputed tolls."""
    first = members[0]
    if first.event is None:
        return f"“{_excerpt(first.evidence.text)}” ({first.source.name})"
    event = first.event
    place = event.place.name or event.place.mention.text if event.place else "unplaced"
    date = f"on {event.date.start.isoformat()}" if event.date and event.date.start else "undated"
    shown = f"{event.event_type} at {place}, {date}"
    for disagreement in found:
        values = " / ".join(describe_value(v) for v in disagreement.values)
        shown += f"; {disagreement.harm.value}: {values}"
    return shown


def _cluster(
    members: list[ClaimMember], corpus: Corpus, reuse_by_origin: dict[int, list[DocumentReuse]]
) -> ClaimCluster:
    members.sort(key=lambda m: (m.evidence.span.doc_id, m.evidence.span.start))
    first, kind = members[0], members[0].kind
    docs = sorted({m.evidence.span.doc_id for m in members})
    pairs = [p for doc in docs for p in reuse_by_origin.get(doc, []) if p.derived_doc in docs]
    documents = {
        doc: (info.outlet, info.published) if (info := corpus.documents.get(doc)) else (None, None)
        for doc in docs
    }
    linked = provenance(members, pairs)
    published = {doc: found[1] for doc, found in documents.items()}
    edges = linked + unlinked_copies(members, linked, published)
    found = disagreements(members, documents) if kind is ClaimKind.EVENT else ()
    origins, graded, evidence = grade(members, edges, found)
    span = first.event.trigger.span if first.event else first.evidence.span
    return ClaimCluster(
        key=f"{kind.value[0]}{span.doc_id}-{span.start}",
        kind=kind,
        summary=summary(members, found),
        members=tuple(members),
        edges=edges,
        origins=origins,
        grade=graded,
        evidence=evidence,
        disagreements=found,
    )


def cluster_claims(corpus: Corpus, similarity: Similarity) -> list[ClaimCluster]:
    """Every claim of the corpus in clusters, each with provenance and grade, in order of
    their first document. A key is the kind's initial, the first document and the start
    of the first member's words (an event's trigger), so re-running keeps it."""
    members = members_of(corpus)
    groups = _Groups(len(members))
    for i, j in _reused_pairs(members, corpus.reuse):
        groups.join(i, j)
    for i, j in _similar_statements(members, similarity):
        groups.join(i, j)
    for i, j in _similar_events(members):
        groups.join(i, j)
    reuse_by_origin: dict[int, list[DocumentReuse]] = {}
    for pair in corpus.reuse:
        reuse_by_origin.setdefault(pair.origin_doc, []).append(pair)
    clusters = [
        _cluster([members[i] for i in group], corpus, reuse_by_origin) for group in groups.groups()
    ]
    clusters.sort(key=lambda c: (c.members[0].evidence.span.doc_id, c.key))
    return _unique_keys(clusters)


def _unique_keys(clusters: list[ClaimCluster]) -> list[ClaimCluster]:
    """Keys made unique in order ("e4-63", "e4-63.2"): two claims rarely start alike."""
    seen: Counter[str] = Counter()
    unique: list[ClaimCluster] = []
    for cluster in clusters:
        seen[cluster.key] += 1
        n = seen[cluster.key]
        unique.append(cluster if n == 1 else replace(cluster, key=f"{cluster.key}.{n}"))
    return unique
