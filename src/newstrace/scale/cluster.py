"""The per-document stages as Dask tasks, on a local cluster or on many machines.

The pending document ids become a ``dask.bag`` whose partitions are analysed by the
workers; each worker loads the spaCy pipeline once (:class:`ModelPlugin`) and reads the
texts from the database itself, so only ids and results cross the network.

Who writes: on PostgreSQL every partition is written by the worker that analysed it, in
one transaction (PostgreSQL takes many writers, and the client never becomes the
bottleneck); on SQLite the workers only read (a local cluster reaches the file) and the
client, the one writer, saves each partition's analyses as they arrive, because SQLite
must not get concurrent writers, least of all from other machines. Either way a
partition is one transaction, so an interrupted run loses at most the partitions under
way and re-running resumes.

Linking (the cross-document stage) runs after, also on the workers where it can. First
the LSH buckets: the workers sketch the pending documents, then match those buckets
against the stored signatures of the documents linked before, partition by partition,
so no process holds an index of the whole corpus. Then, linking being two halves
(:class:`Linker`), the client plans each pending document in order (buckets shared with
the pending documents before it, and the claim-sentence index: cheap, and the order
decides who is compared with whom) while the workers compare each document in full with
its candidates (alignment, paraphrase pairing, direction, drift and mutation reading:
the costly half, which depends on the two documents alone). The client saves each
document's passages and pairs in the order planned, so the links equal those of
:func:`link_pending`.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dask.bag
from distributed import Client, Future, LocalCluster, WorkerPlugin, as_completed, get_worker
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from newstrace.analysis import PIPELINE_VERSION, analyze_documents
from newstrace.link import Linker
from newstrace.link.embed import MODEL_NAME
from newstrace.link.reuse import LINK_VERSION, band_keys, signature_bytes, sketches
from newstrace.nlp.pipeline import load_pipeline
from newstrace.pipeline import planned_links, stored_linker
from newstrace.records import Analysis, DocumentReuse, Passage
from newstrace.scale.batches import batched
from newstrace.store import DocumentStore
from newstrace.store.database import database_url, display_name, make_engine
from newstrace.store.findings import FindingStore
from newstrace.store.links import EmbeddingStore, LinkStore, one_linker

LOCAL = "local"
PARTITION_DOCS = 32  # most documents per task: about five seconds of work on one core
LINK_TASK_DOCS = 16  # pending documents per comparing task
LINK_TASKS_PER_WORKER = 3  # comparing tasks queued per worker thread, ahead of the saves
STORED_TASK_DOCS = 2_000  # linked documents whose signatures one bucket-matching task reads
CONNECT_TIMEOUT_S = 30


class ClusterError(Exception):
    """A cluster that cannot be used (unreachable, or cannot reach the database): one line."""


class _KeptVectors(EmbeddingStore):
    """The claim-sentence vectors the store keeps, read only: a worker never writes to a
    SQLite file, and the client kept every vector a comparison needs while planning."""

    def add(self, doc_id: int, rows: Sequence[tuple[int, int, bytes]]) -> None:
        """Nothing is kept: a vector missing here is embedded again, never stored."""


class ModelPlugin(WorkerPlugin):
    """Loads the model once per worker and keeps one engine per database it is sent."""

    name = "newstrace-model"

    def __init__(self) -> None:
        self._engines: dict[str, Engine] = {}
        self._linker: tuple[str, str, Linker] | None = None  # (url, run, linker)

    def setup(self, worker: object) -> None:
        load_pipeline()

    def teardown(self, worker: object) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        self._linker = None

    def store(self, url: str) -> DocumentStore:
        """The database at ``url``, which this worker must reach but never creates."""
        if url not in self._engines:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
                raise ClusterError(
                    f"{display_name(url)}: not found on worker {get_worker().address}; "
                    "workers on other machines need a shared PostgreSQL database"
                )
            self._engines[url] = make_engine(url)
        return DocumentStore(self._engines[url])

    def linker(self, url: str, run: str) -> Linker:
        """The comparing linker of linking run ``run`` on the database at ``url``: one
        per run and worker, so the documents, findings and vectors it read for one task
        serve the next (each is compared with many others), and none outlives the run."""
        if self._linker is None or self._linker[:2] != (url, run):
            store = self.store(url)
            links = LinkStore(store.engine, LINK_VERSION)
            kept = _KeptVectors(store.engine, MODEL_NAME, linked=links)
            self._linker = (url, run, stored_linker(store, links, kept))
        return self._linker[2]


def _plugin() -> ModelPlugin:
    plugin = get_worker().plugins.get(ModelPlugin.name)
    if not isinstance(plugin, ModelPlugin):
        raise ClusterError("the newstrace worker plugin is not installed on this worker")
    return plugin


def analyze_partition(ids: Iterator[int], url: str, outlets: frozenset[str]) -> list[Analysis]:
    """Task: analyse the documents of one partition, read from the database at ``url``
    (for a SQLite store the client then writes them)."""
    store = _plugin().store(url)
    documents = [document for doc_id in ids if (document := store.get(doc_id)) is not None]
    return analyze_documents(documents, outlets)


def analyze_and_save_partition(ids: Iterator[int], url: str, outlets: frozenset[str]) -> list[int]:
    """Task for a shared PostgreSQL store: analyse and write here, in one transaction;
    only the ids written go back."""
    analyses = analyze_partition(ids, url, outlets)
    FindingStore(_plugin().store(url).engine).save_all(analyses, PIPELINE_VERSION)
    return [a.doc_id for a in analyses]


def shared_url(db: str) -> str:
    """``db`` as every worker must name it: a SQLite path made absolute."""
    url = database_url(db)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(
            hide_password=False
        )
    return url


@contextmanager
def connect(address: str, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``address``, or of a new LocalCluster of ``workers``
    single-threaded processes when ``address`` is ``local``."""
    with ExitStack() as stack:
        try:
            if address == LOCAL:
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                stack.enter_context(cluster)
                client = stack.enter_context(Client(cluster))
            else:
                client = stack.enter_context(Client(address, timeout=CONNECT_TIMEOUT_S))
        except (OSError, ValueError) as exc:  # unreachable, refused, timed out, bad address
            raise ClusterError(f"{address}: cannot reach the Dask scheduler ({exc})") from None
        yield client


