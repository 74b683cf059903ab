"""Security of the web UI and of URL ingest.

The routes are read from the app itself, so a route added later is probed too: hostile
strings through every path and query parameter (no server error, no SQL error, no
write), the Content-Security-Policy on every response, the token off loopback, GET only.
URL ingest fetches only http(s), refuses redirects elsewhere, caps size and time, and
refuses private and loopback addresses unless allowed (tests use a server on 127.0.0.1).
"""

from __future__ import annotations

import gzip
import hmac
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import newstrace.cli
from newstrace.ingest import IngestOptions, Problem, read_sources
from newstrace.ingest.url import FetchPolicy
from newstrace.pipeline import analyze_pending, ingest
from newstrace.store import DocumentStore, open_store
from newstrace.store.check import check_database
from newstrace.web.app import create_app
from tests.conftest import CliRun

TOKEN = "correct-horse-battery"
ARTICLES = [
    'Gunmen killed 12 people at a market in Kandahar on Monday, police said. "We will '
    'rebuild," said Amina Farouk, a council member.\n',
    "Two soldiers were wounded near Mosul on 3 May 2024, the army said.\n",
]
INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE documents; --",
    '" OR 1=1 --',
    "%' UNION SELECT sql, sql FROM sqlite_master --",
    "1 AND pg_sleep(5)",
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "\x00",
    "%00%27",
    "\\",
    "%_%",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "2024-13-45",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ \u202e",
    "x" * 5000,
]
DATABASE_ERRORS = re.compile(
    r"psycopg|sqlalchemy|OperationalError|ProgrammingError|IntegrityError|syntax error|"
    r"unrecognized token|no such (table|column)|Traceback",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocumentStore]:
    folder = tmp_path_factory.mktemp("websec")
    for number, text in enumerate(ARTICLES):
        (folder / f"{number}.txt").write_text(text, encoding="utf-8")
    opened = open_store(str(folder / "ledger.db"))
    ingest(opened, [str(folder)], IngestOptions())
    analyze_pending(opened, workers=1)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def app(store: DocumentStore) -> FastAPI:
    return create_app(store)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as opened:
        yield opened


def get_routes(app: FastAPI) -> list[APIRoute]:
    found = [r for r in app.routes if isinstance(r, APIRoute)]
    assert len(found) >= 5, "the app's routes are found"
    return found


