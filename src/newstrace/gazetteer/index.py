"""The index file: one SQLite database with places, their names and a fuzzy-candidate table.

Builders (packaged data, GeoNames dumps) hand :class:`PlaceRow` objects to an
:class:`IndexWriter`; it derives every lookup key with :mod:`.normalize`, so lookups and
builds agree by construction. Rows are keyed by GeoNames id where there is one, so an
index built from a dump and the packaged one give the same place the same id.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from newstrace.gazetteer.model import ADMIN_TYPES, MatchKind
from newstrace.gazetteer.normalize import compact, fold, skeleton, variants

FORMAT_VERSION = "1"
INDEX_FILENAME = "gazetteer.sqlite"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE countries (
    code TEXT PRIMARY KEY,
    iso3 TEXT,
    name TEXT NOT NULL,
    entry INTEGER  -- the country's own entry, when the index has one
);
CREATE TABLE admin1 (code TEXT PRIMARY KEY, name TEXT NOT NULL);  -- code: "IQ.01"
CREATE TABLE entries (
    rowid INTEGER PRIMARY KEY,  -- the GeoNames id, or negative for places without one
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    ascii_name TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    feature_type TEXT NOT NULL,
    feature_code TEXT,
    country_code TEXT NOT NULL,
    admin1_code TEXT,
    population INTEGER NOT NULL,
    precision_note TEXT
);
CREATE TABLE names (
    key TEXT NOT NULL,  -- normalize.fold() of the name, or a rule-derived variant
    entry INTEGER NOT NULL,
    kind INTEGER NOT NULL,  -- MatchKind.rank
    surface TEXT,  -- as written, for Latin names with a capital (those text shows); else NULL
    PRIMARY KEY (key, entry)
) WITHOUT ROWID;
CREATE TABLE fuzzy (
    skeleton TEXT NOT NULL,  -- normalize.skeleton() of a Latin key
    key TEXT NOT NULL,
    PRIMARY KEY (skeleton, key)
) WITHOUT ROWID;
"""

# A fresh file nobody else reads yet: no journal, no fsync, a large page cache.
_BUILD_PRAGMAS = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA locking_mode = EXCLUSIVE;
PRAGMA cache_size = -524288;
"""

# Names are staged unsorted, then copied in key order: far faster than inserting each
# into the key-ordered table, and the best kind of a (key, entry) pair is the one kept.
_STAGING = "CREATE TEMP TABLE staged (key TEXT, entry INTEGER, kind INTEGER, surface TEXT);"
_COPY_NAMES = (
    "INSERT OR IGNORE INTO names SELECT key, entry, kind, surface FROM staged "
    "ORDER BY key, entry, kind"
)
_BATCH = 20_000


class GazetteerError(Exception):
    """The index cannot be built or opened (unreadable input, not a gazetteer file...)."""


def default_index_path() -> Path:
    """Where the packaged index is cached: ``$NEWSTRACE_HOME`` or the user's cache folder."""
    home = os.environ.get("NEWSTRACE_HOME")
    if home:
        return Path(home) / INDEX_FILENAME
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newstrace" / INDEX_FILENAME


@dataclass(slots=True)
class PlaceRow:
    """One place as a builder read it, before its names are keyed."""

    rowid: int
    id: str
    name: str
    ascii_name: str
    latitude: float
    longitude: float
    feature_type: str
    country_code: str
    admin1_code: str | None
    population: int
    feature_code: str | None = None
    precision_note: str | None = None
    alternates: Iterable[str] = field(default=())


