"""Load: 2,000 requests from 20 concurrent clients against ``newstrace serve``.

The ledger (10,000 documents by default) is built straight through the stores, so no
language model runs: each document has three paragraphs, each with a toll, a place on
the map, a day, an event and a quote (15 findings a document); every three documents
share a statement claim (one origin, two copies linked as reuse) and an event claim
(confirmed, or contradicted by their tolls). ``serve`` runs as a subprocess on
127.0.0.1 and httpx's async client sends the requests (document list pages, readers,
speakers and a speaker's page, search, events filtered and not, claims lists and
pages). Every response must be a 200; the p50/p95/max latencies are recorded in
docs/benchmarks.md, with each route's time for one request alone (sequential, so less
sensitive to other load on the machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from common import (
    ACTORS,
    FIRST_NAMES,
    LAST_NAMES,
    OUTLETS,
    PLACES,
    SEED,
    WEEKDAYS,
    Results,
    finish,
    machine_info,
    parser,
)
from newstrace.link.reuse import LINK_VERSION
from newstrace.records import (
    Analysis,
    ClaimCluster,
    ClaimKind,
    ClaimMember,
    ClaimSource,
    DatePrecision,
    DateSource,
    DirectionBasis,
    DocumentInput,
    DocumentReuse,
    Event,
    Figure,
    FigureClass,
    FigureDisagreement,
    FigureValue,
    Grade,
    Mention,
    PartialDate,
    Place,
    ProvenanceEdge,
    Qualifier,
    Quote,
    QuoteKind,
    Relation,
    ReuseKind,
    ReuseLink,
    Span,
    Speaker,
    SpeakerKind,
    TimeExpression,
)
from newstrace.store import open_store
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.store.links import LinkStore
from newstrace.web.speakers import speaker_ref

SPEAKERS = tuple(f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES)
EVENT_TYPES = (
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Violence against civilians", "Attack"),
)
STATEMENTS = (
    "The road to camp {index} is closed",
    "Families are leaving {place} tonight",
    "We have had no water in {place} for {count} days",
)
PARAGRAPHS = len(STATEMENTS)
GROUP = 3  # documents that share a claim
FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 730
WRITE_BATCH = 500
STARTUP_S = 60.0

Route = tuple[str, Callable[[random.Random], str]]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph's words, the values its findings carry, and where it starts."""

    at: int
    count: int
    place: str
    actor: str
    speaker: str
    day: dt.date
    kind: tuple[str, str]
    text: str


def _place_coordinates(seed: int) -> dict[str, tuple[float, float]]:
    """Invented coordinates for the bench's places (only the map needs them)."""
    rng = random.Random(seed)
    return {p: (rng.uniform(32.0, 37.0), rng.uniform(38.0, 46.0)) for p in PLACES}


def _paragraphs(rng: random.Random, index: int, published: dt.date) -> list[Paragraph]:
    found, at = [], 0
    for statement in STATEMENTS:
        count, place = rng.randint(2, 90), rng.choice(PLACES)
        actor, speaker, weekday = rng.choice(ACTORS), rng.choice(SPEAKERS), rng.choice(WEEKDAYS)
        said = statement.format(index=index, place=place, count=count)
        text = (
            f"{count} people were killed in {place} by {actor} on {weekday}.\n"
            f'"{said}," said {speaker}.\n\n'
        )
        day = published - dt.timedelta(days=rng.randint(0, 6))
        found.append(
            Paragraph(at, count, place, actor, speaker, day, rng.choice(EVENT_TYPES), text)
        )
        at += len(text)
    return found


def _words(doc_id: int, text: str, words: str, start: int) -> Mention:
    """``words`` where they first occur in ``text`` from ``start``, as a mention."""
    at = text.index(words, start)
    return Mention(words, Span(doc_id, at, at + len(words)))


