"""Who says what: direct, partial and indirect quotes with speaker, cue, recipient, hedges.

Three kinds of evidence are combined, all read from spaCy's parse:

* quoted passages (see :mod:`quote_marks`), attached to the cue verb they hang from in
  the parse, else to a cue in the same sentence, else to a lead-in sentence ending in a
  colon ("As an officer recounts to Reuters:") or a trailing "he said";
* reported speech and stance: a cue with its complement in the frame the cue takes
  (data/attribution_cues.yaml): a clause ("X warned that ..."), an infinitive ("X refused
  to comment"), an object ("X endorsed Y"), a preposition's object ("X called for Y"), or
  for nouns of saying a 'that' clause or prepositional object ("X's claim that ...");
  passive and raising cues ("Y is expected to ...", "Y appears to ...") name no source;
* "according to X, ..." frames.

Speakers are resolved in document order so that "he", "the source" or a surname point at
the fullest earlier mention. A quote whose speaker cannot be found is kept with speaker
``unknown``; it is never guessed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newstrace.extract.cues import (
    MAX_CLIMB,
    SUBJECT_DEPS,
    is_cue,
    is_expletive,
    recipient_of,
    speaker_head,
)
from newstrace.extract.lexicon import (
    ANONYMITY,
    CUE_NOUNS,
    CUE_VERBS,
    HEDGES,
    INFINITIVE_CUE_VERBS,
    LINE_LABELS,
    OBJECT_CUE_VERBS,
    PARTIAL_CUE_VERBS,
    PREPOSITION_CUES,
    RAISING_VERBS,
    SPEECH_VERBS,
    STANCE_VERBS,
    cue_lemma,
)
from newstrace.extract.quote_marks import QuotedPassage, find_quoted_passages
from newstrace.extract.speakers import (
    SpeakerContext,
    entity_of,
    is_person_entity,
    mention_of,
    outlet_names,
    remember,
    speaker_from_head,
    trim,
)
from newstrace.nlp.aliases import AliasTable, load_aliases
from newstrace.nlp.layout import paragraph_bounds
from newstrace.nlp.pipeline import char_span, mention, parsed_text, sentence_of
from newstrace.records import Mention, Quote, QuoteKind, Speaker, SpeakerKind

CLAUSE_CUES = CUE_VERBS | STANCE_VERBS
INDIRECT_CUES = (
    CLAUSE_CUES
    | OBJECT_CUE_VERBS
    | INFINITIVE_CUE_VERBS
    | RAISING_VERBS
    | frozenset(PREPOSITION_CUES)
)
MIN_UNATTRIBUTED_WORDS = 4  # shorter quoted terms without a cue are scare quotes or titles
MIN_PARTIAL_WORDS = 2  # one quoted word ("the 'caliph'") is a scare quote, not a quotation
NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
SENTENCE_ENDS = frozenset(".?!\"'”’…")
WRITER = frozenset({"i", "we", "you"})  # outside quotes: the writer and the reader


@dataclass(slots=True)
class _Candidate:
    kind: QuoteKind
    start: int
    end: int
    cue: Token | None
    speaker_head: Token | None
    unsourced: bool = False  # the text names no source: 'X is expected to win'


class _Finder:
    """State for one document: its passages, tokens inside quotes, speaker context."""

    def __init__(self, doc: Doc, ctx: SpeakerContext) -> None:
        self.doc = doc
        self.ctx = ctx
        self.text = parsed_text(doc)
        self.passages = find_quoted_passages(self.text)
        self._passage_starts = [p.outer_start for p in self.passages]
        self.quoted = self._quoted_tokens()
        self._paragraph_ends = [end for _, end in paragraph_bounds(self.text)]
        self._previous: tuple[int, _Candidate] | None = None  # (paragraph, last attributed)

    def _quoted_tokens(self) -> set[int]:
        inside: set[int] = set()
        for passage in self.passages:
            span = char_span(self.doc, passage.outer_start, passage.outer_end)
            if span is not None:
                inside.update(range(span.start, span.end))
        return inside

    def _cue_by_parse(self, first: int, last: int, lexicon: frozenset[str]) -> Token | None:
        """The nearest cue among the ancestors of the quote's tokens, outside the quote."""
        best: tuple[int, Token] | None = None
        for i in range(first, last):
            token = self.doc[i]
            for depth, ancestor in enumerate(token.ancestors):
                if depth >= MAX_CLIMB:
                    break
                if ancestor.i in self.quoted:
                    continue
                if is_cue(ancestor, lexicon):
                    if best is None or depth < best[0]:
                        best = (depth, ancestor)
                    break
        return best[1] if best else None

    def _cue_in_sentences(self, first: int, last: int) -> Token | None:
        """A cue elsewhere in the quote's sentence(s), nearest to the quote."""
        start = sentence_of(self.doc[first]).start
        end = sentence_of(self.doc[max(first, last - 1)]).end
        cues = [
            self.doc[i]
            for i in range(start, end)
            if i not in self.quoted and is_cue(self.doc[i], CUE_VERBS)
        ]
        if not cues:
            return None
        return min(cues, key=lambda t: min(abs(t.i - first), abs(t.i - last)))

    def _cue_in_lead_in(self, first: int) -> Token | None:
        """'As an officer recounts to Reuters:' before a quote that stands alone."""
        sentence = sentence_of(self.doc[first])
        if sentence.start == 0:
            return None
        previous = sentence_of(self.doc[sentence.start - 1])
        text = previous.text.rstrip(" *_\n")
        if not text.endswith(":"):
            return None
        cues = [t for t in previous if t.i not in self.quoted and is_cue(t, CUE_VERBS)]
        return cues[-1] if cues else None

    def direct(self, passage: QuotedPassage) -> _Candidate | None:
        span = char_span(self.doc, passage.start, passage.end)
        if span is None or len(span) == 0:
            return None
        first, last = span.start, span.end
        words = sum(1 for t in span if t.is_alpha)
        cue = self._cue_by_parse(first, last, PARTIAL_CUE_VERBS)
        if cue is None and words >= MIN_UNATTRIBUTED_WORDS:
            cue = self._cue_in_sentences(first, last) or self._cue_in_lead_in(first)
        named = self._speaker_by_punctuation(passage) if cue is None else None
        paragraph = bisect_left(self._paragraph_ends, passage.start)
        if cue is None and named is None and self._previous and self._previous[0] == paragraph:
            # '"A," she said. "B."': the quote goes on in the same paragraph.
            cue, named = self._previous[1].cue, self._previous[1].speaker_head
        if (cue is None and named is None and words < MIN_UNATTRIBUTED_WORDS) or (
            words < MIN_PARTIAL_WORDS
        ):
            return None
        text = self.text[passage.start : passage.end]
        whole = (
            text[:1].isupper() or text[:1] == "[" or (words >= 6 and text.rstrip()[-1:] in ".,?!")
        )
        kind = QuoteKind.DIRECT if whole else QuoteKind.PARTIAL
        end = passage.start + len(text.rstrip())
        head = named or (speaker_head(cue) if cue is not None else None)
        candidate = _Candidate(kind, passage.start, end, cue, head)
        if head is not None:
            self._previous = (paragraph, candidate)
        return candidate

    def _speaker_by_punctuation(self, passage: QuotedPassage) -> Token | None:
        """A name after a dash ('"..." — Col. Ali Hassan') or before a colon
        ('Col. Ali Hassan: "..."') speaks the quote without any verb."""
        after = self.text[passage.outer_end : passage.outer_end + 4]
        dash = re.match(r"\s*[—–-]+\s*", after)
        if dash:
            span = char_span(self.doc, passage.outer_end + dash.end(), passage.outer_end + 4)
            if span is not None and span[0].ent_type_ in NAME_LABELS:
                return _entity_root(span[0])
        before = self.text[max(0, passage.outer_start - 3) : passage.outer_start]
        if before.rstrip().endswith(":"):
            colon = passage.outer_start - len(before) + before.rindex(":")
            span = char_span(self.doc, max(0, colon - 1), colon)
            if span is not None and span[-1].ent_type_ in NAME_LABELS:
                return _entity_root(span[-1])
        return None

    def _overlaps_passage(self, start: int, end: int) -> bool:
        """Whether quoted passages cover at least half of ``start``..``end``."""
        first = max(bisect_left(self._passage_starts, start) - 1, 0)
        covered = 0
        for passage in self.passages[first:]:
            if passage.outer_start >= end:
                break
            covered += max(0, min(end, passage.outer_end) - max(start, passage.outer_start))
        return covered * 2 >= (end - start)

    def _adds_to_passages(self, start: int, end: int) -> bool:
        """Whether ``start``..``end`` says more than the quoted passages inside it."""
        span = char_span(self.doc, start, end)
        unquoted = sum(1 for t in span or () if t.is_alpha and t.i not in self.quoted)
        return unquoted >= MIN_PARTIAL_WORDS

    def indirect(self) -> Iterable[_Candidate]:
        for token in self.doc:
            if token.i in self.quoted:
                continue
            if token.pos_ == "NOUN" and token.lemma_.lower() in CUE_NOUNS:
                found = [c] if (c := _stance_noun(token)) is not None else []
            elif not is_cue(token, INDIRECT_CUES):
                continue
            elif token.lower_ == "according":
                found = [c] if (c := self._according(token)) is not None else []
            else:
                one = self._reported(token)
                found = [one] if one is not None else self._parenthetical(token)
            for candidate in found:
                if (
                    candidate.speaker_head is not None or candidate.unsourced
                ) and self._adds_to_passages(candidate.start, candidate.end):
                    yield candidate

    def _reported(self, cue: Token) -> _Candidate | None:
        """'X said (that) CLAUSE'; 'X refused to comment'; 'X referred to Y'; or, for verbs
        that take their claim as an object, 'X denied responsibility for the attack'.

        A passive cue ('Y is expected to win') and a raising verb ('Y appears to lead')
        name no source (or their agent): their subject belongs to the content."""
        lemma = cue_lemma(cue)
        tokens = _content_of(cue, lemma)
        clause = lemma in CLAUSE_CUES and any(c.dep_ == "ccomp" for c in cue.children)
        unsourced = (
            lemma in RAISING_VERBS
            or is_expletive(cue)
            or any(c.dep_ == "auxpass" for c in cue.children)
        )
        head = _agent_of(cue) if unsourced else speaker_head(cue)
        subject = next((c for c in cue.children if c.dep_ in SUBJECT_DEPS), None)
        if unsourced and subject is not None and subject.pos_ != "PRON":
            # 'Y is expected to win': Y is claimed; 'Y is opposed by X': Y is all X opposes.
            if tokens and subject.i < tokens[0].i:
                tokens = trim(list(subject.subtree)) + tokens
            elif not tokens and head is not None:
                tokens = trim(list(subject.subtree))
        if len(tokens) < 2:
            return None
        if not (clause or unsourced or _has_subject(cue)) and cue.dep_ in {"acl", "relcl", "pcomp"}:
            return None  # 'reports confirming ...', 'forces attacking ...': a description
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        if ANONYMITY.search(self.text[start:end]):
            return None  # 'who asked not to be named' says who may be quoted, not what
        return _Candidate(QuoteKind.INDIRECT, start, end, cue, head, unsourced)

    def colon_lines(self) -> Iterable[_Candidate]:
        """'Pat Smith: Voters are worried.': a name opening a paragraph, then a colon
        (a heading such as 'Iraq: the long war', with no closing punctuation, is none)."""
        for start, end in paragraph_bounds(self.text):
            colon = self.text.find(":", start, min(end, start + 60))
            if colon < 0 or end - colon < 12 or _is_heading(self.text[start:end]):
                continue
            name = char_span(self.doc, start, colon)
            if name is None or len(name) > 5 or name[0].lower_ in LINE_LABELS:
                continue
            if not any(t.pos_ == "PROPN" or t.is_upper for t in name) or any(
                t.is_digit for t in name
            ):
                continue
            said = char_span(self.doc, colon + 1, end)
            tokens = trim(list(said)) if said is not None else []
            if sum(t.is_alpha for t in tokens) < 3:
                continue
            first, last = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            mark = char_span(self.doc, colon, colon + 1)
            if not self._overlaps_passage(first, last):
                yield _Candidate(
                    QuoteKind.INDIRECT, first, last, mark[0] if mark else None, name.root
                )

    def _parenthetical(self, cue: Token) -> list[_Candidate]:
        """'Acts of protest, Mr. Obama said, are acts of patriotism': a cue set in the
        middle or at the end of the reported sentence, with no clause of its own."""
        if cue_lemma(cue) not in SPEECH_VERBS or any(
            c.dep_ in {"ccomp", "dobj", "xcomp"} for c in cue.children
        ):
            return []
        subjects = [c for c in cue.children if c.dep_ in SUBJECT_DEPS]
        if not subjects:
            return []
        frame = {cue.i, *(t.i for t in subjects[0].subtree)}
        frame |= {
            t.i
            for c in cue.children
            if c.dep_ in {"punct", "advmod", "aux", "neg", "prep", "npadvmod"}
            for t in c.subtree
        }
        runs: list[list[Token]] = [[]]
        for token in sentence_of(cue):
            if token.i in frame or token.i in self.quoted:
                runs.append([])
            else:
                runs[-1].append(token)
        head = speaker_head(cue)
        pieces = [trim(run) for run in runs]
        return [
            _Candidate(QuoteKind.INDIRECT, p[0].idx, p[-1].idx + len(p[-1].text), cue, head)
            for p in pieces
            if sum(t.is_alpha for t in p) >= 2
        ]

    def _clause_before(self, according: Token) -> list[Token] | None:
        """In 'X said A, as B happened, according to Y', the clause just before the comma."""
        if according.i < 2 or according.nbor(-1).text != ",":
            return None
        last = according.nbor(-2)
        clause = None
        for candidate in [last, *last.ancestors]:
            if candidate.i >= according.i or max(t.i for t in candidate.subtree) != last.i:
                break
            if candidate.pos_ in {"VERB", "AUX"}:
                clause = list(candidate.subtree)
        return clause

    def _according(self, according: Token) -> _Candidate | None:
        """'According to X, CLAUSE' or 'CLAUSE, according to X': the clause is the content."""
        # 'X said A, as B, according to Y': the main clause is X's, the last one Y's.
        reported = is_cue(according.head, CUE_VERBS) and self._clause_before(according)
        clause = reported or (
            sentence_of(according) if according.head is according else according.head.subtree
        )
        frame = {t.i for t in according.subtree}
        tokens = trim([t for t in clause if t.i not in frame])
        while tokens and tokens[0].dep_ == "mark":  # "as ISIS militants have killed ..."
            tokens = trim(tokens[1:])
        if len(tokens) < 3:
            return None
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        return _Candidate(QuoteKind.INDIRECT, start, end, according, speaker_head(according))


