"""Scaling on one machine: ``analyze`` with 1 and 2 worker processes, and on a Dask
LocalCluster of 2 workers, over the same articles; linking in this process and on a
Dask LocalCluster of 2 workers, over the same analysed articles; then analyze's peak
memory on a batch.

The articles are the pipeline benchmark's invented plain-text stories (300 to 600 words),
stored once in a SQLite file that every run copies, so every run analyses the same input.
Their stories are built from shared templates, so nearly every pair of them shares
passages: a dense worst case for linking (about 1,000 reuse links per article), which is
why the link runs take fewer articles.
Each run is ``analyze_pending`` (or the Dask runner) in a fresh child process, so model
loading and worker start-up count as a user would see them, and each memory peak is its
own. Memory is the resident set of the child and all its workers, summed: RSS (pages the
processes share counted in each: it overstates) sampled every 0.5 s, and PSS (shared
pages split between their sharers) every 5 s. Reading a process's PSS walks its page
tables (about 20 ms of CPU for a process holding the models): sampled as often as RSS,
the watcher took a fifth of a core, which only the 2-process runs missed.
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

import psutil

from common import Results, finish, machine_info, parser
from newstrace.pipeline import analyze_pending, link_pending
from newstrace.records import DateSource, DocumentInput
from newstrace.scale.cluster import LOCAL, analyze_on_cluster, connect, link_on_cluster
from newstrace.store import open_store
from pipeline import articles

FULL_SIZE = 600
QUICK_SIZE = 40
MEMORY_SIZE = 10_000
QUICK_MEMORY_SIZE = 200
SAMPLE_S = 0.5  # RSS and CPU: cheap reads
PSS_EVERY = 10  # samples: PSS every 5 s
LINK_SIZE = 120
QUICK_LINK_SIZE = 20
RUNS = ("1 worker", "2 workers", "Dask local, 2 workers")
LINK_RUNS = ("link, this process", "link, Dask local, 2 workers")


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    articles: int
    seconds: float
    running_rate: float  # articles/s once started: worker start-up and model loading left out
    cpu_seconds: float  # of the run's process and all its descendants, sampled
    peak_mb: float  # RSS summed: pages shared between processes counted in each
    peak_pss_mb: float  # PSS summed: what the processes use together


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


def analyse_untimed(path: Path) -> None:
    """Analyse the store at ``path`` (2 processes), as the link runs' common input."""
    store = open_store(str(path))
    try:
        analyze_pending(store, workers=2)
    finally:
        store.close()


def _analyze(db: str, name: str, timings: Queue[tuple[float, float]]) -> None:
    """Child process: one run of analyze (or of linking) over ``db``; its wall time from
    the first call and its rate once running (from the first batch written to the last;
    for linking, from the first document saved)."""
    store = open_store(db)
    written: list[float] = []
    began = time.perf_counter()
    if name in (RUNS[2], LINK_RUNS[1]):
        with connect(LOCAL, 2) as client:
            run = analyze_on_cluster if name == RUNS[2] else link_on_cluster
            run(store, db, client, lambda _: written.append(time.perf_counter()))
    elif name == LINK_RUNS[0]:
        link_pending(store, lambda _: written.append(time.perf_counter()))
    else:
        workers = 2 if name == RUNS[1] else 1
        analyze_pending(store, lambda _: written.append(time.perf_counter()), workers)
    seconds = time.perf_counter() - began
    first_batch = written.count(written[0])
    running = written[-1] - written[0]
    store.close()
    rate = (len(written) - first_batch) / running if running else 0.0
    timings.put((seconds, rate))


def _tree_sample(
    process: psutil.Process, cpu: dict[int, float], with_pss: bool
) -> tuple[float, float]:
    """Resident (RSS) and, when ``with_pss``, proportional (PSS: shared pages split
    between their sharers; else 0) memory of ``process`` and all its descendants, summed,
    in MiB; each one's CPU time so far goes into ``cpu`` by pid (forked workers are
    grandchildren, which the resource usage of children never counts)."""
    rss = pss = 0
    for each in (process, *process.children(recursive=True)):
        try:
            rss += each.memory_info().rss
            pss += each.memory_full_info().pss if with_pss else 0
            times = each.cpu_times()
        except psutil.Error:  # ended between listing and reading
            continue
        cpu[each.pid] = times.user + times.system
    return rss / 1024 / 1024, pss / 1024 / 1024


def measure(source: Path, name: str, count: int, workdir: Path) -> Run:
    """Copy the store, analyse it in a child process; wall time and peak memory."""
    db = workdir / f"{name.replace(',', '').replace(' ', '-')}-{count}.db"
    shutil.copy(source, db)
    context = multiprocessing.get_context("spawn")
    timings: Queue[tuple[float, float]] = context.Queue()
    child = context.Process(target=_analyze, args=(str(db), name, timings))
    child.start()
    watched, peak, peak_pss = psutil.Process(child.pid), 0.0, 0.0
    cpu: dict[int, float] = {}
    samples = 0
    while child.is_alive():
        try:
            rss, pss = _tree_sample(watched, cpu, samples % PSS_EVERY == 0)
        except psutil.Error:
            break
        peak, peak_pss, samples = max(peak, rss), max(peak_pss, pss), samples + 1
        time.sleep(SAMPLE_S)
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"{name}: analyze failed (exit {child.exitcode})")
    seconds, rate = timings.get()
    return Run(name, count, seconds, rate, sum(cpu.values()), peak, peak_pss)


