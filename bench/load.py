"""Load: 2,000 requests from 20 concurrent clients against ``newstrace serve``.

The ledger (10,000 documents by default) is built straight through the stores, each
document with a few synthetic findings, so no language model runs; ``serve`` runs as a
subprocess on 127.0.0.1 and httpx's async client sends the requests (document list
pages, readers, speakers, search). Every response must be a 200; the p50/p95/max
latencies are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from common import OUTLETS, SEED, Results, finish, machine_info, parser
from newstrace.records import (
    Analysis,
    DocumentInput,
    Figure,
    FigureClass,
    Mention,
    Qualifier,
    Quote,
    QuoteKind,
    Span,
    Speaker,
    SpeakerKind,
)
from newstrace.store import open_store
from newstrace.store.findings import FindingStore

SPEAKERS = ("Amina Farouk", "Daniel Osei", "Leila Haddad", "Tomas Rivera", "Yusuf Kamara")
WRITE_BATCH = 500
STARTUP_S = 60.0


def _findings(doc_id: int, text: str, speaker: str) -> Analysis:
    """A quote and a toll at their real offsets in ``text``."""
    said = text.index('"') + 1
    content = Mention(text[said : text.index('"', said)], Span(doc_id, said, text.index('"', said)))
    name_at = text.index(speaker)
    name = Mention(speaker, Span(doc_id, name_at, name_at + len(speaker)))
    toll_end = text.index(" people")
    figure = Figure(
        Mention(text[:toll_end], Span(doc_id, 0, toll_end)),
        float(text[:toll_end]),
        None,
        None,
        Qualifier.EXACT,
        FigureClass.KILLED,
        "people",
        False,
        "",
    )
    quote = Quote(QuoteKind.DIRECT, content, Speaker(SpeakerKind.NAMED_PERSON, name, name))
    return Analysis(doc_id, True, quotes=(quote,), figures=(figure,))


def build_ledger(db: str, documents: int, seed: int = SEED) -> None:
    """``documents`` short articles with a quote and a toll each, written in batches."""
    rng = random.Random(seed)
    store = open_store(db)
    try:
        findings = FindingStore(store.engine)
        batch: list[Analysis] = []
        for index in range(documents):
            speaker = rng.choice(SPEAKERS)
            text = (
                f"{rng.randint(2, 90)} people were killed in district {index}, officials "
                f'said.\n\n"The road to camp {index} is closed," said {speaker}.\n'
            )
            added = store.add(
                DocumentInput(
                    text=text,
                    source=f"synthetic/{index}.txt",
                    source_format="text",
                    title=f"Report {index}",
                    outlet=rng.choice(OUTLETS),
                )
            )
            batch.append(_findings(added.document_id, text, speaker))
            if len(batch) == WRITE_BATCH:
                findings.save_all(batch, "load-test")
                batch = []
        if batch:
            findings.save_all(batch, "load-test")
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(db: str) -> Iterator[str]:
    """``newstrace serve`` in a subprocess; its base URL once it answers."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "newstrace"), "serve", "--db", db]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if server.poll() is not None:
                raise RuntimeError(
                    f"serve exited: {server.stderr.read().decode() if server.stderr else ''}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/favicon.ico", timeout=1).status_code == 204:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(10)


@dataclass(frozen=True, slots=True)
class LoadResult:
    latencies_s: list[float]
    errors: list[str]

    def quantile(self, share: float) -> float:
        return statistics.quantiles(self.latencies_s, n=100)[round(share * 100) - 1]


def paths(requests: int, documents: int, seed: int = SEED) -> list[str]:
    """What a reader does: list pages, documents, speakers, searches."""
    rng = random.Random(seed)
    kinds = [
        lambda: f"/?page={rng.randint(1, max(1, documents // 100))}",
        lambda: f"/documents/{rng.randint(1, documents)}",
        lambda: "/speakers",
        lambda: f"/search?q={rng.choice(SPEAKERS).split()[1]}",
        lambda: f"/search?q=camp+{rng.randint(1, documents)}",
    ]
    return [rng.choice(kinds)() for _ in range(requests)]


async def _load(base: str, targets: list[str], clients: int) -> LoadResult:
    latencies: list[float] = []
    errors: list[str] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for target in targets:
        queue.put_nowait(target)

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            target = queue.get_nowait()
            began = time.perf_counter()
            try:
                response = await http.get(target)
                if response.status_code != 200:
                    errors.append(f"{target}: HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{target}: {type(exc).__name__}")
            latencies.append(time.perf_counter() - began)

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return LoadResult(latencies, errors)


def run_load(base: str, requests: int, clients: int, documents: int) -> LoadResult:
    return asyncio.run(_load(base, paths(requests, documents), clients))


def main() -> None:
    args = parser(__doc__, "--documents", 10_000, 1_000, "documents").parse_args()
    requests, clients = 2_000, 20
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(__import__("tempfile").TemporaryDirectory()))
        db = str(folder / "load.db")
        began = time.monotonic()
        build_ledger(db, args.size if not args.quick else 1_000)
        built_s = time.monotonic() - began
        base = stack.enter_context(serving(db))
        began = time.monotonic()
        result = run_load(base, requests, clients, args.size)
        elapsed = time.monotonic() - began
    p50, p95 = result.quantile(0.5), result.quantile(0.95)
    results = Results(
        title="serve under load",
        section=f"load, {requests:,} requests from {clients} clients, {args.size:,} documents",
        header=("requests", "clients", "errors", "p50 ms", "p95 ms", "max ms", "req/s"),
        rows=[
            (
                f"{requests:,}",
                str(clients),
                str(len(result.errors)),
                f"{p50 * 1000:.0f}",
                f"{p95 * 1000:.0f}",
                f"{max(result.latencies_s) * 1000:.0f}",
                f"{requests / elapsed:.0f}",
            )
        ],
        figures={"p95_ms": p95 * 1000, "p50_ms": p50 * 1000, "errors": len(result.errors)},
        notes=(f"Ledger built through the stores in {built_s:.0f} s (no language model).",),
    )
    finish(args, results, machine_info())


if __name__ == "__main__":
    main()
