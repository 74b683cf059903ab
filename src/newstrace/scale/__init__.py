"""Running the per-document stages on every core (worker processes, :mod:`.local`) or
on many machines (Dask, :mod:`.cluster`), with one writer or a shared PostgreSQL store.

See docs/scaling.md for how to run a cluster and what it measured.
"""
