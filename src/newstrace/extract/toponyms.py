"""Place names in a parsed text, with what the words around them say about each.

The entity recognizer alone misses many toponyms of this field ("Tafas front in Dar'a"
comes out as two organisations) and splits transliterated names ("Deir ez-Zor"). Names
are therefore read as runs of capitalised words (with the particles of transliterated
Arabic names, "Ras al-Ain"), and a run counts as a place when something says so: a
place label from the recognizer, a feature word ("Anbar Governorate", "the Sinjar mountains",
"the city of Homs"), a locative preposition ("in Tafas"), or a link to another place
("Tarmiyah, Saladin, Iraq", "X in Y", "(Y, Deir ez-Zor)", "Jordan's Wadi Rum").

Each toponym keeps its context for the resolver: the kind of place its words name, a
country its adjective names ("the Syrian city of Homs"), whether the text puts something
near it rather than at it, and which other toponym contains it (comma chains and "in"
make a hierarchy; lists joined by "and" do not). The vocabulary is data
(``data/place_terms.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml
from spacy.tokens import Doc, Token

from newstrace.extract.dates import looks_temporal
from newstrace.extract.speakers import entity_of
from newstrace.nlp.aliases import ActorKind, load_aliases
from newstrace.nlp.pipeline import sentence_of

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
NUMERIC_LABELS = frozenset({"MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"})
_FUNCTION_POS = frozenset(
    {"DET", "ADP", "PRON", "AUX", "CCONJ", "SCONJ", "PART", "NUM", "PUNCT", "SYM", "INTJ"}
)
_JOINERS = frozenset({"-", "‐", "'", "’"})
_ARTICLES = frozenset({"the", "a", "an"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss"})
_LEFT_WINDOW = 8  # words looked back over for the preposition that introduces a name


@dataclass(frozen=True, slots=True)
class PlaceTerms:
    """The vocabulary of ``data/place_terms.yaml``."""

    feature_words: dict[str, str]
    feature_prefixes: dict[str, str]
    named_after_town: frozenset[str]
    never_by_name: frozenset[str]
    near_words: frozenset[str]
    locative: frozenset[str]
    weak_locative: frozenset[str]
    particles: frozenset[str]


@cache
def place_terms() -> PlaceTerms:
    """The packaged vocabulary (read once)."""
    data: dict[str, Any] = yaml.safe_load(
        resources.files("newstrace.data").joinpath("place_terms.yaml").read_text("utf-8")
    )

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w) for w in data[key])

    return PlaceTerms(
        feature_words={str(k): str(v) for k, v in data["feature_words"].items()},
        feature_prefixes={str(k): str(v) for k, v in data["feature_prefixes"].items()},
        named_after_town=words("named_after_town"),
        never_by_name=words("never_by_name"),
        near_words=words("near_words"),
        locative=words("locative_prepositions"),
        weak_locative=words("weak_locative_prepositions"),
        particles=words("name_particles"),
    )


@dataclass(slots=True)
class Toponym:
    """A place name in the text and what its context says; tokens ``start``..``end``
    cover the mention (feature words included), ``name`` the bare name."""

    start: int
    end: int
    name: str
    written: str  # the name with its feature words as written ("Bekaa Valley")
    sentence: int  # token index where its sentence starts
    feature: str | None = None  # the kind its words name: city, valley, admin1...
    near: bool = False  # "near", "outskirts of", "rural": around it, not at it
    country_hint: str | None = None  # ISO code of an adjective: "the Syrian city of"
    evidence: str = ""  # what made it a place
    strong: bool = False  # a label, feature word or link says it is a place
    person: bool = False  # the recognizer calls it a person or organisation
    container: int | None = None  # index of the toponym that contains it


@dataclass(slots=True)
class _Run:
    start: int
    end: int
    mention_end: int
    feature: str | None = None
    prefix: bool = False  # the feature word is the run's first word ("Wadi Rum")
    suffix: bool = False  # ... or its last ("Bekaa Valley")
    near: bool = False
    country_hint: str | None = None
    evidence: str = ""
    strong: bool = False
    weak: bool = False  # introduced by a preposition only
    person: bool = False  # the recognizer calls it a person or an organisation


def _is_adjective(token: Token) -> bool:
    """'Syrian', 'Iraqi-Saudi': a nationality, not a place (the recognizer's NORP label
    also falls on place names, "Aleppo governorate")."""
    if token.ent_type_ != "NORP":
        return False
    return token.pos_ == "ADJ" or load_aliases().adjective_of(token.text) is not None


def _is_temporal(token: Token) -> bool:
    """Part of a real date or time (the recognizer also labels "Dahuk" a DATE)."""
    if token.ent_type_ not in {"DATE", "TIME"}:
        return False
    name = entity_of(token)
    return name is None or looks_temporal(name)


def _is_acronym(token: Token) -> bool:
    """'AAS', 'JaS', 'QSD': an organisation's initials, unless labelled a place."""
    text = token.text
    short = 2 <= len(text) <= 5 and text.isalpha()
    capitals = sum(c.isupper() for c in text)
    return short and capitals >= 2 and token.ent_type_ not in PLACE_LABELS


