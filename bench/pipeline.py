"""Analysis throughput: spaCy alone vs newstrace's full per-document pipeline, words/s.

The same invented plain-text articles (300 to 600 words; the story generator the ingest
benchmark uses) go through both, article by article and interleaved, so that load from
other work on the machine falls on both sides alike:

* **spaCy alone** is ``newstrace.nlp.pipeline.parse``: the small English model with
  newstrace's two components, reached the way ``analyze_text`` reaches it.
* **the pipeline** is ``newstrace.analysis.analyze_text``, which parses again and runs
  every stage.
* **claim-sentence embeddings** (``newstrace.link.paraphrase.claim_vectors``): the
  paraphrase stage's per-document half, which ``analyze`` runs with the stages since it
  moved there from linking (docs/scaling.md); timed apart, and added to the pipeline in
  a second ratio, so the extraction ratio stays comparable with earlier runs.

Each stage function is also timed on its own over the doc that ``parse`` returned, for
the split. A stage that first builds a per-doc index (sentences, token offsets) pays for
it there; the stages after it reuse it. The stage list mirrors ``analyze_text``: the
"other" row (pipeline minus the stages) shows when the two drift apart.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from common import SEED, Results, finish, machine_info, make_story, parser, peak_rss_mb
from newstrace.analysis import analyze_text
from newstrace.extract.attribution import extract_quotes
from newstrace.extract.dates import extract_times
from newstrace.extract.events import extract_events
from newstrace.extract.figures import extract_figures
from newstrace.extract.places import locate_places
from newstrace.link.paraphrase import claim_vectors
from newstrace.nlp.language import is_english
from newstrace.nlp.pipeline import parse
from newstrace.records import DatePrecision, PartialDate

FULL_SIZE = 2_000
QUICK_SIZE = 100
WORDS = (300, 600)  # article length; generated stories outside it are skipped
PARAGRAPHS = (5, 8)  # most stories of this many paragraphs fall within WORDS
FINDINGS = ("quotes", "figures", "times", "places", "events")  # what run_once counts
SPACY = "spaCy: parse"
PIPELINE = "analyze_text (full pipeline)"
EMBEDDINGS = "claim-sentence embeddings"
STAGES = ("language check", *FINDINGS)


@dataclass(frozen=True, slots=True)
class Article:
    text: str
    published: PartialDate
    words: int


def articles(count: int) -> list[Article]:
    """``count`` plain-text articles: headline, blank line, paragraphs apart."""
    rng = random.Random(SEED)
    found: list[Article] = []
    index = 0
    while len(found) < count:
        story = make_story(rng, index, PARAGRAPHS)
        index += 1
        text = "\n\n".join([story.title, *story.paragraphs])
        words = len(text.split())
        if WORDS[0] <= words <= WORDS[1]:
            published = PartialDate(story.published.date(), DatePrecision.DAY)
            found.append(Article(text, published, words))
    return found


@dataclass(slots=True)
class Stopwatch:
    """Wall and CPU seconds summed per step."""

    wall: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall[step] += time.perf_counter() - wall
        self.cpu[step] += time.process_time() - cpu


def run_once(article: Article, watch: Stopwatch) -> tuple[int, ...]:
    """Time one article both ways; how many of each finding the stages made."""
    with watch("language check"):
        is_english(article.text)
    with watch(SPACY):
        doc = parse(article.text)
    with watch("quotes"):
        quotes = extract_quotes(doc, 0, ())
    with watch("figures"):
        figures = extract_figures(doc, 0)
    with watch("times"):
        times = extract_times(doc, article.published, 0)
    with watch("places"):
        places = locate_places(doc, 0)
    with watch("events"):
        events = extract_events(
            doc,
            0,
            places=places,
            figures=figures,
            times=times,
            quotes=quotes,
            published=article.published,
        )
    with watch(PIPELINE):
        analysis = analyze_text(article.text, published=article.published)
    with watch(EMBEDDINGS):
        claim_vectors(article.text, analysis)
    return len(quotes), len(figures), len(times), len(places), len(events)


def measure(batch: list[Article]) -> tuple[Stopwatch, list[int]]:
    """Warm every stage up on the first article (untimed), then time the batch."""
    run_once(batch[0], Stopwatch())
    watch = Stopwatch()
    found = [0] * len(FINDINGS)
    for article in batch:
        for index, count in enumerate(run_once(article, watch)):
            found[index] += count
    return watch, found


def results(batch: list[Article], watch: Stopwatch, found: list[int]) -> Results:
    words = sum(a.words for a in batch)
    spacy = watch.wall[SPACY]
    stages = spacy + sum(watch.wall[s] for s in STAGES)
    attribution = spacy + watch.wall["quotes"]
    figures = {
        "spacy_words_per_s": round(words / spacy, 1),
        "pipeline_words_per_s": round(words / watch.wall[PIPELINE], 1),
        "ratio": round(watch.wall[PIPELINE] / spacy, 3),
        "attribution_ratio": round(attribution / spacy, 3),
        "ratio_with_embeddings": round((watch.wall[PIPELINE] + watch.wall[EMBEDDINGS]) / spacy, 3),
    }

    def row(step: str, wall: float, cpu: float | None = None) -> tuple[str, ...]:
        shown_cpu = "" if cpu is None else f"{cpu:.1f}"
        return (step, f"{wall:.1f}", shown_cpu, f"{words / wall:,.0f}", f"{wall / spacy:.3f}")

    rows = [row(step, watch.wall[step], watch.cpu[step]) for step in (SPACY, *STAGES)]
    rows += [
        row("spaCy + quotes (attribution alone)", attribution),
        row("spaCy + every stage, summed", stages),
        row(PIPELINE, watch.wall[PIPELINE], watch.cpu[PIPELINE]),
        ("other (pipeline minus the stages)", f"{watch.wall[PIPELINE] - stages:.1f}", "", "", ""),
        row(EMBEDDINGS, watch.wall[EMBEDDINGS], watch.cpu[EMBEDDINGS]),
        row(f"{PIPELINE} + {EMBEDDINGS}", watch.wall[PIPELINE] + watch.wall[EMBEDDINGS]),
    ]
    cpu_ratio = watch.cpu[PIPELINE] / watch.cpu[SPACY]
    notes = (
        f"{len(batch):,} articles, {words:,} words ({words / len(batch):.0f} per article); found "
        + ", ".join(f"{count:,} {name}" for name, count in zip(FINDINGS, found, strict=True))
        + ".",
        f"Pipeline / spaCy time: {figures['ratio']:.2f} wall, {cpu_ratio:.2f} CPU "
        f"(target ≤ 1.5); attribution alone {figures['attribution_ratio']:.2f} (target ≤ 1.3). "
        f"With the claim-sentence embeddings analyze now makes (paraphrase's per-document "
        f"half, formerly linking's): {figures['ratio_with_embeddings']:.2f}. "
        f"Peak RSS {peak_rss_mb():.0f} MiB.",
    )
    return Results(
        title=f"newstrace analysis: {len(batch):,} plain-text articles, words per second",
        section=f"pipeline, {len(batch):,} plain-text articles",
        header=("step", "wall s", "CPU s", "words/s (wall)", "× spaCy time"),
        rows=rows,
        figures=figures,
        notes=notes,
    )


def main() -> int:
    args = parser(__doc__, "--articles", FULL_SIZE, QUICK_SIZE, "articles to analyse").parse_args()
    info = machine_info()
    batch = articles(QUICK_SIZE if args.quick else args.size)
    watch, found = measure(batch)
    finish(args, results(batch, watch, found), info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
