"""Reuse detection across a corpus: LSH candidates, confirmed and aligned word by word.

Each passage of a document (sentence, quoted stretch, attributed quote) is reduced to a
MinHash signature of its word shingles and looked up in a MinHash LSH index (datasketch)
of the passages of every document linked before. The lookup costs about the same
whatever the corpus size, so linking a corpus grows about linearly with it. Only the
documents that share a likely passage are then compared in full (:mod:`.align`): the
LSH finds candidates, shared runs of words confirm them and give the exact stretches.

Documents from the same outlet, and versions of one article (same URL), are not
compared: an outlet repeating its own boilerplate or background is not who copied whom.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from newstrace.link.align import SEED_WORDS, Segment, segments
from newstrace.link.direction import decide
from newstrace.link.drift import attribution_drift, extra_words, most_overlapping, quote_edit
from newstrace.link.text import LinkDoc, shingles
from newstrace.records import (
    ClaimChange,
    DocumentReuse,
    Passage,
    Relation,
    ReuseKind,
    ReuseLink,
    Span,
)

SHINGLE_WORDS = 2
NUM_PERM = 48
SCHEME = "affine32"  # datasketch's 32-bit hash scheme: 4 bytes per signature value
SEED = 1
# 8 bands of 6 rows: a pair of passages is a candidate with probability 0.998 at Jaccard
# 0.9, 0.91 at 0.8, 0.66 at 0.7, 0.12 at 0.5, 0.0005 at 0.2. Memory grows with bands;
# fewer rows let more unrelated passages through (sharing common word pairs), and the
# number of those grows with the corpus: at 4 rows, 13 times as many per document in
# the 10,000-document benchmark, at 5 rows 3.5 times.
BANDS = (8, 6)
MIN_PASSAGE_WORDS = SEED_WORDS  # a shorter passage could never be confirmed
WHOLLY_DERIVED_SHARE = 0.8  # METER's wholly derived: (nearly) all of the text is reused
# Stored with every linked document: a change here relinks the whole store, since
# signatures made with other settings cannot be compared (2: paraphrase and mutations).
LINK_VERSION = f"reuse.2-{SHINGLE_WORDS}w-{NUM_PERM}p-{BANDS[0]}x{BANDS[1]}"


class ParaphraseFinder(Protocol):
    """Pairs stretches that say the same in other words (:mod:`.paraphrase`): it gets two
    documents and the stretches already aligned, and returns more segments, which become
    ``paraphrase`` links. It keeps its own corpus index, so documents that share no
    words can still be compared."""

    def __call__(self, a: LinkDoc, b: LinkDoc, aligned: Sequence[Segment]) -> list[Segment]: ...

    def candidates(self, doc: LinkDoc) -> set[int]:
        """Documents indexed before that may restate one of ``doc``'s claims."""
        ...

    def add(self, doc: LinkDoc) -> None:
        """Index ``doc`` for the documents linked after it."""
        ...


class Mutations(Protocol):
    """Reads what a derived span states differently from its origin (:mod:`.mutation`)."""

    def __call__(
        self, origin: LinkDoc, origin_span: Span, derived: LinkDoc, derived_span: Span
    ) -> tuple[ClaimChange, ...]: ...


@cache
def _sketcher() -> MinHash:
    """One MinHash, cleared for every passage: its permutations are slow to compute."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def signature_bytes(sketch: MinHash) -> bytes:
    values: np.ndarray[tuple[int], np.dtype[np.uint32]] = sketch.hashvalues.astype("<u4")
    return values.tobytes()


def sketch_of(signature: bytes) -> LeanMinHash:
    """A stored signature, ready for the index."""
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(signature, "<u4"), scheme=SCHEME)


def sketches(doc: LinkDoc) -> list[tuple[Span, LeanMinHash]]:
    """Every passage long enough to confirm, with the MinHash of its word shingles."""
    found = []
    for start, end in doc.passages():
        first, stop = doc.words.within(start, end)
        if stop - first >= MIN_PASSAGE_WORDS:
            sketcher = _sketcher()
            sketcher.clear()
            sketcher.update_batch(shingles(doc.words.words[first:stop], SHINGLE_WORDS))
            found.append((Span(doc.id, start, end), LeanMinHash(sketcher)))
    return found


def band_keys(signature: bytes) -> list[bytes]:
    """The LSH bucket of each band of a stored signature (band number, then its values):
    two passages are candidates exactly when one of their buckets is the same, which is
    what :class:`ReuseIndex` finds, so buckets can be matched anywhere (on Dask workers,
    over the stored signatures) without building the index."""
    bands, rows = BANDS
    width = rows * 4  # bytes of a band: ``rows`` 32-bit values
    return [bytes([band]) + signature[band * width : (band + 1) * width] for band in range(bands)]


class ReuseIndex:
    """MinHash LSH over passages, keyed by document: who may share a passage with whom."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(num_perm=NUM_PERM, params=BANDS)

    def add(self, doc_id: int, signatures: Iterable[MinHash]) -> None:
        for sketch in signatures:
            self._lsh.insert(doc_id, sketch, check_duplication=False)

    def candidates(self, signatures: Iterable[MinHash]) -> set[int]:
        found: set[int] = set()
        for sketch in signatures:
            found.update(self._lsh.query(sketch))
        return found


