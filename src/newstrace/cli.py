"""The ``newstrace`` command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from rich.tree import Tree
from sqlalchemy.exc import DBAPIError

from newstrace.analysis import PIPELINE_VERSION
from newstrace.console import err, out, progress_bar
from newstrace.evaluate.cli import eval_command
from newstrace.gazetteer.cli import gazetteer_app
from newstrace.ingest import IngestError, IngestOptions
from newstrace.ingest.manifest import load_manifest
from newstrace.ingest.url import FetchPolicy
from newstrace.link.corroboration import drift_words, edit_words
from newstrace.link.reuse import LINK_VERSION
from newstrace.pipeline import (
    IngestSummary,
    analyze_pending,
    claims_pending,
    ingest,
    link_pending,
)
from newstrace.records import (
    ClaimCluster,
    DirectionBasis,
    Document,
    Grade,
    ProvenanceEdge,
    ReuseLink,
    Span,
)
from newstrace.report import write_report
from newstrace.report.export import FORMATS, TABLES, event_row, export_table
from newstrace.report.graph import GRAPH_FORMATS
from newstrace.store import DocumentStore, StoreError, open_store
from newstrace.store.check import check_database
from newstrace.store.claims import ClaimStore
from newstrace.store.database import display_name, in_use_error
from newstrace.store.findings import FindingStore
from newstrace.store.links import LinkStore
from newstrace.web.app import LOOPBACK_HOSTS, create_app, is_loopback

app = typer.Typer(
    help="Turn news reports about armed conflict into an evidence ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(gazetteer_app, name="gazetteer")
app.command("eval")(eval_command)

DbOption = Annotated[
    str,
    typer.Option("--db", envvar="NEWSTRACE_DB", help="SQLite file or SQLAlchemy URL."),
]
InputsArg = Annotated[list[str], typer.Argument(help="Files, folders or http(s) URLs.")]
ManifestOption = Annotated[
    Path | None, typer.Option("--manifest", help="CSV or YAML with per-file metadata.")
]
AllowPrivateOption = Annotated[
    bool, typer.Option("--allow-private", help="Allow fetching private or loopback addresses.")
]
MaxMbOption = Annotated[int, typer.Option("--max-mb", help="Largest single article file, MiB.")]
DEFAULT_DB = "newstrace.db"


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


@contextmanager
def opened(db: str) -> Iterator[DocumentStore]:
    try:
        store = open_store(db)
    except StoreError as exc:
        raise fail(str(exc)) from None
    try:
        yield store
    except DBAPIError as exc:  # e.g. another process took the write lock meanwhile
        raise fail(str(in_use_error(display_name(db), exc))) from None
    except StoreError as exc:  # e.g. another process kept linking for too long
        raise fail(f"{display_name(db)}: {exc}") from None
    finally:
        store.close()


def _run_ingest(
    db: str, inputs: list[str], manifest: Path | None, allow_private: bool, max_mb: int
) -> IngestSummary:
    try:
        loaded = load_manifest(manifest) if manifest else None
    except IngestError as exc:
        raise fail(str(exc)) from None
    options = IngestOptions(
        manifest=loaded,
        max_document_bytes=max_mb * 1024 * 1024,
        fetch=FetchPolicy(allow_private=allow_private),
    )
    with opened(db) as store, progress_bar() as progress:
        task = progress.add_task("ingesting", total=None)
        summary = ingest(store, inputs, options, on_item=lambda _: progress.advance(task))
    for problem in summary.problems:
        label = "error" if problem.fatal else "note"
        colour = "red" if problem.fatal else "yellow"
        err.print(
            f"[{colour}]{label}:[/{colour}] {escape(f'{problem.source}: {problem.message}')}",
            highlight=False,
            soft_wrap=True,
        )
    out.print(
        f"{summary.new} new, {summary.new_version} new versions, "
        f"{summary.duplicate} already stored (no-op), {len(summary.failures)} refused",
        highlight=False,
    )
    if summary.failures and summary.stored_or_known == 0:
        raise typer.Exit(code=1)
    return summary


@app.command("ingest")
def ingest_command(
    inputs: InputsArg,
    db: DbOption = DEFAULT_DB,
    manifest: ManifestOption = None,
    allow_private: AllowPrivateOption = False,
    max_mb: MaxMbOption = 10,
) -> None:
    """Read articles into the store (text, Markdown, HTML, RSS/Atom, WARC, JSON Lines, URLs)."""
    _run_ingest(db, inputs, manifest, allow_private, max_mb)


@app.command("analyze")
def analyze_command(
    inputs: InputsArg,
    db: DbOption = DEFAULT_DB,
    manifest: ManifestOption = None,
    allow_private: AllowPrivateOption = False,
    max_mb: MaxMbOption = 10,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes analysing, this one among them (with --dask local: Dask "
            "workers); default every core, fewer for a small batch. 1: this process alone.",
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS",
            help="Run the per-document stages on a Dask cluster: tcp://HOST:8786, or local.",
        ),
    ] = None,
) -> None:
    """Ingest, then run every extraction stage, and print what the ledger holds."""
    _run_ingest(db, inputs, manifest, allow_private, max_mb)
    with opened(db) as store, progress_bar() as progress:
        if dask:
            _run_on_dask(store, db, dask, workers, progress)
        else:
            task = progress.add_task("analysing", total=None)
            analyze_pending(store, lambda _: progress.advance(task), workers)
            task = progress.add_task("linking", total=None)
            link_pending(store, on_document=lambda _: progress.advance(task))
        progress.add_task("grouping claims", total=None)
        built = claims_pending(store)
    if built and built.note:
        err.print(f"[yellow]note:[/yellow] {escape(built.note)}", highlight=False, soft_wrap=True)
    with opened(db) as store:
        _print_summary(store)


def _run_on_dask(
    store: DocumentStore, db: str, address: str, workers: int | None, progress: Progress
) -> None:
    """Analyse, then link, on the Dask cluster at ``address`` (or a new local one)."""
    # Imported here: Dask takes a second to import, which no other command needs.
    from newstrace.scale.cluster import ClusterError, analyze_on_cluster, connect, link_on_cluster
    from newstrace.scale.local import default_workers

    try:
        with connect(address, workers or default_workers()) as client:
            task = progress.add_task("analysing", total=None)
            analyze_on_cluster(store, db, client, lambda _: progress.advance(task))
            task = progress.add_task("linking", total=None)
            link_on_cluster(store, db, client, lambda _: progress.advance(task))
    except ClusterError as exc:
        raise fail(str(exc)) from None


def _print_summary(store: DocumentStore) -> None:
    findings = FindingStore(store.engine)
    table = Table(title="newstrace ledger", show_header=False)
    table.add_row("documents", str(store.count()))
    table.add_row("quotes", str(findings.count_quotes()))
    table.add_row("events", str(findings.count_events()))
    table.add_row("reuse links", str(LinkStore(store.engine, LINK_VERSION).count_links()))
    table.add_row("claim clusters", str(ClaimStore(store.engine).count()))
    table.add_row("warnings recorded", str(len(store.warnings())))
    out.print(table)


@app.command("quotes")
def quotes_command(
    doc_id: Annotated[
        int | None, typer.Argument(metavar="[DOC]", help="Document id; all documents if unset.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Who says what: every attributed statement with speaker, recipient and hedges."""
    with opened(db) as store:
        quotes = FindingStore(store.engine).quotes(doc_id)
    table = Table("doc", "speaker", "kind", "quote", "to", "hedges")
    for quote in quotes:
        speaker = quote.speaker
        excerpt = quote.content.text.replace("\n", " ")
        table.add_row(
            str(quote.content.span.doc_id),
            escape(speaker.name),
            f"{speaker.kind.value}\n{quote.kind.value}",
            escape(excerpt if len(excerpt) <= 160 else excerpt[:157] + "..."),
            escape(quote.recipient.text) if quote.recipient else "",
            escape(", ".join(h.text for h in quote.hedges)),
        )
    out.print(table)


