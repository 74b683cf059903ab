"""The reference case: two seed articles and a careful analyst's findings about them.

Matching follows the README beside ``expected.json``: a quote matches when the found
span covers half of the gold span's characters; its speaker when the gold speaker's
words (articles dropped) are all in the found speaker or the name it was resolved to,
and the speaker kind agrees; an event by place (within 50 km, or the stated tolerance,
or the country), date at the stated precision and toll; a number by value (or range)
and qualifier; a reuse link by both spans and its direction (derived -> origin), and a
mutated claim by a link there that reports a changed field.
Every score is the share of gold items matched.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.analysis import Analysis
from newstrace.evaluate.datasets import DatasetError
from newstrace.evaluate.incidents import NONE
from newstrace.evaluate.places import PlaceJudge
from newstrace.evaluate.predictions import IncidentPrediction, events_of, incident_from_event
from newstrace.evaluate.scoring import Interval, Miss, Tally, clip, covers_half
from newstrace.gazetteer.geo import haversine_km
from newstrace.records import DatePrecision, Figure, PartialDate, Span

FIELDS = (
    "quotes_direct",
    "quotes_indirect",
    "speakers",
    "events",
    "figures",
    "reuse",
    "drift",
    "mutation",
    "provenance",
)
DEFAULT_TOLERANCE_KM = 50.0
_ARTICLES = frozenset({"a", "an", "the"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class ReferenceDoc:
    id: str
    index: int  # the doc_id its spans carry when analysed
    text: str
    outlet: str | None
    published: PartialDate | None


@dataclass(frozen=True, slots=True)
class ReferenceCase:
    docs: tuple[ReferenceDoc, ...]
    data: dict[str, Any]  # expected.json as read

    def doc(self, doc_id: str) -> ReferenceDoc:
        return next(d for d in self.docs if d.id == doc_id)

    def span_of(self, doc_id: str, text: str) -> Interval:
        """Where a gold text stands in its document (it must be an exact substring)."""
        start = self.doc(doc_id).text.find(text)
        if start < 0:
            raise DatasetError(f"reference: {text[:40]!r} is not in document {doc_id}")
        return start, start + len(text)


def load_reference(path: Path) -> ReferenceCase:
    """``expected.json`` and the article files beside it."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        docs = tuple(
            ReferenceDoc(
                id=str(doc["id"]),
                index=index,
                text=(path.parent / doc["file"]).read_text(encoding="utf-8"),
                outlet=doc.get("outlet"),
                published=PartialDate(dt.date.fromisoformat(doc["published"]), DatePrecision.DAY)
                if doc.get("published")
                else None,
            )
            for index, doc in enumerate(data["documents"])
        )
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DatasetError(f"{path}: not a reference case ({exc})") from None
    return ReferenceCase(docs, data)


@dataclass(frozen=True, slots=True)
class FoundQuote:
    """A quote a system found: content span, speaker as written and as resolved, kinds."""

    content: Interval
    speaker: str
    resolved: str | None = None
    speaker_kind: str | None = None


@dataclass(frozen=True, slots=True)
class FoundDoc:
    """What a system found in one reference document."""

    quotes: tuple[FoundQuote, ...] = ()
    events: tuple[IncidentPrediction, ...] = ()
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, slots=True)
class ReuseLink:
    """A passage of one document taken from another (spans carry the documents' indexes).

    ``derived_speaker``/``origin_speaker``: how each side describes the speaker when
    the passage is a quote whose attribution changed; ``mutations``: the claim fields
    (place, time, figure, actor) the derived side states otherwise.
    """

    derived: Span
    origin: Span
    derived_speaker: str | None = None
    origin_speaker: str | None = None
    mutations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReferencePrediction:
    docs: dict[str, FoundDoc]
    links: tuple[ReuseLink, ...] = field(default=())


