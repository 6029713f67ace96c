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

The graph is built on arrays and held as two Arrow tables (``arrow.Rows``), not an object per
node and edge: its edges grow with the reuse found (147,000 at 100,000 generated documents, 35
MB as ``GraphEdge`` objects with their strings), and a node's id is made once per document or
cluster, each edge naming it by reference until the table is made. (Not with Arrow's compute
functions: ``take`` and string joins would do it, but importing them costs a scan 35 ms.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from provenance.arrow import Rows, micros, schema_of
from provenance.corpus import column
from provenance.records import Cluster, Document, GraphEdge, GraphNode, Origin

MAX_PAIR_DOCS = 50  # a cluster over more documents adds no pairwise document edges

NODE_SCHEMA = schema_of(GraphNode)
EDGE_SCHEMA = schema_of(GraphEdge)


def node_id(kind: str, name: str) -> str:
    """The id of a node: ``kind:name`` (e.g. ``agency:AP``, ``doc:000_1d5a.txt``)."""
    return f"{kind}:{name}"


def build_graph(
    docs: Sequence[Document], clusters: Sequence[Cluster], origins: Sequence[Origin]
) -> tuple[Rows[GraphNode], Rows[GraphEdge]]:
    """Nodes and edges of the provenance graph of the news clusters, in a stable order.

    Nodes: each document with a news passage (in document order) followed by its outlet the
    first time the outlet is named, then each news cluster followed by its origin's agency the
    first time it is named. Edges: ``published`` (document order); per cluster, ``contains``
    (document order) then ``origin_of``; ``supplied`` (by agency, then document); then the
    document pairs (``copied_from`` or ``shares_wire_copy``, by pair).
    """
    news = [c for c in clusters if c.category == "news" and not c.boilerplate]
    n = max(len(docs), 1)
    # Every copy of a news cluster: its cluster's position in ``news``, document and characters.
    kept = [(k, o.doc, o.end - o.start) for k, c in enumerate(news) for o in c.occurrences]
    copies = np.array(kept, dtype=np.int64).reshape(-1, 3)
    del kept
    # Each member: a document's characters in a cluster (its copies there summed), sorted by
    # cluster, then document.
    keys, where = np.unique(copies[:, 0] * n + copies[:, 1], return_inverse=True)
    chars = np.bincount(where.reshape(-1), weights=copies[:, 2], minlength=keys.shape[0])
    del copies, where
    in_clusters = np.unique(keys % n)  # the documents in the graph, each a node
    members = _Members(keys // n, np.searchsorted(in_clusters, keys % n), chars)
    ids, titles, outlets = column(docs, "doc_id"), column(docs, "title"), column(docs, "outlet")
    graph = _Graph(
        doc_ids=[ids[d] for d in in_clusters.tolist()],
        doc_outlets=[outlets[d] for d in in_clusters.tolist()],
        cluster_ids=[c.cluster_id for c in news],
    )
    origin_of = {o.cluster_id: o for o in origins}
    found = [origin_of.get(c.cluster_id) for c in news]
    credited = [(k, o) for k, o in enumerate(found) if o is not None and o.agency]
    agency = [o.agency if o is not None and o.agency else None for o in found]

    nodes = graph.nodes([titles[d] for d in in_clusters.tolist()], agency)
    edges = _Edges()
    graph.published(edges)
    graph.contains_and_origins(edges, members, credited)
    graph.supplied(edges, members, agency)
    graph.pairs(edges, members, docs, in_clusters)
    return Rows(nodes, GraphNode), Rows(edges.table(), GraphEdge)


class _Members(NamedTuple):
    """The graph's (cluster, document) members as arrays, sorted by cluster, then document:
    the cluster's position, the document's node (its place among the graph's documents), and
    the document's characters in the cluster."""

    cluster: np.ndarray
    node: np.ndarray
    chars: np.ndarray


class _Edges:
    """Edge columns gathered group by group: node ids and evidence as references to strings
    made once, numbers as arrays; ``table()`` makes them one Arrow table."""

    def __init__(self) -> None:
        self.source: list[str] = []
        self.target: list[str] = []
        self.kind: list[str] = []
        self.evidence: list[str] = []
        self.weight: list[np.ndarray] = []
        self.directed: list[np.ndarray] = []

    def add(
        self,
        source: list[str],
        target: list[str],
        kind: str | list[str],
        weight: np.ndarray,
        directed: bool | np.ndarray,
        evidence: str | list[str],
    ) -> None:
        rows = len(source)
        self.source += source
        self.target += target
        self.kind += [kind] * rows if isinstance(kind, str) else kind
        self.weight.append(np.asarray(weight, dtype=np.float64))
        self.directed.append(np.full(rows, directed) if isinstance(directed, bool) else directed)
        self.evidence += [evidence] * rows if isinstance(evidence, str) else evidence

    def table(self) -> pa.Table:
        columns = [
            pa.array(self.source, pa.string()),
            pa.array(self.target, pa.string()),
            pa.array(self.kind, pa.string()),
            pa.array(np.concatenate([*self.weight, np.empty(0)]), pa.float64()),
            pa.array(np.concatenate([*self.directed, np.empty(0, dtype=bool)]), pa.bool_()),
            pa.array(self.evidence, pa.string()),
        ]
        return pa.Table.from_arrays(columns, schema=EDGE_SCHEMA)


class _Graph:
    """The graph's nodes, each id made once: its documents' (in order), and its clusters'."""

    def __init__(self, doc_ids: list[str], doc_outlets: list[str | None], cluster_ids: list[str]) -> None:
        self.doc_ids, self.doc_outlets, self.cluster_ids = doc_ids, doc_outlets, cluster_ids
        self.doc_nodes = [node_id("doc", i) for i in doc_ids]
        self.cluster_nodes = [node_id("cluster", c) for c in cluster_ids]

    def nodes(self, titles: list[str | None], agency: list[str | None]) -> pa.Table:
        """Each document, then its outlet when first named; then each cluster, then its origin's
        agency when first named."""
        ids, kinds, labels, order = [], [], [], []
        outlet_at, outlets = _first_named(self.doc_outlets)
        agency_at, agencies = _first_named(agency)
        n_docs = len(self.doc_ids)
        parts = [
            (self.doc_nodes, "doc", [t or i for t, i in zip(titles, self.doc_ids, strict=True)], range(n_docs), 0),
            ([node_id("outlet", o) for o in outlets], "outlet", outlets, outlet_at, 1),
            (self.cluster_nodes, "cluster", self.cluster_ids, range(len(self.cluster_ids)), 2 * n_docs),
            ([node_id("agency", a) for a in agencies], "agency", agencies, agency_at, 2 * n_docs + 1),
        ]
        for part_ids, kind, part_labels, at, base in parts:
            ids += part_ids
            kinds += [kind] * len(part_ids)
            labels += part_labels
            order.append(base + 2 * np.asarray(at, dtype=np.int64))
        ranked = np.argsort(np.concatenate(order), kind="stable").tolist()
        # A node named twice is one node, as first named: an index query's result holds the
        # indexed document beside a new one with the same id (its edges name the one node).
        first_of: dict[str, int] = {}
        for i in ranked:
            first_of.setdefault(ids[i], i)
        ranked = list(first_of.values())
        columns = [pa.array([values[i] for i in ranked], pa.string()) for values in (ids, kinds, labels)]
        return pa.Table.from_arrays(columns, schema=NODE_SCHEMA)

    def published(self, edges: _Edges) -> None:
        """``published``: outlet -> document, for each document (in order) with an outlet."""
        with_outlet = [i for i, o in enumerate(self.doc_outlets) if o]
        outlet_nodes = {o: node_id("outlet", o) for o in self.doc_outlets if o}
        sources = [outlet_nodes[self.doc_outlets[i] or ""] for i in with_outlet]
        targets = [self.doc_nodes[i] for i in with_outlet]
        edges.add(sources, targets, "published", np.ones(len(with_outlet)), True, "document's outlet")

    def contains_and_origins(self, edges: _Edges, members: _Members, credited: list[tuple[int, Origin]]) -> None:
        """Per cluster in order: ``contains`` (document -> cluster, its characters; documents in
        order), then ``origin_of`` (agency -> cluster, the origin's confidence) when it has one."""
        at = np.array([k for k, _ in credited], dtype=np.int64)
        order = np.argsort(np.concatenate([members.cluster * 2, at * 2 + 1]), kind="stable")
        n = members.cluster.shape[0]
        doc_nodes, cluster_nodes = self.doc_nodes, self.cluster_nodes
        source = [doc_nodes[i] for i in members.node.tolist()] + [
            node_id("agency", o.agency or "") for _, o in credited
        ]
        target = [cluster_nodes[k] for k in members.cluster.tolist()] + [cluster_nodes[k] for k, _ in credited]
        weight = np.concatenate([members.chars, np.array([o.confidence for _, o in credited], dtype=np.float64)])
        kind = ["contains"] * n + ["origin_of"] * len(credited)
        evidence = ["reused characters"] * n + [o.evidence for _, o in credited]
        ranked = order.tolist()
        edges.add(
            [source[i] for i in ranked],
            [target[i] for i in ranked],
            [kind[i] for i in ranked],
            weight[order],
            True,
            [evidence[i] for i in ranked],
        )

    def supplied(self, edges: _Edges, members: _Members, agency: list[str | None]) -> None:
        """``supplied``: agency -> document, the document's characters in the clusters the
        agency is the origin of; by agency, then document."""
        names = sorted({a for a in agency if a})
        code = np.array([names.index(a) if a else -1 for a in agency], dtype=np.int64)  # few agencies
        of_member = code[members.cluster] if code.shape[0] else np.empty(0, dtype=np.int64)
        has = of_member >= 0
        width = max(len(self.doc_nodes), 1)
        keys, where = np.unique(of_member[has] * width + members.node[has], return_inverse=True)
        weight = np.bincount(where.reshape(-1), weights=members.chars[has], minlength=keys.shape[0])
        agency_nodes = [node_id("agency", a) for a in names]
        sources = [agency_nodes[k] for k in (keys // width).tolist()]
        targets = [self.doc_nodes[i] for i in (keys % width).tolist()]
        edges.add(sources, targets, "supplied", weight, True, "attributed reused copy")

    def pairs(self, edges: _Edges, members: _Members, docs: Sequence[Document], in_clusters: np.ndarray) -> None:
        """Document pairs sharing a cluster of at most ``MAX_PAIR_DOCS`` documents, each weighted
        by the smaller side's characters summed over the clusters they share; ``copied_from``
        from the earlier to the later when both are dated and the dates differ, else
        ``shares_wire_copy``. In pair order (documents in order)."""
        width = max(len(self.doc_nodes), 1)
        first = np.empty(members.cluster.shape[0], dtype=bool)  # where each cluster's members begin
        first[:1], first[1:] = True, members.cluster[1:] != members.cluster[:-1]
        bounds = np.append(np.flatnonzero(first), members.cluster.shape[0])
        sizes = np.diff(bounds)
        keys: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
        weights: list[np.ndarray] = [np.empty(0)]
        for size in np.unique(sizes[(sizes >= 2) & (sizes <= MAX_PAIR_DOCS)]).tolist():
            # the clusters of ``size`` documents as the rows of a matrix of their members
            rows = bounds[:-1][sizes == size][:, None] + np.arange(size)
            left, right = np.triu_indices(size, 1)
            a, b = members.node[rows[:, left]], members.node[rows[:, right]]
            keys.append((a * width + b).reshape(-1))
            weights.append(np.minimum(members.chars[rows[:, left]], members.chars[rows[:, right]]).reshape(-1))
        pair, where = np.unique(np.concatenate(keys), return_inverse=True)
        weight = np.bincount(where.reshape(-1), weights=np.concatenate(weights), minlength=pair.shape[0])
        a, b = pair // width, pair % width
        whens, dates = column(docs, "when"), column(docs, "date")
        when_of = [whens[d] for d in in_clusters.tolist()]
        known = np.array([w is not None for w in when_of], dtype=bool)
        moment = np.array([micros(w) if w is not None else 0 for w in when_of], dtype=np.int64)
        directed = known[a] & known[b] & (moment[a] != moment[b])
        early = np.where(directed & (moment[b] < moment[a]), b, a)
        late = np.where(early == a, b, a)
        date_of = [dates[d] for d in in_clusters.tolist()]
        ids, nodes = self.doc_ids, self.doc_nodes
        evidence = [
            f"{ids[e]} dated {date_of[e]}, {ids[t]} dated {date_of[t]}" if d else "no date gives a direction"
            for e, t, d in zip(early.tolist(), late.tolist(), directed.tolist(), strict=True)
        ]
        kind = ["copied_from" if d else "shares_wire_copy" for d in directed.tolist()]
        edges.add(
            [nodes[e] for e in early.tolist()], [nodes[t] for t in late.tolist()], kind, weight, directed, evidence
        )


def _first_named(names: list[str | None]) -> tuple[list[int], list[str]]:
    """Where each distinct name is first given (empty and None names skipped), and the names."""
    firsts: list[int] = []
    seen: dict[str, None] = {}
    for i, name in enumerate(names):
        if name and name not in seen:
            seen[name] = None
            firsts.append(i)
    return firsts, list(seen)
