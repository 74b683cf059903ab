"""The documents and who copied whom as a graph, for Gephi, networkx or igraph users.

Nodes are documents (``d<id>``) with their outlet, published date, title and URL; each
edge points from the origin to the derived document of a reuse pair, with the kinds of
its links, how the direction was told, the METER relation and the reused share.
"""

from __future__ import annotations

import json
from typing import TextIO

import networkx as nx

from newstrace.link.reuse import LINK_VERSION
from newstrace.store import DocumentStore
from newstrace.store.links import LinkStore

GRAPH_FORMATS = ("graphml", "graphjson")


def reuse_graph(store: DocumentStore) -> nx.DiGraph:
    """Every document as a node, every reuse pair as an origin -> derived edge."""
    graph = nx.DiGraph()
    for doc in store.documents():
        graph.add_node(
            f"d{doc.id}",
            document_id=doc.id,
            outlet=doc.outlet or "",
            published=doc.published.iso() if doc.published else "",
            title=doc.title or "",
            url=doc.url or "",
        )
    for pair in LinkStore(store.engine, LINK_VERSION).reuse():
        graph.add_edge(
            f"d{pair.origin_doc}",
            f"d{pair.derived_doc}",
            kind=";".join(sorted({link.kind.value for link in pair.links})),
            direction=pair.direction.value,
            relation=pair.relation.value,
            share=pair.reused_share,
            links=len(pair.links),
        )
    return graph


def write_graph(store: DocumentStore, export_format: str, handle: TextIO) -> int:
    """Write the graph as GraphML or node-link JSON; return the number of edges."""
    graph = reuse_graph(store)
    if export_format == "graphml":
        for line in nx.generate_graphml(graph):
            handle.write(line + "\n")
    else:
        json.dump(nx.node_link_data(graph, edges="links"), handle, ensure_ascii=False)
        handle.write("\n")
    return int(graph.number_of_edges())
