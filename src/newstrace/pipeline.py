"""Running the stages over inputs and writing their results to the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from newstrace.analysis import PIPELINE_VERSION, analyze_documents
from newstrace.ingest import IngestOptions, Problem, read_sources
from newstrace.link import LinkDoc, Linker, Planned
from newstrace.link.claims import Corpus, DocumentInfo, cluster_claims
from newstrace.link.embed import MODEL_NAME
from newstrace.link.mutation import MutationFinder
from newstrace.link.paraphrase import EmbeddingCache, EmbeddingParaphrases
from newstrace.link.reuse import LINK_VERSION, sketch_of
from newstrace.link.similarity import EmbeddingSimilarity, Similarity
from newstrace.scale.batches import batched
from newstrace.scale.local import (
    PARSE_BATCH,
    analyze_in_processes,
    default_workers,
    workers_for,
)
from newstrace.store import AddOutcome, DocumentStore
from newstrace.store.claims import ClaimStore, StatementVectors
from newstrace.store.findings import FindingStore
from newstrace.store.links import EmbeddingStore, LinkStore, one_linker, stored_analysis

WRITE_BATCH = 16  # documents per transaction: a few seconds of analysis on one core


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
    workers: int | None = 1,
    batch_size: int = WRITE_BATCH,
) -> int:
    """Run the per-document stages on every document this pipeline version has not seen.

    Documents stream from the store (pending ids page by page, each text read when its
    turn comes), are analysed here or, with ``workers`` > 1, in that many processes
    (``None``: every core, fewer for a small batch; this one among them), and their
    findings are written by this process alone, ``batch_size`` documents per
    transaction: an interrupted run loses at most the batch under way, and re-running
    resumes where it stopped.
    """
    findings = FindingStore(store.engine)
    outlets = findings.outlets()
    pending = findings.pending(PIPELINE_VERSION)
    if workers is None:
        workers, pending = workers_for(pending, default_workers())
    documents = (d for i in pending if (d := store.get(i)) is not None)
    analyses = (
        analyze_in_processes(documents, outlets, workers)
        if workers > 1
        else (a for b in batched(documents, PARSE_BATCH) for a in analyze_documents(b, outlets))
    )
    done = 0
    for batch in batched(analyses, batch_size):
        findings.save_all(batch, PIPELINE_VERSION)
        done += len(batch)
        if on_document:
            for analysis in batch:
                on_document(analysis.doc_id)
    return done


def link_pending(
    store: DocumentStore,
    on_document: Callable[[int], None] | None = None,
) -> int:
    """Link every analysed document not yet linked (or analysed again since) against the
    rest of the store; return how many were linked.

    The reuse index is rebuilt from the signatures stored for documents already linked
    (:func:`planned_links`), then each pending document is compared only against it
    and added to it, so a document costs about the same whatever the store's size. The
    database stays the only state: no index file to go stale, and the same on SQLite
    and PostgreSQL. Each document's passages and pairs are written in their own
    transaction.

    One process links at a time (:func:`~newstrace.store.links.one_linker`): another
    one waits, then links what is still pending against an index that holds what the
    first linked; otherwise each would compare its documents only with those linked
    before it started, and a pair between their documents would never be stored.
    """
    links = LinkStore(store.engine, LINK_VERSION)
    if not links.pending():  # nothing to do: no need to wait for another linker
        return 0
    with one_linker(store.engine):
        return _link_documents(store, links, on_document)


def stored_linker(
    store: DocumentStore, links: LinkStore, vectors: EmbeddingCache | None = None
) -> Linker:
    """A linker reading documents, findings and kept claim-sentence vectors from the
    store (``vectors``: where new ones are kept, by default the store too). Its reuse
    index starts empty."""
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

    analysed = stored_analysis(findings)
    kept = vectors or EmbeddingStore(store.engine, MODEL_NAME, linked=links)
    return Linker(read, None, EmbeddingParaphrases(analysed, cache=kept), MutationFinder(analysed))


def planned_links(
    linker: Linker, links: LinkStore, stored: Mapping[int, set[int]] | None = None
) -> Iterator[tuple[LinkDoc, Planned]]:
    """Every pending document with its plan (:meth:`Linker.plan`), in the order they must
    be saved. ``linker``'s reuse index grows with each pending document; the documents
    already linked are found in ``stored`` (their candidates by pending document, matched
    elsewhere), or else the index is first filled with their stored signatures (one read
    and no hashing, about 90 µs per stored passage, once per run). Call under
    :func:`one_linker`."""
    if stored is None:
        for doc_id, signature in links.signatures():
            linker.index.add(doc_id, [sketch_of(signature)])
    for doc_id in links.pending():
        doc = linker.read(doc_id)
        if doc is not None:
            yield doc, linker.plan(doc, stored.get(doc_id, ()) if stored is not None else ())


def _link_documents(
    store: DocumentStore, links: LinkStore, on_document: Callable[[int], None] | None
) -> int:
    """``link_pending``'s work, under the linking lock."""
    linker = stored_linker(store, links)
    done = 0
    for doc, planned in planned_links(linker, links):
        links.save(doc.id, planned.passages, linker.compare_with(doc, planned.candidates))
        done += 1
        if on_document:
            on_document(doc.id)
    return done


@dataclass(frozen=True, slots=True)
class ClaimsBuilt:
    clusters: int
    similarity: str  # how statements were compared
    note: str  # why a fallback was used ('' when none was)


def build_claims(store: DocumentStore, similarity: Similarity | None = None) -> ClaimsBuilt:
    """Recompute every claim cluster from the stored findings and reuse links, and store
    them in place of the old ones (claims span the corpus, so they are rebuilt whole;
    about a second per 10,000 statements with token sets, more with embeddings)."""
    compare = similarity or EmbeddingSimilarity(cache=StatementVectors(store.engine, MODEL_NAME))
    findings = FindingStore(store.engine)
    corpus = Corpus(
        quotes=findings.quotes(),
        events=findings.events(),
        reuse=LinkStore(store.engine, LINK_VERSION).reuse(),
        documents={d.id: DocumentInfo(d.outlet, d.published) for d in store.documents()},
    )
    clusters = cluster_claims(corpus, compare)
    ClaimStore(store.engine).replace(clusters)
    return ClaimsBuilt(len(clusters), compare.name, compare.note)


def claims_pending(
    store: DocumentStore, similarity: Similarity | None = None
) -> ClaimsBuilt | None:
    """Rebuild the claims if anything was linked since they were built (``None``: they
    were current), so re-running ``analyze`` on an unchanged store costs nothing here."""
    if ClaimStore(store.engine).current():
        return None
    return build_claims(store, similarity)
