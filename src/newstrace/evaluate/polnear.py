"""Attribution scoring on PolNeAR: content spans, then source and cue of matched contents.

Rule: a found attribution matches a gold one when its content covers at least half of the
gold content's characters (discontinuous spans count as their union); pairs are made one
to one, largest overlap first. Of each matched pair, the source matches when the found
speaker mention covers at least half of the gold source's characters (a gold attribution
without a source matches only a found one without a speaker), and the cue likewise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newstrace.analysis import Analysis
from newstrace.evaluate.datasets import AttributionDoc
from newstrace.evaluate.incidents import NONE
from newstrace.evaluate.scoring import (
    Interval,
    Miss,
    Tally,
    clip,
    covers_half,
    length,
    match_one_to_one,
)
from newstrace.records import Quote

FIELDS = ("content_precision", "content_recall", "content_f1", "source_match", "cue_match")


@dataclass(frozen=True, slots=True)
class FoundAttribution:
    """An attribution a system found: character spans of content, speaker and cue."""

    content: tuple[Interval, ...]
    source: tuple[Interval, ...] = ()
    cue: tuple[Interval, ...] = ()


def attributions_from_analysis(analysis: Analysis) -> list[FoundAttribution]:
    """newstrace's quotes as attributions: content, the speaker as written there, the cue.

    Quotes that hang from the same cue verb are one attribution with a discontinuous
    content, as PolNeAR annotates them: the two halves of '"...," he said, "..."', or a
    reported clause and the quoted phrase inside it.
    """
    groups: dict[object, list[Quote]] = {}
    for quote in analysis.quotes:
        key = quote.cue.span.start if quote.cue else ("content", quote.content.span.start)
        groups.setdefault(key, []).append(quote)
    found = []
    for quotes in groups.values():
        speaker = quotes[0].speaker.mention
        cue = quotes[0].cue
        found.append(
            FoundAttribution(
                content=tuple((q.content.span.start, q.content.span.end) for q in quotes),
                source=((speaker.span.start, speaker.span.end),) if speaker else (),
                cue=((cue.span.start, cue.span.end),) if cue else (),
            )
        )
    return found


def _words(text: str, spans: Sequence[Interval]) -> str:
    return " … ".join(text[start:end] for start, end in sorted(spans)) or NONE


def _part_matches(gold: Sequence[Interval], found: Sequence[Interval]) -> bool:
    return covers_half(gold, found) if gold else not found


def score_attributions(
    docs: Sequence[AttributionDoc], predictions: Sequence[Sequence[FoundAttribution]]
) -> tuple[dict[str, Tally], list[Miss]]:
    """Tallies per field (units are articles) and every miss."""
    tallies = {name: Tally() for name in FIELDS}
    misses: list[Miss] = []
    for doc, found in zip(docs, predictions, strict=True):
        gold = doc.attributions
        pairs = match_one_to_one([g.content for g in gold], [f.content for f in found])
        tallies["content_precision"].add(len(pairs), len(found))
        tallies["content_recall"].add(len(pairs), len(gold))
        tallies["content_f1"].add(2 * len(pairs), len(found) + len(gold))
        for part in ("source", "cue"):
            right = 0
            for gi, fi in pairs.items():
                gold_part, found_part = getattr(gold[gi], part), getattr(found[fi], part)
                if _part_matches(gold_part, found_part):
                    right += 1
                else:
                    misses.append(
                        Miss(
                            f"{part}_match",
                            doc.item,
                            clip(_words(doc.text, gold[gi].content)),
                            _words(doc.text, gold_part),
                            _words(doc.text, found_part),
                        )
                    )
            tallies[f"{part}_match"].add(right, len(pairs))
        for gi, wanted in enumerate(gold):
            if gi not in pairs:
                misses.append(
                    Miss(
                        "content_recall",
                        doc.item,
                        clip(_words(doc.text, wanted.content)),
                        f"content said by {_words(doc.text, wanted.source)}",
                        "not found",
                        severity=length(wanted.content),
                    )
                )
        used = set(pairs.values())
        for fi, extra in enumerate(found):
            if fi not in used:
                misses.append(
                    Miss(
                        "content_precision",
                        doc.item,
                        clip(_words(doc.text, extra.content)),
                        "no attribution here",
                        f"content said by {_words(doc.text, extra.source)}",
                        severity=length(extra.content),
                    )
                )
    return tallies, misses
