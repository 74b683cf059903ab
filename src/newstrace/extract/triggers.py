"""Event triggers: the words that report a happening, typed by the mapping file.

``data/event_triggers.yaml`` maps words (lemmas, or phrases of lemmas) to event types of
the project's scheme, with the conditions ACLED codes by (an armed target makes an attack
a battle; a state actor makes a detention an arrest). This module reads that file and
finds the trigger words of a parsed text; :mod:`events` assembles them into events.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Doc, Token

from newstrace.nlp.pipeline import sentence_of

_SKIPPED_POS = frozenset(
    {"DET", "PRON", "ADP", "AUX", "CCONJ", "SCONJ", "PART", "NUM", "PUNCT", "SYM", "SPACE"}
)
_NAME_LABELS = frozenset({"ORG", "PERSON", "GPE", "LOC", "FAC", "WORK_OF_ART", "LAW", "EVENT"})
_COUNTING_DEPS = frozenset({"det", "nummod", "poss", "quantmod"})
_ARTICLES = frozenset({"the", "a", "an", "these", "those", "such"})
_COUNTING_ADJECTIVES = frozenset({"dual", "twin", "double", "triple"})
_UNREAL_CLIMB = 4  # how far up an "xcomp" chain an intention verb is looked for
_UNREAL_DEPS = frozenset(
    {"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj"}
)  # "called for launching"


def _words(phrase: str) -> tuple[str, ...]:
    """A phrase as the token texts the tokenizer makes of it ("self-detonate" is three)."""
    return tuple(phrase.lower().replace("-", " - ").split())


@dataclass(frozen=True, slots=True)
class EventRule:
    """One row of the mapping file."""

    event_type: str
    sub_event_type: str | None
    rank: int
    armed_target: tuple[str, str | None] | None = None
    state_actor: tuple[str, str | None] | None = None
    actor: str | None = None
    objects: frozenset[str] = frozenset()
    harm_only: bool = False
    verbs_only: bool = False


@dataclass(frozen=True, slots=True)
class EventTerms:
    """The mapping file, indexed for matching."""

    phrases: dict[str, tuple[tuple[tuple[str, ...], EventRule], ...]]  # first word -> rules
    armed_targets: frozenset[str]
    civilian_targets: frozenset[str]
    total_cues: tuple[tuple[str, ...], ...]
    claim_verbs: frozenset[str]
    attribution_verbs: frozenset[str]
    denial_verbs: frozenset[str]
    unreal_verbs: frozenset[str]
    light_verbs: frozenset[str]
    state_actor_words: frozenset[str]
    unnamed_words: frozenset[str]
    harm_words: dict[str, frozenset[str]]  # "casualties" -> {"killed", "injured"}
    negations: frozenset[str]
    unharmed_words: frozenset[str]
    not_people: frozenset[str]
    max_event_toll: int
    event_words: frozenset[str]  # single words that name an event ("attack"): never an actor


def _pair(value: Any) -> tuple[str, str | None] | None:
    if not value:
        return None
    return str(value[0]), (str(value[1]) if len(value) > 1 else None)


@cache
def event_terms() -> EventTerms:
    """The packaged mapping (read once)."""
    data: dict[str, Any] = yaml.safe_load(
        resources.files("newstrace.data").joinpath("event_triggers.yaml").read_text("utf-8")
    )
    phrases: dict[str, list[tuple[tuple[str, ...], EventRule]]] = {}
    for row in data["rules"]:
        event = _pair(row["event"])
        assert event is not None
        rule = EventRule(
            event_type=event[0],
            sub_event_type=event[1],
            rank=int(row["rank"]),
            armed_target=_pair(row.get("armed_target")),
            state_actor=_pair(row.get("state_actor")),
            actor=row.get("actor"),
            objects=frozenset(str(o) for o in row.get("objects") or ()),
            harm_only=bool(row.get("harm_only")),
            verbs_only=bool(row.get("verbs_only")),
        )
        for phrase in row["words"]:
            tokens = _words(str(phrase))
            phrases.setdefault(tokens[0], []).append((tokens, rule))
    ordered = {k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in phrases.items()}

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w) for w in data[key])

    return EventTerms(
        phrases=ordered,
        armed_targets=words("armed_targets"),
        civilian_targets=words("civilian_targets"),
        total_cues=tuple(_words(str(c)) for c in data["total_cues"]),
        claim_verbs=words("claim_verbs"),
        attribution_verbs=words("attribution_verbs"),
        denial_verbs=words("denial_verbs"),
        unreal_verbs=words("unreal_verbs"),
        light_verbs=words("light_verbs"),
        state_actor_words=words("state_actor_words"),
        unnamed_words=words("unnamed_words"),
        harm_words={str(k): frozenset(map(str, v)) for k, v in data["harm_words"].items()},
        negations=words("negations"),
        unharmed_words=words("unharmed_words"),
        not_people=words("not_people"),
        max_event_toll=int(data["max_event_toll"]),
        event_words=frozenset(ordered) | {"incident"},
    )


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger word (or phrase, tokens ``start``..``end``) and the rule it matched."""

    start: int
    end: int
    rule: EventRule
    generic: bool = False  # a plural with no number ("attacks", "the raids"): often no event

    def token(self, doc: Doc) -> Token:
        """The token that carries the phrase in the parse (its syntactic head)."""
        span = doc[self.start : self.end]
        return span.root