def found_from_analysis(analysis: Analysis) -> FoundDoc:
    """newstrace's findings in one document (events and figures as their stages land)."""
    quotes = tuple(
        FoundQuote(
            content=(q.content.span.start, q.content.span.end),
            speaker=q.speaker.mention.text if q.speaker.mention else "",
            resolved=q.speaker.resolved.text if q.speaker.resolved else q.speaker.canonical,
            speaker_kind=q.speaker.kind.value,
        )
        for q in analysis.quotes
    )
    figures = tuple(f for f in getattr(analysis, "figures", ()) if isinstance(f, Figure))
    events = tuple(incident_from_event(e) for e in events_of(analysis))
    return FoundDoc(quotes, events, figures)


def _words(text: str | None) -> set[str]:
    return {w for w in _WORD.findall((text or "").casefold()) if w not in _ARTICLES}


def same_speaker(gold: str, found: str | None, resolved: str | None = None) -> bool:
    """The gold speaker's words are all in the found speaker or in what it resolved to."""
    wanted = _words(gold)
    return bool(wanted) and (wanted <= _words(found) or wanted <= _words(resolved))


class _Scorer:
    def __init__(self, case: ReferenceCase, found: ReferencePrediction, judge: PlaceJudge) -> None:
        self.case, self.found, self.judge = case, found, judge
        self.tallies = {name: Tally() for name in FIELDS}
        self.misses: list[Miss] = []

    def miss(self, name: str, item: str, text: str, gold: str, predicted: str) -> None:
        self.misses.append(Miss(name, item, clip(text), gold, predicted))

    def quotes(self) -> None:
        for gold in self.case.data["quotes"]:
            doc = self.case.doc(gold["doc"])
            span = self.case.span_of(doc.id, gold["text"])
            candidates = [
                q for q in self.found.docs[doc.id].quotes if covers_half([span], [q.content])
            ]
            field_name = "quotes_direct" if gold["kind"] == "direct" else "quotes_indirect"
            self.tallies[field_name].hit(bool(candidates))
            if not candidates:
                self.miss(field_name, gold["id"], gold["text"], gold["speaker"], "not found")
            spoken = [
                q
                for q in candidates
                if q.speaker_kind == gold["speaker_kind"]
                and same_speaker(gold["speaker"], q.speaker, q.resolved)
            ]
            self.tallies["speakers"].hit(bool(spoken))
            if candidates and not spoken:
                shown = "; ".join(
                    f"{q.resolved or q.speaker} ({q.speaker_kind})" for q in candidates
                )
                self.miss(
                    "speakers",
                    gold["id"],
                    gold["text"],
                    f"{gold['speaker']} ({gold['speaker_kind']})",
                    shown,
                )

    def _event_matches(self, gold: dict[str, Any], found: IncidentPrediction) -> bool:
        place = found.place
        if place is None:
            return False
        if "lat" in gold:
            if place.latitude is None or place.longitude is None:
                return False
            limit = float(gold.get("location_tolerance_km", DEFAULT_TOLERANCE_KM))
            if haversine_km(gold["lat"], gold["lon"], place.latitude, place.longitude) > limit:
                return False
        else:
            countries = set(gold.get("countries") or [gold["country"]])
            if self.judge.country_code(place.country) not in countries:
                return False
        figure = gold.get("fatalities")
        if figure and found.fatalities != figure["value"]:
            return False
        return self._date_matches(gold, found)

    @staticmethod
    def _date_matches(gold: dict[str, Any], found: IncidentPrediction) -> bool:
        if found.date is None:
            return gold["date"] is None or bool(gold.get("date_optional"))
        if gold["date"] is None:
            return False
        precision = DatePrecision(gold["date_precision"])
        stated = PartialDate(found.date.start, precision).iso()
        return stated in {gold["date"], *gold.get("date_also_accepted", [])}

    def events(self) -> None:
        for gold in self.case.data["events"]:
            found = self.found.docs[gold["doc"]].events
            matched = any(self._event_matches(gold, event) for event in found)
            self.tallies["events"].hit(matched)
            if not matched:
                shown = "; ".join(
                    f"{e.place.describe() if e.place else NONE}, "
                    f"{e.date.start if e.date else NONE}, {e.fatalities}"
                    for e in found
                )
                self.miss(
                    "events",
                    gold["id"],
                    gold["what"],
                    f"{gold['place']}, {gold['date']}",
                    shown or NONE,
                )

    def figures(self) -> None:
        for gold in self.case.data["numbers"]:
            found = self.found.docs[gold["doc"]].figures
            matched = any(
                (
                    f.best == gold["value"]
                    if "value" in gold
                    else (f.low, f.high) == (gold["low"], gold["high"])
                )
                and ("qualifier" not in gold or f.qualifier.value == gold["qualifier"])
                for f in found
            )
            self.tallies["figures"].hit(matched)
            if not matched:
                self.miss("figures", gold["doc"], gold["text"], gold["text"], "not found")

    def _gold_span(self, reuse: dict[str, Any], side: str) -> tuple[str, Interval]:
        provenance = self.case.data["provenance"]
        doc_id = provenance["derived_document" if side == "derived" else "origin_document"]
        if side in reuse:
            quote = next(q for q in self.case.data["quotes"] if q["id"] == reuse[side])
            return quote["doc"], self.case.span_of(quote["doc"], quote["text"])
        return doc_id, self.case.span_of(doc_id, reuse[f"{side}_text"])

    def _covers(self, doc_id: str, gold: Interval, found: Span) -> bool:
        return self.case.doc(doc_id).index == found.doc_id and covers_half(
            [gold], [(found.start, found.end)]
        )

    def reuse(self) -> None:
        for gold in self.case.data["reuse"]:
            derived_doc, derived = self._gold_span(gold, "derived")
            origin_doc, origin = self._gold_span(gold, "origin")
            links = [
                link
                for link in self.found.links
                if self._covers(derived_doc, derived, link.derived)
                and self._covers(origin_doc, origin, link.origin)
            ]
            text = self.case.doc(derived_doc).text[derived[0] : derived[1]]
            self.tallies["reuse"].hit(bool(links))
            if not links:
                self.miss("reuse", gold["id"], text, gold["kind"], "no link")
            if gold["kind"] == "mutated_claim":
                changed = sorted({f for link in links for f in link.mutations})
                self.tallies["mutation"].hit(bool(changed))
                if not changed:
                    self.miss(
                        "mutation", gold["id"], text, gold.get("note", ""), "no field changed"
                    )
            drift = gold.get("attribution_drift")
            if drift:
                reported = any(
                    same_speaker(drift["derived_speaker"], link.derived_speaker)
                    and same_speaker(drift["origin_speaker"], link.origin_speaker)
                    for link in links
                )
                self.tallies["drift"].hit(reported)
                if not reported:
                    self.miss(
                        "drift",
                        gold["id"],
                        text,
                        f"{drift['origin_speaker']} -> {drift['derived_speaker']}",
                        "not reported",
                    )

    def provenance(self) -> None:
        gold = self.case.data["provenance"]
        derived = self.case.doc(gold["derived_document"]).index
        origin = self.case.doc(gold["origin_document"]).index
        forward = sum(
            1
            for link in self.found.links
            if (link.derived.doc_id, link.origin.doc_id) == (derived, origin)
        )
        backward = sum(
            1
            for link in self.found.links
            if (link.derived.doc_id, link.origin.doc_id) == (origin, derived)
        )
        correct = forward > backward
        self.tallies["provenance"].hit(correct)
        if not correct:
            self.miss(
                "provenance",
                "provenance",
                gold["basis"],
                f"{gold['derived_document']} derived from {gold['origin_document']}",
                f"{forward} links that way, {backward} the other",
            )


def score_reference(
    case: ReferenceCase, found: ReferencePrediction, judge: PlaceJudge
) -> tuple[dict[str, Tally], list[Miss]]:
    """Share of the analyst's findings that ``found`` matches, per field."""
    scorer = _Scorer(case, found, judge)
    scorer.quotes()
    scorer.events()
    scorer.figures()
    scorer.reuse()
    scorer.provenance()
    return scorer.tallies, scorer.misses


def outlets(case: ReferenceCase) -> Sequence[str]:
    """The outlets the case's documents come from (as a user's manifest would state them)."""
    return [doc.outlet for doc in case.docs if doc.outlet]
