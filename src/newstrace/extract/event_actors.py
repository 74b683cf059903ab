"""Who did it and to whom: actor names from the parse, claims and attributions.

An actor is named when the alias table knows a name in its phrase ("IS militants",
"regime forces", "Tel Aviv" as the Israeli government), or when the phrase is a proper
name ("Ahl al-Marouf"). Generic phrases ("unidentified gunmen", "assailants", "security
forces") name no one, as GTD and ACLED code them. A responsibility claim ("ISIS claimed
responsibility") names the perpetrator before an attribution by others ("sources
attributed the attack to ..."), which comes before the subject of the verb.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Span, Token

from newstrace.extract.speakers import entity_of, trim
from newstrace.extract.triggers import EventTerms, event_terms, forms
from newstrace.nlp.aliases import ActorKind, AliasEntry, load_aliases

PRONOUNS = frozenset({"it", "they", "he", "she", "we", "them", "its", "their"})
_FORCE_NOUNS = frozenset(
    {"force", "army", "military", "troop", "soldier", "jet", "warplane", "aircraft", "guard"}
)
_CORE_DEPS = frozenset({"compound", "flat", "amod", "nmod", "nummod", "appos", "punct"})
_ARMED_KINDS = frozenset({ActorKind.ARMED_GROUP, ActorKind.STATE_FORCE})
_STATE_KINDS = frozenset({ActorKind.STATE, ActorKind.STATE_FORCE})
_LOCATIVE = frozenset({"in", "at", "near", "from", "inside", "outside", "across", "within", "on"})


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor as named (the alias table's name when it knows one) and its words."""

    name: str
    tokens: tuple[int, int]  # token range of the words it rests on
    entry: AliasEntry | None = None

    @property
    def is_state(self) -> bool:
        return self.entry is not None and self.entry.kind in _STATE_KINDS


# Entity labels of words that never name an actor: times and amounts. (Places are left
# alone: the model labels many armed groups' names GPE.)
_NOT_ACTORS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})


@cache
def _entries_by_id() -> dict[str, AliasEntry]:
    return {f"{entry.kind}:{entry.id}": entry for entry in load_aliases().entries}


def _entry(token: Token) -> AliasEntry | None:
    return _entries_by_id().get(token.ent_id_) if token.ent_id_ else None


def _span(tokens: Iterable[Token]) -> tuple[int, int]:
    ordered = sorted(t.i for t in tokens)
    return ordered[0], ordered[-1] + 1


def _phrase(head: Token) -> list[Token]:
    """The head's subtree without clauses and without what follows a comma."""
    tokens = [t for t in head.subtree if not _in_clause(t, head)]
    cut = [t.i for t in tokens if t.i > head.i and t.text in {",", ";"}]
    return trim([t for t in tokens if not cut or t.i < cut[0]])


def _in_clause(token: Token, head: Token) -> bool:
    """Whether ``token`` lies in a clause or a locative phrase below ``head`` ("cells in
    Afghanistan" are not Afghanistan)."""
    current = token
    while current.i != head.i:
        if current.dep_ in {"relcl", "acl", "advcl", "ccomp"}:
            return True
        if current.dep_ == "prep" and current.lower_ in _LOCATIVE:
            return True
        current = current.head
    return False


def _state_forces(state: AliasEntry) -> str:
    """ACLED's name for a state's forces when the alias table has no entry for them."""
    return f"Military Forces of {state.name}"


def actor_from(
    head: Token, *, common: bool = False, deep: bool = False, terms: EventTerms | None = None
) -> Actor | None:
    """The actor the phrase headed by ``head`` names, if it names one.

    ``common`` accepts a common-noun phrase ("an Iran-backed militia"), as sources
    naming a perpetrator use one; a verb's subject must be a name. ``deep`` also looks
    for a known name inside the phrase's clauses ("a report published by SOHR").
    """
    terms = terms or event_terms()
    words = _phrase(head)
    if not words:
        return None
    for token in sorted(head.subtree, key=lambda t: t.i) if deep else words:
        entry = _entry(token)
        if entry is None or entry.kind is ActorKind.OUTLET or _inside_longer_name(token):
            continue
        if entry.kind is ActorKind.STATE:
            if token.ent_type_ == "NORP" and forms(head)[0] in _FORCE_NOUNS:
                return Actor(_state_forces(entry), _span(words), entry)  # "Turkish Army forces"
            if token.i != head.i and entity_of(token) != entity_of(head):
                continue  # "an Iran-backed militia" is not Iran
        return Actor(entry.name, _span(words), entry)
    name = entity_of(head)
    agent = load_aliases().resolve(name.text if name else head.text, as_agent=True)
    if agent is not None and agent.kind is ActorKind.STATE and head.ent_type_ == "GPE":
        return Actor(agent.name, _span(words), agent)  # "Tel Aviv", "Washington"
    if head.ent_type_ in _NOT_ACTORS:
        return None  # "Sunday" or "4 January" read as a subject
    lowered = {forms(t)[0] for t in words} | {t.lower_ for t in words}
    if lowered & terms.unnamed_words or head.lower_ in PRONOUNS:
        return None
    named = head.pos_ == "PROPN" or head.ent_type_ in {"ORG", "PERSON", "NORP"}
    if not named:
        group = _group_of(head, terms)  # "a member of Ansar Allah al-Awfiya"
        if group is not None or not common or forms(head)[0] in terms.event_words:
            return group
    kept = [t for t in words if t.lower_ not in {"the", "a", "an"} and t.dep_ != "case"]
    if not kept:
        return None
    start, end = kept[0].i, kept[-1].i + 1
    doc = head.doc
    if end < len(doc) and doc[end].text == ")" and "(" in doc[start:end].text:
        end += 1  # "Afrin Liberation Forces (HRE)"
    return Actor(doc[start:end].text, _span(words))


