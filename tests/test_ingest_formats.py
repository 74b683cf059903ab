"""Every input format ingest reads, stored with the metadata each one states (and no more)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newstrace.ingest import IngestOptions, Problem
from newstrace.ingest.manifest import load_manifest
from newstrace.ingest.url import FetchPolicy
from newstrace.pipeline import IngestSummary, ingest
from newstrace.records import DatePrecision, DateSource, Document
from newstrace.store import DocumentStore
from tests.conftest import INGEST_FIXTURES, CliRun

BODY = (
    "A convoy carrying flour was struck by a roadside bomb near the Tellin crossing,\n"
    "killing three drivers, the district governor said.\n"
)
LOCAL = FetchPolicy(allow_private=True, max_bytes=64 * 1024)
IMPATIENT = dataclasses.replace(LOCAL, timeout_s=0.5)


def run(store: DocumentStore, *inputs: Path | str, **options: Any) -> IngestSummary:
    return ingest(store, [str(i) for i in inputs], IngestOptions(**options))


def stored(store: DocumentStore) -> list[Document]:
    return list(store.documents())


def only(store: DocumentStore) -> Document:
    docs = stored(store)
    assert len(docs) == 1, [d.source for d in docs]
    return docs[0]


# --- Plain text and Markdown --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "header", "title", "byline", "published"),
    [
        (
            "wire.txt",
            "Convoy struck near crossing\nBy Mara Velsen\nJAN 16, 2024 - ",
            "Convoy struck near crossing",
            "Mara Velsen",
            "2024-01-16",
        ),
        ("day-first.txt", "By Idris Kalan\n16 January 2024\n\n", None, "Idris Kalan", "2024-01-16"),
        ("placed.txt", "BAGHDAD, March 3, 2023 — ", None, None, "2023-03-03"),
        (
            "story.md",
            "# Convoy struck near crossing\n\nBy Mara Velsen\n\nJAN 16, 2024 - ",
            "Convoy struck near crossing",
            "Mara Velsen",
            "2024-01-16",
        ),
    ],
)
def test_text_header_metadata_and_exact_text(
    store: DocumentStore,
    tmp_path: Path,
    name: str,
    header: str,
    title: str | None,
    byline: str | None,
    published: str,
) -> None:
    path = tmp_path / name
    path.write_text(header + BODY, encoding="utf-8")
    run(store, path)
    doc = only(store)
    assert (doc.title, doc.byline) == (title, byline)
    assert doc.published is not None and doc.published.iso() == published
    assert doc.published.precision is DatePrecision.DAY
    assert doc.published_source is DateSource.DATELINE
    assert doc.source_format == ("markdown" if name.endswith(".md") else "text")
    # Offsets into the stored text are offsets into the file.
    file_text = path.read_bytes().decode("utf-8")
    assert doc.text == file_text
    start = file_text.index("roadside bomb")
    assert doc.text[start : start + len("roadside bomb")] == "roadside bomb"


def test_text_without_a_date_stays_unknown(store: DocumentStore, tmp_path: Path) -> None:
    path = tmp_path / "undated.txt"
    path.write_text("Talks resume\n\nThe talks resumed in 2024 after a pause.\n" + BODY)
    run(store, path)
    doc = only(store)
    assert doc.title == "Talks resume"
    assert doc.published is None and doc.published_source is DateSource.NONE


def test_month_only_dateline_keeps_month_precision(store: DocumentStore, tmp_path: Path) -> None:
    path = tmp_path / "monthly.txt"
    path.write_text("Monthly bulletin\nMarch 2023\n\n" + BODY)
    run(store, path)
    doc = only(store)
    assert doc.title == "Monthly bulletin"
    assert doc.published is not None and doc.published.iso() == "2023-03"
    assert doc.published.precision is DatePrecision.MONTH


# --- HTML ---------------------------------------------------------------------------


def test_html_metadata_from_trafilatura(store: DocumentStore) -> None:
    run(store, INGEST_FIXTURES / "article.html")
    doc = only(store)
    assert doc.title == "Convoy struck near river crossing"
    assert doc.byline == "Mara Velsen"
    assert doc.outlet == "Northern Ledger"
    assert doc.url == "https://northern-ledger.example/2024/02/convoy-struck"
    assert doc.published is not None and doc.published.iso() == "2024-02-07"
    assert doc.published_source is DateSource.HTML_METADATA
    assert "killing three drivers" in doc.text
    assert "Home" not in doc.text  # navigation is not article text
    assert (doc.source_format, doc.encoding) == ("html", "utf-8")


def test_html_without_metadata_date_reads_printed_dateline(store: DocumentStore) -> None:
    run(store, INGEST_FIXTURES / "dateline.html")
    doc = only(store)
    assert doc.title == "Checkpoint attacked overnight"
    assert doc.byline == "Idris Kalan"
    assert doc.published is not None and doc.published.iso() == "2023-03-03"
    assert doc.published_source is DateSource.DATELINE


# --- Feeds --------------------------------------------------------------------------


def test_rss_one_document_per_entry(store: DocumentStore) -> None:
    path = INGEST_FIXTURES / "feed.rss"
    summary = run(store, path)
    assert summary.new == 2 and not summary.problems
    depot, talks = stored(store)
    assert depot.source == f"{path}#entry1"
    assert "fuel depot" in depot.text and "Short summary" not in depot.text  # content:encoded
    assert (depot.title, depot.byline, depot.outlet) == (
        "Drone strike hits depot",
        "Lena Ostrova",
        "Frontier Wire",
    )
    assert depot.url == "https://frontier-wire.example/2024/01/depot"
    assert depot.published is not None and depot.published.iso() == "2024-01-16"
    assert depot.published_source is DateSource.FEED
    # No full content: the summary is the text. The RSS author is "email (Name)".
    assert talks.text.startswith("Delegations from both sides")
    assert talks.byline == "Omar Hadden"
    assert talks.published is not None and talks.published.iso() == "2024-01-17"


def test_atom_content_preferred_and_published_not_updated(store: DocumentStore) -> None:
    run(store, INGEST_FIXTURES / "feed.atom")
    doc = only(store)
    assert doc.text.startswith("Artillery shells landed") and "Summary only" not in doc.text
    assert (doc.title, doc.byline, doc.outlet) == (
        "Shelling reported near dam",
        "Tomas Reyl",
        "Basin Monitor",
    )
    assert doc.url == "https://basin-monitor.example/shelling-dam"
    assert doc.published is not None and doc.published.iso() == "2023-11-04"


# --- WARC ---------------------------------------------------------------------------


def write_warc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    """A WARC of HTTP responses (target URI, content type, body), gzipped by file name."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for uri, content_type, body in records:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    uri, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses_become_documents(
    store: DocumentStore, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    write_warc(
        path,
        [
            ("https://ex.example/logo.png", "image/png", PNG),
            (
                "https://ex.example/story",
                "text/html; charset=utf-8",
                (INGEST_FIXTURES / "dateline.html").read_bytes(),
            ),
        ],
    )
    summary = run(store, path)
    doc = only(store)
    assert doc.url == "https://ex.example/story"
    assert doc.source == f"{path}#record2"
    assert doc.published is not None and doc.published.iso() == "2023-03-03"
    assert not summary.failures
    [note] = summary.problems
    assert note.source == str(path) and "skipped 1" in note.message and not note.fatal


