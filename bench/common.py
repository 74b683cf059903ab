"""What every benchmark shares: invented stories, machine info, the table, the record.

Each benchmark builds one :class:`Results` (a table and its figures); :func:`finish`
prints it, writes ``--json OUT`` and appends a dated section to docs/benchmarks.md, so
all sections read alike and carry the machine they ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks.md"
SEED = 20250304

OUTLETS = (
    "Tigris Wire",
    "Gulf Horizon News",
    "Khabour Herald",
    "Mesopotamia Ledger",
    "Orontes Press",
    "Jazira Newswire",
    "Western Desert Bulletin",
    "Euphrates Echo",
    "Zagros Daily",
    "Levant Correspondent",
)
FIRST_NAMES = ("Layla", "Omar", "Rana", "Samir", "Huda", "Karam", "Hiba", "Dawood", "Nour", "Ziad")
LAST_NAMES = ("Marouf", "Tahsin", "Qassab", "Haddad", "Nasser", "Obeid", "Sarraf", "Saleh", "Aswad")
PLACES = (
    "Kirkuk",
    "Mosul",
    "Tikrit",
    "Ramadi",
    "Fallujah",
    "Baqubah",
    "Tuz Khurmatu",
    "Akashat",
    "Deir ez-Zor",
    "Raqqa",
    "Hasakah",
    "Manbij",
    "Albukamal",
    "al-Mayadin",
    "Hajin",
    "Palmyra",
    "al-Sukhnah",
    "Sarmada",
)
FEATURES = (
    "the Hamrin mountains",
    "the Badia desert",
    "the Wadi Ubayyidh valley",
    "the Jazira desert",
    "the Euphrates valley",
)
ACTORS = (
    "Islamic State militants",
    "unidentified gunmen",
    "the Syrian Democratic Forces",
    "Iraqi security forces",
    "tribal fighters",
    "a local armed faction",
)
SPEAKERS = (
    "a police officer who asked not to be named",
    "a security official who spoke on condition of anonymity",
    "the provincial governor's spokesman",
    "a doctor at the main hospital",
    "a local monitor group",
    "a resident reached by telephone",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "eleven")


@dataclass(frozen=True, slots=True)
class Story:
    """One invented article: what every page layout needs to render it."""

    outlet: str
    author: str
    title: str
    published: dt.datetime
    url: str
    paragraphs: list[str]


def upper_first(phrase: str) -> str:
    """Sentence case that keeps proper nouns ("the Syrian Democratic Forces") intact."""
    return phrase[:1].upper() + phrase[1:]


def _sentence(rng: random.Random) -> str:
    place, actor, speaker = rng.choice(PLACES), rng.choice(ACTORS), rng.choice(SPEAKERS)
    day, count = rng.choice(WEEKDAYS), rng.randint(2, 60)
    templates = (
        f"{upper_first(actor)} attacked a checkpoint near {place} on {day}, killing {count} "
        f"people, according to {speaker}.",
        f'"We heard {rng.choice(NUMBER_WORDS)} explosions and then shooting," {speaker} said, '
        f'"and nobody could leave their homes until morning."',
        f"At least {count} people were wounded and dozens of families fled towards "
        f"{rng.choice(FEATURES)} after the fighting near {place}, {speaker} said.",
        f"{upper_first(speaker)} said that between {count} and {count + rng.randint(5, 40)} "
        f"fighters were believed to be hiding in {rng.choice(FEATURES)} near {place}.",
        f"The attack reportedly followed a week of raids in which {actor} detained more than "
        f"{count} suspects in villages around {place}.",
        f"Residents of {place} said electricity and water had been cut for {count} hours and "
        f"that bakeries had closed on {day}.",
        f"A statement issued by {actor} on {day} said the operation would continue until "
        f"the area around {place} was secured.",
    )
    return rng.choice(templates)


def headline(rng: random.Random, place: str) -> str:
    return f"{upper_first(rng.choice(ACTORS))} clash near {place}"


def make_story(rng: random.Random, index: int, paragraphs: tuple[int, int] = (4, 14)) -> Story:
    """A story of ``paragraphs`` paragraphs of 2 to 4 sentences (about 75 words each)."""
    place = rng.choice(PLACES)
    outlet = rng.choice(OUTLETS)
    published = dt.datetime(2024, 1, 1, 6) + dt.timedelta(minutes=rng.randint(0, 700_000))
    body = [
        " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(*paragraphs))
    ]
    slug = outlet.lower().replace(" ", "")
    return Story(
        outlet=outlet,
        author=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        title=headline(rng, place),
        published=published,
        url=f"https://{slug}.example/{published:%Y/%m/%d}/story-{index}",
        paragraphs=body,
    )


def peak_rss_mb() -> float:
    """High-water resident set of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def load_average() -> str:
    """One-minute load average: other work on the machine skews wall time."""
    return f"{os.getloadavg()[0]:.2f}"