def _published(doc: Document) -> str:
    if doc.published is None:
        return "unknown"
    return f"{doc.published.iso()} ({doc.published.precision})"


@app.command("events")
def events_command(
    doc_id: Annotated[
        int | None, typer.Argument(metavar="[DOC]", help="Document id; all documents if unset.")
    ] = None,
    db: DbOption = DEFAULT_DB,
    reasons: Annotated[bool, typer.Option("--reasons", help="Why each field holds what.")] = False,
) -> None:
    """What happened: each event with its type, actors, place, date, tolls and claim."""
    with opened(db) as store:
        events = FindingStore(store.engine).events(doc_id)
    table = Table("doc", "date", "type", "actor", "place", "killed\ninjured", "claimed by")
    for event in events:
        row = event_row(event, None)
        where = ", ".join(str(row[k]) for k in ("location", "admin1", "country") if row[k])
        kind = f"{row['event_type']}\n{row['sub_event_type'] or ''}"
        table.add_row(
            str(row["document_id"]),
            f"{row['event_date'] or '?'}",
            escape(kind + ("\n(tally)" if event.is_tally else "")),
            escape(event.actor1 or ""),
            escape(f"{where} (p{row['geo_precision']})" if where else "unplaced"),
            f"{row['fatalities']}\n{row['injured']}",
            escape(event.claimed_by or ""),
        )
        if reasons:
            table.add_row("", "", escape(str(row["reasons"])), end_section=True)
    out.print(table)


