"""Reuse between documents: detection, alignment, direction, drift, storage and commands.

The reference case is checked by gold id; everything else runs on invented text (no
spaCy), so these tests stay fast.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from newstrace.analysis import PIPELINE_VERSION, analyze_text
from newstrace.evaluate.reference import ReferenceCase, load_reference, outlets, same_speaker
from newstrace.evaluate.scoring import covers_half
from newstrace.link import LinkDoc, Linker, ReuseIndex, compare
from newstrace.link.align import Side, segments
from newstrace.link.drift import attribution_drift
from newstrace.link.reuse import BANDS, LINK_VERSION, band_keys, sketch_of
from newstrace.pipeline import link_pending
from newstrace.records import (
    Analysis,
    DatePrecision,
    DirectionBasis,
    DocumentInput,
    DocumentReuse,
    DriftAspect,
    Mention,
    PartialDate,
    Quote,
    QuoteChange,
    QuoteKind,
    Relation,
    ReuseKind,
    ReuseLink,
    Span,
    Speaker,
    SpeakerKind,
)
from newstrace.store import DocumentStore, open_store
from newstrace.store.findings import FindingStore
from newstrace.store.links import LinkStore
from tests.conftest import SEEDS, CliRun

# Invented text: a quote and a passage that other documents copy.
QUOTE = (
    "the convoy was stopped twice at the river crossing before the drivers were told "
    "to turn back towards the depot"
)
PASSAGE = (
    "Water trucks have not reached the eastern villages for nine days, and the two "
    "clinics there are rationing what they have left."
)
FILLER = (
    "Market stalls reopened slowly on the main street. A school near the bus station "
    "stayed closed for a third week. Farmers said the late rain had come too late for "
    "the wheat."
)


def doc(
    doc_id: int,
    text: str,
    outlet: str | None = None,
    published: dt.date | None = None,
    quotes: tuple[Quote, ...] = (),
) -> LinkDoc:
    date = PartialDate(published, DatePrecision.DAY) if published else None
    return LinkDoc(doc_id, text, outlet, date, quotes=quotes)


def linked(*docs: LinkDoc) -> list[DocumentReuse]:
    """Link ``docs`` in order, as the store does; every pair found."""
    by_id = {d.id: d for d in docs}
    linker = Linker(by_id.get)
    return [reuse for d in docs for reuse in linker.link(d).reuse]


def derived_text(reuse: DocumentReuse, link: ReuseLink, docs: dict[int, LinkDoc]) -> str:
    return docs[reuse.derived_doc].text[link.derived.start : link.derived.end]


# --- The reference case ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> tuple[ReferenceCase, list[DocumentReuse]]:
    """The two seed articles, analysed, then linked in store order."""
    case = load_reference(SEEDS / "expected.json")
    docs = [
        doc(
            d.index,
            d.text,
            d.outlet,
            d.published.value if d.published else None,
            analyze_text(d.text, d.index, d.published, outlets(case)).quotes,
        )
        for d in sorted(case.docs, key=lambda d: d.index)
    ]
    return case, linked(*docs)


def test_reference_reuse_by_gold_id(reference: tuple[ReferenceCase, list[DocumentReuse]]) -> None:
    """r1-r4 linked 000 <- 001, drift with both descriptions for r1 and r4, r3 extended."""
    case, found = reference
    gold = case.data["provenance"]
    (pair,) = found
    derived, origin = case.doc(gold["derived_document"]), case.doc(gold["origin_document"])
    assert (pair.derived_doc, pair.origin_doc) == (derived.index, origin.index)
    assert pair.direction is DirectionBasis.CITATION  # 000 names The Cradle; 000 is undated
    assert pair.relation is Relation.PARTIALLY_DERIVED
    quotes = {q["id"]: q["text"] for q in case.data["quotes"]}
    reuse = {r["id"]: r for r in case.data["reuse"]}

    def links(gold_id: str) -> list[ReuseLink]:
        wanted = reuse[gold_id]
        d_span = case.span_of(derived.id, quotes[wanted["derived"]])
        o_span = case.span_of(origin.id, quotes[wanted["origin"]])
        found = [
            link
            for link in pair.links
            if covers_half([d_span], [(link.derived.start, link.derived.end)])
            and covers_half([o_span], [(link.origin.start, link.origin.end)])
        ]
        assert found, f"{gold_id}: no link"
        assert all(link.kind is ReuseKind.VERBATIM_QUOTE for link in found), gold_id
        return found

    for gold_id in ("r1", "r4"):
        drift = reuse[gold_id]["attribution_drift"]
        reported = next(link.drift for link in links(gold_id) if link.drift)
        assert same_speaker(drift["origin_speaker"], reported.origin_speaker), gold_id
        assert same_speaker(drift["derived_speaker"], reported.derived_speaker), gold_id
    r1 = next(link.drift for link in links("r1") if link.drift)
    assert {c.aspect for c in r1.changes} == {DriftAspect.ROLE, DriftAspect.AFFILIATION}
    assert all(link.drift is None for link in links("r2"))  # "MP" and "parliamentarian"
    (r3,) = links("r3")
    assert r3.quote_edit is not None and r3.quote_edit.change is QuoteChange.EXTENDED
    assert r3.quote_edit.added == "nationalities"


# --- Tolerance of copies ---------------------------------------------------------------


def _origin() -> LinkDoc:
    return doc(1, f'{FILLER}\n\n"{QUOTE[0].upper()}{QUOTE[1:]}," a driver said.\n\n{PASSAGE}')


@pytest.mark.parametrize(
    "copy",
    [
        pytest.param(PASSAGE, id="verbatim"),
        pytest.param(PASSAGE.replace(" the ", "\nthe "), id="re-wrapped"),
        pytest.param(PASSAGE.replace(", and", " — and"), id="dash"),
        pytest.param(PASSAGE.removeprefix("Water "), id="word cut at start"),
        pytest.param(PASSAGE.replace("left.", "left, officials said."), id="words added at end"),
    ],
)
def test_copies_are_found_whatever_their_wrapping_marks_and_ends(copy: str) -> None:
    derived = doc(2, f"Reporters in the region were told this week.\n\n{copy}\n\nNothing more.")
    reuse = compare(_origin(), derived)
    assert reuse is not None
    link = next(link for link in reuse.links if link.kind is not ReuseKind.VERBATIM_QUOTE)
    start = derived.text.index(copy)
    assert covers_half([(start, start + len(copy))], [(link.derived.start, link.derived.end)])


def test_straight_and_curly_quotes_and_a_rewrapped_quote_are_one_quote() -> None:
    wrapped = QUOTE.replace(" the ", "\nthe ")  # hard-wrapped: paragraphs apart by blank lines
    derived = doc(2, f"Drivers spoke on Sunday.\n\n“{wrapped},” the driver told us.")
    reuse = compare(_origin(), derived)
    assert reuse is not None
    (link,) = reuse.links
    assert link.kind is ReuseKind.VERBATIM_QUOTE and link.similarity == 1.0


def test_a_word_changed_inside_is_near_verbatim() -> None:
    edited = PASSAGE.replace("nine days", "ten days")
    reuse = compare(_origin(), doc(2, f"Aid workers were worried.\n\n{edited}"))
    assert reuse is not None
    (link,) = reuse.links
    assert link.kind is ReuseKind.NEAR_VERBATIM and 0.9 < link.similarity < 1


def test_unrelated_documents_and_short_shared_phrases_give_nothing() -> None:
    other = doc(2, "The talks ended without a statement. The market stayed closed for a week.")
    assert compare(_origin(), other) is None


def test_same_outlet_and_versions_are_not_compared() -> None:
    text = f"{FILLER}\n\n{PASSAGE}"
    assert linked(doc(1, text, "Tigris Wire"), doc(2, text + " More.", "tigris wire")) == []
    versions = [
        LinkDoc(1, text, url="https://x.example/a"),
        LinkDoc(2, text + " More.", url="https://x.example/a"),
    ]
    assert linked(*versions) == []


def test_segments_do_not_cross_a_quote_edge() -> None:
    words = "a b c d e f g h i j k l m n o p".split()
    found = segments(Side(words, [(0, 10)]), Side(words, []))
    assert [(s.a_start, s.a_end) for s in found] == [(0, 10)]  # the 6 words after it are dropped


# --- Direction and relation ------------------------------------------------------------


def test_the_earlier_published_document_is_the_origin() -> None:
    late = doc(1, f"{PASSAGE}\n\nMore later.", published=dt.date(2024, 3, 2))
    early = doc(2, f"Earlier: {PASSAGE}", published=dt.date(2024, 3, 1))
    (reuse,) = linked(late, early)
    assert (reuse.origin_doc, reuse.derived_doc) == (2, 1)
    assert reuse.direction is DirectionBasis.PUBLISHED


def test_an_unknown_or_same_period_date_decides_nothing() -> None:
    for second in (None, dt.date(2024, 3, 1)):
        a = doc(1, f"{PASSAGE}\n\nMore later.", published=dt.date(2024, 3, 1))
        b = doc(2, f"Earlier: {PASSAGE}", published=second)
        (reuse,) = linked(a, b)
        assert reuse.direction is DirectionBasis.UNDETERMINED
        assert (reuse.origin_doc, reuse.derived_doc) == (1, 2)  # store order, nothing more
    month = PartialDate(dt.date(2024, 3, 1), DatePrecision.MONTH)
    a = LinkDoc(1, PASSAGE, published=month)
    b = LinkDoc(
        2, f"Then: {PASSAGE}", published=PartialDate(dt.date(2024, 3, 9), DatePrecision.DAY)
    )
    assert linked(a, b)[0].direction is DirectionBasis.UNDETERMINED


def test_naming_the_other_outlet_as_source_decides() -> None:
    origin = doc(1, f"{FILLER}\n\n{PASSAGE}", outlet="Khabour Herald")
    derived = doc(2, f"{PASSAGE} an aid worker told the Khabour Herald.", outlet="Zagros Daily")
    (reuse,) = linked(derived, origin)
    assert (reuse.origin_doc, reuse.derived_doc) == (1, 2)
    assert reuse.direction is DirectionBasis.CITATION
    (reason,) = reuse.reasons
    assert reason.evidence is not None and reason.evidence.text == "told the Khabour Herald"


def test_a_name_that_is_not_a_citation_decides_nothing() -> None:
    origin = doc(1, PASSAGE, outlet="Independent")
    derived = doc(2, f"An independent monitor agreed. {PASSAGE}", outlet="Zagros Daily")
    assert linked(origin, derived)[0].direction is DirectionBasis.UNDETERMINED


def test_conflicting_evidence_leaves_the_direction_undetermined() -> None:
    origin = doc(1, PASSAGE, outlet="Khabour Herald", published=dt.date(2024, 3, 9))
    derived = doc(
        2,
        f"{PASSAGE} Khabour Herald reported.",
        outlet="Zagros Daily",
        published=dt.date(2024, 3, 1),
    )
    (reuse,) = linked(origin, derived)
    assert reuse.direction is DirectionBasis.UNDETERMINED
    assert {r.basis for r in reuse.reasons} == {DirectionBasis.PUBLISHED, DirectionBasis.CITATION}


def test_a_wholly_copied_text_is_wholly_derived() -> None:
    (reuse,) = linked(doc(1, f"{FILLER} {PASSAGE}"), doc(2, f"{FILLER} {PASSAGE} Updated."))
    assert reuse.relation is Relation.WHOLLY_DERIVED and reuse.reused_share > 0.9


# --- Drift and quote edits -------------------------------------------------------------


def _speaker(text: str, kind: SpeakerKind, anonymity: str | None = None, at: int = 0) -> Speaker:
    mention = Mention(text, Span(0, at, at + len(text)))
    marker = None
    if anonymity:
        start = at + len(text) + 2
        marker = Mention(anonymity, Span(0, start, start + len(anonymity)))
    return Speaker(kind, mention, anonymity=marker)


def test_drift_names_what_changed_in_the_description() -> None:
    origin = _speaker(
        "a senior police officer", SpeakerKind.ANONYMOUS_PERSON, "who asked not to be named"
    )
    derived = _speaker("a provincial official", SpeakerKind.ANONYMOUS_PERSON)
    text = "a senior police officer, who asked not to be named"
    drift = attribution_drift(origin, text, derived, "a provincial official")
    assert drift is not None
    assert drift.origin_speaker == "a senior police officer, who asked not to be named"
    changes = {c.aspect: (c.origin, c.derived) for c in drift.changes}
    assert changes[DriftAspect.ROLE] == ("senior officer", "official")
    assert changes[DriftAspect.AFFILIATION] == ("police", "provincial")
    assert changes[DriftAspect.ANONYMITY] == ("who asked not to be named", "")


def test_named_to_unnamed_and_same_description_in_other_words() -> None:
    named = Speaker(
        SpeakerKind.NAMED_PERSON,
        Mention("MP Salwa Haddad", Span(0, 0, 15)),
        description=Mention("MP", Span(0, 0, 2)),
    )
    other = Speaker(
        SpeakerKind.NAMED_PERSON,
        Mention("lawmaker Salwa Haddad", Span(0, 0, 21)),
        description=Mention("lawmaker", Span(0, 0, 8)),
    )
    unnamed = _speaker("a lawmaker", SpeakerKind.ANONYMOUS_PERSON)
    assert attribution_drift(named, "", other, "") is None
    drift = attribution_drift(named, "", unnamed, "")
    assert drift is not None and drift.changes[0].aspect is DriftAspect.NAMED
    assert (drift.changes[0].origin, drift.changes[0].derived) == ("Salwa Haddad", "unnamed")
    group = Speaker(SpeakerKind.ORGANIZATION, Mention("ISIS", Span(0, 0, 4)), canonical="IS")
    alias = Speaker(SpeakerKind.ORGANIZATION, Mention("Daesh", Span(0, 0, 5)), canonical="IS")
    assert attribution_drift(group, "", alias, "") is None


def test_a_cut_quote_is_truncated_and_a_longer_one_extended() -> None:
    cut = QUOTE.removeprefix("the convoy was ")
    reuse = compare(_origin(), doc(2, f"“{cut},” a driver said."))
    assert reuse is not None
    edit = reuse.links[0].quote_edit
    assert edit is not None and edit.change is QuoteChange.TRUNCATED
    assert edit.dropped == "The convoy was"
    longer = doc(2, f"“{QUOTE} and wait for orders,” a driver said.", None, dt.date(2024, 3, 9))
    origin = _origin()
    origin.published = PartialDate(dt.date(2024, 3, 1), DatePrecision.DAY)
    reuse = compare(origin, longer)  # the date decides, against completeness
    assert reuse is not None and reuse.direction is DirectionBasis.PUBLISHED
    edit = reuse.links[0].quote_edit
    assert edit is not None and edit.change is QuoteChange.EXTENDED
    assert edit.added == "and wait for orders"


# --- The store, incrementally ----------------------------------------------------------


def _add(store: DocumentStore, text: str, outlet: str, quotes: tuple[Quote, ...] = ()) -> int:
    doc_id = store.add(
        DocumentInput(text=text, source=f"{outlet}.txt", source_format="text", outlet=outlet)
    ).document_id
    quotes = tuple(
        Quote(
            q.kind,
            Mention(q.content.text, Span(doc_id, q.content.span.start, q.content.span.end)),
            q.speaker,
        )
        for q in quotes
    )
    FindingStore(store.engine).save(Analysis(doc_id, True, quotes), PIPELINE_VERSION)
    return doc_id


def _quoted(text: str, speaker: str, kind: SpeakerKind) -> tuple[str, Quote]:
    full = f"“{QUOTE},” {speaker} said. {FILLER}"
    content = Mention(QUOTE, Span(0, 1, 1 + len(QUOTE)))
    at = full.index(speaker)
    return full, Quote(
        QuoteKind.DIRECT, content, Speaker(kind, Mention(speaker, Span(0, at, at + len(speaker))))
    )


def test_matching_band_keys_finds_what_the_lsh_index_finds() -> None:
    """Passages that share one band of their signature (and no other), share nothing,
    or share all but one value of every band: the bucket keys pair exactly the ones
    the index returns, so buckets can be matched outside it."""
    rng = np.random.default_rng(3)
    bands, rows = BANDS
    stored = {doc: rng.integers(0, 2**32, size=bands * rows, dtype=np.uint32) for doc in range(40)}
    queries = []
    for doc in range(40):
        query = rng.integers(0, 2**32, size=bands * rows, dtype=np.uint32)
        if doc % 3 == 0:  # shares band doc % bands
            band = doc % bands
            query[band * rows : (band + 1) * rows] = stored[doc][band * rows : (band + 1) * rows]
        elif doc % 3 == 1:  # alike in all but one value of each band: no bucket shared
            query = stored[doc].copy()
            query[::rows] += 1
        queries.append(query.astype("<u4").tobytes())
    index = ReuseIndex()
    buckets: dict[bytes, set[int]] = {}
    for doc, values in stored.items():
        signature = values.astype("<u4").tobytes()
        index.add(doc, [sketch_of(signature)])
        for key in band_keys(signature):
            buckets.setdefault(key, set()).add(doc)
    for query in queries:
        matched = set().union(*(buckets.get(key, set()) for key in band_keys(query)))
        assert matched == index.candidates([sketch_of(query)])
    assert sum(bool(index.candidates([sketch_of(q)])) for q in queries) == 14


def test_store_links_incrementally_and_round_trips(any_db: str) -> None:
    store = open_store(any_db)
    try:
        text, quote = _quoted(QUOTE, "a police spokesman", SpeakerKind.ANONYMOUS_PERSON)
        first = _add(store, text, "Khabour Herald", (quote,))
        _add(store, "Nothing shared with anything else, only filler words here.", "Zagros Daily")
        assert link_pending(store) == 2
        assert link_pending(store) == 0  # nothing new: nothing to do
        copy, copied = _quoted(QUOTE, "a civil defence worker", SpeakerKind.ANONYMOUS_PERSON)
        third = _add(store, f"{copy} the Khabour Herald reported.", "Orontes Press", (copied,))
        assert link_pending(store) == 1  # only the new one, against the rebuilt index
        links = LinkStore(store.engine, LINK_VERSION)
        (reuse,) = links.reuse(third)
        assert (reuse.origin_doc, reuse.derived_doc) == (first, third)
        assert reuse.direction is DirectionBasis.CITATION
        assert reuse.reasons[0].evidence is not None
        drift = next(link.drift for link in reuse.links if link.drift)
        assert (drift.origin_speaker, drift.derived_speaker) == (
            "a police spokesman",
            "a civil defence worker",
        )
        assert links.reuse(first) == [reuse] and links.count_links() == len(reuse.links)
        FindingStore(store.engine).save(Analysis(first, True, (quote,)), PIPELINE_VERSION)
        assert link_pending(store) == 1  # analysed again: linked again, pairs replaced
        assert links.reuse(third) == [reuse]
    finally:
        store.close()


def test_trace_and_export_show_the_reuse(tmp_path: Path, cli: CliRun) -> None:
    db = str(tmp_path / "t.db")
    store = open_store(db)
    try:
        text, quote = _quoted(QUOTE, "a police spokesman", SpeakerKind.ANONYMOUS_PERSON)
        first = _add(store, text, "Khabour Herald", (quote,))
        copy, copied = _quoted(QUOTE, "an army officer", SpeakerKind.ANONYMOUS_PERSON)
        second = _add(store, f"{copy} told the Khabour Herald.", "Orontes Press", (copied,))
        link_pending(store)
    finally:
        store.close()
    result = cli("trace", "--doc", str(second), "--db", db)
    assert result.exit_code == 0
    assert f"took from document {first}" in result.output
    assert "attribution drift" in result.output and "a police spokesman" in result.output
    assert "taken from by" in cli("trace", "--doc", str(first), "--db", db).output
    assert cli("trace", "--doc", "99", "--db", db).exit_code == 1
    rows = [
        json.loads(line)
        for line in cli("export", "--table", "reuse", "--db", db).output.splitlines()
    ]
    assert rows and rows[0]["derived_document_id"] == second
    assert rows[0]["derived_speaker"] == "an army officer"
