"""Ingest throughput: generated article pages through the real pipeline into a fresh SQLite store.

Pages are written as files first (untimed), then ``newstrace.pipeline.ingest`` runs in
this process over the folder, exactly as ``newstrace ingest FOLDER`` would, minus the
CLI's progress bar. Only that call is timed. Peak RSS is this process's high-water mark
(``ru_maxrss``), so it covers the interpreter, imports and ingest together.

The pages are invented: random combinations of made-up outlets, reporters, figures and
sentences about real places, in four page layouts (Open Graph meta, JSON-LD, bare legacy
markup with a comment thread, a long page with figures and a live-updates box) so
trafilatura sees the variety it meets in a crawl.
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
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from rich.console import Console
from rich.table import Table

from newstrace.ingest import IngestOptions
from newstrace.pipeline import ingest
from newstrace.store import open_store

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks.md"
FULL_SIZE = 10_000
QUICK_SIZE = 500
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
    "Rutba",
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
    "the Wadi Hauran valley",
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


def _upper_first(phrase: str) -> str:
    """Sentence case that keeps proper nouns ("the Syrian Democratic Forces") intact."""
    return phrase[:1].upper() + phrase[1:]


def _sentence(rng: random.Random) -> str:
    place, actor, speaker = rng.choice(PLACES), rng.choice(ACTORS), rng.choice(SPEAKERS)
    day, count = rng.choice(WEEKDAYS), rng.randint(2, 60)
    templates = (
        f"{_upper_first(actor)} attacked a checkpoint near {place} on {day}, killing {count} "
        f"people, according to {speaker}.",
        f'"We heard {rng.choice(NUMBER_WORDS)} explosions and then shooting," {speaker} said, '
        f'"and nobody could leave their homes until morning."',
        f"At least {count} people were wounded and dozens of families fled towards "
        f"{rng.choice(FEATURES)} after the fighting near {place}, {speaker} said.",
        f"{_upper_first(speaker)} said that between {count} and {count + rng.randint(5, 40)} "
        f"fighters were believed to be hiding in {rng.choice(FEATURES)} near {place}.",
        f"The attack reportedly followed a week of raids in which {actor} detained more than "
        f"{count} suspects in villages around {place}.",
        f"Residents of {place} said electricity and water had been cut for {count} hours and "
        f"that bakeries had closed on {day}.",
        f"A statement issued by {actor} on {day} said the operation would continue until "
        f"the area around {place} was secured.",
    )
    return rng.choice(templates)


def _headline(rng: random.Random, place: str) -> str:
    return f"{_upper_first(rng.choice(ACTORS))} clash near {place}"


def make_story(rng: random.Random, index: int) -> Story:
    """A story of 4 to 14 paragraphs (roughly 250 to 1,100 words)."""
    place = rng.choice(PLACES)
    outlet = rng.choice(OUTLETS)
    published = dt.datetime(2024, 1, 1, 6) + dt.timedelta(minutes=rng.randint(0, 700_000))
    paragraphs = [
        " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(4, 14))
    ]
    slug = outlet.lower().replace(" ", "")
    return Story(
        outlet=outlet,
        author=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        title=_headline(rng, place),
        published=published,
        url=f"https://{slug}.example/{published:%Y/%m/%d}/story-{index}",
        paragraphs=paragraphs,
    )


def _paras(story: Story) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)


def _chrome(rng: random.Random) -> tuple[str, str]:
    """Site furniture a real page carries around the story (head, end of body).

    Inline CSS, an analytics script, a mega menu and a footer link farm: most of the bytes
    of a real news page, and what the extractor has to parse and discard.
    """
    css = "\n".join(
        f".c{i} {{ margin: {rng.randint(0, 32)}px; color: #{rng.randrange(16**6):06x}; }}"
        for i in range(rng.randint(80, 300))
    )
    config = {f"slot_{i}": {"size": [300, 250], "id": rng.randrange(10**9)} for i in range(60)}
    menu = "".join(
        f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(rng.randint(40, 120))
    )
    links = "".join(f'<a href="/page/{i}">Page {i}</a> ' for i in range(rng.randint(30, 80)))
    head = f"<style>{css}</style><script>window.ads = {json.dumps(config)};</script>"
    body_end = f'<div class="mega-menu"><ul>{menu}</ul></div><div class="links">{links}</div>'
    return head, body_end


def _nav(rng: random.Random) -> str:
    sections = rng.sample(["Iraq", "Syria", "Gulf", "Opinion", "Video", "Economy", "Sport"], 5)
    items = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in sections)
    return f"<nav><ul>{items}</ul></nav>"


def layout_open_graph(story: Story, rng: random.Random) -> str:
    """Typical modern news page: Open Graph metadata, one <article>, heavy chrome."""
    related = "".join(
        f'<li><a href="/r/{rng.randint(1, 99999)}">{_headline(rng, rng.choice(PLACES))}</a></li>'
        for _ in range(rng.randint(2, 6))
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(story.title)} | {escape(story.outlet)}</title>
<meta name="author" content="{escape(story.author)}">
<meta property="og:site_name" content="{escape(story.outlet)}">
<meta property="og:title" content="{escape(story.title)}">
<meta property="article:published_time" content="{story.published.isoformat()}+03:00">
<link rel="canonical" href="{story.url}"></head><body>
<header><a class="logo" href="/">{escape(story.outlet)}</a>{_nav(rng)}</header>
<main><article><h1>{escape(story.title)}</h1><p class="byline">By {escape(story.author)}</p>
{_paras(story)}</article><aside><h2>Related</h2><ul>{related}</ul></aside></main>
<footer><p>&copy; {escape(story.outlet)}</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def layout_json_ld(story: Story, rng: random.Random) -> str:
    """JSON-LD NewsArticle metadata, <time> element, cookie banner and a most-read box."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": story.published.isoformat(),
        "author": {"@type": "Person", "name": story.author},
        "publisher": {"@type": "Organization", "name": story.outlet},
        "mainEntityOfPage": story.url,
    }
    most_read = "".join(f"<li>Most read story {rng.randint(1, 500)}</li>" for _ in range(5))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(story.title)}</title>
