"""Adapters: each dataset layout read into typed gold items.

An adapter reads any file of its layout (a development or a held-out split alike) and
states what the text is, what the tool may be told (a published date, an outlet) and what
it must find. Nothing here scores; scorers compare these items with predictions.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newstrace.evaluate.scoring import Interval
from newstrace.evaluate.vocab import event_scheme
from newstrace.records import DatePrecision, PartialDate

SHARED = Path("../shared")  # third-party data beside the project (see ../shared/data/README.md)
DEFAULT_PATHS = {
    "reference": SHARED / "reference" / "seeds" / "expected.json",
    "gtd": SHARED / "data" / "gtd" / "dev.csv",
    "acled": SHARED / "data" / "acled" / "dev.csv",
    "polnear": SHARED / "data" / "polnear" / "dev.jsonl",
    "fakes": SHARED / "data" / "fakes" / "dev.csv",
}

_GTD_DATE_PREFIX = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4}):\s*")
_ACLED_CODING_NOTE = re.compile(r"\bfatalities coded as\b", re.IGNORECASE)
# ACLED time_precision: 1 the day, 2 a day within a week, 3 a day within a month.
_ACLED_PRECISION = {"1": DatePrecision.DAY, "2": DatePrecision.DAY, "3": DatePrecision.MONTH}


class EvalError(Exception):
    """An evaluation that cannot run as asked."""


class DatasetError(EvalError):
    """A file that is not in the layout its adapter reads."""


@dataclass(frozen=True, slots=True)
class IncidentGold:
    """One coded incident (GTD or ACLED row): its text and what a coder found in it.

    ``None`` marks a field the row does not code; such rows are not scored on it.
    """

    item: str
    text: str
    published: PartialDate | None
    country: str | None
    admin1: str | None
    location: str | None  # the coded place name (GTD city, ACLED location)
    latitude: float | None
    longitude: float | None
    fatalities: int | None
    injured: int | None = None
    event_type: str | None = None  # in the project's scheme
    sub_event_type: str | None = None
    actor1: str | None = None  # as the dataset writes it; "Unknown" means none
    date: dt.date | None = None
    date_precision: DatePrecision = DatePrecision.DAY  # MONTH: any day of that month
    date_window_days: int = 0  # DAY: how far a stated day may be from ``date``
    fatalities_coded: bool = False  # ACLED coded the toll by convention ("coded as 10")


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    """One PolNeAR attribution: character spans of its content, source and cue."""

    content: tuple[Interval, ...]
    source: tuple[Interval, ...]
    cue: tuple[Interval, ...]


@dataclass(frozen=True, slots=True)
class AttributionDoc:
    """A PolNeAR article with one annotator's attributions."""

    item: str
    text: str
    outlet: str | None
    published: PartialDate | None
    attributions: tuple[GoldAttribution, ...]


@dataclass(frozen=True, slots=True)
class ArticleGold:
    """A FA-KES article: full text, outlet, date, and the place the article is about."""

    item: str
    text: str
    outlet: str | None
    published: PartialDate | None
    location: str
    country: str


def _csv_rows(path: Path, required: set[str]) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = required - set(reader.fieldnames or ())
            if missing:
                raise DatasetError(f"{path}: missing columns {', '.join(sorted(missing))}")
            yield from reader
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None


def _number(value: str) -> int | None:
    text = value.strip()
    return int(float(text)) if text and text not in {"-99", "-9"} else None


def _coordinate(value: str) -> float | None:
    text = value.strip()
    return float(text) if text else None


def _known(value: str) -> str | None:
    text = value.strip()
    return text if text and text.casefold() != "unknown" else None


def read_gtd(path: Path) -> Iterator[IncidentGold]:
    """GTD rows: ``summary`` without its date prefix; that date becomes the published date."""
    required = {"eventid", "summary", "country_txt", "provstate", "city", "latitude", "longitude"}
    required |= {"attacktype1_txt", "targtype1_txt", "gname", "nkill", "nwound"}
    scheme = event_scheme()
    for row in _csv_rows(path, required):
        summary = row["summary"]
        published = None
        prefix = _GTD_DATE_PREFIX.match(summary)
        if prefix:
            month, day, year = (int(part) for part in prefix.groups())
            published = PartialDate(dt.date(year, month, day), DatePrecision.DAY)
            summary = summary[prefix.end() :]
        event_type, sub_event_type = scheme.from_gtd(row["attacktype1_txt"], row["targtype1_txt"])
        yield IncidentGold(
            item=row["eventid"],
            text=summary,
            published=published,
            country=_known(row["country_txt"]),
            admin1=_known(row["provstate"]),
            location=_known(row["city"]),
            latitude=_coordinate(row["latitude"]),
            longitude=_coordinate(row["longitude"]),
            fatalities=_number(row["nkill"]),
            injured=_number(row["nwound"]),
            event_type=event_type,
            sub_event_type=sub_event_type,
            actor1=row["gname"].strip() or None,
        )


