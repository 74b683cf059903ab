"""The terminal, shared by every command: results on stdout, errors and progress on
stderr (so piped output stays clean), and one progress-bar style."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

out = Console()
err = Console(stderr=True)


def progress_bar() -> Progress:
    """A progress bar on stderr; silent when stderr is not a terminal (CI, pipes)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