<script type="application/ld+json">{json.dumps(data)}</script>
<link rel="canonical" href="{story.url}"></head><body>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>
<div class="top">{_nav(rng)}</div>
<div class="content"><h1 class="headline">{escape(story.title)}</h1>
<div class="dateline"><span class="author">{escape(story.author)}</span>
<time datetime="{story.published:%Y-%m-%d}">{story.published:%d %B %Y}</time></div>
<div class="story-body">{_paras(story)}</div></div>
<div class="sidebar"><h3>Most read</h3><ol>{most_read}</ol></div>
<div class="footer">{escape(story.outlet)} - all rights reserved</div></body></html>"""


def layout_legacy(story: Story, rng: random.Random) -> str:
    """Old CMS markup: table layout, <meta name="date">, <br>-separated text, comments."""
    body = "<br><br>\n".join(escape(p) for p in story.paragraphs)
    comments = "".join(
        f'<div class="comment"><b>reader{rng.randint(1, 999)}</b>: This is terrible news.</div>'
        for _ in range(rng.randint(0, 8))
    )
    return f"""<html><head><title>{escape(story.title)}</title>
<meta name="date" content="{story.published:%Y-%m-%d}">
<meta name="author" content="{escape(story.author)}"></head><body>
<table width="100%"><tr><td class="menu"><a href="/">Home</a> | <a href="/archive">Archive</a></td>
</tr><tr><td id="content"><h2>{escape(story.title)}</h2>
<div class="text">{body}</div></td></tr></table>
<div id="comments"><h4>Comments</h4>{comments}</div></body></html>"""


def layout_long_form(story: Story, rng: random.Random) -> str:
    """Long page with figures, a pull quote, share buttons and a live-updates box."""
    middle = len(story.paragraphs) // 2
    updates = "".join(
        f"<li><time>{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}</time> Update posted</li>"
        for _ in range(rng.randint(3, 10))
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(story.title)}</title>
<meta property="og:site_name" content="{escape(story.outlet)}">
<meta name="article:published_time" content="{story.published:%Y-%m-%dT%H:%M:%S}Z">
<meta name="byl" content="By {escape(story.author)}"></head><body>
<div class="share"><a href="#">Share</a><a href="#">Tweet</a><a href="#">Email</a></div>
<article><header><h1>{escape(story.title)}</h1></header>
<section>{"".join(f"<p>{escape(p)}</p>" for p in story.paragraphs[:middle])}</section>
<figure><img src="/img/{rng.randint(1, 9999)}.jpg" alt="Scene of the attack">
<figcaption>Smoke rises over the town. (Photo: {escape(story.outlet)})</figcaption></figure>
<blockquote>{escape(story.paragraphs[0][:120])}</blockquote>
<section>{"".join(f"<p>{escape(p)}</p>" for p in story.paragraphs[middle:])}</section>
</article><div class="live"><h3>Live updates</h3><ul>{updates}</ul></div>
<footer>Newsletter | Podcasts | Contact</footer></body></html>"""


