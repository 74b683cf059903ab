"""Per-document extraction: quotes and speakers (later: events, places, dates, figures)."""