# --- JSON Lines ---------------------------------------------------------------------


def test_jsonl_text_and_html_records(store: DocumentStore, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        {
            "text": BODY,
            "url": "https://wire.example/1",
            "outlet": "Frontier Wire",
            "title": "Convoy struck",
            "byline": "Lena Ostrova",
            "published": "2024-01-16",
        },
        {"html": (INGEST_FIXTURES / "article.html").read_text(), "outlet": "Given Outlet"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    summary = run(store, path)
    assert summary.new == 2 and not summary.problems
    text_doc, html_doc = stored(store)
    assert text_doc.text == BODY and text_doc.source == f"{path}:1"
    assert (text_doc.url, text_doc.outlet, text_doc.title, text_doc.byline) == (
        "https://wire.example/1",
        "Frontier Wire",
        "Convoy struck",
        "Lena Ostrova",
    )
    assert text_doc.published is not None and text_doc.published.iso() == "2024-01-16"
    assert text_doc.published_source is DateSource.RECORD
    assert "killing three drivers" in html_doc.text
    assert html_doc.outlet == "Given Outlet"  # the record's field beats the page's metadata
    assert html_doc.title == "Convoy struck near river crossing"


@pytest.mark.parametrize(
    ("published", "iso", "precision"),
    [
        ("2024-01-16", "2024-01-16", DatePrecision.DAY),
        ("16 January 2024", "2024-01-16", DatePrecision.DAY),
        ("January 2024", "2024-01", DatePrecision.MONTH),
        ("2024-01", "2024-01", DatePrecision.MONTH),
        ("2024", "2024", DatePrecision.YEAR),
    ],
)
def test_published_precision_is_what_the_source_states(
    store: DocumentStore, tmp_path: Path, published: str, iso: str, precision: DatePrecision
) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"text": BODY, "published": published}) + "\n")
    run(store, path)
    doc = only(store)
    assert doc.published is not None
    assert (doc.published.iso(), doc.published.precision) == (iso, precision)