def _is_name_word(token: Token) -> bool:
    text = token.text
    if not text[:1].isupper() or token.ent_type_ in NUMERIC_LABELS or _is_adjective(token):
        return False
    if _is_temporal(token) or _is_acronym(token):
        return False
    if token.pos_ in _FUNCTION_POS and token.ent_type_ not in PLACE_LABELS:
        return False
    # a capitalised common noun opening a sentence ("Assailants") is not a name
    return not (token.is_sent_start and token.pos_ != "PROPN" and not token.ent_type_)


def _joins(doc: Doc, i: int, terms: PlaceTerms) -> bool:
    """Whether token ``i`` continues a name run begun before it."""
    token = doc[i]
    if token.is_sent_start:
        return False
    if _is_name_word(token):
        return True
    following = doc[i + 1] if i + 1 < len(doc) else None
    if following is None:
        return False
    if token.text in _JOINERS:  # "ez-Zor", "Dar'a" split by the tokenizer
        return (
            not doc[i - 1].whitespace_ and not token.whitespace_ and _continues(doc, i + 1, terms)
        )
    return token.lower_ in terms.particles and _continues(doc, i + 1, terms)


def _continues(doc: Doc, i: int, terms: PlaceTerms) -> bool:
    if i >= len(doc) or doc[i].is_sent_start:
        return False
    token = doc[i]
    if _is_name_word(token):
        return True
    if token.lower_ in terms.particles:  # "ez" in "Deir-ez-Zor"
        return _continues(doc, i + 1, terms)
    return token.text in _JOINERS and not token.whitespace_ and _continues(doc, i + 1, terms)


def _runs(doc: Doc, terms: PlaceTerms) -> list[_Run]:
    runs: list[_Run] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        opens = _is_name_word(token) or (
            token.lower_ in terms.particles and _continues(doc, i + 1, terms)
        )
        if not opens:
            i += 1
            continue
        end = i + 1
        while end < len(doc) and _joins(doc, end, terms):
            end += 1
        while end > i + 1 and doc[end - 1].text in _JOINERS:
            end -= 1
        runs.append(_Run(i, end, end))
        i = end
    return runs


def _state_of(text: str) -> str | None:
    """ISO code of the state a name or adjective stands for (alias table)."""
    entry = load_aliases().resolve(text, as_agent=True)
    return entry.iso2 if entry is not None and entry.kind is ActorKind.STATE else None


def _is_actor(doc: Doc, run: _Run) -> bool:
    """An armed group, force or organisation of the alias table, not a place."""
    for token in doc[run.start : run.end]:
        kind = token.ent_id_.partition(":")[0]
        if kind and kind != ActorKind.STATE.value:
            return True
    return False


def _head(doc: Doc, run: _Run) -> Token:
    tokens = doc[run.start : run.mention_end]
    outside = [t for t in tokens if not run.start <= t.head.i < run.mention_end or t.head == t]
    return outside[-1] if outside else tokens[-1]


