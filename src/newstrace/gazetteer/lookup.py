"""Look places up in an index file: exact keys first, fuzzy spellings after, ranked.

Ranking is one general rule for every name. Exact matches (own, ASCII, alternate or
rule-variant name) come before fuzzy ones; within each group the score prefers places in
the hinted countries, then prominence: log10 of the population plus a bonus by feature
type. Administrative units carry a bonus that a village cannot reach but a large city
passes, so "Anbar" is the Iraqi governorate rather than a hamlet of the same name while
"Aleppo" stays the city rather than the governorate named after it.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from anyascii import anyascii
from rapidfuzz import fuzz, process

from newstrace.gazetteer.index import (
    FORMAT_VERSION,
    GazetteerError,
    default_index_path,
)
from newstrace.gazetteer.model import (
    FACILITIES,
    NATURAL,
    SETTLEMENTS,
    Candidate,
    GazetteerEntry,
    MatchKind,
)
from newstrace.gazetteer.normalize import compact, fold, skeleton, variants, without_article

GAZETTEER_ENV = "NEWSTRACE_GAZETTEER"

log = logging.getLogger(__name__)

_TYPE_BONUS = {"country": 3.0, "admin1": 4.5, "region": 4.5, "admin2": 3.5, "district": 3.0}
_TYPE_BONUS |= dict.fromkeys(NATURAL | FACILITIES, 2.5)
_KIND_BONUS = {MatchKind.EXACT: 0.5, MatchKind.ASCII: 0.5, MatchKind.VARIANT: -0.5}
_HINT_BONUS = 8.0  # larger than any population difference: a hinted country decides
_FUZZY_CUTOFF = 80.0
_SKELETON_BONUS = 5.0  # same consonant skeleton: likely a transliteration of the same name
_MAX_FUZZY_KEYS = 30
_MAX_CANDIDATE_KEYS = 4000
_END_MARKS = "'`’‘ʿʾ "
_AFTER_ARTICLE = re.compile(r"[ -]")

_COLUMNS = """
e.id, e.name, e.latitude, e.longitude, e.feature_type, e.country_code,
COALESCE(c.name, e.country_code), a.name, e.population, e.precision_note, e.ascii_name,
e.feature_code
"""
_JOINS = """
LEFT JOIN countries c ON c.code = e.country_code
LEFT JOIN admin1 a ON a.code = e.country_code || '.' || e.admin1_code
"""
_BY_KEYS = (
    f"SELECT {_COLUMNS}, e.rowid, n.key, n.kind FROM names n "
    f"JOIN entries e ON e.rowid = n.entry {_JOINS} WHERE n.key IN ({{keys}})"
)
_COUNTRY_BY_CODE = (
    f"SELECT {_COLUMNS} FROM countries k JOIN entries e ON e.rowid = k.entry {_JOINS} "
    "WHERE k.code = ? OR k.iso3 = ?"
)


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


class Gazetteer:
    """A read-only place index. Open once and share: lookups are cheap SQLite queries."""

    def __init__(self, connection: sqlite3.Connection, path: Path, meta: dict[str, str]) -> None:
        self._db = connection
        self.path = path
        self.meta = meta

    @classmethod
    def open(cls, path: Path) -> Gazetteer:
        """Open an index built by ``newstrace gazetteer build`` or :meth:`open_default`."""
        if not path.is_file():
            raise GazetteerError(f"{path}: no such gazetteer file")
        uri = f"{path.resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            connection.close()
            raise GazetteerError(f"{path}: not a newstrace gazetteer") from None
        if meta.get("format") != FORMAT_VERSION:
            connection.close()
            raise GazetteerError(f"{path}: index format {meta.get('format')}; rebuild it")
        return cls(connection, path, meta)

    @classmethod
    def open_default(cls) -> Gazetteer:
        """The index of the packaged data, built into the cache folder on first use."""
        # Imported here: the data packages are needed only to build, not to look up.
        from newstrace.gazetteer.packaged import build_packaged, packaged_build_key

        path = default_index_path()
        if path.is_file():
            try:
                gazetteer = cls.open(path)
            except GazetteerError:
                pass  # an older format or a broken file: rebuilt below
            else:
                if gazetteer.meta.get("build_key") == packaged_build_key():
                    return gazetteer
                gazetteer.close()
        return cls.open(build_packaged(path))

    @classmethod
    def configured(cls, path: Path | None = None) -> Gazetteer:
        """``path``, else ``$NEWSTRACE_GAZETTEER``, else the packaged default."""
        chosen = path or os.environ.get(GAZETTEER_ENV)
        return cls.open(Path(chosen)) if chosen else cls.open_default()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def lookup(
        self,
        name: str,
        *,
        country_codes: Sequence[str] = (),
        feature_types: Sequence[str] = (),
        fuzzy: bool = True,
        limit: int = 5,
    ) -> list[Candidate]:
        """Places called ``name``, best first; ``country_codes`` are preferred, not required."""
        key = fold(name)
        if not key:
            return []
        keys = {key: MatchKind.EXACT} | dict.fromkeys(variants(key, admin=True), MatchKind.VARIANT)
        hints = {code.upper() for code in country_codes}
        best: dict[int, Candidate] = {}
        for rowid, candidate in self._candidates(keys, {}, hints, feature_types):
            self._keep(best, rowid, candidate)
        if fuzzy and len(best) < limit:
            similar = self._similar_keys(list(keys))
            exact_rowids = set(best)
            for rowid, candidate in self._candidates({}, similar, hints, feature_types):
                if rowid not in exact_rowids:
                    self._keep(best, rowid, candidate)
        ranked = sorted(
            best.values(),
            key=lambda c: (c.match is MatchKind.FUZZY, -c.score, c.entry.id),
        )
        return ranked[:limit]

    @staticmethod
    def _keep(best: dict[int, Candidate], rowid: int, candidate: Candidate) -> None:
        held = best.get(rowid)
        if held is None or candidate.score > held.score:
            best[rowid] = candidate

    def _candidates(
        self,
        exact: dict[str, MatchKind],
        similar: dict[str, float],
        hints: set[str],
        feature_types: Sequence[str],
    ) -> Iterator[tuple[int, Candidate]]:
        keys = [*exact, *similar]
        if not keys:
            return
        sql = _BY_KEYS.format(keys=_placeholders(keys))
        params: list[object] = list(keys)
        if feature_types:
            sql += f" AND e.feature_type IN ({_placeholders(feature_types)})"
            params += feature_types
        for row in self._db.execute(sql, params):
            entry = GazetteerEntry(*row[:12])
            key, kind = row[13], MatchKind.of_rank(row[14])
            score = math.log10(entry.population + 1) + _TYPE_BONUS.get(entry.feature_type, 0.0)
            if entry.country_code in hints:
                score += _HINT_BONUS
            if key in exact:
                match = max(kind, exact[key], key=lambda k: k.rank)
                similarity = 100.0
            else:
                match, similarity = MatchKind.FUZZY, similar[key]
                score += (similarity - 100.0) / 5
            score += _KIND_BONUS.get(match, 0.0)
            yield row[12], Candidate(entry, round(score, 3), match, key, similarity)

    def _similar_keys(self, keys: list[str]) -> dict[str, float]:
        """Latin keys spelled like any of ``keys``: candidates share its consonant
        skeleton or its first four letters, then rapidfuzz scores them."""
        similar: dict[str, float] = {}
        for key in keys:
            packed = compact(key)
            if len(packed) < 4 or not key.isascii():
                continue
            shape = skeleton(key)
            same_shape = {
                row[0]
                for row in self._db.execute(
                    "SELECT key FROM fuzzy WHERE skeleton = ? LIMIT ?", (shape, _MAX_CANDIDATE_KEYS)
                )
            }
            prefix = key[:4]
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            same_start = self._db.execute(
                "SELECT DISTINCT key FROM names WHERE key >= ? AND key < ? LIMIT ?",
                (prefix, upper, _MAX_CANDIDATE_KEYS),
            )
            choices = {other: compact(other) for other in same_shape}
            choices |= {row[0]: compact(row[0]) for row in same_start}
            choices.pop(key, None)
            for _, ratio, other in process.extract(
                packed,
                choices,
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_CUTOFF - _SKELETON_BONUS,
                limit=None,
            ):
                if other in same_shape:
                    ratio = min(ratio + _SKELETON_BONUS, 99.0)
                if ratio >= _FUZZY_CUTOFF and ratio > similar.get(other, 0.0):
                    similar[other] = round(ratio, 1)
        top = sorted(similar.items(), key=lambda item: -item[1])[:_MAX_FUZZY_KEYS]
        return dict(top)

    def country(self, name_or_code: str) -> GazetteerEntry | None:
        """A country by name or alias ("Syria", "Syrian Arab Republic") or code ("SY", "SYR")."""
        found = self.lookup(name_or_code, feature_types=("country",), fuzzy=False, limit=1)
        if found:
            return found[0].entry
        code = name_or_code.strip().upper()
        row = self._db.execute(_COUNTRY_BY_CODE, (code, code)).fetchone()
        return GazetteerEntry(*row) if row else None

    def admin1(self, name: str, country_code: str | None = None) -> GazetteerEntry | None:
        """A first-level administrative unit (governorate, province, state) by name."""
        hints = (country_code,) if country_code else ()
        for candidate in self.lookup(name, country_codes=hints, feature_types=("admin1",)):
            if country_code is None or candidate.entry.country_code == country_code.upper():
                return candidate.entry
        return None

    def names(
        self, min_population: int = 15_000, exonym_population: int = 100_000
    ) -> Iterator[str]:
        """Place names worth labelling in text, a bounded set: countries and admin-1 units
        under every name, settlements from ``min_population`` up under their own and ASCII
        names and the alternates that transliterate them ("Idleb" for "Idlib"), and
        from ``exonym_population`` up under every alternate ("Erbil" for "Arbīl").

        Only Latin-script names written with a capital letter and at least one lower-case
        letter (codes such as "BGW" are not names in running text), each also as English
        text often writes it: without diacritics and end marks ("Samarra" for "Sāmarrā’")
        and without the Arabic article ("Qamishli" for "Al Qāmishlī").
        """
        rows = self._db.execute(
            "SELECT n.surface, n.kind, e.name, e.ascii_name, e.feature_type, e.population "
            "FROM names n JOIN entries e ON e.rowid = n.entry "
            "WHERE n.surface IS NOT NULL AND length(n.surface) >= 3 AND n.kind <= ? "
            "AND (e.feature_type IN ('country', 'admin1', 'region') OR "
            "(e.feature_type IN ('city', 'town', 'village') AND e.population >= ?))",
            (MatchKind.ALTERNATE.rank, min_population),
        )
        seen: set[str] = set()
        for surface, kind, name, ascii_name, feature_type, population in rows:
            if not fold(surface).isascii():
                continue
            minor = feature_type in SETTLEMENTS and population < exonym_population
            if minor and kind == MatchKind.ALTERNATE.rank:
                shape = skeleton(fold(surface))
                if shape not in (skeleton(fold(name)), skeleton(fold(ascii_name))):
                    continue  # another name, not another spelling, of a smaller place
            for written in _spellings(surface):
                if written not in seen and written[:1].isupper() and not written.isupper():
                    seen.add(written)
                    yield written

    def summary(self, country_codes: Sequence[str] = ()) -> dict[str, tuple[int, int]]:
        """Per feature type: how many entries, and how many of them have a stand-in point."""
        codes = [code.upper() for code in country_codes]
        where = f"WHERE country_code IN ({_placeholders(codes)})" if codes else ""
        rows = self._db.execute(
            "SELECT feature_type, COUNT(*), COUNT(precision_note) FROM entries "
            f"{where} GROUP BY 1 ORDER BY 2 DESC",
            codes,
        )
        return {feature_type: (count, stand_ins) for feature_type, count, stand_ins in rows}


def _spellings(surface: str) -> list[str]:
    """A name as written, in ASCII without end marks, and without its article."""
    plain = anyascii(surface).strip(_END_MARKS)
    found = [surface, plain]
    if without_article(fold(plain)) is not None:
        found.append(_AFTER_ARTICLE.split(plain, maxsplit=1)[-1])
    return found


def default_gazetteer() -> Gazetteer | None:
    """The configured gazetteer (``$NEWSTRACE_GAZETTEER``, else the packaged one), opened
    once per path, so a changed setting is honoured (None when none can be opened)."""
    return _open_configured(os.environ.get(GAZETTEER_ENV) or None)


@cache
def _open_configured(path: str | None) -> Gazetteer | None:
    try:
        return Gazetteer.configured(Path(path) if path else None)
    except GazetteerError as exc:
        log.warning("places left unresolved: %s", exc)
        return None
