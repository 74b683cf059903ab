"""Every per-document stage run over one text: what the ledger learns from it.

Stages share one parse. A text that is not English is recorded as skipped for the
stages that read English syntax, never mis-parsed.
"""

from __future__ import annotations

from collections.abc import Collection

from newstrace import __version__
from newstrace.extract.attribution import extract_quotes
from newstrace.extract.dates import extract_times
from newstrace.extract.events import extract_events
from newstrace.extract.figures import extract_figures
from newstrace.extract.places import locate_places
from newstrace.nlp.language import is_english
from newstrace.nlp.pipeline import parse
from newstrace.records import Analysis, Document, PartialDate

__all__ = ["PIPELINE_VERSION", "Analysis", "analyze_document", "analyze_text"]

MAX_ANALYSED_CHARS = 2_000_000  # beyond this a "document" is a dump, not an article
# Bump the suffix whenever a stage changes what it finds: documents are then re-analysed.
PIPELINE_VERSION = f"{__version__}+quotes.2.figures.2.times.2.places.2.events.2"


def analyze_text(
    text: str,
    doc_id: int = 0,
    published: PartialDate | None = None,
    known_outlets: Collection[str] = (),
) -> Analysis:
    """Run every per-document stage over ``text`` (spans carry ``doc_id``)."""
    if not text.strip():
        return Analysis(doc_id, english=True, notes=("empty text",))
    if not is_english(text):
        return Analysis(doc_id, english=False, notes=("not English: attribution skipped",))
    notes: tuple[str, ...] = ()
    if len(text) > MAX_ANALYSED_CHARS:
        notes = (f"only the first {MAX_ANALYSED_CHARS} characters analysed",)
        text = text[:MAX_ANALYSED_CHARS]
    doc = parse(text)
    quotes = tuple(extract_quotes(doc, doc_id, known_outlets))
    figures = tuple(extract_figures(doc, doc_id))
    times = tuple(extract_times(doc, published, doc_id))
    located = locate_places(doc, doc_id)
    events = extract_events(
        doc,
        doc_id,
        places=located,
        figures=figures,
        times=times,
        quotes=quotes,
        published=published,
    )
    return Analysis(
        doc_id,
        english=True,
        quotes=quotes,
        figures=figures,
        times=times,
        places=tuple(p.place for p in located),
        events=tuple(events),
        notes=notes,
    )


def analyze_document(document: Document, known_outlets: Collection[str] = ()) -> Analysis:
    """Every stage over a stored document: the one unit of work that the in-process,
    worker-process and Dask runners share, so all three find the same."""
    return analyze_text(document.text, document.id, document.published, known_outlets)