def _acled_date(text: str) -> dt.date:
    """ACLED's ``9-May-20`` (or ``09 May 2020``, ISO in other exports)."""
    for layout in ("%d-%b-%y", "%d %B %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), layout).date()
        except ValueError:
            continue
    raise DatasetError(f"unreadable ACLED event_date {text!r}")


def read_acled(path: Path) -> Iterator[IncidentGold]:
    """ACLED rows: ``notes`` as the text, published date unknown (the notes state it)."""
    required = {"event_id_cnty", "notes", "event_date", "time_precision", "event_type"}
    required |= {"sub_event_type", "actor1", "country", "admin1", "location", "fatalities"}
    required |= {"latitude", "longitude"}
    scheme = event_scheme()
    for row in _csv_rows(path, required):
        date = _acled_date(row["event_date"])
        event_type, sub_event_type = scheme.classify(row["sub_event_type"])
        yield IncidentGold(
            item=row["event_id_cnty"],
            text=row["notes"],
            published=None,
            country=_known(row["country"]),
            admin1=_known(row["admin1"]),
            location=_known(row["location"]),
            latitude=_coordinate(row["latitude"]),
            longitude=_coordinate(row["longitude"]),
            fatalities=_number(row["fatalities"]),
            event_type=event_type or scheme.event_type(row["event_type"]),
            sub_event_type=sub_event_type,
            actor1=row["actor1"].strip() or None,
            date=date,
            date_window_days=3 if row["time_precision"].strip() == "2" else 0,
            date_precision=_ACLED_PRECISION.get(row["time_precision"].strip(), DatePrecision.DAY),
            fatalities_coded=bool(_ACLED_CODING_NOTE.search(row["notes"])),
        )


def _intervals(parts: list[dict[str, Any]]) -> tuple[Interval, ...]:
    return tuple((int(pair[0]), int(pair[1])) for part in parts for pair in part["spans"])


def _attribution_doc(article: str, record: dict[str, Any]) -> AttributionDoc:
    published = record.get("publication_date")
    return AttributionDoc(
        item=article,
        text=str(record["text"]),
        outlet=str(record.get("publisher") or "") or None,
        published=PartialDate(dt.date.fromisoformat(published), DatePrecision.DAY)
        if isinstance(published, str) and published
        else None,
        attributions=tuple(
            GoldAttribution(
                content=_intervals(a["content"]),
                source=_intervals(a.get("source", [])),
                cue=_intervals(a.get("cue", [])),
            )
            for a in record["attributions"]
            if a.get("content")
        ),
    )


def read_polnear(path: Path) -> Iterator[AttributionDoc]:
    """PolNeAR JSONL: one annotator per article, the lowest annotator id (deterministic)."""
    chosen: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            article, annotator = str(record["article"]), str(record["annotator"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise DatasetError(f"{path}:{number}: not a PolNeAR record") from None
        held = chosen.get(article)
        if held is None or annotator < str(held["annotator"]):
            chosen[article] = record
    for article in sorted(chosen):
        try:
            yield _attribution_doc(article, chosen[article])
        except (KeyError, TypeError, ValueError, IndexError):
            raise DatasetError(f"{path}: {article}: malformed attributions") from None


def _us_date(text: str) -> PartialDate | None:
    """A ``month/day/year`` date; ``None`` when there is no usable one (none is invented)."""
    try:
        return PartialDate(dt.datetime.strptime(text.strip(), "%m/%d/%Y").date(), DatePrecision.DAY)
    except ValueError:
        return None


def _jsonl_rows(path: Path, required: set[str]) -> Iterator[dict[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise DatasetError(f"{path}:{number}: not JSON") from None
        if not isinstance(record, dict) or required - set(record):
            raise DatasetError(f"{path}:{number}: needs the fields {', '.join(sorted(required))}")
        yield {key: str(value) for key, value in record.items()}


def read_fakes(path: Path) -> Iterator[ArticleGold]:
    """FA-KES CSV (or JSONL with the same fields): title and content as the article.

    Every FA-KES article is about the war in Syria, so the country is Syria.
    """
    required = {"unit_id", "article_title", "article_content", "source", "date", "location"}
    reader = _jsonl_rows if path.suffix == ".jsonl" else _csv_rows
    for row in reader(path, required):
        yield ArticleGold(
            item=row["unit_id"],
            text=f"{row['article_title']}\n\n{row['article_content']}",
            outlet=row["source"] or None,
            published=_us_date(row["date"]),
            location=row["location"],
            country="Syria",
        )
