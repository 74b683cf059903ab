"""The bundled demo corpus ingests completely, with the metadata its files state.

Expectations are read from the manifest and the files themselves (with parsing kept
deliberately simpler than the readers'), so editing an article updates the test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import yaml

from newstrace.ingest import IngestOptions
from newstrace.ingest.manifest import load_manifest
from newstrace.pipeline import ingest
from newstrace.store import DocumentStore
from tests.conftest import PROJECT_ROOT

DEMO = PROJECT_ROOT / "examples" / "demo"
ARTICLES = DEMO / "articles"
MANIFEST = DEMO / "manifest.yaml"
UNDATED = "khabour-herald-undated-landmines.txt"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
# A "By ..." line or a role line such as "Our Damascus Correspondent".
_BYLINE = re.compile(r"^(?:By (?P<by>.+)|(?P<role>Our \w+ Correspondent))$", re.MULTILINE)
_DATELINE = re.compile(r"^[A-Z][A-Z ]+, ([A-Z]{3} \d{1,2}, \d{4}) - ", re.MULTILINE)


@dataclass(frozen=True)
class Expected:
    source: str  # as the readers name it: file name, plus #entryN or :line
    outlet: str
    published: str | None
    byline: str | None


def _meta(html: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]+)"', html)
    return match.group(1) if match else None


def _html_expected(html: str, source: str) -> Expected:
    published = _meta(html, "article:published_time")
    outlet = _meta(html, "og:site_name")
    assert outlet, f"{source}: demo pages state og:site_name"
    return Expected(source, outlet, published[:10] if published else None, _meta(html, "author"))


def _text_expected(text: str, source: str, entry: dict[str, str]) -> Expected:
    dateline = _DATELINE.search(text)
    published = entry.get("published") or (
        dt.datetime.strptime(dateline.group(1), "%b %d, %Y").date().isoformat()
        if dateline
        else None
    )
    byline = _BYLINE.search(text)
    who = (byline.group("by") or byline.group("role")) if byline else None
    return Expected(source, entry["outlet"], published, who)


def _expected_documents() -> list[Expected]:
    """What every file in the demo states about each article it holds."""
    manifest: dict[str, dict[str, str]] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    expected: list[Expected] = []
    for path in sorted(ARTICLES.iterdir()):
        content = path.read_text(encoding="utf-8")
        if path.suffix == ".txt":
            entry = manifest[path.relative_to(DEMO).as_posix()]
            expected.append(_text_expected(content, path.name, entry))
        elif path.suffix == ".html":
            expected.append(_html_expected(content, path.name))
        elif path.suffix == ".xml":
            channel = ET.fromstring(content).find("channel")
            assert channel is not None
            for index, item in enumerate(channel.iter("item"), start=1):
                published = parsedate_to_datetime(item.findtext("pubDate", "")).date()
                expected.append(
                    Expected(
                        f"{path.name}#entry{index}",
                        channel.findtext("title", ""),
                        published.isoformat(),
                        item.findtext(DC_CREATOR),
                    )
                )
        elif path.suffix == ".jsonl":
            for number, line in enumerate(content.splitlines(), start=1):
                record = json.loads(line)
                source = f"{path.name}:{number}"
                if "text" in record:
                    found = _text_expected(record["text"], source, record)
                else:
                    found = _html_expected(record["html"], source)
                expected.append(found)
        else:
            pytest.fail(f"unexpected file in the demo corpus: {path.name}")
    return expected


def test_demo_corpus_ingests_completely(store: DocumentStore) -> None:
    expected = _expected_documents()
    assert len(expected) == 10
    summary = ingest(store, [str(ARTICLES)], IngestOptions(manifest=load_manifest(MANIFEST)))
    assert summary.problems == []
    assert summary.new == len(expected)
    assert store.warnings() == []
    stored = {Path(doc.source).name: doc for doc in store.documents()}
    assert sorted(stored) == sorted(e.source for e in expected)
    for want in expected:
        doc = stored[want.source]
        assert doc.title, want.source
        assert doc.outlet == want.outlet, want.source
        assert doc.byline == want.byline, want.source
        if want.published is None:
            assert doc.published is None, f"{want.source}: a date was invented"
        else:
            assert doc.published is not None, want.source
            assert doc.published.iso() == want.published, want.source
            assert doc.published.precision == "day", want.source
    undated = {e.source for e in expected if e.published is None}
    assert undated == {UNDATED}
