"""Speakers: the phrase that names them, how they are described, and who they are.

A cue verb's subject is often long ("Omar Saleh, a researcher specializing in ...",
"A high-ranking officer, who asked to remain unnamed,"). The speaker *mention* is its
core noun phrase; appositions and titles become the *description*; clauses about
anonymity become the *anonymity* marker. Pronouns and short references ("he", "the
source", a surname) resolve to the fullest earlier mention of the same speaker.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span, Token

from newstrace.extract.lexicon import (
    ANONYMITY,
    DOCUMENT_NOUNS,
    ORGANIZATION_NOUNS,
    PERSON_NOUNS,
    PRONOUNS_NEUTER,
    PRONOUNS_PLURAL,
    PRONOUNS_SINGULAR,
    PUBLISHING_VERBS,
)
from newstrace.nlp.aliases import ActorKind, AliasTable, normalize_name
from newstrace.nlp.pipeline import mention, parsed_text
from newstrace.records import Mention, Speaker, SpeakerKind

_ENTITY_INDEX = "newstrace_entity_index"
HISTORY_LOOKBACK = 50  # a short reference never points further back than this many speakers
# Children of the head noun that describe the speaker rather than name them.
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "appos", "punct", "cc", "conj", "parataxis"})
_TITLE_DEPS = frozenset({"compound", "amod", "nmod", "poss"})


def mention_of(tokens: Span | list[Token], doc_id: int) -> Mention:
    first, last = tokens[0], tokens[-1]
    return mention(first.doc, first.idx, last.idx + len(last.text), doc_id)


def entity_of(token: Token) -> Span | None:
    """The named entity ``token`` is part of (indexed once per document)."""
    index: dict[int, Span] | None = token.doc.user_data.get(_ENTITY_INDEX)
    if index is None:
        index = {i: ent for ent in token.doc.ents for i in range(ent.start, ent.end)}
        token.doc.user_data[_ENTITY_INDEX] = index
    return index.get(token.i)


def is_person_entity(ent: Span) -> bool:
    """PERSON labels that cannot be people ("The ..." titles) are not trusted."""
    return ent.label_ == "PERSON" and ent[0].lower_ not in {"the", "a", "an"}


def core_phrase(head: Token, stop: int | None = None) -> list[Token]:
    """The head's noun phrase without clauses, appositions or anything after a comma
    (or at or after token ``stop``, the cue verb when the parse went astray)."""
    keep = [head]
    for child in head.children:
        if child.dep_ not in _CLAUSE_DEPS:
            keep.extend(_without_clauses(child))
    ent = entity_of(head)
    if ent is not None:  # never cut a name in two ("Syrian Observatory (for Human Rights)")
        keep.extend(t for t in ent if t not in keep)
    tokens = sorted((t for t in keep if stop is None or t.i < stop), key=lambda t: t.i)
    # Cut at the first comma or parenthesis after the head: the rest is description.
    cut = [t for t in tokens if t.i > head.i and t.text in {",", "(", "—", "–"}]
    if cut:
        tokens = [t for t in tokens if t.i < cut[0].i]
    return trim(tokens) or [head]


def _without_clauses(token: Token) -> list[Token]:
    """``token``'s subtree minus any relative or participial clause below it."""
    kept = [token]
    for child in token.children:
        if child.dep_ not in {"relcl", "acl", "advcl", "appos"}:
            kept.extend(_without_clauses(child))
    return kept


def trim(tokens: list[Token]) -> list[Token]:
    """Drop punctuation, white space and a possessive ending at either edge."""
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space or tokens[-1].dep_ == "case"):
        tokens = tokens[:-1]
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens = tokens[1:]
    return tokens


def _description(head: Token, core: list[Token], doc_id: int) -> Mention | None:
    """Role and affiliation words: an apposition, else the title words before a name."""
    for child in head.children:
        if child.dep_ == "appos":
            return mention_of(core_phrase(child), doc_id)
    ent = entity_of(head)
    if ent is not None and is_person_entity(ent):
        title = [t for t in core if t.i < ent.start and not t.is_stop and t.dep_ != "det"]
        return mention_of(title, doc_id) if title else None
    if head.lemma_.lower() in PERSON_NOUNS | ORGANIZATION_NOUNS | DOCUMENT_NOUNS:
        words = [t for t in core if t.dep_ != "det"]
        return mention_of(words, doc_id) if words else None
    return None


