"""Findings of the per-document stages: written per document in one transaction,
replaced wholesale when the document is analysed again (so re-runs are idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from newstrace.records import (
    Analysis,
    DatePrecision,
    Event,
    Figure,
    FigureClass,
    Mention,
    Place,
    Qualifier,
    Quote,
    QuoteKind,
    Reason,
    SentenceVector,
    Span,
    Speaker,
    SpeakerKind,
    TimeExpression,
)
from newstrace.store.documents import lock_document
from newstrace.store.retry import retrying
from newstrace.store.schema import (
    AnalysisRow,
    Base,
    ClaimEmbeddingRow,
    DocumentRow,
    EventRow,
    FigureRow,
    PlaceRow,
    QuoteRow,
    TimeRow,
)

R = TypeVar("R", bound=Base)
T = TypeVar("T")

_SPEAKER_ROLES = ("mention", "resolved", "description", "anonymity")


def _pack(mention: Mention | None) -> list[object] | None:
    return [mention.text, mention.span.start, mention.span.end] if mention else None


def _unpack(doc_id: int, value: object) -> Mention | None:
    if not isinstance(value, list) or len(value) != 3:
        return None
    text, start, end = value
    return Mention(str(text), Span(doc_id, int(start), int(end)))


def quote_row(quote: Quote, doc_id: int) -> QuoteRow:
    mentions: dict[str, list[object]] = {
        f"speaker_{role}": packed
        for role in _SPEAKER_ROLES
        if (packed := _pack(getattr(quote.speaker, role))) is not None
    }
    for role, value in (("cue", quote.cue), ("recipient", quote.recipient)):
        if (packed := _pack(value)) is not None:
            mentions[role] = packed
    mentions["hedges"] = [_pack(h) for h in quote.hedges]
    return QuoteRow(
        document_id=doc_id,
        kind=quote.kind.value,
        content_start=quote.content.span.start,
        content_end=quote.content.span.end,
        content_text=quote.content.text,
        speaker_kind=quote.speaker.kind.value,
        speaker_name=quote.speaker.name if quote.speaker.kind is not SpeakerKind.UNKNOWN else None,
        speaker_canonical=quote.speaker.canonical,
        mentions=mentions,
    )


def quote_from_row(row: QuoteRow) -> Quote:
    doc_id, found = row.document_id, row.mentions
    mention, resolved, description, anonymity = (
        _unpack(doc_id, found.get(f"speaker_{role}")) for role in _SPEAKER_ROLES
    )
    speaker = Speaker(
        SpeakerKind(row.speaker_kind),
        mention,
        resolved,
        description,
        anonymity,
        row.speaker_canonical,
    )
    hedges = found.get("hedges") or []
    return Quote(
        kind=QuoteKind(row.kind),
        content=Mention(row.content_text, Span(doc_id, row.content_start, row.content_end)),
        speaker=speaker,
        cue=_unpack(doc_id, found.get("cue")),
        recipient=_unpack(doc_id, found.get("recipient")),
        hedges=tuple(m for h in hedges if (m := _unpack(doc_id, h)) is not None),
    )


# --- Figures, times, places: one set of fields each, for their rows and inside events -------
# A finding's fields name its table's columns; an event's ``detail`` holds the same fields
# (dates written out), so each record is encoded and decoded in one place.


def _words(words: Mention) -> dict[str, Any]:
    return {"span_start": words.span.start, "span_end": words.span.end, "text": words.text}


def _words_of(doc_id: int, fields: Mapping[str, Any]) -> Mention:
    span = Span(doc_id, int(fields["span_start"]), int(fields["span_end"]))
    return Mention(str(fields["text"]), span)


def _date(value: object) -> dt.date | None:
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value if isinstance(value, dt.date) else None


def _json(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields with dates written out, for a JSON column."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()}


def _columns(row: Base) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def figure_fields(figure: Figure) -> dict[str, Any]:
    return {
        **_words(figure.mention),
        "best": figure.best,
        "low": figure.low,
        "high": figure.high,
        "qualifier": figure.qualifier.value,
        "figure_class": figure.figure_class.value,
        "unit": figure.unit,
        "implausible": figure.implausible,
        "note": figure.note,
    }


def figure_from(doc_id: int, fields: Mapping[str, Any]) -> Figure:
    return Figure(
        _words_of(doc_id, fields),
        fields["best"],
        fields["low"],
        fields["high"],
        Qualifier(fields["qualifier"]),
        FigureClass(fields["figure_class"]),
        fields["unit"],
        bool(fields["implausible"]),
        str(fields["note"]),
    )


def time_fields(time: TimeExpression) -> dict[str, Any]:
    return {
        **_words(time.mention),
        "start_date": time.start,
        "end_date": time.end,
        "precision": time.precision.value,
        "relative": time.relative,
        "duration": time.duration,
        "implausible": time.implausible,
    }


def time_from(doc_id: int, fields: Mapping[str, Any]) -> TimeExpression:
    return TimeExpression(
        _words_of(doc_id, fields),
        _date(fields["start_date"]),
        _date(fields["end_date"]),
        DatePrecision(fields["precision"]),
        bool(fields["relative"]),
        fields["duration"],
        bool(fields["implausible"]),
    )


def place_fields(place: Place) -> dict[str, Any]:
    return {
        **_words(place.mention),
        "name": place.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "feature_type": place.feature_type,
        "country": place.country,
        "admin1": place.admin1,
        "geo_precision": place.geo_precision,
        "gazetteer_id": place.gazetteer_id,
        "reason": place.reason,
    }


def place_from(doc_id: int, fields: Mapping[str, Any]) -> Place:
    return Place(
        _words_of(doc_id, fields),
        fields["name"],
        fields["latitude"],
        fields["longitude"],
        fields["feature_type"],
        fields["country"],
        fields["admin1"],
        fields["geo_precision"],
        fields["gazetteer_id"],
        str(fields["reason"]),
    )


def _optional(encode: Callable[[T], dict[str, Any]], value: T | None) -> dict[str, Any] | None:
    return _json(encode(value)) if value is not None else None


def event_row(event: Event, doc_id: int) -> EventRow:
    place, date = event.place, event.date
    detail = {
        "trigger": _pack(event.trigger),
        "sentence": _pack(event.sentence),
        "actor1_mention": _pack(event.actor1_mention),
        "actor2_mention": _pack(event.actor2_mention),
        "claim": _pack(event.claim),
        "also": [_pack(m) for m in event.also],
        "place": _optional(place_fields, place),
        "date": _optional(time_fields, date),
        "fatalities": _optional(figure_fields, event.fatalities),
        "injured": _optional(figure_fields, event.injured),
        "reasons": [[r.field, r.text] for r in event.reasons],
        "flags": list(event.flags),
    }
    return EventRow(
        document_id=doc_id,
        event_type=event.event_type,
        sub_event_type=event.sub_event_type,
        actor1=event.actor1,
        actor2=event.actor2,
        event_date=date.start if date else None,
        date_precision=date.precision.value if date else None,
        country=place.country if place else None,
        admin1=place.admin1 if place else None,
        location=place.name if place else None,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        geo_precision=place.geo_precision if place else None,
        fatalities=event.fatalities.best if event.fatalities else None,
        injured=event.injured.best if event.injured else None,
        is_tally=event.is_tally,
        claimed_by=event.claimed_by,
        sentence_start=event.sentence.span.start,
        sentence_end=event.sentence.span.end,
        detail=detail,
    )


def event_from_row(row: EventRow) -> Event:
    doc_id, detail = row.document_id, row.detail

    def decode(decoder: Callable[[int, Mapping[str, Any]], T], key: str) -> T | None:
        value = detail.get(key)
        return decoder(doc_id, value) if isinstance(value, dict) else None

    trigger = _unpack(doc_id, detail.get("trigger"))
    sentence = _unpack(doc_id, detail.get("sentence"))
    if trigger is None or sentence is None:
        raise ValueError(f"event {row.id}: its words are missing from the store")
    return Event(
        trigger=trigger,
        sentence=sentence,
        event_type=row.event_type,
        sub_event_type=row.sub_event_type,
        actor1=row.actor1,
        actor1_mention=_unpack(doc_id, detail.get("actor1_mention")),
        actor2=row.actor2,
        actor2_mention=_unpack(doc_id, detail.get("actor2_mention")),
        place=decode(place_from, "place"),
        date=decode(time_from, "date"),
        fatalities=decode(figure_from, "fatalities"),
        injured=decode(figure_from, "injured"),
        claim=_unpack(doc_id, detail.get("claim")),
        claimed_by=row.claimed_by,
        is_tally=row.is_tally,
        also=tuple(m for v in detail.get("also", []) if (m := _unpack(doc_id, v)) is not None),
        reasons=tuple(Reason(str(f), str(t)) for f, t in detail.get("reasons", [])),
        flags=tuple(str(f) for f in detail.get("flags", [])),
    )


_FINDING_ROWS: tuple[type[Base], ...] = (QuoteRow, FigureRow, TimeRow, PlaceRow, EventRow)


def _finding_rows(analysis: Analysis) -> Iterator[Base]:
    doc_id = analysis.doc_id
    yield from (quote_row(q, doc_id) for q in analysis.quotes)
    yield from (FigureRow(document_id=doc_id, **figure_fields(f)) for f in analysis.figures)
    yield from (TimeRow(document_id=doc_id, **time_fields(t)) for t in analysis.times)
    yield from (PlaceRow(document_id=doc_id, **place_fields(p)) for p in analysis.places)
    yield from (event_row(e, doc_id) for e in analysis.events)


def _keep_vectors(session: Session, vectors: Sequence[SentenceVector]) -> None:
    """Add the sentence embeddings not kept yet (a sentence keeps its first vector, as
    linking's cache does)."""
    if not vectors:
        return
    rows = session.execute(
        select(
            ClaimEmbeddingRow.span_start, ClaimEmbeddingRow.span_end, ClaimEmbeddingRow.model
        ).where(ClaimEmbeddingRow.document_id == vectors[0].span.doc_id)
    )
    kept = {(start, end, model) for start, end, model in rows}
    session.add_all(
        ClaimEmbeddingRow(
            document_id=v.span.doc_id,
            span_start=v.span.start,
            span_end=v.span.end,
            model=v.model,
            vector=v.vector,
        )
        for v in vectors
        if (v.span.start, v.span.end, v.model) not in kept
    )


class FindingStore:
    """Reads and writes of findings; shares the document store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, analysis: Analysis, pipeline_version: str) -> None:
        """Replace the document's findings with ``analysis`` in one transaction."""
        self.save_all([analysis], pipeline_version)

    @retrying
    def save_all(self, analyses: Sequence[Analysis], pipeline_version: str) -> None:
        """Replace the findings of every document in ``analyses`` in one transaction: a
        batch costs one commit, and an interrupted run loses at most the batch."""
        with Session(self.engine) as session, session.begin():
            for analysis in sorted(analyses, key=lambda a: a.doc_id):  # one lock order
                doc_id = analysis.doc_id
                lock_document(session, doc_id)
                for table in _FINDING_ROWS:
                    session.execute(delete(table).where(table.document_id == doc_id))  # type: ignore[attr-defined]
                session.add_all(_finding_rows(analysis))
                session.merge(
                    AnalysisRow(
                        document_id=doc_id,
                        pipeline_version=pipeline_version,
                        english=analysis.english,
                        notes=list(analysis.notes),
                        analysed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    )
                )
                _keep_vectors(session, analysis.claim_vectors)

    def pending(self, pipeline_version: str, batch_size: int = 200) -> Iterator[int]:
        """Ids of documents not yet analysed by this version of the pipeline."""
        last_id = 0
        while True:
            with Session(self.engine) as session:
                ids = session.scalars(
                    select(DocumentRow.id)
                    .outerjoin(AnalysisRow, AnalysisRow.document_id == DocumentRow.id)
                    .where(DocumentRow.id > last_id)
                    .where(
                        (AnalysisRow.pipeline_version.is_(None))
                        | (AnalysisRow.pipeline_version != pipeline_version)
                    )
                    .order_by(DocumentRow.id)
                    .limit(batch_size)
                ).all()
            if not ids:
                return
            yield from ids
            last_id = ids[-1]

    def quotes(self, doc_id: int | None = None) -> list[Quote]:
        query = select(QuoteRow).order_by(QuoteRow.document_id, QuoteRow.content_start)
        if doc_id is not None:
            query = query.where(QuoteRow.document_id == doc_id)
        with Session(self.engine) as session:
            return [quote_from_row(r) for r in session.scalars(query)]

    def _read(
        self, row_type: type[R], doc_id: int | None, decode: Callable[[R], T], *order: Any
    ) -> list[T]:
        query = select(row_type).order_by(*order)
        if doc_id is not None:
            query = query.where(row_type.document_id == doc_id)  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            return [decode(row) for row in session.scalars(query)]

    def figures(self, doc_id: int | None = None) -> list[Figure]:
        return self._read(
            FigureRow,
            doc_id,
            lambda r: figure_from(r.document_id, _columns(r)),
            FigureRow.document_id,
            FigureRow.span_start,
        )

    def times(self, doc_id: int | None = None) -> list[TimeExpression]:
        return self._read(
            TimeRow,
            doc_id,
            lambda r: time_from(r.document_id, _columns(r)),
            TimeRow.document_id,
            TimeRow.span_start,
        )

    def places(self, doc_id: int | None = None) -> list[Place]:
        return self._read(
            PlaceRow,
            doc_id,
            lambda r: place_from(r.document_id, _columns(r)),
            PlaceRow.document_id,
            PlaceRow.span_start,
        )

    def events(self, doc_id: int | None = None) -> list[Event]:
        """Events in document and text order (the order they were found in)."""
        return self._read(EventRow, doc_id, event_from_row, EventRow.document_id, EventRow.id)

    def count_events(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(EventRow)) or 0

    def document_outlets(self) -> dict[int, str | None]:
        """Each document's outlet (the ``source`` column of an event export)."""
        with Session(self.engine) as session:
            rows = session.execute(select(DocumentRow.id, DocumentRow.outlet)).all()
        return {doc_id: outlet for doc_id, outlet in rows}

    def outlets(self) -> set[str]:
        """Every outlet named in the store's metadata: known outlets for attribution."""
        with Session(self.engine) as session:
            rows = session.scalars(select(DocumentRow.outlet).distinct()).all()
        return {r for r in rows if r}

    def count_quotes(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(QuoteRow)) or 0
