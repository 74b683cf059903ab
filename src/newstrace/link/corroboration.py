"""Provenance and corroboration of one claim cluster.

Which documents copied which comes from the stored reuse links (copies, not paraphrases)
whose two stretches hold the cluster's members. Documents joined by such links form one
*line of descent*; its root documents (nothing points into them) hold the first-hand
versions. The independent
origins are the distinct sources those root versions cite: a named source counts once
however many lines cite it; an anonymous one cannot be recognised across lines, so it
counts once per line. An outlet that states a claim without citing anyone is its own
source, unless the same line also cites someone for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from newstrace.link.disagreements import compatible, describe_value
from newstrace.link.similarity import MIN_WORDS, shared_words
from newstrace.records import (
    AttributionDrift,
    ClaimKind,
    ClaimMember,
    ClaimSource,
    DirectionBasis,
    DocumentReuse,
    FigureDisagreement,
    FigureValue,
    Grade,
    Mention,
    PartialDate,
    ProvenanceEdge,
    QuoteEdit,
    ReuseKind,
    ReuseLink,
    Span,
    SpeakerKind,
)

# Links that show copying. A paraphrase link says two stretches mean the same, which two
# independent reports of one event also do: it neither joins claims nor derives one.
COPY_KINDS = frozenset(
    {ReuseKind.VERBATIM_QUOTE, ReuseKind.VERBATIM_PASSAGE, ReuseKind.NEAR_VERBATIM}
)
SELF_PREFIX = "outlet:"  # key of an outlet that states a claim without citing anyone
SAME_WORDS = 0.9  # statements sharing this much of their words are one text, copied
UNLINKED_NOTE = "the same words, found by claim clustering (no reuse link joins them)"


def spans_of(member: ClaimMember) -> list[Span]:
    """Every stretch the member rests on: the evidence, and an event's other sentences."""
    also: tuple[Mention, ...] = member.event.also if member.event else ()
    return [member.evidence.span, *(m.span for m in also)]


def overlaps(a: Span, b: Span) -> bool:
    """Whether two stretches of one document share a character."""
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end


def drift_words(drift: AttributionDrift) -> str:
    """'“a police source” → “an officer” (role: source → officer)'."""
    changes = "; ".join(
        f"{c.aspect.value}: {c.origin or '-'} → {c.derived or '-'}" for c in drift.changes
    )
    return f"“{drift.origin_speaker}” → “{drift.derived_speaker}” ({changes})"


def edit_words(edit: QuoteEdit) -> str:
    """'drops “at night”, adds “already”'."""
    parts = [f"drops “{edit.dropped}”" if edit.dropped else ""]
    parts.append(f"adds “{edit.added}”" if edit.added else "")
    return ", ".join(p for p in parts if p)


def link_notes(link: ReuseLink) -> tuple[str, ...]:
    """What the copy changed, in words: drift of the speaker, cuts and additions."""
    notes: list[str] = []
    if link.similarity < 1:
        notes.append(f"{link.kind.value.replace('_', ' ')} copy ({link.similarity:.2f})")
    if link.drift:
        notes.append(f"attribution drift: {drift_words(link.drift)}")
    if link.quote_edit:
        notes.append(f"quote {link.quote_edit.change.value}: {edit_words(link.quote_edit)}")
    return tuple(notes)


def provenance(
    members: Sequence[ClaimMember], reuse: Iterable[DocumentReuse]
) -> tuple[ProvenanceEdge, ...]:
    """One edge per pair of documents whose reuse links join two of the members."""
    spans = [span for member in members for span in spans_of(member)]
    edges: list[ProvenanceEdge] = []
    for pair in reuse:
        joining = [
            link
            for link in pair.links
            if link.kind in COPY_KINDS
            and any(overlaps(link.origin, s) for s in spans)
            and any(overlaps(link.derived, s) for s in spans)
        ]
        if joining:
            notes = tuple(dict.fromkeys(n for link in joining for n in link_notes(link)))
            edges.append(
                ProvenanceEdge(
                    pair.origin_doc, pair.derived_doc, pair.direction, joining[0].kind, notes
                )
            )
    return tuple(edges)


def _earlier(a: PartialDate | None, b: PartialDate | None) -> bool:
    return a is not None and b is not None and a.last_day() < b.value


def _ordered(a: int, b: int, published: Mapping[int, PartialDate | None]) -> ProvenanceEdge:
    """An edge for an unlinked copy: the earlier-published side is the origin."""
    first, second = sorted((a, b))
    direction = DirectionBasis.UNDETERMINED
    if _earlier(published.get(second), published.get(first)):
        first, second, direction = second, first, DirectionBasis.PUBLISHED
    elif _earlier(published.get(first), published.get(second)):
        direction = DirectionBasis.PUBLISHED
    return ProvenanceEdge(first, second, direction, ReuseKind.NEAR_VERBATIM, (UNLINKED_NOTE,))