def git_commit() -> str:
    """The exact code measured: short commit, flagged when the tree has changes."""
    commit = _run(["git", "rev-parse", "--short", "HEAD"]).strip() or "unknown"
    if _run(["git", "status", "--porcelain", "--untracked-files=no"]).strip():
        commit += " (with uncommitted changes)"
    return commit


def machine_info() -> dict[str, str]:
    """What a reader needs to compare runs: cores, memory, Python, and the exact code."""
    mem_kib = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    return {
        "cores (nproc)": str(os.cpu_count()),
        "RAM": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "Python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "commit": git_commit(),
        "load average at start": load_average(),
    }


@dataclass(frozen=True, slots=True)
class Results:
    """One run: ``title`` heads the printed table, ``section`` the recorded one."""

    title: str
    section: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    figures: dict[str, float]
    notes: tuple[str, ...] = ()


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub markdown table, one line per row."""
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def print_table(results: Results) -> None:
    """The Rich table: first column left, figures right-aligned, notes below."""
    table = Table(title=results.title, caption="\n".join(results.notes) or None)
    for index, name in enumerate(results.header):
        table.add_column(name, justify="left" if index == 0 else "right")
    for row in results.rows:
        table.add_row(*row)
    Console().print(table)


def record(results: Results, info: dict[str, str]) -> None:
    """Append a dated section to docs/benchmarks.md: the table plus the machine it ran on."""
    lines = [
        "",
        f"## {dt.date.today().isoformat()}: {results.section}",
        "",
        *markdown_table(results.header, results.rows),
        "",
        *(f"{note}\n" for note in results.notes),
        "Machine: " + ", ".join(f"{name} {value}" for name, value in info.items()) + ".",
        "",
    ]
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    print(f"recorded in {RESULTS.relative_to(ROOT)}: {json.dumps(results.figures)}")


def parser(
    doc: str | None, size_option: str, full: int | None, quick: int, what: str
) -> argparse.ArgumentParser:
    """The options every benchmark takes: ``-n`` (``size_option``) ``full`` ``what`` by
    default (all when ``None``), ``--quick`` for ``quick`` of them unrecorded, ``--json
    OUT``, ``--no-record``."""
    parsed = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parsed.add_argument(
        "-n", size_option, type=int, default=full, dest="size", metavar="N", help=what
    )
    parsed.add_argument(
        "--quick", action="store_true", help=f"{quick} {what}, not recorded in docs"
    )
    parsed.add_argument("--json", type=Path, metavar="OUT", help="write the figures as JSON")
    parsed.add_argument("--no-record", action="store_true", help="do not append to docs")
    return parsed


def finish(args: argparse.Namespace, results: Results, info: dict[str, str]) -> None:
    """Print the table, write ``--json``, and record unless ``--quick`` or ``--no-record``."""
    print_table(results)
    if args.json:
        payload = {"figures": results.figures}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if not (args.quick or args.no_record):
        record(results, {**info, "load average at end": load_average()})
