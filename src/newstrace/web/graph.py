"""A provenance graph laid out for a server-rendered SVG: documents as boxes in rows
(origins on top, each copy one row below what it took from), copy links as arrows.

Only geometry and plain strings come out of here; the template escapes the labels.
Links whose direction is undetermined are drawn without an arrowhead, and do not push
either document down a row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NODE_W, NODE_H = 200, 56
GAP_X, GAP_Y, MARGIN = 24, 56, 12
LABEL_CHARS = 28


@dataclass(frozen=True, slots=True)
class Node:
    doc_id: int
    title: str  # first line: the outlet
    subtitle: str  # second line: the date and document number
    href: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Arrow:
    """A copy link from the origin's box to the derived one's; ``directed`` draws a head."""

    origin: int
    derived: int
    x1: float
    y1: float
    x2: float
    y2: float
    directed: bool
    label: str


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: list[Node]
    arrows: list[Arrow]
    width: float
    height: float
    node_w: float = NODE_W
    node_h: float = NODE_H


@dataclass(frozen=True, slots=True)
class EdgeIn:
    """What the layout needs of one copy link."""

    origin: int
    derived: int
    directed: bool
    label: str


@dataclass(frozen=True, slots=True)
class NodeIn:
    """What the layout needs of one document."""

    doc_id: int
    title: str
    subtitle: str
    href: str


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _rows(docs: Sequence[int], edges: Iterable[EdgeIn]) -> dict[int, int]:
    """Each document's row: one below the lowest document it took from (cycles cut)."""
    parents: dict[int, set[int]] = defaultdict(set)
    for e in edges:
        if e.directed and e.origin != e.derived:
            parents[e.derived].add(e.origin)
    row = dict.fromkeys(docs, 0)
    for _ in range(len(docs)):  # at most one pass per document: a cycle cannot loop forever
        changed = False
        for doc in docs:
            deepest = max((row[p] + 1 for p in parents[doc] if p in row), default=0)
            if deepest > row[doc] and deepest < len(docs):
                row[doc], changed = deepest, True
        if not changed:
            break
    return row


def layout(nodes: Sequence[NodeIn], edges: Sequence[EdgeIn]) -> Graph:
    """Boxes in rows, each row centred, and arrows from the bottom of an origin to the top
    of its copy (side by side when both sit in one row)."""
    rows = _rows([n.doc_id for n in nodes], edges)
    by_row: dict[int, list[NodeIn]] = defaultdict(list)
    for n in sorted(nodes, key=lambda n: n.doc_id):
        by_row[rows[n.doc_id]].append(n)
    widest = max((len(r) for r in by_row.values()), default=0)
    width = 2 * MARGIN + widest * NODE_W + max(0, widest - 1) * GAP_X
    placed: dict[int, Node] = {}
    for r, members in sorted(by_row.items()):
        span = len(members) * NODE_W + (len(members) - 1) * GAP_X
        left = (width - span) / 2
        for i, n in enumerate(members):
            x, y = left + i * (NODE_W + GAP_X), MARGIN + r * (NODE_H + GAP_Y)
            placed[n.doc_id] = Node(n.doc_id, _short(n.title), _short(n.subtitle), n.href, x, y)
    height = 2 * MARGIN + len(by_row) * NODE_H + max(0, len(by_row) - 1) * GAP_Y
    arrows = [
        _arrow(placed[e.origin], placed[e.derived], e)
        for e in edges
        if e.origin in placed and e.derived in placed
    ]
    return Graph(list(placed.values()), arrows, width, height)


def _arrow(a: Node, b: Node, edge: EdgeIn) -> Arrow:
    if a.y == b.y:  # one row: from the nearer side to the nearer side
        left, right = (a, b) if a.x < b.x else (b, a)
        y = a.y + NODE_H / 2
        x1, x2 = left.x + NODE_W, right.x
        if a is right:
            x1, x2 = x2, x1
        return Arrow(a.doc_id, b.doc_id, x1, y, x2, y, edge.directed, edge.label)
    top, bottom = (a, b) if a.y < b.y else (b, a)
    x1, y1 = top.x + NODE_W / 2, top.y + NODE_H
    x2, y2 = bottom.x + NODE_W / 2, bottom.y
    if a is bottom:
        x1, y1, x2, y2 = x2, y2, x1, y1
    return Arrow(a.doc_id, b.doc_id, x1, y1, x2, y2, edge.directed, edge.label)
