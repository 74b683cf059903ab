"""``newstrace gazetteer``: build the place index, look names up, show what it covers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newstrace.console import out
from newstrace.gazetteer.geonames import build_from_geonames
from newstrace.gazetteer.index import GazetteerError, default_index_path
from newstrace.gazetteer.lookup import GAZETTEER_ENV, Gazetteer
from newstrace.gazetteer.packaged import build_packaged

gazetteer_app = typer.Typer(
    help="The offline place index: build it, look names up, see what it covers.",
    no_args_is_help=True,
)

GazetteerOption = Annotated[
    Path | None,
    typer.Option(
        "--gazetteer", envvar=GAZETTEER_ENV, help="Index file; the packaged one if unset."
    ),
]
CountryOption = Annotated[
    list[str] | None, typer.Option("--country", help="ISO code (repeatable), e.g. IQ.")
]


def _fail(message: str) -> typer.Exit:
    """The error line and exit code every newstrace command uses."""
    from newstrace.cli import fail  # imported late: newstrace.cli imports this module

    return fail(message)


def _opened(path: Path | None) -> Gazetteer:
    try:
        return Gazetteer.configured(path)
    except GazetteerError as exc:
        raise _fail(str(exc)) from None


@gazetteer_app.command("build")
def build_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="GeoNames dump files (.zip or .txt); none: the packaged data."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Index file to write; for the packaged data, the cache."),
    ] = None,
    country: CountryOption = None,
) -> None:
    """Build an index from GeoNames dumps (or rebuild the packaged one)."""
    if country and not files:
        raise _fail("--country applies to GeoNames files only")
    if files and output is None:
        # The default location holds the packaged index and is rebuilt from it when stale.
        raise _fail("--out is required with GeoNames files; then use it with --gazetteer")
    target = output or default_index_path()
    started = time.perf_counter()
    try:
        if files:
            path = build_from_geonames(files, target, countries=country or ())
        else:
            path = build_packaged(target)
        with Gazetteer.open(path) as gazetteer:
            entries = gazetteer.meta["entries"]
    except GazetteerError as exc:
        raise _fail(str(exc)) from None
    seconds = time.perf_counter() - started
    megabytes = path.stat().st_size / 1e6
    out.print(f"{path}: {entries} places, {megabytes:.1f} MB, built in {seconds:.1f} s")


@gazetteer_app.command("lookup")
def lookup_command(
    name: Annotated[str, typer.Argument(help="A place name as written.")],
    country: CountryOption = None,
    feature_type: Annotated[
        list[str] | None, typer.Option("--type", help="Only this feature type (repeatable).")
    ] = None,
    fuzzy: Annotated[bool, typer.Option("--fuzzy/--no-fuzzy", help="Similar spellings.")] = True,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 5,
    gazetteer: GazetteerOption = None,
) -> None:
    """Candidates for a place name, best first."""
    with _opened(gazetteer) as opened:
        candidates = opened.lookup(
            name,
            country_codes=country or (),
            feature_types=feature_type or (),
            fuzzy=fuzzy,
            limit=limit,
        )
    if not candidates:
        raise _fail(f"no place called {name!r}")
    table = Table("score", "match", "name", "type", "country", "admin1", "lat, lon", "population")
    table.add_column("id")
    table.add_column("note")
    for candidate in candidates:
        entry = candidate.entry
        table.add_row(
            f"{candidate.score:.2f}",
            f"{candidate.match} ({candidate.matched})",
            entry.name,
            entry.feature_type,
            entry.country,
            entry.admin1 or "",
            f"{entry.latitude:.4f}, {entry.longitude:.4f}",
            f"{entry.population:,}" if entry.population else "",
            entry.id,
            entry.precision_note or "",
        )
    out.print(table)


@gazetteer_app.command("info")
def info_command(country: CountryOption = None, gazetteer: GazetteerOption = None) -> None:
    """What an index holds: sources, and places per feature type (in some countries)."""
    with _opened(gazetteer) as opened:
        summary = opened.summary(country or ())
        meta = opened.meta
        path = opened.path
    out.print(f"{path}: {meta['sources']}, built {meta['built_at']}", highlight=False)
    out.print(meta["licence"], highlight=False)
    table = Table("feature type", "places", "with a stand-in point", title=", ".join(country or []))
    for feature_type, (count, stand_ins) in summary.items():
        table.add_row(feature_type, f"{count:,}", f"{stand_ins:,}")
    table.add_row("all", f"{sum(c for c, _ in summary.values()):,}", "")
    out.print(table)
