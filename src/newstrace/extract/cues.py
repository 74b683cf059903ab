"""Cue words of attribution and what hangs from them: the speaker and the recipient.

A cue is a verb of saying, knowing or claiming ("said", "warned", "denied"), or the
preposition of "according to". The speaker is read from the parse, climbing through
participles and conjuncts that have no subject of their own.
"""

from __future__ import annotations

from spacy.tokens import Token

from newstrace.extract.lexicon import PARTIAL_CUE_VERBS, TELLING_VERBS, cue_lemma
from newstrace.extract.speakers import core_phrase, mention_of
from newstrace.nlp.pipeline import sentence_of
from newstrace.records import Mention

MAX_CLIMB = 8  # how far up the parse a quoted phrase may hang below its cue verb
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP"})


def is_cue(token: Token, lexicon: frozenset[str]) -> bool:
    if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
        return True
    if cue_lemma(token) not in lexicon:
        return False
    return token.pos_ in {"VERB", "AUX"} or is_mistagged_verb(token)


def is_mistagged_verb(token: Token) -> bool:
    """'an officer recounts to ...': a present-tense cue verb the tagger read as a plural
    noun, recognisable by a noun phrase before it and 'to', 'that' or a colon after it."""
    if token.tag_ != "NNS" or not token.lower_.endswith("s") or token.i == 0:
        return False
    after = token.nbor(1) if token.i + 1 < len(token.doc) else None
    before = token.nbor(-1)
    return (
        after is not None
        and (after.lower_ in {"to", "that", ":"} or after.pos_ in {"DET", "PROPN"})
        and before.pos_ in {"NOUN", "PROPN"}
    )


def subject_left_of(cue: Token) -> Token | None:
    """The first noun heading the words before a mis-tagged cue in its sentence."""
    for token in sentence_of(cue):
        if token.i >= cue.i:
            break
        if token.pos_ in {"NOUN", "PROPN", "PRON"} and token.dep_ not in {
            "compound",
            "amod",
            "nmod",
            "poss",
            "nummod",
        }:
            return token
    return None


def speaker_head(cue: Token) -> Token | None:
    """The subject of the cue, climbing through subjectless participles and conjuncts.

    "..., even going so far as to say that ..." hangs below a verb of other content; the
    climb prefers the nearest *cue* verb with a subject, else the nearest subject.
    """
    if cue.lower_ == "according":
        for to in cue.children:
            if to.lower_ == "to":
                objects = [g for g in to.children if g.dep_ == "pobj"]
                return objects[0] if objects else None
        return None
    if is_mistagged_verb(cue):
        return subject_left_of(cue)
    fallback: Token | None = None
    token: Token | None = cue
    for _ in range(MAX_CLIMB):
        if token is None:
            break
        subjects = [c for c in token.children if c.dep_ in SUBJECT_DEPS]
        if subjects and token.pos_ in {"VERB", "AUX"}:
            if token.i == cue.i or is_cue(token, PARTIAL_CUE_VERBS):
                return subjects[0]
            fallback = fallback or subjects[0]
        if token.dep_ == "ROOT" or token.head is token:
            break
        token = token.head
    return fallback or name_before(cue)


def name_before(cue: Token) -> Token | None:
    """'..., former president Jo Doe said ...': a finite cue the parser left without a
    subject, right after a name it hung elsewhere (as an apposition, say)."""
    if cue.tag_ not in FINITE_TAGS or cue.i == 0:
        return None
    before = cue.nbor(-1)
    if before.pos_ == "ADV" and before.i > 0:  # 'X also said'
        before = before.nbor(-1)
    if before.pos_ in {"PROPN", "PRON"} and before.dep_ not in {"compound", "poss"}:
        return before
    return None


def recipient_of(cue: Token | None, doc_id: int) -> Mention | None:
    """'tells Reuters', 'recounts to AFP', 'in an interview with CNN'."""
    if (
        cue is None
        or cue.lower_ == "according"
        or (cue.pos_ == "NOUN" and not is_mistagged_verb(cue))
    ):
        return None
    for child in cue.children:
        telling = cue_lemma(cue) in TELLING_VERBS
        if telling and child.dep_ in {"dobj", "dative"} and child.pos_ in {"PROPN", "NOUN"}:
            return mention_of(core_phrase(child), doc_id)
        if child.dep_ in {"prep", "dative"} and child.lower_ in {"to", "with"}:
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if objects and objects[0].pos_ in {"PROPN", "NOUN"}:
                return mention_of(core_phrase(objects[0]), doc_id)
        if child.dep_ == "prep" and child.lower_ == "in":
            for pobj in child.children:
                if pobj.lemma_.lower() == "interview":
                    for prep in pobj.children:
                        if prep.lower_ == "with":
                            objects = [g for g in prep.children if g.dep_ == "pobj"]
                            if objects:
                                return mention_of(core_phrase(objects[0]), doc_id)
    return None


def is_expletive(cue: Token) -> bool:
    """'It should be noted that', 'it is said that': the writer's frame, not a speaker."""
    subjects = [c for c in cue.children if c.dep_ in SUBJECT_DEPS | {"expl"}]
    passive = any(c.dep_ == "auxpass" for c in cue.children)
    return passive and any(s.lower_ == "it" for s in subjects)
