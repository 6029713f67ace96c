"""Exact Jaccard similarity of documents' word-shingle sets, vectorised: what dedup verifies
its MinHash LSH candidates with (the MinHash itself is ``provenance.sketch.MinHasher``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from provenance.passages import shingle_index
from provenance.records import Document


@dataclass(frozen=True, slots=True)
class ShingleSets:
    """Each document's distinct shingle hashes, sorted, in compressed-row layout
    (``docs`` ascending; row ``r`` is ``hashes[offsets[r]:offsets[r + 1]]``)."""

    docs: np.ndarray  # int64
    offsets: np.ndarray  # int64
    hashes: np.ndarray  # uint32

    def sizes(self, rows: np.ndarray) -> np.ndarray:
        """Number of distinct shingles of the given rows."""
        return self.offsets[rows + 1] - self.offsets[rows]


SETS_BATCH = 4096
"""Documents whose shingle sets are made at a time: the shingle index of a batch costs about
twenty bytes a shingle while it is sorted, the sets four."""


def shingle_sets(docs: Sequence[Document], shingle_size: int, batch: int = SETS_BATCH) -> ShingleSets:
    """Distinct sorted shingle hashes of documents (ascending by index), made ``batch``
    documents at a time (each read only then)."""
    return join_sets([_sets(docs[lo : lo + batch], shingle_size) for lo in range(0, len(docs), batch)])


def join_sets(parts: Sequence[ShingleSets]) -> ShingleSets:
    """The shingle sets of several batches of documents (ascending by index across them) as one."""
    if not parts:
        return ShingleSets(np.empty(0, np.int64), np.zeros(1, np.int64), np.empty(0, np.uint32))
    sizes = np.concatenate([np.diff(p.offsets) for p in parts])
    offsets = np.zeros(sizes.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return ShingleSets(np.concatenate([p.docs for p in parts]), offsets, np.concatenate([p.hashes for p in parts]))


def _sets(docs: Sequence[Document], shingle_size: int) -> ShingleSets:
    index = shingle_index(docs, shingle_size)
    rows = np.repeat(np.arange(len(index), dtype=np.uint64), np.diff(index.offsets))
    # (row, hash) in one 64-bit value: sorted and made distinct at once.
    packed = np.unique((rows << np.uint64(32)) | index.hashes.astype(np.uint64))
    offsets = np.zeros(len(index) + 1, dtype=np.int64)
    np.cumsum(np.bincount((packed >> np.uint64(32)).astype(np.int64), minlength=len(index)), out=offsets[1:])
    return ShingleSets(index.docs, offsets, (packed & np.uint64(0xFFFFFFFF)).astype(np.uint32))


def _gather(sets: ShingleSets, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated shingle rows and, for each hash, its position in ``rows``."""
    starts, lengths = sets.offsets[rows], sets.sizes(rows)
    owner = np.repeat(np.arange(rows.shape[0]), lengths)
    before = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=before[1:])
    flat = np.repeat(starts, lengths) + (np.arange(before[-1]) - before[owner])
    return sets.hashes[flat], owner


def jaccard(pairs: np.ndarray, sets: ShingleSets, batch: int = 20_000) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets of each pair ``(doc_a, doc_b)`` (float64).

    Both documents of every pair must be in ``sets``. Two empty sets have similarity 0: a
    document too short to shingle is never a near-duplicate by this measure.
    """
    out = np.zeros(pairs.shape[0], dtype=np.float64)
    for lo in range(0, pairs.shape[0], batch):
        part = pairs[lo : lo + batch]
        rows_a = np.searchsorted(sets.docs, part[:, 0])
        rows_b = np.searchsorted(sets.docs, part[:, 1])
        ha, oa = _gather(sets, rows_a)
        hb, ob = _gather(sets, rows_b)
        # (pair, hash) packed in 64 bits: distinct within each side, so membership is the
        # size of the intersection.
        ka = (oa.astype(np.uint64) << np.uint64(32)) | ha.astype(np.uint64)
        kb = (ob.astype(np.uint64) << np.uint64(32)) | hb.astype(np.uint64)
        common = np.bincount(oa[np.isin(ka, kb, assume_unique=True)], minlength=part.shape[0])
        union = sets.sizes(rows_a) + sets.sizes(rows_b) - common
        out[lo : lo + batch] = np.divide(common, union, out=np.zeros(part.shape[0]), where=union > 0)
    return out
