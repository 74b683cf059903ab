"""Paraphrase: claims said again in other words, paired by sentence embeddings.

Only claim-bearing sentences are embedded (the model manages a few dozen sentences a
second on one core, too slow for every sentence of a large corpus): those holding a
quote, an event, a figure, a dated time or a place the per-document stages found, or
naming an armed actor. Two documents' claim sentences that aligned verbatim stretches
do not already cover are paired when each is the other's nearest and their cosine
similarity reaches :data:`THRESHOLD`, chosen on a hand-judged development set
(``tests/fixtures/paraphrase_dev.jsonl``; docs/models.md says how).

Every embedded sentence also goes into a usearch (HNSW) index over the whole corpus,
so a document that shares no words with another but restates one of its claims is
still compared with it (:meth:`EmbeddingParaphrases.candidates`). Embeddings are
kept per sentence in an :class:`EmbeddingCache` (the store, at half precision) and per
document in memory, so re-linking never embeds a sentence twice, and each linking run
rebuilds the index from what earlier runs kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from usearch.index import Index

from newstrace.link.align import Segment
from newstrace.link.embed import DIMENSIONS, MODEL_NAME, STORED, EmbeddingError, Vectors, embed
from newstrace.link.mutation import CLAIM_FIGURES, Findings, actor_mentions
from newstrace.link.text import LinkDoc, sentence_bounds
from newstrace.records import Analysis, SentenceVector, Span

# Chosen on tests/fixtures/paraphrase_dev.jsonl (docs/models.md): the best F1 of
# mutual-nearest pairs there, midway between the lowest paraphrase kept (0.599) and the
# non-paraphrase just below it (0.582).
THRESHOLD = 0.59
MIN_WORDS = 6  # headings, sign-offs and captions say too little to be a claim
NEIGHBOURS = 8  # corpus neighbours looked up per claim sentence
EXACT_UP_TO = 200_000  # indexed sentences up to which neighbours are found exactly
CACHED_DOCS = 4096  # documents whose embeddings stay in memory

Embedder = Callable[[Sequence[str]], Vectors]


class EmbeddingCache(Protocol):
    """Where embedded claim sentences are kept between runs (the store)."""

    def vectors(self, doc_id: int) -> dict[tuple[int, int], bytes]:
        """The document's kept vectors by sentence (start, end)."""
        ...

    def add(self, doc_id: int, rows: Sequence[tuple[int, int, bytes]]) -> None:
        """Keep (start, end, vector) of newly embedded sentences."""
        ...

    def every(self) -> Iterator[tuple[int, bytes]]:
        """(document id, vector) of every kept sentence."""
        ...


@dataclass(frozen=True, slots=True)
class Claims:
    """A document's claim sentences: word ranges and embeddings, row by row."""

    words: list[tuple[int, int]]  # (first, stop) word indexes
    vectors: Vectors


def _bearing(found: Analysis | None, start: int, end: int) -> bool:
    """Whether a stored finding lies in characters ``start..end``."""
    if found is None:
        return False
    spans = [
        *(q.content.span for q in found.quotes),
        *(e.sentence.span for e in found.events),
        *(f.mention.span for f in found.figures if f.figure_class in CLAIM_FIGURES),
        *(t.mention.span for t in found.times if t.start is not None),
        *(p.mention.span for p in found.places),
    ]
    return any(s.start < end and start < s.end for s in spans)


def claim_sentences(doc: LinkDoc, found: Analysis | None) -> list[tuple[int, int]]:
    """(start, end) of each sentence that carries a claim and is long enough to say one
    (one holding quotation marks counts even where the document was not analysed)."""
    chosen = []
    for start, end in sentence_bounds(doc.text):
        first, stop = doc.words.within(start, end)
        if stop - first < MIN_WORDS:
            continue
        if (
            _bearing(found, start, end)
            or any(s < end and start < e for s, e in doc.quoted)
            or any(actor_mentions(doc.text, start, end))
        ):
            chosen.append((start, end))
    return chosen


def embedded(
    text: str, bounds: Sequence[tuple[int, int]], embedder: Embedder = embed
) -> dict[tuple[int, int], bytes]:
    """Half-precision vectors of the sentences ``bounds`` of ``text``, embedded in one
    call, as linking embeds a document's missing sentences: a vector made while the
    document was analysed is then the one linking would have made."""
    fresh = embedder([text[start:end] for start, end in bounds])
    return {bound: fresh[row].astype(STORED).tobytes() for row, bound in enumerate(bounds)}


def claim_vectors(text: str, found: Analysis) -> tuple[SentenceVector, ...]:
    """A freshly analysed document's claim sentences, embedded: the part of paraphrase
    finding that needs one document only, done where the document is analysed (see
    docs/scaling.md). Empty when the model cannot be loaded; linking then says why."""
    bounds = claim_sentences(LinkDoc(found.doc_id, text), found)
    try:
        vectors = embedded(text, bounds)
    except EmbeddingError:
        return ()
    return tuple(
        SentenceVector(Span(found.doc_id, start, end), MODEL_NAME, vector)
        for (start, end), vector in vectors.items()
    )


