"""Search: the full-text indexes of migration 0006 on SQLite (FTS5) and PostgreSQL.

Small stores written through the real document and finding stores, on both backends:
what is found, that hostile query strings are only words, that the indexes follow
inserts, re-analyses and deletes, and that rows stored before the index are found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, inspect, text

from newstrace.records import Analysis, DocumentInput, Mention, Quote, QuoteKind, Span, Speaker
from newstrace.records import SpeakerKind as Kind
from newstrace.store import DocumentStore, open_store
from newstrace.store.database import alembic_config, make_engine
from newstrace.store.findings import FindingStore
from newstrace.store.schema import SQLITE_SEARCH_TABLES, Base, DocumentRow, QuoteRow
from newstrace.web.search import (
    DOCUMENT_VECTOR,
    QUOTE_VECTOR,
    SPEAKER_VECTOR,
    fts5_query,
    postgres_match,
    search,
    snippet,
    terms,
)

TEXTS = {
    "convoy": (
        "Gunmen ambushed a supply convoy near the river crossing, killing three drivers, "
        '"We were not warned," said Lieutenant Samir Qadri, a logistics officer.'
    ),
    "market": (
        "A car bomb exploded in the crowded market on Friday. "
        '"The wounded are still arriving," a nurse who asked not to be named said.'
    ),
    "crossing": "Traders said the river crossing reopened after the clashes ended.",
}


def _mention(text: str, doc_id: int, words: str) -> Mention:
    start = text.index(words)
    return Mention(words, Span(doc_id, start, start + len(words)))


def _quote(text: str, doc_id: int, words: str, speaker: Speaker) -> Quote:
    return Quote(QuoteKind.DIRECT, _mention(text, doc_id, words), speaker)


def _fill(store: DocumentStore) -> dict[str, int]:
    """The three documents, with a named and an anonymous quote, through the real stores."""
    ids = {
        key: store.add(
            DocumentInput(body, f"{key}.txt", "text", title=f"Report on the {key}", outlet="Wire")
        ).document_id
        for key, body in TEXTS.items()
    }
    convoy, market = TEXTS["convoy"], TEXTS["market"]
    qadri = Speaker(
        Kind.NAMED_PERSON,
        _mention(convoy, ids["convoy"], "Lieutenant Samir Qadri"),
        description=_mention(convoy, ids["convoy"], "a logistics officer"),
    )
    nurse = Speaker(
        Kind.ANONYMOUS_PERSON,
        _mention(market, ids["market"], "a nurse"),
        anonymity=_mention(market, ids["market"], "who asked not to be named"),
    )
    findings = FindingStore(store.engine)
    findings.save(
        Analysis(
            ids["convoy"], True, (_quote(convoy, ids["convoy"], "We were not warned,", qadri),)
        ),
        "test",
    )
    findings.save(
        Analysis(
            ids["market"],
            True,
            (_quote(market, ids["market"], "The wounded are still arriving,", nurse),),
        ),
        "test",
    )
    return ids


@pytest.fixture
def filled(any_db: str) -> Iterator[tuple[DocumentStore, dict[str, int]]]:
    store = open_store(any_db)
    try:
        yield store, _fill(store)
    finally:
        store.close()


def _found(store: DocumentStore, query: str) -> tuple[set[int], set[str], set[str]]:
    """(document ids, quote texts, speaker names) that ``query`` finds."""
    results = search(store, query)
    return (
        {hit.summary.id for hit in results.documents},
        {ref.quote.content.text for ref in results.quotes},
        {s.name for s in results.speakers},
    )


def test_every_word_must_match_and_words_match_their_stems(
    filled: tuple[DocumentStore, dict[str, int]],
) -> None:
    store, ids = filled
    assert _found(store, "river crossing")[0] == {ids["convoy"], ids["crossing"]}
    assert _found(store, "river bomb")[0] == set()
    assert _found(store, "river OR bomb")[0] == set()  # an operator only as a word
    assert _found(store, "KILLS")[0] == {ids["convoy"]}  # "killing": one stem, any case
    assert _found(store, "Wire")[0] == set(ids.values())  # metadata is searched too
    docs, quotes, speakers = _found(store, "qadri")
    assert docs == {ids["convoy"]} and quotes == {"We were not warned,"}
    assert speakers == {"Lieutenant Samir Qadri"}
    assert _found(store, "logistics")[2] == {"Lieutenant Samir Qadri"}  # by description
    assert _found(store, "arriving")[1] == {"The wounded are still arriving,"}


def test_results_link_to_the_readers_anchors_and_mark_the_hit(
    filled: tuple[DocumentStore, dict[str, int]],
) -> None:
    store, ids = filled
    results = search(store, "wounded")
    [ref] = results.quotes
    assert (ref.doc_id, ref.anchor) == (ids["market"], "q-1")
    [hit] = results.documents
    assert hit.snippet is not None and hit.snippet.hit == "wounded"
    assert snippet("Killing went on.", ["kill"]) == snippet("Killing went on.", ["KILL"])
    assert snippet("nothing here", ["kill"]) is None


@pytest.mark.parametrize(
    "hostile", ['"', "*", "NEAR(", "'; DROP TABLE documents; --", "a OR b", "^", "-x", "x:y", ""]
)
def test_hostile_queries_are_words_and_never_syntax(
    filled: tuple[DocumentStore, dict[str, int]], hostile: str
) -> None:
    store, _ = filled
    results = search(store, hostile)  # no error on either backend
    words = terms(hostile)
    found = {hit.summary.id for hit in results.documents}
    for doc_id in found:
        doc = store.get(doc_id)
        assert doc is not None
        haystack = f"{doc.title} {doc.outlet} {doc.text}".casefold()
        assert all(w.casefold()[:4] in haystack for w in words)
    assert store.count() == len(TEXTS)  # and nothing was dropped


def test_fts5_strings_are_quoted() -> None:
    assert terms('"convoy" NEAR(bomb* river') == ["convoy", "NEAR", "bomb", "river"]
    assert fts5_query(["a", "NEAR"]) == '"a" "NEAR"'
    assert fts5_query(['x"y']) == '"x""y"'
    assert fts5_query(["qadri"], "{speaker_name}") == '{speaker_name} : ("qadri")'


def test_index_follows_new_documents_reanalysis_and_deletes(
    filled: tuple[DocumentStore, dict[str, int]],
) -> None:
    store, ids = filled
    later = store.add(DocumentInput("A drone struck a depot at dawn.", "later.txt", "text"))
    assert _found(store, "drone depot")[0] == {later.document_id}
    FindingStore(store.engine).save(Analysis(ids["convoy"], True), "test-2")  # quotes replaced
    assert _found(store, "qadri")[1:] == (set(), set())
    with store.engine.begin() as conn:
        conn.execute(delete(QuoteRow))
        conn.execute(delete(DocumentRow).where(DocumentRow.id == later.document_id))
    assert _found(store, "drone") == (set(), set(), set())
    assert _found(store, "arriving")[1] == set()


def test_rows_stored_before_the_index_are_found(tmp_path: Path) -> None:
    """Upgrading a ledger from 0005 indexes what it already holds."""
    db = str(tmp_path / "old.db")
    engine = make_engine(f"sqlite:///{db}")
    command.upgrade(alembic_config(engine), "0005")
    with engine.begin() as conn:
        assert not conn.execute(
            text("SELECT name FROM sqlite_master WHERE name LIKE '%fts%'")
        ).all()
    old = DocumentStore(engine)
    ids = _fill(old)
    engine.dispose()
    store = open_store(db)  # upgrades to head
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert tables - {"alembic_version", *Base.metadata.tables} == SQLITE_SEARCH_TABLES
        assert _found(store, "convoy")[0] == {ids["convoy"]}
        assert _found(store, "qadri")[2] == {"Lieutenant Samir Qadri"}
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_uses_the_expression_indexes(postgres_url: str) -> None:
    """The queries' expressions are the indexed ones, so PostgreSQL can use the indexes."""
    store = open_store(postgres_url)
    try:
        _fill(store)
        with store.engine.begin() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plans = {
                name: "\n".join(conn.execute(text(f"EXPLAIN {sql}")).scalars())
                for name, sql in _postgres_queries(store).items()
            }
        for name, plan in plans.items():
            assert name in plan, plan
    finally:
        store.close()


def _postgres_queries(store: DocumentStore) -> dict[str, str]:
    """Each search query as SQL text with its words inlined, keyed by the index it should use."""

    def sql(vector: str, table: str) -> str:
        match = postgres_match(vector, ["convoy"])
        compiled = match.compile(store.engine, compile_kwargs={"literal_binds": True})
        return f"SELECT id FROM {table} WHERE {compiled}"

    return {
        "ix_documents_search": sql(DOCUMENT_VECTOR, "documents"),
        "ix_quotes_search": sql(QUOTE_VECTOR, "quotes"),
        "ix_quotes_speaker_search": sql(SPEAKER_VECTOR, "quotes"),
    }
