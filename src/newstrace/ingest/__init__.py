"""Reading articles from files, feeds, archives and URLs into :class:`DocumentInput`."""

from newstrace.ingest.errors import IngestError, Problem
from newstrace.ingest.sources import IngestOptions, read_sources

__all__ = ["IngestError", "IngestOptions", "Problem", "read_sources"]
