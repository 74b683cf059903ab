"""Opening a store: engine set-up, schema migration, and clear errors for bad databases."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError

from newstrace.store.documents import DocumentStore

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """A database that cannot be used: named, with the reason, on one line."""


def database_url(db: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (which means SQLite)."""
    return db if "://" in db else f"sqlite:///{db}"


def display_name(db: str) -> str:
    """``db`` as error messages show it: a URL's password never reaches a terminal or log."""
    try:
        return make_url(db).render_as_string(hide_password=True) if "://" in db else db
    except ArgumentError:
        return db


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        engine = create_engine(parsed)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"{display_name(url)}: not a usable database URL ({exc})") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration for the migrations shipped with newstrace, on ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def _check_is_ours(engine: Engine, label: str) -> str | None:
    """Refuse a database that holds other tables but no newstrace schema; its revision."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = MigrationContext.configure(conn).get_current_revision()
    if tables and (revision is None or "documents" not in tables):
        raise StoreError(f"{label}: not a newstrace database (it holds other tables)")
    return revision


def _reason(exc: DBAPIError) -> str:
    lines = str(exc.orig if exc.orig is not None else exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def in_use_error(label: str, exc: DBAPIError) -> StoreError:
    """A database operation that failed, in one line; a lock held elsewhere named as such."""
    reason = _reason(exc)
    if "locked" in reason:
        return StoreError(f"{label}: database is locked by another process")
    return StoreError(f"{label}: database error ({reason})")


def open_store(db: str) -> DocumentStore:
    """Open (creating or upgrading as needed) the store at ``db``."""
    url = database_url(db)
    label = display_name(db)
    if url.startswith("sqlite:///") and db != ":memory:":
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_dir():
            raise StoreError(f"{label}: is a directory, not a database file")
        if not path.parent.exists():
            raise StoreError(f"{label}: folder {path.parent} does not exist")
    engine = make_engine(url)
    try:
        revision = _check_is_ours(engine, label)
        if engine.dialect.name == "sqlite":
            # Persistent, so set once, and only on a database known to be ours.
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode = WAL")
        config = alembic_config(engine)
        # A current schema is not touched: no write lock for a reader (env.py takes one).
        if revision != ScriptDirectory.from_config(config).get_current_head():
            command.upgrade(config, "head")
    except OperationalError as exc:
        engine.dispose()
        reason = _reason(exc)
        if "locked" in reason:
            raise in_use_error(label, exc) from exc
        raise StoreError(f"{label}: cannot open database ({reason})") from exc
    except DatabaseError as exc:
        engine.dispose()
        raise StoreError(f"{label}: not a newstrace database ({_reason(exc)})") from exc
    except StoreError:
        engine.dispose()
        raise
    return DocumentStore(engine)