def forms(token: Token) -> tuple[str, str]:
    """The lemma and the lower-cased form: either may be listed."""
    return token.lemma_.lower(), token.lower_


def _matches(doc: Doc, start: int, words: tuple[str, ...]) -> bool:
    if start + len(words) > len(doc):
        return False
    return all(word in forms(doc[start + k]) for k, word in enumerate(words))


def _unreal(token: Token, terms: EventTerms) -> bool:
    """Negated ("did not attack") or only intended ("plans to attack", "threatened to")."""
    if any(child.dep_ == "neg" for child in token.children):
        return True
    current = token
    for _ in range(_UNREAL_CLIMB):
        if current.dep_ not in _UNREAL_DEPS or current.head.i == current.i:
            return False
        current = current.head
        if current.lemma_.lower() in terms.unreal_verbs:
            return True
    return False


def _is_generic(token: Token) -> bool:
    """A plural noun that nothing counts ("raids", "the attacks"): unlike "two bombings"
    or "dozens of attacks", it often names a kind of event rather than events."""
    if token.tag_ not in {"NNS", "NNPS"}:
        return False
    for child in token.children:
        if child.dep_ in _COUNTING_DEPS and child.lower_ not in _ARTICLES:
            return False
        if child.lower_ in _COUNTING_ADJECTIVES:
            return False
    return not (token.dep_ == "pobj" and token.head.lower_ == "of")  # "dozens of attacks"


def _rule_at(doc: Doc, i: int, terms: EventTerms) -> tuple[int, EventRule] | None:
    """The longest phrase of the mapping that starts at token ``i``, and its rule."""
    token = doc[i]
    for key in dict.fromkeys(forms(token)):
        for words, rule in terms.phrases.get(key, ()):
            if rule.verbs_only and token.pos_ != "VERB":
                continue
            if _matches(doc, i, words):
                return len(words), rule
    return None


def _is_question(token: Token) -> bool:
    """A question does not report a happening ("Is it a coincidence that ... ?")."""
    sentence = sentence_of(token)
    doc = token.doc
    # From the end: one token read, not the whole sentence per trigger (an endless
    # "sentence" of hostile text would make that quadratic).
    for i in range(sentence.end - 1, sentence.start - 1, -1):
        if not doc[i].is_space:
            return doc[i].text == "?"
    return False


def find_triggers(doc: Doc) -> list[Trigger]:
    """Every trigger of ``doc`` in text order (the longest phrase at each token).

    Skipped: words inside names ("the Military College"), participles used as
    adjectives ("detained members"), negated or intended events, and questions.
    """
    terms = event_terms()
    found: list[Trigger] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        match = None
        if token.pos_ not in _SKIPPED_POS and token.ent_type_ not in _NAME_LABELS:
            match = _rule_at(doc, i, terms)
        if match is None:
            i += 1
            continue
        length, rule = match
        head = doc[i : i + length].root
        adjectival = head.pos_ == "VERB" and head.dep_ == "amod"
        if not (adjectival or _unreal(head, terms) or _is_question(head)):
            found.append(Trigger(i, i + length, rule, _is_generic(head)))
        i += length
    return found
