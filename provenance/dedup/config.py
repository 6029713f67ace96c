"""The parameters of document-level deduplication: frozen, validated, values only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from provenance.errors import ConfigError

Policy = Literal["earliest", "longest", "credited"]
POLICIES: tuple[str, ...] = get_args(Policy)
"""Which document of a near-duplicate group is kept (see ``provenance.dedup.groups``)."""


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Parameters of ``provenance.dedup.dedup``.

    - ``threshold``: Jaccard similarity of two documents' word-shingle sets at or above which
      they are near-duplicates. The LSH banding is tuned for it, and every candidate pair is
      verified against it with the exact Jaccard similarity.
    - ``num_perm`` / ``seed``: MinHash permutations and seed (datasketch's ``MinHash`` scheme):
      the same seed gives the same signatures, candidates and output, run after run.
    - ``shingle_size``: words per shingle.
    - ``policy``: which document of a group is kept: ``earliest`` (date, then id), ``longest``
      (characters, then earliest) or ``credited`` (the agency's own or credited copy, then
      earliest).
    - ``strip_boilerplate``: also cut reused boilerplate passages out of the kept documents:
      the passages the passage scan finds in more than ``boilerplate_docs`` kept documents.
    - ``weights``: how the LSH banding weighs false positives against false negatives, as
      datasketch's ``MinHashLSH(weights=...)``. Every candidate is verified exactly, so a false
      positive costs one cheap check while a false negative keeps a duplicate: the default
      leans on recall (at 128 permutations and 0.8: 14 bands of 9 rows, 87% of pairs at
      Jaccard 0.8 and 97.5% at 0.85 become candidates, against 40% and 69% for equal weights).
    - ``max_bucket``: LSH buckets with more documents than this are chained, not paired
      (as in the passage scan), to bound the work on floods of copies.
    - ``batch_shingles``: shingles sketched at once (bounds memory: ``num_perm`` x 4 bytes each).
    """

    threshold: float = 0.8
    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 3
    policy: Policy = "earliest"
    strip_boilerplate: bool = False
    boilerplate_docs: int = 10
    weights: tuple[float, float] = (0.1, 0.9)
    max_bucket: int = 500
    batch_shingles: int = 250_000

    def __post_init__(self) -> None:
        _require(0.0 < self.threshold < 1.0, f"threshold must be in (0, 1), got {self.threshold}")
        _require(2 <= self.num_perm <= 1024, f"permutations must be 2..1024, got {self.num_perm}")
        _require(0 <= self.seed < 2**32, f"seed must be 0..2^32-1, got {self.seed}")
        _require(1 <= self.shingle_size <= 10, f"shingle size must be 1..10, got {self.shingle_size}")
        _require(self.policy in POLICIES, f"policy must be one of {', '.join(POLICIES)}; got {self.policy!r}")
        _require(self.boilerplate_docs >= 2, f"boilerplate documents must be at least 2, got {self.boilerplate_docs}")
        _require(
            len(self.weights) == 2 and all(w >= 0 for w in self.weights) and abs(sum(self.weights) - 1.0) < 1e-9,
            f"weights must be two non-negative numbers adding up to 1, got {self.weights}",
        )
        _require(self.max_bucket >= 2, f"max bucket must be at least 2, got {self.max_bucket}")
        _require(self.batch_shingles >= 1000, f"batch of shingles must be at least 1000, got {self.batch_shingles}")