def unlinked_copies(
    members: Sequence[ClaimMember],
    edges: Iterable[ProvenanceEdge],
    published: Mapping[int, PartialDate | None],
) -> tuple[ProvenanceEdge, ...]:
    """Edges for statements of two documents that share their words but that no reuse
    link joins (a copy too short or too cut for the linker): the same words in two
    places are one text, not two sources. One edge per pair of documents at most."""
    linked = {frozenset((e.origin_doc, e.derived_doc)) for e in edges}
    by_doc: dict[int, list[str]] = {}
    for member in members:
        words = member.evidence.text
        if member.kind is ClaimKind.STATEMENT and len(words.split()) >= MIN_WORDS:
            by_doc.setdefault(member.evidence.span.doc_id, []).append(words)
    found: list[ProvenanceEdge] = []
    for a, b in combinations(sorted(by_doc), 2):
        if frozenset((a, b)) in linked:
            continue
        if any(shared_words(x, y) >= SAME_WORDS for x in by_doc[a] for y in by_doc[b]):
            found.append(_ordered(a, b, published))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Lines:
    """The cluster's documents grouped into lines of descent, with their roots."""

    line_of: dict[int, int]  # document -> its line (the smallest document id in it)
    roots: frozenset[int]

    def independent(self, a: int, b: int) -> bool:
        """Whether two documents' versions can be independent: other lines, or two roots."""
        return self.line_of[a] != self.line_of[b] or (a in self.roots and b in self.roots)


def lines_of(documents: Iterable[int], edges: Iterable[ProvenanceEdge]) -> Lines:
    """Connected documents are one line; a document any edge derives is not a root (with
    an undetermined direction the edge keeps store order, so one side stays a root)."""
    parent = {doc: doc for doc in documents}

    def find(doc: int) -> int:
        while parent[doc] != doc:
            parent[doc] = parent[parent[doc]]
            doc = parent[doc]
        return doc

    derived: set[int] = set()
    for edge in edges:
        if edge.origin_doc in parent and edge.derived_doc in parent:
            a, b = find(edge.origin_doc), find(edge.derived_doc)
            parent[max(a, b)] = min(a, b)
            derived.add(edge.derived_doc)
    line_of = {doc: find(doc) for doc in parent}
    roots = {doc for doc in parent if doc not in derived}
    # Copies that point at each other leave a line without a root: its first document is.
    roots |= set(line_of.values()) - {line_of[doc] for doc in roots}
    return Lines(line_of, frozenset(roots))


def origin_sources(members: Sequence[ClaimMember], lines: Lines) -> dict[str, ClaimSource]:
    """The independent origins: distinct sources cited by the root versions, by key."""
    by_line: dict[int, dict[str, ClaimSource]] = {}
    for member in members:
        doc = member.evidence.span.doc_id
        if doc not in lines.roots:
            continue
        line = lines.line_of[doc]
        source = member.source
        key = source.key if source.named else f"{source.key}@{line}"
        by_line.setdefault(line, {})[key] = source
    found: dict[str, ClaimSource] = {}
    for sources in by_line.values():
        cited = {k: s for k, s in sources.items() if not k.startswith(SELF_PREFIX)}
        found.update(cited or sources)
    return found


def _who(source: ClaimSource) -> str:
    kind = source.kind.value.replace("_", " ")
    return f"{source.name} ({kind})"


def _contradiction(
    disagreements: Iterable[FigureDisagreement], lines: Lines
) -> tuple[FigureDisagreement, FigureValue, FigureValue] | None:
    for found in disagreements:
        for i, a in enumerate(found.values):
            for b in found.values[i + 1 :]:
                if lines.independent(a.doc_id, b.doc_id) and not compatible(a, b):
                    return found, a, b
    return None


def grade(
    members: Sequence[ClaimMember],
    edges: Sequence[ProvenanceEdge],
    disagreements: Sequence[FigureDisagreement] = (),
) -> tuple[int, Grade, str]:
    """Independent origins, the grade, and the evidence for it in words."""
    documents = sorted({m.evidence.span.doc_id for m in members})
    lines = lines_of(documents, edges)
    origins = origin_sources(members, lines)
    count = len(origins)
    copies = [describe_edge(e) for e in edges]
    docs = f"{len(documents)} document{'s' if len(documents) > 1 else ''}"
    cited = "; ".join(_who(s) for s in origins.values())
    contradiction = _contradiction(disagreements, lines) if count > 1 else None
    if contradiction is not None:
        found, a, b = contradiction
        evidence = (
            f"{docs}, {count} independent origins ({cited}) give incompatible "
            f"{found.harm.value} counts: {describe_value(a)} / {describe_value(b)}"
        )
        return count, Grade.CONTRADICTED, evidence
    if count > 1:
        return count, Grade.CONFIRMED, f"{docs}, {count} independent origins: {cited}"
    (source,) = origins.values()
    if len(documents) > 1:
        how = "; ".join(copies) if copies else "each cites the same source"
        return count, Grade.ECHOED, f"{docs}, one origin ({_who(source)}): {how}"
    if source.named:
        return count, Grade.SINGLE_NAMED, f"one document, one named source: {_who(source)}"
    unknown = source.kind is SpeakerKind.UNKNOWN
    what = "no speaker found" if unknown else f"anonymous source: {_who(source)}"
    return count, Grade.SINGLE_ANONYMOUS, f"one document, {what}"


def describe_edge(edge: ProvenanceEdge) -> str:
    """'document 1 took it from document 10 (by published)'."""
    if edge.direction is DirectionBasis.UNDETERMINED:
        return f"documents {edge.origin_doc} and {edge.derived_doc} share it (direction unknown)"
    return (
        f"document {edge.derived_doc} took it from document {edge.origin_doc} "
        f"(by {edge.direction.value})"
    )
