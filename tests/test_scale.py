"""Scale: worker processes and Dask (analysing, then linking) find exactly what one
process finds, re-runs do only what is new, and an interrupted run keeps every batch
written before it stopped."""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client
from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

import newstrace.pipeline
import newstrace.scale.cluster
from newstrace.analysis import PIPELINE_VERSION
from newstrace.ingest import IngestOptions
from newstrace.ingest.manifest import load_manifest
from newstrace.link import ReuseIndex
from newstrace.link.reuse import LINK_VERSION, sketch_of, sketches
from newstrace.pipeline import WRITE_BATCH, analyze_pending, ingest, link_pending, stored_linker
from newstrace.records import Analysis, Document, DocumentInput
from newstrace.report.export import export_table
from newstrace.scale.cluster import (
    LOCAL,
    ModelPlugin,
    analyze_on_cluster,
    connect,
    link_on_cluster,
    shared_url,
    stored_candidates,
)
from newstrace.scale.local import workers_for
from newstrace.store import DocumentStore, open_store
from newstrace.store.findings import FindingStore
from newstrace.store.links import LinkStore
from newstrace.store.schema import AnalysisRow, ReuseLinkedRow
from tests.conftest import PROJECT_ROOT, CliRun

DEMO = PROJECT_ROOT / "examples" / "demo"
Ledger = dict[str, list[str]]


def _demo_store(db: str) -> DocumentStore:
    store = open_store(db)
    options = IngestOptions(manifest=load_manifest(DEMO / "manifest.yaml"))
    summary = ingest(store, [str(DEMO / "articles")], options)
    assert summary.new > 0 and not summary.failures
    return store


def ledger(store: DocumentStore) -> Ledger:
    """Every finding and link of the store, normalized: sorted exported rows (document
    ids match because every run ingests the same files in the same order)."""
    found: Ledger = {}
    for table in ("quotes", "events", "reuse"):
        handle = io.StringIO()
        export_table(store, table, "jsonl", handle)
        found[table] = sorted(handle.getvalue().splitlines())
    findings = FindingStore(store.engine)
    found["figures"] = sorted(map(repr, findings.figures()))
    found["times"] = sorted(map(repr, findings.times()))
    found["places"] = sorted(map(repr, findings.places()))
    return found


@pytest.fixture(scope="module")
def single_process(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """The demo corpus analysed and linked in this process, on SQLite: the reference."""
    store = _demo_store(str(tmp_path_factory.mktemp("single") / "one.db"))
    try:
        analyze_pending(store, workers=1)
        link_pending(store)
        found = ledger(store)
    finally:
        store.close()
    assert all(found[t] for t in ("quotes", "events", "reuse", "figures", "places"))
    return found


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Client]:
    """A real LocalCluster of two worker processes."""
    with connect(LOCAL, 2) as client:
        assert len(client.nthreads()) == 2
        yield client


@pytest.mark.slow
def test_two_worker_processes_find_what_one_process_finds(
    tmp_path: Path, single_process: Ledger
) -> None:
    store = _demo_store(str(tmp_path / "two.db"))
    try:
        seen: list[int] = []
        assert analyze_pending(store, seen.append, workers=2) == store.count()
        assert seen == sorted(seen)  # written in id order, as one process writes them
        link_pending(store)
        assert ledger(store) == single_process
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_dask_on_postgres_finds_what_one_process_finds_on_sqlite(
    postgres_url: str, dask_client: Client, single_process: Ledger
) -> None:
    store = _demo_store(postgres_url)
    try:
        assert analyze_on_cluster(store, postgres_url, dask_client) == store.count()
        assert analyze_on_cluster(store, postgres_url, dask_client) == 0  # all written
        assert link_on_cluster(store, postgres_url, dask_client) == store.count()
        assert link_on_cluster(store, postgres_url, dask_client) == 0  # all linked
        assert ledger(store) == single_process
    finally:
        store.close()


@pytest.mark.slow
def test_dask_on_sqlite_writes_from_the_client(
    tmp_path: Path, dask_client: Client, single_process: Ledger
) -> None:
    db = str(tmp_path / "dask.db")
    store = _demo_store(db)
    try:
        assert analyze_on_cluster(store, db, dask_client, partition_docs=3) == store.count()
        # Two documents per comparing task: the saves must keep the planned order even
        # where a later task finishes first (a save replaces the pairs a document is in).
        linked: list[int] = []
        assert link_on_cluster(store, db, dask_client, linked.append, task_docs=2) == store.count()
        assert linked == sorted(linked)
        assert ledger(store) == single_process
    finally:
        store.close()


