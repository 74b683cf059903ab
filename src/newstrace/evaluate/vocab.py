"""Coding vocabularies: the event scheme and actor names, made comparable.

Gold data and newstrace name the same things differently: GTD has attack types where the
project has ACLED's event types, ACLED writes "Military Forces of Syria (2000-)" where the
alias table says "Syrian Arab Army". Both sides go through the same keys here, so a
score measures the finding, not the spelling. The mappings are data files
(``data/event_types.yaml``, ``data/actor_codes.yaml``), general for each source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from newstrace.gazetteer.normalize import fold
from newstrace.nlp.aliases import ActorKind, AliasEntry, load_aliases

_ACRONYM_PREFIX = re.compile(r"^([A-Z][A-Za-z]{1,6}):\s*(.+)$")  # "QSD: Syrian Democratic Forces"
_PERIOD_SUFFIX = re.compile(r"^(.*?)\s*\(\d{4}-\d{0,4}\)\s*(.*)$")  # "... (2000-) Sub-unit"
_PARENTHESES = re.compile(r"\s*\(([^)]*)\)")


def _load(name: str) -> Any:
    return yaml.safe_load(resources.files("newstrace.data").joinpath(name).read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class EventScheme:
    """ACLED-compatible event types and sub-event types, and the ways other codes map on."""

    types: dict[str, tuple[str, ...]]  # event type -> its sub-event types
    synonyms: dict[str, tuple[str, str | None]]  # folded name -> (type, sub-type)
    gtd_rules: dict[str, dict[str, str]]
    armed_targets: frozenset[str]

    def classify(self, name: str | None) -> tuple[str | None, str | None]:
        """(event type, sub-event type) a type or sub-type name stands for."""
        if not name:
            return None, None
        key = fold(name)
        if key in self.synonyms:
            return self.synonyms[key]
        for event_type, subtypes in self.types.items():
            if fold(event_type) == key:
                return event_type, None
            for subtype in subtypes:
                if fold(subtype) == key:
                    return event_type, subtype
        return None, None

    def event_type(self, name: str | None) -> str | None:
        return self.classify(name)[0]

    def sub_event_type(self, name: str | None) -> str | None:
        return self.classify(name)[1]

    def from_gtd(self, attack_type: str, target_type: str) -> tuple[str | None, str | None]:
        """The event type of a GTD attack (``None`` for "Unknown" and unmapped types)."""
        rule = self.gtd_rules.get(attack_type)
        if rule is None:
            return None, None
        if target_type in self.armed_targets and "armed_target" in rule:
            return rule["armed_target"], None
        return rule["event_type"], rule.get("sub_event_type")


@cache
def event_scheme() -> EventScheme:
    """The packaged scheme (read once)."""
    data = _load("event_types.yaml")
    types = {str(k): tuple(str(s) for s in v) for k, v in data["scheme"].items()}
    synonyms: dict[str, tuple[str, str | None]] = {}
    for name, target in data["synonyms"].items():
        synonyms[fold(str(name))] = (str(target[0]), str(target[1]) if len(target) > 1 else None)
    rules = {
        str(k): {str(a): str(b) for a, b in v.items()} for k, v in data["gtd_attack_types"].items()
    }
    return EventScheme(types, synonyms, rules, frozenset(data["gtd_armed_targets"]))


class ActorKeys:
    """One comparable key per actor name: ``None`` for "no named actor".

    Keys: ``forces:SY`` for a state and its armed forces, ``actor:<alias id>`` for an
    entry of the alias table, else ``name:<folded name>``.
    """

    def __init__(self) -> None:
        data = _load("actor_codes.yaml")
        self._unnamed = {fold(str(name)) for name in data["unnamed"]}
        self._state_forces: dict[str, str] = {
            str(k): str(v) for k, v in data["state_forces"].items()
        }
        self._patterns = [
            re.compile("^" + re.escape(fold(str(p).replace("{state}", ""))) + " (?P<state>.+)$")
            for p in data["state_force_patterns"]
        ]
        table = load_aliases()
        self._by_fold: dict[str, AliasEntry] = {}
        for entry in table.entries:
            for alias in (entry.name, *entry.aliases):
                self._by_fold.setdefault(fold(alias), entry)
        for name, entry_id in data["equivalents"].items():
            entry = next(e for e in table.entries if e.id == entry_id)
            self._by_fold[fold(str(name))] = entry

    def key(self, name: str | None) -> str | None:
        """The key of ``name`` as a dataset or the tool writes it."""
        if name is None or not name.strip():
            return None
        main, readings = self._readings(name.strip())
        if fold(_PARENTHESES.sub("", main)) in self._unnamed:
            return None
        for reading in readings:
            found = self._resolve(reading)
            if found:
                return found
        return "name:" + fold(_PARENTHESES.sub("", main))

    @staticmethod
    def _readings(name: str) -> tuple[str, list[str]]:
        """The name's main part, and its readings most specific first.

        A sub-unit comes before its force ("Military Forces of Iraq (2018-) Popular
        Mobilization Forces"), a name before its acronym prefix ("QSD: Syrian Democratic
        Forces"), and a name before an acronym in parentheses ("... (ISIL)"); other
        parentheses qualify ("Protesters (Iraq)") and are dropped.
        """
        prefixed = _ACRONYM_PREFIX.match(name)
        main = prefixed.group(2) if prefixed else name
        period = _PERIOD_SUFFIX.match(main)
        units = [period.group(2), period.group(1)] if period else [main]
        readings: list[str] = []
        for unit in filter(None, units):
            readings += [unit, _PARENTHESES.sub("", unit)]
            readings += [m.group(1) for m in _PARENTHESES.finditer(unit) if m.group(1).isupper()]
        if prefixed:
            readings.append(prefixed.group(1))
        main = period.group(1) if period else main
        return main, list(dict.fromkeys(r.strip() for r in readings if r.strip()))

    def _resolve(self, text: str) -> str | None:
        key = fold(text)
        for pattern in self._patterns:
            matched = pattern.match(key)
            if matched:
                state = self._by_fold.get(matched.group("state"))
                if state is not None and state.iso2:
                    return f"forces:{state.iso2}"
        entry = self._by_fold.get(key)
        if entry is None:
            return None
        if entry.id in self._state_forces:
            return f"forces:{self._state_forces[entry.id]}"
        if entry.kind is ActorKind.STATE and entry.iso2:
            return f"forces:{entry.iso2}"
        return f"actor:{entry.id}"


@cache
def actor_keys() -> ActorKeys:
    """The packaged actor conventions over the alias table (built once)."""
    return ActorKeys()
