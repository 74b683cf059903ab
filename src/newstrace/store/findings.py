"""Findings of the per-document stages: written per document in one transaction,
replaced wholesale when the document is analysed again (so re-runs are idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from newstrace.records import Analysis, Mention, Quote, QuoteKind, Span, Speaker, SpeakerKind
from newstrace.store.schema import AnalysisRow, DocumentRow, QuoteRow

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


class FindingStore:
    """Reads and writes of findings; shares the document store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, analysis: Analysis, pipeline_version: str) -> None:
        """Replace the document's findings with ``analysis`` in one transaction."""
        doc_id = analysis.doc_id
        with Session(self.engine) as session, session.begin():
            session.execute(delete(QuoteRow).where(QuoteRow.document_id == doc_id))
            session.add_all(quote_row(q, doc_id) for q in analysis.quotes)
            session.merge(
                AnalysisRow(
                    document_id=doc_id,
                    pipeline_version=pipeline_version,
                    english=analysis.english,
                    notes=list(analysis.notes),
                    analysed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                )
            )

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

    def outlets(self) -> set[str]:
        """Every outlet named in the store's metadata: known outlets for attribution."""
        with Session(self.engine) as session:
            rows = session.scalars(select(DocumentRow.outlet).distinct()).all()
        return {r for r in rows if r}

    def count_quotes(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(QuoteRow)) or 0
