"""Helpers of the reliability tests: a synthetic corpus, forked ``analyze`` runs, and
what a ledger holds per document.

The corpus is made from a seed:
short reports with what the stages look for (an attributed quote, a toll, a day, a
place) around words drawn at random from the language model's vocabulary, so two
reports are rarely alike by chance (the reuse linker has little to compare); every
fifth report copies the quote of an earlier one word for word, so it has some.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from collections import Counter
from functools import cache
from multiprocessing.process import BaseProcess
from pathlib import Path

from sqlalchemy import func, select

import newstrace.cli
from newstrace.nlp.pipeline import load_pipeline
from newstrace.store.database import database_url, make_engine
from newstrace.store.schema import Base

PLACES = ["Aleppo", "Kandahar", "Mogadishu", "Goma", "Maiduguri", "Sanaa", "Mosul", "Tripoli"]
FIRST = ["Amina", "Daniel", "Leila", "Tomas", "Yusuf", "Grace", "Omar", "Nadia", "Peter"]
LAST = ["Farouk", "Osei", "Haddad", "Rivera", "Kamara", "Mensah", "Rahimi", "Novak", "Sesay"]
ROLES = ["a health official", "a police spokesman", "a council member", "an aid worker"]
SOURCES = ["officials", "witnesses", "the governor", "local media", "the army", "medics"]
GLUE = ["the", "of the", "and the", "in the", "was", "with their", "to the", "for"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@cache
def vocabulary() -> list[str]:
    """Plain lowercase English words the pinned model knows, in a fixed order."""
    strings = load_pipeline().vocab.strings
    return sorted(s for s in strings if s.isalpha() and s.islower() and 4 <= len(s) <= 10)


def words(rng: random.Random, count: int) -> str:
    """``count`` random words, each after a common one ('of the', 'and', ...) as in prose."""
    return " ".join(f"{rng.choice(GLUE)} {rng.choice(vocabulary())}" for _ in range(count))


def report(index: int, rng: random.Random) -> str:
    """One short report; its title numbers it, so every text is distinct."""
    place = rng.choice(PLACES)
    speaker = f"{rng.choice(FIRST)} {rng.choice(LAST)}, {rng.choice(ROLES)}"
    return (
        f"Report {index}: {words(rng, 3)}\n\n"
        f"{rng.randint(2, 60)} people were killed in {place} on {rng.choice(DAYS)} when "
        f"{words(rng, 2)}, {rng.choice(SOURCES)} said. It {words(rng, 5)}.\n\n"
        f'"We {words(rng, 4)}," said {speaker}.\n'
    )


def write_corpus(folder: Path, count: int, seed: int = 9) -> list[Path]:
    """``count`` reports as ``.txt`` files in ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts: list[str] = []
    paths = []
    for index in range(count):
        text = report(index, rng)
        if index % 5 == 4:
            text += "\n" + texts[rng.randrange(len(texts))].split("\n\n")[2]
        texts.append(text)
        path = folder / f"report-{index:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# --- Runs of ``newstrace analyze`` in forked processes -----------------------------
# Forked after the language model is loaded, a run starts working at once instead of
# spending seconds on imports; it is still the real command, ``newstrace.cli.app``.

FORK = multiprocessing.get_context("fork")


def _analyze(db: str, inputs: list[str], options: tuple[str, ...]) -> None:
    """The child: ``newstrace analyze INPUTS --db DB [OPTIONS]``, output discarded."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        newstrace.cli.app(["analyze", *inputs, "--db", db, *options], prog_name="newstrace")
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    os._exit(0)


def start_analyze(db: str, inputs: list[str], *options: str) -> BaseProcess:
    """Start ``newstrace analyze`` in a forked process (load the model first: ``parse``)."""
    process = FORK.Process(target=_analyze, args=(db, inputs, options), daemon=True)
    process.start()
    return process


def rows_by_document(db: str) -> dict[str, Counter[str]]:
    """Per table, how many rows each document holds (documents named by content hash;
    tables without a document column by their total)."""
    engine = make_engine(database_url(db))
    documents = Base.metadata.tables["documents"]
    try:
        with engine.connect() as conn:
            hashes = dict(conn.execute(select(documents.c.id, documents.c.content_hash)).all())
            found: dict[str, Counter[str]] = {"documents": Counter(hashes.values())}
            for table in Base.metadata.sorted_tables:
                key = next(
                    (table.c[n] for n in ("document_id", "derived_id") if n in table.c), None
                )
                if table is documents:
                    continue
                if key is None:
                    total = conn.scalar(select(func.count()).select_from(table)) or 0
                    found[table.name] = Counter({"all": total})
                    continue
                rows = conn.execute(select(key, func.count()).group_by(key))
                found[table.name] = Counter({str(hashes.get(i)): n for i, n in rows})
        return found
    finally:
        engine.dispose()
