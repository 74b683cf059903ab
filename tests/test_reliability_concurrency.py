"""Concurrent writers: two ``analyze`` processes on overlapping inputs, one database.

On SQLite (one writer at a time, waits and retries) and on PostgreSQL (row locks,
retried deadlocks) alike: every document stored once, none lost, the findings of each
exactly as one process alone would write them, and no "database is locked" crash.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

import newstrace.store.database
from newstrace.nlp.pipeline import parse
from newstrace.records import DocumentInput
from newstrace.store import open_store
from newstrace.store.check import check_database
from newstrace.store.retry import RETRY_DELAYS_S, is_contention
from newstrace.store.schema import ReusePairRow
from tests.reliability import rows_by_document, start_analyze, write_corpus

DOCUMENTS = 40
OVERLAP = 20  # documents both processes are given


def split_corpus(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The whole corpus, and two folders that share ``OVERLAP`` of its files."""
    everything = tmp_path / "all"
    paths = write_corpus(everything, DOCUMENTS)
    first, second = tmp_path / "first", tmp_path / "second"
    half = (DOCUMENTS + OVERLAP) // 2
    for folder, chosen in ((first, paths[:half]), (second, paths[-half:])):
        folder.mkdir()
        for path in chosen:
            shutil.copy(path, folder / path.name)
    return everything, first, second


def one_process(tmp_path: Path, everything: Path) -> dict[str, object]:
    reference = str(tmp_path / "alone.db")
    alone = start_analyze(reference, [str(everything)], "--workers", "1")
    alone.join()
    assert alone.exitcode == 0
    return dict(rows_by_document(reference))


@pytest.mark.slow
def test_two_analyze_processes_on_overlapping_inputs(tmp_path: Path, any_db: str) -> None:
    everything, first, second = split_corpus(tmp_path)
    parse("The model is loaded before forking.")
    expected = one_process(tmp_path, everything)

    runs = [start_analyze(any_db, [str(folder)], "--workers", "1") for folder in (first, second)]
    for run in runs:
        run.join()
    assert [run.exitcode for run in runs] == [0, 0]

    found = rows_by_document(any_db)
    assert found["documents"] == expected["documents"]  # each once, none lost
    for table in ("analyses", "quotes", "figures", "time_expressions", "places", "events"):
        assert found[table] == expected[table], table
    store = open_store(any_db)
    try:
        with store.engine.connect() as conn:
            pairs = select(ReusePairRow.origin_id, ReusePairRow.derived_id)
            counted = select(func.count()).select_from(pairs.distinct().subquery())
            assert conn.scalar(counted) == conn.scalar(
                select(func.count()).select_from(ReusePairRow)
            ), "a reuse pair stored twice"
    finally:
        store.close()
    assert check_database(any_db).problems == []


# --- Lock contention on SQLite: waited out, else one clear line ---------------------


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite waits 0.1 s for a lock by itself: the retries must do the rest."""
    monkeypatch.setattr(newstrace.store.database, "SQLITE_BUSY_TIMEOUT_MS", 100)


def hold_write_lock(db: Path, seconds: float) -> threading.Thread:
    """Take ``db``'s write lock from another connection for ``seconds``."""
    taken = threading.Event()

    def hold() -> None:
        holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        holder.rollback()
        holder.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    taken.wait(5)
    return thread


def doc(text: str) -> DocumentInput:
    return DocumentInput(text=text, source="x.txt", source_format="text")


def test_a_lock_held_briefly_is_waited_out(tmp_path: Path, short_busy_timeout: None) -> None:
    db = tmp_path / "ledger.db"
    store = open_store(str(db))
    try:
        holder = hold_write_lock(db, 0.5)  # longer than the busy timeout, shorter than retries
        store.add(doc("Two soldiers were killed at a checkpoint, the army said.\n"))
        holder.join()
        assert store.count() == 1
    finally:
        store.close()


def test_a_lock_never_released_ends_in_one_clear_error(
    tmp_path: Path, short_busy_timeout: None
) -> None:
    db = tmp_path / "ledger.db"
    store = open_store(str(db))
    try:
        holder = hold_write_lock(db, 3 * sum(RETRY_DELAYS_S))
        began = time.monotonic()
        with pytest.raises(OperationalError) as raised:
            store.add(doc("A convoy was stopped near the border on Friday.\n"))
        waited = time.monotonic() - began
        holder.join()
        assert is_contention(raised.value)
        assert waited >= sum(RETRY_DELAYS_S) / 2  # retried with backoff before giving up
        assert store.count() == 0
    finally:
        store.close()