def relation(share: float) -> Relation:
    """METER's class for a text of which ``share`` of the words are reused."""
    if share >= WHOLLY_DERIVED_SHARE:
        return Relation.WHOLLY_DERIVED
    return Relation.PARTIALLY_DERIVED if share > 0 else Relation.INDEPENDENT


@dataclass(frozen=True, slots=True)
class _Side:
    """One document's side of an aligned segment."""

    doc: LinkDoc
    first: int  # word indexes
    stop: int
    aligned: set[int]  # every word of the document that the other one also has

    @property
    def span(self) -> Span:
        start, end = self.doc.words.chars(self.first, self.stop)
        return Span(self.doc.id, start, end)

    def quoted(self) -> tuple[int, int] | None:
        """The quoted stretch holding most of the segment, if one holds half of it."""
        span = self.span
        index = most_overlapping(self.doc.quoted, span.start, span.end)
        if index is None:
            return None
        start, end = self.doc.quoted[index]
        inside = min(end, span.end) - max(start, span.start)
        return (start, end) if 2 * inside >= span.end - span.start else None

    def extra(self) -> str:
        """Words of the quote around the segment that the other document lacks."""
        quote = self.quoted()
        return extra_words(self.doc.words, self.doc.text, quote, self.aligned) if quote else ""


def _link(
    origin: _Side, derived: _Side, similarity: float, kind: ReuseKind, mutations: Mutations | None
) -> ReuseLink:
    o_span, d_span = origin.span, derived.span
    o_quotes = [(q.content.span.start, q.content.span.end) for q in origin.doc.quotes]
    d_quotes = [(q.content.span.start, q.content.span.end) for q in derived.doc.quotes]
    o_index = most_overlapping(o_quotes, o_span.start, o_span.end)
    d_index = most_overlapping(d_quotes, d_span.start, d_span.end)
    drift = None
    if o_index is not None and d_index is not None:
        drift = attribution_drift(
            origin.doc.quotes[o_index].speaker,
            origin.doc.text,
            derived.doc.quotes[d_index].speaker,
            derived.doc.text,
        )
    edit = quote_edit(origin.extra(), derived.extra()) if kind is not ReuseKind.PARAPHRASE else None
    changed = (
        mutations(origin.doc, o_span, derived.doc, d_span)
        if mutations and kind in (ReuseKind.PARAPHRASE, ReuseKind.NEAR_VERBATIM)
        else ()
    )
    return ReuseLink(o_span, d_span, kind, round(similarity, 4), drift, edit, changed)


def _kind(a: _Side, b: _Side, similarity: float) -> ReuseKind:
    if similarity < 1:
        return ReuseKind.NEAR_VERBATIM
    if a.quoted() and b.quoted():
        return ReuseKind.VERBATIM_QUOTE
    return ReuseKind.VERBATIM_PASSAGE


