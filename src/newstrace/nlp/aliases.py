"""Alias tables: every name an actor, state or outlet goes by, mapped to one entry.

The tables are data files in ``newstrace/data`` (general for the field); a user adds
entries with a YAML file of the same shape named by ``NEWSTRACE_ALIASES``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class ActorKind(StrEnum):
    ARMED_GROUP = "armed_group"
    STATE_FORCE = "state_force"
    STATE = "state"
    INTERNATIONAL = "international"
    MONITOR = "monitor"
    ORGANIZATION = "organization"
    OUTLET = "outlet"


@dataclass(frozen=True, slots=True)
class AliasEntry:
    id: str
    name: str
    kind: ActorKind
    aliases: tuple[str, ...]
    adjectives: tuple[str, ...] = ()
    capital: str | None = None
    iso2: str | None = None


def normalize_name(text: str) -> str:
    """Key for lookups: articles dropped, white space folded; acronyms keep their case."""
    text = _SPACES.sub(" ", _ARTICLE.sub("", text.strip().strip(".,;:*_\"“”'’")))
    return text if text.isupper() and len(text) <= 6 else text.casefold()


class AliasTable:
    """Look-ups from any alias (or state adjective, or capital) to its entry."""

    def __init__(self, entries: list[AliasEntry]) -> None:
        self.entries = entries
        self._by_name: dict[str, AliasEntry] = {}
        self._capitals: dict[str, AliasEntry] = {}
        self._adjectives: dict[str, AliasEntry] = {}
        for entry in entries:
            for alias in (entry.name, *entry.aliases):
                self._by_name.setdefault(normalize_name(alias), entry)
            for adjective in entry.adjectives:
                self._adjectives.setdefault(normalize_name(adjective), entry)
            if entry.capital:
                self._capitals[normalize_name(entry.capital)] = entry

    def resolve(self, text: str, as_agent: bool = False) -> AliasEntry | None:
        """The entry ``text`` names. A capital counts as its state only as an agent
        ("Tehran said"), never as the place ("a blast in Tehran")."""
        key = normalize_name(text)
        found = self._by_name.get(key)
        if found is None and as_agent:
            found = self._capitals.get(key) or self._adjectives.get(key)
        return found

    def adjective_of(self, text: str) -> AliasEntry | None:
        return self._adjectives.get(normalize_name(text))

    def acronyms(self) -> set[str]:
        """Every all-capitals alias ("IS", "SDF"), as written."""
        return {
            alias
            for entry in self.entries
            for alias in (entry.name, *entry.aliases)
            if alias.isupper() and alias.isalpha()
        }

    def ruler_patterns(self) -> Iterator[dict[str, str]]:
        """Entity-ruler patterns: names label as ORG (GPE for states), ids as ``kind:id``."""
        for entry in self.entries:
            label = "GPE" if entry.kind is ActorKind.STATE else "ORG"
            for alias in {entry.name, *entry.aliases}:
                yield {"label": label, "pattern": alias, "id": f"{entry.kind}:{entry.id}"}
            names = {entry.name, *entry.aliases}
            for adjective in entry.adjectives:
                if adjective not in names:  # "US" is a name first, an adjective second
                    yield {"label": "NORP", "pattern": adjective, "id": f"{entry.kind}:{entry.id}"}


def _entries_from(data: Any, default_kind: ActorKind | None) -> Iterator[AliasEntry]:
    for item in data or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        kind = ActorKind(item["kind"]) if item.get("kind") else default_kind
        if kind is None:
            continue
        yield AliasEntry(
            id=str(item.get("id") or item.get("iso2") or item["name"]).lower(),
            name=str(item["name"]),
            kind=kind,
            aliases=tuple(str(a) for a in item.get("aliases") or ()),
            adjectives=tuple(str(a) for a in item.get("adjectives") or ()),
            capital=item.get("capital"),
            iso2=item.get("iso2"),
        )


def _read_packaged(name: str) -> Any:
    return yaml.safe_load(resources.files("newstrace.data").joinpath(name).read_text("utf-8"))


@cache
def load_aliases(extra: Path | None = None) -> AliasTable:
    """The packaged tables plus the user's file (``extra`` or ``$NEWSTRACE_ALIASES``)."""
    entries = [
        *_entries_from(_read_packaged("actors.yaml"), None),
        *_entries_from(_read_packaged("states.yaml"), ActorKind.STATE),
        *_entries_from(_read_packaged("outlets.yaml"), ActorKind.OUTLET),
    ]
    user_file = extra or (
        Path(os.environ["NEWSTRACE_ALIASES"]) if os.environ.get("NEWSTRACE_ALIASES") else None
    )
    if user_file is not None:
        # User entries first so they win over packaged ones with the same alias.
        entries = (
            list(
                _entries_from(yaml.safe_load(user_file.read_text("utf-8")), ActorKind.ORGANIZATION)
            )
            + entries
        )
    return AliasTable(entries)
