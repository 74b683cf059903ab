"""``newstrace eval KIND [PATH]``: score newstrace (and baselines) on a coded dataset."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import click
import typer

from newstrace.console import out, progress_bar
from newstrace.evaluate.datasets import DEFAULT_PATHS, EvalError
from newstrace.evaluate.report import print_result
from newstrace.evaluate.runner import BASELINES, KINDS, run_eval
from newstrace.gazetteer.cli import GazetteerOption
from newstrace.gazetteer.index import GazetteerError
from newstrace.gazetteer.lookup import GAZETTEER_ENV, Gazetteer

_BASELINE_HELP = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in BASELINES.items())


@contextmanager
def _progress() -> Iterator[Callable[[str, int], Callable[[], None]]]:
    """A progress bar per system on stderr (silent when stderr is not a terminal)."""
    with progress_bar() as progress:

        def track(name: str, total: int) -> Callable[[], None]:
            task = progress.add_task(name, total=total)
            return lambda: progress.advance(task)

        yield track


def eval_command(
    kind: Annotated[str, typer.Argument(help=f"Dataset layout: {', '.join(KINDS)}.")],
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Any file in that layout; the development split in ../shared if unset."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N rows.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the scores here.")] = None,
    baseline: Annotated[
        list[str] | None,
        typer.Option("--baseline", help=f"Repeatable, or 'all'. {_BASELINE_HELP}."),
    ] = None,
    misses: Annotated[int, typer.Option("--misses", min=0, help="Worst misses to list.")] = 20,
    gazetteer: GazetteerOption = None,
) -> None:
    """Score newstrace, and baselines side by side, on a coded dataset."""
    if kind not in KINDS:
        raise click.BadParameter(f"choose from {', '.join(KINDS)}", param_hint="KIND")
    chosen = path or DEFAULT_PATHS[kind]
    if gazetteer is not None:
        os.environ[GAZETTEER_ENV] = str(gazetteer)  # newstrace's own stages use it too
    try:
        with Gazetteer.configured(gazetteer) as opened, _progress() as tracker:
            result = run_eval(
                kind,
                chosen,
                gazetteer=opened,
                limit=limit,
                baselines=baseline or (),
                tracker=tracker,
            )
    except (EvalError, GazetteerError) as exc:
        raise click.ClickException(str(exc)) from None
    print_result(out, result, misses)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(
            json.dumps(result.as_json(misses), ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
