"""``newstrace check``: verify a ledger's integrity without changing anything.

The checks are driven by the schema's metadata and its column conventions, so tables
added later are covered when they follow them:

* ``<name>_start``/``<name>_end`` pairs are character spans into a document: the one
  named by ``<name>_id``, else by ``document_id``, else by ``<name>_id`` of the row a
  foreign key points at (a reuse link's ``origin_*`` through its pair);
* JSON columns of a table with ``document_id`` hold spans as ``[text, start, end]`` or
  as ``{"span_start": ..., "span_end": ...}``;
* every foreign key must point at an existing row;
* a table with a required ``document_id`` holds findings, written in the same
  transaction as the document's ``analyses`` row, so none may exist without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Integer, Table, and_, func, inspect, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from newstrace.store.database import (
    StoreError,
    alembic_config,
    database_url,
    display_name,
    in_use_error,
    make_engine,
)
from newstrace.store.documents import content_hash
from newstrace.store.schema import Base

EXAMPLES = 5  # ids shown per problem
DOCUMENTS = Base.metadata.tables["documents"]
ANALYSES = Base.metadata.tables["analyses"]


@dataclass(slots=True)
class CheckReport:
    """What was checked (rows per table) and every problem found, one line each."""

    problems: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SpanColumns:
    """A ``<name>_start``/``<name>_end`` pair and how to reach its document's id."""

    name: str
    start: Column[Any]
    end: Column[Any]
    document: Column[Any]  # in this table, or in the joined ``via`` table
    via: tuple[Column[Any], Column[Any]] | None = None  # (this table's key, the target's)


def _points_at(column: Column[Any], table: Table) -> Column[Any] | None:
    """The column of ``table`` that ``column`` references, if it references ``table``."""
    for key in column.foreign_keys:
        if key.column.table is table:
            return key.column
    return None


def span_columns(table: Table) -> Iterator[SpanColumns]:
    """Every character span of ``table``, with the column naming its document."""
    for start in table.columns:
        if not start.name.endswith("_start") or not isinstance(start.type, Integer):
            continue
        name = start.name.removesuffix("_start")
        end = table.columns.get(f"{name}_end")
        if end is None:
            continue
        for candidate in (f"{name}_id", "document_id"):
            own = table.columns.get(candidate)
            if own is not None and _points_at(own, DOCUMENTS) is not None:
                yield SpanColumns(name, start, end, own)
                break
        else:
            for key in table.foreign_keys:
                target = key.column.table.columns.get(f"{name}_id")
                if target is not None and _points_at(target, DOCUMENTS) is not None:
                    yield SpanColumns(name, start, end, target, (key.parent, key.column))
                    break


def json_spans(value: object) -> Iterator[tuple[int, int]]:
    """Spans held in a JSON value: ``[text, start, end]`` lists and ``span_*`` objects."""
    if isinstance(value, dict):
        start, end = value.get("span_start"), value.get("span_end")
        if isinstance(start, int) and isinstance(end, int):
            yield start, end
        for item in value.values():
            yield from json_spans(item)
    elif isinstance(value, list):
        if (
            len(value) == 3
            and isinstance(value[0], str)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:])
        ):
            yield value[1], value[2]
        else:
            for item in value:
                yield from json_spans(item)


def _ids(conn: Connection, query: Any) -> list[int]:
    return [int(i) for i in conn.scalars(query.limit(EXAMPLES))]


def _shown(ids: list[int], count: int) -> str:
    more = ", ..." if count > len(ids) else ""
    return ", ".join(map(str, ids)) + more


