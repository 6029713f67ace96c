"""Write the provenance graph as GraphML and GEXF (Gephi, networkx and igraph read both).

The files are streamed out by hand rather than through networkx's writers: those build an
ElementTree of the whole graph first, which took 10 s and hundreds of MB for the Reuters
corpus's graph and grows with it. Both formats are small XML dialects; the tests read what
is written here back with networkx.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from provenance.errors import ReportError
from provenance.records import GraphEdge, GraphNode

if TYPE_CHECKING:
    import networkx as nx

_NODE_ATTRS = (("kind", "string"), ("label", "string"))
_EDGE_ATTRS = (("kind", "string"), ("weight", "double"), ("directed", "boolean"), ("evidence", "string"))


def to_networkx(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge]) -> nx.MultiDiGraph:
    """A networkx multigraph; undirected edges carry ``directed=False`` (one GraphML or GEXF
    file holds one default direction, so the attribute keeps the distinction)."""
    import networkx as nx  # imported here: a scan never needs it, and it costs 0.1 s to load

    graph = nx.MultiDiGraph()
    for n in nodes:
        graph.add_node(n.id, kind=n.kind, label=n.label)
    for e in edges:
        graph.add_edge(
            e.source, e.target, kind=e.kind, weight=float(e.weight), directed=e.directed, evidence=e.evidence
        )
    return graph


# One str.translate both escapes markup and drops the control characters XML 1.0 cannot
# carry even escaped; node ids recur in every edge, so their quoted forms are memoised.
_ESCAPE = {c: None for c in range(32) if chr(c) not in "\t\n\r"} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("\n"): "&#10;",
    ord("\r"): "&#13;",
    ord("\t"): "&#9;",
}
_TEXT_ESCAPE = {k: v for k, v in _ESCAPE.items() if k not in (ord('"'), ord("\n"), ord("\r"), ord("\t"))}


@lru_cache(maxsize=1 << 16)
def _q(value: object) -> str:
    return '"' + str(value).translate(_ESCAPE) + '"'


def _open(path: Path) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as err:
        raise ReportError(f"{path}: cannot write the graph: {err.strerror or err}") from None


def write_graphml(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge], path: Path) -> None:
    """Write the graph as GraphML (a directed multigraph with typed node and edge attributes).

    Raises:
        ReportError: the file cannot be created.
    """
    with _open(path) as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        for name, kind in _NODE_ATTRS:
            out.write(f'  <key id="n_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>\n')
        for name, kind in _EDGE_ATTRS:
            out.write(f'  <key id="e_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n')
        out.write('  <graph edgedefault="directed">\n')
        for n in nodes:
            out.write(
                f'    <node id={_q(n.id)}><data key="n_kind">{_text(n.kind)}</data>'
                f'<data key="n_label">{_text(n.label)}</data></node>\n'
            )
        for i, e in enumerate(edges):
            out.write(
                f'    <edge id="e{i}" source={_q(e.source)} target={_q(e.target)}>'
                f'<data key="e_kind">{_text(e.kind)}</data><data key="e_weight">{float(e.weight)!r}</data>'
                f'<data key="e_directed">{str(e.directed).lower()}</data>'
                f'<data key="e_evidence">{_text(e.evidence)}</data></edge>\n'
            )
        out.write("  </graph>\n</graphml>\n")


def write_gexf(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge], path: Path) -> None:
    """Write the graph as GEXF 1.2 (Gephi's format); edge weights in ``weight``.

    Raises:
        ReportError: the file cannot be created.
    """
    with _open(path) as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
        out.write('  <graph defaultedgetype="directed" mode="static">\n')
        out.write('    <attributes class="node" mode="static">\n')
        out.write('      <attribute id="0" title="kind" type="string"/>\n    </attributes>\n')
        out.write('    <attributes class="edge" mode="static">\n')
        out.write('      <attribute id="1" title="kind" type="string"/>\n')
        out.write('      <attribute id="2" title="directed" type="boolean"/>\n')
        out.write('      <attribute id="3" title="evidence" type="string"/>\n    </attributes>\n')
        out.write("    <nodes>\n")
        for n in nodes:
            out.write(
                f"      <node id={_q(n.id)} label={_q(n.label)}><attvalues>"
                f'<attvalue for="0" value={_q(n.kind)}/></attvalues></node>\n'
            )
        out.write("    </nodes>\n    <edges>\n")
        for i, e in enumerate(edges):
            out.write(
                f'      <edge id="{i}" source={_q(e.source)} target={_q(e.target)} weight="{float(e.weight)!r}"'
                f' label={_q(e.kind)}><attvalues><attvalue for="1" value={_q(e.kind)}/>'
                f'<attvalue for="2" value="{str(e.directed).lower()}"/>'
                f'<attvalue for="3" value={_q(e.evidence)}/></attvalues></edge>\n'
            )
        out.write("    </edges>\n  </graph>\n</gexf>\n")


def _text(value: object) -> str:
    return str(value).translate(_TEXT_ESCAPE)
