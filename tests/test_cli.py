"""The ``newstrace`` commands that read the ledger back: list, show, export, report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from newstrace.store import open_store
from tests.conftest import CliRun

HOSTILE_TITLE = "<script>alert(1)</script> Convoy [/oops] [bold]struck[/bold]"
HOSTILE_TEXT = (
    "A convoy was struck near the crossing, the governor said.\n"
    'Residents posted <img src=x onerror=alert(1)> and "quotes", commas, too.\n'
)
RECORDS = [
    {
        "text": HOSTILE_TEXT,
        "title": HOSTILE_TITLE,
        "outlet": "Frontier Wire",
        "url": "https://wire.example/convoy",
        "published": "2024-01",
    },
    {"text": "Talks resumed in the capital on Wednesday, officials said.\n", "title": "Talks"},
]


@pytest.fixture
def ledger(tmp_path: Path, cli: CliRun) -> str:
    """A store holding two documents, one with markup in its title and text."""
    db = str(tmp_path / "ledger.db")
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    result = cli("ingest", str(source), "--db", db)
    assert result.exit_code == 0 and "2 new" in result.stdout
    return db


def test_list_shows_one_row_per_document_as_written(cli: CliRun, ledger: str) -> None:
    result = cli("list", "--db", ledger)
    assert result.exit_code == 0
    assert "[/oops] [bold]struck[/bold]" in result.stdout  # markup shown, not interpreted
    assert "2024-01 (month)" in result.stdout
    assert "Frontier Wire" in result.stdout and "Talks" in result.stdout
    assert "unknown" in result.stdout  # the second document states no outlet or date


def test_show_prints_metadata_provenance_and_exact_text(cli: CliRun, ledger: str) -> None:
    result = cli("show", "1", "--db", ledger)
    assert result.exit_code == 0
    assert HOSTILE_TITLE in result.stdout
    assert "2024-01 (month) from record" in result.stdout
    assert HOSTILE_TEXT in result.stdout
    no_text = cli("show", "1", "--no-text", "--db", ledger)
    assert "onerror" not in no_text.stdout


def test_show_unknown_document(cli: CliRun, ledger: str) -> None:
    result = cli("show", "99", "--db", ledger)
    assert result.exit_code == 1
    assert result.stderr == "error: no document 99\n"


def test_export_jsonl_round_trips(cli: CliRun, ledger: str) -> None:
    result = cli("export", "--format", "jsonl", "--db", ledger)
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    first = rows[0]
    assert (first["title"], first["text"], first["outlet"]) == (
        HOSTILE_TITLE,
        HOSTILE_TEXT,
        "Frontier Wire",
    )
    assert (first["published"], first["published_precision"], first["published_source"]) == (
        "2024-01",
        "month",
        "record",
    )
    assert rows[1]["published"] is None and rows[1]["published_precision"] == "unknown"


def test_export_csv_to_file_round_trips(cli: CliRun, ledger: str, tmp_path: Path) -> None:
    out = tmp_path / "documents.csv"
    result = cli("export", "--format", "csv", "--out", str(out), "--db", ledger)
    assert result.exit_code == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["text"] == HOSTILE_TEXT  # newlines, quotes and commas survive
    assert rows[0]["title"] == HOSTILE_TITLE
    store = open_store(ledger)
    try:
        assert [r["content_hash"] for r in rows] == [d.content_hash for d in store.documents()]
    finally:
        store.close()


def test_export_unknown_format(cli: CliRun, ledger: str) -> None:
    result = cli("export", "--format", "xml", "--db", ledger)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown export format 'xml' (use jsonl, csv, geojson, graphml or graphjson)\n"
    )


def test_report_escapes_article_markup(cli: CliRun, ledger: str, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = cli("report", "--out", str(out), "--db", ledger)
    assert result.exit_code == 0
    assert f"report written to {out / 'index.html'}" in result.stdout
    pages = [out / "index.html", out / "documents" / "1.html", out / "documents" / "2.html"]
    html = {page.name: page.read_text(encoding="utf-8") for page in pages}
    for page in html.values():
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror=alert(1)>" not in page
        assert "<script" not in page  # the report runs no script at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html["index.html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html["1.html"]


def test_report_into_a_file_path_fails_cleanly(cli: CliRun, ledger: str, tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    result = cli("report", "--out", str(blocker), "--db", ledger)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {blocker}: cannot write report")


def test_error_lines_show_paths_verbatim(cli: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "[bold]notes"
    folder.mkdir()
    empty = folder / "[i]empty.txt"
    empty.write_text("")
    result = cli("ingest", str(empty), "--db", str(tmp_path / "ledger.db"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {empty}: empty file\n"
