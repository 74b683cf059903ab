"""The per-document stages in several processes on this machine.

``workers`` processes analyse: this one and ``workers - 1`` others. This process hands
each worker a few batches of documents and analyses the next batch itself whenever the
workers already have enough queued, so a worker's start-up (loading the model: a few
CPU seconds) overlaps useful work instead of delaying it, and on two cores two
processes are analysing from the first second. This process stays the only writer.

Workers are forked from a forkserver that imported the stages once: each is ready
after loading the model, and none re-imports the command line, as spawned processes do.
They are never forked from this process, which holds open database connections.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from itertools import chain, islice
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

from newstrace import analysis
from newstrace.analysis import analyze_documents
from newstrace.nlp.pipeline import load_pipeline
from newstrace.records import Analysis, Document
from newstrace.scale.batches import batched

PARSE_BATCH = 8  # documents per task, parsed together through nlp.pipe
IN_FLIGHT_PER_WORKER = 2  # batches queued per worker: it never waits for the next one
# Starting a worker (loading the model: a few CPU seconds) costs as much as analysing a
# few dozen articles, so a small batch gets fewer workers, or none.
DOCS_PER_WORKER = 24

_outlets: frozenset[str] = frozenset()  # set once per worker by _start


def default_workers() -> int:
    """Every core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers_for(pending: Iterator[int], cores: int) -> tuple[int, Iterator[int]]:
    """How many processes the pending documents are worth (1: this one alone), and the
    same ids again; only the first ``DOCS_PER_WORKER * cores`` are read ahead."""
    head = list(islice(pending, DOCS_PER_WORKER * cores))
    workers = max(1, min(cores, -(-len(head) // DOCS_PER_WORKER)))
    return workers, chain(head, pending)


@cache
def _forkserver() -> BaseContext:
    """The forkserver context, its server importing the stages (not ``__main__``)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([analysis.__name__])
    return context


def _exit_with(client: Connection) -> None:
    """End this worker when the process that started it is gone (killed with SIGKILL,
    say): the pipe it holds the other end of reads as closed. Nothing would read this
    worker's results, and an orphan would hold its memory forever. (A forked worker's
    parent is the forkserver, which outlives the client while any worker runs.)"""
    try:
        client.poll(None)
    finally:
        os._exit(1)


def _start(outlets: frozenset[str], client: Connection) -> None:
    """Worker initializer: load the model once, remember the known outlets."""
    global _outlets
    _outlets = outlets
    threading.Thread(target=_exit_with, args=(client,), daemon=True).start()
    load_pipeline()


def _analyze(documents: list[Document]) -> list[Analysis]:
    return analyze_documents(documents, _outlets)


def analyze_in_processes(
    documents: Iterable[Document], known_outlets: Collection[str], workers: int
) -> Iterator[Analysis]:
    """The analysis of every document, each once, by this process and ``workers - 1``
    others (batches come back in the order they were handed out, but a batch analysed
    here may come before them)."""
    outlets = frozenset(known_outlets)
    # Only this process holds the writing end: the workers see it close when it ends.
    alive, keep_alive = _forkserver().Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max(1, workers - 1),
        mp_context=_forkserver(),
        initializer=_start,
        initargs=(outlets, alive),
    )
    in_flight: deque[Future[list[Analysis]]] = deque()
    try:
        for batch in batched(documents, PARSE_BATCH):
            while in_flight and in_flight[0].done():
                yield from in_flight.popleft().result()
            if len(in_flight) < IN_FLIGHT_PER_WORKER * (workers - 1):
                in_flight.append(pool.submit(_analyze, batch))
            else:
                yield from analyze_documents(batch, outlets)
        while in_flight:
            yield from in_flight.popleft().result()
    finally:
        # Stopped early (an error, Ctrl+C): queued work is dropped, not waited for.
        pool.shutdown(wait=True, cancel_futures=True)
        keep_alive.close()
        alive.close()