# --- Manifests ----------------------------------------------------------------------

MANIFEST_FIELDS = {
    "outlet": "Basin Monitor",
    "url": "https://basin-monitor.example/convoy",
    "title": "Stated title",
    "byline": "Stated Byline",
    "published": "2024-03",
}
MANIFESTS = {
    "manifest.csv": "file,outlet,url,title,byline,published\n"
    "sub/story.txt,Basin Monitor,https://basin-monitor.example/convoy,"
    "Stated title,Stated Byline,2024-03\n",
    "list.yaml": "- file: sub/story.txt\n"
    + "".join(f"  {k}: '{v}'\n" for k, v in MANIFEST_FIELDS.items()),
    "mapping.yaml": "sub/story.txt:\n"
    + "".join(f"  {k}: '{v}'\n" for k, v in MANIFEST_FIELDS.items()),
    "files.yml": "files:\n  sub/story.txt:\n"
    + "".join(f"    {k}: '{v}'\n" for k, v in MANIFEST_FIELDS.items()),
}


@pytest.mark.parametrize("manifest_name", sorted(MANIFESTS))
def test_manifest_overrides_what_the_text_states(
    store: DocumentStore, tmp_path: Path, manifest_name: str
) -> None:
    corpus = tmp_path / "corpus"
    story = corpus / "sub" / "story.txt"
    story.parent.mkdir(parents=True)
    story.write_text("Printed title\nBy Printed Name\nJAN 16, 2024 - " + BODY)
    (corpus / manifest_name).write_text(MANIFESTS[manifest_name], encoding="utf-8")
    manifest = load_manifest(corpus / manifest_name)
    summary = run(store, corpus, manifest=manifest)  # the manifest itself is not an article
    assert summary.new == 1 and not summary.problems
    doc = only(store)
    assert (doc.outlet, doc.url, doc.title, doc.byline) == (
        "Basin Monitor",
        "https://basin-monitor.example/convoy",
        "Stated title",
        "Stated Byline",
    )
    assert doc.published is not None and doc.published.iso() == "2024-03"
    assert doc.published.precision is DatePrecision.MONTH
    assert doc.published_source is DateSource.MANIFEST


# --- Plausibility, duplicates, versions ---------------------------------------------


@pytest.mark.parametrize(
    ("dateline", "reason"),
    [("JAN 16, 2999 - ", "2999-01-16 is in the future"), ("May 1, 1850 - ", "before 1900")],
)
def test_implausible_date_refused_with_warning(
    store: DocumentStore, tmp_path: Path, dateline: str, reason: str
) -> None:
    path = tmp_path / "odd.txt"
    path.write_text(dateline + BODY)
    run(store, path, today=dt.date(2025, 6, 1))
    doc = only(store)
    assert doc.published is None and doc.published_source is DateSource.NONE
    assert doc.text == path.read_text()  # the article itself is kept
    [(source, message, doc_id)] = store.warnings()
    assert (source, doc_id) == (str(path), doc.id)
    assert reason in message and "not stored" in message


