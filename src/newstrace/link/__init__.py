"""Who copied whom: reuse between documents, its direction, and what copies changed."""

from newstrace.link.reuse import Linked, Linker, Planned, ReuseIndex, compare
from newstrace.link.text import LinkDoc

__all__ = ["LinkDoc", "Linked", "Linker", "Planned", "ReuseIndex", "compare"]
