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

import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from html import escape
from pathlib import Path

from common import (
    PLACES,
    SEED,
    Results,
    Story,
    finish,
    headline,
    machine_info,
    make_story,
    parser,
    peak_rss_mb,
)
from newstrace.ingest import IngestOptions
from newstrace.pipeline import ingest
from newstrace.store import open_store

FULL_SIZE = 10_000
QUICK_SIZE = 500


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
        f'<li><a href="/r/{rng.randint(1, 99999)}">{headline(rng, rng.choice(PLACES))}</a></li>'
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


def main() -> int:
    args = parser(__doc__, "--pages", FULL_SIZE, QUICK_SIZE, "pages to ingest").parse_args()
    count = QUICK_SIZE if args.quick else args.size
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
    results = Results(
        title=f"newstrace ingest: {count:,} HTML pages, in-process, SQLite",
        section=f"ingest, {count:,} HTML pages",
        header=("figure", "value"),
        rows=list(rows.items()),
        figures=figures,
    )
    finish(args, results, info)
    return 0 if summary.new == count else 1


if __name__ == "__main__":
    sys.exit(main())
