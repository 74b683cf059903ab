"""Shared fixtures: a fresh store per test, real PostgreSQL databases, the shared reference data."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

import newstrace.cli
from newstrace.store import DocumentStore, open_store
from tests import postgres

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
SEEDS = SHARED / "reference" / "seeds"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DocumentStore]:
    opened = open_store(str(tmp_path / "test.db"))
    yield opened
    opened.close()


# --- PostgreSQL -----------------------------------------------------------------------
# One real server per session; every test that asks gets an empty database on it.


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a database on a real PostgreSQL server, started here unless one is given.

    Without PostgreSQL binaries a developer's run skips these tests; in CI (``CI`` set)
    that is a failure, because there the server must be tested.
    """
    given = os.environ.get(postgres.URL_ENV)
    if given:
        yield given
        return
    with ExitStack() as stack:
        try:
            url = stack.enter_context(postgres.throwaway_server())
        except postgres.PostgresUnavailable as exc:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL tests cannot run in CI: {exc}")
            pytest.skip(str(exc))
        yield url


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """The session's own scratch database on that server."""
    with postgres.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The scratch database, emptied for one test so no state leaks between tests."""
    postgres.empty_database(postgres_database)
    return postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each supported backend, as ``open_store`` accepts it."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return str(tmp_path / "test.db")


# --- Local web server and CLI runner (ingest and CLI tests) ---------------------------

INGEST_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
SLOW_RESPONSE_S = 3.0  # longer than any fetch timeout the tests set
LARGE_BODY_BYTES = 256 * 1024  # larger than the fetch size cap the tests set


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that give up (timeouts, size caps) drop the socket: that is expected here."""


class _Site(BaseHTTPRequestHandler):
    """A tiny news site with the failure modes ingest must survive."""

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""

    def _send(self, status: int, body: bytes, content_type: str, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        article = (INGEST_FIXTURES / "article.html").read_bytes()
        filler = b"<p>" + b"word " * (LARGE_BODY_BYTES // 5) + b"</p>"
        if self.path == "/article":
            self._send(200, article, "text/html; charset=utf-8")
        elif self.path == "/feed":
            self._send(200, (INGEST_FIXTURES / "feed.rss").read_bytes(), "application/rss+xml")
        elif self.path == "/redirect":
            self._redirect("/article")
        elif self.path == "/redirect-to-file":
            self._redirect("file:///etc/passwd")
        elif self.path == "/broken":
            self._send(500, b"server error", "text/plain")
        elif self.path == "/slow":
            time.sleep(SLOW_RESPONSE_S)
            self._send(200, article, "text/html")
        elif self.path == "/trickle":
            # Each byte arrives well within a read timeout; the whole body never does.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            deadline = time.monotonic() + SLOW_RESPONSE_S
            while time.monotonic() < deadline:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        elif self.path == "/large":
            self._send(200, filler, "text/html")
        elif self.path == "/large-unannounced":
            self.close_connection = True
            self._send(200, filler, "text/html", length=False)
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture(scope="session")
def web_server() -> Iterator[str]:
    """Base URL of a local site on 127.0.0.1 (random port), for the URL reader."""
    server = _QuietServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


CliRun = Callable[..., Result]


@pytest.fixture
def cli() -> CliRun:
    """Run ``newstrace`` in-process; no traceback may ever reach the user."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        result = runner.invoke(newstrace.cli.app, list(args))
        assert "Traceback" not in result.output, result.output
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), repr(result.exception)
        return result

    return run