def _is_heading(paragraph: str) -> bool:
    """A line without closing punctuation ('Iraq: the war at home') is a heading."""
    return paragraph.rstrip(" \t\n*_")[-1:] not in SENTENCE_ENDS


def _outermost(candidates: list[_Candidate]) -> list[_Candidate]:
    """Reported speech whose cue stands inside another's reported content ('X said Y
    believes Z') is part of what X claims, not a statement of Y's: only X's is kept."""
    ordered = sorted(candidates, key=lambda c: c.start)
    starts = [c.start for c in ordered]

    def nested(inner: _Candidate) -> bool:
        if inner.cue is None:
            return False
        at = inner.cue.idx
        before = ordered[: bisect_left(starts, at + 1)]
        return any(
            c.start <= at < c.end and c.cue is not None and c.cue.is_ancestor(inner.cue)
            for c in before
        )

    return [c for c in candidates if not nested(c)]


def _within_reports(quoted: list[_Candidate], reported: list[_Candidate]) -> list[_Candidate]:
    """A quoted phrase with no cue of its own inside reported speech ('X joked that he
    likes a "peaceful protest" now and then') is quoted by that speech's source."""
    for quote in quoted:
        if quote.cue is None and quote.speaker_head is None:
            around = next(
                (r for r in reported if r.start < quote.end and quote.start < r.end), None
            )
            if around is not None:
                quote.cue, quote.speaker_head = around.cue, around.speaker_head
    return quoted


