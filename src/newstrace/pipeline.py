"""Running the stages over inputs and writing their results to the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from newstrace.analysis import PIPELINE_VERSION, analyze_text
from newstrace.ingest import IngestOptions, Problem, read_sources
from newstrace.link import LinkDoc, Linker, ReuseIndex
from newstrace.link.reuse import LINK_VERSION, sketch_of
from newstrace.store import AddOutcome, DocumentStore
from newstrace.store.findings import FindingStore
from newstrace.store.links import LinkStore


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


def link_pending(
    store: DocumentStore,
    on_document: Callable[[int], None] | None = None,
) -> int:
    """Link every analysed document not yet linked (or analysed again since) against the
    rest of the store; return how many were linked.

    The reuse index is rebuilt from the signatures stored for documents already linked
    (one read and no hashing, about 40 µs per stored passage, once per run), then each
    pending document is compared only against it and added to it, so a document costs
    about the same whatever the store's size. The database stays the only state: no
    index file to go stale or to lock, and the same on SQLite and PostgreSQL. Each
    document's passages and pairs are written in their own transaction.
    """
    links = LinkStore(store.engine, LINK_VERSION)
    pending = links.pending()
    if not pending:
        return 0
    index = ReuseIndex()
    for doc_id, signature in links.signatures():
        index.add(doc_id, [sketch_of(signature)])
    findings = FindingStore(store.engine)

    def read(doc_id: int) -> LinkDoc | None:
        document = store.get(doc_id)
        if document is None:
            return None
        return LinkDoc(
            doc_id,
            document.text,
            document.outlet,
            document.published,
            document.url,
            tuple(findings.quotes(doc_id)),
        )

    linker = Linker(read, index)
    done = 0
    for doc_id in pending:
        doc = read(doc_id)
        if doc is None:
            continue
        linked = linker.link(doc)
        links.save(doc_id, linked.passages, linked.reuse)
        done += 1
        if on_document:
            on_document(doc_id)
    return done
