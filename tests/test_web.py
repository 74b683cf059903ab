"""The ledger's views over HTTP: documents, the reader, speakers, search, and the guards.

A real uvicorn server on 127.0.0.1 serves a store built by the real pipeline from the
demo corpus plus one hostile article (markup and event handlers in its title and text).
The browser tests (``test_web_browser.py``) reuse the helpers defined here.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from markupsafe import escape

from newstrace.ingest import IngestOptions
from newstrace.ingest.manifest import load_manifest
from newstrace.pipeline import analyze_pending, build_claims, ingest, link_pending
from newstrace.records import DirectionBasis, Grade, SpeakerKind
from newstrace.report import write_report
from newstrace.store import DocumentStore, open_store
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.web import events as event_view
from newstrace.web import ledger, speakers
from newstrace.web.app import create_app
from newstrace.web.highlight import Highlight, Token, tokens
from newstrace.web.search import search
from tests.conftest import PROJECT_ROOT, CliRun

DEMO = PROJECT_ROOT / "examples" / "demo"
HOSTILE_TITLE = (
    '<script>window.__pwned = "title"</script> Checkpoint '
    "<img src=x onerror=\"window.__pwned = 'title img'\"> attacked"
)
HOSTILE_TEXT = (
    "Militants attacked a checkpoint near Mosul on Monday, the governor said.\n"
    '"<script>window.__pwned = "text"</script> They will pay for this," said Colonel '
    "Hamid Saleh, a police commander.\n"
    "Residents posted <img src=x onerror=\"window.__pwned = 'img'\"> and "
    "<svg onload=\"window.__pwned = 'svg'\"></svg> online, a witness told reporters.\n"
)
HOSTILE = {
    "text": HOSTILE_TEXT,
    "title": HOSTILE_TITLE,
    "outlet": '<b onmouseover="window.__pwned = 1">Frontier</b> Wire',
    "byline": "<i>Staff</i>",
    "url": "javascript:window.__pwned = 'url'",
    "published": "2025-03",
}
TOKEN = "s3cret-token"
STARTUP_S = 10.0


# --- Shared with the browser tests ---------------------------------------------------


def build_demo_ledger(folder: Path) -> tuple[str, int]:
    """Ingest and analyse the demo corpus and the hostile article into ``folder``.

    Returns the database path and the hostile document's id.
    """
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    db = str(folder / "ledger.db")
    store = open_store(db)
    try:
        options = IngestOptions(manifest=load_manifest(DEMO / "manifest.yaml"))
        ingest(store, [str(DEMO / "articles")], options)
        [hostile_id] = ingest(store, [str(hostile)], IngestOptions()).document_ids
        analyze_pending(store)
        link_pending(store)
        build_claims(store)
    finally:
        store.close()
    return db, hostile_id


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            thread.join(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


# --- Fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DocumentStore, int]]:
    db, hostile_id = build_demo_ledger(tmp_path_factory.mktemp("web"))
    store = open_store(db)
    yield store, hostile_id
    store.close()


@pytest.fixture(scope="module")
def store(demo: tuple[DocumentStore, int]) -> DocumentStore:
    return demo[0]


@pytest.fixture(scope="module")
def hostile_id(demo: tuple[DocumentStore, int]) -> int:
    return demo[1]


@pytest.fixture(scope="module")
def site(store: DocumentStore) -> Iterator[httpx.Client]:
    with serving(create_app(store)) as base, httpx.Client(base_url=base) as client:
        yield client


@pytest.fixture(scope="module")
def guarded(store: DocumentStore) -> Iterator[str]:
    """The same ledger behind a token, as ``serve --host 0.0.0.0 --token`` runs it."""
    with serving(create_app(store, TOKEN, allowed_hosts=None)) as base:
        yield base


def _article_html(page: str) -> str:
    found = re.search(r'<div class="article">(.*?)</div>\n</section>', page, re.DOTALL)
    assert found, "the reader shows the article text"
    return found.group(1)


# --- Highlighting --------------------------------------------------------------------


def _markup(text: str, highlights: list[Highlight]) -> str:
    """Tokens as a compact string: ``[finding:`` opens (``[=`` a later piece), ``]`` closes."""
    parts = []
    for t in tokens(text, highlights):
        if t.tag == "open":
            assert t.highlight is not None
            parts.append(f"[{t.highlight.finding}{':' if t.first else '='}")
        else:
            parts.append(t.text if t.tag == "text" else "]")
    return "".join(parts)


def test_nested_highlights_nest() -> None:
    spans = [Highlight(0, 10, "q-1", "quote"), Highlight(2, 4, "q-1s", "speaker")]
    assert _markup("abcdefghij", spans) == "[q-1:ab[q-1s:cd]efghij]"


def test_crossing_highlights_are_split_and_only_the_first_piece_is_the_anchor() -> None:
    spans = [Highlight(3, 8, "b", "quote"), Highlight(0, 5, "a", "quote")]
    assert _markup("abcdefghij", spans) == "[a:abc[b:de]][b=fgh]ij"


def test_ties_and_bad_spans_are_deterministic() -> None:
    spans = [
        Highlight(0, 3, "q-2", "quote"),
        Highlight(0, 3, "q-1", "quote"),
        Highlight(2, 2, "empty", "quote"),
        Highlight(5, 99, "past-the-end", "quote"),
    ]
    assert _markup("abcdef", spans) == "[q-1:[q-2:abc]]def"
    assert _markup("abcdef", list(reversed(spans))) == "[q-1:[q-2:abc]]def"
    assert tokens("", spans) == []


def test_random_highlights_always_nest_and_cover_their_spans() -> None:
    rng = random.Random(7)
    text = "".join(rng.choice("ab <&>\n") for _ in range(60))
    for _ in range(300):
        spans = []
        for n in range(rng.randint(0, 8)):
            start = rng.randint(0, len(text) - 1)
            spans.append(Highlight(start, rng.randint(start + 1, len(text)), f"f{n}", "quote"))
        out = tokens(text, spans)
        assert "".join(t.text for t in out) == text
        depth, covered, open_now = 0, {h: 0 for h in spans}, []
        for t in out:
            if t.tag == "open":
                assert t.highlight is not None
                open_now.append(t.highlight)
                depth += 1
            elif t.tag == "close":
                open_now.pop()
                depth -= 1
                assert depth >= 0
            else:
                for h in open_now:
                    covered[h] += len(t.text)
        assert depth == 0
        assert all(covered[h] == h.end - h.start for h in spans)
        firsts = [t.highlight for t in out if t.first]
        assert sorted(firsts, key=repr) == sorted(set(spans), key=repr)


def test_tokens_never_carry_markup() -> None:
    assert all(isinstance(t, Token) for t in tokens("<b>", [Highlight(0, 3, "x", "quote")]))


# --- Views ---------------------------------------------------------------------------


def test_documents_list_shows_outlet_date_precision_and_counts(
    site: httpx.Client, store: DocumentStore
) -> None:
    page = site.get("/").text
    quotes = FindingStore(store.engine).quotes()
    for doc in store.documents():
        row = re.search(rf'<tr id="doc-{doc.id}">(.*?)</tr>', page, re.DOTALL)
        assert row, f"document {doc.id} is listed"
        cells = row.group(1)
        assert escape(doc.outlet or "unknown") in cells
        if doc.published:
            assert f'<time datetime="{doc.published.iso()}">' in cells
            assert f'<span class="precision">{doc.published.precision}</span>' in cells
        else:
            assert "unknown" in cells
        count = sum(q.content.span.doc_id == doc.id for q in quotes)
        assert f'<td class="num" data-label="Quotes">{count}</td>' in cells


def test_reader_highlights_every_quote_in_place_and_links_each_to_its_span(
    site: httpx.Client, store: DocumentStore
) -> None:
    doc = next(d for d in store.documents() if d.outlet == "Tigris Wire")
    page = site.get(f"/documents/{doc.id}").text
    article = _article_html(page)
    assert html.unescape(re.sub(r"<[^>]+>", "", article)) == doc.text  # every character kept
    refs = speakers.numbered_quotes(FindingStore(store.engine).quotes(doc.id))
    assert len(refs) >= 10
    for ref in refs:
        mark = re.search(
            rf'<mark class="hl quote v-(\w+)" data-finding="{ref.anchor}" id="{ref.anchor}"',
            article,
        )
        assert mark and mark.group(1) == ref.quote.speaker.kind.value
        assert f'<li id="f-{ref.anchor}"' in page and f'href="#{ref.anchor}"' in page
    kinds = {ref.quote.speaker.kind for ref in refs}
    assert {SpeakerKind.NAMED_PERSON, SpeakerKind.ANONYMOUS_PERSON} <= kinds


def test_reader_shows_each_kind_of_finding_and_reuse_links_both_ways(
    site: httpx.Client, store: DocumentStore
) -> None:
    copy = next(d for d in store.documents() if d.outlet == "Gulf Horizon News")
    page = site.get(f"/documents/{copy.id}").text
    article = _article_html(page)
    for kind in ledger.KINDS:
        assert f'id="sec-{kind.key}"' in page
    for role, first in (("event", "e-1"), ("place", "p-1"), ("time", "t-1"), ("figure", "n-1")):
        assert f'<mark class="hl {role} ' in article and f'id="{first}"' in article
    # A passage copied from the Tigris Wire links to the same words there, and back.
    elsewhere = re.findall(r'class="elsewhere" href="/documents/(\d+)#(r-\d+-\d+)"', page)
    assert elsewhere
    origin_id, there = elsewhere[0]
    origin = site.get(f"/documents/{origin_id}").text
    assert f'id="{there}"' in _article_html(origin)
    assert re.search(rf'class="elsewhere" href="/documents/{copy.id}#r-{origin_id}-\d+"', origin)


def test_speakers_page_counts_documents_and_anonymity(
    site: httpx.Client, store: DocumentStore
) -> None:
    page = site.get("/speakers").text
    everyone = speakers.speakers(store)
    assert sum(s.quote_count for s in everyone) == FindingStore(store.engine).count_quotes()
    anonymous = next(s for s in everyone if s.kind is SpeakerKind.ANONYMOUS_PERSON)
    assert anonymous.anonymous == anonymous.quote_count
    named = next(s for s in everyone if s.kind is SpeakerKind.NAMED_PERSON and s.descriptions)
    assert f'href="/speakers/{named.slug}"' in page
    detail = site.get(f"/speakers/{named.slug}").text
    assert escape(named.name) in detail
    quotes = speakers.speaker_quotes(store, named)
    assert len(quotes) == named.quote_count
    for ref in quotes:
        assert f'href="/documents/{ref.doc_id}#{ref.anchor}"' in detail
    for description in named.descriptions:
        assert escape(description) in detail
    assert site.get("/speakers/nobody-000000").status_code == 404


def test_search_finds_documents_quotes_and_speakers(site: httpx.Client) -> None:
    page = site.get("/search", params={"q": "haddawi"}).text
    assert 'class="snippet"' in page and '<mark class="hit">Haddawi</mark>' in page
    quotes = page.split('id="hits-quotes"')[1].split('id="hits-speakers"')[0]
    assert 'class="quote-item' in quotes and "Haddawi" in quotes
    speakers = page.split('id="hits-speakers"')[1]
    assert "Karim Haddawi" in speakers


@pytest.mark.parametrize("query", ["%", "x_y", "' OR 1=1 --", "\\", "%' --"])
def test_search_words_are_data_not_sql(site: httpx.Client, query: str) -> None:
    response = site.get("/search", params={"q": query})
    assert response.status_code == 200
    assert "No document." in response.text  # wildcards and quotes match only themselves


# --- Events, map and timeline ------------------------------------------------------


def _event_rows(page: str) -> list[str]:
    return re.findall(r'<tr id="event-\d+"[^>]*>(.*?)</tr>', page, re.DOTALL)


def _map_points(page: str) -> list[dict[str, object]]:
    found = re.search(r'<script type="application/json" id="event-data">(.*?)</script>', page)
    assert found, "the events page hands the map its data as JSON"
    points: list[dict[str, object]] = json.loads(found.group(1))
    return points


def test_events_list_links_each_event_to_its_words_in_the_reader(
    site: httpx.Client, store: DocumentStore
) -> None:
    page = site.get("/events").text
    findings = FindingStore(store.engine)
    assert len(_event_rows(page)) == findings.count_events() > 10
    doc = next(d for d in store.documents() if d.outlet == "Tigris Wire")
    reader = _article_html(site.get(f"/documents/{doc.id}").text)
    for n, event in enumerate(findings.events(doc.id), start=1):
        link = f'<a class="to-span" href="/documents/{doc.id}#e-{n}">'
        assert link + f"“{escape(ledger.excerpt(event.sentence.text))}”" in page
        mark = re.search(rf'<mark class="hl event[^>]*id="e-{n}"[^>]*>([^<]*)', reader)
        assert mark and html.unescape(mark.group(1)) == event.trigger.text


def test_map_data_holds_every_placed_event_with_a_link_to_its_sentence(
    site: httpx.Client, store: DocumentStore
) -> None:
    page = site.get("/events").text
    points = _map_points(page)
    placed = [e for e in FindingStore(store.engine).events() if e.place and e.place.latitude]
    assert len(points) == len(placed) > 0
    assert sorted((p["lat"], p["lon"]) for p in points) == sorted(
        (e.place.latitude, e.place.longitude) for e in placed if e.place
    )
    doc_id, anchor = str(points[0]["href"]).removeprefix("/documents/").split("#")
    assert f'id="{anchor}"' in _article_html(site.get(f"/documents/{doc_id}").text)
    for script in re.findall(r'<script src="([^"]+)"', page):
        response = site.get(script)  # every script the map needs is served from here
        assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    borders = site.get("/map/countries.js").text
    assert borders.startswith("window.newstraceCountries = {") and '"countries"' in borders


def test_event_filters_narrow_by_type_actor_country_and_dates(
    site: httpx.Client, store: DocumentStore
) -> None:
    stored = FindingStore(store.engine).events()
    actor = next(e.actor1 for e in stored if e.actor1)
    start, end = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
    cases = {
        ("country", "Iraq"): [e for e in stored if e.place and e.place.country == "Iraq"],
        ("actor", actor): [e for e in stored if actor in (e.actor1, e.actor2)],
        ("type", "Battles"): [e for e in stored if e.event_type == "Battles"],
    }
    for (name, value), expected in cases.items():
        page = site.get("/events", params={name: value}).text
        assert len(_event_rows(page)) == len(expected) > 0, name
        assert f"<option selected>{escape(value)}</option>" in page
    page = site.get("/events", params={"type": "Battles", "from": "2025-03-01", "to": "2025-03-31"})
    in_march = [
        e
        for e in cases[("type", "Battles")]
        if e.date and e.date.start and start <= e.date.start <= end
    ]
    assert len(_event_rows(page.text)) == len(in_march)
    # An empty date field (as a form sends it) is no filter; a broken one is refused.
    assert len(_event_rows(site.get("/events?from=&to=").text)) == len(stored)
    assert site.get("/events", params={"from": "2025-13-01"}).status_code == 400
    for hostile in ("' OR 1=1 --", "%", "<script>"):
        response = site.get("/events", params={"country": hostile, "actor": hostile})
        assert response.status_code == 200 and "No event matches the filters." in response.text


def test_timeline_counts_each_dated_event_once_and_its_bars_filter_the_list(
    site: httpx.Client, store: DocumentStore
) -> None:
    page = site.get("/events").text
    bars = re.findall(
        r'<a href="(/events\?[^"]+)"><rect class="bar"[^>]*><title>([\d-]+): (\d+) events?</title>',
        page,
    )
    stored = FindingStore(store.engine).events()
    precise = [e for e in stored if e.date and e.date.start and e.date.precision in ("day", "week")]
    assert sum(int(n) for _, _, n in bars) == len(precise) > 0
    href, label, n = bars[-1]
    narrowed = site.get(html.unescape(href)).text
    assert len(_event_rows(narrowed)) == sum(
        1 for e in stored if e.date and e.date.start and e.date.start.isoformat() == label
    )
    assert int(n) <= len(_event_rows(narrowed))


# --- Claims --------------------------------------------------------------------------


def _every_page(site: httpx.Client, path: str, **params: str) -> list[str]:
    """Every page of a list shown a page at a time, following its "next" links."""
    found = [site.get(path, params=params).text]
    while following := re.search(r'<a rel="next" href="\?([^"]+)"', found[-1]):
        found.append(site.get(f"{path}?{html.unescape(following.group(1))}").text)
    return found


def test_claims_list_every_cluster_and_filter_by_grade(
    site: httpx.Client, store: DocumentStore
) -> None:
    clusters = ClaimStore(store.engine).clusters()
    assert len(clusters) > 10
    pages = _every_page(site, "/claims")
    listed = [key for page in pages for key in re.findall(r'<tr id="claim-([^"]+)">', page)]
    # Every cluster once, those several documents share first, then by key.
    assert listed == [c.key for c in sorted(clusters, key=lambda c: (-len(c.documents), c.key))]
    for cluster in clusters:
        assert any(f'href="/claims/{cluster.key}"' in page for page in pages)
    named = [c for c in clusters if c.grade is Grade.SINGLE_NAMED]
    narrowed = _every_page(site, "/claims", grade="single_named")
    assert sum(len(re.findall(r'<tr id="claim-', page)) for page in narrowed) == len(named) > 0
    assert site.get("/claims", params={"grade": "'; DROP"}).status_code == 400
    assert site.get("/claims", params={"page": len(pages) + 1}).status_code == 404
    assert site.get("/claims/no-such-claim").status_code == 404


def test_claim_page_draws_its_provenance_and_links_every_item_to_its_words(
    site: httpx.Client, store: DocumentStore
) -> None:
    clusters = ClaimStore(store.engine).clusters()
    copied = next(c for c in clusters if c.edges and len(c.documents) > 1)
    page = site.get(f"/claims/{copied.key}").text
    svg = page.split('<svg class="provenance"')[1].split("</svg>")[0]
    for doc_id in copied.documents:
        assert f'<a class="node" href="/documents/{doc_id}" data-doc="{doc_id}">' in svg
    for edge in copied.edges:
        ends = f'data-origin="{edge.origin_doc}" data-derived="{edge.derived_doc}"'
        line = re.search(rf'<line class="copy[^"]*"[^>]*{ends}', svg)
        arrow = edge.direction is not DirectionBasis.UNDETERMINED
        assert line and ('marker-end="url(#arrowhead)"' in line.group(0)) == arrow
        for note in edge.notes:
            assert f'<p class="change">{escape(note)}</p>' in page
    readers: dict[int, str] = {}
    links = re.findall(r'class="to-span" href="/documents/(\d+)#([\w-]+)"', page)
    assert len(links) == len(copied.members)  # every member links to its exact words
    for doc_id, anchor in links:
        if doc_id not in readers:
            readers[doc_id] = _article_html(site.get(f"/documents/{doc_id}").text)
        assert f'id="{anchor}"' in readers[doc_id]


def test_reader_marks_the_words_each_claim_rests_on_and_links_to_the_claim(
    site: httpx.Client, store: DocumentStore
) -> None:
    doc = next(d for d in store.documents() if d.outlet == "Tigris Wire")
    clusters = ClaimStore(store.engine).clusters(doc_id=doc.id)
    spans = [
        (m.evidence.span, c.key)
        for c in clusters
        for m in c.members
        if m.evidence.span.doc_id == doc.id
    ]
    page = site.get(f"/documents/{doc.id}").text
    article = _article_html(page)
    assert f'<h2>Claims <span class="count">{len(spans)}</span></h2>' in page
    marks = re.findall(r'<mark class="hl claim v-(\w+)" data-finding="c-\d+" id="c-\d+"', article)
    assert len(marks) == len(spans) > 0  # one anchored mark per claimed stretch
    assert set(marks) == {c.grade.name.lower() for c in clusters}
    for _, key in spans:
        assert f'<a class="claim" href="/claims/{key}">claim {key}</a>' in page


def test_claim_page_tabulates_disagreeing_figures(site: httpx.Client, store: DocumentStore) -> None:
    disputed = next(c for c in ClaimStore(store.engine).clusters() if c.disagreements)
    page = site.get(f"/claims/{disputed.key}").text
    table = page.split('<table class="figures stack">')[1].split("</table>")[0]
    [found] = disputed.disagreements[:1]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.DOTALL)
    assert len(rows) == len(found.values)
    for row, value in zip(rows, found.values, strict=True):
        assert f'href="/documents/{value.doc_id}' in row
        assert f"“{escape(value.figure.mention.text)}”" in row
        assert escape(value.source.name) in row


@pytest.mark.postgres
def test_views_read_the_same_on_postgres(postgres_url: str) -> None:
    """Events (window numbering, JSON paths), speakers (grouped in SQL) and search (full
    text) on PostgreSQL, for two demo articles analysed there."""
    pg = open_store(postgres_url)
    try:
        options = IngestOptions(manifest=load_manifest(DEMO / "manifest.yaml"))
        articles = ["tigris-wire-kirkuk-ambush.txt", "gulf-horizon-kirkuk-toll-rises.html"]
        ingest(pg, [str(DEMO / "articles" / name) for name in articles], options)
        analyze_pending(pg)
        findings = FindingStore(pg.engine)
        found, total = event_view.events(pg, event_view.EventFilter())
        assert total == len(found) == findings.count_events() > 0
        for doc in pg.documents():
            mine = [e for e in found if e.doc_id == doc.id]
            stored = findings.events(doc.id)
            by_anchor = {e.anchor: e.sentence for e in mine}
            assert by_anchor == {f"e-{n}": e.sentence.text for n, e in enumerate(stored, 1)}
        timeline = event_view.timeline(pg, event_view.EventFilter())
        assert sum(b.count for b in timeline.bars) + timeline.vague + timeline.undated == total
        everyone = speakers.speakers(pg)
        quotes = findings.quotes()
        assert sum(s.quote_count for s in everyone) == len(quotes)
        assert sum(s.anonymous for s in everyone) == sum(
            q.speaker.kind.value.startswith("anonymous") or q.speaker.anonymity is not None
            for q in quotes
        )
        results = search(pg, "haddawi")
        assert results.documents and results.quotes
        assert any("Haddawi" in s.name for s in results.speakers)
    finally:
        pg.close()


def test_missing_pages_and_bad_addresses(site: httpx.Client) -> None:
    assert site.get("/documents/9999").status_code == 404
    assert site.get("/nowhere").status_code == 404
    assert site.get("/?page=0").status_code == 400
    assert site.get("/?page=99").status_code == 404
    assert site.get("/search", params={"q": "x" * 201}).status_code == 400


# --- Untrusted input -----------------------------------------------------------------


def _assert_inert(page: str) -> None:
    """No markup from the hostile article survives as markup."""
    for payload in ("<script>window", "<img src=x", "<svg onload", "<b onmouseover", "<i>Staff"):
        assert payload not in page
    assert 'href="javascript' not in page


def test_hostile_article_is_escaped_in_every_view(
    site: httpx.Client, store: DocumentStore, hostile_id: int
) -> None:
    pages = {
        "list": site.get("/").text,
        "reader": site.get(f"/documents/{hostile_id}").text,
        "search": site.get("/search", params={"q": "pwned"}).text,
        "speakers": site.get("/speakers").text,
        "events": site.get("/events").text,
        "claims": site.get("/claims").text,
    }
    hostile_speakers = [s for s in speakers.speakers(store) if hostile_id in s.documents]
    assert hostile_speakers, "the hostile article's quotes are in the ledger"
    for found in hostile_speakers:
        pages[found.slug] = site.get(f"/speakers/{found.slug}").text
    hostile_claims = ClaimStore(store.engine).clusters(doc_id=hostile_id)
    assert hostile_claims, "the hostile article's quotes are claims too"
    for cluster in hostile_claims:
        pages[cluster.key] = site.get(f"/claims/{cluster.key}").text
    for page in pages.values():
        _assert_inert(page)
    assert "&lt;script&gt;window.__pwned" in pages["list"]
    reader = pages["reader"]
    assert "&lt;img src=x onerror=" in _article_html(reader)
    assert re.search(r'<mark class="hl quote[^>]*>[^<]*&lt;img src=x onerror=', reader)
    assert "javascript:window.__pwned = &#39;url&#39;" in reader  # shown as text, not linked


def test_static_report_renders_the_same_views_inert(
    store: DocumentStore, hostile_id: int, tmp_path: Path
) -> None:
    index = write_report(store, tmp_path / "report")
    folder = index.parent
    clusters = ClaimStore(store.engine).clusters()
    pages = [index, *folder.glob("documents/*.html"), *folder.glob("speakers/*.html")]
    pages += folder.glob("claims/*.html")
    assert len(pages) == 3 + store.count() + len(speakers.speakers(store)) + len(clusters)
    for path in pages:
        page = path.read_text(encoding="utf-8")
        _assert_inert(page)
        assert "<script" not in page  # only the map runs script
        assert "default-src 'none'" in page
    reader = (folder / "documents" / f"{hostile_id}.html").read_text(encoding="utf-8")
    assert 'class="hl quote' in reader and 'href="../speakers/' in reader
    assert 'href="claims/index.html"' in index.read_text(encoding="utf-8")

    events = (folder / "events.html").read_text(encoding="utf-8")
    _assert_inert(events)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', events)
    assert csp, "the events page states its policy"
    directives = dict(d.strip().split(" ", 1) for d in csp.group(1).split(";"))
    assert directives["script-src"] == "'self'"  # the shipped files only, nothing inline
    for script in re.findall(r'<script src="([^"]+)"', events):
        assert (folder / script).is_file(), script  # everything the map needs is in the folder
    assert "window.newstraceCountries = {" in (folder / "static/countries.js").read_text()
    assert (folder / "static/vendor/leaflet/LICENSE").is_file()


# --- Guards --------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(site: httpx.Client) -> None:
    for path in ("/", "/documents/1", "/static/style.css", "/static/reader.js", "/nowhere"):
        response = site.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"


def test_read_only(site: httpx.Client) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "HEAD"):
        response = site.request(method, "/documents/1")
        assert response.status_code == 405
        assert "content-security-policy" in response.headers


def test_loopback_server_refuses_foreign_host_names(site: httpx.Client) -> None:
    """A page on another site that rebinds its name to 127.0.0.1 still cannot read the ledger."""
    assert site.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert site.get("/", headers={"Host": "localhost:8000"}).status_code == 200


def test_token_is_checked_on_every_request(guarded: str) -> None:
    with httpx.Client(base_url=guarded, headers={"Host": "ledger.example"}) as client:
        for path in ("/", "/documents/1", "/static/style.css", "/search?q=a"):
            assert client.get(path).status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        bearer = client.get("/", headers={"Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 200
        # A browser presents the token once in the address, then holds it as a cookie.
        handed = client.get("/search", params={"q": "kirkuk", "token": TOKEN})
        assert handed.status_code == 303 and handed.headers["location"] == "/search?q=kirkuk"
        assert "HttpOnly" in handed.headers["set-cookie"]
        assert client.get("/search?q=kirkuk").status_code == 200


def test_serve_refuses_an_open_address_without_a_token(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSTRACE_TOKEN", raising=False)
    result = cli("serve", "--host", "0.0.0.0", "--db", str(tmp_path / "ledger.db"))
    assert result.exit_code == 1
    assert "needs a token" in result.stderr


def test_serve_runs_the_app_on_loopback_by_default(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "ledger.db")
    assert cli("serve", "--db", db).stderr.startswith(f"error: {db}: no such database")
    open_store(db).close()
    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(kw, app=app))
    result = cli("serve", "--db", db, "--port", "8123")
    assert result.exit_code == 0, result.output
    assert started["host"] == "127.0.0.1" and started["port"] == 8123
    assert isinstance(started["app"], FastAPI)
    assert "http://127.0.0.1:8123/" in result.stdout

    monkeypatch.setenv("NEWSTRACE_TOKEN", TOKEN)
    result = cli("serve", "--host", "0.0.0.0", "--db", db)
    assert result.exit_code == 0 and "token required" in result.stdout
    assert started["host"] == "0.0.0.0"