def _content_of(cue: Token, lemma: str) -> list[Token]:
    """The attributed words hanging from ``cue`` in the frame its lemma takes."""
    children = list(cue.children)
    clause = next((c for c in children if c.dep_ == "ccomp"), None)
    if clause is not None and lemma in CLAUSE_CUES:
        return _words_of([clause])
    parts: list[Token | None] = []
    if lemma in INFINITIVE_CUE_VERBS | RAISING_VERBS:
        parts += [c for c in children if c.dep_ == "xcomp" and _is_infinitive(c)]
    if lemma in OBJECT_CUE_VERBS:
        parts += [c for c in children if c.dep_ in {"dobj", "xcomp", "oprd"}]
        parts += [c for c in children if c.dep_ == "prep" and c.lower_ in {"of", "for", "about"}]
    preps = PREPOSITION_CUES.get(lemma, frozenset())
    particles = [c for c in children if c.dep_ == "prt" and c.i == cue.i + 1]  # "lash out at"
    parts += _prepositional_objects([cue, *particles], preps)
    if not parts and lemma in CLAUSE_CUES:
        parts = [_marked_clause(cue)]
    return _words_of(parts)


def _prepositional_objects(heads: Iterable[Token], preps: Collection[str]) -> list[Token]:
    """What the prepositions ``preps`` below ``heads`` govern: 'called for Y' -> Y."""
    return [
        o
        for head in heads
        for c in head.children
        if c.dep_ in {"prep", "dative"} and c.lower_ in preps
        for o in c.children
        if o.dep_ in {"pobj", "pcomp"}
    ]


