"""Scaling on one machine: ``analyze`` with 1 and 2 worker processes, and on a Dask
LocalCluster of 2 workers, over the same articles; then analyze's peak memory on a batch.

The articles are the pipeline benchmark's invented plain-text stories (300 to 600 words),
stored once in a SQLite file that every run copies, so every run analyses the same input.
Each run is ``analyze_pending`` (or the Dask runner) in a fresh child process, so model
loading and worker start-up count as a user would see them, and each memory peak is its
own. Memory is the resident set of the child and all its workers, summed and sampled
every 0.2 s (pages the processes share are counted once per process: it overstates).
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage

import psutil

from common import Results, finish, machine_info, parser
from newstrace.pipeline import analyze_pending
from newstrace.records import DateSource, DocumentInput
from newstrace.scale.cluster import LOCAL, analyze_with_dask
from newstrace.store import open_store
from pipeline import articles

FULL_SIZE = 600
QUICK_SIZE = 40
MEMORY_SIZE = 10_000
QUICK_MEMORY_SIZE = 200
SAMPLE_S = 0.2
RUNS = ("1 worker", "2 workers", "Dask local, 2 workers")


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    articles: int
    seconds: float
    running_rate: float  # articles/s once started: worker start-up and model loading left out
    cpu_seconds: float  # of the run's process and all its workers
    peak_mb: float


def build_store(path: Path, count: int) -> int:
    """A SQLite store holding ``count`` invented articles; their words in all."""
    store = open_store(str(path))
    words = 0
    try:
        for index, article in enumerate(articles(count)):
            store.add(
                DocumentInput(
                    text=article.text,
                    source=f"article-{index}.txt",
                    source_format="text",
                    published=article.published,
                    published_source=DateSource.MANIFEST,
                )
            )
            words += article.words
    finally:
        store.close()
    return words


def _cpu_seconds() -> float:
    """CPU time of this process and of every finished process it started (workers)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (getrusage(RUSAGE_SELF), getrusage(RUSAGE_CHILDREN))
    )


def _analyze(db: str, name: str, timings: Queue[tuple[float, float, float]]) -> None:
    """Child process: one run of analyze over ``db``; its wall time from the first call,
    its rate once running (from the first batch written to the last), and the CPU time
    of it and its workers (which, unlike wall time, other work on the machine barely
    changes)."""
    store = open_store(db)
    written: list[float] = []
    began = time.perf_counter()
    if name == RUNS[2]:
        analyze_with_dask(store, db, LOCAL, 2, lambda _: written.append(time.perf_counter()))
    else:
        workers = 2 if name == RUNS[1] else 1
        analyze_pending(store, lambda _: written.append(time.perf_counter()), workers)
    seconds = time.perf_counter() - began
    first_batch = written.count(written[0])
    running = written[-1] - written[0]
    store.close()
    rate = (len(written) - first_batch) / running if running else 0.0
    timings.put((seconds, rate, _cpu_seconds()))


def _tree_rss_mb(process: psutil.Process) -> float:
    total = 0
    for each in (process, *process.children(recursive=True)):
        try:
            total += each.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            continue
    return total / 1024 / 1024


def measure(source: Path, name: str, count: int, workdir: Path) -> Run:
    """Copy the store, analyse it in a child process; wall time and peak memory."""
    db = workdir / f"{name.split()[0]}-{count}.db"
    shutil.copy(source, db)
    context = multiprocessing.get_context("spawn")
    timings: Queue[tuple[float, float, float]] = context.Queue()
    child = context.Process(target=_analyze, args=(str(db), name, timings))
    child.start()
    watched, peak = psutil.Process(child.pid), 0.0
    while child.is_alive():
        try:
            peak = max(peak, _tree_rss_mb(watched))
        except psutil.Error:
            break
        time.sleep(SAMPLE_S)
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"{name}: analyze failed (exit {child.exitcode})")
    seconds, rate, cpu = timings.get()
    return Run(name, count, seconds, rate, cpu, peak)


def results(runs: list[Run], memory: Run | None, words: int) -> Results:
    one, running = runs[0], runs[0].running_rate
    figures = {
        "speedup": round(one.seconds / runs[1].seconds, 3),
        "running_speedup": round(runs[1].running_rate / running, 3),
        "dask_speedup": round(one.seconds / runs[2].seconds, 3),
        "articles_per_s_1": round(running, 2),
        "articles_per_s_2": round(runs[1].running_rate, 2),
        "cpu_per_article_1": round(one.cpu_seconds / one.articles, 4),
        "cpu_per_article_2": round(runs[1].cpu_seconds / runs[1].articles, 4),
    }

    def row(r: Run, compared: bool = True) -> tuple[str, ...]:
        return (
            r.name,
            f"{r.articles:,}",
            f"{r.seconds:.1f}",
            f"{r.articles / r.seconds:.2f}",
            f"{one.seconds / r.seconds:.2f}" if compared else "",
            f"{r.running_rate:.2f}",
            f"{r.running_rate / running:.2f}" if compared else "",
            f"{r.cpu_seconds / r.articles:.3f}",
            f"{r.peak_mb:,.0f}",
        )

    rows = [row(r) for r in runs] + ([row(memory, compared=False)] if memory else [])
    notes = [
        f"{one.articles:,} articles ({words:,} words) per speed-up run. Speed-up with 2 "
        f"worker processes {figures['speedup']:.2f}× in wall time, model loading and worker "
        f"start-up included, {figures['running_speedup']:.2f}× once running (target ≥ 1.7 "
        f"on 2 cores); Dask {figures['dask_speedup']:.2f}× in wall time. 'Running' counts "
        "from the first batch written to the last. CPU s/article: the run's process and "
        "all its workers, start-up included; the same figure for 1 and 2 workers means "
        "the parallel path adds no work, so on idle cores the speed-up is bounded only by "
        "start-up and the single writer.",
    ]
    if memory:
        figures["peak_mb_memory_run"] = round(memory.peak_mb)
        notes.append(
            f"Last row: analyze on {memory.articles:,} articles with {memory.name}; peak "
            f"resident memory of all its processes {memory.peak_mb:,.0f} MiB (target < 2 GiB)."
        )
    return Results(
        title="newstrace analyze: worker processes and Dask on one machine",
        section=f"scale, {one.articles:,} articles, 1 vs 2 workers",
        header=(
            "run",
            "articles",
            "wall s",
            "articles/s",
            "speed-up",
            "articles/s running",
            "speed-up running",
            "CPU s/article",
            "peak MiB (all processes)",
        ),
        rows=rows,
        figures=figures,
        notes=tuple(notes),
    )


def main() -> int:
    options = parser(__doc__, "--articles", FULL_SIZE, QUICK_SIZE, "articles per speed-up run")
    options.add_argument(
        "--memory-articles",
        type=int,
        default=MEMORY_SIZE,
        metavar="N",
        help=f"articles for the memory run (0 skips it; {QUICK_MEMORY_SIZE} with --quick)",
    )
    args = options.parse_args()
    count = QUICK_SIZE if args.quick else args.size
    memory_count = QUICK_MEMORY_SIZE if args.quick else args.memory_articles
    info = machine_info()
    with tempfile.TemporaryDirectory(prefix="newstrace-scale-") as tmp:
        workdir = Path(tmp)
        source = workdir / "articles.db"
        words = build_store(source, count)
        runs = [measure(source, name, count, workdir) for name in RUNS]
        memory = None
        if memory_count:
            big = workdir / "memory.db"
            build_store(big, memory_count)
            memory = measure(big, RUNS[1], memory_count, workdir)
    finish(args, results(runs, memory, words), info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