class _Checker:
    """The checks over one open connection, each adding to the report."""

    def __init__(self, conn: Connection, report: CheckReport) -> None:
        self.conn = conn
        self.report = report
        present = inspect(conn)
        names = set(present.get_table_names())
        # Only tables (and columns) the database holds: an old schema is still checked.
        self.tables = [
            t
            for t in Base.metadata.sorted_tables
            if t.name in names
            and {c.name for c in t.columns} <= {c["name"] for c in present.get_columns(t.name)}
        ]

    def problem(self, message: str) -> None:
        self.report.problems.append(message)

    def count(self, table: Table, where: ColumnElement[bool] | None = None) -> int:
        query = select(func.count()).select_from(table)
        return int(self.conn.scalar(query if where is None else query.where(where)) or 0)

    def foreign_keys(self, table: Table) -> None:
        for key in table.foreign_keys:
            column, target = key.parent, key.column
            referenced = target.table.alias("referenced").c[target.name]  # may be this table
            exists = select(referenced).where(referenced == column).exists()
            broken = and_(column.is_not(None), ~exists)
            count = self.count(table, broken)
            if count:
                ids = _ids(self.conn, select(column).where(broken).order_by(column))
                self.problem(
                    f"{table.name}.{column.name}: {count} rows point at missing "
                    f"{target.table.name} rows ({_shown(ids, count)})"
                )

    def spans(self, table: Table) -> None:
        key = table.primary_key.columns.values()[0]
        for span in span_columns(table):
            length = func.length(DOCUMENTS.c.text)
            joined: Any = table
            if span.via is not None:
                joined = joined.join(span.via[1].table, span.via[0] == span.via[1])
            joined = joined.join(DOCUMENTS, DOCUMENTS.c.id == span.document)
            outside = or_(span.start < 0, span.end < span.start, span.end > length)
            found = self.conn.scalar(select(func.count()).select_from(joined).where(outside))
            count = int(found or 0)
            if count:
                ids = _ids(self.conn, select(key).select_from(joined).where(outside).order_by(key))
                self.problem(
                    f"{table.name}: {count} {span.name} spans outside their document's "
                    f"text (rows {_shown(ids, count)})"
                )

    def json_columns(self, table: Table) -> None:
        document = table.columns.get("document_id")
        columns = [c for c in table.columns if c.type.__class__.__name__ == "JSON"]
        if document is None or not columns:
            return
        found = self.conn.execute(select(DOCUMENTS.c.id, func.length(DOCUMENTS.c.text)))
        lengths = {doc_id: size for doc_id, size in found}
        key = table.primary_key.columns.values()[0]
        bad: list[int] = []
        rows = self.conn.execute(select(key, document, *columns).execution_options(yield_per=2000))
        for row_id, doc_id, *values in rows:
            size = lengths.get(doc_id)
            if size is None:
                continue  # an orphan: reported by the foreign key check
            if any(not 0 <= s <= e <= size for v in values for s, e in json_spans(v)):
                bad.append(int(row_id))
        if bad:
            self.problem(
                f"{table.name}: {len(bad)} rows hold spans outside their document's text "
                f"in {', '.join(c.name for c in columns)} (rows {_shown(bad[:EXAMPLES], len(bad))})"
            )

    def unanalysed_findings(self, table: Table) -> None:
        document = table.columns.get("document_id")
        if table is ANALYSES or document is None or document.nullable:
            return
        if _points_at(document, DOCUMENTS) is None:
            return
        analysed = select(ANALYSES.c.document_id).where(ANALYSES.c.document_id == document)
        where = ~analysed.exists()
        count = self.count(table, where)
        if count:
            ids = _ids(self.conn, select(document).where(where).distinct().order_by(document))
            self.problem(
                f"{table.name}: {count} rows belong to documents never analysed "
                f"(documents {_shown(ids, count)})"
            )

    def documents(self) -> None:
        duplicated = (
            select(DOCUMENTS.c.content_hash)
            .group_by(DOCUMENTS.c.content_hash)
            .having(func.count() > 1)
        )
        for digest in self.conn.scalars(duplicated):
            ids = _ids(self.conn, select(DOCUMENTS.c.id).where(DOCUMENTS.c.content_hash == digest))
            self.problem(f"documents {_shown(ids, len(ids))} are stored more than once")
        changed: list[int] = []
        rows = self.conn.execute(
            select(DOCUMENTS.c.id, DOCUMENTS.c.text, DOCUMENTS.c.content_hash).execution_options(
                yield_per=500
            )
        )
        for doc_id, text, digest in rows:
            if content_hash(text) != digest:
                changed.append(int(doc_id))
        if changed:
            self.problem(
                f"documents: {len(changed)} texts no longer match their content hash "
                f"(documents {_shown(changed[:EXAMPLES], len(changed))})"
            )
        previous = DOCUMENTS.alias("previous")
        broken = select(DOCUMENTS.c.id).join(
            previous, previous.c.id == DOCUMENTS.c.previous_version_id
        )
        broken = broken.where(
            or_(
                DOCUMENTS.c.version != previous.c.version + 1,
                DOCUMENTS.c.url.is_distinct_from(previous.c.url),
            )
        )
        ids = list(self.conn.scalars(broken.order_by(DOCUMENTS.c.id)))
        if ids:
            self.problem(
                "documents: version chain broken (not the same URL or not the next version) "
                f"at documents {_shown(ids[:EXAMPLES], len(ids))}"
            )

    def bookkeeping(self, current_version: str | None) -> None:
        empty = self.count(
            ANALYSES, or_(ANALYSES.c.pipeline_version.is_(None), ANALYSES.c.pipeline_version == "")
        )
        if empty:
            self.problem(f"analyses: {empty} rows name no pipeline version")
        if current_version is None:
            return
        total = self.count(DOCUMENTS)
        current = self.count(ANALYSES, ANALYSES.c.pipeline_version == current_version)
        older = self.count(ANALYSES) - current
        self.report.notes.append(
            f"{current} of {total} documents analysed by this pipeline version, "
            f"{older} by another, {total - current - older} not yet "
            "(`newstrace analyze` finishes them)"
        )

    def sqlite_integrity(self) -> None:
        if self.conn.dialect.name != "sqlite":
            return
        found = [str(r) for r in self.conn.exec_driver_sql("PRAGMA integrity_check").scalars()]
        if found != ["ok"]:
            self.problem("SQLite integrity check: " + "; ".join(found[:EXAMPLES]))

    def revision(self) -> None:
        script = ScriptDirectory.from_config(alembic_config(self.conn.engine))
        head = script.get_current_head()
        current = MigrationContext.configure(self.conn).get_current_revision()
        if current != head:
            self.problem(
                f"schema at revision {current}, this newstrace expects {head} "
                "(any writing command upgrades it)"
            )


def _check(conn: Connection, current_version: str | None) -> CheckReport:
    report = CheckReport()
    checker = _Checker(conn, report)
    checker.revision()
    checker.sqlite_integrity()
    if DOCUMENTS not in checker.tables or ANALYSES not in checker.tables:
        return report
    checker.documents()
    for table in checker.tables:
        report.rows[table.name] = checker.count(table)
        checker.foreign_keys(table)
        checker.spans(table)
        checker.json_columns(table)
        checker.unanalysed_findings(table)
    checker.bookkeeping(current_version)
    return report


def check_database(db: str, current_version: str | None = None) -> CheckReport:
    """Check the ledger at ``db``; never creates, upgrades or writes it.

    ``current_version`` (the pipeline's) adds a note on how much is still to analyse.
    """
    url = database_url(db)
    label = display_name(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise StoreError(f"{label}: no such database file")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if "documents" not in inspect(conn).get_table_names():
                raise StoreError(f"{label}: not a newstrace database (no documents table)")
            return _check(conn, current_version)
    except DBAPIError as exc:
        raise in_use_error(label, exc) from exc
    finally:
        engine.dispose()
