"""Dedup: documents -> document MinHash LSH -> verified near-duplicate groups -> one kept
representative per group by a policy, optionally with reused boilerplate cut out.

``dedup(load(paths, ScanConfig())[0], DedupConfig(policy="earliest"))``; write the corpus and
what was removed with ``write_dedup``. See docs/dedup-and-index.md.
"""

from provenance.dedup.config import POLICIES, DedupConfig, Policy
from provenance.dedup.groups import components, split_component
from provenance.dedup.minhash import ShingleSets, jaccard, shingle_sets
from provenance.dedup.output import (
    REMOVED,
    STRIPPED,
    DedupOutputs,
    check_outputs,
    dedup_outputs,
    write_dedup,
)
from provenance.dedup.records import DedupResult, Removal, StrippedSpan
from provenance.dedup.run import dedup
from provenance.dedup.strip import boilerplate_spans, strip_spans

__all__ = [
    "POLICIES",
    "DedupConfig",
    "Policy",
    "components",
    "split_component",
    "ShingleSets",
    "jaccard",
    "shingle_sets",
    "REMOVED",
    "STRIPPED",
    "DedupOutputs",
    "check_outputs",
    "dedup_outputs",
    "write_dedup",
    "DedupResult",
    "Removal",
    "StrippedSpan",
    "dedup",
    "boilerplate_spans",
    "strip_spans",
]