def addresses(route: APIRoute, payload: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The route with ``payload`` in each path parameter in turn, then in each query one."""
    names = [p.name for p in route.dependant.path_params]
    queries = [p.alias for p in route.dependant.query_params]

    def path(hostile: str | None) -> str:
        filled = route.path_format
        for name in names:
            value = quote(payload, safe="") if name == hostile else "1"
            filled = filled.replace(f"{{{name}}}", value)
        return filled

    for name in names:
        yield path(name), {}
    for name in queries:
        yield path(None), {name: payload}


def test_every_parameter_of_every_route_takes_hostile_strings(
    app: FastAPI, client: TestClient, store: DocumentStore
) -> None:
    before = [(d.id, d.text) for d in store.documents()]
    probed = 0
    for route in get_routes(app):
        for payload in INJECTIONS:
            for path, params in addresses(route, payload):
                response = client.get(path, params=params)
                probed += 1
                where = f"{path} {params!r}"
                assert response.status_code < 500, where
                assert not DATABASE_ERRORS.search(response.text), where
                assert "content-security-policy" in response.headers, where
    assert probed > len(INJECTIONS) * 3
    assert [(d.id, d.text) for d in store.documents()] == before
    assert check_database(str(store.engine.url.database)).problems == []


def test_every_response_carries_a_content_security_policy(app: FastAPI, client: TestClient) -> None:
    paths = ["/", "/nowhere", "/static/style.css", "/static/missing.js"]
    paths += [r.path_format.replace("{doc_id}", "1") for r in get_routes(app)]
    for path in paths:
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy, path
        assert "unsafe-eval" not in policy, path


def test_no_route_accepts_a_write(app: FastAPI, client: TestClient) -> None:
    for route in get_routes(app):
        assert route.methods <= {"GET", "HEAD"}, route.path
        path = re.sub(r"\{[^}]+\}", "1", route.path_format)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = client.request(method, path, content=b"x=1")
            assert response.status_code == 405, (method, path)
            assert "content-security-policy" in response.headers


def test_serve_has_no_writable_mode() -> None:
    serve = next(c for c in newstrace.cli.app.registered_commands if c.name == "serve")
    assert serve.callback is not None
    options = serve.callback.__annotations__
    assert not [name for name in options if "writ" in name.lower()]


def test_off_loopback_every_route_needs_the_token(store: DocumentStore, app: FastAPI) -> None:
    guarded = create_app(store, TOKEN, allowed_hosts=None)
    with TestClient(guarded, base_url="http://ledger.example") as client:
        for route in get_routes(app):
            path = re.sub(r"\{[^}]+\}", "1", route.path_format)
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer "}):
                response = client.get(path, headers=headers)
                assert response.status_code == 401, (path, headers)
                assert "content-security-policy" in response.headers
            response = client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status_code != 401, path


def test_token_compared_in_constant_time(
    store: DocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    with TestClient(create_app(store, TOKEN, allowed_hosts=None)) as client:
        assert client.get("/", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert compared == [(TOKEN.encode(), b"guess")]


# --- URL ingest --------------------------------------------------------------------

BODY = (
    b"<html><head><title>Bridge</title></head><body><article><p>"
    + (b"The bridge over the river was damaged by shelling on Monday, officials said. " * 8)
    + b"</p></article></body></html>"
)
BOMB_BYTES = 64 * 1024 * 1024


class _Hostile(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def _reply(self, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(200)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        targets = {
            "/to-ftp": "ftp://127.0.0.1/x",
            "/to-javascript": "javascript:alert(1)",
            "/to-data": "data:text/html,<p>hi</p>",
        }
        if self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/gzip-bomb":
            # 64 MiB of spaces in about 64 KiB: decompressed past the cap, then refused.
            self._reply(
                gzip.compress(b" " * BOMB_BYTES, compresslevel=9),
                {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
            )
        else:
            self._reply(BODY, {"Content-Type": "text/html"})


@pytest.fixture(scope="module")
def hostile_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def read(url: str, **policy: object) -> list[object]:
    return list(read_sources([url], IngestOptions(fetch=FetchPolicy(**policy))))  # type: ignore[arg-type]


def refusal(items: list[object], source: str) -> str:
    """The one problem reading ``source`` gave, which must name it."""
    [problem] = items
    assert isinstance(problem, Problem) and problem.source == source
    return problem.message


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/article",
        "gopher://127.0.0.1:70/_x",
        "javascript://alert(1)",
        "data://text/html,hi",
    ],
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    assert "only http and https" in refusal(read(url, allow_private=True), url)


@pytest.mark.parametrize("path", ["/to-ftp", "/to-javascript", "/to-data"])
def test_redirect_to_another_scheme_refused(hostile_site: str, path: str) -> None:
    url = hostile_site + path
    message = refusal(read(url, allow_private=True), url)
    assert "only http and https" in message or "invalid URL or redirect target" in message


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "10.1.2.3", "169.254.169.254"]
)
def test_private_and_loopback_refused_unless_allowed(host: str) -> None:
    url = f"http://{host}:9/article"
    assert "private or loopback" in refusal(read(url, timeout_s=0.5), url)


def test_loopback_fetched_with_allow_private(hostile_site: str) -> None:
    url = hostile_site + "/article"
    assert "private or loopback" in refusal(read(url), url)
    [doc] = read(url, allow_private=True)
    assert not isinstance(doc, Problem) and "bridge" in doc.text


def test_gzip_bomb_refused_past_the_size_cap(hostile_site: str) -> None:
    url = hostile_site + "/gzip-bomb"
    message = refusal(read(url, allow_private=True, max_bytes=1024 * 1024), url)
    assert "exceeds" in message


def test_size_and_time_caps(web_server: str) -> None:
    large, slow = f"{web_server}/large-unannounced", f"{web_server}/trickle"
    assert "exceeds" in refusal(read(large, allow_private=True, max_bytes=64 * 1024), large)
    assert "timed out" in refusal(read(slow, allow_private=True, timeout_s=0.5), slow)


def test_cli_refuses_file_urls_with_one_line(tmp_path: Path, cli: CliRun) -> None:
    result = cli("ingest", "file:///etc/passwd", "--db", str(tmp_path / "l.db"))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: file:///etc/passwd: only http and https")
