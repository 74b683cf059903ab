"""Ledger-wide aggregates (the speakers, the filters' values, counts) computed once per
state of the ledger instead of on every request.

The state is a fingerprint read with one cheap query: the newest document, analysis,
linking run and claims rebuild (each an indexed maximum, migration 0008). Every write
path moves one of them, so the first request after a write computes the aggregates
again; ``MAX_AGE_S`` bounds what a writer with a clock behind the others could hide.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, func, select

from newstrace.store.schema import AnalysisRow, ClaimClusterRow, DocumentRow, ReuseLinkedRow

T = TypeVar("T")
MAX_AGE_S = 30.0
MAX_ENTRIES = 256  # filtered variants (a timeline per filter) are evicted oldest first


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """What changes whenever the ledger does: the newest row of each written table."""
    query = select(
        select(func.max(DocumentRow.id)).scalar_subquery(),
        select(func.max(AnalysisRow.analysed_at)).scalar_subquery(),
        select(func.max(ReuseLinkedRow.linked_at)).scalar_subquery(),
        select(func.max(ClaimClusterRow.built_at)).scalar_subquery(),
    )
    with engine.connect() as conn:
        return tuple(conn.execute(query).one())


class LedgerCache:
    """Values computed from the ledger, kept while its fingerprint stays the same."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[tuple[Any, ...], float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value under ``key``, computed again when the ledger changed since.

        Concurrent requests for one key wait for a single computation.
        """
        state = fingerprint(self.engine)
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            now = self.clock()
            with self._lock:
                kept = self._entries.get(key)
            if kept is not None and kept[0] == state and now - kept[1] < MAX_AGE_S:
                return cast(T, kept[2])
            value = compute()
            with self._lock:
                self._entries[key] = (state, now, value)
                self._entries.move_to_end(key)
                while len(self._entries) > MAX_ENTRIES:
                    evicted, _ = self._entries.popitem(last=False)
                    self._computing.pop(evicted, None)
            return value


def remembered(cache: LedgerCache | None, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept in ``cache`` when there is one (the server; a report has none)."""
    return cache.get(key, compute) if cache is not None else compute()
