"""Place names labelled from the gazetteer, ahead of the statistical NER.

The small English model calls many place names of this field persons, organisations or
nationalities. A bounded set of gazetteer names (countries, admin-1 units, settlements
of 15,000 people and more, see ``Gazetteer.names``) is therefore labelled GPE before it
runs, under three rules that keep ordinary words and personal names out:

* a name that is a common English word is left out: every one of its words is a stop
  word, or a verb, adjective or adverb form in the model's lemmatizer tables ("Nice",
  "Split", "Police", "Reading"), parts of speech a proper name never has;
* a name matches only as written (capitalised), and only as a whole name: "Victoria"
  alone is labelled, but not inside "Victoria Nuland", "Mosul University" or "Ras
  al-Ain" (a neighbour that is capitalised or tagged as part of a proper name);
* words the alias tables already labelled (actors, outlets, states) keep their label.

Tokenizing the names is slow, so the tokenized patterns are written once next to the
gazetteer index, keyed by its build and by these rules, and read back at start-up.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from newstrace.gazetteer.lookup import Gazetteer, default_gazetteer

log = logging.getLogger(__name__)

RULES_VERSION = "2"  # bump when the selection or the filter below changes
MIN_POPULATION = 15_000
EXONYM_POPULATION = 100_000
LABEL = "GPE"
FACTORY = "gazetteer_places"
CACHE_SUFFIX = ".places"
_OPEN_CLASSES = ("verb", "adj", "adv")  # parts of speech that proper names never have
_PROPER_TAGS = frozenset({"NNP", "NNPS"})


class CommonWords:
    """English words by the model's own tables: stop words, and verb, adjective and
    adverb forms (base forms, irregular forms, and regular ones by suffix rules)."""

    def __init__(self, nlp: Language) -> None:
        self._stop: frozenset[str] = frozenset(nlp.Defaults.stop_words)
        self._index: dict[str, frozenset[str]] = {}
        self._exceptions: dict[str, frozenset[str]] = {}
        self._rules: dict[str, list[tuple[str, str]]] = {}
        if "lemmatizer" not in nlp.pipe_names:
            return
        lookups: Any = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
        if lookups is None or not lookups.has_table("lemma_index"):
            return
        index, exceptions = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
        rules = lookups.get_table("lemma_rules")
        for pos in _OPEN_CLASSES:
            self._index[pos] = frozenset(index.get(pos, ()))
            self._exceptions[pos] = frozenset(exceptions.get(pos, {}))
            self._rules[pos] = [(old, new) for old, new in rules.get(pos, ()) if old]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        low = word.lower()
        if low in self._stop:
            return True
        for pos, index in self._index.items():
            if low in index or low in self._exceptions[pos]:
                return True
            for old, new in self._rules[pos]:
                if low.endswith(old) and low[: len(low) - len(old)] + new in index:
                    return True
        return False


class PlaceNames:
    """Tokenized place names, matched leftmost-longest on token texts.

    A set of token tuples and the longest name per first token: loading it from the
    cache is a third of the cost of filling spaCy's ``PhraseMatcher`` with the same names.
    """

    def __init__(self, patterns: list[tuple[str, ...]]) -> None:
        self.patterns = frozenset(patterns)
        self._longest: dict[str, int] = {}
        for pattern in self.patterns:
            if len(pattern) > self._longest.get(pattern[0], 0):
                self._longest[pattern[0]] = len(pattern)

    def __len__(self) -> int:
        return len(self.patterns)

    def find(self, words: list[str]) -> Iterator[tuple[int, int]]:
        """(start, end) token ranges of names in ``words``, leftmost-longest, disjoint."""
        i = 0
        while i < len(words):
            end = i
            for width in range(min(self._longest.get(words[i], 0), len(words) - i), 0, -1):
                if tuple(words[i : i + width]) in self.patterns:
                    end = i + width
                    yield i, end
                    break
            i = max(end, i + 1)


def build_patterns(gazetteer: Gazetteer, nlp: Language) -> list[tuple[str, ...]]:
    """The gazetteer's bounded names, tokenized as ``nlp`` tokenizes text, common words out."""
    common = CommonWords(nlp)
    names = [
        name
        for name in gazetteer.names(MIN_POPULATION, EXONYM_POPULATION)
        if "\t" not in name and "\n" not in name
    ]
    tokenizer: Any = nlp.tokenizer  # typed as a plain callable, which has no ``pipe``
    patterns: list[tuple[str, ...]] = []
    for doc in tokenizer.pipe(names, batch_size=1_000):
        words = tuple(token.text for token in doc)
        if words and not all(w in common or not w.isalpha() for w in words):
            patterns.append(words)
    return patterns