def _excerpt(text: str, span: Span, width: int = 90) -> str:
    shown = " ".join(text[span.start : span.end].split())
    return escape(shown if len(shown) <= width else shown[: width - 1] + "…")


def _link_branch(parent: Tree, link: ReuseLink, texts: dict[int, str]) -> None:
    derived = _excerpt(texts[link.derived.doc_id], link.derived)
    branch = parent.add(f"[bold]{link.kind.value}[/bold] ({link.similarity:.2f}) “{derived}”")
    if link.similarity < 1:
        branch.add(f"origin reads “{_excerpt(texts[link.origin.doc_id], link.origin)}”")
    if link.drift:
        branch.add(f"[yellow]attribution drift[/yellow]: {escape(drift_words(link.drift))}")
    if link.quote_edit:
        edit = link.quote_edit
        branch.add(f"[yellow]quote {edit.change.value}[/yellow]: {escape(edit_words(edit))}")
    for change in link.mutations:
        branch.add(
            f"[yellow]claim changed[/yellow]: {change.field.value} "
            f"“{escape(change.origin) or '-'}” → “{escape(change.derived) or '-'}”"
        )


def _describe(doc: Document | None, doc_id: int) -> str:
    if doc is None:
        return f"document {doc_id}"
    return f"document {doc_id} ({escape(doc.outlet or 'outlet unknown')}, {_published(doc)})"


def _parse_grade(given: str) -> Grade:
    wanted = given.strip().lower()
    for grade in Grade:
        if wanted in {grade.value, grade.name.lower(), grade.name.lower().replace("_", "-")}:
            return grade
    shown = ", ".join(f"'{g.value}'" for g in Grade)
    raise fail(f"unknown grade {given!r} (use one of {shown})")


