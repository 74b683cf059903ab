"""The web UI as a person uses it: Debian's Chromium, headless, driven through Playwright.

One server and one browser for the module. Without /usr/bin/chromium these tests skip
on a developer machine and fail in CI (``CI`` set). A failing test leaves a screenshot
in ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright

from newstrace.report import write_report
from newstrace.store import DocumentStore, open_store
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.web import speakers
from newstrace.web.app import create_app
from tests.test_web import build_demo_ledger, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
TIGRIS_TITLE = "Four soldiers killed in ambush south of Kirkuk, officials say"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"no {CHROMIUM}: apt-get install chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    return build_demo_ledger(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def store(ledger_db: tuple[str, int]) -> Iterator[DocumentStore]:
    opened = open_store(ledger_db[0])
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def base(store: DocumentStore) -> Iterator[str]:
    with serving(create_app(store)) as url:
        yield url


class Watch:
    """What a page did that it must not: script errors, console errors (CSP refusals), dialogs."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("console", self._console)
        page.on("dialog", self._dialog)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()


def _open_page(
    browser: Browser, request: pytest.FixtureRequest, **options: object
) -> Iterator[Page]:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(5_000)
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _open_page(browser, request, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_without_script(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _open_page(browser, request, viewport=PHONE, java_script_enabled=False)


def test_open_a_document_see_its_quotes_and_follow_one_to_its_speaker(
    page: Page, base: str, store: DocumentStore
) -> None:
    watch = Watch(page)
    page.goto(base)
    page.get_by_role("link", name=TIGRIS_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TIGRIS_TITLE)

    doc = next(d for d in store.documents() if d.title == TIGRIS_TITLE)
    refs = speakers.numbered_quotes(FindingStore(store.engine).quotes(doc.id))
    expect(page.locator(".article mark.quote[id]")).to_have_count(len(refs))
    named = next(r for r in refs if r.quote.speaker.kind.value == "named_person")
    mark = page.locator(f"#{named.anchor}")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text(named.quote.content.text[:30])

    mark.click()  # the quote opens its entry in the side panel
    entry = page.locator(f"#f-{named.anchor}")
    expect(entry).to_have_class(re.compile(r"\bcurrent\b"))
    expect(entry).to_be_in_viewport()
    speaker_link = entry.locator("a.speaker")
    expect(speaker_link).to_be_focused()
    speaker = speakers.speaker_ref(named.quote.speaker)
    speaker_link.click()

    expect(page).to_have_url(f"{base}/speakers/{speaker.slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(speaker.name)
    back = page.locator(f'a.to-span[href="/documents/{doc.id}#{named.anchor}"]')
    back.click()  # and from the speaker back to the exact words
    expect(page).to_have_url(re.compile(rf"/documents/{doc.id}#{named.anchor}$"))
    expect(mark).to_have_class(re.compile(r"\bcurrent\b"))
    expect(mark).to_be_in_viewport()
    assert watch.problems == []


def test_keys_step_through_the_findings(page: Page, base: str, store: DocumentStore) -> None:
    doc = next(d for d in store.documents() if d.title == TIGRIS_TITLE)
    page.goto(f"{base}/documents/{doc.id}")
    spans = page.locator(".article mark.hl[id]")  # one per finding, in text order
    first, second = (spans.nth(i).get_attribute("id") for i in (0, 1))
    page.keyboard.press("j")
    expect(spans.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(spans.nth(1)).to_be_focused()
    expect(page.locator(f"#f-{second}")).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("k")
    expect(spans.nth(0)).to_be_focused()
    expect(page).to_have_url(re.compile(rf"#{first}$"))


def test_hostile_article_runs_nothing_anywhere(
    page: Page, base: str, store: DocumentStore, ledger_db: tuple[str, int], tmp_path: Path
) -> None:
    hostile_id = ledger_db[1]
    hostile_speakers = [s for s in speakers.speakers(store) if hostile_id in s.documents]
    report = write_report(store, tmp_path / "report").parent
    urls = [
        base,
        f"{base}/documents/{hostile_id}",
        f"{base}/search?q=pwned",
        f"{base}/speakers",
        f"{base}/events",
        f"{base}/claims",
        *(f"{base}/speakers/{s.slug}" for s in hostile_speakers),
        *(f"{base}/claims/{c.key}" for c in ClaimStore(store.engine).clusters(doc_id=hostile_id)),
        report.joinpath("index.html").as_uri(),
        report.joinpath("documents", f"{hostile_id}.html").as_uri(),
        report.joinpath("events.html").as_uri(),
    ]
    watch = Watch(page)
    injected = "main script, main img, main svg [onload], main svg[onload], main b, main i"
    for url in urls:
        page.goto(url)
        page.mouse.move(5, 5)
        page.locator("body").hover()  # an onmouseover in the metadata would fire here
        assert page.evaluate("typeof window.__pwned") == "undefined", url
        assert page.locator(injected).count() == 0, url
    page.goto(f"{base}/documents/{hostile_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>window.__pwned")
    expect(page.locator(".article")).to_contain_text('<img src=x onerror="window.__pwned')
    page.goto(f"{base}/search?q=pwned")
    expect(page.locator("main")).to_contain_text("<script>window.__pwned")
    [event] = [e for e in FindingStore(store.engine).events(hostile_id) if e.place]
    assert event.place and event.place.name, "the hostile article's event is on the map"
    for events in (f"{base}/events", report.joinpath("events.html").as_uri()):
        page.goto(events)  # its popup names the hostile article by its title
        page.locator(f'.event-marker[title^="{event.place.name}:"]').focus()
        page.keyboard.press("Enter")
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("<script>window.__pwned")
        assert popup.locator("script, img, svg, b, i, [onerror], [onload]").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
    assert watch.problems == []


def test_reading_by_keyboard_without_javascript_at_phone_width(
    phone_without_script: Page, base: str, store: DocumentStore
) -> None:
    page = phone_without_script
    doc = next(d for d in store.documents() if d.title == TIGRIS_TITLE)
    page.goto(f"{base}/documents/{doc.id}")
    viewport_width = PHONE["width"]
    for part in ("header.site", ".doc-head", ".article", "aside.findings"):
        box = page.locator(part).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport_width, part

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    first_entry = page.locator('a.to-span[href="#q-1"]')
    for _ in range(60):  # a person tabbing through the header, the tools and on to the panel
        page.keyboard.press("Tab")
        if first_entry.evaluate("el => el === document.activeElement"):
            break
    expect(first_entry).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#q-1$"))
    target = page.locator("mark:target")
    expect(target).to_have_attribute("id", "q-1")
    expect(target).to_be_in_viewport()


def test_map_shows_every_placed_event_and_a_popup_leads_to_its_sentence(
    page: Page, base: str, store: DocumentStore
) -> None:
    watch = Watch(page)  # a Leaflet call the policy refused would show up here
    page.goto(base)
    page.get_by_role("link", name="Events", exact=True).click()
    placed = [e for e in FindingStore(store.engine).events() if e.place and e.place.latitude]
    places = {(e.place.latitude, e.place.longitude) for e in placed if e.place}
    markers = page.locator(".event-marker")
    expect(markers).to_have_count(len(places))
    assert sum(int(n) for n in markers.all_inner_texts()) == len(placed)
    expect(page.locator("#map .leaflet-overlay-pane path").first).to_be_attached()  # borders

    markers.first.focus()  # a marker is a button: the keyboard opens it
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup-content a").first
    href = link.get_attribute("href")
    assert href is not None
    link.click()
    expect(page).to_have_url(f"{base}{href}")
    target = page.locator("mark:target")
    expect(target).to_have_attribute("id", href.split("#")[1])
    expect(target).to_be_in_viewport()
    assert watch.problems == []


def test_open_a_claim_see_its_provenance_graph_and_follow_it_to_the_origin(
    page: Page, base: str, store: DocumentStore
) -> None:
    watch = Watch(page)
    claim = next(
        c
        for c in ClaimStore(store.engine).clusters()
        if any(e.direction != "undetermined" for e in c.edges)
    )
    page.goto(base)
    page.get_by_role("link", name="Claims", exact=True).click()
    page.locator(f'a[href="/claims/{claim.key}"]').click()
    graph = page.locator("svg.provenance")
    expect(graph).to_be_visible()
    expect(graph.locator("a.node")).to_have_count(len(claim.documents))
    expect(graph.locator("line.copy")).to_have_count(len(claim.edges))
    box = graph.bounding_box()
    assert box is not None and box["height"] > 100  # copies sit a row below their origin
    page.emulate_media(media="print")  # a one-page summary: no site chrome, the graph kept
    expect(page.locator("header.site")).to_be_hidden()
    expect(graph).to_be_visible()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    page.emulate_media(media="screen")
    origin = next(e.origin_doc for e in claim.edges if e.direction != "undetermined")
    graph.locator(f'a.node[data-doc="{origin}"]').focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/documents/{origin}")
    assert watch.problems == []


def test_search_finds_a_quote_and_leads_to_its_words(
    page: Page, base: str, store: DocumentStore
) -> None:
    doc = next(d for d in store.documents() if d.title == TIGRIS_TITLE)
    refs = speakers.numbered_quotes(FindingStore(store.engine).quotes(doc.id))
    ref = max(refs, key=lambda r: len(r.quote.content.text))
    words = " ".join(re.findall(r"\w{4,}", ref.quote.content.text)[:3])
    page.goto(base)
    page.get_by_role("searchbox").fill(words)
    page.keyboard.press("Enter")
    hit = page.locator(f'#hits-quotes + ol a.to-span[href="/documents/{doc.id}#{ref.anchor}"]')
    hit.click()
    target = page.locator("mark:target")
    expect(target).to_have_attribute("id", ref.anchor)
    expect(target).to_be_in_viewport()


def test_events_and_copy_trees_read_without_javascript_at_phone_width(
    phone_without_script: Page, base: str, store: DocumentStore
) -> None:
    page = phone_without_script
    page.goto(f"{base}/events")
    expect(page.get_by_text("The map needs JavaScript")).to_be_visible()
    rows = page.locator("table.events tbody tr")
    expect(rows).to_have_count(FindingStore(store.engine).count_events())
    claim = next(c for c in ClaimStore(store.engine).clusters() if c.edges)
    for url in (f"{base}/events", f"{base}/claims/{claim.key}"):
        page.goto(url)
        for part in ("header.site", "main h1", "main table", "main svg"):
            box = page.locator(part).first.bounding_box()
            assert box is not None and box["x"] >= 0, (url, part)
            assert box["x"] + box["width"] <= PHONE["width"], (url, part)
    first_link = page.locator("main a.to-span").first
    href = first_link.get_attribute("href")
    first_link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}{href}")
