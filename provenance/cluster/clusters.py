"""Join verified alignments into passages and clusters that each hold one text.

Alignments that cover two texts reused from different sources are cut first
(``segment.split_composites``). Within each document, the spans of alignments then join one
occurrence only when they overlap substantially: by at least ``min_overlap`` of the longer
one, or of the shorter when that is long itself (``occurrence_groups``). So neither a match that
grazes the edge of another nor a stock phrase inside many stories can chain texts, while the
copies of one story, matched to different edits, stay one occurrence. Two copies of a caption
printed one after the other (touching) stay two occurrences. Alignments then link occurrences
across (or within) documents; connected components are the clusters.
"""

from __future__ import annotations

import dataclasses
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


def _joins(length_a: int, length_b: int, overlap: int, min_overlap: float, long_chars: int) -> bool:
    """Whether two spans overlapping by ``overlap`` characters are one occurrence."""
    longer, shorter = (length_a, length_b) if length_a > length_b else (length_b, length_a)
    return overlap >= min_overlap * longer or (shorter >= long_chars and overlap >= min_overlap * shorter)


def occurrence_groups(
    spans: Sequence[tuple[int, int]], min_overlap: float, long_chars: int = 200
) -> tuple[list[tuple[int, int]], list[int]]:
    """Group one document's alignment spans into occurrences.

    Two spans join (transitively) when they overlap by at least ``min_overlap`` of the longer
    one, or of the shorter one when that is itself ``long_chars`` or more: copies of one story
    whose matches end at different edits join, and so does a long excerpt of it; a short span
    inside a long one (a stock phrase or a caption inside a story, a byline under it) does not,
    so it cannot chain every story that carries it into one cluster.

    Returns the occurrences' extents, sorted by ``(start, end)``, and for each span the number
    of its occurrence. The Spark engine groups with this same function.
    """
    unique = sorted(set(spans))
    if len(unique) == 1:  # most documents: one span, or one span repeated by many matches
        return unique, [0] * len(spans)
    if len(unique) == 2:  # the next most common case, decided without the general machinery
        (s0, e0), (s1, e1) = unique
        if _joins(e0 - s0, e1 - s1, min(e0, e1) - s1, min_overlap, long_chars):
            return [(s0, max(e0, e1))], [0] * len(spans)
        return unique, [0 if span == unique[0] else 1 for span in spans]
    parent = list(range(len(unique)))  # a union-find inlined: this loop runs for every span

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    active: list[tuple[int, int, int]] = []  # (end, length, index) of spans that may overlap the next
    for j, (start, end) in enumerate(unique):
        length = end - start
        active = [t for t in active if t[0] > start]
        for other_end, other_length, i in active:
            if _joins(length, other_length, (end if end < other_end else other_end) - start, min_overlap, long_chars):
                ri, rj = root(i), root(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
        active.append((end, length, j))
    extent: dict[int, list[int]] = {}
    roots = [root(i) for i in range(len(unique))]
    for (start, end), r in zip(unique, roots, strict=True):
        if r in extent:
            box = extent[r]
            box[0] = min(box[0], start)
            box[1] = max(box[1], end)
        else:
            extent[r] = [start, end]
    groups = sorted((s_, e_, r) for r, (s_, e_) in extent.items())
    number = {r: n for n, (_, _, r) in enumerate(groups)}
    at = {span: number[r] for span, r in zip(unique, roots, strict=True)}
    return [(s_, e_) for s_, e_, _ in groups], [at[span] for span in spans]


def build_clusters(
    alignments: Iterable[Alignment],
    boilerplate_docs: int | None = None,
    min_overlap: float = 0.5,
    long_chars: int = 200,
    min_docs: int = 1,
) -> list[Cluster]:
    """Clusters of reused passages, in document order, with stable ids ``c000001``...

    Occurrences are grouped per document by ``occurrence_groups`` (``min_overlap``,
    ``long_chars``). Clusters spanning more than ``boilerplate_docs`` documents are flagged as
    boilerplate. Occurrences are ``cross-document`` when their cluster spans several
    documents, else ``internal`` (a passage repeated inside one document). With ``min_docs``,
    only clusters in that many documents or more are returned (their ids unchanged, so the
    numbering has gaps).
    """
    spans: dict[int, list[tuple[int, int]]] = {}
    sides: list[tuple[int, int, int, int]] = []  # per alignment: (doc_a, span no., doc_b, span no.)
    for al in alignments:
        on_a = spans.setdefault(al.doc_a, [])
        at_a = len(on_a)
        on_a.append((al.a_start, al.a_end))
        on_b = spans.setdefault(al.doc_b, [])
        sides.append((al.doc_a, at_a, al.doc_b, len(on_b)))
        on_b.append((al.b_start, al.b_end))
    nodes: list[tuple[int, int, int]] = []  # (doc, start, end), in document order
    node_of: dict[int, list[int]] = {}  # per document, the node of each of its spans
    for doc in sorted(spans):
        extents, group_of = occurrence_groups(spans[doc], min_overlap, long_chars)
        first = len(nodes)
        nodes.extend((doc, s, e) for s, e in extents)
        node_of[doc] = [first + g for g in group_of]

    uf = UnionFind(len(nodes))
    for doc_a, at_a, doc_b, at_b in sides:
        uf.union(node_of[doc_a][at_a], node_of[doc_b][at_b])
    members: dict[int, list[int]] = {}
    for n in range(len(nodes)):
        members.setdefault(uf.find(n), []).append(n)
    clusters = []
    passage_no = 0
    for number, root in enumerate(sorted(members), start=1):
        group = members[root]
        n_docs = len({nodes[n][0] for n in group})
        if n_docs < min_docs:
            passage_no += len(group)
            continue
        cluster_id = f"c{number:06d}"
        kind: Kind = "cross-document" if n_docs > 1 else "internal"
        occurrences = []
        for n in group:
            passage_no += 1
            doc, s, e = nodes[n]
            occurrences.append(Occurrence(f"p{passage_no:06d}", cluster_id, doc, s, e, kind))
        flagged = boilerplate_docs is not None and n_docs > boilerplate_docs
        clusters.append(Cluster(cluster_id, tuple(occurrences), boilerplate=flagged))
    return clusters


def merge_within(clusters: Iterable[Cluster]) -> list[Cluster]:
    """``clusters`` with the overlapping occurrences of one cluster in one document merged.

    Two fragments of one story (a paragraph matched alone, and the whole copy matched
    elsewhere) may stay apart in ``occurrence_groups`` yet land in the same cluster: there they
    are one copy. Passage ids are numbered again in cluster order, then document order, so
    every engine numbers them alike (the pipeline runs this on the driver).
    """
    out = []
    number = 0
    for cluster in clusters:
        spans: dict[int, list[tuple[int, int]]] = {}
        for o in cluster.occurrences:
            spans.setdefault(o.doc, []).append((o.start, o.end))
        kind = cluster.occurrences[0].kind
        occurrences = []
        for doc in sorted(spans):
            for start, end in merge_spans(spans[doc]):
                number += 1
                occurrences.append(Occurrence(f"p{number:06d}", cluster.cluster_id, doc, start, end, kind))
        out.append(dataclasses.replace(cluster, occurrences=tuple(occurrences)))
    return out
