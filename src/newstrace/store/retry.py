"""Retrying a write transaction that met another writer, with backoff, before giving up.

SQLite waits for a lock by itself (``busy_timeout``) but gives up at once when a
transaction's snapshot went stale under another writer; PostgreSQL aborts one of two
transactions that deadlock. Both are safe to run again from the start.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError

P = ParamSpec("P")
T = TypeVar("T")

RETRY_DELAYS_S = (0.05, 0.1, 0.2, 0.4, 0.8)  # then the error reaches the caller
# PostgreSQL: serialization failure, deadlock, lock not available.
_CONTENTION_STATES = frozenset({"40001", "40P01", "55P03"})


def is_contention(exc: DBAPIError) -> bool:
    """Whether ``exc`` means another writer was in the way (not a broken database)."""
    if getattr(exc.orig, "sqlstate", None) in _CONTENTION_STATES:
        return True
    reason = str(exc.orig).lower()
    return "database is locked" in reason or "database is busy" in reason


def retrying(write: Callable[P, T]) -> Callable[P, T]:
    """Run ``write`` (one whole transaction) again while other writers are in the way."""

    @functools.wraps(write)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for delay in RETRY_DELAYS_S:
            try:
                return write(*args, **kwargs)
            except DBAPIError as exc:
                if not is_contention(exc):
                    raise
            time.sleep(delay * random.uniform(0.5, 1.5))  # jitter: writers fall out of step
        return write(*args, **kwargs)

    return run
