"""Paraphrase links (sentence embeddings) and claim mutation.

The reference case is checked by gold id (r5 paraphrase, r6 mutated claim); the
threshold against the hand-judged development set it was chosen on; everything else
on invented text. The packaged model is loaded once for the module.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
from tqdm import tqdm

from newstrace.analysis import PIPELINE_VERSION, analyze_text
from newstrace.evaluate.reference import ReferenceCase, load_reference, outlets
from newstrace.evaluate.scoring import covers_half
from newstrace.link import LinkDoc, Linker, compare
from newstrace.link.embed import DIMENSIONS, MODEL_NAME, embed
from newstrace.link.mutation import MutationFinder
from newstrace.link.paraphrase import THRESHOLD, EmbeddingParaphrases, mutual_best
from newstrace.link.reuse import LINK_VERSION
from newstrace.pipeline import analyze_pending, link_pending
from newstrace.records import (
    Analysis,
    ClaimChange,
    ClaimField,
    DirectionBasis,
    DocumentInput,
    DocumentReuse,
    Relation,
    ReuseKind,
    ReuseLink,
    Span,
)
from newstrace.store import open_store
from newstrace.store.findings import FindingStore
from newstrace.store.links import EmbeddingStore, LinkStore
from tests.conftest import SEEDS, CliRun

DEV_SET = Path(__file__).resolve().parent / "fixtures" / "paraphrase_dev.jsonl"


def _no_findings(doc_id: int) -> Analysis | None:
    return None


# --- The embedder ----------------------------------------------------------------------


def test_embeddings_are_unit_rows_and_alike_for_alike_sentences() -> None:
    vectors = embed(
        [
            "Gunmen killed nine soldiers at a checkpoint on Sunday.",
            "Nine troops were shot dead at a checkpoint by gunmen on Sunday.",
            "The ministry published its annual budget for schools.",
        ]
    )
    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype.name == "float32"
    assert [round(float(v @ v), 4) for v in vectors] == [1.0, 1.0, 1.0]
    assert vectors[0] @ vectors[1] > THRESHOLD > vectors[0] @ vectors[2]
    assert embed([]).shape == (0, DIMENSIONS)


# --- The threshold, on the development set it was chosen on ----------------------------


def test_threshold_keeps_most_dev_paraphrases_and_few_non_paraphrases() -> None:
    """Mutual nearest pairs over the whole set, as the finder pairs two documents."""
    rows = [json.loads(line) for line in DEV_SET.read_text("utf-8").splitlines()]
    firsts, seconds = sorted({r["a"] for r in rows}), sorted({r["b"] for r in rows})
    gold = {(r["a"], r["b"]) for r in rows if r["paraphrase"]}
    pairs = mutual_best(embed(firsts) @ embed(seconds).T, THRESHOLD)
    kept = [(firsts[i], seconds[j]) in gold for i, j, _ in pairs]
    assert all(similarity >= THRESHOLD for _, _, similarity in pairs)
    precision, recall = sum(kept) / len(kept), sum(kept) / len(gold)
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)


def _quoted_doc(doc_id: int, sentences: list[str], outlet: str) -> LinkDoc:
    """Each sentence quoted (so it bears a claim without any analysis)."""
    text = "\n\n".join(f"“{s}” an official said." for s in sentences)
    return LinkDoc(doc_id, text, outlet)


ORIGIN = [
    "Aid convoys have been unable to reach the besieged city for a month because of "
    "checkpoints manned by the militia.",
    "The power station was built in the 1980s and supplies electricity to three provinces.",
]
RESTATED = (
    "For four weeks militia checkpoints have kept humanitarian trucks from getting into "
    "the encircled city."
)
UNRELATED = "Commercial flights to the airport were suspended two years ago, the minister said."


def test_a_restated_claim_is_linked_as_paraphrase_even_with_no_shared_words() -> None:
    finder = EmbeddingParaphrases(_no_findings)
    origin = _quoted_doc(1, ORIGIN, "Tigris Wire")
    derived = _quoted_doc(2, [RESTATED], "Zagros Daily")
    linker = Linker({1: origin, 2: derived}.get, None, finder)
    assert linker.link(origin).reuse == []
    (reuse,) = linker.link(derived).reuse  # a candidate through the embedding index
    (link,) = reuse.links
    assert link.kind is ReuseKind.PARAPHRASE and link.similarity >= THRESHOLD
    assert ORIGIN[0] in origin.text[link.origin.start : link.origin.end]
    assert RESTATED in derived.text[link.derived.start : link.derived.end]
    assert reuse.relation is Relation.INDEPENDENT  # no words copied
    assert finder.embedded == 3  # each claim sentence embedded once


def test_a_non_paraphrase_pair_stays_unlinked_and_the_threshold_is_honoured() -> None:
    origin = _quoted_doc(1, ORIGIN, "Tigris Wire")
    unrelated = _quoted_doc(2, [UNRELATED], "Zagros Daily")
    assert compare(origin, unrelated, EmbeddingParaphrases(_no_findings)) is None
    derived = _quoted_doc(3, [RESTATED], "Zagros Daily")
    found = compare(origin, derived, EmbeddingParaphrases(_no_findings))
    assert found is not None
    strict = EmbeddingParaphrases(_no_findings, threshold=found.links[0].similarity + 0.01)
    assert compare(origin, derived, strict) is None


# --- Claim mutation on invented text ---------------------------------------------------


def _analysed(doc_id: int, text: str, outlet: str) -> tuple[LinkDoc, Analysis]:
    analysis = analyze_text(text, doc_id, None, [])
    return LinkDoc(doc_id, text, outlet, quotes=analysis.quotes), analysis


def test_changed_place_time_and_toll_are_reported_with_both_values() -> None:
    origin, a = _analysed(1, "Gunmen killed 12 soldiers near Tikrit, the army said.", "Tigris Wire")
    derived, b = _analysed(
        2, "Gunmen killed 40 soldiers near Kirkuk in March 2023, the army said.", "Zagros Daily"
    )
    mutations = MutationFinder({1: a, 2: b}.get)
    changes = {
        c.field: c
        for c in mutations(
            origin, Span(1, 0, len(origin.text)), derived, Span(2, 0, len(derived.text))
        )
    }
    assert set(changes) == {ClaimField.PLACE, ClaimField.TIME, ClaimField.FIGURE}
    assert "Tikrit" in changes[ClaimField.PLACE].origin
    assert "Kirkuk" in changes[ClaimField.PLACE].derived
    assert changes[ClaimField.TIME].origin == "" and "2023" in changes[ClaimField.TIME].derived
    assert "12" in changes[ClaimField.FIGURE].origin and "40" in changes[ClaimField.FIGURE].derived
    # A copy that only leaves details out changes nothing.
    assert mutations(derived, Span(2, 0, len(derived.text)), origin, Span(1, 0, 14)) == ()


def test_a_locative_phrase_the_place_stage_misses_still_counts() -> None:
    origin = LinkDoc(1, "Hundreds of fighters gathered in western Raqqa.")
    derived = LinkDoc(2, "Hundreds of fighters gathered in the northern Jordanian deserts.")
    (change,) = MutationFinder(_no_findings)(
        origin, Span(1, 0, len(origin.text)), derived, Span(2, 0, len(derived.text))
    )
    assert change == ClaimChange(ClaimField.PLACE, "western Raqqa", "northern Jordanian deserts")


# --- The reference case ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> tuple[ReferenceCase, dict[int, LinkDoc], list[DocumentReuse]]:
    """The two seed articles, analysed, then linked in store order with paraphrases."""
    case = load_reference(SEEDS / "expected.json")
    analyses = {
        d.index: analyze_text(d.text, d.index, d.published, outlets(case)) for d in case.docs
    }
    docs = {
        d.index: LinkDoc(d.index, d.text, d.outlet, d.published, quotes=analyses[d.index].quotes)
        for d in case.docs
    }
    linker = Linker(
        docs.get, None, EmbeddingParaphrases(analyses.get), MutationFinder(analyses.get)
    )
    return case, docs, [reuse for i in sorted(docs) for reuse in linker.link(docs[i]).reuse]


def _gold_links(
    reference: tuple[ReferenceCase, dict[int, LinkDoc], list[DocumentReuse]], gold_id: str
) -> list[ReuseLink]:
    case, _, found = reference
    gold = next(r for r in case.data["reuse"] if r["id"] == gold_id)
    provenance = case.data["provenance"]
    derived, origin = (
        case.doc(provenance["derived_document"]),
        case.doc(provenance["origin_document"]),
    )
    d_span = case.span_of(derived.id, gold["derived_text"])
    o_span = case.span_of(origin.id, gold["origin_text"])
    (pair,) = found
    assert (pair.derived_doc, pair.origin_doc) == (derived.index, origin.index)
    assert pair.direction is not DirectionBasis.UNDETERMINED
    return [
        link
        for link in pair.links
        if covers_half([d_span], [(link.derived.start, link.derived.end)])
        and covers_half([o_span], [(link.origin.start, link.origin.end)])
    ]


def test_reference_paraphrase_r5(
    reference: tuple[ReferenceCase, dict[int, LinkDoc], list[DocumentReuse]],
) -> None:
    (link,) = _gold_links(reference, "r5")
    assert link.kind is ReuseKind.PARAPHRASE and link.similarity >= THRESHOLD
    assert link.mutations == ()


def test_reference_mutated_claim_r6_reports_place_and_time(
    reference: tuple[ReferenceCase, dict[int, LinkDoc], list[DocumentReuse]],
) -> None:
    case, docs, _ = reference
    gold = next(r for r in case.data["reuse"] if r["id"] == "r6")
    (link,) = _gold_links(reference, "r6")
    assert link.kind is ReuseKind.PARAPHRASE
    changes = {c.field: c for c in link.mutations}
    assert {ClaimField.PLACE, ClaimField.TIME} <= set(changes)
    # Both values are words of their own side: the derived ones inside the gold claim.
    assert changes[ClaimField.PLACE].derived in gold["derived_text"]
    assert changes[ClaimField.TIME].derived in gold["derived_text"]
    origin_text = docs[link.origin.doc_id].text[link.origin.start : link.origin.end]
    assert changes[ClaimField.PLACE].origin in " ".join(origin_text.split())
    assert changes[ClaimField.PLACE].origin not in gold["derived_text"]


# --- Store, trace and export -----------------------------------------------------------


def test_mutations_are_stored_traced_and_exported(tmp_path: Path, cli: CliRun) -> None:
    db = str(tmp_path / "m.db")
    store = open_store(db)
    try:
        ids = [
            store.add(
                DocumentInput(
                    text=text, source=f"{outlet}.txt", source_format="text", outlet=outlet
                )
            ).document_id
            for text, outlet in (
                ("Gunmen killed 12 soldiers near Tikrit, the army said.", "Tigris Wire"),
                ("Gunmen killed 40 soldiers near Kirkuk, the army said.", "Zagros Daily"),
            )
        ]
        for doc_id in ids:
            FindingStore(store.engine).save(Analysis(doc_id, True), PIPELINE_VERSION)
        change = ClaimChange(ClaimField.PLACE, "Tikrit", "Kirkuk")
        link = ReuseLink(
            Span(ids[0], 0, 40), Span(ids[1], 0, 40), ReuseKind.PARAPHRASE, 0.8, mutations=(change,)
        )
        reuse = DocumentReuse(
            ids[0], ids[1], DirectionBasis.UNDETERMINED, Relation.INDEPENDENT, 0.0, (link,)
        )
        links = LinkStore(store.engine, LINK_VERSION)
        links.save(ids[1], [], [reuse])
        assert links.reuse(ids[1]) == [reuse]
    finally:
        store.close()
    shown = cli("trace", "--doc", str(ids[1]), "--db", db).output
    assert "claim changed" in shown and "Tikrit" in shown and "Kirkuk" in shown
    (row,) = [
        json.loads(line)
        for line in cli("export", "--table", "reuse", "--db", db).output.splitlines()
    ]
    assert row["mutations"] == "place: Tikrit -> Kirkuk"


def test_embeddings_are_kept_in_the_store_and_reach_across_runs(any_db: str) -> None:
    """A restated claim linked in a later run is still found (the index is rebuilt from
    the kept vectors), and re-linking embeds nothing again."""
    store = open_store(any_db)
    try:

        def add(sentences: list[str], outlet: str) -> int:
            text = _quoted_doc(0, sentences, outlet).text
            doc_id = store.add(
                DocumentInput(
                    text=text, source=f"{outlet}.txt", source_format="text", outlet=outlet
                )
            ).document_id
            FindingStore(store.engine).save(Analysis(doc_id, True), PIPELINE_VERSION)
            return doc_id

        kept = EmbeddingStore(store.engine, MODEL_NAME)
        first = add(ORIGIN, "Tigris Wire")
        assert link_pending(store) == 1
        assert len(list(kept.every())) == len(ORIGIN)
        second = add([RESTATED], "Zagros Daily")
        assert link_pending(store) == 1  # a new run: only the new document is linked
        (reuse,) = LinkStore(store.engine, LINK_VERSION).reuse(second)
        assert (reuse.origin_doc, reuse.links[0].kind) == (first, ReuseKind.PARAPHRASE)
        FindingStore(store.engine).save(Analysis(first, True), PIPELINE_VERSION)
        assert link_pending(store) == 1  # analysed again: linked again, nothing re-embedded
        assert len(list(kept.every())) == len(ORIGIN) + 1
        assert LinkStore(store.engine, LINK_VERSION).reuse(second) == [reuse]
    finally:
        store.close()


def test_claim_sentences_are_embedded_with_the_analysis_as_linking_would(tmp_path: Path) -> None:
    """``analyze`` keeps each claim sentence's vector beside the findings, so linking
    embeds nothing; the vectors and links equal those of linking embedding them itself."""
    texts = {"Tigris Wire": _quoted_doc(0, ORIGIN, "Tigris Wire").text}
    texts["Zagros Daily"] = _quoted_doc(0, [RESTATED], "Zagros Daily").text

    def ledger(name: str, with_analysis: bool) -> tuple[list[tuple[int, int, bytes]], list[object]]:
        store = open_store(str(tmp_path / name))
        try:
            for outlet, text in texts.items():
                document = DocumentInput(
                    text=text, source=f"{outlet}.txt", source_format="text", outlet=outlet
                )
                doc_id = store.add(document).document_id
                if not with_analysis:  # findings alone, no vectors
                    FindingStore(store.engine).save(analyze_text(text, doc_id), PIPELINE_VERSION)
            kept = EmbeddingStore(store.engine, MODEL_NAME)
            if with_analysis:
                assert analyze_pending(store, workers=1) == 2
                made = {i: kept.vectors(i) for i in (1, 2)}
                assert made[1] and made[2]
            link_pending(store)
            if with_analysis:
                assert {i: kept.vectors(i) for i in (1, 2)} == made  # nothing embedded anew
            vectors = sorted((i, s, v) for i in (1, 2) for (s, _), v in kept.vectors(i).items())
            return vectors, LinkStore(store.engine, LINK_VERSION).reuse()
        finally:
            store.close()

    assert ledger("analysed.db", True) == ledger("linked.db", False)


def _hold_the_progress_bar_lock() -> None:
    tqdm.get_lock().acquire()
    time.sleep(60)


def test_a_fork_killed_while_embedding_does_not_stop_the_others() -> None:
    """Forks of a process that loaded the model (as the kill test's runs are) each embed
    on their own, even after one was killed inside the progress-bar lock."""
    embed(["The model is loaded in this process before it forks."])
    fork = multiprocessing.get_context("fork")
    holder = fork.Process(target=_hold_the_progress_bar_lock)
    holder.start()
    time.sleep(1)
    os.kill(holder.pid or 0, signal.SIGKILL)
    holder.join()
    child = fork.Process(target=embed, args=(["A second fork embeds a sentence."],))
    child.start()
    child.join(60)
    if child.exitcode is None:
        child.kill()
    assert child.exitcode == 0
