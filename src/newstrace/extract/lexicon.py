"""Word lists that attribution rests on: cue verbs, speaker nouns, hedges, anonymity.

These are general English reporting vocabulary (as in attribution corpora such as
PolNeAR and PARC), not lists made for any particular article. The cue words, by the frame
each introduces its content in, are data: data/attribution_cues.yaml.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Token


def _cue_words() -> dict[str, Any]:
    """The packaged cue lexicon (data/attribution_cues.yaml), by frame."""
    text = resources.files("newstrace.data").joinpath("attribution_cues.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


_CUES = _cue_words()
# Verbs that introduce reported speech or writing: "X said that ...", "... , X added".
CUE_VERBS = frozenset(_CUES["speech"])
# Verbs that govern a quoted phrase inside the reporter's own sentence (partial quotes).
PARTIAL_CUE_VERBS = CUE_VERBS | frozenset(_CUES["quoting"])
# Verbs of saying proper: their subject speaks even when newstrace cannot tell what it is.
SPEECH_VERBS = frozenset(_CUES["parenthetical"])
# Verbs whose object is the claim itself: "X denied responsibility for the attack".
OBJECT_CUE_VERBS = frozenset(_CUES["object"])
# Verbs of knowing and believing that report a stance through a clause ("X fears that").
STANCE_VERBS = frozenset(_CUES["clause"])
# Verbs whose infinitive is the attributed content: "X refused to comment".
INFINITIVE_CUE_VERBS = frozenset(_CUES["infinitive"])
# Verbs whose subject is part of the content and that name no source: "X appears to ...".
RAISING_VERBS = frozenset(_CUES["raising"])
# Verbs whose claim is a prepositional object ("X referred to Y"), with the prepositions.
PREPOSITION_CUES: dict[str, frozenset[str]] = {
    verb: frozenset(preps) for verb, preps in _CUES["prepositional"].items()
}
# Nouns of saying or stance ("her praise for Y", "the claim that ..."), with what
# introduces their content: prepositions, or "that" for a clause.
CUE_NOUNS: dict[str, frozenset[str]] = {
    noun: frozenset(words) for noun, words in _CUES["noun"].items()
}
# Forms of cue verbs that spaCy's small model lemmatizes wrongly ("hoping" -> "hop").
_LEMMA_FIXES = {"hoped": "hope", "hopes": "hope", "hoping": "hope"}


def cue_lemma(token: Token) -> str:
    """The lower-case lemma of a (possible) cue verb, with known lemmatizer slips fixed."""
    return _LEMMA_FIXES.get(token.lower_) or token.lemma_.lower()


# Verbs whose indirect object is the one spoken to ("tells Reuters").
TELLING_VERBS = frozenset(_CUES["telling"])
# Words that label a line ("Photo: ...") rather than name who is speaking.
LINE_LABELS = frozenset(
    """photo photos video watch update updated note editor source sources read related
    listen image images caption credit disclaimer correction advertisement""".split()
)
# Nouns for a person who speaks without being named: "a security source", "officials".
PERSON_NOUNS = frozenset(
    [
        "source",
        "official",
        "officer",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "commander",
        "resident",
        "witness",
        "diplomat",
        "analyst",
        "lawmaker",
        "legislator",
        "parliamentarian",
        "mp",
        "member",
        "expert",
        "researcher",
        "activist",
        "medic",
        "doctor",
        "nurse",
        "soldier",
        "fighter",
        "militant",
        "leader",
        "chief",
        "minister",
        "director",
        "governor",
        "mayor",
        "envoy",
        "ambassador",
        "aide",
        "adviser",
        "advisor",
        "negotiator",
        "investigator",
        "journalist",
        "reporter",
        "correspondent",
        "person",
        "man",
        "woman",
        "villager",
        "farmer",
        "survivor",
        "relative",
        "father",
        "mother",
        "brother",
        "sister",
        "son",
        "daughter",
        "teacher",
        "student",
        "employee",
        "worker",
        "staffer",
        "insider",
        "observer",
        "monitor",
        "cleric",
        "sheikh",
        "tribesman",
        "elder",
        "general",
        "colonel",
        "captain",
        "lieutenant",
        "major",
        "sergeant",
        "officer",
        "agent",
        "operative",
        "representative",
        "delegate",
        "president",
        "prosecutor",
        "judge",
        "lawyer",
        "attorney",
        "commissioner",
        "secretary",
        "senator",
        "congressman",
        "congresswoman",
        "candidate",
        "nominee",
        "chairman",
        "chairwoman",
        "chair",
        "executive",
        "manager",
        "coordinator",
        "strategist",
        "pollster",
        "economist",
        "scientist",
        "professor",
        "historian",
        "author",
        "writer",
        "editor",
        "host",
        "commentator",
        "supporter",
        "critic",
        "opponent",
        "voter",
        "rebel",
        "insurgent",
        "protester",
        "demonstrator",
        "local",
        "official",
        "police officer",
        "paramedic",
        "rescuer",
        "victim",
        "detainee",
        "prisoner",
        "defector",
        "smuggler",
        "citizen",
        "people",
    ]
)
# Nouns for a written or recorded source: "a report", "the statement".
DOCUMENT_NOUNS = frozenset(
    [
        "report",
        "statement",
        "post",
        "tweet",
        "document",
        "study",
        "survey",
        "poll",
        "assessment",
        "communique",
        "communiqué",
        "release",
        "letter",
        "memo",
        "memorandum",
        "cable",
        "video",
        "footage",
        "recording",
        "audio",
        "message",
        "bulletin",
        "dossier",
        "analysis",
        "paper",
        "investigation",
        "account",
        "record",
        "records",
        "data",
        "figures",
        "tally",
        "toll",
        "count",
        "readout",
        "transcript",
        "announcement",
        "notice",
        "press",
        "briefing",
        "information",
        "leaflet",
        "complaint",
        "lawsuit",
        "indictment",
        "filing",
        "ruling",
        "verdict",
        "order",
        "decree",
        "ad",
        "advertisement",
        "article",
        "story",
        "editorial",
        "book",
        "review",
        "audit",
        "probe",
        "website",
        "site",
    ]
)
# Common nouns for an organisation speaking as a body: "the ministry said".
ORGANIZATION_NOUNS = frozenset(
    [
        "ministry",
        "government",
        "army",
        "military",
        "police",
        "command",
        "agency",
        "office",
        "observatory",
        "council",
        "committee",
        "group",
        "coalition",
        "force",
        "forces",
        "organization",
        "organisation",
        "network",
        "commission",
        "authority",
        "authorities",
        "administration",
        "department",
        "embassy",
        "directorate",
        "presidency",
        "parliament",
        "cabinet",
        "court",
        "movement",
        "party",
        "militia",
        "brigade",
        "battalion",
        "division",
        "regiment",
        "unit",
        "units",
        "center",
        "centre",
        "institute",
        "foundation",
        "union",
        "federation",
        "hospital",
        "campaign",
        "company",
        "firm",
        "newspaper",
        "magazine",
        "station",
        "channel",
        "team",
        "staff",
        "board",
        "panel",
        "senate",
        "congress",
        "regime",
        "junta",
        "ministry",
        "secretariat",
        "mission",
        "bureau",
        "service",
        "services",
        "agency",
        "municipality",
    ]
)
# Verbs of publishing: "a report published by X" speaks for X.
PUBLISHING_VERBS = frozenset({"publish", "issue", "release", "compile", "produce", "prepare"})

ANONYMITY = re.compile(
    r"\b(?:anonymity|anonymously|unnamed|unidentified|not\s+(?:to\s+be\s+)?(?:named|identified)"
    r"|not\s+authori[sz]ed\s+to\s+(?:speak|talk|comment)|(?:declined|refused)\s+to\s+be\s+named"
    r"|(?:remain|be)\s+(?:unnamed|anonymous|nameless)|withheld)\b",
    re.IGNORECASE,
)
HEDGES = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|supposedly|apparently|ostensibly|presumably"
    r"|(?:is|are|was|were)\s+(?:said|believed|thought|reported|supposed|alleged|understood"
    r"|rumou?red|claimed|assumed|suspected)\s+to"
    r"|it\s+is\s+(?:believed|thought|said|reported|alleged|understood|claimed)"
    r"|according\s+to\s+(?:numerous|several|some|many|unconfirmed|local|media|press)?\s*reports"
    r"|unconfirmed|unverified|rumou?rs?|(?:could|may|might)\s+have|possibly|likely|probably"
    r"|appears?\s+to|seems?\s+to|suggests?)\b",
    re.IGNORECASE,
)
PRONOUNS_SINGULAR = frozenset({"he", "she", "him", "her"})
PRONOUNS_PLURAL = frozenset({"they", "them"})
PRONOUNS_NEUTER = frozenset({"it"})