@app.command("claims")
def claims_command(
    grade: Annotated[
        str | None,
        typer.Option("--grade", help="Only this grade, e.g. 'echoed only' or echoed."),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Claims grouped across documents, with their corroboration grade (see `trace ID`)."""
    wanted = _parse_grade(grade) if grade else None
    with opened(db) as store:
        clusters = ClaimStore(store.engine).clusters(wanted)
    table = Table("id", "grade", "documents", "origins", "summary")
    for cluster in clusters:
        table.add_row(
            cluster.key,
            cluster.grade.value,
            ", ".join(map(str, cluster.documents)),
            str(cluster.origins),
            escape(cluster.summary),
        )
    out.print(table)


def _claim_tree(cluster: ClaimCluster, docs: dict[int, Document | None]) -> Tree:
    """The claim's provenance: each first-hand document, and below it who took it from it."""
    tree = Tree(
        f"[bold]claim {cluster.key}[/bold] ({cluster.kind.value}): "
        f"[bold]{cluster.grade.value}[/bold] - {escape(cluster.evidence)}"
    )
    below: dict[int, list[ProvenanceEdge]] = {}
    for edge in cluster.edges:
        below.setdefault(edge.origin_doc, []).append(edge)
    derived = {e.derived_doc for e in cluster.edges}

    def add(parent: Tree, doc_id: int, label: str, seen: frozenset[int]) -> Tree:
        node = parent.add(f"{label}{_describe(docs.get(doc_id), doc_id)}")
        spans = {m.evidence.span: m for m in cluster.members if m.evidence.span.doc_id == doc_id}
        for member in spans.values():
            words = escape(" ".join(member.evidence.text.split()))
            node.add(f"“{words}” [dim]({escape(member.source.name)})[/dim]")
        for edge in below.get(doc_id, []):
            if edge.derived_doc in seen:
                continue
            how = edge.direction.value
            child = f"{'shared with' if how == 'undetermined' else 'taken by'} ({how}): "
            copy = add(node, edge.derived_doc, child, seen | {edge.derived_doc})
            for note in edge.notes:
                copy.add(f"[yellow]{escape(note)}[/yellow]")
        return node

    for doc_id in cluster.documents:
        if doc_id not in derived:
            add(tree, doc_id, "", frozenset({doc_id}))
    for found in cluster.disagreements:
        kind = "compatible" if found.compatible else "incompatible"
        branch = tree.add(f"[yellow]{found.harm.value}: values differ ({kind})[/yellow]")
        for value in found.values:
            when = value.published.iso() if value.published else "undated"
            sentence = value.sentence.span
            branch.add(
                f"{escape(' '.join(value.figure.mention.text.split()))} - "
                f"{escape(value.source.name)}, {_describe(docs.get(value.doc_id), value.doc_id)}"
                f", {when}, characters {sentence.start}-{sentence.end}"
            )
    return tree


@app.command("trace")
def trace_command(
    claim: Annotated[
        str | None, typer.Argument(metavar="[CLAIM-ID]", help="Claim id (see `claims`).")
    ] = None,
    doc_id: Annotated[
        int | None, typer.Option("--doc", metavar="DOC", help="Document id (see `list`).")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """A claim's provenance tree, or what a document took from others (and others from
    it), with what the copies changed."""
    if claim is not None and doc_id is None:
        _trace_claim(claim, db)
    elif doc_id is not None and claim is None:
        _trace_document(doc_id, db)
    else:
        raise fail("give a CLAIM-ID or --doc DOC (one of them)")


def _trace_claim(claim: str, db: str) -> None:
    with opened(db) as store:
        cluster = ClaimStore(store.engine).cluster(claim)
        if cluster is None:
            raise fail(f"no claim {claim} (see `newstrace claims`)")
        docs = {i: store.get(i) for i in cluster.documents}
    out.print(_claim_tree(cluster, docs))


def _trace_document(doc_id: int, db: str) -> None:
    with opened(db) as store:
        doc = store.get(doc_id)
        if doc is None:
            raise fail(f"no document {doc_id}")
        found = LinkStore(store.engine, LINK_VERSION).reuse(doc_id)
        others = {i: store.get(i) for r in found for i in (r.origin_doc, r.derived_doc)}
    texts = {i: d.text for i, d in others.items() if d is not None}
    tree = Tree(f"[bold]{_describe(doc, doc_id)}[/bold]: {escape(doc.title or '(untitled)')}")
    if not found:
        tree.add("no reuse found with any other document")
    for reuse in found:
        other = reuse.origin_doc if reuse.derived_doc == doc_id else reuse.derived_doc
        relation = reuse.relation.value.replace("_", " ")
        if reuse.direction is DirectionBasis.UNDETERMINED:
            label, basis = "shares text with (direction undetermined)", ""
        else:
            label = "took from" if other == reuse.origin_doc else "was taken from by"
            basis = f"; by {reuse.direction.value}"
        branch = tree.add(
            f"{label} {_describe(others.get(other), other)}: {relation}, "
            f"{reuse.reused_share:.0%} of document {reuse.derived_doc}'s words{basis}"
        )
        for reason in reuse.reasons:
            branch.add(f"[dim]evidence: {escape(reason.text)}[/dim]")
        for link in reuse.links:
            _link_branch(branch, link, texts)
    out.print(tree)


@app.command("list")
def list_command(db: DbOption = DEFAULT_DB) -> None:
    """One line per document: id, outlet, published date, title."""
    with opened(db) as store:
        table = Table("id", "outlet", "published", "title")
        for doc in store.documents():
            table.add_row(
                str(doc.id),
                escape(doc.outlet or "unknown"),
                _published(doc),
                escape(doc.title or "(untitled)"),
            )
        out.print(table)


@app.command("show")
def show_command(
    doc_id: Annotated[int, typer.Argument(metavar="DOC", help="Document id (see `list`).")],
    db: DbOption = DEFAULT_DB,
    text: Annotated[bool, typer.Option("--text/--no-text", help="Print the article text.")] = True,
) -> None:
    """A document's metadata, where each field came from, and its text."""
    with opened(db) as store:
        doc = store.get(doc_id)
    if doc is None:
        raise fail(f"no document {doc_id}")
    table = Table(show_header=False)
    for name, value in (
        ("id", str(doc.id)),
        ("title", doc.title or "(untitled)"),
        ("outlet", doc.outlet or "unknown"),
        ("byline", doc.byline or "unknown"),
        ("published", f"{_published(doc)} from {doc.published_source}"),
        ("url", doc.url or "unknown"),
        ("source", f"{doc.source} ({doc.source_format}, {doc.encoding or 'n/a'})"),
        ("version", str(doc.version)),
    ):
        table.add_row(name, escape(value))
    out.print(table)
    if text:
        out.print(doc.text, markup=False, highlight=False)


@app.command("export")
def export_command(
    export_format: Annotated[
        str,
        typer.Option(
            "--format", help="jsonl, csv, geojson (events), graphml or graphjson (reuse)."
        ),
    ] = "jsonl",
    table: Annotated[
        str, typer.Option("--table", help=f"What to export: {', '.join(TABLES)}.")
    ] = "documents",
    output: Annotated[
        Path | None, typer.Option("--out", help="File to write; stdout if unset.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Export documents or findings, every finding with its character offsets."""
    if export_format not in FORMATS:
        shown = f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
        raise fail(f"unknown export format {export_format!r} (use {shown})")
    if table not in TABLES:
        raise fail(f"unknown table {table!r} (use one of {', '.join(TABLES)})")
    if export_format in GRAPH_FORMATS and table != "reuse":
        raise fail(f"{export_format} writes the reuse graph: use --table reuse")
    with opened(db) as store:
        handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            export_table(store, table, export_format, handle)
        finally:
            if output:
                handle.close()


@app.command("report")
def report_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the static report.")] = Path(
        "build/report"
    ),
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a self-contained static HTML report."""
    with opened(db) as store:
        try:
            index = write_report(store, out_dir)
        except OSError as exc:
            raise fail(f"{out_dir}: cannot write report ({exc.strerror})") from None
    out.print(f"report written to {escape(str(index))}", highlight=False, soft_wrap=True)


@app.command("check")
def check_command(db: DbOption = DEFAULT_DB) -> None:
    """Verify the ledger's integrity without changing anything; exit 1 on any problem."""
    try:
        report = check_database(db, PIPELINE_VERSION)
    except StoreError as exc:
        raise fail(str(exc)) from None
    for problem in report.problems:
        err.print(f"[red]problem:[/red] {escape(problem)}", highlight=False, soft_wrap=True)
    for note in report.notes:
        out.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
    rows = ", ".join(f"{count} {table}" for table, count in report.rows.items())
    verdict = f"{len(report.problems)} problems" if report.problems else "no problems"
    out.print(f"checked {rows or 'nothing'}: {verdict}", highlight=False, soft_wrap=True)
    if report.problems:
        raise typer.Exit(code=1)


@app.command("serve")
def serve_command(
    db: DbOption = DEFAULT_DB,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; any but loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="NEWSTRACE_TOKEN",
            help="Required on every request: 'Authorization: Bearer T', or ?token=T once.",
        ),
    ] = None,
) -> None:
    """Read-only web UI: documents and a reader with every finding highlighted, events on a
    map and a timeline, claims with their provenance, speakers, search."""
    if not token and not is_loopback(host):
        raise fail(f"serving on {host} needs a token: pass --token or set NEWSTRACE_TOKEN")
    if "://" not in db and not Path(db).is_file():  # serving never creates a database
        raise fail(f"{db}: no such database (create one with `newstrace analyze`)")
    with opened(db) as store:
        web = create_app(store, token, allowed_hosts=None if token else LOOPBACK_HOSTS)
        shown = f"[{host}]" if ":" in host else host
        out.print(
            f"serving {escape(display_name(db))} read-only at http://{shown}:{port}/"
            + (" (token required)" if token else "")
            + " - Ctrl+C stops",
            highlight=False,
            soft_wrap=True,
        )
        uvicorn.run(web, host=host, port=port, log_level="warning")
