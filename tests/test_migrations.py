"""Schema upgrades keep every row: a ledger made by the first released schema (0001),
holding documents, a version chain and warnings, is upgraded to head and then used."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, insert

from newstrace.pipeline import analyze_pending
from newstrace.records import DocumentInput
from newstrace.store import AddOutcome, open_store
from newstrace.store.check import check_database
from newstrace.store.database import alembic_config, database_url, make_engine
from newstrace.store.documents import content_hash
from newstrace.store.findings import FindingStore

FIRST_RELEASED = "0001"
URL = "https://wire.example/2024/05/bridge"
TEXTS = [
    "Two soldiers were killed at a checkpoint near Darvesh on Monday, the army said.\n",
    '"The bridge is closed," said Ruth Alder, a spokeswoman for the ministry.\n',
    '"The bridge is closed until further notice," said Ruth Alder, a spokeswoman.\n',
]
INGESTED = dt.datetime(2024, 5, 3, 10, 30)
WARNINGS = [("articles/0.txt", "a doubt", 1), ("photo.png", "binary file", None)]


def documents_at_0001(index: int, text: str) -> dict[str, object]:
    """A row as the first released schema stored it (every column it had)."""
    return {  # ids come from the database, 1, 2, 3 in a new ledger
        "content_hash": content_hash(text),
        "text": text,
        "source": f"articles/{index}.txt",
        "source_format": "text",
        "title": f"Report {index}",
        "byline": "By Staff" if index == 0 else None,
        "outlet": "Wire Example",
        "url": URL if index else None,
        "published": dt.date(2024, 5, index + 1),
        "published_precision": "day",
        "published_source": "dateline",
        "encoding": "utf-8",
        "version": max(index, 1),
        "previous_version_id": 2 if index == 2 else None,
        "ingested_at": INGESTED,
    }


def make_0001_ledger(db: str) -> None:
    engine = make_engine(database_url(db))
    try:
        command.upgrade(alembic_config(engine), FIRST_RELEASED)
        with engine.begin() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == FIRST_RELEASED
            documents = Table("documents", MetaData(), autoload_with=conn)
            warnings = Table("ingest_warnings", MetaData(), autoload_with=conn)
            conn.execute(insert(documents), [documents_at_0001(i, t) for i, t in enumerate(TEXTS)])
            conn.execute(
                insert(warnings),
                [
                    {
                        "document_id": doc_id,
                        "source": source,
                        "message": message,
                        "created_at": INGESTED,
                    }
                    for source, message, doc_id in WARNINGS
                ],
            )
    finally:
        engine.dispose()


def test_first_released_schema_is_the_base_of_the_chain() -> None:
    engine = make_engine("sqlite://")
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert script.get_base() == FIRST_RELEASED
    assert len(script.get_heads()) == 1  # one line of history: every ledger reaches head


def test_upgrade_from_0001_keeps_every_row_and_the_store_uses_them(any_db: str) -> None:
    make_0001_ledger(any_db)
    store = open_store(any_db)  # upgrades to head
    try:
        engine = store.engine
        with engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head
        stored = list(store.documents())
        assert [d.text for d in stored] == TEXTS
        for doc, text in zip(stored, TEXTS, strict=True):
            row = documents_at_0001(doc.id - 1, text)
            assert (doc.content_hash, doc.source, doc.title, doc.byline) == (
                row["content_hash"],
                row["source"],
                row["title"],
                row["byline"],
            )
            assert (doc.outlet, doc.url, doc.encoding, doc.version) == (
                row["outlet"],
                row["url"],
                row["encoding"],
                row["version"],
            )
            assert doc.published is not None and doc.published.value == row["published"]
            assert doc.previous_version_id == row["previous_version_id"]
            assert doc.ingested_at == INGESTED
        assert store.warnings() == WARNINGS

        # The unique content hash and the version chain still work on the old rows.
        again = store.add(DocumentInput(text=TEXTS[0], source="again.txt", source_format="text"))
        assert (again.outcome, again.document_id) == (AddOutcome.DUPLICATE, 1)
        newer = store.add(
            DocumentInput(
                text='"The bridge reopened," the ministry said.\n',
                source="later.txt",
                source_format="text",
                url=URL,
            )
        )
        assert newer.outcome is AddOutcome.NEW_VERSION
        latest = store.get(newer.document_id)
        assert latest is not None and (latest.version, latest.previous_version_id) == (3, 3)

        # The old documents go through the current stages like new ones.
        assert analyze_pending(store) == len(TEXTS) + 1
        assert len(FindingStore(engine).quotes()) >= 2
    finally:
        store.close()
    report = check_database(any_db)
    assert report.problems == []
    assert report.rows["documents"] == len(TEXTS) + 1


def test_check_reports_a_ledger_behind_head_without_upgrading_it(tmp_path: Path) -> None:
    db = str(tmp_path / "old.db")
    make_0001_ledger(db)
    report = check_database(db)
    assert [p for p in report.problems if "schema at revision 0001" in p]
    engine = make_engine(database_url(db))
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == FIRST_RELEASED
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", ["0002", "0003", "0004"])
def test_upgrade_from_each_released_revision(tmp_path: Path, revision: str) -> None:
    """Documents stored at any later revision survive the rest of the chain too."""
    db = str(tmp_path / f"at-{revision}.db")
    make_0001_ledger(db)
    engine = make_engine(database_url(db))
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()
    store = open_store(db)
    try:
        assert [d.text for d in store.documents()] == TEXTS
    finally:
        store.close()
