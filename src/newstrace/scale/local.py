"""The per-document stages in worker processes on this machine, results back in order.

Each worker loads the spaCy pipeline once (the pool's initializer) and then analyses one
document per task; the parent keeps a few tasks per worker in flight, so memory stays
flat however long the stream, and stays the only writer. Workers are spawned, not
forked: a fork would copy the parent's open database connections.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice

from newstrace.analysis import analyze_document
from newstrace.nlp.pipeline import load_pipeline
from newstrace.records import Analysis, Document

IN_FLIGHT_PER_WORKER = 3  # enough to keep a worker busy while the parent writes
# Starting a worker (a new interpreter loading the model: about 5 CPU seconds) costs as
# much as analysing a few dozen articles, so a small batch gets fewer workers, or none.
DOCS_PER_WORKER = 24
PARENT_CHECK_S = 1.0

_outlets: frozenset[str] = frozenset()  # set once per worker by _start


def default_workers() -> int:
    """Every core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers_for(pending: Iterator[int], cores: int) -> tuple[int, Iterator[int]]:
    """How many workers the pending documents are worth (1: analyse in this process),
    and the same ids again; only the first ``DOCS_PER_WORKER * cores`` are read ahead."""
    head = list(islice(pending, DOCS_PER_WORKER * cores))
    workers = max(1, min(cores, -(-len(head) // DOCS_PER_WORKER)))
    return workers, chain(head, pending)


def _exit_with(parent: int) -> None:
    """End this worker when the parent is gone (killed with SIGKILL, say): nothing would
    read its results, and an orphan would hold its memory forever."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def _start(outlets: frozenset[str], parent: int) -> None:
    """Worker initializer: load the model once, remember the known outlets."""
    global _outlets
    _outlets = outlets
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    load_pipeline()


def _analyze(document: Document) -> Analysis:
    return analyze_document(document, _outlets)


def analyze_in_processes(
    documents: Iterable[Document], known_outlets: Collection[str], workers: int
) -> Iterator[Analysis]:
    """The analysis of each document, in input order, computed by ``workers`` processes."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(frozenset(known_outlets), os.getpid()),
    )
    in_flight: deque[Future[Analysis]] = deque()
    try:
        for document in documents:
            in_flight.append(pool.submit(_analyze, document))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    finally:
        # Stopped early (an error, Ctrl+C): queued work is dropped, not waited for.
        pool.shutdown(wait=True, cancel_futures=True)
