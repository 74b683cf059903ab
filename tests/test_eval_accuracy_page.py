"""docs/accuracy.md keeps the sections other tools write into it when it is regenerated."""

from __future__ import annotations

import json
from pathlib import Path

from newstrace.evaluate.accuracy import kept_sections, main, render, with_kept_section

RUN = {
    "kind": "reference",
    "path": "expected.json",
    "rows": 2,
    "scores": {"quotes_direct": {"n": 4, "correct": 3, "value": 0.75, "ci95": None}},
    "baselines": {},
    "seconds": {"newstrace": 1.0},
}


def test_a_kept_section_goes_before_the_citations_and_is_replaced_in_place() -> None:
    page = render([RUN], "abc", "2026-01-01")
    once = with_kept_section(page, "bench", "## Bench\n\nbefore-rerun")
    assert once.index("## Bench") < once.index("## Data")
    twice = with_kept_section(once, "bench", "## Bench\n\nafter-rerun")
    assert twice.count("## Bench") == 1
    assert "after-rerun" in twice and "before-rerun" not in twice
    assert render([RUN], "abc", "2026-01-01", kept_sections(twice)) == twice


def test_regenerating_the_page_keeps_the_section(tmp_path: Path) -> None:
    run, out = tmp_path / "reference.json", tmp_path / "accuracy.md"
    run.write_text(json.dumps(RUN), "utf-8")
    main([run], commit="old", out=out)
    out.write_text(with_kept_section(out.read_text("utf-8"), "bench", "## Bench\n\nkept"), "utf-8")
    main([run], commit="new", out=out)
    page = out.read_text("utf-8")
    assert "commit `new`" in page
    block = "<!-- kept: bench -->\n## Bench\n\nkept\n<!-- /kept: bench -->\n"
    assert kept_sections(page) == [block]
