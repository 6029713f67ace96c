"""Clusters: overlapping spans merge, touching copies stay apart, alignments join documents."""

from __future__ import annotations

from provenance.cluster import build_clusters, merge_spans
from provenance.records import Alignment


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