def test_reingest_is_a_noop_even_rewrapped(store: DocumentStore, tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text(BODY)
    rewrapped = tmp_path / "b.txt"
    rewrapped.write_text("  " + BODY.replace("\n", " ").replace(" ", "\n", 3) + "\n\n")
    assert run(store, first).new == 1
    again = run(store, first, rewrapped)
    assert (again.new, again.duplicate, again.new_version) == (0, 2, 0)
    assert only(store).text == BODY  # the first stored text is untouched


def test_same_url_with_changed_text_is_a_new_version(store: DocumentStore, tmp_path: Path) -> None:
    path = tmp_path / "story.jsonl"
    url = "https://wire.example/story"
    path.write_text(json.dumps({"text": BODY, "url": url}) + "\n")
    run(store, path)
    path.write_text(json.dumps({"text": BODY + "Updated: a fourth driver died.\n", "url": url}))
    summary = run(store, path)
    assert summary.new_version == 1
    first, second = stored(store)
    assert (first.version, first.previous_version_id) == (1, None)
    assert (second.version, second.previous_version_id) == (2, first.id)
    assert first.text == BODY


def test_cli_reports_duplicates_as_noop(cli: CliRun, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(BODY)
    db = str(tmp_path / "ledger.db")
    assert cli("ingest", str(path), "--db", db).exit_code == 0
    again = cli("ingest", str(path), "--db", db)
    assert again.exit_code == 0
    assert "0 new, 0 new versions, 1 already stored (no-op), 0 refused" in again.stdout


# --- URLs ---------------------------------------------------------------------------


def test_url_html_page(store: DocumentStore, web_server: str) -> None:
    summary = run(store, f"{web_server}/article", fetch=LOCAL)
    assert summary.new == 1
    doc = only(store)
    assert doc.source == f"{web_server}/article"
    assert doc.url == "https://northern-ledger.example/2024/02/convoy-struck"  # canonical
    assert doc.title == "Convoy struck near river crossing"


def test_url_redirect_followed(store: DocumentStore, web_server: str) -> None:
    assert run(store, f"{web_server}/redirect", fetch=LOCAL).new == 1
    assert "killing three drivers" in only(store).text


def test_url_feed(store: DocumentStore, web_server: str) -> None:
    assert run(store, f"{web_server}/feed", fetch=LOCAL).new == 2
    assert [d.outlet for d in stored(store)] == ["Frontier Wire", "Frontier Wire"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/broken", "HTTP 500 Internal Server Error"),
        ("/large", "exceeds 65536"),
        ("/large-unannounced", "exceeds 65536"),
        ("/redirect-to-file", "only http and https URLs are fetched, not file:"),
    ],
)
def test_url_failures_are_named_problems(
    store: DocumentStore, web_server: str, path: str, reason: str
) -> None:
    summary = run(store, f"{web_server}{path}", fetch=LOCAL)
    [problem] = summary.problems
    assert problem.source == f"{web_server}{path}" and reason in problem.message
    assert store.count() == 0


@pytest.mark.parametrize("path", ["/slow", "/trickle"])  # silent; sending a byte at a time
def test_url_fetch_time_is_capped(store: DocumentStore, web_server: str, path: str) -> None:
    summary = run(store, f"{web_server}{path}", fetch=IMPATIENT)
    assert summary.problems == [Problem(f"{web_server}{path}", "timed out after 0.5 s")]
    assert store.count() == 0


def test_url_loopback_refused_unless_allowed(store: DocumentStore, web_server: str) -> None:
    summary = run(store, f"{web_server}/article")
    [problem] = summary.problems
    assert "private or loopback" in problem.message and "--allow-private" in problem.message
    assert store.count() == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://ftp.example.org/story.txt"])
def test_only_http_urls_are_fetched(store: DocumentStore, url: str) -> None:
    summary = run(store, url, fetch=LOCAL)
    scheme = url.split(":")[0]
    assert summary.problems == [
        Problem(url, f"only http and https URLs are fetched, not {scheme}:")
    ]


def test_cli_fetches_local_url_only_with_allow_private(
    cli: CliRun, tmp_path: Path, web_server: str
) -> None:
    db = str(tmp_path / "ledger.db")
    refused = cli("ingest", f"{web_server}/article", "--db", db)
    assert refused.exit_code == 1 and "--allow-private" in refused.stderr
    fetched = cli("ingest", f"{web_server}/article", "--allow-private", "--db", db)
    assert fetched.exit_code == 0 and "1 new" in fetched.stdout
