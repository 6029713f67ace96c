"""Join verified alignments into passages and clusters.

Within each document, the spans of all alignments that overlap merge into one maximal
occurrence. Spans that merely touch stay apart: two copies of a caption printed one after the
other are two occurrences, not one (joining fragments across small edits is the aligner's job). Alignments then link
occurrences across (or within) documents; connected components are the clusters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from provenance.records import Alignment, Cluster, Kind, Occurrence


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping spans (end exclusive) into maximal ones, in order."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


class UnionFind:
    """Disjoint sets over ``0..n-1``; the root of a set is its smallest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        """The root of ``x``'s set."""
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        """Join the sets of ``x`` and ``y``."""
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def build_clusters(
    alignments: Iterable[Alignment],
    boilerplate_docs: int | None = None,
) -> list[Cluster]:
    """Clusters of reused passages, in document order, with stable ids ``c000001``...

    Clusters spanning more than ``boilerplate_docs`` documents are flagged as boilerplate.
    Occurrences are ``cross-document`` when their cluster spans several documents, else
    ``internal`` (a passage repeated inside one document).
    """
    alignments = list(alignments)
    spans: dict[int, list[tuple[int, int]]] = {}
    for al in alignments:
        spans.setdefault(al.doc_a, []).append((al.a_start, al.a_end))
        spans.setdefault(al.doc_b, []).append((al.b_start, al.b_end))
    nodes: list[tuple[int, int, int]] = []  # (doc, start, end), in document order
    first_node: dict[int, int] = {}
    for doc in sorted(spans):
        first_node[doc] = len(nodes)
        nodes.extend((doc, s, e) for s, e in merge_spans(spans[doc]))
    starts: dict[int, list[tuple[int, int]]] = {doc: [] for doc in spans}
    for n, (doc, s, _) in enumerate(nodes):
        starts[doc].append((s, n))

    def node_of(doc: int, pos: int) -> int:
        best = first_node[doc]
        for s, n in starts[doc]:  # few occurrences per document: a scan beats a bisect here
            if s > pos:
                break
            best = n
        return best

    uf = UnionFind(len(nodes))
    for al in alignments:
        uf.union(node_of(al.doc_a, al.a_start), node_of(al.doc_b, al.b_start))
    members: dict[int, list[int]] = {}
    for n in range(len(nodes)):
        members.setdefault(uf.find(n), []).append(n)
    clusters = []
    passage_no = 0
    for number, root in enumerate(sorted(members), start=1):
        cluster_id = f"c{number:06d}"
        group = members[root]
        n_docs = len({nodes[n][0] for n in group})
        kind: Kind = "cross-document" if n_docs > 1 else "internal"
        occurrences = []
        for n in group:
            passage_no += 1
            doc, s, e = nodes[n]
            occurrences.append(Occurrence(f"p{passage_no:06d}", cluster_id, doc, s, e, kind))
        flagged = boilerplate_docs is not None and n_docs > boilerplate_docs
        clusters.append(Cluster(cluster_id, tuple(occurrences), boilerplate=flagged))
    return clusters
