"""Cluster: Alignments -> composite matches cut -> passage occurrences per document -> clusters."""

from provenance.cluster.clusters import build_clusters, merge_spans, merge_within, occurrence_groups
from provenance.cluster.segment import split_composites

__all__ = ["build_clusters", "merge_spans", "merge_within", "occurrence_groups", "split_composites"]
