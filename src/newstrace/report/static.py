"""Write the ledger as a folder of static HTML pages (no server needed).

The pages are the web UI's views (``newstrace.web``) rendered to files: the same
templates and stylesheet, with file links, the CSS inlined and no script at all. All
article text and metadata are untrusted: the templates autoescape, so markup in an
article shows as text and never runs.
"""

from __future__ import annotations

from pathlib import Path

from newstrace.store import DocumentStore
from newstrace.web import ledger
from newstrace.web.pages import Pages


def write_report(store: DocumentStore, out: Path) -> Path:
    """Write ``index.html``, a reader page per document and the speaker pages into ``out``.

    Returns the index path.
    """
    pages = Pages(static_site=True)
    docs_dir, speakers_dir = out / "documents", out / "speakers"
    docs_dir.mkdir(parents=True, exist_ok=True)
    speakers_dir.mkdir(exist_ok=True)
    summaries = ledger.document_summaries(store)
    for summary in summaries:
        view = ledger.reader(store, summary.id)
        (docs_dir / f"{summary.id}.html").write_text(
            pages.render("document.html", root="../", section="documents", r=view),
            encoding="utf-8",
        )
    docs = {d.id: d for d in summaries}
    speakers = ledger.speakers(store)
    for found in speakers:
        (speakers_dir / f"{found.slug}.html").write_text(
            pages.render("speaker.html", root="../", section="speakers", s=found, docs=docs),
            encoding="utf-8",
        )
    (speakers_dir / "index.html").write_text(
        pages.render("speakers.html", root="../", section="speakers", speakers=speakers),
        encoding="utf-8",
    )
    index = out / "index.html"
    index.write_text(
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
        encoding="utf-8",
    )
    return index
