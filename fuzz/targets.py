"""Atheris fuzz targets for the readers of untrusted bytes: HTML, RSS/Atom, WARC.

Run one with ``python fuzz/targets.py html -max_total_time=60`` (``make fuzz`` runs
each for a bounded time). A target fails only when an exception other than the
reader's own refusal (:class:`IngestError`) escapes; libFuzzer then writes the input
to ``crash-*``, which becomes a regression test in ``tests/test_properties.py``.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable

import atheris

with atheris.instrument_imports():
    from newstrace.ingest.errors import IngestError, Problem
    from newstrace.ingest.feed import read_feed
    from newstrace.ingest.html import read_html_bytes
    from newstrace.ingest.warc import read_warc

MAX_RECORD_BYTES = 1024 * 1024


def html(data: bytes) -> None:
    read_html_bytes(data, "fuzz.html")


def feed(data: bytes) -> None:
    for item in read_feed(data, "fuzz.xml"):
        assert isinstance(item, Problem) or item.text


def warc(data: bytes) -> None:
    for item in read_warc(io.BytesIO(data), "fuzz.warc", MAX_RECORD_BYTES):
        assert isinstance(item, Problem) or item.text


TARGETS: dict[str, Callable[[bytes], None]] = {"html": html, "feed": feed, "warc": warc}


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in TARGETS:
        raise SystemExit(f"usage: targets.py {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[name]

    def run(data: bytes) -> None:
        # A refusal (shown to the user as one line) is the expected outcome.
        with contextlib.suppress(IngestError):
            target(data)

    atheris.Setup([sys.argv[0], *sys.argv[2:]], run)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
