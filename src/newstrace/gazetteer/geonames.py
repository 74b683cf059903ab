"""Build an index from GeoNames dump files a user downloaded.

Accepted: place tables (``allCountries.zip``, country files such as ``IQ.zip`` or
``IQ.txt``: 19 tab-separated columns), ``alternateNamesV2.zip`` (or the older
``alternateNames``) and ``admin1CodesASCII.txt``, plain or zipped. Each table is
recognised by its column count, not its file name, and read line by line:
allCountries is 1.5 GB unzipped and is never held in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newstrace.gazetteer.index import GazetteerError, IndexWriter, PlaceRow
from newstrace.gazetteer.model import settlement_type
from newstrace.gazetteer.packaged import admin1_names, country_names

_PLACES, _ADMIN1, _ALTERNATES = "places", "admin1 codes", "alternate names"
_KINDS_BY_COLUMNS = {19: _PLACES, 4: _ADMIN1, 8: _ALTERNATES, 10: _ALTERNATES}
_SKIPPED_MEMBERS = ("readme", "iso-languagecodes")
# alternateNames "languages" that hold codes and links, not names.
_NOT_NAMES = frozenset({"link", "wkdt", "post", "iata", "icao", "faac", "tcid", "unlc", "fr_1793"})

# GeoNames feature codes (class.code) with a type of their own; others go by class below.
_FEATURE_TYPES: dict[str, str] = {
    **dict.fromkeys(
        ["A.PCLI", "A.PCLD", "A.PCLF", "A.PCLS", "A.PCLIX", "A.PCL", "A.TERR"], "country"
    ),
    **dict.fromkeys(["A.ADM1", "A.ADM1H"], "admin1"),
    **dict.fromkeys(["A.ADM2", "A.ADM2H"], "admin2"),
    **dict.fromkeys(["P.PPLX"], "neighbourhood"),
    **dict.fromkeys(["P.PPLQ", "P.PPLH", "P.PPLW"], "former place"),
    **dict.fromkeys(["T.VAL", "T.VALS", "T.VALX", "H.WAD", "H.WADS", "H.WADX"], "valley"),
    **dict.fromkeys(["T.DSRT"], "desert"),
    **dict.fromkeys(["T.MT", "T.MTS", "T.PK", "T.PKS", "T.HLL", "T.HLLS", "T.RDGE"], "mountain"),
    **dict.fromkeys(["T.PLN", "T.PLNX"], "plain"),
    **dict.fromkeys(["T.PLAT", "T.UPLD"], "plateau"),
    **dict.fromkeys(["T.PASS", "T.GAP"], "pass"),
    **dict.fromkeys(["T.ISL", "T.ISLS", "T.ISLET"], "island"),
    **dict.fromkeys(["L.RGN", "L.AREA", "L.RGNE", "L.RGNH"], "area"),
    **dict.fromkeys(["L.OILF", "L.GASF"], "oilfield"),
    **dict.fromkeys(["S.MILB", "S.INSM", "S.AIRB", "S.FT"], "base"),
    **dict.fromkeys(["S.AIRP", "S.AIRF", "S.AIRH"], "airport"),
    **dict.fromkeys(["S.PSTB", "S.PSTC", "S.PSTP"], "crossing"),
    **dict.fromkeys(["S.BDG", "S.BDGQ"], "bridge"),
    **dict.fromkeys(["S.DAM", "S.DAMQ"], "dam"),
    **dict.fromkeys(["S.CMP", "S.CMPRF", "S.CMPQ"], "camp"),
    **dict.fromkeys(["H.STM", "H.STMI", "H.STMS", "H.CNL"], "river"),
    **dict.fromkeys(["H.LK", "H.LKS", "H.RSV", "H.LKSL"], "lake"),
}
_CLASS_TYPES = {"A": "district", "H": "water", "L": "area", "R": "road", "S": "site"}
_CLASS_TYPES |= {"T": "terrain", "U": "undersea", "V": "vegetation"}


def feature_type(feature_class: str, feature_code: str, population: int) -> str:
    """The simple type of a GeoNames feature (city, admin1, valley, base...)."""
    if feature_class == "P" and feature_code not in ("PPLX", "PPLQ", "PPLH", "PPLW"):
        return settlement_type(population, feature_code)
    specific = _FEATURE_TYPES.get(f"{feature_class}.{feature_code}")
    return specific or _CLASS_TYPES.get(feature_class, "place")


@dataclass(frozen=True, slots=True)
class _Table:
    """One tab-separated table inside an input file (a zip may hold several)."""

    path: Path
    member: str | None
    kind: str


@contextmanager
def _lines(path: Path, member: str | None) -> Iterator[Iterator[str]]:
    if member is None:
        with path.open(encoding="utf-8") as handle:
            yield handle
    else:
        with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8")


def _tables(paths: Sequence[Path]) -> list[_Table]:
    """Each input's tables, recognised by the column count of their first line."""
    tables: list[_Table] = []
    for path in paths:
        try:
            members: list[str | None] = [None]
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    members = [
                        name
                        for name in archive.namelist()
                        if not name.endswith("/")
                        and not Path(name).name.lower().startswith(_SKIPPED_MEMBERS)
                    ]
            for member in members:
                with _lines(path, member) as lines:
                    first = next(iter(lines), "")
                kind = _KINDS_BY_COLUMNS.get(len(first.rstrip("\n").split("\t")))
                if kind is None:
                    raise GazetteerError(f"{path}: not a GeoNames table ({member or 'file'})")
                tables.append(_Table(path, member, kind))
        except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise GazetteerError(f"{path}: cannot read ({exc})") from None
    return tables


