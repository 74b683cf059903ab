"""Whether two place names mean the same country, province or place.

Coders and gazetteers spell Arabic names differently ("Saladin" / "Salah ad Din",
"Deir ez-Zor" / "Dayr az Zawr"). Names are compared by the gazetteer's own keys (folded,
article dropped, consonant skeleton), then by what the gazetteer resolves them to.
"""

from __future__ import annotations

from functools import lru_cache

from newstrace.evaluate.predictions import PlaceGuess
from newstrace.gazetteer.lookup import Gazetteer
from newstrace.gazetteer.normalize import fold, skeleton, without_admin_words

_MIN_SKELETON = 2  # shorter skeletons ("h") say too little to compare


def name_keys(name: str | None) -> set[str]:
    """Spelling-independent keys of a place name."""
    if not name:
        return set()
    key = fold(name)
    bare = without_admin_words(key) or key
    shape = skeleton(bare)
    return {bare.replace(" ", "")} | ({shape} if len(shape) >= _MIN_SKELETON else set())


class PlaceJudge:
    """Country, admin-1 and place-name equality, aided by one gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.country_code = lru_cache(maxsize=None)(self._country_code)
        self._admin1_id = lru_cache(maxsize=None)(self._resolve_admin1)
        self._place_names = lru_cache(maxsize=None)(self._names_of)

    def _country_code(self, name: str | None) -> str | None:
        """ISO alpha-2 code of a country named or coded ("Iraq", "IQ", "IRQ")."""
        if not name or not name.strip():
            return None
        entry = self.gazetteer.country(name.strip())
        return entry.country_code if entry else None

    def _resolve_admin1(self, name: str, country_code: str | None) -> str | None:
        entry = self.gazetteer.admin1(name, country_code)
        return entry.id if entry else None

    def same_admin1(self, gold: str | None, found: str | None, country: str | None) -> bool:
        """Same first-level unit: same spelling key, or the gazetteer resolves both alike."""
        if not gold or not found:
            return False
        if name_keys(gold) & name_keys(found):
            return True
        code = self.country_code(country)
        gold_id = self._admin1_id(gold, code)
        return gold_id is not None and gold_id == self._admin1_id(found, code)

    def _names_of(self, name: str, country_code: str | None) -> frozenset[str]:
        """Keys of ``name`` and of what it resolves to: the place and its province."""
        keys = set(name_keys(name))
        hints = (country_code,) if country_code else ()
        for candidate in self.gazetteer.lookup(name, country_codes=hints, fuzzy=False, limit=3):
            if country_code and candidate.entry.country_code != country_code:
                continue
            keys |= name_keys(candidate.entry.name) | name_keys(candidate.entry.admin1)
        return frozenset(keys)

    def same_place(self, gold: str, found: PlaceGuess, country: str | None) -> bool:
        """``found`` is the named place, a place of that name's province, or the province."""
        code = self.country_code(country)
        gold_keys = self._place_names(gold, code)
        found_keys = name_keys(found.name) | name_keys(found.admin1)
        return bool(gold_keys & found_keys)
