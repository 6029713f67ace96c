"""Cluster: Alignments -> maximal passage occurrences per document -> clusters of reuse."""

from provenance.cluster.clusters import build_clusters, merge_spans

__all__ = ["build_clusters", "merge_spans"]