def mutual_best(similarity: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """(row, column, similarity) of the pairs each other's nearest, at ``threshold`` or more."""
    if not similarity.size:
        return []
    best_col = similarity.argmax(axis=1)
    best_row = similarity.argmax(axis=0)
    return [
        (row, int(col), float(similarity[row, col]))
        for row, col in enumerate(best_col)
        if best_row[col] == row and similarity[row, col] >= threshold
    ]


class EmbeddingParaphrases:
    """The :class:`~newstrace.link.reuse.ParaphraseFinder` of sentence embeddings."""

    def __init__(
        self,
        findings: Findings,
        threshold: float = THRESHOLD,
        embedder: Embedder = embed,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.findings = findings
        self.threshold = threshold
        self.embedder = embedder
        self.cache = cache
        self.embedded = 0  # sentences embedded so far: the stage's cost
        self.note = ""  # why no paraphrase is looked for (the model failed to load)
        self._memory: OrderedDict[int, Claims] = OrderedDict()
        self._index = Index(ndim=DIMENSIONS, metric="cos", dtype="f16")
        self._owners: list[int] = []  # document of each indexed sentence, by key
        self._indexed: set[int] = set()
        self._restored = cache is None  # the index holds what the cache kept

    def claims(self, doc: LinkDoc) -> Claims:
        """The document's claim sentences, embedded once per process (least recently
        used documents are dropped past :data:`CACHED_DOCS`)."""
        if doc.id in self._memory:
            self._memory.move_to_end(doc.id)
            return self._memory[doc.id]
        bounds = claim_sentences(doc, self.findings(doc.id)) if not self.note else []
        kept = self.cache.vectors(doc.id) if self.cache and bounds else {}
        missing = [b for b in bounds if b not in kept]
        try:
            made = embedded(doc.text, missing, self.embedder)
        except EmbeddingError as exc:  # linking goes on with shared words alone
            self.note, bounds, made = str(exc), [], {}
        self.embedded += len(made)
        if self.cache and made:
            self.cache.add(doc.id, [(start, end, vector) for (start, end), vector in made.items()])
        kept |= made
        vectors = np.zeros((len(bounds), DIMENSIONS), dtype=np.float32)
        for row, bound in enumerate(bounds):
            vectors[row] = np.frombuffer(kept[bound], dtype=STORED)
        claims = Claims([doc.words.within(start, end) for start, end in bounds], vectors)
        self._memory[doc.id] = claims
        if len(self._memory) > CACHED_DOCS:
            self._memory.popitem(last=False)
        return claims

    def candidates(self, doc: LinkDoc) -> set[int]:
        """Indexed documents holding a sentence near one of ``doc``'s claims."""
        self._restore()
        vectors = self.claims(doc).vectors
        if not len(self._index) or not len(vectors):
            return set()
        # Below EXACT_UP_TO vectors a brute-force scan is cheap and, unlike the graph
        # search, gives the same neighbours whatever order the index was filled in.
        exact = len(self._index) <= EXACT_UP_TO
        found = self._index.search(vectors, min(NEIGHBOURS, len(self._index)), exact=exact)
        keys = np.asarray(found.keys).reshape(len(vectors), -1)
        distances = np.asarray(found.distances).reshape(len(vectors), -1)
        near = keys[distances <= 1 - self.threshold]
        return {self._owners[int(key)] for key in near}

    def add(self, doc: LinkDoc) -> None:
        """Index ``doc``'s claim sentences for the documents linked after it."""
        self._restore()
        if doc.id not in self._indexed:
            self._index_rows([doc.id] * len(self.claims(doc).words), self.claims(doc).vectors)

    def _index_rows(self, owners: list[int], vectors: Vectors) -> None:
        if len(vectors):
            first = len(self._owners)
            self._owners += owners
            self._indexed.update(owners)
            self._index.add(np.arange(first, first + len(vectors), dtype=np.uint64), vectors)

    def _restore(self) -> None:
        """Fill the index, once, with every sentence the cache kept (earlier runs)."""
        if self._restored or self.cache is None:
            return
        self._restored = True
        owners, blobs = [], []
        for doc_id, blob in self.cache.every():
            owners.append(doc_id)
            blobs.append(np.frombuffer(blob, dtype=STORED))
        if blobs:
            self._index_rows(owners, np.vstack(blobs).astype(np.float32))

    def __call__(self, a: LinkDoc, b: LinkDoc, aligned: Sequence[Segment]) -> list[Segment]:
        """Claim sentences of ``a`` and ``b`` saying the same, outside verbatim stretches."""
        in_a = {i for s in aligned for i in range(s.a_start, s.a_end)}
        in_b = {i for s in aligned for i in range(s.b_start, s.b_end)}

        claims_a, claims_b = self.claims(a), self.claims(b)
        rows, cols = _free(claims_a, in_a), _free(claims_b, in_b)
        similarity = claims_a.vectors[list(rows)] @ claims_b.vectors[list(cols)].T
        a_rows, b_rows = list(rows.items()), list(cols.items())
        return [
            Segment(*a_rows[row][1], *b_rows[col][1], similarity=round(sim, 4))
            for row, col, sim in mutual_best(similarity, self.threshold)
        ]


def _free(claims: Claims, taken: set[int]) -> dict[int, tuple[int, int]]:
    """Claim sentences (by row) mostly outside aligned words, with the aligned words at
    their ends cut off: a sentence that runs on into a copied quote is paraphrased only
    up to the quote."""
    free = {}
    for row, (first, stop) in enumerate(claims.words):
        if 2 * len(taken.intersection(range(first, stop))) >= stop - first:
            continue
        while first in taken:
            first += 1
        while stop - 1 in taken:
            stop -= 1
        free[row] = (first, stop)
    return free
