"""Shared fixtures: a fresh store per test, and the location of the shared reference data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newstrace.store import DocumentStore, open_store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
SEEDS = SHARED / "reference" / "seeds"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DocumentStore]:
    opened = open_store(str(tmp_path / "test.db"))
    yield opened
    opened.close()
