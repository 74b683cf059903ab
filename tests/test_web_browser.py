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
from newstrace.store.findings import FindingStore
from newstrace.web import ledger
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
    refs = ledger.numbered_quotes(FindingStore(store.engine).quotes(doc.id))
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
    speaker = ledger.speaker_ref(named.quote.speaker)
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
    speakers = [s for s in ledger.speakers(store) if hostile_id in s.documents]
    report = write_report(store, tmp_path / "report").parent
    urls = [
        base,
        f"{base}/documents/{hostile_id}",
        f"{base}/search?q=pwned",
        f"{base}/speakers",
        *(f"{base}/speakers/{s.slug}" for s in speakers),
        report.joinpath("index.html").as_uri(),
        report.joinpath("documents", f"{hostile_id}.html").as_uri(),
    ]
    watch = Watch(page)
    for url in urls:
        page.goto(url)
        page.mouse.move(5, 5)
        page.locator("body").hover()  # an onmouseover in the metadata would fire here
        assert page.evaluate("typeof window.__pwned") == "undefined", url
        assert page.locator("main script, main img, main svg, main b, main i").count() == 0, url
    page.goto(f"{base}/documents/{hostile_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>window.__pwned")
    expect(page.locator(".article")).to_contain_text('<img src=x onerror="window.__pwned')
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
