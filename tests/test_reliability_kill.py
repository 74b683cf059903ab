"""Crash safety: ``newstrace analyze`` killed with SIGKILL 20 times, then run to the end.

Each kill comes a random delay after the run's first visible write; measured, they land
in analysis and in linking (ingest of 500 short files is over before the first one).
The killed runs are forked from this process (``tests.reliability``); the final run is
the installed executable.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from newstrace.nlp.pipeline import parse
from tests.conftest import CliRun
from tests.reliability import rows_by_document, start_analyze, write_corpus

pytestmark = pytest.mark.slow

DOCUMENTS = 500
KILLS = 20
NEWSTRACE = Path(sys.executable).parent / "newstrace"
# Analysis in the killed process itself: worker processes would spend each short run
# starting up. The final run uses the default (every core) and so resumes with workers.
IN_PROCESS = ("--workers", "1")


def progress(db: Path) -> tuple[int, ...]:
    """Rows written so far (schema, documents, analyses, links); -1 before they exist."""
    if not db.exists():
        return (-1,)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        found = []
        for table in ("alembic_version", "documents", "analyses", "reuse_linked"):
            try:
                found.append(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            except sqlite3.OperationalError:  # not created yet
                found.append(-1)
        return tuple(found)
    finally:
        conn.close()


def test_analyze_survives_20_kills(tmp_path: Path, cli: CliRun) -> None:
    began = time.monotonic()
    folder = tmp_path / "corpus"
    write_corpus(folder, DOCUMENTS)
    parse("The model is loaded before forking, so no run pays for it.")

    reference = str(tmp_path / "reference.db")
    clock = time.monotonic()
    uninterrupted = start_analyze(reference, [str(folder)], *IN_PROCESS)
    uninterrupted.join()
    assert uninterrupted.exitcode == 0
    job_s = time.monotonic() - clock
    expected = rows_by_document(reference)
    assert sum(expected["documents"].values()) == DOCUMENTS
    assert sum(expected["quotes"].values()) >= DOCUMENTS  # every report has a quote
    assert sum(expected["reuse_pairs"].values()) > 0

    # Kills spread over about 40% of an uninterrupted job (with margin for a machine
    # whose load changes during the test), so the job never finishes before the 20th.
    db = tmp_path / "ledger.db"
    rng = random.Random(20)
    kills = []
    for _ in range(KILLS):
        before = progress(db)
        run = start_analyze(str(db), [str(folder)], *IN_PROCESS)
        while progress(db) == before and run.is_alive():
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.8 * job_s / KILLS))
        assert run.is_alive(), "the job finished before it could be killed"
        os.kill(run.pid or 0, signal.SIGKILL)
        run.join()
        assert run.exitcode == -signal.SIGKILL
        kills.append(progress(db))
    assert len(set(kills)) > KILLS // 2, f"kills did not land at distinct points: {kills}"

    finished = subprocess.run(
        [str(NEWSTRACE), "analyze", str(folder), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr

    found = rows_by_document(str(db))
    assert found == expected
    checked = cli("check", "--db", str(db))
    assert checked.exit_code == 0, checked.output
    assert "no problems" in checked.stdout
    elapsed = time.monotonic() - began
    print(f"kill test: job {job_s:.1f} s, whole test {elapsed:.1f} s, kills at {kills}")


def test_workers_end_when_analyze_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed ``analyze`` leaves no worker behind to hold its memory."""
    folder = tmp_path / "corpus"
    write_corpus(folder, 120)
    run = subprocess.Popen(
        [str(NEWSTRACE), "analyze", str(folder), "--db", str(tmp_path / "l.db"), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = psutil.Process(run.pid)
    deadline = time.monotonic() + 300
    family: list[psutil.Process] = []
    # Analysing: the forkserver has forked a worker (a grandchild of the client).
    while not any(p.ppid() != run.pid for p in family) and time.monotonic() < deadline:
        assert run.poll() is None, "analyze ended before it started a worker"
        time.sleep(0.2)
        family = client.children(recursive=True)
    assert any(p.ppid() != run.pid for p in family), "no worker was started"
    run.kill()
    run.wait()
    _, alive = psutil.wait_procs(family, timeout=15)
    assert not alive, [p.cmdline()[-1][:80] for p in alive]