LAYOUTS: tuple[Callable[[Story, random.Random], str], ...] = (
    layout_open_graph,
    layout_json_ld,
    layout_legacy,
    layout_long_form,
)


def write_pages(folder: Path, count: int) -> int:
    """Write ``count`` pages; return their total size in bytes."""
    rng = random.Random(SEED)
    total = 0
    for index in range(count):
        story = make_story(rng, index)
        head, tail = _chrome(rng)
        page = LAYOUTS[index % len(LAYOUTS)](story, rng)
        page = page.replace("</head>", f"{head}</head>", 1).replace("</body>", f"{tail}</body>", 1)
        path = folder / f"page-{index:06d}.html"
        total += path.write_text(page, encoding="utf-8")
    return total


def _tenth_rates(start: float, done: list[float]) -> tuple[float, float]:
    """Throughput over the first and the last tenth of the pages (equal if nothing drifts)."""
    tenth = max(len(done) // 10, 1)
    first = tenth / (done[tenth - 1] - start)
    last = tenth / (done[-1] - done[-tenth - 1]) if len(done) > tenth else first
    return first, last


def peak_rss_mb() -> float:
    """High-water resident set of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


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
    commit = _run(["git", "rev-parse", "--short", "HEAD"]).strip() or "unknown"
    if _run(["git", "status", "--porcelain", "--untracked-files=no"]).strip():
        commit += " (with uncommitted changes)"
    return {
        "cores (nproc)": str(os.cpu_count()),
        "RAM": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "Python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "commit": commit,
        "load average at start": f"{os.getloadavg()[0]:.2f}",  # other work skews wall time
    }


def record(figures: dict[str, float], rows: dict[str, str], info: dict[str, str]) -> None:
    """Append a dated section to docs/benchmarks.md: the table plus the machine it ran on."""
    lines = [
        "",
        f"## {dt.date.today().isoformat()}: ingest, {rows['pages']} HTML pages",
        "",
        "| figure | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in rows.items()),
        "",
        "Machine: " + ", ".join(f"{name} {value}" for name, value in info.items()) + ".",
        "",
    ]
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    print(f"recorded in {RESULTS.relative_to(ROOT)}: {json.dumps(figures)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--pages", type=int, default=FULL_SIZE, help="pages to ingest")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_SIZE} pages, not recorded in docs"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures as JSON")
    parser.add_argument("--no-record", action="store_true", help="do not append to docs")
    args = parser.parse_args()
    count = QUICK_SIZE if args.quick else args.pages
    info = machine_info()

    with tempfile.TemporaryDirectory(prefix="newstrace-bench-") as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        size = write_pages(pages, count)
        rss_before = peak_rss_mb()
        store = open_store(str(Path(tmp) / "bench.db"))
        try:
            done: list[float] = []  # when each page finished, to see drift as the store grows
            start, cpu_start = time.perf_counter(), time.process_time()
            summary = ingest(
                store,
                [str(pages)],
                IngestOptions(),
                on_item=lambda _: done.append(time.perf_counter()),
            )
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        finally:
            store.close()

    figures = {"docs_per_s": round(summary.new / elapsed, 1), "peak_rss_mb": round(peak_rss_mb())}
    rows = {
        "pages": f"{count:,}",
        "mean page size": f"{size / count / 1024:.1f} KiB",
        "stored": f"{summary.new:,}",
        "problems": str(len(summary.problems)),
        "ingest time": f"{elapsed:.1f} s wall, {cpu:.1f} s CPU",
        "documents/s": f"{figures['docs_per_s']:.1f}",
        "documents per CPU-second": f"{summary.new / cpu:.1f}",
        "documents/s, first / last tenth": " / ".join(
            f"{rate:.1f}" for rate in _tenth_rates(start, done)
        ),
        "peak RSS": f"{figures['peak_rss_mb']:.0f} MiB (before ingest {rss_before:.0f} MiB)",
    }
    table = Table(title=f"newstrace ingest: {count:,} HTML pages, in-process, SQLite")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in rows.items():
        table.add_row(name, value)
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps({"figures": figures}, indent=2) + "\n", encoding="utf-8")
    if not (args.quick or args.no_record):
        record(figures, rows, info)
    return 0 if summary.new == count else 1


if __name__ == "__main__":
    sys.exit(main())