def _words_of(parts: Iterable[Token | None]) -> list[Token]:
    """The words of ``parts``' subtrees in text order, without edge punctuation or the
    'that' that introduces a clause. A participle of saying hung below them ('...,
    saying ...') is an attribution of its own, not part of this one."""
    present = [p for p in parts if p is not None]
    words = {t for p in present for t in p.subtree}
    for part in present:
        for token in part.subtree:
            if token.i > part.i and _is_saying_participle(token):
                words.difference_update(token.subtree)
    tokens = trim(sorted(words, key=lambda t: t.i))
    while tokens and (tokens[0].dep_ == "mark" or tokens[0].lower_ == "that"):
        tokens = trim(tokens[1:])
    return tokens


def _is_saying_participle(token: Token) -> bool:
    """', saying ...', ', adding ...': a cue participle set off by a comma."""
    return (
        token.tag_ == "VBG"
        and token.i > 0
        and token.nbor(-1).text == ","
        and is_cue(token, CUE_VERBS)
    )


def _stance_noun(noun: Token) -> _Candidate | None:
    """'her praise for Y', 'the claim that ...': the noun's complement is the content,
    its possessor (or 'by'/'from' X) the source; without one the text names none."""
    introducers = CUE_NOUNS[noun.lemma_.lower()]
    parts = _prepositional_objects([noun], introducers)
    if "that" in introducers:
        parts += [
            c
            for c in noun.children
            if c.dep_ in {"acl", "ccomp"} and any(m.lower_ == "that" for m in c.children)
        ]
    tokens = _words_of(parts)
    if len(tokens) < 2:
        return None
    source = next((c for c in noun.children if c.dep_ == "poss"), None) or _agent_of(noun)
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return _Candidate(QuoteKind.INDIRECT, start, end, noun, source, source is None)


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in SUBJECT_DEPS for c in verb.children)


