"""Static, self-contained HTML report of a store."""

from newstrace.report.static import write_report

__all__ = ["write_report"]
