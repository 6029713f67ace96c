"""Dedup: documents -> document MinHash LSH -> verified near-duplicate groups -> one kept
representative per group by a policy, optionally with reused boilerplate cut out.

``dedup(load(paths, ScanConfig())[0], DedupConfig(policy="earliest"))``; write the corpus and
what was removed with ``write_dedup``. See docs/dedup-and-index.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from provenance.dedup.config import POLICIES, DedupConfig, Policy

if TYPE_CHECKING:
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

# The rest is imported when first used: the CLI builds its options from DedupConfig at every
# start, and the stages behind it (with the report and cluster packages) cost 0.1 s.
_LAZY = {
    "components": "groups",
    "split_component": "groups",
    "ShingleSets": "minhash",
    "jaccard": "minhash",
    "shingle_sets": "minhash",
    "REMOVED": "output",
    "STRIPPED": "output",
    "DedupOutputs": "output",
    "check_outputs": "output",
    "dedup_outputs": "output",
    "write_dedup": "output",
    "DedupResult": "records",
    "Removal": "records",
    "StrippedSpan": "records",
    "dedup": "run",
    "boilerplate_spans": "strip",
    "strip_spans": "strip",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
