"""The hand-streamed GraphML and GEXF files read back in networkx with every attribute intact."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import networkx as nx
import pytest

from provenance.graph import write_gexf, write_graphml
from provenance.records import GraphEdge, GraphNode

NODES = [
    GraphNode("agency:AP", "agency", "AP"),
    GraphNode('doc:a&b <"c">.txt', "doc", "Storm \x0bhits & <coast>"),
    GraphNode("cluster:c000001", "cluster", "c000001"),
]
EDGES = [
    GraphEdge("agency:AP", 'doc:a&b <"c">.txt', "supplied", 412.0, True, "attributed reused copy"),
    GraphEdge('doc:a&b <"c">.txt', "cluster:c000001", "contains", 412.0, True, 'credit "Photo / AP" & more'),
]


@pytest.mark.parametrize(("write", "read"), [(write_graphml, nx.read_graphml), (write_gexf, nx.read_gexf)])
def test_streamed_graph_files_round_trip_through_networkx(tmp_path: Path, write, read) -> None:
    path = tmp_path / "graph.xml"
    write(NODES, EDGES, path)
    graph = read(path)
    assert set(graph.nodes) == {n.id for n in NODES}
    assert graph.nodes['doc:a&b <"c">.txt']["kind"] == "doc"
    assert graph.nodes['doc:a&b <"c">.txt']["label"] == "Storm hits & <coast>"  # control character dropped
    edge = graph.edges['doc:a&b <"c">.txt', "cluster:c000001"]
    assert (edge["kind"], edge["weight"], edge["directed"]) == ("contains", 412.0, True)
    assert edge["evidence"] == 'credit "Photo / AP" & more'


@pytest.mark.parametrize("write", [write_graphml, write_gexf])
def test_writing_a_graph_keeps_nothing_of_it_in_memory(tmp_path: Path, write) -> None:
    # A report's graph is written once; what the writer remembers of its ids and labels while
    # writing goes with the file (it was kept for the process: 29 MB at 100,000 documents).
    nodes = [GraphNode(f"doc:{i:06d}.txt", "doc", f"title {i} " + "x" * 500) for i in range(4000)]
    edges = [GraphEdge(n.id, nodes[0].id, "copied_from", 1.0, True, f"evidence {n.id} " + "y" * 200) for n in nodes]
    write(nodes[:10], edges[:10], tmp_path / "warm.xml")  # imports and first-call caches settle
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        write(nodes, edges, tmp_path / "graph.xml")
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 200_000, f"{kept:,} bytes kept after writing a graph of 5 MB of labels"