@pytest.mark.slow
def test_dask_links_against_documents_linked_before_through_their_buckets(
    tmp_path: Path, dask_client: Client
) -> None:
    """Every other demo document analysed again after all were linked: on the cluster
    their candidates among the documents still linked come from LSH buckets matched on
    the workers, the same an index of every stored signature finds, and the ledger
    equals one process's."""
    first = tmp_path / "first.db"
    store = _demo_store(str(first))
    try:
        analyze_pending(store, workers=1)
        link_pending(store)
        again = [d.id for d in store.documents()][::2]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with Session(store.engine) as session, session.begin():
            analysed = AnalysisRow.document_id.in_(again)
            session.execute(update(AnalysisRow).where(analysed).values(analysed_at=now))
        assert LinkStore(store.engine, LINK_VERSION).pending() == sorted(again)
    finally:
        store.close()
    store = open_store(str(first))
    try:  # what the buckets match is what an index of every stored signature finds
        links = LinkStore(store.engine, LINK_VERSION)
        index = ReuseIndex()
        for doc_id, signature in links.signatures():
            index.add(doc_id, [sketch_of(signature)])
        linker = stored_linker(store, links)
        expected = {}
        for doc_id in again:
            doc = linker.read(doc_id)
            assert doc is not None
            expected[doc_id] = index.candidates(sketch for _, sketch in sketches(doc))
        dask_client.register_plugin(ModelPlugin())
        matched = stored_candidates(dask_client, links, shared_url(str(first)), "test", 2)
        assert {d: c for d, c in expected.items() if c} == matched
        assert matched
    finally:
        store.close()
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    shutil.copy(first, here)
    shutil.copy(first, there)
    found = {}
    for db, link in ((here, link_pending), (there, None)):
        store = open_store(str(db))
        try:
            relinked = (
                link_on_cluster(store, str(db), dask_client, task_docs=2)
                if link is None
                else link(store)
            )
            assert relinked == len(again)
            found[db] = ledger(store)
            pairs = LinkStore(store.engine, LINK_VERSION).reuse()
        finally:
            store.close()
    assert found[there] == found[here]
    # Pairs between a relinked document and one still linked: found through the buckets.
    assert any((p.origin_doc in again) != (p.derived_doc in again) for p in pairs)


@pytest.mark.slow
def test_analyze_with_dask_local_analyses_and_links_on_the_cluster(
    tmp_path: Path, cli: CliRun, single_process: Ledger
) -> None:
    db = str(tmp_path / "cli.db")
    manifest = str(DEMO / "manifest.yaml")
    articles = str(DEMO / "articles")
    result = cli("analyze", articles, "--manifest", manifest, "--db", db, "--dask", LOCAL)
    assert result.exit_code == 0, result.output
    store = open_store(db)
    try:
        assert LinkStore(store.engine, LINK_VERSION).pending() == []
        assert ledger(store) == single_process
    finally:
        store.close()


