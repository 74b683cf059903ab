"""Simple, honest baselines scored by the same scorers, so every figure has a reference.

* ``first-number``: the toll is the number nearest before the first killing (wounding)
  word of a sentence that has one, else 0; the place is the first GPE spaCy's small model
  finds that a plain gazetteer lookup resolves, its most populous match.
* ``oracle-gazetteer``: the coded place name itself (the row's city or location, else its
  province, else its country) through the same gazetteer. It is the ceiling the gazetteer
  sets on place scores: the gap between it and newstrace is the code's own.
* ``textacy``: textacy's rule-based ``direct_quotations`` on the same spaCy model; it
  refuses texts with an odd number of quotation marks (apostrophes count), and such
  documents count as finding nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.util import find_spec
from typing import Protocol

import spacy
from spacy.language import Language
from spacy.tokens import Token

from newstrace.evaluate.datasets import EvalError, IncidentGold
from newstrace.evaluate.places import PlaceJudge
from newstrace.evaluate.polnear import FoundAttribution
from newstrace.evaluate.predictions import IncidentPrediction, PlaceGuess
from newstrace.evaluate.reference import FoundDoc, FoundQuote
from newstrace.evaluate.scoring import Interval
from newstrace.gazetteer.model import GazetteerEntry
from newstrace.nlp.pipeline import MODEL_PACKAGE

_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER = re.compile(r"\b(\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
KILLING = re.compile(
    r"\b(kill(?:ed|ing|s)?|dead|died|dies|deaths?|slain|executed|massacred|lost their lives)\b",
    re.IGNORECASE,
)
WOUNDING = re.compile(r"\b(injur(?:ed|ing|ies|y|es)|wound(?:ed|ing|s)?|hurt)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Texted(Protocol):
    """A gold item with the text a system reads."""

    @property
    def text(self) -> str: ...


@cache
def plain_model() -> Language:
    """spaCy's small English model as shipped, without newstrace's components."""
    return spacy.load(MODEL_PACKAGE)


def _value(word: str) -> int:
    folded = word.casefold()
    return _NUMBER_WORDS[folded] if folded in _NUMBER_WORDS else int(folded.replace(",", ""))


def first_number(text: str, verb: re.Pattern[str]) -> tuple[int, str] | None:
    """The number nearest before the first ``verb`` word of the first sentence having both."""
    for sentence in _SENTENCE_END.split(text):
        found = verb.search(sentence)
        if found is None:
            continue
        numbers = list(_NUMBER.finditer(sentence, 0, found.start()))
        if numbers:
            nearest = numbers[-1]
            return _value(nearest.group(1)), sentence[nearest.start() : found.end()]
    return None


def _guess(entry: GazetteerEntry, evidence: str) -> PlaceGuess:
    return PlaceGuess(
        entry.name, entry.latitude, entry.longitude, entry.country_code, entry.admin1, evidence
    )


class FirstNumber:
    """The ``first-number`` baseline over a report or an article."""

    name = "first-number"

    def __init__(self, judge: PlaceJudge) -> None:
        self.judge = judge

    def first_place(self, text: str) -> PlaceGuess | None:
        for ent in plain_model()(text).ents:
            if ent.label_ != "GPE":
                continue
            found = self.judge.gazetteer.lookup(ent.text, fuzzy=False, limit=10)
            if found:
                best = max(found, key=lambda c: c.entry.population)
                return _guess(best.entry, ent.text)
        return None

    def __call__(self, item: Texted) -> IncidentPrediction:
        text = item.text
        killed, wounded = first_number(text, KILLING), first_number(text, WOUNDING)
        evidence = {
            name: found[1]
            for name, found in (("fatalities", killed), ("injured", wounded))
            if found
        }
        return IncidentPrediction(
            fatalities=killed[0] if killed else 0,
            injured=wounded[0] if wounded else 0,
            place=self.first_place(text),
            events_found=int(killed is not None),
            evidence=evidence,
        )


class OracleGazetteer:
    """The ``oracle-gazetteer`` ceiling: the coded place name through the gazetteer."""

    name = "oracle-gazetteer"

    def __init__(self, judge: PlaceJudge) -> None:
        self.judge = judge

    def __call__(self, gold: IncidentGold) -> IncidentPrediction:
        gazetteer = self.judge.gazetteer
        code = self.judge.country_code(gold.country)
        hints = (code,) if code else ()
        entry = None
        if gold.location:
            entry = next(
                (
                    c.entry
                    for c in gazetteer.lookup(gold.location, country_codes=hints)
                    if code is None or c.entry.country_code == code
                ),
                None,
            )
        if entry is None and gold.admin1:
            entry = gazetteer.admin1(gold.admin1, code)
        if entry is None and gold.country:
            entry = gazetteer.country(gold.country)
        shown = gold.location or gold.admin1 or gold.country or ""
        return IncidentPrediction(place=_guess(entry, shown) if entry else None)


def _token_spans(tokens: Sequence[Token]) -> tuple[Interval, ...]:
    return tuple((t.idx, t.idx + len(t)) for t in tokens)


class Textacy:
    """The ``textacy`` baseline: direct quotations only; counts the texts it refuses."""

    name = "textacy"

    def __init__(self) -> None:
        if find_spec("textacy") is None:
            raise EvalError("the textacy baseline needs textacy: pip install -e '.[dev]'")
        self.refused = 0
        self.documents = 0

    def _triples(
        self, text: str
    ) -> list[tuple[Interval, tuple[Interval, ...], tuple[Interval, ...], str]]:
        """(content, speaker spans, cue spans, speaker words) per quotation; none if refused."""
        # textacy is for evaluation only (the ``dev`` extra): imported when a run asks for it.
        from textacy.extract.triples import direct_quotations

        self.documents += 1
        try:
            triples = list(direct_quotations(plain_model()(text)))
        except ValueError:
            self.refused += 1
            return []
        return [
            (
                (content.start_char, content.end_char),
                _token_spans(speaker),
                _token_spans(cue),
                " ".join(t.text for t in sorted(speaker, key=lambda t: t.i)),
            )
            for speaker, cue, content in triples
        ]

    def attributions(self, text: str) -> list[FoundAttribution]:
        return [
            FoundAttribution(content=(content,), source=speaker, cue=cue)
            for content, speaker, cue, _ in self._triples(text)
        ]

    def reference_doc(self, text: str) -> FoundDoc:
        return FoundDoc(
            quotes=tuple(FoundQuote(content, words) for content, _, _, words in self._triples(text))
        )

    def notes(self) -> list[str]:
        return [f"textacy refused {self.refused} of {self.documents} documents (scored as empty)"]


# The fields each baseline answers; it is reported on those only.
BASELINE_FIELDS: dict[str, frozenset[str]] = {
    FirstNumber.name: frozenset(
        {
            "fatalities_exact",
            "fatalities_within_1",
            "injured_exact",
            "country_exact",
            "admin1_exact",
        }
        | {f"{p}_within_{km}km" for p in ("place", "location") for km in (5, 25, 100)}
        | {
            "fatalities_exact_reported",
            "fatalities_exact_coded",
            "main_location",
            "docs_with_events",
        }
    ),
    OracleGazetteer.name: frozenset(
        {"country_exact", "admin1_exact"}
        | {f"{p}_within_{km}km" for p in ("place", "location") for km in (5, 25, 100)}
    ),
    Textacy.name: frozenset(
        {"content_precision", "content_recall", "content_f1", "source_match", "cue_match"}
        | {"quotes_direct", "quotes_indirect", "speakers"}
    ),
}
