"""Offline gazetteer: a compact SQLite place index built from GeoNames-derived data.

``Gazetteer.configured()`` opens the index a user chose (``--gazetteer`` or
``$NEWSTRACE_GAZETTEER``) or the packaged one, built into the cache on first use.
"""

from newstrace.gazetteer.index import GazetteerError, default_index_path
from newstrace.gazetteer.lookup import Gazetteer, default_gazetteer
from newstrace.gazetteer.model import Candidate, GazetteerEntry, MatchKind

__all__ = [
    "Candidate",
    "Gazetteer",
    "GazetteerEntry",
    "GazetteerError",
    "MatchKind",
    "default_gazetteer",
    "default_index_path",
]
