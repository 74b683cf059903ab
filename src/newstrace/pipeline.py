"""Running the stages over inputs and writing their results to the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from newstrace.analysis import PIPELINE_VERSION, analyze_text
from newstrace.ingest import IngestOptions, Problem, read_sources
from newstrace.store import AddOutcome, DocumentStore
from newstrace.store.findings import FindingStore


@dataclass(slots=True)
class IngestSummary:
    new: int = 0
    duplicate: int = 0
    new_version: int = 0
    problems: list[Problem] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)

    @property
    def stored_or_known(self) -> int:
        return self.new + self.duplicate + self.new_version

    @property
    def failures(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]


def ingest(
    store: DocumentStore,
    inputs: Iterable[str],
    options: IngestOptions,
    on_item: Callable[[str], None] | None = None,
) -> IngestSummary:
    """Store every readable document; record every problem as a warning in the store."""
    summary = IngestSummary()
    for item in read_sources(inputs, options):
        if isinstance(item, Problem):
            summary.problems.append(item)
            store.record_warning(item.source, item.message)
            if on_item:
                on_item(item.source)
            continue
        result = store.add(item)
        summary.document_ids.append(result.document_id)
        if result.outcome is AddOutcome.NEW:
            summary.new += 1
        elif result.outcome is AddOutcome.NEW_VERSION:
            summary.new_version += 1
        else:
            summary.duplicate += 1
        if on_item:
            on_item(item.source)
    return summary


def analyze_pending(
    store: DocumentStore,
    on_document: Callable[[int], None] | None = None,
) -> int:
    """Run the per-document stages on every document this pipeline version has not seen.

    Findings of each document are written in their own transaction, so an interrupted
    run loses at most the document under way, and re-running resumes where it stopped.
    """
    findings = FindingStore(store.engine)
    outlets = findings.outlets()
    done = 0
    for doc_id in list(findings.pending(PIPELINE_VERSION)):
        document = store.get(doc_id)
        if document is None:
            continue
        analysis = analyze_text(document.text, doc_id, document.published, outlets)
        findings.save(analysis, PIPELINE_VERSION)
        done += 1
        if on_document:
            on_document(doc_id)
    return done
