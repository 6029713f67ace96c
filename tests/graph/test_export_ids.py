"""Node ids in GraphML and GEXF stay distinct and XML-valid whatever characters the ids hold:
documents ``a\\x01`` and ``a\\x02`` are two nodes, not one, and the files parse."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.graph import write_gexf, write_graphml
from provenance.graph.export import escape_id, unescape_id
from provenance.records import GraphEdge, GraphNode

GEXF = "{http://www.gexf.net/1.2draft}"
# What XML 1.0 cannot hold at all, even as a character reference.
NOT_XML = {*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF}
IDS = ["doc:a\x01", "doc:a\x02", "doc:a", "doc:a_x0001_", "doc:\ud800", "doc:a\x1b[2J"]
NODES = [GraphNode(i, "doc", i) for i in IDS] + [GraphNode("cluster:c000001", "cluster", "c000001")]
EDGES = [GraphEdge(i, "cluster:c000001", "contains", float(n + 1), True, "") for n, i in enumerate(IDS)]


def test_graphml_keeps_ids_that_differ_only_in_control_characters_apart(tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    write_graphml(NODES, EDGES, path)
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.number_of_nodes() == len(NODES)
    assert {unescape_id(n) for n in graph.nodes} == {n.id for n in NODES}
    weights = {unescape_id(u): d["weight"] for u, _, d in graph.edges(data=True)}
    assert weights == {e.source: e.weight for e in EDGES}  # each edge still starts at its own node


def test_gexf_keeps_ids_that_differ_only_in_control_characters_apart(tmp_path: Path) -> None:
    path = tmp_path / "graph.gexf"
    write_gexf(NODES, EDGES, path)
    root = ET.parse(path).getroot()  # well-formed, or this raises
    ids = [node.get("id") for node in root.iter(f"{GEXF}node")]
    assert len(set(ids)) == len(NODES)
    assert {unescape_id(i) for i in ids} == {n.id for n in NODES}
    ends = {(unescape_id(e.get("source")), e.get("weight")) for e in root.iter(f"{GEXF}edge")}
    assert ends == {(e.source, repr(e.weight)) for e in EDGES}
    assert nx.read_gexf(path).number_of_nodes() == len(NODES)


def test_a_scan_of_two_documents_differing_in_a_control_character_gives_two_graph_nodes(
    runner, seeds_dir: Path, tmp_path: Path
) -> None:
    text = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    corpus = tmp_path / "pair.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i in ("a\x01", "a\x02")), encoding="utf-8")
    out = tmp_path / "report"
    result = runner("scan", corpus, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    docs = sorted(unescape_id(n) for n, kind in graph.nodes(data="kind") if kind == "doc")
    assert docs == ["doc:a\x01", "doc:a\x02"]
    gexf = ET.parse(out / "graph.gexf").getroot()
    kinds = {n.get("id"): n.find(f"{GEXF}attvalues/{GEXF}attvalue").get("value") for n in gexf.iter(f"{GEXF}node")}
    assert sorted(unescape_id(i) for i, kind in kinds.items() if kind == "doc") == docs


@given(st.text())
def test_escape_id_round_trips_and_leaves_nothing_xml_cannot_hold(node_id: str) -> None:
    written = escape_id(node_id)
    assert unescape_id(written) == node_id
    assert not any(ord(c) in NOT_XML for c in written)


@pytest.mark.parametrize(
    ("node_id", "written"),
    [("a\x01", "a_x0001_"), ("a_x", "a_x005F_x"), ("a_b", "a_b"), ("\ud800", "_xD800_"), ("a\tb", "a\tb")],
)
def test_escape_id_spelling(node_id: str, written: str) -> None:
    assert escape_id(node_id) == written
