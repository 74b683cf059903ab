"""Bad input: one line naming it and why, the rest of the batch stored, nothing stored changed."""

from __future__ import annotations

import codecs
import io
import json
import os
import sqlite3
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import newstrace.store.database
from newstrace.ingest import IngestOptions, Problem, read_sources
from newstrace.ingest.url import FetchPolicy
from newstrace.pipeline import ingest
from newstrace.store import DocumentStore, open_store
from tests.conftest import INGEST_FIXTURES, CliRun

T = TypeVar("T")
MiB = 1024 * 1024
EXISTING = "Shelling hit the market in Qarvan on Sunday, the civil defence said.\n"
GOOD = "Two soldiers were killed at a checkpoint near Darvesh, the army said.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def snapshot(db: Path) -> list[tuple[object, ...]]:
    """Everything a stored document holds, to show a failed ingest changed nothing."""
    store = open_store(str(db))
    try:
        return [
            (d.id, d.text, d.title, d.url, d.published, d.version, d.content_hash)
            for d in store.documents()
        ]
    finally:
        store.close()


@pytest.fixture
def ledger(tmp_path: Path, cli: CliRun) -> Path:
    """A store that already holds one document."""
    db = tmp_path / "ledger.db"
    existing = tmp_path / "existing.txt"
    existing.write_text(EXISTING)
    assert cli("ingest", str(existing), "--db", str(db)).exit_code == 0
    return db


def error_lines(stderr: str) -> list[str]:
    """The error lines of the CLI's stderr, which may hold nothing but errors and notes."""
    lines = stderr.splitlines()
    assert all(line.startswith(("error: ", "note: ")) for line in lines), stderr
    return [line for line in lines if line.startswith("error: ")]


def assert_refused_alone_and_in_batch(
    cli: CliRun, db: Path, tmp_path: Path, bad: str, reason: str, *options: str
) -> None:
    """What every bad input must do: alone, exit 1; in a batch, not stop the others."""
    before = snapshot(db)
    alone = cli("ingest", bad, *options, "--db", str(db))
    assert alone.exit_code == 1, alone.output
    [line] = error_lines(alone.stderr)
    assert line.startswith(f"error: {bad}") and reason in line, line
    assert snapshot(db) == before

    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    batch = cli("ingest", bad, str(good), *options, "--db", str(db))
    assert batch.exit_code == 0, batch.output
    assert error_lines(batch.stderr) == [line]
    after = snapshot(db)
    assert after[: len(before)] == before
    assert [row[1] for row in after[len(before) :]] == [GOOD]
    store = open_store(str(db))
    try:
        assert any(source.startswith(bad) for source, _, _ in store.warnings())
    finally:
        store.close()