def analyze_on_cluster(
    store: DocumentStore,
    db: str,
    client: Client,
    on_document: Callable[[int], None] | None = None,
    partition_docs: int = PARTITION_DOCS,
) -> int:
    """Analyse every pending document on ``client``'s cluster; return how many."""
    findings = FindingStore(store.engine)
    outlets = frozenset(findings.outlets())
    ids = list(findings.pending(PIPELINE_VERSION))  # ids only: the texts stay in the store
    if not ids:
        return 0
    client.register_plugin(ModelPlugin())
    threads = max(1, sum(client.nthreads().values()))
    size = max(1, min(partition_docs, -(-len(ids) // (2 * threads))))
    workers_write = store.dialect == "postgresql"
    task: Callable[[Iterator[int], str, frozenset[str]], Collection[object]] = (
        analyze_and_save_partition if workers_write else analyze_partition
    )
    bag = dask.bag.from_sequence(ids, partition_size=size)
    futures = client.compute(bag.map_partitions(task, shared_url(db), outlets).to_delayed())
    done = 0
    for future in as_completed(futures):
        result = future.result()
        future.release()
        if workers_write:
            written = list(result)
        else:
            findings.save_all(result, PIPELINE_VERSION)
            written = [a.doc_id for a in result]
        done += len(written)
        if on_document:
            for doc_id in written:
                on_document(doc_id)
    return done


def pending_buckets(ids: list[int], url: str, run: str) -> list[tuple[int, list[bytes]]]:
    """Task: each pending document's LSH buckets (every band of every passage)."""
    linker = _plugin().linker(url, run)
    found = []
    for doc_id in ids:
        doc = linker.read(doc_id)
        if doc is not None:
            keys = [
                key for _, sketch in sketches(doc) for key in band_keys(signature_bytes(sketch))
            ]
            found.append((doc_id, keys))
    return found


def stored_matches(
    first: int, last: int, url: str, wanted: frozenset[bytes]
) -> dict[bytes, list[int]]:
    """Task: the linked documents with ids ``first`` to ``last`` that have a passage in
    one of the ``wanted`` buckets, by bucket."""
    store = _plugin().store(url)
    found: dict[bytes, list[int]] = {}
    for doc_id, signature in LinkStore(store.engine, LINK_VERSION).signatures(first, last):
        for key in band_keys(signature):
            if key in wanted:
                found.setdefault(key, []).append(doc_id)
    return found


def stored_candidates(
    client: Client, links: LinkStore, url: str, run: str, task_docs: int
) -> dict[int, set[int]]:
    """For each pending document, the documents linked before that share an LSH bucket
    with one of its passages: what the reuse index filled with every stored signature
    would find, matched on the workers instead of held in one process."""
    linked = links.linked()
    if not linked:
        return {}
    sketched = [
        client.submit(pending_buckets, chunk, url, run, pure=False)
        for chunk in batched(links.pending(), task_docs)
    ]
    holders: dict[bytes, list[int]] = {}  # pending documents by bucket
    for part in client.gather(sketched):
        for doc_id, keys in part:
            for key in keys:
                holders.setdefault(key, []).append(doc_id)
    # In a list: a collection scattered alone is scattered element by element.
    [wanted] = client.scatter([frozenset(holders)], broadcast=True)
    matching = [
        client.submit(stored_matches, chunk[0], chunk[-1], url, wanted, pure=False)
        for chunk in batched(linked, STORED_TASK_DOCS)
    ]
    found: dict[int, set[int]] = {}
    for future in as_completed(matching):
        for key, doc_ids in future.result().items():
            for pending in holders[key]:
                found.setdefault(pending, set()).update(doc_ids)
        future.release()
    return found


def compare_partition(
    plans: list[tuple[int, list[int]]], url: str, run: str
) -> list[list[DocumentReuse]]:
    """Task: each planned document (id, candidate ids) compared in full with its
    candidates, reading both from the database at ``url``; the pairs found, by plan."""
    linker = _plugin().linker(url, run)
    found = []
    for doc_id, candidates in plans:
        doc = linker.read(doc_id)
        found.append(linker.compare_with(doc, candidates) if doc is not None else [])
    return found


def link_on_cluster(
    store: DocumentStore,
    db: str,
    client: Client,
    on_document: Callable[[int], None] | None = None,
    task_docs: int = LINK_TASK_DOCS,
) -> int:
    """Link every analysed document not yet linked on ``client``'s cluster; return how
    many were linked. The workers match LSH buckets against the stored signatures;
    plans are made here in order and the workers compare while the next are planned;
    each document's passages and pairs are saved here, in the planned order (a
    document's save replaces every pair it is part of, so a later document's pairs must
    come after it), one transaction each."""
    links = LinkStore(store.engine, LINK_VERSION)
    if not links.pending():
        return 0
    client.register_plugin(ModelPlugin())
    url, run = shared_url(db), uuid.uuid4().hex
    window = LINK_TASKS_PER_WORKER * max(1, sum(client.nthreads().values()))
    in_flight: deque[tuple[list[tuple[int, list[Passage]]], Future[list[list[DocumentReuse]]]]] = (
        deque()
    )
    done = 0

    def save_oldest() -> None:
        nonlocal done
        planned, future = in_flight.popleft()
        for (doc_id, passages), found in zip(planned, future.result(), strict=True):
            links.save(doc_id, passages, found)
            done += 1
            if on_document:
                on_document(doc_id)
        future.release()

    with one_linker(store.engine):
        stored = stored_candidates(client, links, url, run, task_docs)
        linker = stored_linker(store, links)
        for chunk in batched(planned_links(linker, links, stored), task_docs):
            plans = [(doc.id, planned.candidates) for doc, planned in chunk]
            future = client.submit(compare_partition, plans, url, run, pure=False)
            in_flight.append(([(doc.id, planned.passages) for doc, planned in chunk], future))
            while len(in_flight) > window or (in_flight and in_flight[0][1].done()):
                save_oldest()
        while in_flight:
            save_oldest()
    return done
