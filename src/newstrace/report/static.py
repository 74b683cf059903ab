"""Write the ledger as a folder of static HTML pages (no server needed).

All article text and metadata are untrusted: templates are rendered with
autoescaping on, so markup in an article shows as text and never runs.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from newstrace.store import DocumentStore


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("newstrace.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_report(store: DocumentStore, out: Path) -> Path:
    """Write ``index.html`` and one page per document into ``out``; return the index path."""
    env = _environment()
    docs_dir = out / "documents"
    docs_dir.mkdir(parents=True, exist_ok=True)
    summaries = []
    for doc in store.documents():
        (docs_dir / f"{doc.id}.html").write_text(
            env.get_template("document.html").render(doc=doc), encoding="utf-8"
        )
        summaries.append(doc)
    index = out / "index.html"
    index.write_text(env.get_template("index.html").render(documents=summaries), encoding="utf-8")
    return index
