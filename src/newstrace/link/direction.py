"""Who copied whom: published dates, citations of the other's outlet, completeness.

Dates and citations are strong evidence; they decide when they agree and leave the
direction undetermined when they disagree. Only when neither speaks does completeness
(the origin holds the fuller copies of shared quotes) decide. An unknown date decides
nothing, and dates in the same period (the same day, or a month against a day in it)
do not either.
"""

from __future__ import annotations

from newstrace.link.text import LinkDoc
from newstrace.nlp.aliases import ActorKind, load_aliases
from newstrace.records import DirectionBasis, DirectionReason, Mention, Span

# Words right before an outlet's name that make it the source: "told X", "according to
# X", "seen by X", "in an interview with X"; and right after it: "X reported", "X's report".
CUES_BEFORE = frozenset("told tells telling tell to by via with".split())
CUES_AFTER = frozenset(
    """reported reports reporting said says wrote writes revealed reveals learned learnt
    cited quoted obtained found confirmed noted stated added published""".split()
)
REPORT_NOUNS = frozenset("report reports reporting article story investigation".split())
_ARTICLES = frozenset({"the", "a", "an"})


def _names(outlet: str) -> list[list[str]]:
    """The outlet's name and its aliases as word lists, leading article dropped."""
    entry = load_aliases().resolve(outlet)
    names = {outlet, *(entry.aliases if entry and entry.kind is ActorKind.OUTLET else ())}
    found = []
    for name in names:
        words = [w.casefold() for w in name.split()]
        while words and words[0] in _ARTICLES:
            words = words[1:]
        if words:
            found.append(words)
    return found


def citation(citing: LinkDoc, outlet: str) -> Mention | None:
    """Where ``citing`` names ``outlet`` as the source of what it reports, if it does.

    The name must be capitalized as written (the outlet "Independent" is not "an
    independent monitor") and stand next to a citing word.
    """
    words, text = citing.words, citing.text
    for name in _names(outlet):
        size = len(name)
        for i in range(len(words) - size + 1):
            if words.words[i : i + size] != name or not text[words.starts[i]].isupper():
                continue
            before = i - 1
            if before >= 0 and words.words[before] in _ARTICLES:
                before -= 1
            after = words.words[i + size : i + size + 3]
            if before >= 0 and words.words[before] in CUES_BEFORE:
                first, stop = before, i + size
            elif after and after[0] in CUES_AFTER:
                first, stop = i, i + size + 1
            elif after[:1] == ["s"] and REPORT_NOUNS.intersection(after[1:]):
                first, stop = i, i + size + len(after)
            else:
                continue
            start, end = words.starts[first], words.ends[stop - 1]
            return Mention(text[start:end], Span(citing.id, start, end))
    return None


def _published(a: LinkDoc, b: LinkDoc) -> DirectionReason | None:
    for first, second in ((a, b), (b, a)):
        if (
            first.published
            and second.published
            and first.published.last_day() < second.published.value
        ):
            return DirectionReason(
                DirectionBasis.PUBLISHED,
                first.id,
                f"document {first.id} was published {first.published.iso()}, "
                f"document {second.id} {second.published.iso()}",
            )
    return None


def _citations(a: LinkDoc, b: LinkDoc) -> list[DirectionReason]:
    reasons = []
    for citing, cited in ((a, b), (b, a)):
        if cited.outlet and (found := citation(citing, cited.outlet)):
            reasons.append(
                DirectionReason(
                    DirectionBasis.CITATION,
                    cited.id,
                    f"document {citing.id} names {cited.outlet} (of document {cited.id}) "
                    f"as its source: {found.text!r}",
                    found,
                )
            )
    return reasons


def decide(
    a: LinkDoc, b: LinkDoc, fuller_a: int, fuller_b: int
) -> tuple[int | None, DirectionBasis, tuple[DirectionReason, ...]]:
    """The origin's id (None when undetermined), the basis that decided, every reason.

    ``fuller_a``/``fuller_b``: how many shared quotes are longer in ``a``/``b``.
    """
    strong = [r for r in (_published(a, b), *_citations(a, b)) if r is not None]
    weak = []
    if fuller_a != fuller_b:
        origin = a if fuller_a > fuller_b else b
        weak.append(
            DirectionReason(
                DirectionBasis.COMPLETENESS,
                origin.id,
                f"document {origin.id} holds the fuller copy of {max(fuller_a, fuller_b)} "
                f"shared quotes, the other of {min(fuller_a, fuller_b)}",
            )
        )
    reasons = (*strong, *weak)
    deciding = strong or weak
    origins = {r.origin_doc for r in deciding}
    if len(origins) != 1:
        return None, DirectionBasis.UNDETERMINED, reasons
    return origins.pop(), deciding[0].basis, reasons
