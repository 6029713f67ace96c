"""Write the provenance graph as GraphML and GEXF (Gephi, networkx and igraph read both)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from provenance.records import GraphEdge, GraphNode


def to_networkx(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge]) -> nx.MultiDiGraph:
    """A networkx multigraph; undirected edges carry ``directed=False`` (GraphML and GEXF
    files hold one direction per graph, so the attribute keeps the distinction)."""
    graph = nx.MultiDiGraph()
    for n in nodes:
        graph.add_node(n.id, kind=n.kind, label=n.label)
    for e in edges:
        graph.add_edge(
            e.source, e.target, kind=e.kind, weight=float(e.weight), directed=e.directed, evidence=e.evidence
        )
    return graph


def write_graphml(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge], path: Path) -> None:
    """Write the graph as GraphML."""
    nx.write_graphml(to_networkx(nodes, edges), path)


def write_gexf(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge], path: Path) -> None:
    """Write the graph as GEXF 1.2."""
    nx.write_gexf(to_networkx(nodes, edges), path)
