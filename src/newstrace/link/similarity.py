"""How alike two statements are: the seam between claim clustering and a text model.

Clustering asks a :class:`Similarity` for the pairs of texts that say the same thing.
Sentence embeddings (:mod:`newstrace.link.embed`, all-MiniLM-L6-v2) catch paraphrase;
when the model cannot be loaded, a rapidfuzz token-set ratio catches quotes that share
their words in another order or with words added, which is what copies mostly are, and
the similarity says so in ``note``. Each implementation carries its own threshold, since
their scores are not on one scale.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, utils
from usearch.index import Index

from newstrace.link.embed import STORED, EmbeddingError, embed

CHUNK = 512  # rows compared at a time: memory stays at CHUNK x n scores
# Up to this many statements every pair is scored (a blocked matrix product, growing
# with the square); beyond, each statement against its nearest neighbours in an HNSW
# graph (usearch), growing about as n log n. Measured here (2 cores), clustered random
# vectors: 16 s against 30 s at 50,000, 68 s each at 100,000; the graph kept 99.9% of
# the pairs (docs/scaling.md).
EXACT_UP_TO = 100_000
NEIGHBOURS = 32  # looked up per statement beyond EXACT_UP_TO
HALF_SLACK = 0.01  # how far half-precision distances may stray from exact ones
MIN_WORDS = 6  # a shorter statement is too generic (or a subset of too many) to pair
# Texts are scored by token sets only when they share this much of the smaller one's
# words: a token-set ratio of 0.9 between texts sharing less is a rare near-spelling.
CANDIDATE_SHARE = 0.75


class Similarity(Protocol):
    """Finds the pairs of texts (indexes, i < j) similar enough to be one claim."""

    name: str
    note: str  # why a fallback was used ('' when none was)

    def pairs(self, texts: Sequence[str]) -> Iterator[tuple[int, int, float]]: ...


def _upper_pairs(
    scores: Callable[[int, int], np.ndarray], kept: Sequence[int], threshold: float
) -> Iterator[tuple[int, int, float]]:
    """Pairs i < j of ``kept`` indexes whose score reaches ``threshold``, from row blocks
    of the score matrix between the kept texts."""
    for start in range(0, len(kept), CHUNK):
        stop = min(len(kept), start + CHUNK)
        block = scores(start, stop)
        rows, cols = np.nonzero(block >= threshold)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            if start + row < col:
                yield kept[start + row], kept[col], float(block[row, col])


def _near_pairs(
    vectors: np.ndarray, kept: Sequence[int], threshold: float, neighbours: int = NEIGHBOURS
) -> Iterator[tuple[int, int, float]]:
    """Pairs i < j of ``kept`` indexes whose cosine reaches ``threshold``, among each
    row's ``neighbours`` nearest in an approximate (HNSW) index: n log n where scoring
    every pair grows with the square. Claims are the connected groups of these pairs,
    so a statement repeated in more documents than ``neighbours`` still joins them all
    through the neighbours it has; what may be missed is a pair the graph search does
    not reach, as with any approximate index."""
    index = Index(ndim=vectors.shape[1], metric="cos", dtype="f16")
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors)
    found = index.search(vectors, min(neighbours + 1, len(vectors)))
    keys = np.asarray(found.keys).reshape(len(vectors), -1)
    distances = np.asarray(found.distances).reshape(len(vectors), -1)
    seen: set[tuple[int, int]] = set()
    # The index scores at half precision: take a little more, then score exactly, so
    # every pair kept here is one the exact path keeps too.
    for row, col in zip(*np.nonzero(distances <= 1 - threshold + HALF_SLACK), strict=True):
        a, b = sorted((int(row), int(keys[row, col])))
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        score = float(vectors[a] @ vectors[b])
        if score >= threshold:
            yield kept[a], kept[b], score


def words_enough(texts: Sequence[str], min_words: int = MIN_WORDS) -> list[int]:
    """Indexes of the texts long enough to be paired."""
    return [i for i, text in enumerate(texts) if len(text.split()) >= min_words]


def shared_words(a: str, b: str) -> float:
    """rapidfuzz's token-set ratio of normalised words (0..1): 1 when one text's words
    are all among the other's."""
    return float(fuzz.token_set_ratio(a, b, processor=utils.default_process)) / 100.0


