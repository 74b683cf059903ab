"""Long lists a page at a time, and the ledger-wide aggregates kept between requests.

The ledger is the load benchmark's (``bench/load.py``: built through the stores, no
language model), small enough to build in seconds but longer than one page of every
list; two more documents hold an event with no date, which must list after every dated one.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newstrace.records import Analysis, DocumentInput, Event, Mention, Span
from newstrace.store import DocumentStore, open_store
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.web import speakers as speaker_view
from newstrace.web.app import PAGE_SIZE, create_app
from newstrace.web.cache import LedgerCache
from tests.conftest import PROJECT_ROOT
from tests.test_web import serving

sys.path.insert(0, str(PROJECT_ROOT / "bench"))

import load  # bench/ is a folder of scripts, not a package

DOCUMENTS = 260  # 3 pages of documents, 8 of events, 2 of claims
UNDATED = "Shells were fired at the market.\n"


def _undated(store: DocumentStore, index: int) -> int:
    """A document whose one event has no date."""
    text = f"Report {index}. {UNDATED}"
    added = store.add(DocumentInput(text=text, source=f"undated/{index}", source_format="text"))
    doc_id = added.document_id
    at = text.index(UNDATED.strip())
    sentence = Mention(UNDATED.strip(), Span(doc_id, at, at + len(UNDATED.strip())))
    trigger_at = text.index("fired")
    trigger = Mention("fired", Span(doc_id, trigger_at, trigger_at + 5))
    event = Event(trigger=trigger, sentence=sentence, event_type="Battles")
    FindingStore(store.engine).save(Analysis(doc_id, True, events=(event,)), "test")
    return doc_id


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocumentStore]:
    db = str(tmp_path_factory.mktemp("paging") / "ledger.db")
    load.build_ledger(db, DOCUMENTS)
    opened = open_store(db)
    for index in range(2):
        _undated(opened, index)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def site(store: DocumentStore) -> Iterator[httpx.Client]:
    with serving(create_app(store)) as base, httpx.Client(base_url=base) as client:
        yield client


def _every_page(site: httpx.Client, path: str, **params: str) -> list[str]:
    """Every page of a list, following its "next" links from the first."""
    found = [site.get(path, params=params).text]
    while following := re.search(r'<a rel="next" href="\?([^"]+)"', found[-1]):
        response = site.get(f"{path}?{html.unescape(following.group(1))}")
        assert response.status_code == 200
        found.append(response.text)
    return found


def test_documents_list_pages_hold_every_document_once(
    site: httpx.Client, store: DocumentStore
) -> None:
    pages = _every_page(site, "/")
    listed = [int(i) for page in pages for i in re.findall(r'<tr id="doc-(\d+)">', page)]
    assert listed == [d.id for d in store.documents()]
    assert len(pages) == -(-store.count() // PAGE_SIZE) > 2
    assert site.get("/", params={"page": len(pages) + 1}).status_code == 404


def test_events_pages_list_every_event_by_date_undated_last(
    site: httpx.Client, store: DocumentStore
) -> None:
    stored = FindingStore(store.engine).events()
    pages = _every_page(site, "/events")
    listed = [row for page in pages for row in re.findall(r'<tr id="event-(\d+)"', page)]
    assert len(listed) == len(set(listed)) == len(stored) > 7 * PAGE_SIZE
    dates = [
        re.findall(r'<time datetime="([\d-]+)">|<span class="muted">(undated)</span>', page)
        for page in pages
    ]
    days = [day for page in dates for day, _ in page]
    assert days[-2:] == ["", ""] and "" not in days[:-2]  # undated last
    assert days[:-2] == sorted(days[:-2])
    # The map shows the events of its page (every one placed here).
    points = re.findall(r'"href": "/documents/\d+#e-\d+"', pages[0].split('id="event-data"')[1])
    assert len(points) == PAGE_SIZE
    battles = _every_page(site, "/events", type="Battles")
    rows = sum(len(re.findall(r'<tr id="event-', page)) for page in battles)
    assert rows == sum(e.event_type == "Battles" for e in stored)
    assert all("<option selected>Battles</option>" in page for page in battles)
    assert site.get("/events", params={"page": len(pages) + 1}).status_code == 404


def test_claims_and_speakers_pages(site: httpx.Client, store: DocumentStore) -> None:
    clusters = ClaimStore(store.engine).clusters()
    pages = _every_page(site, "/claims")
    listed = [key for page in pages for key in re.findall(r'<tr id="claim-([^"]+)">', page)]
    assert sorted(listed) == sorted(c.key for c in clusters) and len(pages) > 1
    everyone = speaker_view.speakers(store)
    busiest = everyone[0]
    whole = speaker_view.speaker_quotes(store, busiest)
    assert len(whole) == busiest.quote_count > 5
    paged = [
        ref
        for offset in range(0, len(whole), 5)
        for ref in speaker_view.speaker_quotes(store, busiest, offset, 5)
    ]
    assert [(r.doc_id, r.anchor) for r in paged] == [(r.doc_id, r.anchor) for r in whole]
    page = site.get(f"/speakers/{busiest.slug}").text
    links = re.findall(r'class="to-span" href="([^"]+)"', page)
    assert links == [f"/documents/{r.doc_id}#{r.anchor}" for r in whole]
    listed_speakers = [
        slug
        for page in _every_page(site, "/speakers")
        for slug in re.findall(r'<td><a href="/speakers/([^"]+)">', page)
    ]
    assert listed_speakers == [s.slug for s in everyone]


def test_cache_recomputes_once_the_ledger_changes(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "ledger.db"))
    cache = LedgerCache(store.engine)
    computed: list[int] = []

    def count() -> int:
        computed.append(1)
        return store.count()

    first = cache.get("documents", count)
    assert cache.get("documents", count) == first and len(computed) == 1
    _undated(store, 99)  # a new document and its analysis
    assert cache.get("documents", count) == first + 1 and len(computed) == 2
    FindingStore(store.engine).save(Analysis(1, True), "again")  # an analysis only
    cache.get("documents", count)
    assert len(computed) == 3
    store.close()