def _findings(
    doc_id: int, text: str, paragraph: Paragraph, where: dict[str, tuple[float, float]]
) -> tuple[Quote, Figure, TimeExpression, Place, Event]:
    """A paragraph's quote, toll, day, place and event at their real offsets in ``text``."""
    at = paragraph.at
    opened = text.index('"', at) + 1
    content = Mention(
        text[opened : text.index('"', opened)], Span(doc_id, opened, text.index('"', opened))
    )
    name = _words(doc_id, text, paragraph.speaker, opened)
    quote = Quote(QuoteKind.DIRECT, content, Speaker(SpeakerKind.NAMED_PERSON, name, name))
    toll = _words(doc_id, text, f"{paragraph.count} people", at)
    figure = Figure(
        toll, float(paragraph.count), None, None, Qualifier.EXACT, FigureClass.KILLED, "people"
    )
    weekday = text[text.index(" on ", at) + 4 : text.index(".\n", at)]
    day = TimeExpression(
        _words(doc_id, text, weekday, at), paragraph.day, paragraph.day, DatePrecision.DAY, True
    )
    latitude, longitude = where[paragraph.place]
    country = "Iraq" if PLACES.index(paragraph.place) < 8 else "Syria"
    place = Place(
        _words(doc_id, text, paragraph.place, at),
        paragraph.place,
        latitude,
        longitude,
        "city",
        country,
        None,
        1,
        None,
        "named in the sentence",
    )
    event = Event(
        trigger=_words(doc_id, text, "killed", at),
        sentence=_words(doc_id, text, text[at : text.index("\n", at)], at),
        event_type=paragraph.kind[0],
        sub_event_type=paragraph.kind[1],
        actor1=paragraph.actor,
        actor1_mention=_words(doc_id, text, paragraph.actor, at),
        place=place,
        date=day,
        fatalities=figure,
    )
    return quote, figure, day, place, event


@dataclass(frozen=True, slots=True)
class Built:
    """What a document's claims rest on: its first paragraph's quote and event."""

    doc_id: int
    outlet: str
    published: PartialDate
    quote: Quote
    event: Event


def _statement_claim(group: list[Built]) -> ClaimCluster:
    """One origin's quote and its copies in the other documents of the group."""
    first = group[0]
    return ClaimCluster(
        key=f"s{first.doc_id}-load",
        kind=ClaimKind.STATEMENT,
        summary=f"{first.quote.speaker.name}: {first.quote.content.text}",
        members=tuple(
            ClaimMember(
                ClaimKind.STATEMENT,
                b.quote.content,
                ClaimSource(b.quote.speaker.name, SpeakerKind.NAMED_PERSON, b.quote.speaker.name),
            )
            for b in group
        ),
        edges=tuple(
            ProvenanceEdge(
                first.doc_id, b.doc_id, DirectionBasis.PUBLISHED, ReuseKind.NEAR_VERBATIM
            )
            for b in group[1:]
        ),
        origins=1,
        grade=Grade.ECHOED,
        evidence=f"{len(group)} documents, one origin",
    )


def _event_claim(group: list[Built]) -> ClaimCluster:
    """The group's first events as one happening; their tolls disagree or not."""
    first = group[0]
    sources = [ClaimSource(b.outlet, SpeakerKind.OUTLET, b.outlet) for b in group]
    tolls = [b.event.fatalities for b in group]
    values = tuple(
        FigureValue(b.doc_id, b.outlet, b.published, FigureClass.KILLED, toll, b.event.sentence, s)
        for b, toll, s in zip(group, tolls, sources, strict=True)
        if toll is not None
    )
    differ = len({v.figure.best for v in values}) > 1
    return ClaimCluster(
        key=f"e{first.doc_id}-load",
        kind=ClaimKind.EVENT,
        summary=first.event.sentence.text,
        members=tuple(
            ClaimMember(ClaimKind.EVENT, b.event.sentence, s, b.event)
            for b, s in zip(group, sources, strict=True)
        ),
        edges=(),
        origins=len(group),
        grade=Grade.CONTRADICTED if differ else Grade.CONFIRMED,
        evidence=f"{len(group)} independent origins",
        disagreements=(FigureDisagreement(FigureClass.KILLED, values, False),) if differ else (),
    )