# --- Bad files ----------------------------------------------------------------------


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def warc(path: Path, records: list[tuple[str, bytes]]) -> Path:
    """A WARC of HTTP responses (content type, body); gzipped when the name says so."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for content_type, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
            record = writer.create_warc_record(
                "https://ex.example/x", "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
    return path


def truncated(path: Path) -> Path:
    html = (INGEST_FIXTURES / "article.html").read_bytes()
    data = warc(path, [("text/html", html)]).read_bytes()
    return write(path, data[: len(data) * 2 // 3])


def large_text(path: Path, size: int) -> Path:
    """``size`` bytes of plain words, written in blocks."""
    block = b"word " * (MiB // 5) + b"\n"
    with path.open("wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
        handle.write(b"x" * (size % len(block)))
    return path


NO_ENTRIES = b"<?xml version='1.0'?><rss><channel><title>W</title></channel></rss>"
EMPTY_BODY = b"<html><head><title>x</title></head><body></body></html>"
# Each case writes a bad input into a folder; it returns the input and the expected reason.
BAD_FILES: dict[str, Callable[[Path], tuple[Path, str]]] = {
    "png": lambda d: (write(d / "photo.png", PNG + bytes(200)), "binary"),
    "png-named-txt": lambda d: (write(d / "photo.txt", PNG + os.urandom(500)), "binary"),
    "nul-bytes": lambda d: (write(d / "dump", b"\x00\x01\x02" * 300), "binary"),
    "empty": lambda d: (write(d / "empty.txt", b""), "empty file"),
    "whitespace": lambda d: (write(d / "blank.md", b"  \n\t\n   \n"), "no text"),
    "oversized": lambda d: (large_text(d / "huge.txt", 50 * MiB), "exceeds the 10 MiB cap"),
    "html-no-article": lambda d: (INGEST_FIXTURES / "nav_only.html", "no article text"),
    "html-empty-body": lambda d: (write(d / "blank.html", EMPTY_BODY), "no article text"),
    "feed-no-entries": lambda d: (write(d / "feed.xml", NO_ENTRIES), "no feed entries"),
    "warc-no-html": lambda d: (
        warc(d / "images.warc.gz", [("image/png", PNG), ("application/pdf", b"%PDF-1.4")]),
        "no HTML responses in the archive (2 other records)",
    ),
    "warc-garbage": lambda d: (write(d / "junk.warc.gz", os.urandom(4000)), "not a readable WARC"),
    "warc-gzip-garbage": lambda d: (
        write(d / "text.warc.gz", b"\x1f\x8b\x08\x00" + os.urandom(4000)),
        "damaged WARC archive",
    ),
    "warc-truncated": lambda d: (truncated(d / "cut.warc.gz"), "truncated WARC archive"),
    "jsonl-empty": lambda d: (write(d / "none.jsonl", b"\n\n"), "no records"),
    "jsonl-broken": lambda d: (write(d / "broken.jsonl", b'{"text": "cut\n'), "invalid JSON"),
    "jsonl-no-text": lambda d: (write(d / "meta.jsonl", b'{"title": "x"}\n'), "neither 'text'"),
    "missing": lambda d: (d / "not-there.txt", "no such file or folder"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_refused(cli: CliRun, ledger: Path, tmp_path: Path, case: str) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    bad, reason = BAD_FILES[case](inputs)
    assert_refused_alone_and_in_batch(cli, ledger, tmp_path, str(bad), reason)


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "HTTP 404 Not Found"), ("/broken", "HTTP 500 Internal Server Error")],
)
def test_bad_url_refused(
    cli: CliRun, ledger: Path, tmp_path: Path, web_server: str, path: str, reason: str
) -> None:
    url = f"{web_server}{path}"
    assert_refused_alone_and_in_batch(cli, ledger, tmp_path, url, reason, "--allow-private")


def test_url_timeout_does_not_stop_the_batch(
    store: DocumentStore, tmp_path: Path, web_server: str
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    options = IngestOptions(fetch=FetchPolicy(allow_private=True, timeout_s=0.3))
    summary = ingest(store, [f"{web_server}/slow", str(good)], options)
    assert summary.problems == [Problem(f"{web_server}/slow", "timed out after 0.3 s")]
    assert [d.text for d in store.documents()] == [GOOD]


def test_feed_with_a_broken_entry_keeps_the_others(cli: CliRun, ledger: Path) -> None:
    feed = INGEST_FIXTURES / "feed_broken.rss"
    before = snapshot(ledger)
    result = cli("ingest", str(feed), "--db", str(ledger))
    assert result.exit_code == 0
    assert error_lines(result.stderr) == [f"error: {feed}#entry2: feed entry has no text"]
    after = snapshot(ledger)
    assert after[:1] == before and len(after) == 2
    assert str(after[1][1]).startswith("The bridge over the Tellin river reopened")


# --- Size: never hold a large input in memory twice ---------------------------------


def peak_memory(run: Callable[[], T]) -> tuple[T, int]:
    """What ``run`` returns, and the most memory Python held while it ran."""
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", ["huge.txt", "huge.md", "huge.html", "huge.xml", "huge"])
def test_50mb_file_refused_without_reading_it(tmp_path: Path, name: str) -> None:
    size = 50 * MiB
    path = large_text(tmp_path / name, size)
    items, peak = peak_memory(lambda: list(read_sources([str(path)], IngestOptions())))
    [problem] = items
    assert isinstance(problem, Problem) and "exceeds" in problem.message
    assert peak < size // 10


def test_50mb_warc_record_refused_while_streaming(tmp_path: Path) -> None:
    size = 50 * MiB
    html = large_text(tmp_path / "page.html", size).read_bytes()
    path = warc(tmp_path / "big.warc.gz", [("text/html", html)])
    del html
    items, peak = peak_memory(lambda: list(read_sources([str(path)], IngestOptions())))
    [problem] = items
    assert isinstance(problem, Problem) and "record larger than" in problem.message
    assert peak < size // 2


@pytest.mark.slow
def test_50mb_jsonl_streamed_line_by_line(store: DocumentStore, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number in range(50):
            text = f"Report {number}. " + "word " * (MiB // 5)
            handle.write(json.dumps({"text": text, "url": f"https://ex.example/{number}"}) + "\n")
    size = path.stat().st_size
    assert size >= 50 * MiB
    read = [str(path)]
    documents, peak = peak_memory(
        lambda: sum(not isinstance(item, Problem) for item in read_sources(read, IngestOptions()))
    )
    assert documents == 50
    # The reader's memory follows one line (1 MiB), never the file.
    assert peak < size // 4, f"peak {peak / MiB:.1f} MiB for a {size / MiB:.0f} MiB file"
    assert ingest(store, read, IngestOptions()).new == store.count() == 50


# --- Encodings ----------------------------------------------------------------------

LEGACY = [
    (
        "cp1252",
        "Le général a déclaré à l’agence que « l’attaque » a fait douze morts près de "
        "Mossoul, où l’armée… selon le ministère.\n",
        {"cp1252"},
    ),
    (
        "windows-1256",
        "قال مسؤول أمني عراقي إن هجوما استهدف نقطة تفتيش قرب الموصل وأسفر عن مقتل خمسة "
        "جنود، بحسب ما أفادت وكالة الأنباء.\n",
        {"cp1256"},
    ),
    (
        "latin-1",
        "Die Bundeswehr berichtet über Angriffe in der Nähe von Mossul. Größere Verluste "
        "wurden gemeldet, erklärte ein Sprecher.\n",
        {"cp1252", "iso8859-1"},  # windows-1252 decodes every printable latin-1 byte alike
    ),
]


@pytest.mark.parametrize(("encoding", "text", "recorded"), LEGACY, ids=[c[0] for c in LEGACY])
@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_legacy_encoding_detected_and_recorded(
    store: DocumentStore,
    tmp_path: Path,
    encoding: str,
    text: str,
    recorded: set[str],
    suffix: str,
) -> None:
    path = tmp_path / f"legacy{suffix}"
    if suffix == ".html":  # no charset declared anywhere
        path.write_bytes(
            f"<html><body><article><p>{text}</p></article></body></html>".encode(encoding)
        )
    else:
        path.write_bytes(text.encode(encoding))
    summary = ingest(store, [str(path)], IngestOptions())
    assert summary.new == 1
    [doc] = store.documents()
    assert doc.text.strip() == text.strip()
    assert doc.encoding in recorded
    [(source, message, doc_id)] = store.warnings()
    assert (source, doc_id) == (str(path), doc.id)
    assert f"decoded as {doc.encoding} (detected)" in message


def test_declared_charset_is_used_without_warning(store: DocumentStore, tmp_path: Path) -> None:
    text = LEGACY[2][1]
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{text}</p></body></html>'
    path = write(tmp_path / "declared.html", page.encode("latin-1"))
    ingest(store, [str(path)], IngestOptions())
    [doc] = store.documents()
    assert doc.text.strip() == text.strip()
    assert doc.encoding == codecs.lookup("iso-8859-1").name
    assert store.warnings() == []


def test_invalid_utf8_keeps_the_text_and_marks_the_loss(
    store: DocumentStore, tmp_path: Path
) -> None:
    before, after = "Le général a dit que l’attaque ", " était grave, selon l’armée.\n"
    path = write(tmp_path / "damaged.txt", before.encode() + b"\xff" + after.encode())
    ingest(store, [str(path)], IngestOptions())
    [doc] = store.documents()
    assert doc.text == before + "\ufffd" + after
    assert doc.encoding == "utf-8"
    [(_, message, _)] = store.warnings()
    assert "invalid UTF-8: 1 bytes replaced" in message


def test_jsonl_encoding_sniffed_from_a_head_cut_mid_character(
    store: DocumentStore, tmp_path: Path
) -> None:
    # The first line is longer than the part of the file read to sniff its encoding,
    # and the sniffed part ends inside a two-byte character.
    text = "a" * (64 * 1024 - len('{"text": "') - 1) + "é and more text after it"
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.read_bytes()[64 * 1024 - 1 : 64 * 1024 + 1] == "é".encode()
    ingest(store, [str(path)], IngestOptions())
    [doc] = store.documents()
    assert doc.text == text


# --- Databases ----------------------------------------------------------------------


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait 0.2 s, not 10 s, for a lock that the test holds on purpose."""
    monkeypatch.setattr(newstrace.store.database, "SQLITE_BUSY_TIMEOUT_MS", 200)


