"""What linking reads of a document: its words, and the passages (sentences and quotes)
it indexes.

Copies are compared word by word, case-folded, with every mark between words ignored:
a quote re-wrapped over other lines, with straight instead of curly marks, or a hyphen
instead of a dash, has the same words. Each word keeps its character offsets, so every
finding still points at the stored text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import add

from spacy.lang.en.stop_words import STOP_WORDS

from newstrace.extract.quote_marks import find_quoted_passages
from newstrace.link.align import Side
from newstrace.nlp.layout import paragraph_bounds
from newstrace.records import PartialDate, Quote

_WORD = re.compile(r"\w+")
# A sentence ends at . ! or ? (with any closing marks) before white space and a capital,
# a digit or an opening mark.
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]*_]*\s+(?=[\"“‘'(\[*_]*[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Words:
    """A text's words, case-folded, with the character offsets of each."""

    words: list[str]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.words)

    def chars(self, first: int, stop: int) -> tuple[int, int]:
        """Character bounds of words ``first`` up to ``stop`` (exclusive)."""
        return self.starts[first], self.ends[stop - 1]

    def within(self, start: int, end: int) -> tuple[int, int]:
        """Indexes of the first word inside characters ``start..end`` and past the last."""
        return bisect.bisect_left(self.starts, start), bisect.bisect_right(self.ends, end)


def words_of(text: str) -> Words:
    found = _WORD.findall(text)
    starts = [m.start() for m in _WORD.finditer(text)]
    return Words(list(map(str.casefold, found)), starts, list(map(add, starts, map(len, found))))


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, never across a paragraph break.

    A rule, not a parser: an abbreviation may end a sentence early, which only makes
    two shorter passages. Linking must also run on documents spaCy never saw.
    """
    bounds = []
    for p_start, p_end in paragraph_bounds(text):
        position = p_start
        for match in _SENTENCE_END.finditer(text, p_start, p_end):
            bounds.append((position, match.start() + len(match.group().rstrip())))
            position = match.end()
        bounds.append((position, p_end))
    return bounds


def quoted_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each stretch between quotation marks."""
    return [(p.start, p.end) for p in find_quoted_passages(text)]


def shingles(words: Sequence[str], size: int) -> set[bytes]:
    """Every run of ``size`` consecutive words, as bytes for MinHash, but runs of stop
    words only ("of the", "it is"): every text has those, so they would make any two
    passages look alike."""
    return {
        " ".join(run).encode()
        for i in range(len(words) - size + 1)
        if not STOP_WORDS.issuperset(run := words[i : i + size])
    }


@dataclass(slots=True)
class LinkDoc:
    """A document as linking needs it; ``quotes`` are its attributed statements (empty
    when it was not analysed), read for speakers."""

    id: int
    text: str
    outlet: str | None = None
    published: PartialDate | None = None
    url: str | None = None
    quotes: tuple[Quote, ...] = ()
    words: Words = field(init=False)
    quoted: list[tuple[int, int]] = field(init=False)  # stretches between quotation marks

    def __post_init__(self) -> None:
        self.words = words_of(self.text)
        self.quoted = quoted_bounds(self.text)

    def side(self) -> Side:
        """Its words and quotes, as alignment takes them."""
        return Side(self.words.words, [self.words.within(start, end) for start, end in self.quoted])

    def passages(self) -> list[tuple[int, int]]:
        """Sentences, quoted stretches and attributed quotes, each once, in text order.

        Quotes are passages of their own because a quote copied into another sentence
        shares few words with either whole sentence, but nearly all with the other quote.
        A sentence that is mostly one quote ("“...,” he said.") is left to the quote: it
        would only index the same words twice.
        """
        quotes = {*self.quoted, *((q.content.span.start, q.content.span.end) for q in self.quotes)}
        sentences = {
            (start, end)
            for start, end in sentence_bounds(self.text)
            if not any(
                4 * (min(end, q_end) - max(start, q_start)) >= 3 * (end - start)
                for q_start, q_end in quotes
            )
        }
        return sorted(sentences | quotes)