def _is_infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _marked_clause(cue: Token) -> Token | None:
    """A 'that' clause after ``cue`` that the parser hung elsewhere in the cue's
    subtree ('said for the first time that ...' read as a relative clause of 'time').
    A verb coordinated with the cue ('countered ..., but announced that ...') has its own."""
    for token in cue.subtree:
        if (
            token.i > cue.i
            and token.dep_ in {"mark", "advmod"}
            and token.lower_ in {"that", "whether"}
        ):
            verb = token.head
            if (
                verb.i > cue.i
                and verb.pos_ in {"VERB", "AUX"}
                and not _coordinated_below(verb, cue)
            ):
                return verb
    return None


def _coordinated_below(token: Token, top: Token) -> bool:
    """Whether a verb coordinated with another lies between ``token`` and ``top``."""
    while token.i != top.i and token.head.i != token.i:
        if token.dep_ == "conj" and token.pos_ in {"VERB", "AUX"}:
            return True
        token = token.head
    return False


def _agent_of(cue: Token) -> Token | None:
    """The 'by X' of a passive cue ('was reported by X') or of a noun ('a claim by X')."""
    for child in cue.children:
        if child.dep_ == "agent" or (
            cue.pos_ == "NOUN" and child.dep_ == "prep" and child.lower_ in {"by", "from"}
        ):
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def _identity(speaker: Speaker) -> int | None:
    """Where the speaker is first named: one key for every reference to them."""
    named = speaker.resolved or speaker.mention
    return (
        named.span.start if named is not None and speaker.kind is not SpeakerKind.UNKNOWN else None
    )


def _sentences_apart(doc: Doc, first: int, second: int) -> int:
    """How many sentence starts lie between tokens ``first`` and ``second``."""
    lo, hi = sorted((first, second))
    return sum(1 for t in doc[lo + 1 : hi + 1] if t.is_sent_start)


def _entity_root(token: Token) -> Token:
    """The syntactic head of the named entity ``token`` belongs to."""
    ent = entity_of(token)
    return ent.root if ent is not None else token