@contextmanager
def exclusive_lock(db: Path) -> Iterator[None]:
    """Hold ``db``'s write lock from another connection, as a second process would."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def test_locked_database_gives_one_line(
    cli: CliRun, ledger: Path, tmp_path: Path, short_busy_timeout: None
) -> None:
    good = write(tmp_path / "good.txt", GOOD.encode())
    before = snapshot(ledger)
    with exclusive_lock(ledger):
        result = cli("ingest", str(good), "--db", str(ledger))
    assert result.exit_code == 1
    assert result.stderr == f"error: {ledger}: database is locked by another process\n"
    assert snapshot(ledger) == before
    assert cli("ingest", str(good), "--db", str(ledger)).exit_code == 0  # lock gone: works


def test_database_locked_before_it_was_created(
    cli: CliRun, tmp_path: Path, short_busy_timeout: None
) -> None:
    db = tmp_path / "new.db"
    with exclusive_lock(db):
        result = cli("list", "--db", str(db))
    assert result.exit_code == 1
    assert result.stderr == f"error: {db}: database is locked by another process\n"


def sqlite_with_other_tables(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE people (name TEXT)")
        conn.execute("INSERT INTO people VALUES ('someone')")
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (sqlite_with_other_tables, "not a newstrace database (it holds other tables)"),
        (lambda p: write(p, b"these are notes, not a database\n" * 40), "not a newstrace database"),
    ],
    ids=["other-sqlite", "text-file"],
)
@pytest.mark.parametrize("command", ["ingest", "list"])
def test_foreign_database_refused_and_untouched(
    cli: CliRun,
    tmp_path: Path,
    make: Callable[[Path], Path],
    reason: str,
    command: str,
) -> None:
    db = make(tmp_path / "x.db")
    before = db.read_bytes()
    good = write(tmp_path / "good.txt", GOOD.encode())
    args = ["ingest", str(good)] if command == "ingest" else ["list"]
    result = cli(*args, "--db", str(db))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {db}: {reason}")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.txt", "x.db"]