def _anonymity(head: Token, doc_id: int) -> Mention | None:
    """A clause of the speaker's phrase (or its verb) that says they are not named."""
    candidates = [
        d for d in head.subtree if d is not head and d.dep_ in {"relcl", "acl", "advcl", "appos"}
    ]
    if head.head is not head:
        candidates += [
            c
            for c in head.head.children
            if c.dep_ in {"advcl", "prep", "npadvmod"} and c.i > head.i
        ]
    for clause in candidates:
        tokens = list(clause.subtree)
        text = parsed_text(head.doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]
        if ANONYMITY.search(text):
            return mention_of(tokens, doc_id)
    return None


def _is_plural(head: Token) -> bool:
    return head.tag_ in {"NNS", "NNPS"} or head.lower_ in PRONOUNS_PLURAL


def _document_author(head: Token) -> Token | None:
    """'a report published by X', 'a statement from X', 'X's report': X speaks."""
    for child in head.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in {"from", "by"}:
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if objects:
                return objects[0]
        if child.dep_ == "acl" and child.lemma_.lower() in PUBLISHING_VERBS:
            for grandchild in child.children:
                if grandchild.dep_ == "agent":
                    objects = [g for g in grandchild.children if g.dep_ == "pobj"]
                    if objects:
                        return objects[0]
    return None


@dataclass(slots=True)
class SpeakerContext:
    """What speaker resolution knows about the document while walking through it."""

    doc: Doc
    doc_id: int
    aliases: AliasTable
    known_outlets: frozenset[str] = frozenset()  # normalized names
    history: list[tuple[Token, Speaker]] = field(default_factory=list)
    people: list[Span] = field(default_factory=list)  # PERSON entities in document order
    _people_ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.people = [e for e in self.doc.ents if is_person_entity(e)]
        self._people_ends = [e.end for e in self.people]

    def last_person_before(self, i: int) -> Span | None:
        position = bisect_right(self._people_ends, i)
        return self.people[position - 1] if position else None

    def recent(self) -> list[tuple[Token, Speaker]]:
        """The latest speakers, newest first."""
        return self.history[: -HISTORY_LOOKBACK - 1 : -1]

    def is_outlet(self, text: str) -> bool:
        entry = self.aliases.resolve(text)
        return (entry is not None and entry.kind is ActorKind.OUTLET) or normalize_name(
            text
        ) in self.known_outlets


def classify(head: Token, core: list[Token], ctx: SpeakerContext) -> SpeakerKind:
    """Speaker kind from the head noun, its entity label and the alias tables."""
    text = " ".join(t.text for t in core)
    ent = entity_of(head)
    if ctx.is_outlet(text) or (ent is not None and ctx.is_outlet(ent.text)):
        return SpeakerKind.OUTLET
    if ent is not None and is_person_entity(ent):
        return SpeakerKind.NAMED_PERSON
    if ent is not None and ent.label_ in {"ORG", "GPE", "NORP", "FAC"}:
        return SpeakerKind.ORGANIZATION
    if ent is not None and ent.label_ == "PERSON":  # "The X" mislabelled as a person
        return SpeakerKind.ORGANIZATION
    lemma = head.lemma_.lower()
    if lemma in DOCUMENT_NOUNS:
        return SpeakerKind.DOCUMENT
    if lemma in PERSON_NOUNS:
        return SpeakerKind.ANONYMOUS_GROUP if _is_plural(head) else SpeakerKind.ANONYMOUS_PERSON
    if lemma in ORGANIZATION_NOUNS:
        return SpeakerKind.ORGANIZATION
    if head.pos_ == "PROPN":
        return SpeakerKind.ORGANIZATION
    return SpeakerKind.UNKNOWN


def _same_speaker(previous: Speaker, head: Token, core_text: str) -> bool:
    """A short reference ("the source", "Saleh") to an earlier speaker."""
    earlier = previous.resolved or previous.mention
    if earlier is None:
        return False
    earlier_words = set(normalize_name(earlier.text).split())
    words = [w for w in normalize_name(core_text).split() if w not in {"the", "this", "that"}]
    if not words:
        return False
    return head.lower_ in earlier_words and set(words) <= earlier_words | {head.lower_}


