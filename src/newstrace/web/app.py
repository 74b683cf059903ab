"""The web UI: FastAPI routes that render the ledger's views from a store, read-only.

Articles are untrusted input, so every response carries a Content-Security-Policy that
allows only this site's own stylesheet and script (no inline script), and the app
accepts only GET. Off the loopback interface a token is required on every
request; on loopback, Host must name loopback so a rebinding web page cannot read it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import math
from collections.abc import Awaitable, Callable, Collection
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from newstrace.store import DocumentStore
from newstrace.web import claims as claim_view
from newstrace.web import events as event_view
from newstrace.web import ledger
from newstrace.web import search as search_view
from newstrace.web import speakers as speaker_view
from newstrace.web.cache import LedgerCache
from newstrace.web.pages import STATIC, Pages, countries_script

PAGE_SIZE = 100
MAX_QUERY_CHARS = 200
TOKEN_COOKIE = "newstrace_token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _given_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(TOKEN_COOKIE) or request.query_params.get("token")


def _day(value: str, name: str) -> dt.date | None:
    """A date from the address (a form sends ``""`` for an empty field)."""
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(400, f"{name}: not a date (YYYY-MM-DD)") from None


def _token_ok(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


Handler = Callable[[Request], Awaitable[Response]]


def create_app(
    store: DocumentStore,
    token: str | None = None,
    allowed_hosts: Collection[str] | None = LOOPBACK_HOSTS,
) -> FastAPI:
    """The web UI over ``store``; ``token`` (if set) is checked on every request.

    ``allowed_hosts`` limits the Host header (``None``: any, for a token-protected server
    on a public address).
    """
    app = FastAPI(title="newstrace", docs_url=None, redoc_url=None, openapi_url=None)
    pages = Pages(static_site=False)
    cache = LedgerCache(store.engine)

    def html(template: str, code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(pages.render(template, **context), status_code=code)

    @app.middleware("http")
    async def guard(request: Request, call_next: Handler) -> Response:
        response: Response
        if allowed_hosts is not None and request.url.hostname not in allowed_hosts:
            response = PlainTextResponse("unexpected Host header", status_code=400)
        elif request.method != "GET":
            response = PlainTextResponse("read-only", status_code=405, headers={"Allow": "GET"})
        elif token is not None and not _token_ok(token, _given_token(request)):
            response = PlainTextResponse("a valid token is required", status_code=401)
        elif token is not None and "token" in request.query_params:
            # Trade the token in the address for a cookie, so it leaves the URL bar.
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            response = RedirectResponse(
                request.url.path + (f"?{urlencode(rest)}" if rest else ""), status_code=303
            )
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException) -> HTMLResponse:
        return html("error.html", exc.status_code, status=exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> HTMLResponse:
        return html("error.html", 400, status=400, message="the address holds an invalid value")

    def everyone() -> list[speaker_view.SpeakerSummary]:
        return cache.get("speakers", lambda: speaker_view.speakers(store))

    def page_count(page: int, total: int) -> int:
        """How many pages ``total`` rows make; past the last is not found."""
        pages_total = max(1, math.ceil(total / PAGE_SIZE))
        if page > pages_total:
            raise HTTPException(404, f"there is no page {page}")
        return pages_total

    @app.get("/", response_class=HTMLResponse)
    def documents(page: int = Query(1, ge=1)) -> HTMLResponse:
        total = cache.get("documents", store.count)
        pages_total = page_count(page, total)
        rows = ledger.document_summaries(store, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        return html(
            "documents.html",
            section="documents",
            documents=rows,
            kinds=ledger.KINDS,
            total=total,
            page=page,
            pages=pages_total,
        )

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document(doc_id: int) -> HTMLResponse:
        view = ledger.reader(store, doc_id)
        if view is None:
            raise HTTPException(404, f"there is no document {doc_id}")
        return html("document.html", section="documents", r=view)

    @app.get("/speakers", response_class=HTMLResponse)
    def speakers(page: int = Query(1, ge=1)) -> HTMLResponse:
        found = everyone()
        shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return html(
            "speakers.html",
            section="speakers",
            speakers=shown,
            total=len(found),
            page=page,
            pages=page_count(page, len(found)),
        )

    @app.get("/speakers/{slug}", response_class=HTMLResponse)
    def speaker(slug: str, page: int = Query(1, ge=1)) -> HTMLResponse:
        found = next((s for s in everyone() if s.slug == slug), None)
        if found is None:
            raise HTTPException(404, "there is no such speaker")
        pages_total = page_count(page, found.quote_count)
        quotes = speaker_view.speaker_quotes(store, found, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        docs = ledger.summaries_by_id(store, {r.doc_id for r in quotes})
        return html(
            "speaker.html",
            section="speakers",
            s=found,
            quotes=quotes,
            docs=docs,
            first=(page - 1) * PAGE_SIZE + 1,
            page=page,
            pages=pages_total,
        )

    @app.get("/search", response_class=HTMLResponse)
    def search(q: str = Query("", max_length=MAX_QUERY_CHARS)) -> HTMLResponse:
        query = q.strip()
        if not query:
            return html("search.html", query="")
        results = search_view.search(store, query, everyone)
        docs = ledger.summaries_by_id(store, {r.doc_id for r in results.quotes})
        return html(
            "search.html", query=query, results=results, docs=docs, limit=search_view.SEARCH_LIMIT
        )

    @app.get("/events", response_class=HTMLResponse)
    def events(
        event_type: str = Query("", alias="type", max_length=MAX_QUERY_CHARS),
        actor: str = Query("", max_length=MAX_QUERY_CHARS),
        country: str = Query("", max_length=MAX_QUERY_CHARS),
        start: str = Query("", alias="from", max_length=10),
        end: str = Query("", alias="to", max_length=10),
        page: int = Query(1, ge=1),
    ) -> HTMLResponse:
        chosen = event_view.EventFilter(
            event_type or None, actor or None, country or None, _day(start, "from"), _day(end, "to")
        )
        shown = event_view.page(store, chosen, pages.links().document, page, PAGE_SIZE, cache)
        if page > shown["pages"]:
            raise HTTPException(404, f"there is no page {page}")
        return html("events.html", section="events", **shown)

    @app.get("/claims", response_class=HTMLResponse)
    def claims(grade: str = Query("", max_length=32), page: int = Query(1, ge=1)) -> HTMLResponse:
        chosen = claim_view.GRADES_BY_NAME.get(grade.lower()) if grade else None
        if grade and chosen is None:
            raise HTTPException(400, f"grade: one of {', '.join(claim_view.GRADES_BY_NAME)}")
        grades = cache.get("grades", lambda: claim_view.grade_counts(store))
        pages_total = page_count(page, grades[chosen] if chosen else sum(grades.values()))
        rows = claim_view.claim_rows(store, chosen, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        found = claim_view.ClaimList(rows, grades, chosen, page, pages_total)
        return html("claims.html", section="claims", found=found, grades=claim_view.GRADES)

    @app.get("/claims/{key}", response_class=HTMLResponse)
    def claim(key: str) -> HTMLResponse:
        view = claim_view.find_claim(store, key)
        if view is None:
            raise HTTPException(404, f"there is no claim {key}")
        drawn = claim_view.graph(view, pages.links().document)
        return html("claim.html", section="claims", v=view, drawn=drawn)

    @app.get("/map/countries.js")
    def countries() -> Response:
        return Response(countries_script(), media_type="text/javascript")

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)  # no icon, and no 404 in every browser console

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