def test_an_unreachable_scheduler_is_one_line(
    tmp_path: Path, cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(newstrace.scale.cluster, "CONNECT_TIMEOUT_S", 1)
    article = tmp_path / "a.txt"
    article.write_text("Gunmen attacked a checkpoint on Monday, police said.\n")
    result = cli(
        "analyze", str(article), "--db", str(tmp_path / "t.db"), "--dask", "tcp://127.0.0.1:9"
    )
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler" in result.output


# --- Incremental runs -------------------------------------------------------------------

_TOWNS = ("Amberfield", "Corvale", "Dunmore", "Eastwick", "Fairhollow", "Greystone", "Holloway")
_ADJECTIVES = ("old", "northern", "main", "small", "busy", "empty", "new", "eastern", "western")
_THINGS = ("bridge", "market", "school", "checkpoint", "clinic", "bakery", "road", "mosque")
_ACTS = ("was shelled", "was closed", "was searched", "was attacked", "was reopened", "burned")
_WHO = ("the police chief", "a council member", "a hospital director", "a shop owner", "a teacher")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _story(rng: random.Random, index: int) -> str:
    """A short invented report, different for every ``index`` and sharing no long run of
    words with the others (so only a planted copy links)."""
    sentences = [
        f"The {rng.choice(_ADJECTIVES)} {rng.choice(_THINGS)} in {rng.choice(_TOWNS)} "
        f"{rng.choice(_ACTS)} on {rng.choice(_DAYS)} and {rng.randint(2, 90)} people fled, "
        f"{rng.choice(_WHO)} said."
        for _ in range(3)
    ]
    return f"Report {index}. " + " ".join(sentences)


def _add(store: DocumentStore, text: str, source: str, outlet: str) -> int:
    added = store.add(DocumentInput(text=text, source=source, source_format="text", outlet=outlet))
    return added.document_id


def _stamps(store: DocumentStore, stamp: InstrumentedAttribute[dt.datetime]) -> dict[int, object]:
    """When each document was analysed (or linked), by ``stamp``'s table."""
    with Session(store.engine) as session:
        rows = session.execute(select(stamp.class_.document_id, stamp)).all()
    return {doc_id: when for doc_id, when in rows}


@pytest.mark.slow
def test_a_rerun_analyses_and_links_only_the_new_documents(store: DocumentStore) -> None:
    rng = random.Random(8)
    old = [_add(store, _story(rng, i), f"old{i}.txt", "North Desk") for i in range(20)]
    assert analyze_pending(store) == len(old)
    assert link_pending(store) == len(old)
    analysed = _stamps(store, AnalysisRow.analysed_at)
    linked = _stamps(store, ReuseLinkedRow.linked_at)

    copied = store.get(old[4])
    assert copied is not None and copied.outlet != "Wire Copy"
    new = [_add(store, _story(rng, i), f"new{i}.txt", "North Desk") for i in range(20, 119)]
    new.append(_add(store, f"Wire copy. {copied.text}", "copy.txt", "Wire Copy"))
    assert len(new) == 100
    seen: list[int] = []
    assert analyze_pending(store, seen.append) == 100
    assert seen == new
    relinked: list[int] = []
    assert link_pending(store, relinked.append) == 100
    assert relinked == new
    # The old documents were neither analysed nor linked again...
    analysed_now = _stamps(store, AnalysisRow.analysed_at)
    linked_now = _stamps(store, ReuseLinkedRow.linked_at)
    assert {i: analysed_now[i] for i in old} == analysed
    assert {i: linked_now[i] for i in old} == linked
    # ...yet the new copy was found through the signatures stored for them.
    found = LinkStore(store.engine, LINK_VERSION).reuse(new[-1])
    assert (old[4], new[-1]) in {(r.origin_doc, r.derived_doc) for r in found}
    assert analyze_pending(store) == 0 and link_pending(store) == 0


def test_an_interrupted_run_keeps_the_batches_written_and_resumes(
    store: DocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(9)
    ids = [_add(store, _story(rng, i), f"s{i}.txt", "North Desk") for i in range(WRITE_BATCH * 2)]
    real = newstrace.pipeline.analyze_documents
    fail_at = ids[WRITE_BATCH + 3]

    def failing(documents: list[Document], outlets: object) -> list[Analysis]:
        if any(document.id == fail_at for document in documents):
            raise RuntimeError("interrupted")
        return real(documents, outlets)  # type: ignore[arg-type]

    monkeypatch.setattr(newstrace.pipeline, "analyze_documents", failing)
    with pytest.raises(RuntimeError, match="interrupted"):
        analyze_pending(store)
    written = sorted(_stamps(store, AnalysisRow.analysed_at))
    assert written == ids[:WRITE_BATCH]  # the first batch only
    monkeypatch.setattr(newstrace.pipeline, "analyze_documents", real)
    assert analyze_pending(store) == WRITE_BATCH  # the rest, not the first batch again
    assert list(FindingStore(store.engine).pending(PIPELINE_VERSION)) == []


@pytest.mark.parametrize(("pending", "workers"), [(0, 1), (10, 1), (25, 2), (50, 3), (10_000, 4)])
def test_a_small_batch_gets_fewer_workers_and_every_id(pending: int, workers: int) -> None:
    found, ids = workers_for(iter(range(pending)), cores=4)
    assert found == workers
    assert list(ids) == list(range(pending))
