"""Property-based tests: hostile and malformed input never raises out of a reader, an
extractor or date normalization, and every refusal is a problem naming its input.

Inputs are arbitrary Unicode (control characters and unpaired marks included), news-like
fragments mixed with noise, very long lines, deeply nested HTML, gzip bombs in WARC
records, and documents of 0 and 10,000,000 characters. Example counts are bounded so
the file runs in about a minute.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newstrace.analysis import analyze_text
from newstrace.extract.attribution import extract_quotes
from newstrace.extract.dates import extract_times
from newstrace.extract.figures import extract_figures
from newstrace.ingest import IngestOptions, Problem, read_sources
from newstrace.ingest.published import parse_published
from newstrace.nlp.pipeline import MAX_SENTENCE_TOKENS, MAX_WORD_CHARS, parse
from newstrace.pipeline import ingest
from newstrace.records import DatePrecision, DocumentInput, PartialDate, Span
from newstrace.store import DocumentStore, open_store
from newstrace.store.check import check_database

BOUNDED = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FRAGMENTS = [
    '"',
    "“",
    "”",
    "«",
    "'",
    " said ",
    " told Reuters ",
    "according to officials",
    " killed ",
    " at least ",
    "dozens",
    "1,200",
    "3.5",
    "twenty-one",
    " on Monday",
    "last week",
    "12 March 2024",
    "2024-02-30",
    "in Mosul",
    "\n",
    "\n\n",
    "\t",
    "\r",
    "—",
    "<b>",
    "&amp;",
    ".",
    ",",
    "\u200b",
    "\u202e",
    "\x00",
    "\x0b",
]
unicode_text = st.text(st.characters(codec=None, exclude_categories=["Cs"]), max_size=400)
news_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), unicode_text), max_size=40).map("".join)
any_text = st.one_of(unicode_text, news_like)
published = st.one_of(
    st.none(),
    st.builds(
        PartialDate,
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
        st.sampled_from(list(DatePrecision)),
    ),
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture(scope="module")
def store(folder: Path) -> Iterator[DocumentStore]:
    opened = open_store(str(folder / "ledger.db"))
    yield opened
    opened.close()


def read_file(path: Path, data: bytes) -> list[DocumentInput | Problem]:
    """Everything ``read_sources`` makes of ``data`` in a file named ``path``."""
    path.write_bytes(data)
    items = list(read_sources([str(path)], IngestOptions(max_document_bytes=10 * 1024 * 1024)))
    for item in items:
        if isinstance(item, Problem):
            assert item.source.startswith(str(path)), item  # a refusal names its input
            assert item.message and "\n" not in item.message
        else:
            assert isinstance(item.text, str)
    return items


def html_page(body: str) -> bytes:
    return f"<html><head><title>{body[:40]}</title></head><body>{body}</body></html>".encode(
        "utf-8", "surrogatepass"
    )


def feed(entries: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><description>{e}</description></item>" for e in entries)
    return f"<?xml version='1.0'?><rss><channel><title>W</title>{items}</channel></rss>".encode(
        "utf-8", "surrogatepass"
    )


def warc(records: list[tuple[str, bytes]], gzipped: bool = True) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    for content_type, body in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
        record = writer.create_warc_record(
            "https://ex.example/x", "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return out.getvalue()


# --- Readers ------------------------------------------------------------------------


@BOUNDED
@given(data=st.binary(max_size=3000))
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".xml", ".warc.gz", ".jsonl", ""])
def test_readers_take_any_bytes(folder: Path, suffix: str, data: bytes) -> None:
    read_file(folder / f"input{suffix}", data)


@BOUNDED
@given(text=any_text)
@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl", ".xml"])
def test_readers_take_any_text(folder: Path, store: DocumentStore, suffix: str, text: str) -> None:
    if suffix == ".html":
        data = html_page(text)
    elif suffix == ".jsonl":
        data = (
            json.dumps({"text": text, "title": text[:20], "published": text[:10]}) + "\n"
        ).encode()
    elif suffix == ".xml":
        data = feed([text, text[::-1]])
    else:
        data = text.encode("utf-8", "surrogatepass")
    path = folder / f"text{suffix}"
    read_file(path, data)
    ingest(store, [str(path)], IngestOptions())  # whatever was read can be stored


@BOUNDED
@given(body=any_text, depth=st.integers(1, 5000))
def test_deeply_nested_html(folder: Path, body: str, depth: int) -> None:
    nested = "<div><span>" * depth + body + "</span></div>" * depth
    read_file(folder / "nested.html", html_page(nested))


def test_very_deep_html_and_long_lines(folder: Path) -> None:
    read_file(folder / "deep.html", html_page("<div>" * 200_000 + "text"))
    read_file(folder / "line.html", html_page("<p>" + "word " * 400_000 + "</p>"))
    [doc] = read_file(folder / "line.txt", ("word " * 400_000).encode())
    assert isinstance(doc, DocumentInput) and len(doc.text) == 2_000_000


@BOUNDED
@given(
    records=st.lists(st.tuples(st.sampled_from(["text/html", "image/png"]), any_text), max_size=4)
)
def test_warc_records_of_any_text(folder: Path, records: list[tuple[str, str]]) -> None:
    encoded = [(kind, html_page(body)) for kind, body in records]
    read_file(folder / "archive.warc.gz", warc(encoded))
    read_file(folder / "archive.warc", warc(encoded, gzipped=False))


def test_gzip_bomb_in_a_warc_record_is_refused_by_name(folder: Path) -> None:
    """A record whose body inflates to 64 MiB: refused past the cap, the rest kept."""
    bomb = b"<html><body><p>" + b" " * (64 * 1024 * 1024) + b"</p></body></html>"
    good = html_page(
        "<article><p>" + "The convoy reached the border on Monday. " * 5 + "</p></article>"
    )
    data = warc([("text/html", bomb), ("text/html", good)])
    assert len(data) < 1024 * 1024  # small on disk
    path = folder / "bomb.warc.gz"
    items = read_file(path, data)
    problems = [i for i in items if isinstance(i, Problem)]
    assert [p.source for p in problems] == [f"{path}#record1"]
    assert "larger than" in problems[0].message
    assert [i.source for i in items if isinstance(i, DocumentInput)] == [f"{path}#record2"]


def test_gzip_bomb_feed_file_is_refused_by_name(folder: Path) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (64 * 1024 * 1024))
    path = folder / "feed.xml"
    [problem] = read_file(path, bomb)
    assert isinstance(problem, Problem)


# Inputs on which fuzzing (fuzz/targets.py) found an exception escaping a reader.
FUZZ_CRASHES = {
    "feed-encoding-name-not-ascii.xml": b'<?xml version="1.0" encoding="\xfeUTF-8"?>\n'
    b'<rss version="2.0"><channel><title>W</title><item><description>x</description>'
    b"</item></channel></rss>",
}


@pytest.mark.parametrize("name", sorted(FUZZ_CRASHES))
def test_fuzzing_crashes_stay_fixed(folder: Path, name: str) -> None:
    [problem] = read_file(folder / name, FUZZ_CRASHES[name])
    assert isinstance(problem, Problem)


@pytest.mark.parametrize("size", [0, 10_000_000])
def test_documents_of_0_and_10_million_characters(folder: Path, size: int) -> None:
    text = ("Shelling hit the market, officials said. " * (size // 40 + 1))[:size]
    db = str(folder / f"size-{size}.db")
    store = open_store(db)
    try:
        for suffix, data in (
            (".txt", text.encode()),
            (".jsonl", (json.dumps({"text": text}) + "\n").encode()),
        ):
            path = folder / f"size-{size}{suffix}"
            items = read_file(path, data)
            if size == 0:
                assert all(isinstance(i, Problem) for i in items)
            else:
                [doc] = items
                assert isinstance(doc, DocumentInput) and len(doc.text) == size
            ingest(store, [str(path)], IngestOptions(max_document_bytes=11 * 1024 * 1024))
        assert store.count() == (1 if size else 0)
    finally:
        store.close()
    assert check_database(db).problems == []
    assert analyze_text("").notes == ("empty text",)


# --- Extractors and date normalization -----------------------------------------------


def assert_inside(span: Span, text: str) -> None:
    assert 0 <= span.start <= span.end <= len(text), (span, len(text))


@BOUNDED
@given(text=any_text, when=published)
def test_extractors_take_any_text(text: str, when: PartialDate | None) -> None:
    doc = parse(text)
    for quote in extract_quotes(doc, 7, {"Reuters"}):
        assert_inside(quote.content.span, text)
        assert quote.content.span.doc_id == 7
    for figure in extract_figures(doc, 7):
        assert_inside(figure.mention.span, text)
        if figure.low is not None and figure.high is not None:
            assert figure.low <= figure.high
    for time in extract_times(doc, when, 7):
        assert_inside(time.mention.span, text)
        if time.start is not None and time.end is not None:
            assert time.start <= time.end


@BOUNDED
@given(text=any_text, when=published)
def test_analysis_spans_stay_inside_any_text(text: str, when: PartialDate | None) -> None:
    analysis = analyze_text(text, 3, when, {"Reuters"})
    for span in (
        [q.content.span for q in analysis.quotes]
        + [e.sentence.span for e in analysis.events]
        + [p.mention.span for p in analysis.places]
    ):
        assert_inside(span, text)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        unicode_text,
        st.sampled_from(
            ["2024-02-30", "0000-00-00", "99999-1-1", "Mon, 32 Jan 2024", "1e9", "\x00"]
        ),
    )
)
def test_published_date_normalization_takes_any_string(value: str) -> None:
    found = parse_published(value)
    assert found is None or isinstance(found.value, dt.date)


# The patterns of bench/hostile.py, short: each runs through every stage without raising,
# every span inside the text, and what the text does state is still found.
HOSTILE = {
    "quotation marks": '"' * 1000,
    "curly marks": "“”‘’" * 250,
    "apostrophes": "'" * 1000,
    "quoted words": "\"a\" 'b' " * 125,
    "control characters": "".join(map(chr, range(1, 32))) * 32,
    "digits": "1 " * 500,
    "counts": ", ".join(f"{n} people were killed" for n in range(2, 50)),
    "endless sentence": "the fighters said the army killed the men near the village " * 16,
    "dates": "It happened on Monday and on 3 May 2024 and last week and " * 16,
    "said": "he said " * 125,
    # Each name inside the next: once a RecursionError out of the place stage.
    "place chain": "Charlie of the Juliet of the Bravo of the Echo of the " * 400,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_patterns_are_analysed(name: str) -> None:
    text = HOSTILE[name]
    analysis = analyze_text(text, 5, PartialDate(dt.date(2024, 6, 1), DatePrecision.DAY))
    assert analysis.english  # no words, or English ones: every stage ran
    for span in (
        [q.content.span for q in analysis.quotes]
        + [f.mention.span for f in analysis.figures]
        + [t.mention.span for t in analysis.times]
        + [e.sentence.span for e in analysis.events]
    ):
        assert_inside(span, text)
    if name == "counts":
        assert {f.low for f in analysis.figures} >= {float(n) for n in range(2, 50)}
    if name == "dates":
        assert analysis.times
    if name == "endless sentence":
        assert analysis.events
    if name == "place chain":
        assert analysis.places


def test_the_parser_bounds_endless_words_and_sentences() -> None:
    """A run of marks is cut into long plain tokens and a sentence that never ends is
    cut every ``MAX_SENTENCE_TOKENS`` tokens; ordinary sentences are left as they are."""
    marks = "Intro words here. " + '"' * (3 * MAX_WORD_CHARS + 7) + " Then it ends."
    doc = parse(marks)
    assert doc.text == marks
    assert max(len(t.text) for t in doc) == MAX_WORD_CHARS
    endless = " ".join(["the guard said the convoy moved"] * 100)
    sentences = [len(s) for s in parse(endless).sents]
    assert len(sentences) > 1 and max(sentences) <= MAX_SENTENCE_TOKENS
    prose = "Gunmen attacked a checkpoint near the town on Monday. Two guards were hurt."
    assert [s.text for s in parse(prose).sents] == [
        "Gunmen attacked a checkpoint near the town on Monday.",
        "Two guards were hurt.",
    ]