def cache_key(gazetteer: Gazetteer, nlp: Language) -> str:
    """What the cached patterns depend on: the index build, these rules, the tokenizer."""
    meta = gazetteer.meta
    return (
        f"rules={RULES_VERSION};min={MIN_POPULATION};exonyms={EXONYM_POPULATION};"
        f"model={nlp.meta.get('name')}-{nlp.meta.get('version')};spacy={version('spacy')};"
        f"index={meta.get('build_key')}|{meta.get('built_at')}|{meta.get('entries')}"
    )


def cache_path(gazetteer: Gazetteer) -> Path:
    """Beside the index it was built from."""
    return gazetteer.path.with_name(gazetteer.path.name + CACHE_SUFFIX)


def _read_cache(path: Path, key: str) -> list[tuple[str, ...]] | None:
    try:
        lines = path.read_text("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if lines[0] != key:
        return None
    return [tuple(line.split("\t")) for line in lines[1:] if line]


def _write_cache(path: Path, key: str, patterns: list[tuple[str, ...]]) -> None:
    """Written whole or not at all; a folder the user cannot write leaves no cache."""
    text = "\n".join([key, *("\t".join(words) for words in patterns)])
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        log.info("place names not cached (%s): %s", path, exc.strerror)


def load_place_names(gazetteer: Gazetteer, nlp: Language) -> PlaceNames:
    """The place names of ``gazetteer``, from the cache when it matches, else built."""
    key, path = cache_key(gazetteer, nlp), cache_path(gazetteer)
    patterns = _read_cache(path, key)
    if patterns is None:
        started = time.perf_counter()
        patterns = build_patterns(gazetteer, nlp)
        _write_cache(path, key, patterns)
        seconds = time.perf_counter() - started
        log.info("%d place names from %s built in %.1f s", len(patterns), gazetteer.path, seconds)
    return PlaceNames(patterns)


def _continues_name(doc: Doc, i: int) -> bool:
    """Whether token ``i`` would extend a name next to it: a capitalised word, or what
    the tagger calls part of a proper name ("al" in "Ras al-Ain")."""
    if not 0 <= i < len(doc):
        return False
    token = doc[i]
    capitalised = token.text[:1].isupper() and token.is_alpha and not token.is_stop
    return capitalised or token.tag_ in _PROPER_TAGS


class GazetteerPlaces:
    """The pipeline component: labels the configured gazetteer's names in each doc."""

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp
        self._names: dict[Path, PlaceNames] = {}

    def place_names(self) -> PlaceNames | None:
        """Names of the gazetteer configured now (each loaded once); None without one."""
        gazetteer = default_gazetteer()
        if gazetteer is None:
            return None
        if gazetteer.path not in self._names:
            self._names[gazetteer.path] = load_place_names(gazetteer, self._nlp)
        return self._names[gazetteer.path]

    def __call__(self, doc: Doc) -> Doc:
        names = self.place_names()
        if names is None:
            return doc
        spans = [
            Span(doc, start, end, label=LABEL)
            for start, end in names.find([token.text for token in doc])
            if not any(token.ent_type for token in doc[start:end])
            and not _continues_name(doc, start - 1)
            and not _continues_name(doc, end)
        ]
        if spans:
            doc.set_ents(spans, default="unmodified")
        return doc


@Language.factory(FACTORY)
def make_gazetteer_places(nlp: Language, name: str) -> GazetteerPlaces:
    """spaCy factory of :class:`GazetteerPlaces`."""
    return GazetteerPlaces(nlp)
