"""Concurrent linking: two ``analyze`` processes whose documents copy each other.

Each process links its own share of a corpus in which every copy pair straddles the two
shares. A linker compares a document with the documents linked before it; if both
processes linked at once, each would miss the other's documents (and the first one's
later writes would replace the pairs the second found). One process links at a time
(``store.links.one_linker``), so the ledger ends up with exactly the pairs one process
alone stores, on SQLite and on PostgreSQL.

The runs are the real command in forked processes; events force the worst order: the
first process analyses its share, reads what it has to link and builds its index, then
the second ingests, analyses and links its share (and the first's, still pending) and
ends, and only then does the first write its links, replacing the pairs of its
documents. Without the lock that loses every pair between the shares.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from newstrace.link.embed import embed
from newstrace.nlp.pipeline import parse
from newstrace.pipeline import link_pending
from newstrace.store import open_store
from newstrace.store.check import check_database
from newstrace.store.database import database_url, make_engine
from newstrace.store.documents import content_hash
from newstrace.store.links import LinkerBusy, LinkStore, one_linker
from newstrace.store.schema import DocumentRow, ReuseLinkRow, ReusePairRow
from tests.conftest import CliRun
from tests.reliability import FORK, _analyze, report, start_analyze

COPIES = 4  # copy pairs each way between the two shares
FIRST_HOLDS_S = 20.0  # with the lock the first waits this long for the second, in vain
STEP_TIMEOUT_S = 300.0


def write_shares(tmp_path: Path) -> tuple[Path, Path, set[frozenset[str]]]:
    """Two folders of reports; report ``i + 2 * COPIES`` ends with report ``i``'s quote,
    and each pair has one report in each folder (copied from either side); the pairs as
    content hashes."""
    rng = random.Random(19)
    texts = [report(i, rng) for i in range(4 * COPIES)]
    for i in range(2 * COPIES):
        texts[i + 2 * COPIES] += "\n" + texts[i].split("\n\n")[2]
    first, second = tmp_path / "first", tmp_path / "second"
    for index, text in enumerate(texts):
        # first: 0..3 and 12..15; second: 4..11; so pairs (0, 8) .. (7, 15) straddle.
        folder = first if index < COPIES or index >= 3 * COPIES else second
        folder.mkdir(exist_ok=True)
        (folder / f"report-{index:02d}.txt").write_text(text, encoding="utf-8")
    hashes = [content_hash(text) for text in texts]
    return first, second, {frozenset(hashes[i :: 2 * COPIES]) for i in range(2 * COPIES)}


def stored_pairs(db: str) -> Counter[tuple[frozenset[str], int]]:
    """Each reuse pair as its two documents' content hashes (ids differ between runs,
    and so may an undetermined direction), with its number of links."""
    engine = make_engine(database_url(db))
    try:
        with engine.connect() as conn:
            hashes = dict(conn.execute(select(DocumentRow.id, DocumentRow.content_hash)).all())
            links = dict(
                conn.execute(
                    select(ReuseLinkRow.pair_id, func.count()).group_by(ReuseLinkRow.pair_id)
                ).all()
            )
            pairs = conn.execute(
                select(ReusePairRow.id, ReusePairRow.origin_id, ReusePairRow.derived_id)
            )
            return Counter(
                (frozenset({hashes[origin], hashes[derived]}), links.get(pair, 0))
                for pair, origin, derived in pairs
            )
    finally:
        engine.dispose()


def _in_turn(
    db: str, share: str, first: bool, first_has_read: Event, second_has_ended: Event
) -> None:
    """The child: ``newstrace analyze SHARE`` with the order forced (see the module)."""
    if first:
        signatures, save = LinkStore.signatures, LinkStore.save

        def read_then_tell(self: LinkStore) -> Iterator[tuple[int, bytes]]:
            yield from signatures(self)  # the index is built after the pending list is read
            first_has_read.set()

        def save_after_second(self: LinkStore, *args: Any) -> None:
            second_has_ended.wait(FIRST_HOLDS_S)
            second_has_ended.set()  # waited once: the later saves go straight on
            save(self, *args)

        LinkStore.signatures = read_then_tell  # type: ignore[method-assign]
        LinkStore.save = save_after_second  # type: ignore[method-assign,assignment]
    else:
        first_has_read.wait(STEP_TIMEOUT_S)
    _analyze(db, [share], ("--workers", "1"))


@pytest.mark.slow
def test_two_processes_linking_at_once_store_every_pair(tmp_path: Path, any_db: str) -> None:
    first, second, copies = write_shares(tmp_path)
    parse("The model is loaded before forking.")
    embed(["The embedding model too, so each run links at once."])
    reference = str(tmp_path / "alone.db")
    alone = start_analyze(reference, [str(first), str(second)], "--workers", "1")
    alone.join()
    assert alone.exitcode == 0
    expected = stored_pairs(reference)
    assert copies <= {documents for documents, _ in expected}  # every copy found

    first_has_read, second_has_ended = FORK.Event(), FORK.Event()
    runs = [
        FORK.Process(
            target=_in_turn,
            args=(any_db, str(share), share is first, first_has_read, second_has_ended),
            daemon=True,
        )
        for share in (first, second)
    ]
    for run in runs:
        run.start()
    runs[1].join(STEP_TIMEOUT_S)
    second_has_ended.set()
    runs[0].join(STEP_TIMEOUT_S)
    assert [run.exitcode for run in runs] == [0, 0]

    assert stored_pairs(any_db) == expected
    assert check_database(any_db).problems == []


def test_a_second_linker_waits_then_gives_up_in_one_line(
    tmp_path: Path, any_db: str, cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("newstrace.store.links.LINK_WAIT_S", 0.5)
    text = "Two soldiers were killed at a checkpoint on Monday, the army said.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    store = open_store(any_db)
    try:
        with one_linker(store.engine):
            result = cli("analyze", str(tmp_path / "a.txt"), "--db", any_db, "--workers", "1")
            assert result.exit_code == 1
            assert result.stderr.count("\n") == 1, result.stderr
            assert "another process has been linking this ledger" in result.stderr
            with pytest.raises(LinkerBusy):
                link_pending(store)
        assert link_pending(store) == 1  # released: the waiting document is linked
    finally:
        store.close()
