"""Toponyms resolved to gazetteer entries, disambiguated by what the text says around them.

Each toponym (:mod:`toponyms`) is looked up under its name as written and its bare name.
Among the entries of that name, the one kept is the first, in the gazetteer's ranking
(population and feature type), that agrees with the text:

* it lies in the country of the place the text puts it in ("Tarmiyah, Saladin, Iraq",
  "X in Y"), within a short distance when that place is a town, and preferably in the
  province the text names; when the text means the area around a town ("the
  countryside of Y", "rural Y", or "in Y" for a town whose province bears its name, as
  Syrian and Iraqi provinces do), in that town's province. A town named for its province
  ranks as coarse as a province when events choose between it and a place inside it;
* else in a country the document names (its states, countries, provinces), so that
  "Damascus", "Kerman" and "Palmyra" are not their US namesakes; a namesake elsewhere is
  kept only when prominent (a country, a province, a city);
* its kind fits the feature word ("Anbar Governorate" is a province, "Quamishli city" a
  settlement); a valley, desert, base or airport the gazetteer lacks stands at the town it
  is named after ("the Sinjar mountains" at Sinjar), one precision step coarser;
* a spelling variant (fuzzy match: Hamah/Hama, Deir Ezzor/Dayr az Zawr) is accepted
  only in the country of the place around it, or, in the document's countries, when it
  keeps the name's consonants (a transliteration, not another name).

A place the gazetteer lacks falls back, as ACLED coders do, to what the text places it
in (its container), else to the province of the most specific place its sentence names
near it, else to the same name resolved elsewhere in the document, with the precision
lowered and the reason stated. Otherwise it stays unresolved text without coordinates:
none are ever invented. Lookups are cached per process on normalized names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from spacy.tokens import Doc

from newstrace.extract.toponyms import Toponym, find_toponyms, place_terms
from newstrace.gazetteer.geo import haversine_km
from newstrace.gazetteer.lookup import Gazetteer, default_gazetteer
from newstrace.gazetteer.model import (
    ADMIN_TYPES,
    FACILITIES,
    NATURAL,
    SETTLEMENTS,
    Candidate,
    GazetteerEntry,
    MatchKind,
)
from newstrace.gazetteer.normalize import fold, skeleton
from newstrace.nlp.pipeline import mention
from newstrace.records import Place

PROMINENT_POPULATION = 100_000  # a namesake outside the document's countries must be a city
MIN_SIMILARITY = 85.0  # fuzzy matches below this are other names, not other spellings
UNVOUCHED_SIMILARITY = 90.0  # ... and below this when no place around it names the country
LONE_SIMILARITY = 95.0  # ... and below this when the document names no country at all
CONTAINED_KM = 30.0  # a place the text puts in a town lies this close to it
# ... and one it puts in a province may lie over the border, not this far from its point
NEIGHBOURING_KM = 100.0
_CANDIDATES = 10
_DIRECTIONS = frozenset({"northern", "southern", "eastern", "western", "central", "upper", "lower"})
# Words qualifying a facility's name rather than naming it ("Arbil International Airport").
_FACILITY_QUALIFIERS = frozenset({"international", "military", "air", "civil", "main", "central"})
# How specific a point is: a neighbourhood is finer than a town, a town than a district...
LEVELS = {"neighbourhood": 0, "admin2": 2, "district": 2, "region": 3, "admin1": 3, "country": 4}
UNPLACED = 9  # no point at all
_AREA_TYPES = ADMIN_TYPES | {"country"}
_KIND_FITS = {
    "admin1": frozenset({"admin1", "region"}),
    "region": frozenset({"admin1", "region", "admin2"}),
    "admin2": ADMIN_TYPES | SETTLEMENTS,  # districts are named after their towns
    "city": SETTLEMENTS,
    "town": SETTLEMENTS,
    "village": SETTLEMENTS,
    "neighbourhood": SETTLEMENTS,
}


def level_of(feature_type: str | None) -> int:
    """Specificity rank of a feature type (lower is finer)."""
    if feature_type is None:
        return UNPLACED
    return LEVELS.get(feature_type, 1)


@dataclass(frozen=True, slots=True)
class LocatedPlace:
    """A place with where its mention lies in the parse, for the events stage."""

    place: Place
    start: int  # tokens of the mention
    end: int
    sentence: int  # token index where its sentence starts
    near: bool  # the text puts something near it, not at it
    level: int  # how specific its point is (see ``LEVELS``); UNPLACED without one

    @property
    def resolved(self) -> bool:
        return self.place.latitude is not None


@dataclass(frozen=True, slots=True)
class _Found:
    """The entry a toponym resolved to, and how well its point stands for the toponym."""

    entry: GazetteerEntry
    precision: int
    reason: str
    admin1: str | None
    feature_type: str
    # The text may mean the area around the point: "the countryside of Idlib", "rural
    # Tal Tamer", or a town whose province bears its name ("in Al-Hasakeh").
    area: bool = False


@cache
def resolver_for(gazetteer: Gazetteer) -> _Resolver:
    """One resolver (and its lookup cache) per gazetteer."""
    return _Resolver(gazetteer)


def _own_precision(entry: GazetteerEntry) -> int:
    """ACLED precision of an entry's own point: a province or country is only an area."""
    if entry.feature_type in {"admin1", "country"}:
        return 3
    return 2 if entry.feature_type in ADMIN_TYPES else 1


