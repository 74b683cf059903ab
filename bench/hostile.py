"""Hostile input: seconds to analyse pathological texts, against a normal text of the same size.

Each input is ``-n`` characters (``--quick``: 10,000) of one pathological pattern: runs
of quotation marks or apostrophes, thousands of numbers, control characters, a sentence
that never ends, capitalised words, dates, "he said" over and over, one long line of
prose. ``newstrace.analysis.analyze_text`` (parse and every per-document stage) runs on
each in a forked process (the model is loaded before forking) stopped after
``--limit`` seconds, so one quadratic spot cannot hold the benchmark for hours; such an
input is reported as over the limit. The ratio is each input's time over the time of
invented news prose of the same length (bench/common.py's stories).
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from common import SEED, Results, finish, machine_info, make_story, parser
from newstrace.analysis import analyze_text

FULL_SIZE = 100_000
QUICK_SIZE = 10_000
LIMIT_S = 300.0
FORK = multiprocessing.get_context("fork")

_WORDS = "the army said fighters were killed near the village on Monday and officials".split()
_CAPS = "Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet Kilo Lima".split()
_DATES = ("on Monday", "on 3 May", "in 2024", "last week", "on Friday", "two days ago")


def repeat(piece: str) -> Callable[[int, random.Random], str]:
    return lambda size, _: (piece * (size // len(piece) + 1))[:size]


def drawn(
    choose: Callable[[random.Random], str], join: str = " "
) -> Callable[[int, random.Random], str]:
    """Pieces drawn at random until ``size`` characters."""

    def make(size: int, rng: random.Random) -> str:
        pieces: list[str] = []
        length = 0
        while length < size:
            pieces.append(choose(rng))
            length += len(pieces[-1]) + len(join)
        return join.join(pieces)[:size]

    return make


def prose(separator: str) -> Callable[[int, random.Random], str]:
    """Invented news stories, paragraphs joined by ``separator``."""

    def make(size: int, rng: random.Random) -> str:
        paragraphs: list[str] = []
        length, index = 0, 0
        while length < size:
            story = make_story(rng, index)
            paragraphs += story.paragraphs
            length += sum(len(p) + len(separator) for p in story.paragraphs)
            index += 1
        return separator.join(paragraphs)[:size]

    return make


INPUTS: dict[str, Callable[[int, random.Random], str]] = {
    'straight quotation marks ("""...)': repeat('"'),
    "curly quotation marks (“”‘’...)": repeat("“”‘’"),
    "apostrophes ('''...)": repeat("'"),
    "quoted words (\"a\" 'b' ...)": repeat("\"a\" 'b' "),
    'digit and space ("1 1 1 ...")': repeat("1 "),
    "random numbers": drawn(lambda rng: str(rng.randint(1, 10**6))),
    'counts ("12 of them were killed, ...")': drawn(
        lambda rng: f"{rng.randint(1, 999)} of them were killed", ", "
    ),
    "control characters": drawn(lambda rng: chr(rng.randint(1, 31)), ""),
    "one sentence without punctuation": drawn(lambda rng: rng.choice(_WORDS)),
    "capitalised words": drawn(lambda rng: rng.choice(_CAPS) + " of the"),
    "dates": drawn(lambda rng: rng.choice(_DATES)),
    '"he said" repeated': repeat("he said "),
    "prose on one line": prose(" "),
}


def _timed(text: str, send: Connection) -> None:
    began = time.perf_counter()
    analyze_text(text)
    send.send(time.perf_counter() - began)


class AnalysisFailed(Exception):
    """``analyze_text`` raised (the child printed the traceback)."""


def seconds_to_analyse(text: str, limit: float) -> float | None:
    """Wall seconds of ``analyze_text(text)`` in a forked process; None past ``limit``."""
    receive, send = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_timed, args=(text, send), daemon=True)
    child.start()
    began = time.monotonic()
    while child.is_alive() and not receive.poll(0.1) and time.monotonic() - began < limit:
        pass
    if receive.poll():
        elapsed: float = receive.recv()
        child.join()
        return elapsed
    child.kill()
    child.join()
    if child.exitcode not in (0, -9):
        raise AnalysisFailed
    return None


def main() -> int:
    args = parser(__doc__, "--chars", FULL_SIZE, QUICK_SIZE, "characters per input")
    args.add_argument("--limit", type=float, default=LIMIT_S, help="seconds allowed per input")
    options = args.parse_args()
    size = QUICK_SIZE if options.quick else options.size
    info = machine_info()
    analyze_text("Loaded before forking: two soldiers were killed, the army said.")
    normal = seconds_to_analyse(prose("\n\n")(size, random.Random(SEED)), options.limit)
    rows: list[tuple[str, ...]] = [
        ("news prose (reference)", f"{normal:.2f}" if normal else "-", "1.0")
    ]
    figures: dict[str, float] = {"normal_s": round(normal or 0.0, 2)}
    slowest = 0.0
    failures = 0
    capped = False
    for index, (name, make) in enumerate(INPUTS.items()):
        try:
            elapsed = seconds_to_analyse(make(size, random.Random(SEED + index)), options.limit)
        except AnalysisFailed:
            rows.append((name, "raised", "-"))
            failures += 1
            continue
        shown = f"{elapsed:.2f}" if elapsed is not None else f"> {options.limit:g}"
        ratio = (elapsed if elapsed is not None else options.limit) / (normal or 1.0)
        rows.append((name, shown, f"{ratio:.1f}" + ("" if elapsed is not None else "+")))
        figures[f"{name.split(' (')[0]}_s"] = round(elapsed or options.limit, 2)
        slowest = max(slowest, ratio)
        capped = capped or elapsed is None
        print(f"{name}: {shown} s", flush=True)
    figures["worst_ratio"] = round(slowest, 1)
    figures["raised"] = failures
    results = Results(
        title=f"newstrace on hostile input, {size:,} characters each",
        section=f"hostile input, {size:,} characters each",
        header=("input", "seconds", "x news prose"),
        rows=rows,
        figures=figures,
        notes=(
            f"analyze_text (parse and every stage) on one core per input, stopped after "
            f"{options.limit:g} s; the ratio is over news prose of the same length "
            f"({normal or 0:.2f} s). Worst ratio {figures['worst_ratio']}"
            + (" or more (an input stopped at the limit counts as the limit)." if capped else "."),
        ),
    )
    finish(options, results, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