class IndexWriter:
    """Writes a new index; the file appears at ``path`` only when :meth:`finish` succeeds."""

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        except OSError as exc:
            raise GazetteerError(f"{path}: cannot write the index ({exc.strerror})") from None
        os.close(handle)
        self.path = path
        self._temporary = Path(temporary)
        self._db = sqlite3.connect(temporary)
        self._db.executescript(_BUILD_PRAGMAS + SCHEMA + _STAGING)
        self._entries: list[tuple[object, ...]] = []
        self._names: list[tuple[str, int, int, str | None]] = []
        self._present = bytearray()  # a flag per non-negative rowid already added
        self._admin: set[int] = set()  # rowids of administrative units
        self._next_local = 0
        self.entry_count = 0

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Leave no half-built file behind (after :meth:`finish` there is nothing left)."""
        self._db.close()
        self._temporary.unlink(missing_ok=True)

    def local_rowid(self) -> int:
        """A row key for a place that has no GeoNames id."""
        self._next_local -= 1
        return self._next_local

    def has(self, rowid: int) -> bool:
        """Whether a place with this GeoNames id was added (alternate names need one)."""
        return 0 <= rowid < len(self._present) and bool(self._present[rowid])

    def add(self, place: PlaceRow) -> None:
        """Store a place under its name, ASCII name, alternates and their rule variants."""
        if self.has(place.rowid):
            return
        if place.rowid >= 0:
            if place.rowid >= len(self._present):
                self._present.extend(bytes(place.rowid - len(self._present) + 1_000_000))
            self._present[place.rowid] = 1
        self.entry_count += 1
        if place.feature_type in ADMIN_TYPES:
            self._admin.add(place.rowid)
        self._entries.append(
            (
                place.rowid,
                place.id,
                place.name,
                place.ascii_name,
                place.latitude,
                place.longitude,
                place.feature_type,
                place.feature_code,
                place.country_code,
                place.admin1_code,
                place.population,
                place.precision_note,
            )
        )
        named = [(MatchKind.EXACT, place.name), (MatchKind.ASCII, place.ascii_name)]
        named += [(MatchKind.ALTERNATE, alternate) for alternate in place.alternates]
        self._add_names(place.rowid, named)
        if len(self._entries) >= _BATCH:
            self._flush()

    def add_alternates(self, rowid: int, alternates: Iterable[str]) -> None:
        """More alternate names for a place already added (from a separate names file)."""
        self._add_names(rowid, [(MatchKind.ALTERNATE, name) for name in alternates])

    def _add_names(self, rowid: int, named: list[tuple[MatchKind, str]]) -> None:
        admin = rowid in self._admin
        seen: set[str] = set()
        for kind, surface in named:
            key = fold(surface)
            if key and key not in seen and "://" not in surface:
                seen.add(key)
                shown = surface if key.isascii() and surface[:1].isupper() else None
                self._names.append((key, rowid, kind.rank, shown))
        for key in list(seen):
            for variant in variants(key, admin=admin):
                if variant not in seen:
                    seen.add(variant)
                    self._names.append((variant, rowid, MatchKind.VARIANT.rank, None))
        if len(self._names) >= _BATCH:
            self._flush()

    def add_countries(self, rows: Iterable[tuple[str, str | None, str]]) -> None:
        """(alpha-2, alpha-3, name) rows naming the ``country`` of each entry; first one wins."""
        self._db.executemany(
            "INSERT OR IGNORE INTO countries (code, iso3, name) VALUES (?, ?, ?)", rows
        )

    def add_admin1(self, rows: Iterable[tuple[str, str]]) -> None:
        """("IQ.01", "Al Anbar") rows naming the ``admin1`` of each entry; first one wins."""
        self._db.executemany("INSERT OR IGNORE INTO admin1 VALUES (?, ?)", rows)

    def _flush(self) -> None:
        self._db.executemany(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._entries,
        )
        self._db.executemany("INSERT INTO staged VALUES (?, ?, ?, ?)", self._names)
        self._entries.clear()
        self._names.clear()

    def finish(self, sources: str, build_key: str = "") -> Path:
        """Complete the fuzzy table and metadata, then move the file into place."""
        self._flush()
        self._db.execute(_COPY_NAMES)
        self._db.execute("DROP TABLE staged")
        batch: list[tuple[str, str]] = []
        for (key,) in self._db.execute("SELECT DISTINCT key FROM names"):
            if key.isascii() and len(compact(key)) >= 3:
                batch.append((skeleton(key), key))
        self._db.executemany("INSERT OR IGNORE INTO fuzzy VALUES (?, ?)", batch)
        # The most populous country entry of each code (SQLite keeps the row of the MAX).
        self._db.execute(
            "UPDATE countries SET entry = best.rowid FROM (SELECT rowid, country_code, "
            "MAX(population) FROM entries WHERE feature_type = 'country' GROUP BY country_code) "
            "AS best WHERE best.country_code = countries.code"
        )
        meta = {
            "format": FORMAT_VERSION,
            "sources": sources,
            "build_key": build_key,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "entries": str(self.entry_count),
            "licence": "place data from GeoNames (geonames.org), CC BY 4.0",
        }
        self._db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        self._db.commit()
        self._db.execute("ANALYZE")
        self._db.execute("VACUUM")  # rows came in no particular order: repack the pages
        self._db.close()
        self._temporary.chmod(0o644)  # mkstemp made it private; an index is no secret
        os.replace(self._temporary, self.path)
        return self.path
