"""Claims: clustering across documents, provenance, grades, figure disagreements, storage,
commands and exports.

Grading and clustering are checked on hand-built records (invented text, no spaCy); the
demo corpus and the reference seeds are analysed for real, once per module each.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from newstrace.analysis import PIPELINE_VERSION, analyze_text
from newstrace.evaluate.reference import ReferenceCase, load_reference, outlets
from newstrace.evaluate.scoring import covers_half
from newstrace.ingest import IngestOptions
from newstrace.ingest.manifest import load_manifest
from newstrace.link import LinkDoc, Linker
from newstrace.link.claims import Corpus, DocumentInfo, cluster_claims, same_event
from newstrace.link.corroboration import grade, lines_of
from newstrace.link.disagreements import disagreements
from newstrace.link.similarity import EmbeddingSimilarity, TokenSetSimilarity
from newstrace.pipeline import analyze_pending, build_claims, claims_pending, ingest, link_pending
from newstrace.records import (
    Analysis,
    ClaimCluster,
    ClaimKind,
    ClaimMember,
    ClaimSource,
    DatePrecision,
    DirectionBasis,
    DocumentInput,
    DocumentReuse,
    Event,
    Figure,
    FigureClass,
    Grade,
    Mention,
    PartialDate,
    Place,
    ProvenanceEdge,
    Qualifier,
    Quote,
    QuoteKind,
    Relation,
    ReuseKind,
    ReuseLink,
    Span,
    Speaker,
    SpeakerKind,
    TimeExpression,
)
from newstrace.store import DocumentStore, open_store
from newstrace.store.claims import ClaimStore, StatementVectors
from newstrace.store.findings import FindingStore
from tests.conftest import PROJECT_ROOT, SEEDS, CliRun

DEMO = PROJECT_ROOT / "examples" / "demo"
DAY = dt.date(2025, 5, 3)

# --- Hand-built records ----------------------------------------------------------------


def source(name: str, kind: SpeakerKind = SpeakerKind.NAMED_PERSON) -> ClaimSource:
    return ClaimSource(name, kind, name.lower())


def statement(doc_id: int, text: str, who: ClaimSource, start: int = 0) -> ClaimMember:
    return ClaimMember(
        ClaimKind.STATEMENT, Mention(text, Span(doc_id, start, start + len(text))), who
    )


def toll(doc_id: int, words: str, best: float, qualifier: Qualifier = Qualifier.EXACT) -> Figure:
    high = None if qualifier is Qualifier.AT_LEAST else best
    return Figure(
        Mention(words, Span(doc_id, 0, len(words))), best, best, high, qualifier, FigureClass.KILLED
    )


def event(
    doc_id: int,
    killed: Figure | None = None,
    day: dt.date = DAY,
    where: tuple[float, float] = (36.0, 41.0),
    event_type: str = "Explosions/Remote violence",
    sentence: str = "A bomb went off in the grain market.",
) -> Event:
    words = Mention(sentence, Span(doc_id, 0, len(sentence)))
    place = Place(words, "Grain Town", where[0], where[1], "town", "Syria", "Province", 1)
    date = TimeExpression(words, day, day, DatePrecision.DAY)
    return Event(words, words, event_type, place=place, date=date, fatalities=killed)


def event_member(doc_id: int, found: Event, who: ClaimSource) -> ClaimMember:
    return ClaimMember(ClaimKind.EVENT, found.sentence, who, found)


def edge(origin: int, derived: int) -> ProvenanceEdge:
    return ProvenanceEdge(origin, derived, DirectionBasis.PUBLISHED, ReuseKind.VERBATIM_QUOTE)


def published(day: dt.date, outlet: str = "Outlet") -> DocumentInfo:
    return DocumentInfo(outlet, PartialDate(day, DatePrecision.DAY))


# --- Grading ----------------------------------------------------------------------------


def test_one_document_one_named_source() -> None:
    origins, graded, evidence = grade(
        [statement(1, "the bridge is closed", source("Rana Aziz"))], []
    )
    assert (origins, graded) == (1, Grade.SINGLE_NAMED)
    assert "Rana Aziz" in evidence


def test_a_single_anonymous_source() -> None:
    anonymous = source("a security source", SpeakerKind.ANONYMOUS_PERSON)
    origins, graded, evidence = grade([statement(1, "the bridge is closed", anonymous)], [])
    assert (origins, graded) == (1, Grade.SINGLE_ANONYMOUS)
    assert "anonymous" in evidence
    unknown = source("unknown", SpeakerKind.UNKNOWN)
    assert grade([statement(1, "x", unknown)], [])[1] is Grade.SINGLE_ANONYMOUS


def test_a_copied_statement_is_echoed_only() -> None:
    members = [
        statement(1, "the bridge is closed", source("a source", SpeakerKind.ANONYMOUS_PERSON)),
        statement(2, "the bridge is closed", source("an officer", SpeakerKind.ANONYMOUS_PERSON)),
    ]
    origins, graded, evidence = grade(members, [edge(1, 2)])
    assert (origins, graded) == (1, Grade.ECHOED)
    assert "document 2 took it from document 1" in evidence


def test_independent_sources_confirm_and_one_source_cited_twice_does_not() -> None:
    two = [statement(1, "closed", source("Rana Aziz")), statement(2, "shut", source("Omar Said"))]
    assert grade(two, [])[:2] == (2, Grade.CONFIRMED)
    same = [statement(1, "closed", source("Rana Aziz")), statement(2, "shut", source("Rana Aziz"))]
    assert grade(same, [])[:2] == (1, Grade.ECHOED)
    # An anonymous source cannot be recognised across independent documents.
    anonymous = source("a source", SpeakerKind.ANONYMOUS_PERSON)
    assert grade([statement(1, "a", anonymous), statement(2, "b", anonymous)], [])[0] == 2


def test_an_outlet_citing_a_source_is_not_a_second_origin() -> None:
    outlet = ClaimSource("Example Times", SpeakerKind.OUTLET, "outlet:example times")
    members = [
        event_member(1, event(1), outlet),
        event_member(1, event(1), source("the hospital", SpeakerKind.ORGANIZATION)),
    ]
    assert grade(members, [])[:2] == (1, Grade.SINGLE_NAMED)


def _values(
    *found: tuple[int, Figure, dt.date],
) -> tuple[list[ClaimMember], dict[int, tuple[str | None, PartialDate | None]]]:
    members = [
        event_member(d, event(d, f), source(f"source {d}", SpeakerKind.ORGANIZATION))
        for d, f, _ in found
    ]
    documents = {d: (f"Outlet {d}", PartialDate(day, DatePrecision.DAY)) for d, _, day in found}
    return members, documents


def test_incompatible_tolls_from_independent_origins_are_contradicted() -> None:
    members, documents = _values((1, toll(1, "four", 4), DAY), (2, toll(2, "nine", 9), DAY))
    (found,) = disagreements(members, documents)
    assert not found.compatible
    assert [(v.doc_id, v.figure.best, v.outlet) for v in found.values] == [
        (1, 4, "Outlet 1"),
        (2, 9, "Outlet 2"),
    ]
    origins, graded, evidence = grade(members, [], [found])
    assert (origins, graded) == (2, Grade.CONTRADICTED)
    assert "four" in evidence and "nine" in evidence
    # The same two values, one copied from the other, are a changed copy, not two sources.
    assert grade(members, [edge(1, 2)], [found])[1] is Grade.ECHOED


def test_a_lower_bound_and_a_later_higher_toll_are_compatible() -> None:
    members, documents = _values(
        (1, toll(1, "at least 12", 12, Qualifier.AT_LEAST), DAY), (2, toll(2, "15", 15), DAY)
    )
    (found,) = disagreements(members, documents)
    assert found.compatible and grade(members, [], [found])[1] is Grade.CONFIRMED
    later = DAY + dt.timedelta(days=3)
    members, documents = _values((1, toll(1, "four", 4), DAY), (2, toll(2, "five", 5), later))
    (found,) = disagreements(members, documents)
    assert found.compatible  # the toll rose
    members, documents = _values((1, toll(1, "five", 5), DAY), (2, toll(2, "four", 4), later))
    assert not disagreements(members, documents)[0].compatible  # a toll does not fall


def test_equal_tolls_and_zero_tolls_are_no_disagreement() -> None:
    members, documents = _values(
        (1, toll(1, "six", 6), DAY), (2, toll(2, "6", 6), DAY), (3, toll(3, "none", 0), DAY)
    )
    assert disagreements(members, documents) == ()


def test_copies_pointing_at_each_other_still_leave_an_origin() -> None:
    lines = lines_of([1, 2], [edge(1, 2), edge(2, 1)])
    assert lines.roots == {1} and not lines.independent(1, 2)


# --- Clustering -------------------------------------------------------------------------

QUOTE = "the convoy was stopped twice at the river crossing before the drivers turned back"


def _quote(doc_id: int, text: str, speaker: str, kind: SpeakerKind, at: int = 0) -> Quote:
    who = Mention(speaker, Span(doc_id, at + len(text) + 10, at + len(text) + 10 + len(speaker)))
    return Quote(
        QuoteKind.DIRECT, Mention(text, Span(doc_id, at, at + len(text))), Speaker(kind, who)
    )


def _reuse(origin: Quote, derived: Quote) -> DocumentReuse:
    link = ReuseLink(origin.content.span, derived.content.span, ReuseKind.VERBATIM_QUOTE, 1.0)
    return DocumentReuse(
        origin.content.span.doc_id,
        derived.content.span.doc_id,
        DirectionBasis.CITATION,
        Relation.PARTIALLY_DERIVED,
        0.2,
        (link,),
    )


def _one(clusters: list[ClaimCluster], doc_id: int) -> ClaimCluster:
    (found,) = [c for c in clusters if doc_id in c.documents and len(c.documents) > 1]
    return found


def test_a_quote_and_its_linked_copy_are_one_echoed_claim() -> None:
    origin = _quote(1, QUOTE, "a driver", SpeakerKind.ANONYMOUS_PERSON)
    copy = _quote(2, QUOTE, "a aid worker", SpeakerKind.ANONYMOUS_PERSON, at=40)
    other = _quote(
        3,
        "prices of bread doubled in the market this week alone",
        "Rana Aziz",
        SpeakerKind.NAMED_PERSON,
    )
    documents = {1: published(DAY), 2: published(DAY), 3: published(DAY)}
    clusters = cluster_claims(
        Corpus([origin, copy, other], [], [_reuse(origin, copy)], documents), TokenSetSimilarity()
    )
    assert len(clusters) == 2
    found = _one(clusters, 2)
    assert found.documents == (1, 2) and found.origins == 1 and found.grade is Grade.ECHOED
    assert found.key == "s1-0" and [(e.origin_doc, e.derived_doc) for e in found.edges] == [(1, 2)]


def test_an_unlinked_cut_copy_is_one_claim_and_not_a_second_source() -> None:
    origin = _quote(1, QUOTE, "Rana Aziz", SpeakerKind.NAMED_PERSON)
    cut = _quote(2, QUOTE[: QUOTE.index(" before")], "an official", SpeakerKind.ANONYMOUS_PERSON)
    documents = {1: published(DAY), 2: published(DAY + dt.timedelta(days=1))}
    found = _one(cluster_claims(Corpus([origin, cut], [], [], documents), TokenSetSimilarity()), 1)
    assert found.grade is Grade.ECHOED
    (copied,) = found.edges
    assert (copied.origin_doc, copied.derived_doc, copied.direction) == (
        1,
        2,
        DirectionBasis.PUBLISHED,
    )


def test_statements_with_other_numbers_are_other_claims() -> None:
    a = _quote(
        1,
        "twelve trucks and 40 drivers were stopped at the crossing",
        "Rana Aziz",
        SpeakerKind.NAMED_PERSON,
    )
    b = _quote(
        2,
        "twelve trucks and 90 drivers were stopped at the crossing",
        "Omar Said",
        SpeakerKind.NAMED_PERSON,
    )
    documents = {1: published(DAY), 2: published(DAY)}
    clusters = cluster_claims(Corpus([a, b], [], [], documents), TokenSetSimilarity())
    assert [len(c.documents) for c in clusters] == [1, 1]


def test_reports_of_one_event_are_one_claim_with_their_tolls() -> None:
    first = event(1, toll(1, "at least 12", 12, Qualifier.AT_LEAST))
    second = event(2, toll(2, "15 dead", 15), day=DAY + dt.timedelta(days=1), where=(36.05, 41.05))
    elsewhere = event(3, toll(3, "7", 7), where=(34.0, 38.0))
    later = event(4, toll(4, "9", 9), day=DAY + dt.timedelta(days=5))
    other_type = event(5, toll(5, "3", 3), event_type="Battles")
    assert same_event(first, second) and not same_event(first, elsewhere)
    documents = {i: published(DAY, f"Outlet {i}") for i in range(1, 6)}
    corpus = Corpus([], [first, second, elsewhere, later, other_type], [], documents)
    clusters = cluster_claims(corpus, TokenSetSimilarity())
    found = _one(clusters, 1)
    assert found.documents == (1, 2) and found.kind is ClaimKind.EVENT
    (disagreement,) = found.disagreements
    assert [v.figure.mention.text for v in disagreement.values] == ["at least 12", "15 dead"]
    assert disagreement.compatible and found.grade is Grade.CONFIRMED  # two outlets, no sources
    # One outlet reporting twice, citing no one, is one origin.
    same_outlet = {i: published(DAY) for i in range(1, 6)}
    corpus = Corpus([], [first, second], [], same_outlet)
    assert _one(cluster_claims(corpus, TokenSetSimilarity()), 1).grade is Grade.ECHOED
    assert "at least 12" in found.summary and "15 dead" in found.summary


def test_a_similarity_pairs_long_enough_texts_only() -> None:
    texts = [QUOTE, QUOTE.upper() + " indeed", "too short", "too short"]
    assert [(i, j) for i, j, _ in TokenSetSimilarity().pairs(texts)] == [(0, 1)]


# --- Store ------------------------------------------------------------------------------


def test_store_round_trips_and_filters(any_db: str) -> None:
    store = open_store(any_db)
    try:
        ids = [_add_document(store, f"Document number {n} with some words.") for n in range(3)]
        first = event(ids[0], toll(ids[0], "four", 4))
        second = event(ids[1], toll(ids[1], "nine", 9))
        origin = _quote(ids[1], QUOTE, "a driver", SpeakerKind.ANONYMOUS_PERSON)
        copy = _quote(ids[2], QUOTE, "a aid worker", SpeakerKind.ANONYMOUS_PERSON)
        documents = {i: published(DAY, f"Outlet {i}") for i in ids}
        corpus = Corpus([origin, copy], [first, second], [_reuse(origin, copy)], documents)
        clusters = cluster_claims(corpus, TokenSetSimilarity())
        claims = ClaimStore(store.engine)
        claims.replace(clusters)
        claims.replace(clusters)  # replaced, not added to
        assert claims.count() == 2
        assert sorted(claims.clusters(), key=lambda c: c.key) == sorted(
            clusters, key=lambda c: c.key
        )
        (contradicted,) = claims.clusters(Grade.CONTRADICTED)
        assert contradicted.documents == (ids[0], ids[1])
        assert claims.cluster(contradicted.key) == contradicted
        assert [c.grade for c in claims.clusters(doc_id=ids[2])] == [Grade.ECHOED]
        assert claims.cluster("s999-0") is None
    finally:
        store.close()


def _add_document(store: DocumentStore, text: str, outlet: str | None = None) -> int:
    source = f"{abs(hash(text))}.txt"
    document = DocumentInput(text=text, source=source, source_format="text", outlet=outlet)
    return store.add(document).document_id


def _add_quoted(store: DocumentStore, speaker: str, outlet: str) -> int:
    """A document quoting QUOTE, with its quote stored as its finding."""
    text = f"“{QUOTE},” {speaker} said. The market stayed closed on the next day."
    doc_id = _add_document(store, text, outlet)
    at = text.index(speaker)
    quote = Quote(
        QuoteKind.DIRECT,
        Mention(QUOTE, Span(doc_id, 1, 1 + len(QUOTE))),
        Speaker(
            SpeakerKind.ANONYMOUS_PERSON, Mention(speaker, Span(doc_id, at, at + len(speaker)))
        ),
    )
    FindingStore(store.engine).save(Analysis(doc_id, True, (quote,)), PIPELINE_VERSION)
    return doc_id


def test_claims_are_rebuilt_only_after_new_links(any_db: str) -> None:
    store = open_store(any_db)
    try:
        first = _add_quoted(store, "a driver", "Example Times")
        link_pending(store)
        built = claims_pending(store, TokenSetSimilarity())
        assert built is not None and built.clusters == 1
        assert claims_pending(store, TokenSetSimilarity()) is None  # nothing linked since
        copy = _add_quoted(store, "an aid worker", "Sample Post")
        link_pending(store)
        assert claims_pending(store, TokenSetSimilarity()) is not None
        (cluster,) = ClaimStore(store.engine).clusters(doc_id=copy)
        assert cluster.documents == (first, copy) and cluster.grade is Grade.ECHOED
    finally:
        store.close()


class CountingEmbedder:
    """Unit vectors from hashed word counts (alike texts, alike vectors), counting the
    texts it is asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += texts
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, zlib.crc32(word.encode()) % 384] += 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_rebuild_embeds_only_statements_not_seen_before(any_db: str) -> None:
    store = open_store(any_db)
    try:
        first = _add_quoted(store, "a driver", "Example Times")
        _add_quoted(store, "an aid worker", "Sample Post")  # the same words: one embedding
        link_pending(store)
        embedder = CountingEmbedder()

        def cached() -> EmbeddingSimilarity:
            return EmbeddingSimilarity(embedder, cache=StatementVectors(store.engine, "test"))

        build_claims(store, cached())
        assert embedder.embedded == [QUOTE]
        text = "The crossing will stay closed until the water falls, the council said today."
        later = _add_document(store, text, "Third Daily")
        FindingStore(store.engine).save(analyze_text(text, later), PIPELINE_VERSION)
        link_pending(store)
        embedder.embedded.clear()
        build_claims(store, cached())
        assert embedder.embedded == [
            " ".join(q.content.text.split()) for q in FindingStore(store.engine).quotes(later)
        ]
        warm = ClaimStore(store.engine).clusters()
        build_claims(store, EmbeddingSimilarity(CountingEmbedder()))  # no cache: all anew
        assert ClaimStore(store.engine).clusters() == warm
        assert warm[0].documents[0] == first
    finally:
        store.close()