def build_from_geonames(paths: Sequence[Path], out: Path, *, countries: Sequence[str] = ()) -> Path:
    """Index the places (of ``countries`` only, if given) in GeoNames dump files."""
    tables = _tables(paths)
    if not any(table.kind == _PLACES for table in tables):
        raise GazetteerError("no GeoNames place table (19 columns) among the inputs")
    try:
        return _build(tables, out, {code.upper() for code in countries})
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise GazetteerError(f"cannot read the GeoNames files ({exc})") from None


def _build(tables: list[_Table], out: Path, keep: set[str]) -> Path:
    with IndexWriter(out) as writer:
        writer.add_countries(country_names())
        for table in tables:
            if table.kind == _ADMIN1:
                with _lines(table.path, table.member) as lines:
                    writer.add_admin1(_admin1_codes(lines))
        for table in tables:
            if table.kind == _PLACES:
                with _lines(table.path, table.member) as lines:
                    _read_places(writer, lines, keep)
        writer.add_admin1(admin1_names())  # for units that no admin1 file or row named
        for table in tables:
            if table.kind == _ALTERNATES:
                with _lines(table.path, table.member) as lines:
                    _read_alternates(writer, lines)
        sources = ", ".join(sorted({table.path.name for table in tables}))
        return writer.finish(sources=f"GeoNames dump: {sources}")


def _admin1_codes(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        if len(fields) == 4:
            yield fields[0], fields[1]


def _read_places(writer: IndexWriter, lines: Iterator[str], keep: set[str]) -> None:
    admin1_names: list[tuple[str, str]] = []
    country_rows: list[tuple[str, str | None, str]] = []
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 19 or (keep and fields[8] not in keep) or not fields[0].isdigit():
            continue
        try:
            latitude, longitude = float(fields[4]), float(fields[5])
        except ValueError:
            continue  # a damaged line: skipped rather than placed anywhere
        population = int(fields[14]) if fields[14].isdigit() else 0
        kind = feature_type(fields[6], fields[7], population)
        if kind == "admin1":
            admin1_names.append((f"{fields[8]}.{fields[10]}", fields[1]))
        elif kind == "country":
            country_rows.append((fields[8], None, fields[1]))
        writer.add(
            PlaceRow(
                rowid=int(fields[0]),
                id=f"geonames:{fields[0]}",
                name=fields[1],
                ascii_name=fields[2] or fields[1],
                latitude=latitude,
                longitude=longitude,
                feature_type=kind,
                feature_code=fields[7] or None,
                country_code=fields[8],
                admin1_code=fields[10] or None,
                population=population,
                alternates=fields[3].split(",") if fields[3] else (),
            )
        )
    writer.add_admin1(admin1_names)
    writer.add_countries(country_rows)  # codes the packaged country list lacks


def _read_alternates(writer: IndexWriter, lines: Iterator[str]) -> None:
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 8 or fields[2] in _NOT_NAMES or not fields[1].isdigit():
            continue
        rowid = int(fields[1])
        if writer.has(rowid):
            writer.add_alternates(rowid, [fields[3]])