def _group_of(head: Token, terms: EventTerms) -> Actor | None:
    """The named group a common noun belongs to: "members of X", "fighters from X"."""
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ in {"of", "from"}:
            for named in prep.children:
                if named.dep_ == "pobj" and (named.pos_ == "PROPN" or named.ent_id_):
                    return actor_from(named, terms=terms)
    return None


def _inside_longer_name(token: Token) -> bool:
    """An alias matched inside a longer name ("Ansar Allah" in "Ansar Allah al-Awfiya")."""
    name = entity_of(token)
    if name is None or name.end >= len(token.doc):
        return False
    after = token.doc[name.end]
    joined = not name[-1].whitespace_ and after.text in {"-", "‐"}
    return (
        joined
        or (after.pos_ == "PROPN" and after.ent_type_ == name.label_)
        or (after.lower_ in {"al", "el"} and after.i + 1 < len(token.doc))
    )


def subject_of(verb: Token) -> Token | None:
    """The verb's subject, or the subject of the verb it is coordinated with or
    depends on ("shot and killed", "announced that it would send")."""
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in {"nsubj", "csubj"}:
                return child
        if current.dep_ not in {"conj", "xcomp", "advcl"} or current.head.i == current.i:
            return None
        current = current.head
    return None


def agent_of(token: Token) -> Token | None:
    """The 'by' agent of a passive verb or of a participle ("planted by an armed group")."""
    for child in token.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            return objects[0] if objects else None
        if child.dep_ == "acl":
            found = agent_of(child)
            if found is not None:
                return found
    return None


def resolve_pronoun(token: Token) -> Token | None:
    """A pronoun subject's referent: the named subject of a governing clause."""
    current = token.head
    while current.head.i != current.i:
        current = current.head
        subject = subject_of(current)
        if subject is not None and subject.lower_ not in PRONOUNS:
            return subject
    return None


def is_state_actor(actor: Actor | None, words: Iterable[Token], terms: EventTerms) -> bool:
    """A state, its forces, or an organ of the state ("police", "the regime")."""
    if actor is not None and actor.is_state:
        return True
    return any(forms(t)[0] in terms.state_actor_words for t in words)


def is_armed(tokens: Iterable[Token], terms: EventTerms) -> bool:
    """Whether a target phrase names armed people, posts or forces."""
    for token in tokens:
        entry = _entry(token)
        if entry is not None and entry.kind in _ARMED_KINDS:
            return True
        lemma, lower = forms(token)
        if {lemma, lower, lower.removesuffix("s")} & terms.armed_targets:
            return True
    return False


def is_civilian(tokens: Iterable[Token], terms: EventTerms) -> bool:
    return any(forms(t)[0] in terms.civilian_targets for t in tokens)


@dataclass(frozen=True, slots=True)
class Claim:
    """Who claimed or was said to be responsible, and the words of the claim."""

    actor: Actor
    words: tuple[int, int]
    claimed: bool  # claimed by the actor itself, not attributed by others


def _negated(token: Token, terms: EventTerms) -> bool:
    return any(
        child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ in terms.negations)
        for child in token.children
    )


def _claim_by(verb: Token, terms: EventTerms) -> Claim | None:
    """'X claimed responsibility', 'responsibility was claimed by X'."""
    objects = [c for c in verb.children if c.dep_ in {"dobj", "nsubjpass"}]
    if not any(o.lower_ == "responsibility" for o in objects) or _negated(verb, terms):
        return None
    head = subject_of(verb) or agent_of(verb)
    if head is None or _negated(head, terms):
        return None
    actor = actor_from(head)
    if actor is None:
        return None
    responsibility = next(o for o in objects if o.lower_ == "responsibility")
    return Claim(actor, _span([*head.subtree, verb, responsibility]), claimed=True)


def _attributed_to(verb: Token, terms: EventTerms) -> Claim | None:
    """'attributed the attack to X', 'blamed X', 'suspected the involvement of X'."""
    if _negated(verb, terms):
        return None
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    to = [p for h in (verb, *objects) for p in h.children if p.dep_ == "prep" and p.lower_ == "to"]
    heads = [c for p in to for c in p.children if c.dep_ == "pobj"]
    for child in [] if heads else objects:
        ofs = [g for c in child.children if c.lower_ == "of" for g in c.children]
        heads += [g for g in ofs if g.dep_ == "pobj"] or [child]
    for head in heads:
        actor = actor_from(head, common=True)
        if actor is not None:
            return Claim(actor, _span([verb, *head.subtree]), claimed=False)
    return None


def find_claim(sentences: Iterable[Span], terms: EventTerms | None = None) -> Claim | None:
    """The strongest responsibility claim in ``sentences``: a claim, else an attribution."""
    terms = terms or event_terms()
    attributed: Claim | None = None
    for sentence in sentences:
        for token in sentence:
            lemma = forms(token)[0]
            if lemma in terms.claim_verbs and (claim := _claim_by(token, terms)):
                return claim
            if attributed is None and lemma in terms.attribution_verbs:
                attributed = _attributed_to(token, terms)
    return attributed


def according_to(sentence: Span) -> Actor | None:
    """The source of 'according to X' in a sentence."""
    for token in sentence:
        if token.lower_ == "according" and token.i + 1 < len(token.doc):
            to = token.doc[token.i + 1]
            for head in (c for c in to.children if c.dep_ == "pobj"):
                source = actor_from(head, common=True, deep=True)
                if source is not None:
                    return Actor(source.name, (token.i, source.tokens[1]), source.entry)
    return None