def _candidates(word_sets: Sequence[frozenset[str]], containment: float) -> set[tuple[int, int]]:
    """Pairs (i < j) that may share ``containment`` of the smaller text's words.

    Prefix filtering: if the smaller set A has at least that share of its words in B, one
    of A's ``|A| - ceil(containment * |A|) + 1`` rarest words is in B. So each text probes
    an index of every text's words with its rarest few only, and the pairs to score grow
    with the copies in the corpus, not with its square.
    """
    frequency = Counter(word for words in word_sets for word in words)
    holding: dict[str, list[int]] = {}
    for i, words in enumerate(word_sets):
        for word in words:
            holding.setdefault(word, []).append(i)
    found: set[tuple[int, int]] = set()
    for i, words in enumerate(word_sets):
        rarest = sorted(words, key=lambda w: (frequency[w], w))
        for word in rarest[: len(rarest) - math.ceil(containment * len(rarest)) + 1]:
            found.update((min(i, j), max(i, j)) for j in holding[word] if j != i)
    return found


class TokenSetSimilarity:
    """:func:`shared_words` between texts of at least ``MIN_WORDS`` words, scored only for
    pairs that share most of the smaller text's words (``CANDIDATE_SHARE``)."""

    name = "token-set ratio"

    def __init__(self, threshold: float = 0.9) -> None:
        self.note = ""
        self.threshold = threshold

    def pairs(self, texts: Sequence[str]) -> Iterator[tuple[int, int, float]]:
        kept = words_enough(texts)
        cleaned = [utils.default_process(texts[i]) for i in kept]
        word_sets = [frozenset(text.split()) for text in cleaned]
        for a, b in sorted(_candidates(word_sets, CANDIDATE_SHARE)):
            score = fuzz.token_set_ratio(cleaned[a], cleaned[b], score_cutoff=self.threshold * 100)
            if score:
                yield kept[a], kept[b], score / 100.0


Embedder = Callable[[Sequence[str]], np.ndarray]


class VectorCache(Protocol):
    """Where statement embeddings are kept between rebuilds (the store), by text key."""

    def vectors(self, keys: Sequence[str]) -> dict[str, bytes]: ...

    def add(self, vectors: Mapping[str, bytes]) -> None: ...


def text_key(text: str) -> str:
    """The cache key of a statement: a hash of its words."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class EmbeddingSimilarity:
    """Cosine similarity of L2-normalised sentence embeddings; token sets when the model
    cannot be loaded. With a ``cache``, only statements it has not seen are embedded:
    a rebuild after adding documents costs their statements, not the corpus's."""

    name = "sentence embeddings"

    def __init__(
        self,
        embedder: Embedder = embed,
        threshold: float = 0.8,
        cache: VectorCache | None = None,
        exact_up_to: int = EXACT_UP_TO,
    ) -> None:
        self.note = ""
        self.embedder = embedder
        self.threshold = threshold
        self.cache = cache
        self.exact_up_to = exact_up_to  # statements scored pair by pair; beyond, neighbours

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One unit row per text, each rounded to half precision whether embedded now or
        kept before, so a cached rebuild compares exactly what a fresh one would."""
        keys = [text_key(text) for text in texts]
        kept = self.cache.vectors(sorted(set(keys))) if self.cache else {}
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in kept}.items())
        if missing:
            fresh = np.asarray(self.embedder([t for _, t in missing]), dtype=np.float32)
            made = {k: fresh[row].astype(STORED).tobytes() for row, (k, _) in enumerate(missing)}
            if self.cache:
                self.cache.add(made)
            kept = {**kept, **made}
        return np.vstack([np.frombuffer(kept[k], dtype=STORED) for k in keys]).astype(np.float32)

    def pairs(self, texts: Sequence[str]) -> Iterator[tuple[int, int, float]]:
        kept = words_enough(texts)
        if not kept:
            return
        try:
            vectors = self._vectors([texts[i] for i in kept])
        except EmbeddingError as exc:
            fallback = TokenSetSimilarity()
            self.name, self.note = fallback.name, f"{exc}: statements compared by token sets"
            yield from fallback.pairs(texts)
            return
        if len(kept) > self.exact_up_to:
            yield from _near_pairs(vectors, kept, self.threshold)
            return
        yield from _upper_pairs(
            lambda start, stop: vectors[start:stop] @ vectors.T, kept, self.threshold
        )
