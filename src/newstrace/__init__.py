"""newstrace: turn news reports about armed conflict into an evidence ledger."""

__version__ = "0.1.0"
