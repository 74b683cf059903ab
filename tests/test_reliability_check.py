"""``newstrace check``: each kind of damage is reported, a sound ledger passes, and
nothing is ever written."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from newstrace.records import (
    Analysis,
    DocumentInput,
    Mention,
    Quote,
    QuoteKind,
    Span,
    Speaker,
    SpeakerKind,
)
from newstrace.store import open_store
from newstrace.store.check import check_database, json_spans, span_columns
from newstrace.store.findings import FindingStore
from newstrace.store.schema import Base
from tests.conftest import CliRun

TEXT = '"The bridge is closed," said Ruth Alder, a spokeswoman.\n'


def sound_ledger(path: Path) -> Path:
    """Two documents, one analysed with a quote whose spans are right."""
    store = open_store(str(path))
    try:
        first = store.add(DocumentInput(text=TEXT, source="a.txt", source_format="text"))
        store.add(DocumentInput(text="Shelling resumed.\n", source="b.txt", source_format="text"))
        doc = first.document_id
        name = Mention("Ruth Alder", Span(doc, 29, 39))
        quote = Quote(
            QuoteKind.DIRECT,
            Mention("The bridge is closed,", Span(doc, 1, 22)),
            Speaker(SpeakerKind.NAMED_PERSON, name, name),
            cue=Mention("said", Span(doc, 24, 28)),
        )
        FindingStore(store.engine).save_all([Analysis(doc, True, quotes=(quote,))], "v1")
    finally:
        store.close()
    return path


DAMAGE: dict[str, tuple[str, str]] = {
    "span past the text": ("UPDATE quotes SET content_end = 5000", "quotes: 1 content spans"),
    "negative span": ("UPDATE quotes SET content_start = -1", "quotes: 1 content spans"),
    "span in JSON past the text": (
        "UPDATE quotes SET mentions = json_set(mentions, '$.cue[2]', 9999)",
        "quotes: 1 rows hold spans outside",
    ),
    "orphan finding": (
        "PRAGMA foreign_keys = OFF; UPDATE quotes SET document_id = 77",
        "quotes.document_id: 1 rows point at missing documents rows (77)",
    ),
    "findings without analysis": (
        "DELETE FROM analyses",
        "quotes: 1 rows belong to documents never analysed",
    ),
    "text changed behind the hash": (
        "UPDATE documents SET text = 'Something else.' WHERE id = 2",
        "documents: 1 texts no longer match their content hash (documents 2)",
    ),
    "broken version chain": (
        "UPDATE documents SET previous_version_id = 1 WHERE id = 2",
        "version chain broken",
    ),
    "empty pipeline version": ("UPDATE analyses SET pipeline_version = ''", "no pipeline version"),
}


def damage(db: Path, statements: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.executescript(statements)


def test_a_sound_ledger_passes_and_is_left_as_it_was(tmp_path: Path, cli: CliRun) -> None:
    db = sound_ledger(tmp_path / "ledger.db")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.read_bytes()
    result = cli("check", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "2 documents" in result.stdout and "no problems" in result.stdout
    assert db.read_bytes() == before


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_each_kind_of_damage_is_reported(tmp_path: Path, cli: CliRun, case: str) -> None:
    statements, expected = DAMAGE[case]
    db = sound_ledger(tmp_path / "ledger.db")
    damage(db, statements)
    problems = check_database(str(db)).problems
    assert any(expected in p for p in problems), problems
    result = cli("check", "--db", str(db))
    assert result.exit_code == 1
    assert expected in result.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.db", "no such database file"),
        (lambda d: d, "no such database file"),
        (
            lambda d: (
                d / "other.db",
                sqlite3.connect(d / "other.db").execute("CREATE TABLE t (x)"),
            )[0],
            "not a newstrace database",
        ),
    ],
    ids=["missing", "folder", "foreign"],
)
def test_what_is_not_a_ledger_gets_one_line(
    tmp_path: Path, cli: CliRun, make: Callable[[Path], Path], message: str
) -> None:
    target = make(tmp_path)
    result = cli("check", "--db", str(target))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and message in line
    assert not (tmp_path / "missing.db").exists()  # check never creates a database


def test_every_span_column_of_the_schema_is_covered() -> None:
    """The conventions find each table's spans, so a new table that follows them is checked."""
    found = {
        (table.name, span.name)
        for table in Base.metadata.sorted_tables
        for span in span_columns(table)
    }
    assert {("quotes", "content"), ("figures", "span"), ("events", "sentence")} <= found
    assert {("reuse_links", "origin"), ("reuse_links", "derived")} <= found


def test_json_spans_found_in_nested_values() -> None:
    value = {"cue": ["said", 3, 7], "place": {"span_start": 10, "span_end": 14}, "flags": ["x"]}
    assert sorted(json_spans(value)) == [(3, 7), (10, 14)]
