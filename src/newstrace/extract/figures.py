"""Every number in a text with its unit noun, qualifier and class, as UCDP keeps them.

A figure is a run of number words (see :mod:`numbers`) with the qualifier before it
("more than", "around", "between ... and"), the noun it counts ("fighters", "people",
"kilometers") and a class read from that noun and from the verb that governs it: "753
people were killed" and "killing about 100 people" are tolls, "1,500 troops" a count of
forces, "491 operations" operations. Low, best and high are kept apart as UCDP does;
:func:`acled_fatalities` maps a figure to ACLED's single conservative number.

A coordination of victims with counts ("killed the commander, his assistant, eight
officers and thirteen soldiers") also yields their sum. Numbers inside dates and names
are not figures. Ill-formed numbers and impossible tolls are kept as flagged mentions,
never as values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newstrace.extract.dates import looks_temporal, temporal_tokens
from newstrace.extract.figure_lexicon import (
    AMBIGUOUS_QUALIFIERS,
    CURRENCY_SYMBOLS,
    DEATH_WORDS,
    DISTANCE_UNITS,
    DYING_VERBS,
    FORCE_NOUNS,
    INJURING_VERBS,
    INJURY_WORDS,
    KILLING_VERBS,
    MAX_PLAUSIBLE_PEOPLE,
    MONEY_UNITS,
    OPERATION_NOUNS,
    QUALIFIER_PHRASES,
    RANGE_JOINERS,
)
from newstrace.extract.numbers import Amount, is_number, read_amount, run_at, run_words
from newstrace.nlp.pipeline import mention
from newstrace.records import Figure, FigureClass, Qualifier

NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)
UNIT_DEPS = frozenset({"nummod", "quantmod", "det", "compound", "amod", "nmod"})
VICTIM_DEPS = frozenset({"dobj", "nsubjpass", "attr", "oprd"})
PERSON_CLASSES = frozenset({FigureClass.KILLED, FigureClass.INJURED, FigureClass.FIGHTERS})
MAX_UNIT_GAP = 3  # "491 known operations": words allowed between a number and its noun
MAX_CLIMB = 8  # how far up the parse the verb governing a count is looked for


@dataclass(slots=True)
class _Phrase:
    """A number run with what surrounds it, before it becomes a :class:`Figure`."""

    start: int  # first token of the mention (qualifier or currency sign included)
    end: int  # token after the mention
    numbers_end: int  # token after the number words (the range's upper end included)
    low: Amount
    high: Amount | None  # the upper end of a range
    qualifier: Qualifier
    anchor: Token  # the token whose place in the parse says what is counted
    unit: Token | None
    currency: str | None


def _word_in(token: Token, words: frozenset[str]) -> bool:
    return token.lower_ in words or token.lemma_.lower() in words


def _unit_class(token: Token) -> FigureClass | None:
    """What a unit word alone says a count is of."""
    for words, figure_class in (
        (DEATH_WORDS, FigureClass.KILLED),
        (INJURY_WORDS, FigureClass.INJURED),
        (MONEY_UNITS, FigureClass.MONEY),
        (DISTANCE_UNITS, FigureClass.DISTANCE),
        (FORCE_NOUNS, FigureClass.FIGHTERS),
        (OPERATION_NOUNS, FigureClass.OPERATIONS),
    ):
        if _word_in(token, words):
            return figure_class
    return None


def _verb_class(verb: Token) -> FigureClass | None:
    if _word_in(verb, KILLING_VERBS | DYING_VERBS):
        return FigureClass.KILLED
    if _word_in(verb, INJURING_VERBS):
        return FigureClass.INJURED
    return None


def _is_victim(child: Token, verb: Token) -> bool:
    """Whether ``child`` of a killing or injuring ``verb`` names who was hit, not who hit."""
    if _word_in(verb, DYING_VERBS):
        return child.dep_ == "nsubj"
    if child.dep_ in VICTIM_DEPS:
        return True
    # "12 killed in blast", "hundreds wounded": a subject with no object is the victim
    return child.dep_ == "nsubj" and not any(c.dep_ == "dobj" for c in verb.children)


def _toll_subject(verb: Token) -> FigureClass | None:
    """'the death toll rose to 12', 'deaths reached 30': the subject says what is counted."""
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            words = list(child.subtree)
            if any(_word_in(t, INJURY_WORDS) for t in words):
                return FigureClass.INJURED
            if any(_word_in(t, DEATH_WORDS - {"life", "body"}) for t in words):
                return FigureClass.KILLED
    return None


def _governing_class(phrase: _Phrase, doc: Doc) -> FigureClass | None:
    """Killed or injured when the governing verb or noun makes the count a toll."""
    for before in _words_before(doc, phrase.start, 1):
        # "killing about 100", "injured dozens", "shot dead 7"
        cls = _verb_class(before) or _unit_class(before)
        if before.pos_ in {"VERB", "ADJ"} and cls in {FigureClass.KILLED, FigureClass.INJURED}:
            return cls
    token = phrase.anchor
    for _ in range(MAX_CLIMB):
        parent = token.head
        if parent.i == token.i:
            return None
        if token.dep_ == "pobj" and parent.lower_ == "of" and is_number(parent.head):
            return None  # "12 of the 30 hostages": the 30 are the whole group
        if token.lower_ == "of" and (cls := _unit_class(parent)) in {
            FigureClass.KILLED,
            FigureClass.INJURED,
        }:
            return cls  # "the death of tens of civilians"
        if parent.pos_ in {"VERB", "AUX"}:
            verb_class = _verb_class(parent)
            if verb_class is not None:
                return verb_class if _is_victim(token, parent) else None
            if parent.lemma_ == "lose" and token.dep_ == "nsubj":  # "lost their lives"
                lives = [c for c in parent.children if c.dep_ == "dobj"]
                return FigureClass.KILLED if lives and _word_in(lives[0], DEATH_WORDS) else None
            return _toll_subject(parent) if token.dep_ not in {"nsubj", "nsubjpass"} else None
        token = parent
    return None


def _classify(phrase: _Phrase, doc: Doc) -> FigureClass:
    """Money and distance by their unit; tolls by the governing words; else by the noun."""
    unit_class = _unit_class(phrase.unit) if phrase.unit is not None else None
    if phrase.currency or (phrase.unit is None and doc[phrase.start].ent_type_ == "MONEY"):
        return FigureClass.MONEY
    if unit_class in {FigureClass.MONEY, FigureClass.DISTANCE}:
        return unit_class
    return _governing_class(phrase, doc) or unit_class or FigureClass.OTHER


# --- Finding phrases -----------------------------------------------------------------------


def _words_before(doc: Doc, start: int, count: int) -> list[Token]:
    """Up to ``count`` words before token ``start``, nearest last (line breaks skipped)."""
    words: list[Token] = []
    for token in reversed(doc[max(0, start - 2 * count) : start]):
        if len(words) == count:
            break
        if not token.is_space:
            words.insert(0, token)
    return words


def _qualifier_before(doc: Doc, start: int, run_end: int) -> tuple[int, Qualifier | None]:
    """The qualifier words ending just before token ``start``, and where they begin."""
    before = _words_before(doc, start, 3)
    for words, qualifier in QUALIFIER_PHRASES:
        found = before[len(before) - len(words) :]
        if len(found) == len(words) and tuple(t.lower_ for t in found) == words:
            return found[0].i, qualifier
    if before:
        word = before[-1]
        ambiguous = AMBIGUOUS_QUALIFIERS.get(word.lower_)
        tied = word.head.i in range(start, run_end) or (
            word.ent_type_ in {"CARDINAL", "QUANTITY", "MONEY"} and doc[start].ent_iob_ == "I"
        )
        if ambiguous is not None and tied:
            return word.i, ambiguous
    return start, None


def _run_head(doc: Doc, start: int, end: int) -> Token:
    """The token of ``doc[start:end]`` whose head lies outside it (the last such)."""
    heads = [t for t in doc[start:end] if not start <= t.head.i < end or t.head.i == t.i]
    return heads[-1] if heads else doc[end - 1]


def _unit_after(doc: Doc, head: Token, end: int) -> tuple[Token | None, int]:
    """The noun a number counts and the token after the mention: '35,000 fighters',
    'thousands of ISIS fighters', '12 dead', 'a 10,000-strong force'."""
    noun = head.head
    if (
        noun.i >= end
        and noun.i - end < MAX_UNIT_GAP
        and noun.pos_ in {"NOUN", "PROPN"}
        and head.dep_ in UNIT_DEPS
    ):
        return noun, noun.i + 1
    if end < len(doc):
        after = doc[end]
        if after.lower_ == "of":
            objects = [c for c in after.children if c.dep_ == "pobj"]
            if objects and objects[0].pos_ in {"NOUN", "PROPN", "PRON"}:
                unit = objects[0] if objects[0].pos_ != "PRON" else None
                return unit, objects[0].i + 1
        if _word_in(after, DEATH_WORDS | INJURY_WORDS):
            return after, end + 1
        if after.lower_ in {"-", "‐"} and end + 1 < len(doc) and doc[end + 1].lower_ == "strong":
            return _unit_after(doc, doc[end + 1], end + 2)
    return None, end


def _phrase_at(doc: Doc, start: int, end: int, skip: set[int]) -> _Phrase:
    low = read_amount(run_words(doc, start, end))
    lead, qualifier = _qualifier_before(doc, start, end)
    currency = None
    if start > 0 and doc[start - 1].lower_ in CURRENCY_SYMBOLS:
        currency = doc[start - 1].text
        lead, qualifier = _qualifier_before(doc, start - 1, end)
        lead = min(lead, start - 1)
    high, last = None, end
    joiner = doc[end].lower_ if end < len(doc) else ""
    between = any(t.lower_ in {"between", "from"} for t in _words_before(doc, lead, 1))
    if not low.vague and (joiner in RANGE_JOINERS or (joiner == "and" and between)):
        other_end = run_at(doc, end + 1) if end + 1 < len(doc) and end + 1 not in skip else end
        if other_end > end + 1:
            upper = read_amount(run_words(doc, end + 1, other_end))
            if not upper.vague and (upper.problem or (upper.low or 0) > (low.low or 0)):
                high, last, qualifier = upper, other_end, Qualifier.RANGE
                lead = _words_before(doc, lead, 1)[0].i if between else lead
    head = _run_head(doc, start, last)
    unit, mention_end = _unit_after(doc, head, last)
    anchor = unit if unit is not None and unit.i >= last and head.head.i == unit.i else head
    if low.vague:
        qualifier = Qualifier.VAGUE
    return _Phrase(
        lead, mention_end, last, low, high, qualifier or Qualifier.EXACT, anchor, unit, currency
    )


def _bounds(phrase: _Phrase) -> tuple[float | None, float | None, float | None]:
    """(best, low, high) for what the phrase states."""
    low, high = phrase.low, phrase.high
    if high is not None:
        return None, low.low, high.high
    value = low.value
    match phrase.qualifier:
        case Qualifier.VAGUE:
            return None, low.low, low.high
        case Qualifier.EXACT:
            return value, value, value
        case Qualifier.MORE_THAN | Qualifier.AT_LEAST:
            return value, value, None
        case Qualifier.LESS_THAN | Qualifier.AT_MOST:
            return value, None, value
        case _:
            return value, None, None


def _problem(phrase: _Phrase, figure_class: FigureClass) -> str:
    """Why the phrase must not be stored as a fact ('' when it may)."""
    for amount in (phrase.low, phrase.high):
        if amount is not None and amount.problem:
            return amount.problem
    if figure_class in PERSON_CLASSES:
        numbers = [a.high for a in (phrase.low, phrase.high) if a is not None]
        top = max((n for n in numbers if n is not None), default=0.0)
        if top > MAX_PLAUSIBLE_PEOPLE:
            return f"implausible count of people: {top:,.0f}"
        if any(n is not None and not float(n).is_integer() for n in numbers):
            return "a count of people that is not a whole number"
    return ""


def _figure(phrase: _Phrase, doc: Doc, doc_id: int) -> Figure:
    figure_class = _classify(phrase, doc)
    problem = _problem(phrase, figure_class)
    best, low, high = (None, None, None) if problem else _bounds(phrase)
    unit = phrase.unit.text if phrase.unit is not None else phrase.currency
    first, last = doc[phrase.start], doc[phrase.end - 1]
    return Figure(
        mention(doc, first.idx, last.idx + len(last), doc_id),
        best,
        low,
        high,
        phrase.qualifier,
        figure_class,
        unit,
        implausible=bool(problem),
        note=problem,
    )


def _not_counts(doc: Doc) -> set[int]:
    """Tokens whose numbers are dates, times, ordinals or parts of names."""
    skip = temporal_tokens(doc)
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS or ent.label_ == "ORDINAL":
            skip.update(range(ent.start, ent.end))
    return skip


# --- Sums of listed victims -------------------------------------------------------------------


def _listed_items(head: Token) -> list[Token]:
    """The conjuncts of a coordination of noun groups, in text order. Two common nouns in
    apposition inside a list are two items ("his assistant, the director of ...")."""
    items, stack = [], [head]
    while stack:
        token = stack.pop()
        items.append(token)
        for child in token.children:
            separate_appos = (
                child.dep_ == "appos" and token.pos_ != "PROPN" and child.pos_ in {"NOUN", "NUM"}
            )
            if child.dep_ == "conj" or separate_appos:
                stack.append(child)
    return sorted(items, key=lambda t: t.i)


def _item_count(item: Token, counted: dict[int, Figure]) -> float | None:
    """How many people one listed item names, or None when the list cannot be summed."""
    figure = counted.get(item.i)
    if figure is not None:
        exact = figure.qualifier is Qualifier.EXACT and figure.best is not None
        return figure.best if exact else None
    if item.ent_type_ and item.ent_type_ != "PERSON":
        return None
    return 1.0 if item.tag_ in {"NN", "NNP"} else None  # "the civilians": how many is unsaid


def _listed_sum(verb: Token, counted: dict[int, Figure], doc: Doc, doc_id: int) -> Figure | None:
    figure_class = _verb_class(verb)
    if figure_class is None:
        return None
    for child in verb.children:
        if not _is_victim(child, verb) or child.pos_ not in {"NOUN", "PROPN", "NUM"}:
            continue
        items = _listed_items(child)
        has_list = any(t.dep_ == "conj" for t in items)
        has_count = any(t.i in counted for t in items)
        if len(items) < 2 or not has_list or not has_count:
            continue
        counts = [_item_count(t, counted) for t in items]
        if any(c is None for c in counts):
            continue
        total = sum(c for c in counts if c is not None)
        first, last = items[0].left_edge, items[-1].right_edge
        return Figure(
            mention(doc, first.idx, last.idx + len(last), doc_id),
            total,
            total,
            total,
            Qualifier.EXACT,
            figure_class,
            note="sum of the listed victims",
        )
    return None


# --- Entry points -----------------------------------------------------------------------------


def extract_figures(doc: Doc, doc_id: int = 0) -> list[Figure]:
    """Every figure in ``doc``, in text order, then the sums of listed victims."""
    skip = _not_counts(doc)
    figures: list[Figure] = []
    counted: dict[int, Figure] = {}  # anchor token -> its figure, for the listed sums
    i = 0
    while i < len(doc):
        end = run_at(doc, i) if i not in skip else i
        if end == i:
            i += 1
            continue
        phrase = _phrase_at(doc, i, end, skip)
        i = phrase.numbers_end
        if phrase.unit is not None and looks_temporal(doc[phrase.unit.i : phrase.unit.i + 1]):
            continue  # "one day after", "six years": a duration, read by the dates stage
        figure = _figure(phrase, doc, doc_id)
        figures.append(figure)
        counted[phrase.anchor.i] = figure
    for token in doc:
        if token.pos_ == "VERB" and (total := _listed_sum(token, counted, doc, doc_id)):
            figures.append(total)
    return figures


def acled_fatalities(figure: Figure) -> int:
    """ACLED's fatality number for a figure: the most conservative one the text allows.

    ACLED codes a vague plural as one of its counting unit ('tens' = 10, 'dozens' = 12,
    'hundreds' = 100); a stated bound or range gives its lower end; an upper bound is the
    only number given ('up to 50' = 50, 'fewer than 10' = 9). A figure flagged implausible
    or without a number counts 0, as ACLED codes unknown tolls.
    """
    if figure.implausible:
        return 0
    match figure.qualifier:
        case Qualifier.VAGUE:
            bound = figure.low / 2 if figure.low is not None else None  # low is two units
        case Qualifier.RANGE | Qualifier.MORE_THAN | Qualifier.AT_LEAST:
            bound = figure.low
        case Qualifier.LESS_THAN:
            bound = math.ceil(figure.high) - 1 if figure.high is not None else None
        case Qualifier.AT_MOST:
            bound = figure.high
        case _:
            bound = figure.best
    return max(0, math.floor(bound)) if bound is not None else 0