def _hedges(doc: Doc, start: int, end: int, cue: Token | None, doc_id: int) -> tuple[Mention, ...]:
    """Hedges and evidential markers in the sentences holding the claim and its cue."""
    span = char_span(doc, start, end)
    if span is None:
        return ()
    lo, hi = sentence_of(span[0]).start_char, sentence_of(span[-1]).end_char
    if cue is not None:
        lo, hi = min(lo, sentence_of(cue).start_char), max(hi, sentence_of(cue).end_char)
    return tuple(
        mention(doc, lo + m.start(), lo + m.end(), doc_id)
        for m in HEDGES.finditer(parsed_text(doc)[lo:hi])
    )


def _register_recipient_outlets(doc: Doc, ctx: SpeakerContext) -> None:
    """Whoever is 'told' something in this document and is not a person is an outlet here."""
    found: set[str] = set()
    for token in doc:
        if is_cue(token, CUE_VERBS):
            recipient = recipient_of(token, ctx.doc_id)
            if recipient is None:
                continue
            span = char_span(doc, recipient.span.start, recipient.span.end)
            entities = {e for t in span if (e := entity_of(t)) is not None} if span else set()
            if span is None or any(is_person_entity(e) for e in entities):
                continue
            if span.root.pos_ == "PROPN":
                found.add(recipient.text)
    ctx.known_outlets = ctx.known_outlets | outlet_names(found)


def _speakers_in_order(
    doc: Doc, ctx: SpeakerContext, candidates: Iterable[_Candidate], quoted: set[int]
) -> dict[int, Speaker]:
    """Resolve every speaker in document order, building the history.

    Subjects of cues that introduce no quote are resolved too, so that a later "they"
    or "the source" can point at them. Returns speakers by the index of their head.
    """
    pairs: list[tuple[Token | None, Token | None]] = [(c.speaker_head, c.cue) for c in candidates]
    pairs += [
        (speaker_head(t), t) for t in doc if t.i not in quoted and is_cue(t, PARTIAL_CUE_VERBS)
    ]
    stops: dict[int, int | None] = {}
    for head, cue in pairs:
        if head is not None and head.i not in stops:
            stops[head.i] = cue.i if cue is not None and cue.i > head.i else None
    resolved: dict[int, Speaker] = {}
    for i in sorted(stops):
        speaker = speaker_from_head(doc[i], ctx, stops[i])
        resolved[i] = speaker
        remember(ctx, doc[i], speaker)
    return resolved


def extract_quotes(
    doc: Doc,
    doc_id: int = 0,
    known_outlets: Collection[str] = (),
    aliases: AliasTable | None = None,
) -> list[Quote]:
    """Every attributed statement in ``doc``, in document order."""
    ctx = SpeakerContext(doc, doc_id, aliases or load_aliases(), outlet_names(known_outlets))
    _register_recipient_outlets(doc, ctx)
    finder = _Finder(doc, ctx)
    quoted = [c for p in finder.passages if (c := finder.direct(p)) is not None]
    reported = _outermost(list(finder.indirect()))
    candidates = [*_within_reports(quoted, reported), *reported, *finder.colon_lines()]
    speakers = _speakers_in_order(doc, ctx, candidates, finder.quoted)
    quotes = []
    interviews: dict[int, tuple[int, Mention]] = {}  # speaker -> (sentence start, recipient)
    for candidate in sorted(candidates, key=lambda c: c.start):
        head = candidate.speaker_head
        speaker = speakers[head.i] if head is not None else Speaker(SpeakerKind.UNKNOWN, None)
        if (
            candidate.kind is QuoteKind.INDIRECT
            and speaker.kind is SpeakerKind.UNKNOWN
            and head is not None
            and (head.pos_ != "PRON" or head.lower_ in WRITER)
            and (candidate.cue is None or cue_lemma(candidate.cue) not in SPEECH_VERBS)
        ):
            continue  # "these attacks indicate that ...", "we know": no source speaks
        cue = candidate.cue
        recipient = recipient_of(cue, doc_id)
        if cue is not None and (identity := _identity(speaker)) is not None:
            sentence = sentence_of(cue).start
            if recipient is not None:
                interviews[identity] = (sentence, recipient)
            elif (
                identity in interviews
                and _sentences_apart(doc, interviews[identity][0], sentence) <= 2
            ):
                # 'X tells Reuters that ... "...", he reveals': the same interview.
                recipient = interviews[identity][1]
        quotes.append(
            Quote(
                kind=candidate.kind,
                content=mention(doc, candidate.start, candidate.end, doc_id),
                speaker=speaker,
                cue=mention_of([cue], doc_id) if cue is not None else None,
                recipient=recipient,
                hedges=_hedges(doc, candidate.start, candidate.end, cue, doc_id),
            )
        )
    return quotes
