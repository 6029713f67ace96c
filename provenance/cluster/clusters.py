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
import itertools
from collections.abc import Iterable, Sequence
from operator import attrgetter

import numpy as np

from provenance.arrays import slices, spread
from provenance.arrow import Rows
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
    of its occurrence. ``span_groups`` applies the same rule to every document at once (the
    local and the Spark engines' clustering).
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


def components(n: int, a: np.ndarray, b: np.ndarray, joined: np.ndarray | None = None) -> np.ndarray:
    """The connected components of ``0..n-1`` joined by the edges ``a[k] - b[k]``: each
    element's component as its smallest member. Hooks each root on the smaller one, then
    halves paths until every element points at its root, a few rounds over all edges at once
    (a Python union-find was most of the cluster stage). ``joined``, a result of this function,
    holds components already joined by earlier edges (edges may come a batch at a time)."""
    parent = np.arange(n, dtype=np.int64) if joined is None else joined.astype(np.int64, copy=True)
    while a.shape[0]:
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        if not apart.any():
            break
        a, b, ra, rb = a[apart], b[apart], ra[apart], rb[apart]  # edges inside a component are done
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:  # every element to its root; roots stay the smallest of their members
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


_PAIRS_AT_ONCE = 1 << 22  # span pairs of one document compared in one go (32 MB each of i and j)


def span_groups(
    doc: np.ndarray, start: np.ndarray, end: np.ndarray, min_overlap: float, long_chars: int = 200
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``occurrence_groups`` of every document at once: the spans ``[start, end)`` of ``doc``
    grouped into occurrences by the same rule, with the same result.

    Returns the occurrences' documents, starts and ends, sorted by document then by extent
    (each document's in ``occurrence_groups``' order), and the occurrence of each span.
    """
    n = doc.shape[0]
    order = np.lexsort((end, start, doc))
    d, s, e = doc[order], start[order], end[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (d[1:] != d[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
    unique_of = np.empty(n, dtype=np.int64)
    unique_of[order] = np.cumsum(new) - 1
    d, s, e = d[new], s[new], e[new]  # the distinct spans, by document, start and end
    m = d.shape[0]
    # Each span is compared with the earlier spans of its document from the first whose
    # document's ends so far reach past its start (the sweep's open spans, and fewer than all),
    # a slice of spans at a time, the slice's joins merged into the components as it goes: so
    # memory stays a slice's even for a document of thousands of nested spans.
    rank = np.cumsum(np.r_[True, d[1:] != d[:-1]]) if m else np.empty(0, np.int64)
    lift = rank * np.int64(int(e.max()) + 1 if m else 1)  # each document's ends above the last's
    reach = np.maximum.accumulate(e + lift)
    first = np.searchsorted(reach, s + lift, side="right")
    earlier = np.arange(m) - first
    root = np.arange(m, dtype=np.int64)
    for lo, hi in slices(earlier, _PAIRS_AT_ONCE):
        counts = earlier[lo:hi]
        j = np.repeat(np.arange(lo, hi), counts)
        i = spread(first[lo:hi], counts)
        overlap = np.minimum(e[i], e[j]) - s[j]  # s[i] <= s[j]
        longer, shorter = np.maximum(e[i] - s[i], e[j] - s[j]), np.minimum(e[i] - s[i], e[j] - s[j])
        joins = (overlap > 0) & (
            (overlap >= min_overlap * longer) | ((shorter >= long_chars) & (overlap >= min_overlap * shorter))
        )
        root = components(m, i[joins], j[joins], root)
    is_root = root == np.arange(m)
    lo_of, hi_of = s.copy(), e.copy()
    np.minimum.at(lo_of, root, s)
    np.maximum.at(hi_of, root, e)
    roots = np.flatnonzero(is_root)
    occ_order = roots[np.lexsort((roots, hi_of[roots], lo_of[roots], d[roots]))]
    number = np.empty(m, dtype=np.int64)
    number[occ_order] = np.arange(occ_order.shape[0])
    return d[occ_order], lo_of[occ_order], hi_of[occ_order], number[root][unique_of]


def alignment_spans(alignments: Iterable[Alignment]) -> np.ndarray:
    """The spans of ``alignments`` as an ``(n, 6)`` array: ``doc_a, a_start, a_end, doc_b,
    b_start, b_end`` (from the columns of ``Rows``, with no record built)."""
    if isinstance(alignments, Rows):
        return np.stack([alignments.column(name) for name in _SPAN_FIELDS], axis=1).astype(np.int64, copy=False)
    flat = np.fromiter(itertools.chain.from_iterable(map(attrgetter(*_SPAN_FIELDS), alignments)), dtype=np.int64)
    return flat.reshape(-1, 6)


_SPAN_FIELDS = ("doc_a", "a_start", "a_end", "doc_b", "b_start", "b_end")


def build_clusters(
    alignments: Iterable[Alignment],
    boilerplate_docs: int | None = None,
    min_overlap: float = 0.5,
    long_chars: int = 200,
    min_docs: int = 1,
) -> list[Cluster]:
    """Clusters of reused passages, in document order, with stable ids ``c000001``...

    Occurrences are grouped per document by ``occurrence_groups`` (``min_overlap``,
    ``long_chars``; ``span_groups`` does it for all documents at once). Clusters spanning more
    than ``boilerplate_docs`` documents are flagged as boilerplate. Occurrences are
    ``cross-document`` when their cluster spans several documents, else ``internal`` (a
    passage repeated inside one document). With ``min_docs``, only clusters in that many
    documents or more are returned (their ids unchanged, so the numbering has gaps).
    """
    spans = alignment_spans(alignments)
    n = spans.shape[0]
    if n == 0:
        return []
    doc = np.concatenate([spans[:, 0], spans[:, 3]])
    node_doc, node_start, node_end, node_of = span_groups(
        doc,
        np.concatenate([spans[:, 1], spans[:, 4]]),
        np.concatenate([spans[:, 2], spans[:, 5]]),
        min_overlap,
        long_chars,
    )
    # The occurrences (nodes, in document order) linked by the alignments; a cluster is numbered
    # by its first node, and holds its nodes in their order.
    root = components(node_doc.shape[0], node_of[:n], node_of[n:])
    members = np.argsort(root, kind="stable")
    heads = np.flatnonzero(np.r_[True, root[members][1:] != root[members][:-1]])
    sizes = np.diff(np.r_[heads, members.shape[0]])
    member_doc = node_doc[members]
    # Documents of a cluster's nodes come in order: each change of document is one more.
    doc_changes = np.r_[0, np.cumsum(member_doc[1:] != member_doc[:-1])]
    n_docs = doc_changes[heads + sizes - 1] - doc_changes[heads] + 1
    wanted = np.flatnonzero(n_docs >= min_docs)
    clusters = []
    starts, ends, docs = node_start[members].tolist(), node_end[members].tolist(), member_doc.tolist()
    for c in wanted.tolist():
        number, lo, size, many = c + 1, int(heads[c]), int(sizes[c]), int(n_docs[c])
        cluster_id = f"c{number:06d}"
        kind: Kind = "cross-document" if many > 1 else "internal"
        occurrences = tuple(
            Occurrence(f"p{k + 1:06d}", cluster_id, docs[k], starts[k], ends[k], kind) for k in range(lo, lo + size)
        )
        flagged = boilerplate_docs is not None and many > boilerplate_docs
        clusters.append(Cluster(cluster_id, occurrences, boilerplate=flagged))
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
