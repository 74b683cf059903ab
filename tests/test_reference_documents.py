"""The reference case: metadata newstrace reads from the two seed articles themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstrace.ingest import IngestOptions
from newstrace.ingest.manifest import load_manifest
from newstrace.pipeline import ingest
from newstrace.store import DocumentStore
from tests.conftest import SEEDS


@pytest.fixture
def expected() -> dict[str, object]:
    if not SEEDS.exists():
        pytest.fail(f"reference case not found at {SEEDS}")
    data: dict[str, object] = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    return data


def test_seed_metadata_read_from_text(
    store: DocumentStore, expected: dict[str, object], tmp_path: Path
) -> None:
    gold_docs = expected["documents"]
    assert isinstance(gold_docs, list)
    # A manifest giving only each file's outlet, as a user who saved the pages would know it.
    manifest_path = tmp_path / "manifest.csv"
    lines = ["file,outlet"] + [f"{g['file']},{g['outlet']}" for g in gold_docs]
    manifest_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = load_manifest(manifest_path)
    # The manifest names files relative to its own folder; point it at the seeds folder.
    manifest.folder = SEEDS
    summary = ingest(
        store, [str(SEEDS / g["file"]) for g in gold_docs], IngestOptions(manifest=manifest)
    )
    assert summary.new == len(gold_docs) and not summary.failures
    by_source = {Path(d.source).name: d for d in store.documents()}
    for gold in gold_docs:
        doc = by_source[gold["file"]]
        assert doc.outlet == gold["outlet"], gold["id"]
        assert doc.byline == gold["byline"], gold["id"]
        if gold["published"] is None:
            assert doc.published is None, f"{gold['id']}: a date was invented"
        else:
            assert doc.published is not None, gold["id"]
            assert doc.published.iso() == gold["published"], gold["id"]
            assert doc.published.precision == "day"
            assert doc.published_source == "dateline"
        # Spans index the stored text: it must be the file's text, character for character.
        assert doc.text == (SEEDS / gold["file"]).read_text(encoding="utf-8")
