"""Clusters: overlapping spans merge, touching copies stay apart, alignments join documents."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.arrow import rows_of
from provenance.cluster import build_clusters, merge_spans, occurrence_groups
from provenance.cluster import clusters as clustering
from provenance.records import Alignment, Cluster, Occurrence


def al(a: int, a0: int, a1: int, b: int, b0: int, b1: int) -> Alignment:
    return Alignment(a, a0, a1, b, b0, b1, similarity=1.0, matched_chars=a1 - a0, matched_words=10)


def test_overlapping_spans_merge_and_touching_ones_do_not() -> None:
    assert merge_spans([(10, 20), (15, 30), (30, 40), (50, 60)]) == [(10, 30), (30, 40), (50, 60)]


def test_alignments_join_occurrences_transitively_into_one_cluster() -> None:
    clusters = build_clusters([al(0, 0, 50, 1, 10, 60), al(1, 20, 60, 2, 0, 40), al(3, 0, 30, 3, 100, 130)])
    assert [c.cluster_id for c in clusters] == ["c000001", "c000002"]
    first, second = clusters
    assert [(o.doc, o.start, o.end) for o in first.occurrences] == [(0, 0, 50), (1, 10, 60), (2, 0, 40)]
    assert {o.kind for o in first.occurrences} == {"cross-document"}
    assert [(o.doc, o.start, o.end) for o in second.occurrences] == [(3, 0, 30), (3, 100, 130)]
    assert {o.kind for o in second.occurrences} == {"internal"}
    ids = [o.passage_id for c in clusters for o in c.occurrences]
    assert len(set(ids)) == len(ids) == 5


def test_clusters_over_many_documents_are_flagged_as_boilerplate() -> None:
    chain = [al(i, 0, 40, i + 1, 0, 40) for i in range(6)]
    assert build_clusters(chain, boilerplate_docs=5)[0].boilerplate
    assert not build_clusters(chain, boilerplate_docs=10)[0].boilerplate


# --- The array clustering against the per-object one it replaced ------------------------------


def reference_clusters(
    alignments: list[Alignment], boilerplate_docs: int | None, min_overlap: float, long_chars: int, min_docs: int
) -> list[Cluster]:
    """``build_clusters`` as it was written before it worked on arrays: per document
    ``occurrence_groups``, a union-find over the occurrences, an object at a time."""
    spans: dict[int, list[tuple[int, int]]] = {}
    sides = []
    for a in alignments:
        on_a = spans.setdefault(a.doc_a, [])
        at_a = len(on_a)
        on_a.append((a.a_start, a.a_end))
        on_b = spans.setdefault(a.doc_b, [])
        sides.append((a.doc_a, at_a, a.doc_b, len(on_b)))
        on_b.append((a.b_start, a.b_end))
    nodes, node_of = [], {}
    for doc in sorted(spans):
        extents, group_of = occurrence_groups(spans[doc], min_overlap, long_chars)
        first = len(nodes)
        nodes.extend((doc, s, e) for s, e in extents)
        node_of[doc] = [first + g for g in group_of]
    parent = list(range(len(nodes)))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for doc_a, at_a, doc_b, at_b in sides:
        ra, rb = find(node_of[doc_a][at_a]), find(node_of[doc_b][at_b])
        parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = {}
    for n in range(len(nodes)):
        members.setdefault(find(n), []).append(n)
    out, passage = [], 0
    for number, root in enumerate(sorted(members), start=1):
        group = members[root]
        n_docs = len({nodes[n][0] for n in group})
        if n_docs < min_docs:
            passage += len(group)
            continue
        cid, kind = f"c{number:06d}", "cross-document" if n_docs > 1 else "internal"
        occurrences = []
        for n in group:
            passage += 1
            occurrences.append(Occurrence(f"p{passage:06d}", cid, *nodes[n], kind))
        out.append(
            Cluster(cid, tuple(occurrences), boilerplate=boilerplate_docs is not None and n_docs > boilerplate_docs)
        )
    return out


span = st.tuples(st.integers(0, 300), st.integers(1, 150)).map(lambda t: (t[0], t[0] + t[1]))
alignment = st.builds(lambda a, sa, b, sb: al(a, *sa, b, *sb), st.integers(0, 6), span, st.integers(0, 6), span)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(alignment, max_size=40),
    st.sampled_from([None, 1, 3]),
    st.floats(0.05, 1.0),
    st.sampled_from([30, 200]),
    st.integers(1, 3),
    st.booleans(),
)
def test_clusters_are_those_of_the_per_object_clustering(
    alignments, boilerplate_docs, min_overlap: float, long_chars: int, min_docs: int, as_rows: bool
) -> None:
    given_as = rows_of(alignments, Alignment) if as_rows else alignments
    got = build_clusters(given_as, boilerplate_docs, min_overlap, long_chars, min_docs)
    assert got == reference_clusters(alignments, boilerplate_docs, min_overlap, long_chars, min_docs)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), span), min_size=1, max_size=40),
    st.floats(0.05, 1.0),
    st.sampled_from([30, 200]),
    st.sampled_from([1, 5, 1 << 22]),
)
def test_span_groups_are_each_documents_occurrence_groups(
    raw, min_overlap: float, long_chars: int, pairs_at_once: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:  # a few pairs at a time: the slices meet as one
        patch.setattr(clustering, "_PAIRS_AT_ONCE", pairs_at_once)
        doc, start, end = (
            np.array(column, dtype=np.int64) for column in zip(*((d, s, e) for d, (s, e) in raw), strict=True)
        )
        got_doc, got_start, got_end, got_of = clustering.span_groups(doc, start, end, min_overlap, long_chars)
    for d in sorted(set(doc.tolist())):
        mine = np.flatnonzero(doc == d)
        extents, group_of = occurrence_groups(
            list(zip(start[mine].tolist(), end[mine].tolist(), strict=True)), min_overlap, long_chars
        )
        here = np.flatnonzero(got_doc == d)
        assert list(zip(got_start[here].tolist(), got_end[here].tolist(), strict=True)) == extents
        assert (got_of[mine] - here[0]).tolist() == group_of
    assert got_doc.tolist() == sorted(got_doc.tolist())


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    )
)
def test_components_are_the_graphs_with_their_smallest_member(graph) -> None:
    n, edges = graph
    a, b = (
        (np.array(side, dtype=np.int64) for side in zip(*edges, strict=True)) if edges else (np.empty(0, np.int64),) * 2
    )
    label = clustering.components(n, a, b).tolist()
    linked = {i: {i} for i in range(n)}
    for x, y in edges:  # merge the two sets, all their members pointing at one
        joined = linked[x] | linked[y]
        for member in joined:
            linked[member] = joined
    assert label == [min(linked[i]) for i in range(n)]
