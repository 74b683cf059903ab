"""Every per-document stage run over one text: what the ledger learns from it.

Stages share one parse. A text that is not English is recorded as skipped for the
stages that read English syntax, never mis-parsed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from spacy.tokens import Doc

from newstrace import __version__
from newstrace.extract.attribution import extract_quotes
from newstrace.extract.dates import extract_times
from newstrace.extract.events import extract_events
from newstrace.extract.figures import extract_figures
from newstrace.extract.places import locate_places
from newstrace.link.paraphrase import claim_vectors
from newstrace.nlp.language import is_english
from newstrace.nlp.pipeline import parse, parse_many
from newstrace.records import Analysis, Document, PartialDate

__all__ = ["PIPELINE_VERSION", "Analysis", "analyze_documents", "analyze_text"]

MAX_ANALYSED_CHARS = 2_000_000  # beyond this a "document" is a dump, not an article
# Bump the suffix whenever a stage changes what it finds: documents are then re-analysed.
PIPELINE_VERSION = f"{__version__}+quotes.3.figures.2.times.2.places.2.events.2"


def _screened(text: str, doc_id: int) -> Analysis | tuple[str, tuple[str, ...]]:
    """The analysis of a text no stage reads (empty, not English), or the part of it the
    stages read and the note saying it was cut."""
    if not text.strip():
        return Analysis(doc_id, english=True, notes=("empty text",))
    if not is_english(text):
        return Analysis(doc_id, english=False, notes=("not English: attribution skipped",))
    if len(text) > MAX_ANALYSED_CHARS:
        return text[:MAX_ANALYSED_CHARS], (
            f"only the first {MAX_ANALYSED_CHARS} characters analysed",
        )
    return text, ()


def _findings(
    doc: Doc,
    doc_id: int,
    published: PartialDate | None,
    known_outlets: Collection[str],
    notes: tuple[str, ...],
) -> Analysis:
    """Every stage over one parse."""
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


def analyze_text(
    text: str,
    doc_id: int = 0,
    published: PartialDate | None = None,
    known_outlets: Collection[str] = (),
) -> Analysis:
    """Run every per-document stage over ``text`` (spans carry ``doc_id``)."""
    screened = _screened(text, doc_id)
    if isinstance(screened, Analysis):
        return screened
    read, notes = screened
    return _findings(parse(read), doc_id, published, known_outlets, notes)


def analyze_documents(
    documents: Sequence[Document], known_outlets: Collection[str] = ()
) -> list[Analysis]:
    """``analyze_text`` of each stored document, in order, parsed as one batch, with its
    claim sentences embedded for linking: the unit of work that the in-process,
    worker-process and Dask runners share, so all three find the same."""
    screened = [(document, _screened(document.text, document.id)) for document in documents]
    parses = parse_many([s[0] for _, s in screened if not isinstance(s, Analysis)])
    analyses = [
        s
        if isinstance(s, Analysis)
        else _findings(next(parses), document.id, document.published, known_outlets, s[1])
        for document, s in screened
    ]
    return [
        replace(analysis, claim_vectors=claim_vectors(document.text, analysis))
        for document, analysis in zip(documents, analyses, strict=True)
    ]
