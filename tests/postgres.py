"""A throwaway PostgreSQL server for the tests: real binaries, temporary data, gone afterwards.

Tests must exercise the real server newstrace supports, not a mock, so the session starts
one with the distribution's ``initdb`` and ``pg_ctl``. PostgreSQL refuses to run as root,
so when the tests run as root (as in CI) the server runs as the ``postgres`` system user
that Debian's package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

URL_ENV = "NEWSTRACE_TEST_PG_URL"
SERVER_USER = "postgres"
TEST_DATABASE = "newstrace_test"
START_TIMEOUT_S = 30

# Durability is worthless for throwaway data; dropping it makes the server start and
# create databases in a fraction of the time.
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
}


class PostgresUnavailable(Exception):
    """No PostgreSQL binaries here: the caller decides whether that skips or fails."""


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH first, then Debian's layout."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    # Debian keeps server binaries off PATH, one folder per major version; newest first.
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(
        versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True
    )
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under "
        f"/usr/lib/postgresql/*/bin; install Debian's postgresql package or set {URL_ENV}"
    )


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user() -> list[str]:
    """Command prefix that drops root to the server user; nothing when not root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root needs the {SERVER_USER!r} system user, which Debian's "
            "postgresql package creates"
        ) from None
    return ["runuser", "-u", SERVER_USER, "--"]


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {output}")


def execute_autocommit(url: str, *statements: str) -> None:
    """Run statements that cannot run in a transaction (CREATE/DROP DATABASE)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a private server on a free 127.0.0.1 port; yield a URL of an empty database."""
    bindir = find_bindir()
    prefix = _as_server_user()
    # Not pytest's tmp_path: its parents are private to root, so the server user could
    # not reach a data folder inside them.
    root = Path(tempfile.mkdtemp(prefix="newstrace-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if prefix:
        for owned in (root, sockets):
            shutil.chown(owned, user=SERVER_USER, group=SERVER_USER)
    port = free_port()
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", SERVER_USER, "--auth=trust"]
        _run([*prefix, *initdb, "--encoding=UTF8", "--locale=C", "--no-sync"], "initdb")
        settings = {**_SETTINGS, "port": str(port), "unix_socket_directories": f"'{sockets}'"}
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        pg_ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w"]
        try:
            _run([*pg_ctl, "-t", str(START_TIMEOUT_S), "-l", str(log), "start"], "pg_ctl start")
        except RuntimeError as exc:
            server_log = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            raise RuntimeError(f"{exc}\nserver log:\n{server_log}") from None
        try:
            admin = f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{port}/postgres"
            execute_autocommit(admin, f"CREATE DATABASE {TEST_DATABASE}")
            yield f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{port}/{TEST_DATABASE}"
        finally:
            _run([*pg_ctl, "-m", "fast", "stop"], "pg_ctl stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``server_url``; drop it afterwards.

    Tests write only there, so a server given through the environment keeps its own
    databases untouched.
    """
    name = f"newstrace_t_{uuid.uuid4().hex[:12]}"
    execute_autocommit(server_url, f"CREATE DATABASE {name}")
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE ends connections a failed test may have left open.
        execute_autocommit(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def empty_database(url: str) -> None:
    """Remove every table, sequence and type from ``url``'s database.

    A few milliseconds, where a new database per test costs a quarter of a second.
    Connections a failed test left behind are ended first so none holds a lock.
    """
    execute_autocommit(
        url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
        "DROP SCHEMA public CASCADE",
        "CREATE SCHEMA public",
    )