def _groups(size: int, pairs: list[tuple[int, int, float]]) -> set[frozenset[int]]:
    graph = nx.Graph()
    graph.add_nodes_from(range(size))
    graph.add_edges_from((a, b) for a, b, _ in pairs)
    return {frozenset(group) for group in nx.connected_components(graph)}


def test_past_the_exact_bound_neighbours_join_the_same_groups_as_every_pair() -> None:
    """Past ``exact_up_to`` statements are paired through an HNSW graph: what it pairs,
    the exact path pairs too, and the groups (claims are connected groups) are the same,
    even for a statement repeated in far more documents than the neighbours looked up."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, 384)).astype(np.float32)
    sizes = [90, *rng.integers(1, 8, size=39).tolist()]  # one statement copied 90 times
    rows = [
        centres[c] + rng.normal(scale=0.15, size=384) for c, n in enumerate(sizes) for _ in range(n)
    ]
    vectors = np.asarray(rows, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"statement number {i} said by someone today" for i in range(len(vectors))]

    def embedder(batch: Sequence[str]) -> np.ndarray:
        return vectors[[texts.index(text) for text in batch]]

    exact = list(EmbeddingSimilarity(embedder).pairs(texts))
    near = list(EmbeddingSimilarity(embedder, exact_up_to=0).pairs(texts))
    assert {(a, b) for a, b, _ in near} <= {(a, b) for a, b, _ in exact}
    assert len(near) < len(exact)  # the 90 copies are not paired all with all
    assert _groups(len(texts), near) == _groups(len(texts), exact)
    assert len(_groups(len(texts), exact)) == len(sizes)


# --- The demo corpus --------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DocumentStore]]:
    """The demo corpus analysed, linked and grouped into claims, as `make demo` does."""
    db = str(tmp_path_factory.mktemp("claims") / "demo.db")
    store = open_store(db)
    options = IngestOptions(manifest=load_manifest(DEMO / "manifest.yaml"))
    ingest(store, [str(DEMO / "articles")], options)
    analyze_pending(store)
    link_pending(store)
    build_claims(store)
    yield db, store
    store.close()


def _by_file(store: DocumentStore, name: str) -> int:
    (doc_id,) = [d.id for d in store.documents() if Path(d.source).name == name]
    return doc_id


def test_demo_copied_quotes_are_echoed_only(demo: tuple[str, DocumentStore]) -> None:
    _, store = demo
    origin, copy = (
        _by_file(store, "tigris-wire-kirkuk-ambush.txt"),
        _by_file(store, "gulf-horizon-kirkuk-toll-rises.html"),
    )
    claims = ClaimStore(store.engine).clusters(doc_id=copy)
    copied = [c for c in claims if any(e.derived_doc == copy for e in c.edges)]
    # Two copies the reuse linker joins, and the cut one ("... from two sides") it does not.
    assert len(copied) >= 3
    for cluster in copied:
        assert cluster.kind is ClaimKind.STATEMENT and origin in cluster.documents
        assert cluster.grade is Grade.ECHOED and cluster.origins == 1, cluster.evidence
    assert any(n.startswith("attribution drift") for c in copied for e in c.edges for n in e.notes)


def test_demo_two_reports_of_one_attack_disagree_on_the_toll(
    demo: tuple[str, DocumentStore],
) -> None:
    _, store = demo
    police, hospital = (
        _by_file(store, "khabour-herald-busayrah-car-bomb.txt"),
        _by_file(store, "mesopotamia-ledger-busayra-hospital.html"),
    )
    both = [
        c
        for c in ClaimStore(store.engine).clusters(doc_id=police)
        if c.kind is ClaimKind.EVENT and hospital in c.documents and c.disagreements
    ]
    (cluster,) = both
    killed = next(d for d in cluster.disagreements if d.harm is FigureClass.KILLED)
    by_doc = {v.doc_id: v for v in killed.values}
    assert by_doc[police].figure.low == 12 and by_doc[police].figure.qualifier is Qualifier.AT_LEAST
    assert by_doc[hospital].figure.best == 15
    for value in killed.values:
        doc = store.get(value.doc_id)
        assert doc is not None and value.outlet == doc.outlet and value.published == doc.published
        span = value.sentence.span
        assert doc.text[span.start : span.end] == value.sentence.text
        assert value.figure.mention.text in value.sentence.text
    assert killed.compatible and cluster.grade is Grade.CONFIRMED  # "at least 12" and 15


def test_demo_claims_and_trace_commands(demo: tuple[str, DocumentStore], cli: CliRun) -> None:
    db, store = demo
    copy = _by_file(store, "gulf-horizon-kirkuk-toll-rises.html")
    echoed = cli("claims", "--grade", "echoed", "--db", db)
    assert echoed.exit_code == 0, echoed.output
    keys = [c.key for c in ClaimStore(store.engine).clusters(Grade.ECHOED)]
    assert keys and all(k in echoed.output for k in keys)
    assert "single source" not in echoed.output
    traced = cli("trace", keys[0], "--db", db)
    assert traced.exit_code == 0 and "echoed only" in traced.output and "taken by" in traced.output
    assert cli("trace", "--doc", str(copy), "--db", db).exit_code == 0
    for bad in (
        ("trace", "nope", "--db", db),
        ("trace", "--db", db),
        ("claims", "--grade", "likely", "--db", db),
    ):
        result = cli(*bad)
        assert result.exit_code == 1 and "error:" in result.output


def test_demo_exports(demo: tuple[str, DocumentStore], cli: CliRun, tmp_path: Path) -> None:
    db, store = demo
    rows = list(
        csv.DictReader(
            io.StringIO(cli("export", "--table", "claims", "--format", "csv", "--db", db).output)
        )
    )
    stored = ClaimStore(store.engine).clusters()
    assert len(rows) == sum(len(c.members) for c in stored)
    for row in rows[:20]:
        doc = store.get(int(row["document_id"]))
        assert (
            doc is not None
            and " ".join(doc.text[int(row["start"]) : int(row["end"])].split()) == row["text"]
        )
    for table in ("speakers", "figures"):
        lines = cli("export", "--table", table, "--db", db).output.splitlines()
        assert lines and all(json.loads(line) for line in lines)
    graphml = tmp_path / "reuse.graphml"
    assert (
        cli(
            "export", "--table", "reuse", "--format", "graphml", "--out", str(graphml), "--db", db
        ).exit_code
        == 0
    )
    graph = nx.read_graphml(graphml)
    assert graph.number_of_nodes() == store.count()
    copy, origin = (
        _by_file(store, "gulf-horizon-kirkuk-toll-rises.html"),
        _by_file(store, "tigris-wire-kirkuk-ambush.txt"),
    )
    assert graph.has_edge(f"d{origin}", f"d{copy}")
    assert graph.edges[f"d{origin}", f"d{copy}"]["direction"] == "published"
    assert graph.nodes[f"d{copy}"]["outlet"] == "Gulf Horizon News"
    namespace = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(ET.parse(graphml).getroot().findall(".//g:node", namespace)) == store.count()
    node_link = json.loads(
        cli("export", "--table", "reuse", "--format", "graphjson", "--db", db).output
    )
    assert len(node_link["nodes"]) == store.count()
    refused = cli("export", "--table", "quotes", "--format", "graphml", "--db", db)
    assert refused.exit_code == 1 and "--table reuse" in refused.output


# --- The reference case -----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> tuple[ReferenceCase, list[ClaimCluster]]:
    """The two seed articles analysed and linked in store order, then grouped."""
    case = load_reference(SEEDS / "expected.json")
    docs = sorted(case.docs, key=lambda d: d.index)
    analysed = {d.index: analyze_text(d.text, d.index, d.published, outlets(case)) for d in docs}
    linkable = {
        d.index: LinkDoc(d.index, d.text, d.outlet, d.published, quotes=analysed[d.index].quotes)
        for d in docs
    }
    linker = Linker(linkable.get)
    reuse = [pair for d in docs for pair in linker.link(linkable[d.index]).reuse]
    corpus = Corpus(
        [q for a in analysed.values() for q in a.quotes],
        [e for a in analysed.values() for e in a.events],
        reuse,
        {d.index: DocumentInfo(d.outlet, d.published) for d in docs},
    )
    return case, cluster_claims(corpus, TokenSetSimilarity())


def test_reference_copied_quotes_have_one_origin(
    reference: tuple[ReferenceCase, list[ClaimCluster]],
) -> None:
    case, clusters = reference
    gold = case.data["provenance"]
    derived, origin = case.doc(gold["derived_document"]), case.doc(gold["origin_document"])
    quotes = {q["id"]: q["text"] for q in case.data["quotes"]}
    copied_quotes = [r for r in case.data["reuse"] if "derived" in r]  # r1-r4
    assert len(copied_quotes) == 4
    for reused in copied_quotes:
        wanted = case.span_of(derived.id, quotes[reused["derived"]])
        holding = [
            c
            for c in clusters
            if c.kind is ClaimKind.STATEMENT
            and covers_half(
                [wanted],
                [
                    (m.evidence.span.start, m.evidence.span.end)
                    for m in c.members
                    if m.evidence.span.doc_id == derived.index
                ],
            )
        ]
        assert holding, reused["id"]
        for cluster in holding:
            assert cluster.documents == tuple(sorted((derived.index, origin.index))), reused["id"]
            assert cluster.origins == 1 and cluster.grade is Grade.ECHOED, cluster.evidence