def _speedups(runs: list[Run], words: int) -> tuple[dict[str, float], str]:
    """The speed-up figures of the three runs, and the note that reads them."""
    one, two, dask = runs
    figures = {
        "speedup": round(one.seconds / two.seconds, 3),
        "running_speedup": round(two.running_rate / one.running_rate, 3),
        "dask_speedup": round(one.seconds / dask.seconds, 3),
        "articles_per_s_1": round(one.running_rate, 2),
        "articles_per_s_2": round(two.running_rate, 2),
        "cpu_per_article_1": round(one.cpu_seconds / one.articles, 4),
        "cpu_per_article_2": round(two.cpu_seconds / two.articles, 4),
    }
    note = (
        f"{one.articles:,} articles ({words:,} words) per speed-up run. Speed-up with 2 "
        f"processes (this one and a worker) {figures['speedup']:.2f}× in wall time, model "
        f"loading and worker start-up included, {figures['running_speedup']:.2f}× once "
        f"running (target ≥ 1.7 on 2 cores); Dask {figures['dask_speedup']:.2f}× in wall "
        "time. 'Running' counts from the first batch written to the last. CPU s/article: "
        "the run's process and all its workers, start-up included; the same figure for 1 "
        "and 2 workers means the parallel path adds no work."
    )
    return figures, note


def _link_speedup(runs: list[Run]) -> tuple[dict[str, float], str]:
    """The figure and note of the two link runs."""
    one, dask = runs
    speedup = round(one.seconds / dask.seconds, 3)
    note = (
        f"Link rows: {one.articles:,} analysed articles linked in this process, then on a "
        f"Dask LocalCluster of 2 workers (this process plans and saves, the workers "
        f"compare): {speedup:.2f}× in wall time, cluster start-up included."
    )
    return {"link_dask_speedup": speedup}, note


def results(runs: list[Run], link_runs: list[Run], memory: Run | None, words: int) -> Results:
    first = runs[0] if runs else None

    def row(r: Run, base: Run | None = first) -> tuple[str, ...]:
        compared = base is not None and r.articles == base.articles
        return (
            r.name,
            f"{r.articles:,}",
            f"{r.seconds:.1f}",
            f"{r.articles / r.seconds:.2f}",
            f"{base.seconds / r.seconds:.2f}" if base and compared else "",
            f"{r.running_rate:.2f}",
            f"{r.running_rate / base.running_rate:.2f}" if base and compared else "",
            f"{r.cpu_seconds / r.articles:.3f}",
            f"{r.peak_mb:,.0f}",
            f"{r.peak_pss_mb:,.0f}",
        )

    figures: dict[str, float] = {}
    notes = []
    if runs:
        figures, note = _speedups(runs, words)
        notes.append(note)
    if link_runs:
        link_figures, note = _link_speedup(link_runs)
        figures |= link_figures
        notes.append(note)
    if memory:
        figures["peak_mb_memory_run"] = round(memory.peak_mb)
        figures["peak_pss_mb_memory_run"] = round(memory.peak_pss_mb)
        notes.append(
            f"{'Last row: a' if runs else 'A'}nalyze on {memory.articles:,} articles with "
            f"{memory.name}; peak memory of all its processes {memory.peak_pss_mb:,.0f} MiB "
            f"PSS (resident, shared pages split between the processes sharing them), "
            f"{memory.peak_mb:,.0f} MiB RSS summed (shared pages counted in each); "
            "target < 2 GiB."
        )
    sized = f"{first.articles:,} articles, 1 vs 2 workers" if first else "memory"
    return Results(
        title="newstrace analyze: worker processes and Dask on one machine",
        section=f"scale, {sized}" + (f", {memory.articles:,} for memory" if memory else ""),
        header=(
            "run",
            "articles",
            "wall s",
            "articles/s",
            "speed-up",
            "articles/s running",
            "speed-up running",
            "CPU s/article",
            "peak MiB RSS (all processes)",
            "peak MiB PSS (all processes)",
        ),
        rows=[row(r) for r in runs]
        + [row(r, link_runs[0]) for r in link_runs]
        + ([row(memory)] if memory else []),
        figures=figures,
        notes=tuple(notes),
    )


def main() -> int:
    what = "articles per speed-up run (0 skips them)"
    options = parser(__doc__, "--articles", FULL_SIZE, QUICK_SIZE, what)
    options.add_argument(
        "--link-articles",
        type=int,
        default=LINK_SIZE,
        metavar="N",
        help=f"articles for the link runs (0 skips them; {QUICK_LINK_SIZE} with --quick)",
    )
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
    link_count = QUICK_LINK_SIZE if args.quick else args.link_articles
    info = machine_info()
    with tempfile.TemporaryDirectory(prefix="newstrace-scale-") as tmp:
        workdir = Path(tmp)
        source = workdir / "articles.db"
        words = build_store(source, count) if count else 0
        runs = [measure(source, name, count, workdir) for name in RUNS] if count else []
        link_runs = []
        if link_count:
            analysed = workdir / "analysed.db"
            build_store(analysed, link_count)
            analyse_untimed(analysed)
            link_runs = [measure(analysed, name, link_count, workdir) for name in LINK_RUNS]
        memory = None
        if memory_count:
            big = workdir / "memory.db"
            build_store(big, memory_count)
            memory = measure(big, RUNS[1], memory_count, workdir)
    finish(args, results(runs, link_runs, memory, words), info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
