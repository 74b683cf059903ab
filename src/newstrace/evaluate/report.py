"""Print a run for a developer: scores side by side, then the worst misses and why."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newstrace.evaluate.runner import EvalResult
from newstrace.evaluate.scoring import FieldScore, clip, worst_misses


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def interval(score: FieldScore) -> str:
    if score.low is None or score.high is None:
        return ""
    return f"{100 * score.low:.1f}–{100 * score.high:.1f}"


def print_result(console: Console, result: EvalResult, misses: int) -> None:
    """A table of every field for every system, the notes, and the worst misses."""
    table = Table(title=f"{result.kind}: {result.path} ({result.rows} rows)")
    table.add_column("field", no_wrap=True)
    table.add_column("system", no_wrap=True)
    for column in ("n", "correct", "score", "95% CI"):
        table.add_column(column, justify="right", no_wrap=True)
    for name in result.newstrace.scores:
        for index, system in enumerate(result.systems):
            score = system.scores.get(name)
            if score is None:
                continue
            table.add_row(
                name if index == 0 else "",
                system.name,
                str(score.n),
                str(score.correct),
                percent(score.value),
                interval(score),
                style=None if index == 0 else "dim",
            )
        table.add_section()
    console.print(table)
    for system in result.systems:
        for note in system.notes:
            console.print(f"note ({system.name}): {note}", highlight=False)
    timing = ", ".join(f"{s.name} {s.seconds:.1f} s" for s in result.systems)
    console.print(f"time: {timing}; gazetteer: {result.gazetteer}", highlight=False)
    worst = worst_misses(result.newstrace.misses, misses)
    if worst:
        console.print(f"\n[bold]newstrace: {len(worst)} worst misses[/bold]")
    for number, miss in enumerate(worst, 1):
        gold, predicted = escape(miss.gold), escape(miss.predicted)
        console.print(
            f"{number:>2}. [cyan]{escape(miss.field)}[/cyan] {escape(miss.item)}: "
            f"gold [green]{gold}[/green], predicted [red]{predicted}[/red]",
            highlight=False,
        )
        console.print(f"    {escape(clip(miss.text, 160))}", style="dim", highlight=False)
