"""The hand-streamed GraphML and GEXF files read back in networkx with every attribute intact."""

from __future__ import annotations

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