def _reuse(origin: Built, derived: Built) -> DocumentReuse:
    link = ReuseLink(
        origin.quote.content.span, derived.quote.content.span, ReuseKind.NEAR_VERBATIM, 0.8
    )
    return DocumentReuse(
        origin.doc_id,
        derived.doc_id,
        DirectionBasis.PUBLISHED,
        Relation.PARTIALLY_DERIVED,
        0.3,
        (link,),
    )


def _no_sync(connection: Any, _record: object) -> None:
    connection.execute("PRAGMA synchronous = OFF")


def build_ledger(db: str, documents: int, seed: int = SEED) -> None:
    """``documents`` short articles with 15 findings each, their claims and their reuse."""
    rng = random.Random(seed)
    where = _place_coordinates(seed)
    store = open_store(db)
    if store.dialect == "sqlite":  # a throwaway ledger: no disk wait at its 17,000 commits
        event.listen(store.engine, "connect", _no_sync)
        store.engine.dispose()
    try:
        findings = FindingStore(store.engine)
        batch: list[Analysis] = []
        built: list[Built] = []
        for index in range(documents):
            published = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
            paragraphs = _paragraphs(rng, index, published)
            text = "".join(p.text for p in paragraphs)
            outlet = rng.choice(OUTLETS)
            date = PartialDate(published, DatePrecision.DAY)
            added = store.add(
                DocumentInput(
                    text=text,
                    source=f"synthetic/{index}.txt",
                    source_format="text",
                    title=f"Report {index}",
                    outlet=outlet,
                    published=date,
                    published_source=DateSource.MANIFEST,
                )
            )
            doc_id = added.document_id
            found = [_findings(doc_id, text, p, where) for p in paragraphs]
            quotes, figures, days, places, events = (
                tuple(column) for column in zip(*found, strict=True)
            )
            batch.append(Analysis(doc_id, True, quotes, figures, days, places, events))
            built.append(Built(doc_id, outlet, date, quotes[0], events[0]))
            if len(batch) == WRITE_BATCH:
                findings.save_all(batch, "load-test")
                batch = []
        if batch:
            findings.save_all(batch, "load-test")
        groups = [built[i : i + GROUP] for i in range(0, len(built), GROUP)]
        links = LinkStore(store.engine, LINK_VERSION)
        for group in groups:
            for derived in group[1:]:
                links.save(derived.doc_id, [], [_reuse(group[0], derived)])
        claims = [
            make(g) for g in groups if len(g) > 1 for make in (_statement_claim, _event_claim)
        ]
        ClaimStore(store.engine).replace(claims)
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


def quantile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0.5: the median) of at least one value."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100)[round(share * 100) - 1]


@dataclass(frozen=True, slots=True)
class LoadResult:
    latencies_s: list[float]
    errors: list[str]
    routes: list[str]  # the route of each latency, in the same order

    def quantile(self, share: float) -> float:
        return quantile(self.latencies_s, share)

    def of(self, route: str) -> list[float]:
        return [s for r, s in zip(self.routes, self.latencies_s, strict=True) if r == route]


def _speaker_page(rng: random.Random) -> str:
    name = rng.choice(SPEAKERS)
    words = Mention(name, Span(1, 0, len(name)))
    return f"/speakers/{speaker_ref(Speaker(SpeakerKind.NAMED_PERSON, words, words)).slug}"


