"""The document store behaves the same on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect

from newstrace.records import DatePrecision, DateSource, DocumentInput, PartialDate
from newstrace.store import AddOutcome, DocumentStore, StoreError, open_store
from newstrace.store.database import MIGRATIONS_DIR, database_url, make_engine
from newstrace.store.schema import SQLITE_SEARCH_TABLES, Base
from tests import postgres

# The migrations must build exactly the tables the models declare.
NEWSTRACE_TABLES = {"alembic_version", *Base.metadata.tables}


@pytest.fixture
def db_store(any_db: str) -> Iterator[DocumentStore]:
    opened = open_store(any_db)
    yield opened
    opened.close()


def article(text: str, source: str = "test.txt", **metadata: Any) -> DocumentInput:
    """A minimal reader output; tests add only the metadata they care about."""
    return DocumentInput(text=text, source=source, source_format="text", **metadata)


METADATA = ("source", "source_format", "title", "byline", "outlet", "url", "encoding")


@pytest.mark.parametrize(
    "published",
    [
        PartialDate(dt.date(2024, 1, 16), DatePrecision.DAY),
        PartialDate(dt.date(2024, 1, 1), DatePrecision.MONTH),
        PartialDate(dt.date(2024, 1, 1), DatePrecision.YEAR),
    ],
    ids=lambda date: str(date.precision),
)
def test_round_trip_keeps_every_field(db_store: DocumentStore, published: PartialDate) -> None:
    doc = DocumentInput(
        text="GAZA CITY, JAN 16, 2024 - Strikes hit the area overnight, officials said.",
        source="feeds/wire.xml#3",
        source_format="feed",
        title="Strikes hit Gaza City",
        byline="By A. Reporter",
        outlet="Example Wire",
        url="https://example.org/2024/01/16/strikes",
        published=published,
        published_source=DateSource.FEED,
        encoding="windows-1252",
    )
    result = db_store.add(doc)
    assert result.outcome is AddOutcome.NEW
    stored = db_store.get(result.document_id)
    assert stored is not None
    assert stored.id == result.document_id and stored.text == doc.text
    assert {name: getattr(stored, name) for name in METADATA} == {
        name: getattr(doc, name) for name in METADATA
    }
    assert stored.published == published  # value and precision both kept
    assert stored.published_source is DateSource.FEED
    assert (stored.version, stored.previous_version_id) == (1, None)
    age = dt.datetime.now(dt.UTC).replace(tzinfo=None) - stored.ingested_at
    assert dt.timedelta(0) <= age < dt.timedelta(minutes=5)
    assert db_store.get(result.document_id + 1) is None


def test_missing_metadata_stays_missing(db_store: DocumentStore) -> None:
    stored = db_store.get(db_store.add(article("No date, no byline.")).document_id)
    assert stored is not None
    assert [stored.title, stored.byline, stored.outlet, stored.url, stored.published] == [None] * 5
    assert stored.published_source is DateSource.NONE


def test_same_text_is_a_no_op(db_store: DocumentStore) -> None:
    first = db_store.add(article("Two killed in shelling, the ministry said."))
    # Re-wrapped white space and another URL are still the same article.
    again = db_store.add(
        article("Two killed in shelling,\nthe ministry  said.", url="https://example.org/b")
    )
    assert again.outcome is AddOutcome.DUPLICATE
    assert again.document_id == first.document_id
    assert db_store.count() == 1


def test_changed_text_at_same_url_makes_a_version_chain(db_store: DocumentStore) -> None:
    url = "https://example.org/live"
    texts = ["Toll rises to 10.", "Toll rises to 12.", "Toll rises to 15, officials said."]
    results = [db_store.add(article(t, url=url)) for t in texts]
    assert [r.outcome for r in results] == [
        AddOutcome.NEW,
        AddOutcome.NEW_VERSION,
        AddOutcome.NEW_VERSION,
    ]
    chain = [db_store.get(r.document_id) for r in results]
    assert [(d.version, d.previous_version_id, d.text) for d in chain if d] == [
        (1, None, texts[0]),
        (2, results[0].document_id, texts[1]),
        (3, results[1].document_id, texts[2]),
    ]
    # Other text at another URL starts its own chain.
    other = db_store.add(article("Toll rises to 12.1", url="https://example.org/other"))
    assert other.outcome is AddOutcome.NEW


def test_warnings_are_linked_to_their_document(db_store: DocumentStore) -> None:
    db_store.record_warning("broken.bin", "binary data, not text")
    result = db_store.add(
        article("Body.", warnings=["unreadable published date 'soon' ignored", "second doubt"])
    )
    assert db_store.warnings() == [
        ("broken.bin", "binary data, not text", None),
        ("test.txt", "unreadable published date 'soon' ignored", result.document_id),
        ("test.txt", "second doubt", result.document_id),
    ]


def test_documents_come_in_id_order_in_batches(db_store: DocumentStore) -> None:
    ids = [db_store.add(article(f"Report number {n}.")).document_id for n in range(7)]
    reads: list[str] = []

    def count_reads(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    event.listen(db_store.engine, "before_cursor_execute", count_reads)
    try:
        listed = list(db_store.documents(batch_size=3))
    finally:
        event.remove(db_store.engine, "before_cursor_execute", count_reads)
    assert [d.id for d in listed] == sorted(ids)
    assert [d.text for d in listed] == [f"Report number {n}." for n in range(7)]
    # Batches of 3, 3 and 1, then an empty read that ends the iteration.
    assert len(reads) == 4


def _revision(store: DocumentStore) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_migrations_build_the_schema_and_reopening_is_idempotent(any_db: str) -> None:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    # SQLite keeps full-text search in virtual tables; PostgreSQL in indexes.
    on_postgres = any_db.startswith("postgresql")
    expected = NEWSTRACE_TABLES | (set() if on_postgres else SQLITE_SEARCH_TABLES)
    first = open_store(any_db)
    try:
        assert set(inspect(first.engine).get_table_names()) == expected
        assert _revision(first) == head
        doc_id = first.add(article("Kept across re-opening.")).document_id
    finally:
        first.close()
    second = open_store(any_db)
    try:
        assert set(inspect(second.engine).get_table_names()) == expected
        assert _revision(second) == head
        kept = second.get(doc_id)
        assert kept is not None and kept.text == "Kept across re-opening."
    finally:
        second.close()


def test_database_of_another_application_is_refused(any_db: str) -> None:
    engine = make_engine(database_url(any_db))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        with pytest.raises(StoreError, match="not a newstrace database"):
            open_store(any_db)
        # Refusing left it as it was: no newstrace tables were added.
        assert inspect(engine).get_table_names() == ["invoices"]
    finally:
        engine.dispose()


UNICODE_TEXTS = {
    "arabic": "غزة — قال مسؤولون إن ٢٤ شخصًا قتلوا.",  # with Arabic-Indic digits
    "hebrew-rtl-mark": "ירושלים\u200f: נמסר כי 3 נהרגו",
    "cyrillic": "Київ, 5 березня: «тиша» — каже джерело.",
    "japanese": "ハルツーム発：死者は１２人",  # full-width digits
    "astral-emoji": "Family 👨\u200d👩\u200d👧 and flags 🇸🇩🇺🇦, math 𝔸",  # ZWJ sequence
    "unnormalized": "Cafe\u0301 vs Café, ﬁ ligature, \u00a0no-break, tab\tand\nnew line",
    "invisible": "zero\u200bwidth, BOM\ufeff, replacement \ufffd, private \ue000",
}


@pytest.mark.parametrize("text", UNICODE_TEXTS.values(), ids=UNICODE_TEXTS.keys())
def test_unicode_round_trips_exactly(db_store: DocumentStore, text: str) -> None:
    result = db_store.add(article(text, title=text[:12], byline=text[-8:]))
    stored = db_store.get(result.document_id)
    assert stored is not None
    assert (stored.text, stored.title, stored.byline) == (text, text[:12], text[-8:])
    assert len(stored.text) == len(text)  # character offsets stay valid


def test_characters_no_database_can_store_are_replaced_and_reported(
    db_store: DocumentStore,
) -> None:
    # Readers can pass these on: a NUL past the binary sniff, a JSON "\u0000" or "\ud800",
    # a file name that is not UTF-8. PostgreSQL refuses NUL in text, and neither backend
    # can encode a lone surrogate, so the store replaces both with U+FFFD (keeping every
    # offset) and says so instead of failing the batch.
    doc = article("before\x00after \ud83d end", title="T\x00", source="bad-\udcff.txt")
    result = db_store.add(doc)
    stored = db_store.get(result.document_id)
    assert stored is not None
    assert stored.text == "before\ufffdafter \ufffd end"
    assert (stored.title, stored.source) == ("T\ufffd", "bad-\ufffd.txt")
    assert len(stored.text) == len(doc.text)
    ((source, message, doc_id),) = db_store.warnings()
    assert (source, doc_id) == ("bad-\ufffd.txt", result.document_id)
    assert message.endswith("U+FFFD in: text, source, title")
    # The same input again is recognised as the same document.
    assert db_store.add(doc).outcome is AddOutcome.DUPLICATE


def test_concurrent_adds_of_one_document_store_one_row(db_store: DocumentStore) -> None:
    """Both writers pass the duplicate check before either inserts: one must lose cleanly."""
    both_checked = threading.Barrier(2, timeout=20)

    def hold_inserts(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO DOCUMENTS"):
            both_checked.wait()

    event.listen(db_store.engine, "before_cursor_execute", hold_inserts)
    doc = article("Ceasefire announced, both sides said.", url="https://example.org/c")
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(db_store.add, doc) for _ in range(2)]
            results = [future.result(timeout=30) for future in futures]
    finally:
        event.remove(db_store.engine, "before_cursor_execute", hold_inserts)
    assert sorted(r.outcome for r in results) == [AddOutcome.DUPLICATE, AddOutcome.NEW]
    assert results[0].document_id == results[1].document_id
    assert db_store.count() == 1


def test_unreachable_postgres_is_one_line() -> None:
    closed_port = postgres.free_port()
    url = f"postgresql+psycopg://newstrace:s3cret@127.0.0.1:{closed_port}/nowhere"
    with pytest.raises(StoreError) as raised:
        open_store(url)
    message = str(raised.value)
    assert "cannot open database" in message and "refused" in message
    assert "\n" not in message
    assert "s3cret" not in message  # the password never reaches a terminal or a log
