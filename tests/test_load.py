"""Load: 2,000 requests from 20 concurrent clients against ``newstrace serve`` (a real
uvicorn subprocess on 127.0.0.1) over a 10,000-document ledger; no request may fail.
``bench/load.py`` runs the same and records the p95 latency in docs/benchmarks.md."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))

import load  # bench/ is a folder of scripts, not a package

DOCUMENTS = 10_000
REQUESTS = 2_000
CLIENTS = 20


@pytest.mark.slow
def test_serve_answers_2000_requests_from_20_clients(tmp_path: Path) -> None:
    db = str(tmp_path / "load.db")
    load.build_ledger(db, DOCUMENTS)
    with load.serving(db) as base:
        result = load.run_load(base, REQUESTS, CLIENTS, DOCUMENTS)
    assert result.errors == []
    assert len(result.latencies_s) == REQUESTS
    print(
        f"load: p50 {result.quantile(0.5) * 1000:.0f} ms, p95 {result.quantile(0.95) * 1000:.0f} ms"
    )
