"""Records the gazetteer hands out, and the feature types it sorts places into."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MatchKind(StrEnum):
    """How a query reached an entry, best first (the order is stored in the index)."""

    EXACT = "exact"  # the entry's own name, up to case and accents
    ASCII = "ascii"  # its ASCII name
    ALTERNATE = "alternate"  # one of its alternate names
    VARIANT = "variant"  # a name after a general rule (article, "governorate"...) was applied
    FUZZY = "fuzzy"  # a similar spelling

    @property
    def rank(self) -> int:
        return _KIND_ORDER.index(self)

    @classmethod
    def of_rank(cls, rank: int) -> MatchKind:
        return _KIND_ORDER[rank]


_KIND_ORDER = tuple(MatchKind)

# Places people live in; size decides which (see ``settlement_type``).
SETTLEMENTS = frozenset({"city", "town", "village", "neighbourhood", "former place"})
ADMIN_TYPES = frozenset({"admin1", "admin2", "district", "region"})
# Named features that are neither settlements nor administrative units.
NATURAL = frozenset(
    {"valley", "desert", "mountain", "plain", "plateau", "pass", "island", "area", "oilfield"}
    | {"river", "lake", "water", "terrain", "vegetation"}
)
FACILITIES = frozenset({"base", "airport", "crossing", "bridge", "dam", "camp"})


def settlement_type(population: int, feature_code: str | None = None) -> str:
    """City, town or village by population; capitals and seats are never villages."""
    if feature_code == "PPLC" or population >= 100_000:
        return "city"
    if (feature_code or "").startswith("PPLA") or population >= 10_000:
        return "town"
    return "village"


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One place. ``precision_note`` says when the point is a stand-in for an area."""

    id: str  # source:id, e.g. "geonames:99072"
    name: str
    latitude: float
    longitude: float
    feature_type: str
    country_code: str
    country: str
    admin1: str | None
    population: int  # 0 when unknown
    precision_note: str | None = None
    ascii_name: str | None = None
    feature_code: str | None = None  # the GeoNames code when the source gives one


@dataclass(frozen=True, slots=True)
class Candidate:
    """A lookup result: the entry, its ranking score, and how it matched."""

    entry: GazetteerEntry
    score: float
    match: MatchKind
    matched: str  # the normalized name that matched
    similarity: float = 100.0  # rapidfuzz ratio for fuzzy matches, 100 otherwise
