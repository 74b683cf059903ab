"""Flat rows of the ledger for JSON Lines, CSV and GeoJSON export, one table at a time.

Every row of a finding carries the character offsets of its evidence, so an exported
quote can be checked against the stored text without newstrace. Events export with
ACLED's column names (the source sentence as ``notes``, the outlet as ``source``), so they
load where ACLED data loads; GeoJSON gives the events that have a point.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from newstrace.link.reuse import LINK_VERSION
from newstrace.records import (
    ClaimCluster,
    DatePrecision,
    Document,
    DocumentReuse,
    Event,
    Figure,
    Mention,
    PartialDate,
    Quote,
)
from newstrace.report.graph import GRAPH_FORMATS, write_graph
from newstrace.store import DocumentStore
from newstrace.store.claims import ClaimStore
from newstrace.store.findings import FindingStore
from newstrace.store.links import LinkStore
from newstrace.web.speakers import speakers

DOCUMENT_FIELDS = (
    "id",
    "outlet",
    "title",
    "byline",
    "url",
    "published",
    "published_precision",
    "published_source",
    "source",
    "source_format",
    "encoding",
    "version",
    "previous_version_id",
    "content_hash",
    "text",
)
_QUOTE_MENTIONS = (
    "content",
    "speaker",
    "speaker_resolved",
    "description",
    "anonymity",
    "cue",
    "recipient",
)
QUOTE_FIELDS = (
    "document_id",
    "kind",
    "speaker_kind",
    "speaker_name",
    "speaker_canonical",
    *(f"{role}_{part}" for role in _QUOTE_MENTIONS for part in ("text", "start", "end")),
    "hedges",
)


def document_row(doc: Document) -> dict[str, object]:
    return {
        "id": doc.id,
        "outlet": doc.outlet,
        "title": doc.title,
        "byline": doc.byline,
        "url": doc.url,
        "published": doc.published.iso() if doc.published else None,
        "published_precision": doc.published.precision.value if doc.published else "unknown",
        "published_source": doc.published_source.value,
        "source": doc.source,
        "source_format": doc.source_format,
        "encoding": doc.encoding,
        "version": doc.version,
        "previous_version_id": doc.previous_version_id,
        "content_hash": doc.content_hash,
        "text": doc.text,
    }


def quote_row(quote: Quote) -> dict[str, object]:
    speaker = quote.speaker
    mentions: dict[str, Mention | None] = {
        "content": quote.content,
        "speaker": speaker.mention,
        "speaker_resolved": speaker.resolved,
        "description": speaker.description,
        "anonymity": speaker.anonymity,
        "cue": quote.cue,
        "recipient": quote.recipient,
    }
    row: dict[str, object] = {
        "document_id": quote.content.span.doc_id,
        "kind": quote.kind.value,
        "speaker_kind": speaker.kind.value,
        "speaker_name": speaker.name,
        "speaker_canonical": speaker.canonical,
    }
    for role, found in mentions.items():
        row[f"{role}_text"] = found.text if found else None
        row[f"{role}_start"] = found.span.start if found else None
        row[f"{role}_end"] = found.span.end if found else None
    row["hedges"] = "; ".join(h.text for h in quote.hedges)
    return row


EVENT_FIELDS = (
    "document_id",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "injured",
    "is_tally",
    "claimed_by",
    "notes",
    "source",
    "notes_start",
    "notes_end",
    "reasons",
)
# ACLED's time precision: 1 the day, 2 a day within a week, 3 within a month (a year: none).
_TIME_PRECISION = {DatePrecision.DAY: 1, DatePrecision.WEEK: 2, DatePrecision.MONTH: 3}


def _count(value: float | None) -> int | float | None:
    return int(value) if value is not None and value.is_integer() else value


def event_row(event: Event, outlet: str | None) -> dict[str, object]:
    date, place = event.date, event.place
    stated = PartialDate(date.start, date.precision) if date and date.start else None
    return {
        "document_id": event.sentence.span.doc_id,
        "event_date": stated.iso() if stated else None,
        "time_precision": _TIME_PRECISION.get(stated.precision) if stated else None,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1,
        "actor2": event.actor2,
        "country": place.country if place else None,
        "admin1": place.admin1 if place else None,
        "location": place.name or place.mention.text if place else None,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
        "geo_precision": place.geo_precision if place else None,
        "fatalities": _count(event.fatalities.best) if event.fatalities else None,
        "injured": _count(event.injured.best) if event.injured else None,
        "is_tally": event.is_tally,
        "claimed_by": event.claimed_by,
        "notes": " ".join(event.sentence.text.split()),
        "source": outlet,
        "notes_start": event.sentence.span.start,
        "notes_end": event.sentence.span.end,
        "reasons": "; ".join(f"{r.field}: {r.text}" for r in event.reasons),
    }


def _event_rows(store: DocumentStore) -> Iterator[dict[str, object]]:
    findings = FindingStore(store.engine)
    outlets = findings.document_outlets()
    for event in findings.events():
        yield event_row(event, outlets.get(event.sentence.span.doc_id))


REUSE_FIELDS = (
    "origin_document_id",
    "derived_document_id",
    "direction",
    "direction_evidence",
    "relation",
    "reused_share",
    "kind",
    "similarity",
    *(f"{side}_{part}" for side in ("origin", "derived") for part in ("start", "end", "text")),
    "origin_speaker",
    "derived_speaker",
    "drift",
    "quote_change",
    "dropped",
    "added",
    "mutations",
)


def reuse_rows(reuse: DocumentReuse, texts: dict[int, str]) -> Iterator[dict[str, object]]:
    """One row per link of a document pair: both stretches, drift, quote edits and the
    claim fields the derived side changed."""
    for link in reuse.links:
        drift, edit = link.drift, link.quote_edit
        row: dict[str, object] = {
            "origin_document_id": reuse.origin_doc,
            "derived_document_id": reuse.derived_doc,
            "direction": reuse.direction.value,
            "direction_evidence": "; ".join(r.text for r in reuse.reasons),
            "relation": reuse.relation.value,
            "reused_share": reuse.reused_share,
            "kind": link.kind.value,
            "similarity": link.similarity,
        }
        for side, span in (("origin", link.origin), ("derived", link.derived)):
            row[f"{side}_start"], row[f"{side}_end"] = span.start, span.end
            row[f"{side}_text"] = texts.get(span.doc_id, "")[span.start : span.end]
        row["origin_speaker"] = drift.origin_speaker if drift else None
        row["derived_speaker"] = drift.derived_speaker if drift else None
        row["drift"] = (
            "; ".join(f"{c.aspect.value}: {c.origin} -> {c.derived}" for c in drift.changes)
            if drift
            else None
        )
        row["quote_change"] = edit.change.value if edit else None
        row["dropped"] = edit.dropped if edit else None
        row["added"] = edit.added if edit else None
        row["mutations"] = (
            "; ".join(f"{m.field.value}: {m.origin} -> {m.derived}" for m in link.mutations) or None
        )
        yield row


def _reuse_rows(store: DocumentStore) -> Iterator[dict[str, object]]:
    texts: dict[int, str] = {}
    for reuse in LinkStore(store.engine, LINK_VERSION).reuse():
        for doc_id in (reuse.origin_doc, reuse.derived_doc):
            if doc_id not in texts and (doc := store.get(doc_id)) is not None:
                texts[doc_id] = doc.text
        yield from reuse_rows(reuse, texts)


CLAIM_FIELDS = (
    "claim_id",
    "kind",
    "grade",
    "origins",
    "documents",
    "summary",
    "evidence",
    "document_id",
    "start",
    "end",
    "text",
    "source",
    "source_kind",
    "taken_from",
    "fatalities",
    "injured",
)


def _toll(figure: Figure | None) -> str | None:
    return " ".join(figure.mention.text.split()) if figure and figure.best else None


def claim_rows(cluster: ClaimCluster) -> Iterator[dict[str, object]]:
    """One row per document's version of a claim, with the cluster's grade on each."""
    for member in cluster.members:
        doc_id, event = member.evidence.span.doc_id, member.event
        yield {
            "claim_id": cluster.key,
            "kind": cluster.kind.value,
            "grade": cluster.grade.value,
            "origins": cluster.origins,
            "documents": ";".join(map(str, cluster.documents)),
            "summary": cluster.summary,
            "evidence": cluster.evidence,
            "document_id": doc_id,
            "start": member.evidence.span.start,
            "end": member.evidence.span.end,
            "text": " ".join(member.evidence.text.split()),
            "source": member.source.name,
            "source_kind": member.source.kind.value,
            "taken_from": ";".join(
                str(e.origin_doc) for e in cluster.edges if e.derived_doc == doc_id
            ),
            "fatalities": _toll(event.fatalities) if event else None,
            "injured": _toll(event.injured) if event else None,
        }


SPEAKER_FIELDS = (
    "key",
    "name",
    "kind",
    "names",
    "descriptions",
    "quotes",
    "anonymous",
    "documents",
)


def _speaker_rows(store: DocumentStore) -> Iterator[dict[str, object]]:
    for speaker in speakers(store):
        yield {
            "key": speaker.key,
            "name": speaker.name,
            "kind": speaker.kind.value,
            "names": "; ".join(speaker.names),
            "descriptions": "; ".join(speaker.descriptions),
            "quotes": speaker.quote_count,
            "anonymous": speaker.anonymous,
            "documents": ";".join(map(str, speaker.documents)),
        }


FIGURE_FIELDS = (
    "document_id",
    "start",
    "end",
    "text",
    "best",
    "low",
    "high",
    "qualifier",
    "figure_class",
    "unit",
    "implausible",
    "note",
)


def figure_row(figure: Figure) -> dict[str, object]:
    span = figure.mention.span
    return {
        "document_id": span.doc_id,
        "start": span.start,
        "end": span.end,
        "text": figure.mention.text,
        "best": _count(figure.best),
        "low": _count(figure.low),
        "high": _count(figure.high),
        "qualifier": figure.qualifier.value,
        "figure_class": figure.figure_class.value,
        "unit": figure.unit,
        "implausible": figure.implausible,
        "note": figure.note,
    }


TABLES: dict[
    str, tuple[tuple[str, ...], Callable[[DocumentStore], Iterable[dict[str, object]]]]
] = {
    "documents": (DOCUMENT_FIELDS, lambda store: map(document_row, store.documents())),
    "quotes": (QUOTE_FIELDS, lambda store: map(quote_row, FindingStore(store.engine).quotes())),
    "events": (EVENT_FIELDS, _event_rows),
    "reuse": (REUSE_FIELDS, _reuse_rows),
    "claims": (
        CLAIM_FIELDS,
        lambda store: (r for c in ClaimStore(store.engine).clusters() for r in claim_rows(c)),
    ),
    "speakers": (SPEAKER_FIELDS, _speaker_rows),
    "figures": (FIGURE_FIELDS, lambda store: map(figure_row, FindingStore(store.engine).figures())),
}
# The graph formats write the reuse table as a graph of documents (report/graph.py).
FORMATS = ("jsonl", "csv", "geojson", *GRAPH_FORMATS)


def _geojson(rows: Iterable[dict[str, object]], handle: TextIO) -> int:
    """A FeatureCollection of the rows that have a point; the rest stay out of the map."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {k: v for k, v in row.items() if k not in {"latitude", "longitude"}},
        }
        for row in rows
        if row.get("latitude") is not None and row.get("longitude") is not None
    ]
    json.dump({"type": "FeatureCollection", "features": features}, handle, ensure_ascii=False)
    handle.write("\n")
    return len(features)


def export_table(store: DocumentStore, table: str, export_format: str, handle: TextIO) -> int:
    """Write ``table`` to ``handle`` as ``jsonl``, ``csv`` or ``geojson`` (tables with
    points), or the reuse table as ``graphml`` or ``graphjson``; return the number of
    rows (graph: edges) written."""
    if export_format in GRAPH_FORMATS:
        return write_graph(store, export_format, handle)
    fields, rows = TABLES[table]
    if export_format == "geojson":
        return _geojson(rows(store), handle)
    written = 0
    if export_format == "jsonl":
        for row in rows(store):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
        return written
    writer = csv.DictWriter(handle, fieldnames=fields)
    writer.writeheader()
    for row in rows(store):
        writer.writerow(row)
        written += 1
    return written
