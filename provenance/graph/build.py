"""The provenance graph: agencies, outlets, documents and clusters, and who supplied whom.

Edges (each with a weight and the evidence behind it):

- ``published``: outlet -> document.
- ``contains``: document -> cluster, weighted by the document's characters in the cluster.
- ``origin_of``: agency -> cluster, weighted by the origin's confidence.
- ``supplied``: agency -> document, weighted by the characters of the document's reused
  passages attributed to that agency.
- ``copied_from``: earlier document -> later document (directed, "likely copied from"), only
  when both are dated and the dates differ; weighted by shared characters.
- ``shares_wire_copy``: document -- document (undirected), when no date gives a direction.

Only news clusters enter the graph: boilerplate, stock phrases and credit lines say nothing
about who supplied whom (and would add n^2 edges), so they add no node and no edge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

from provenance.corpus import column
from provenance.records import Cluster, Document, GraphEdge, GraphNode, Origin

MAX_PAIR_DOCS = 50  # a cluster over more documents adds no pairwise document edges


def node_id(kind: str, name: str) -> str:
    """The id of a node: ``kind:name`` (e.g. ``agency:AP``, ``doc:000_1d5a.txt``)."""
    return f"{kind}:{name}"


def build_graph(
    docs: Sequence[Document], clusters: Sequence[Cluster], origins: Sequence[Origin]
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Nodes and edges of the provenance graph of the news clusters, in a stable order."""
    clusters = [c for c in clusters if c.category == "news" and not c.boilerplate]
    nodes: dict[str, GraphNode] = {}
    edges: list[GraphEdge] = []

    def node(kind: str, name: str, label: str | None = None) -> str:
        nid = node_id(kind, name)
        nodes.setdefault(nid, GraphNode(nid, kind, label or name))
        return nid

    origin_of = {o.cluster_id: o for o in origins}
    ids, titles, outlets = column(docs, "doc_id"), column(docs, "title"), column(docs, "outlet")
    whens, dates = column(docs, "when"), column(docs, "date")
    in_clusters = sorted({o.doc for c in clusters for o in c.occurrences})
    for d in in_clusters:
        dnode = node("doc", ids[d], titles[d] or ids[d])
        if outlets[d]:
            edges.append(GraphEdge(node("outlet", outlets[d]), dnode, "published", 1.0, True, "document's outlet"))
    supplied: dict[tuple[str, int], float] = defaultdict(float)
    pair_chars: dict[tuple[int, int], float] = defaultdict(float)
    for cluster in clusters:
        cnode = node("cluster", cluster.cluster_id)
        origin = origin_of.get(cluster.cluster_id)
        chars_in: dict[int, int] = defaultdict(int)
        for occ in cluster.occurrences:
            chars_in[occ.doc] += occ.end - occ.start
        for d, chars in sorted(chars_in.items()):
            edges.append(GraphEdge(node_id("doc", ids[d]), cnode, "contains", float(chars), True, "reused characters"))
        if origin is not None and origin.agency:
            anode = node("agency", origin.agency)
            edges.append(GraphEdge(anode, cnode, "origin_of", origin.confidence, True, origin.evidence))
            for d, chars in chars_in.items():
                supplied[(origin.agency, d)] += chars
        if len(chars_in) > MAX_PAIR_DOCS:
            continue
        for a, b in combinations(sorted(chars_in), 2):
            pair_chars[(a, b)] += min(chars_in[a], chars_in[b])
    for (agency, d), weight in sorted(supplied.items()):
        edges.append(
            GraphEdge(
                node_id("agency", agency),
                node_id("doc", ids[d]),
                "supplied",
                weight,
                True,
                "attributed reused copy",
            )
        )
    for (a, b), weight in sorted(pair_chars.items()):
        ka, kb = whens[a], whens[b]
        if ka and kb and ka != kb:
            early, late = (a, b) if ka < kb else (b, a)
            why = f"{ids[early]} dated {dates[early]}, {ids[late]} dated {dates[late]}"
            edges.append(
                GraphEdge(node_id("doc", ids[early]), node_id("doc", ids[late]), "copied_from", weight, True, why)
            )
        else:
            edges.append(
                GraphEdge(
                    node_id("doc", ids[a]),
                    node_id("doc", ids[b]),
                    "shares_wire_copy",
                    weight,
                    False,
                    "no date gives a direction",
                )
            )
    return list(nodes.values()), edges