def _admin1_of(entry: GazetteerEntry) -> str | None:
    return entry.name if entry.feature_type == "admin1" else entry.admin1


class _Resolver:
    """Resolves a document's toponyms against one gazetteer, lookups cached."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.lookup = lru_cache(maxsize=65_536)(self._lookup)

    def _lookup(self, key: str, hints: tuple[str, ...], fuzzy: bool) -> tuple[Candidate, ...]:
        found = self.gazetteer.lookup(key, country_codes=hints, fuzzy=fuzzy, limit=_CANDIDATES)
        return tuple(c for c in found if fuzzy or c.match is not MatchKind.FUZZY)

    # --- the document's countries ------------------------------------------------------

    def countries(self, doc: Doc, toponyms: list[Toponym]) -> tuple[str, ...]:
        """Countries the document names (states, adjectives, countries), else the one its
        place names point to most: each name votes for every country that has a place of
        that name, twice where it is a province or a city there ("Tafas in Dar'a": Syria)."""
        named = {  # states named as places: "Turkish forces" in Syria says nothing of Turkey
            t.ent_id_.partition(":")[2].upper()
            for t in doc
            if t.ent_id_.startswith("state:") and t.ent_type_ == "GPE"
        }
        votes: Counter[str] = Counter()
        for top in toponyms:
            if top.country_hint:
                named.add(top.country_hint)
            candidates = self.lookup(fold(top.name), (), False)
            if candidates and candidates[0].entry.feature_type == "country":
                named.add(candidates[0].entry.country_code)
            weights: dict[str, int] = {}
            for candidate in candidates:
                code = candidate.entry.country_code
                weights[code] = max(weights.get(code, 0), 2 if _prominent(candidate.entry) else 1)
            votes.update(weights)
        if named or not votes:
            return tuple(sorted(named))
        best = max(votes.values())
        return tuple(sorted(code for code, count in votes.items() if count == best))

    # --- one toponym -------------------------------------------------------------------

    def resolve(
        self,
        top: Toponym,
        container: _Found | None,
        hints: tuple[str, ...],
        province_first: bool = False,
    ) -> _Found | None:
        """The entry for ``top``; ``province_first`` when it contains another place and
        names no kind: "Ras al-Ain, Al Hasakah, Syria" means the province of Al Hasakah."""
        if top.feature in place_terms().never_by_name:
            return None
        country = container.entry.country_code if container else top.country_hint
        keys = (country,) if country else hints
        for name, stand_in in self._names(top):
            accepted = [
                found
                for candidate in self.lookup(fold(name), keys, False)
                if (found := self._accept(top, candidate, container, country, hints, stand_in))
            ]
            provinces = [f for f in accepted if f.entry.feature_type == "admin1"]
            if accepted:
                return provinces[0] if province_first and provinces else accepted[0]
        if top.feature == "admin1" and (province := self._province(top, keys, country)):
            return province
        shape = skeleton(fold(top.name))
        for candidate in self.lookup(fold(top.name), keys, True):
            if candidate.match is not MatchKind.FUZZY or candidate.similarity < MIN_SIMILARITY:
                continue
            # without a place around it to vouch for the country, only a transliteration
            # (same consonants: Idlib/Idleb, Dayr az Zawr/Deir Ezzor) is another spelling,
            # and with no country in the whole document, only a near-identical one
            transliteration = skeleton(candidate.matched) == shape
            needed = UNVOUCHED_SIMILARITY if hints else LONE_SIMILARITY
            if country or (transliteration and candidate.similarity >= needed):
                found = self._accept(top, candidate, container, country, hints, False)
                if found is not None:
                    return found
        return None

    def _province(self, top: Toponym, keys: tuple[str, ...], country: str | None) -> _Found | None:
        """What the text calls a province ("Idleb province", "Saladin province") under
        the gazetteer's spelling: a province whose name keeps the same consonants, or the
        province of a town of that name that is named like it."""
        shape = skeleton(fold(top.name))
        for candidate in self.lookup(fold(top.name), keys, True):
            entry = candidate.entry
            if country and entry.country_code != country:
                continue
            if entry.feature_type == "admin1" and skeleton(candidate.matched) == shape:
                province: GazetteerEntry | None = entry
            elif entry.feature_type in SETTLEMENTS and entry.admin1:
                named_like = skeleton(fold(entry.admin1)) == shape
                province = (
                    self.gazetteer.admin1(entry.admin1, entry.country_code) if named_like else None
                )
            else:
                continue
            if province is not None and candidate.similarity >= MIN_SIMILARITY:
                why = f"{province.name} (admin1), the province the text names as {top.written!r}"
                return _Found(province, 3, why, province.name, "admin1")
        return None

    @staticmethod
    def _names(top: Toponym) -> list[tuple[str, bool]]:
        """Names to look up, most literal first; True marks a stand-in (a town for a
        feature named after it, "Northern Iraq" for Iraq)."""
        names = [(top.written, False), (top.name, False)]
        words = top.name.split()
        if len(words) > 1 and words[0].lower() in _DIRECTIONS:
            names.append((" ".join(words[1:]), True))
        if top.feature in FACILITIES:
            kept = [w for w in words if w.lower() not in _FACILITY_QUALIFIERS]
            names.append((" ".join(kept), False))
        unique: dict[str, tuple[str, bool]] = {}
        for name, stand_in in names:
            if name:
                unique.setdefault(fold(name), (name, stand_in))
        return list(unique.values())

    def _accept(
        self,
        top: Toponym,
        candidate: Candidate,
        container: _Found | None,
        country: str | None,
        hints: tuple[str, ...],
        stand_in: bool,
    ) -> _Found | None:
        entry = candidate.entry
        fuzzy = candidate.match is MatchKind.FUZZY
        if country and entry.country_code != country:
            return None
        outside = not country and hints and entry.country_code not in hints
        if outside and (fuzzy or not _prominent(entry)):
            return None
        if fuzzy and not (country or hints) and not _prominent(entry) and not top.strong:
            return None  # a name only a preposition calls a place, spelled like a village
        if not self._inside(entry, fuzzy, container):
            return None
        kind = top.feature
        named_after = kind in place_terms().named_after_town and entry.feature_type in SETTLEMENTS
        fits = kind is None or entry.feature_type in _KIND_FITS.get(kind, NATURAL | FACILITIES)
        if not fits and not named_after:
            return None
        admin1 = _admin1_of(entry)
        if container is not None and container.admin1 and entry.feature_type != "admin1":
            admin1 = container.admin1  # the province the text names wins over the gazetteer's
        precision = _own_precision(entry)
        why = self._why(entry, container, country, hints)
        if candidate.match is MatchKind.FUZZY:
            why = f"spelling variant ({candidate.similarity:.0f}% similar) of {entry.name}{why}"
        else:
            why = f"{entry.name} ({entry.feature_type}){why}"
        if (named_after and not fits) or stand_in:
            precision = max(precision, 2)
            what = kind if named_after and not fits else "area"
            why = f"no {what} of this name in the gazetteer: placed at {why}"
        feature = kind if kind in NATURAL | FACILITIES else entry.feature_type
        area = entry.feature_type in SETTLEMENTS and (top.near or self._names_province(top, entry))
        return _Found(entry, precision, why, admin1, feature, area)

    def _names_province(self, top: Toponym, town: GazetteerEntry) -> bool:
        """Whether the town's own province goes by the name the text uses for it (in
        any transliteration: "al-Hasakeh" for Al Hasakah)."""
        key = fold(top.name)
        return any(
            c.entry.feature_type == "admin1"
            and c.entry.country_code == town.country_code
            and c.entry.name == town.admin1
            and (c.match is not MatchKind.FUZZY or skeleton(c.matched) == skeleton(key))
            for c in self.lookup(key, (town.country_code,), True)
        )

    @staticmethod
    def _inside(entry: GazetteerEntry, fuzzy: bool, container: _Found | None) -> bool:
        """Whether ``entry`` can lie where the text puts it: in a province (or, under its
        exact name, across that province's border); close to a town; in the area around
        a town (its countryside, the province named after it), that is in the town's
        province (or, under its exact name, near the town)."""
        if container is None:
            return True
        around = container.entry
        far = haversine_km(entry.latitude, entry.longitude, around.latitude, around.longitude)
        if around.feature_type == "admin1":
            return not fuzzy or entry.admin1 == around.name or far <= NEIGHBOURING_KM
        if around.feature_type not in SETTLEMENTS or entry.feature_type in _AREA_TYPES:
            return True
        if container.area:
            return entry.admin1 == around.admin1 or (not fuzzy and far <= NEIGHBOURING_KM)
        return far <= CONTAINED_KM

    @staticmethod
    def _why(
        entry: GazetteerEntry, container: _Found | None, country: str | None, hints: tuple[str, ...]
    ) -> str:
        if container is not None:
            return f", in {container.entry.name} as the text places it"
        if country:
            return f", in {entry.country} as the text says"
        if entry.country_code in hints:
            return f", in {entry.country}, a country the document names"
        return ", the most prominent place of that name"


def _prominent(entry: GazetteerEntry) -> bool:
    return entry.feature_type in {"country", "admin1"} or entry.population >= PROMINENT_POPULATION


def _place(doc: Doc, top: Toponym, doc_id: int, found: _Found | None, reason: str) -> Place:
    first, last = doc[top.start], doc[top.end - 1]
    words = mention(doc, first.idx, last.idx + len(last.text), doc_id)
    if found is None:
        return Place(words, feature_type=top.feature, reason=reason)
    entry = found.entry
    return Place(
        words,
        name=entry.name,
        latitude=entry.latitude,
        longitude=entry.longitude,
        feature_type=found.feature_type,
        country=entry.country,
        admin1=found.admin1,
        geo_precision=found.precision,
        gazetteer_id=entry.id,
        reason=found.reason,
    )


class _Document:
    """The resolution of one document's toponyms: direct, then by context."""

    def __init__(self, resolver: _Resolver, doc: Doc, toponyms: list[Toponym]) -> None:
        self.resolver = resolver
        self.toponyms = toponyms
        self.hints = resolver.countries(doc, toponyms)
        self.containers = {  # what only may be a place says nothing of its container
            t.container for t in toponyms if t.container is not None and not t.person
        }
        self.neighbourhood_containers = {  # a neighbourhood lies in a town, not a province
            t.container
            for t in toponyms
            if t.container is not None and t.feature == "neighbourhood"
        }
        self.found: dict[int, _Found | None] = {}
        self.reasons: dict[int, str] = {}

    def direct(self, index: int) -> _Found | None:
        """The toponym's own entry, its containers resolved first, outermost first (a loop:
        a chain of thousands of "X of Y of ..." in hostile text would overflow the stack).
        A container that is the toponym itself, further down, counts as unresolved."""
        chain, on_chain = [index], {index}
        while (up := self.toponyms[chain[-1]].container) is not None and not (
            up in self.found or up in on_chain
        ):
            chain.append(up)
            on_chain.add(up)
        for link in reversed(chain):
            if link not in self.found:
                self.found[link] = self._resolve(link)
        return self.found[index]

    def _resolve(self, index: int) -> _Found | None:
        """The toponym's own entry, given what its container resolved to."""
        top = self.toponyms[index]
        container = self.found.get(top.container) if top.container is not None else None
        province_first = (
            top.feature is None
            and index in self.containers
            and index not in self.neighbourhood_containers
            and (container is None or container.entry.feature_type == "country")
        )
        found = self.resolver.resolve(top, container, self.hints, province_first)
        if found is None and container is not None:
            found = _Found(
                container.entry,
                max(2, container.precision),
                f"not in the gazetteer: placed in {container.entry.name}, where the text puts it",
                container.admin1,
                top.feature or container.feature_type,
            )
        return found

    def by_sentence(self, index: int) -> _Found | None:
        """A valley, desert, base or other feature the gazetteer lacks, at what its
        sentence names near it: the most specific resolved place there (its province
        for a valley, desert or mountain), provided those places lie in one country."""
        top = self.toponyms[index]
        if top.feature not in NATURAL | FACILITIES | {"area", "region"}:
            return None
        others = [
            found
            for i, other in enumerate(self.toponyms)
            if i != index
            and other.sentence == top.sentence
            and (found := self.found.get(i)) is not None
        ]
        if not others or len({f.entry.country_code for f in others}) > 1:
            return None
        nearest = min(others, key=lambda f: level_of(f.entry.feature_type))
        entry = nearest.entry
        if top.feature in NATURAL and entry.feature_type != "admin1" and nearest.admin1:
            province = self.resolver.gazetteer.admin1(nearest.admin1, entry.country_code)
            entry = province or entry
        precision = 3 if entry.feature_type in {"admin1", "country"} else 2
        return _Found(
            entry,
            precision,
            f"not in the gazetteer: placed in {entry.name}, which its sentence names near it",
            _admin1_of(entry),
            top.feature or entry.feature_type,
        )

    def by_name(self, index: int) -> _Found | None:
        """The same name resolved at another mention in the document."""
        key = (fold(self.toponyms[index].name), self.toponyms[index].feature)
        for i, other in enumerate(self.toponyms):
            found = self.found.get(i)
            if found is not None and i != index and (fold(other.name), other.feature) == key:
                return replace(found, reason=f"as at its other mention: {found.reason}")
        return None


def locate_places(
    doc: Doc, doc_id: int = 0, gazetteer: Gazetteer | None = None
) -> list[LocatedPlace]:
    """Every toponym of ``doc`` as a :class:`Place`, with where its mention lies."""
    toponyms = find_toponyms(doc)
    chosen = gazetteer or default_gazetteer()
    if chosen is None or not toponyms:
        return [_unresolved(doc, t, doc_id, "no gazetteer available") for t in toponyms if t.strong]
    state = _Document(resolver_for(chosen), doc, toponyms)
    for index in range(len(toponyms)):
        state.direct(index)
    for step in (state.by_sentence, state.by_name):
        missing = [i for i in range(len(toponyms)) if state.found.get(i) is None]
        for index in missing:
            state.found[index] = step(index)
    located = []
    containers = {t.container for t in toponyms}
    for index, top in enumerate(toponyms):
        found = state.found.get(index)
        if found is None and not top.strong:
            continue  # a name after "in" that no gazetteer knows: not shown to be a place
        unplaced = f"not in the gazetteer ({top.evidence}); the text places it nowhere"
        place = _place(doc, top, doc_id, found, unplaced)
        level = level_of(found.entry.feature_type) if found else UNPLACED
        if found is not None and found.area and not top.near and index in containers:
            level = LEVELS["admin1"]  # "X in Al-Hasakeh" names the province: X is finer
        located.append(LocatedPlace(place, top.start, top.end, top.sentence, top.near, level))
    return located


def _unresolved(doc: Doc, top: Toponym, doc_id: int, reason: str) -> LocatedPlace:
    place = _place(doc, top, doc_id, None, reason)
    return LocatedPlace(place, top.start, top.end, top.sentence, top.near, UNPLACED)


def extract_places(doc: Doc, doc_id: int = 0, gazetteer: Gazetteer | None = None) -> list[Place]:
    """Every toponym of ``doc``, resolved where the gazetteer and the text allow."""
    return [located.place for located in locate_places(doc, doc_id, gazetteer)]