def routes(documents: int) -> list[Route]:
    """What a reader does, by route: a target for each, drawn with ``rng``."""
    pages = max(1, documents // 100)
    claimed = max(1, documents // GROUP)
    return [
        ("documents list", lambda rng: f"/?page={rng.randint(1, pages)}"),
        ("document", lambda rng: f"/documents/{rng.randint(1, documents)}"),
        ("speakers", lambda rng: "/speakers"),
        ("speaker", _speaker_page),
        ("search, a name", lambda rng: f"/search?q={rng.choice(SPEAKERS).split()[1]}"),
        ("search, a camp", lambda rng: f"/search?q=camp+{rng.randint(1, documents)}"),
        ("events", lambda rng: "/events"),
        (
            "events, filtered",
            lambda rng: (
                f"/events?type={rng.choice(EVENT_TYPES)[0]}&from=2024-{rng.randint(1, 12):02d}-01"
            ),
        ),
        ("claims", lambda rng: f"/claims?page={rng.randint(1, 3)}"),
        ("claims, a grade", lambda rng: "/claims?grade=contradicted"),
        ("claim", lambda rng: f"/claims/s{1 + GROUP * rng.randrange(claimed)}-load"),
    ]


def paths(requests: int, documents: int, seed: int = SEED) -> list[tuple[str, str]]:
    """(route, target) of each request, the routes drawn alike."""
    rng = random.Random(seed)
    kinds = routes(documents)
    return [(name, make(rng)) for name, make in (rng.choice(kinds) for _ in range(requests))]


async def _load(base: str, targets: list[tuple[str, str]], clients: int) -> LoadResult:
    latencies: list[float] = []
    errors: list[str] = []
    done: list[str] = []
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for target in targets:
        queue.put_nowait(target)

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            route, target = queue.get_nowait()
            began = time.perf_counter()
            try:
                response = await http.get(target)
                if response.status_code != 200:
                    errors.append(f"{target}: HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{target}: {type(exc).__name__}")
            latencies.append(time.perf_counter() - began)
            done.append(route)

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return LoadResult(latencies, errors, done)


def run_load(base: str, requests: int, clients: int, documents: int) -> LoadResult:
    return asyncio.run(_load(base, paths(requests, documents), clients))


def alone(base: str, documents: int, each: int = 5, seed: int = SEED) -> dict[str, float]:
    """Each route's median time for one request at a time (``each`` targets a route)."""
    rng = random.Random(seed + 1)
    found: dict[str, float] = {}
    with httpx.Client(base_url=base, timeout=60) as http:
        for name, make in routes(documents):
            times = []
            for _ in range(each):
                target = make(rng)
                began = time.perf_counter()
                http.get(target).raise_for_status()
                times.append(time.perf_counter() - began)
            found[name] = statistics.median(times)
    return found


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main() -> None:
    args = parser(__doc__, "--documents", 10_000, 1_000, "documents").parse_args()
    requests, clients = 2_000, 20
    size = args.size if not args.quick else 1_000
    info = machine_info()  # the load average as the run starts
    with contextlib.ExitStack() as stack:
        db = str(Path(stack.enter_context(tempfile.TemporaryDirectory())) / "load.db")
        began = time.monotonic()
        build_ledger(db, size)
        built_s = time.monotonic() - began
        base = stack.enter_context(serving(db))
        single = alone(base, size)
        began = time.monotonic()
        result = run_load(base, requests, clients, size)
        elapsed = time.monotonic() - began
    p50, p95 = result.quantile(0.5), result.quantile(0.95)
    rows: list[tuple[str, ...]] = [
        (
            "every route",
            f"{requests:,}",
            str(len(result.errors)),
            _ms(p50),
            _ms(p95),
            _ms(max(result.latencies_s)),
            "",
        )
    ]
    for name, seconds in single.items():
        under = result.of(name)
        rows.append(
            (
                name,
                f"{len(under):,}",
                "",
                _ms(quantile(under, 0.5)) if under else "",
                _ms(quantile(under, 0.95)) if under else "",
                _ms(max(under)) if under else "",
                _ms(seconds),
            )
        )
    results = Results(
        title="serve under load",
        section=f"load, {requests:,} requests from {clients} clients, {size:,} documents",
        header=("requests to", "requests", "errors", "p50 ms", "p95 ms", "max ms", "alone ms"),
        rows=rows,
        figures={
            "p95_ms": p95 * 1000,
            "p50_ms": p50 * 1000,
            "errors": len(result.errors),
            "requests_per_s": requests / elapsed,
        },
        notes=(
            f"{requests / elapsed:.0f} requests/s. Ledger built through the stores in "
            f"{built_s:.0f} s (no language model): 15 findings a document, a statement and "
            f"an event claim every {GROUP} documents. 'alone ms': the median of 5 requests "
            "to the route one at a time, before the load.",
        ),
    )
    finish(args, results, info)


if __name__ == "__main__":
    main()