def _features(doc: Doc, run: _Run, terms: PlaceTerms) -> None:
    """Feature words inside the run ("Wadi Rum", "Bekaa Valley") or just after it
    ("the Sinjar mountains", "Kafr Lusin border crossing", "Idleb countryside")."""
    first, last = doc[run.start].lower_, doc[run.end - 1].lower_
    if run.end - run.start > 1 and first in terms.feature_prefixes:
        run.feature, run.prefix = terms.feature_prefixes[first], True
    elif run.end - run.start > 1 and last in terms.feature_words:
        run.feature, run.suffix = terms.feature_words[last], True
    for width in (1, 2):
        end = run.end + width
        if end > len(doc) or doc[run.end].is_sent_start:
            break
        words = doc[run.end : end]
        if any(not t.is_lower or t.is_punct for t in words):
            break
        word = words[-1].lower_
        if word in terms.feature_words:
            run.feature = run.feature or terms.feature_words[word]
            run.near = run.near or word in terms.near_words
            run.mention_end = end
            break


def _left_context(doc: Doc, run: _Run, sentence_start: int, terms: PlaceTerms) -> None:
    """What the words before the name say: its preposition, a feature word before "of",
    a nearness word, a country adjective."""
    i = run.start - 1
    while i >= max(sentence_start, run.start - _LEFT_WINDOW):
        token = doc[i]
        low = token.lower_
        before_of = i + 1 < len(doc) and doc[i + 1].lower_ == "of"
        if low in terms.feature_words and before_of:  # "the city of", "the countryside of"
            run.feature = run.feature or terms.feature_words[low]
            run.near = run.near or low in terms.near_words
            run.strong = True
            run.evidence = run.evidence or f"'{low} of'"
        elif low in terms.near_words:
            run.near = True
            if low in terms.locative or before_of:  # "near X", "east of X"
                run.evidence = run.evidence or f"after '{token.text}'"
                return
        elif token.ent_type_ == "NORP" and (hint := _state_of(token.text)):
            run.country_hint = run.country_hint or hint
        elif low in terms.locative or low in terms.weak_locative:
            run.weak = low in terms.weak_locative
            run.evidence = run.evidence or f"after '{token.text}'"
            return
        elif not (low in _ARTICLES or low == "of" or token.like_num or low in {"km", "kilometers"}):
            return
        i -= 1


def _is_modifier(doc: Doc, run: _Run, terms: PlaceTerms) -> bool:
    """'US forces', 'the Gaza war', 'US-Israeli': a name modifying a noun that is not a place."""
    if run.mention_end > run.end:
        return False
    after = doc[run.end] if run.end < len(doc) else None
    if after is not None and after.text in _JOINERS and not doc[run.end - 1].whitespace_:
        return True
    if after is not None and after.tag_ == "VBN" and after.head.i > after.i:
        return True  # "a Turkey backed faction"
    head = _head(doc, run)
    noun = head.head
    return (
        head.dep_ in _MODIFIER_DEPS
        and noun.i >= run.end
        and noun.pos_ in {"NOUN", "PROPN"}
        and not _is_name_word(noun)
        and noun.lower_ not in terms.feature_words
    )


def _is_agent(doc: Doc, run: _Run) -> bool:
    """A state or capital as the subject of a verb: the government, not the place
    ("Washington countered", "Tel Aviv killed")."""
    head = _head(doc, run)
    text = doc[run.start : run.end].text
    return head.dep_ in {"nsubj", "nsubjpass"} and _state_of(text) is not None


def _link(doc: Doc, left: _Run, right: _Run) -> str | None:
    """How two neighbouring runs are joined: 'in' (the right one contains the left),
    'list' (siblings), 'comma' (a chain: hierarchy unless it turns out to be a list),
    'possessive' (the left one contains the right), or None."""
    if sentence_of(doc[right.start]).start != sentence_of(doc[left.start]).start:
        return None
    tokens = doc[left.mention_end : right.start]
    between = [t.lower_ for t in tokens if not _is_adjective(t)]  # "the Syrian city of"
    if between in (["'s"], ["’s"], ["'"]):
        return "possessive"
    if not between or len(tokens) > 5:
        return None
    terms = place_terms()
    allowed = {",", "(", "in", "of", "and", "or", ")"} | _ARTICLES | terms.near_words
    if any(word not in allowed and word not in terms.feature_words for word in between):
        return None
    if "and" in between or "or" in between:
        return "list"
    if "in" in between or "of" in between:
        return "in"
    return "comma" if between[0] in {",", "("} else None