def _fullest_person(head: Token, ctx: SpeakerContext) -> Span | None:
    """For a name given in part ("Saleh"), the longest PERSON entity of the document that
    ends with the same words ("Omar Saleh")."""
    ent = entity_of(head)
    words = [t.lower_ for t in ent] if ent is not None else [head.lower_]
    matches = [
        e
        for e in ctx.people
        if len(e) > len(words) and [t.lower_ for t in e][-len(words) :] == words
    ]
    return max(matches, key=lambda e: (len(e), -e.start)) if matches else None


def _resolve_pronoun(head: Token, ctx: SpeakerContext) -> Speaker | None:
    word = head.lower_
    wanted: set[SpeakerKind]
    if word in PRONOUNS_SINGULAR:
        wanted = {SpeakerKind.NAMED_PERSON, SpeakerKind.ANONYMOUS_PERSON}
    elif word in PRONOUNS_PLURAL:
        wanted = {SpeakerKind.ANONYMOUS_GROUP, SpeakerKind.ORGANIZATION, SpeakerKind.OUTLET}
    elif word in PRONOUNS_NEUTER:
        wanted = {SpeakerKind.ORGANIZATION, SpeakerKind.DOCUMENT, SpeakerKind.OUTLET}
    else:
        return None
    earlier = next(((t, sp) for t, sp in ctx.recent() if t.i < head.i and sp.kind in wanted), None)
    person = ctx.last_person_before(head.i) if word in PRONOUNS_SINGULAR else None
    if person is not None and (earlier is None or person.start > earlier[0].i):
        # The nearest antecedent is a name no one has been quoted under yet.
        return Speaker(SpeakerKind.NAMED_PERSON, None, mention_of(person, ctx.doc_id))
    return earlier[1] if earlier else None


def _refer_to(earlier: Speaker, mention: Mention) -> Speaker:
    """The earlier speaker, as referred to again by ``mention``."""
    return replace(earlier, mention=mention, resolved=earlier.resolved or earlier.mention)


def speaker_from_head(head: Token, ctx: SpeakerContext, stop: int | None = None) -> Speaker:
    """Build (and resolve) the speaker whose phrase is headed by ``head`` (and ends
    before token ``stop``, the cue verb, when that follows the speaker)."""
    if head.lemma_.lower() in DOCUMENT_NOUNS:
        author = _document_author(head)
        if author is not None and author.pos_ in {"PROPN", "NOUN"}:
            speaker = speaker_from_head(author, ctx)
            document = mention_of(core_phrase(head), ctx.doc_id)
            return replace(speaker, description=document)
    core = core_phrase(head, stop)
    mention = mention_of(core, ctx.doc_id)
    if head.pos_ == "PRON":
        found = _resolve_pronoun(head, ctx)
        if found is None:
            return Speaker(SpeakerKind.UNKNOWN, mention)
        return _refer_to(found, mention)
    for token, previous in ctx.recent():
        if token.i < head.i and _same_speaker(previous, head, mention.text):
            return _refer_to(previous, mention)
    kind = classify(head, core, ctx)
    ent = entity_of(head)
    entry = ctx.aliases.resolve(ent.text if ent is not None else mention.text, as_agent=True)
    resolved = None
    if kind is SpeakerKind.NAMED_PERSON:
        fullest = _fullest_person(head, ctx)
        if fullest is not None and fullest.text not in mention.text:
            resolved = mention_of(fullest, ctx.doc_id)
    return Speaker(
        kind,
        mention,
        resolved,
        _description(head, core, ctx.doc_id),
        _anonymity(head, ctx.doc_id),
        entry.name if entry else None,
    )


def remember(ctx: SpeakerContext, head: Token, speaker: Speaker) -> None:
    if speaker.kind is not SpeakerKind.UNKNOWN:
        ctx.history.append((head, speaker))


def outlet_names(names: Collection[str]) -> frozenset[str]:
    return frozenset(normalize_name(n) for n in names if n)
