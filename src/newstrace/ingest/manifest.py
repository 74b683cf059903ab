"""Manifests (CSV or YAML) that state per-file metadata a user knows: outlet, URL, date..."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from newstrace.ingest.errors import IngestError
from newstrace.ingest.published import parse_published
from newstrace.records import DateSource, DocumentInput

FIELDS = ("outlet", "url", "title", "byline", "published")


@dataclass(slots=True)
class Manifest:
    """Metadata per file, keyed by path relative to the manifest's folder."""

    folder: Path
    source: Path | None = None  # the manifest file itself, never ingested as an article
    entries: dict[str, dict[str, str]] = field(default_factory=dict)

    def lookup(self, path: Path) -> dict[str, str] | None:
        try:
            key = path.resolve().relative_to(self.folder.resolve()).as_posix()
        except ValueError:
            key = path.name
        return self.entries.get(key) or self.entries.get(path.name)

    def apply(self, doc: DocumentInput, path: Path) -> None:
        """Overwrite what the reader found with what the user stated."""
        entry = self.lookup(path)
        if not entry:
            return
        for name in ("outlet", "url", "title", "byline"):
            if entry.get(name):
                setattr(doc, name, entry[name])
        if entry.get("published"):
            parsed = parse_published(entry["published"])
            if parsed is None:
                doc.warnings.append(f"manifest date {entry['published']!r} unreadable; ignored")
            else:
                doc.published, doc.published_source = parsed, DateSource.MANIFEST


def _clean(raw: dict[object, object]) -> dict[str, str]:
    return {
        str(k): str(v).strip() for k, v in raw.items() if str(k) in FIELDS and v not in (None, "")
    }


def load_manifest(path: Path) -> Manifest:
    """Read a CSV (header ``file,outlet,...``) or YAML (list or mapping) manifest."""
    try:
        raw_text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path}: cannot read manifest ({exc.__class__.__name__})") from exc
    manifest = Manifest(path.parent, path)
    if path.suffix.lower() == ".csv":
        for row in csv.DictReader(raw_text.splitlines()):
            if row.get("file"):
                manifest.entries[row["file"].strip()] = _clean(dict(row))
        return manifest
    try:
        data = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        raise IngestError(f"{path}: invalid YAML manifest") from exc
    if isinstance(data, dict) and isinstance(data.get("files"), list | dict):
        data = data["files"]
    if isinstance(data, dict):
        items = [{"file": k, **(v or {})} for k, v in data.items() if isinstance(v, dict | None)]
    elif isinstance(data, list):
        items = [item for item in data if isinstance(item, dict)]
    else:
        raise IngestError(f"{path}: manifest must be a list or mapping of files")
    for item in items:
        if item.get("file"):
            manifest.entries[str(item["file"]).strip()] = _clean(item)
    return manifest
