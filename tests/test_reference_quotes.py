"""Attribution on the reference articles, checked against the analyst's findings.

Every direct quote must be found with the right speaker and speaker kind, and at least
three of the four reported (indirect) ones; a failure names the missed items by id.
"""

from __future__ import annotations

from typing import Any

import pytest

from newstrace.analysis import analyze_text
from newstrace.evaluate.reference import load_reference, outlets, same_speaker
from newstrace.evaluate.scoring import covers_half
from newstrace.records import Quote
from tests.conftest import SEEDS


def _matches(gold: dict[str, Any], quote: Quote, span: tuple[int, int]) -> bool:
    resolved = quote.speaker.resolved.text if quote.speaker.resolved else quote.speaker.canonical
    found = quote.speaker.mention.text if quote.speaker.mention else None
    return (
        covers_half([span], [(quote.content.span.start, quote.content.span.end)])
        and quote.speaker.kind.value == gold["speaker_kind"]
        and same_speaker(gold["speaker"], found, resolved)
    )


def test_reference_quotes_found_with_their_speakers() -> None:
    if not SEEDS.exists():
        pytest.fail(f"reference case not found at {SEEDS}")
    case = load_reference(SEEDS / "expected.json")
    known_outlets = outlets(case)
    found = {
        doc.id: analyze_text(doc.text, doc.index, doc.published, known_outlets).quotes
        for doc in case.docs
    }
    missed: dict[str, list[str]] = {"direct": [], "indirect": []}
    for gold in case.data["quotes"]:
        span = case.span_of(gold["doc"], gold["text"])
        if not any(_matches(gold, quote, span) for quote in found[gold["doc"]]):
            missed[gold["kind"]].append(gold["id"])
    indirect_total = sum(1 for g in case.data["quotes"] if g["kind"] == "indirect")
    assert missed["direct"] == [], f"direct quotes missed: {missed['direct']}"
    assert indirect_total - len(missed["indirect"]) >= 3, f"indirect missed: {missed['indirect']}"


def test_recipients_of_the_reference_quotes() -> None:
    case = load_reference(SEEDS / "expected.json")
    for doc in case.docs:
        quotes = analyze_text(doc.text, doc.index, doc.published, outlets(case)).quotes
        for gold in case.data["quotes"]:
            if gold["doc"] != doc.id or not gold.get("told_to"):
                continue
            span = case.span_of(doc.id, gold["text"])
            recipients = {
                q.recipient.text
                for q in quotes
                if q.recipient and covers_half([span], [(q.content.span.start, q.content.span.end)])
            }
            assert gold["told_to"] in recipients, gold["id"]