def compare(
    a: LinkDoc,
    b: LinkDoc,
    paraphrases: ParaphraseFinder | None = None,
    mutations: Mutations | None = None,
) -> DocumentReuse | None:
    """The reuse between two documents, oriented origin -> derived, or None if none.

    ``mutations`` reads the claims of near-verbatim and paraphrase links (verbatim ones
    state the same words)."""
    aligned = segments(a.side(), b.side())
    in_a = {i for s in aligned for i in range(s.a_start, s.a_end)}
    in_b = {i for s in aligned for i in range(s.b_start, s.b_end)}

    def sides(s: Segment) -> tuple[_Side, _Side]:
        return _Side(a, s.a_start, s.a_end, in_a), _Side(b, s.b_start, s.b_end, in_b)

    found = [(*sides(s), s.similarity, _kind(*sides(s), s.similarity)) for s in aligned]
    if paraphrases:
        found += [
            (*sides(s), s.similarity, ReuseKind.PARAPHRASE) for s in paraphrases(a, b, aligned)
        ]
    if not found:
        return None
    copies = [(sa, sb) for sa, sb, _, kind in found if kind is not ReuseKind.PARAPHRASE]
    fuller_a = sum(1 for sa, sb in copies if sa.extra() and not sb.extra())
    fuller_b = sum(1 for sa, sb in copies if sb.extra() and not sa.extra())
    origin_id, basis, reasons = decide(a, b, fuller_a, fuller_b)
    a_is_origin = (origin_id if origin_id is not None else min(a.id, b.id)) == a.id
    origin, derived, covered = (a, b, in_b) if a_is_origin else (b, a, in_a)
    share = round(len(covered) / len(derived.words), 4) if len(derived.words) else 0.0
    return DocumentReuse(
        origin_doc=origin.id,
        derived_doc=derived.id,
        direction=basis,
        relation=relation(share),
        reused_share=share,
        links=tuple(
            _link(sa, sb, sim, kind, mutations)
            if a_is_origin
            else _link(sb, sa, sim, kind, mutations)
            for sa, sb, sim, kind in found
        ),
        reasons=reasons,
    )


def same_source(a: LinkDoc, b: LinkDoc) -> bool:
    """Two versions of one article, or two articles of one outlet: never compared."""
    return bool(a.url and a.url == b.url) or bool(
        a.outlet and b.outlet and a.outlet.casefold() == b.outlet.casefold()
    )


@dataclass(frozen=True, slots=True)
class Linked:
    """What linking one document produced: its indexed passages and its reuse."""

    passages: list[Passage]
    reuse: list[DocumentReuse]


@dataclass(frozen=True, slots=True)
class Planned:
    """The first half of linking one document: its indexed passages, and the documents
    indexed before it that may share a passage or a claim with it, by id."""

    passages: list[Passage]
    candidates: list[int]


class Linker:
    """Links documents one at a time against every document indexed before them.

    ``read`` fetches an indexed document by id (from the store, or a dict in tests and
    benchmarks); the index may start filled from stored signatures. Without
    ``paraphrases`` only shared words link documents; ``mutations`` reads what
    near-verbatim and paraphrased claims changed.

    Linking is two halves: :meth:`plan` looks the document up in the indexes and adds
    it, which depends on the order documents come in and costs little; :meth:`compare_with`
    compares it in full with each candidate, which costs most and depends on nothing
    but the two documents, so it can run anywhere (on Dask workers:
    :mod:`newstrace.scale.cluster`).
    """

    def __init__(
        self,
        read: Callable[[int], LinkDoc | None],
        index: ReuseIndex | None = None,
        paraphrases: ParaphraseFinder | None = None,
        mutations: Mutations | None = None,
    ) -> None:
        self.read = read
        self.index = index or ReuseIndex()
        self.paraphrases = paraphrases
        self.mutations = mutations

    def plan(self, doc: LinkDoc, known: Iterable[int] = ()) -> Planned:
        """Index ``doc``; the documents indexed before it that it may share with, and
        ``known``: those found without the index (stored documents whose LSH buckets
        were matched on the cluster)."""
        sketched = sketches(doc)
        candidates = self.index.candidates(s for _, s in sketched) | set(known)
        if self.paraphrases:
            candidates |= self.paraphrases.candidates(doc)
            self.paraphrases.add(doc)
        self.index.add(doc.id, (s for _, s in sketched))
        return Planned(
            [Passage(span, signature_bytes(s)) for span, s in sketched],
            sorted(candidates - {doc.id}),
        )

    def compare_with(self, doc: LinkDoc, candidates: Iterable[int]) -> list[DocumentReuse]:
        """The reuse between ``doc`` and each candidate (other outlets' articles only)."""
        found = []
        for other_id in candidates:
            other = self.read(other_id)
            if other is None or same_source(doc, other):
                continue
            reuse = compare(other, doc, self.paraphrases, self.mutations)
            if reuse is not None:
                found.append(reuse)
        return found

    def link(self, doc: LinkDoc) -> Linked:
        planned = self.plan(doc)
        return Linked(planned.passages, self.compare_with(doc, planned.candidates))