def find_toponyms(doc: Doc) -> list[Toponym]:
    """Every toponym of ``doc`` in text order, containers and lists linked."""
    terms = place_terms()
    runs: list[_Run] = []
    for run in _runs(doc, terms):
        if _is_actor(doc, run):
            continue
        sentence_start = sentence_of(doc[run.start]).start
        _features(doc, run, terms)
        _left_context(doc, run, sentence_start, terms)
        labels = {t.ent_type_ for t in doc[run.start : run.end]}
        run.person = bool(labels & {"PERSON", "ORG"}) and not labels & PLACE_LABELS
        if labels & PLACE_LABELS:
            run.strong = True
            run.evidence = run.evidence or "named as a place"
        if run.feature is not None:
            run.strong = True
            run.evidence = run.evidence or "a feature word"
        if _is_agent(doc, run) or (_is_modifier(doc, run, terms) and not run.feature):
            continue
        runs.append(run)
    links = [_link(doc, a, b) for a, b in pairwise(runs)]
    keep = _propagate(runs, links)
    return _toponyms(doc, runs, links, keep)


def _propagate(runs: list[_Run], links: list[str | None]) -> list[bool]:
    """Runs that are places: a label, feature word or strong preposition says so, or a
    comma or list joins them to one that is ("Tarmiyah, Saladin, Iraq"), or "X in Y"
    joins them to one (a place in Y makes Y one; X in a place may be one: "captured
    Palmyra in Syria", but "Saleh al-Arouri in Beirut" is kept only if the gazetteer has
    it there, see ``Toponym.person``)."""
    keep = [r.strong or (bool(r.evidence) and not r.weak) for r in runs]
    changed = True
    while changed:
        changed = False
        for i, link in enumerate(links):
            if link in {"comma", "list"} and keep[i] != keep[i + 1]:
                keep[i] = keep[i + 1] = True
                changed = True
            elif link == "in" and keep[i] and not keep[i + 1]:
                keep[i + 1] = changed = True
            elif link == "in" and keep[i + 1] and not keep[i]:
                keep[i] = changed = True
    return keep


def _toponyms(
    doc: Doc, runs: list[_Run], links: list[str | None], keep: list[bool]
) -> list[Toponym]:
    index: dict[int, int] = {}
    found: list[Toponym] = []
    for i, run in enumerate(runs):
        if not keep[i]:
            continue
        index[i] = len(found)
        name_start = run.start + 1 if run.prefix else run.start
        name_end = run.end - 1 if run.suffix else run.end
        found.append(
            Toponym(
                start=run.start,
                end=run.mention_end,
                name=doc[name_start:name_end].text,
                written=doc[run.start : run.mention_end].text,
                sentence=sentence_of(doc[run.start]).start,
                feature=run.feature,
                near=run.near,
                country_hint=run.country_hint,
                evidence=run.evidence or "linked to a place",
                strong=run.strong,
                person=run.person,
            )
        )
    _attach(found, index, links)
    return found


def _attach(found: list[Toponym], index: dict[int, int], links: list[str | None]) -> None:
    """Containers from 'in' links, possessives and comma chains; lists stay siblings."""
    chain: list[int] = []
    chain_is_list = False
    for i, link in enumerate(links):
        left, right = index.get(i), index.get(i + 1)
        if left is None or right is None:
            link = None
        if link in {"comma", "list"} and left is not None and right is not None:
            chain = chain or [left]
            chain.append(right)
            chain_is_list = chain_is_list or link == "list"
            continue
        _close(found, chain, chain_is_list)
        chain, chain_is_list = [], False
        if link == "in" and left is not None and right is not None:
            found[left].container = right
        elif link == "possessive" and left is not None and right is not None:
            found[right].container = left
    _close(found, chain, chain_is_list)


def _close(found: list[Toponym], chain: list[int], is_list: bool) -> None:
    """A comma chain without 'and' is a hierarchy: each name lies in the next."""
    if is_list:
        return
    for inner, outer in pairwise(chain):
        if found[inner].container is None:
            found[inner].container = outer
