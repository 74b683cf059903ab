"""Write the ledger as a folder of static HTML pages (no server needed).

The pages are the web UI's views (``newstrace.web``) rendered to files: the same
templates and stylesheet, with file links and the CSS inlined. Only the events page runs
script (the map: Leaflet and the country borders, copied into ``static/`` so the folder
needs no network); every other page runs none. All article text and metadata are
untrusted: the templates autoescape, so markup in an article shows as text and never runs.
"""

from __future__ import annotations

import shutil
from importlib.resources import as_file
from pathlib import Path

from newstrace.store import DocumentStore
from newstrace.web import claims as claim_view
from newstrace.web import events, ledger
from newstrace.web import speakers as speaker_view
from newstrace.web.pages import COUNTRIES_SCRIPT, STATIC, Pages, countries_script

Docs = dict[int, ledger.DocumentSummary]


def _copy_map_files(out: Path) -> None:
    """The map's scripts and styles, and the country borders as a script a file:// page loads."""
    static = out / "static"
    static.mkdir(parents=True, exist_ok=True)
    with as_file(STATIC) as source:
        shutil.copy2(source / "map.js", static / "map.js")
        shutil.copytree(source / "vendor", static / "vendor", dirs_exist_ok=True)
    (static / COUNTRIES_SCRIPT).write_text(countries_script(), encoding="utf-8")


def _write(path: Path, page: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


def _speakers(store: DocumentStore, pages: Pages, out: Path, docs: Docs) -> None:
    speakers = speaker_view.speakers(store)
    for found in speakers:
        quotes = speaker_view.speaker_quotes(store, found)
        _write(
            out / "speakers" / f"{found.slug}.html",
            pages.render(
                "speaker.html", root="../", section="speakers", s=found, quotes=quotes, docs=docs
            ),
        )
    _write(
        out / "speakers" / "index.html",
        pages.render("speakers.html", root="../", section="speakers", speakers=speakers),
    )


def _claims(store: DocumentStore, pages: Pages, out: Path) -> None:
    found = claim_view.claim_list(store, None)
    anchors = claim_view.Anchors(store)
    for cluster in found.clusters:
        view = claim_view.claim_view(store, cluster, anchors)
        drawn = claim_view.graph(view, pages.links("../").document)
        _write(
            out / "claims" / f"{cluster.key}.html",
            pages.render("claim.html", root="../", section="claims", v=view, drawn=drawn),
        )
    _write(
        out / "claims" / "index.html",
        pages.render(
            "claims.html", root="../", section="claims", found=found, grades=claim_view.GRADES
        ),
    )


def _events(store: DocumentStore, pages: Pages, out: Path) -> None:
    _copy_map_files(out)
    shown = events.page(store, events.EventFilter(), pages.links("").document)
    _write(out / "events.html", pages.render("events.html", root="", section="events", **shown))


def write_report(store: DocumentStore, out: Path) -> Path:
    """Write ``index.html``, a reader page per document, the events page, the claims and
    the speaker pages into ``out``.

    Returns the index path.
    """
    pages = Pages(static_site=True)
    summaries = ledger.document_summaries(store)
    for summary in summaries:
        view = ledger.reader(store, summary.id)
        _write(
            out / "documents" / f"{summary.id}.html",
            pages.render("document.html", root="../", section="documents", r=view),
        )
    _speakers(store, pages, out, {d.id: d for d in summaries})
    _claims(store, pages, out)
    _events(store, pages, out)
    index = out / "index.html"
    _write(
        index,
        pages.render(
            "documents.html",
            root="",
            section="documents",
            documents=summaries,
            kinds=ledger.KINDS,
            total=len(summaries),
            page=1,
            pages=1,
        ),
    )
    return index
