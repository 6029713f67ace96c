"""Whole-document MinHash, LSH band keys and exact Jaccard verification, vectorised.

A document's signature is exactly datasketch's ``MinHash`` (scheme ``affine32``, same
permutations for the same ``num_perm`` and ``seed``) over the set of its word shingles with
``hashfunc=shingle_hash32``: the permutation and pre-mix are the ones the window sketcher uses
(``provenance.sketch.minhash``), with one minimum per document instead of one per window.
Documents without a shingle keep datasketch's empty signature (every value ``2^32 - 1``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from provenance.passages import shingle_index
from provenance.records import BandKeys, Document, ShingleIndex
from provenance.sketch import Banding
from provenance.sketch.minhash import affine32_permutations, fmix32

_U32 = np.uint32
_EMPTY = np.iinfo(np.uint32).max
_FNV = np.uint64(0x100000001B3)  # how the window sketcher folds a band's rows into one key


class DocumentSketcher:
    """MinHash signatures of whole documents (their shingle sets), and their LSH band keys."""

    def __init__(self, num_perm: int, seed: int) -> None:
        a, b = affine32_permutations(num_perm, seed)
        self.num_perm = num_perm
        self.a = a[:, None]
        self.b = b[:, None]

    def signatures(self, shingles: ShingleIndex) -> np.ndarray:
        """Signatures of the rows of a text-order shingle index: shape ``(rows, num_perm)``, uint32."""
        lengths = np.diff(shingles.offsets)
        out = np.full((len(shingles), self.num_perm), _EMPTY, dtype=_U32)
        filled = np.flatnonzero(lengths > 0)
        if filled.shape[0] == 0:
            return out
        with np.errstate(over="ignore"):
            permuted = self.a * fmix32(shingles.hashes)[None, :] + self.b
        out[filled] = np.minimum.reduceat(permuted, shingles.offsets[filled], axis=1).T
        return out


def band_keys(signatures: np.ndarray, docs: np.ndarray, banding: Banding) -> list[BandKeys]:
    """One ``BandKeys`` per band: each document's key is its band's rows folded into 64 bits,
    the same folding the window sketcher uses."""
    sig = signatures.astype(np.uint64)
    out = []
    with np.errstate(over="ignore"):
        for t in range(banding.bands):
            key = sig[:, t * banding.rows]
            for r in range(1, banding.rows):
                key = key * _FNV + sig[:, t * banding.rows + r]
            out.append(BandKeys(t, key, docs))
    return out


def sketch_batches(docs: Sequence[Document], shingle_size: int, batch_shingles: int) -> Iterator[Sequence[Document]]:
    """Consecutive slices of ``docs`` holding about ``batch_shingles`` shingles each (word
    counts approximate shingle counts; a slice holds at least one document)."""
    start, words = 0, 0
    for i, doc in enumerate(docs):
        words += max(len(doc.text) // 6, 1)  # ~6 characters a word in news text: a cheap bound
        if words >= batch_shingles:
            yield docs[start : i + 1]
            start, words = i + 1, 0
    if start < len(docs):
        yield docs[start:]


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


def shingle_sets(docs: Sequence[Document], shingle_size: int) -> ShingleSets:
    """Distinct sorted shingle hashes of documents (ascending by index)."""
    index = shingle_index(docs, shingle_size)
    rows = np.repeat(np.arange(len(index)), np.diff(index.offsets))
    order = np.lexsort((index.hashes, rows))
    hashes, rows = index.hashes[order], rows[order]
    keep = np.ones(hashes.shape[0], dtype=bool)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    hashes, rows = hashes[keep], rows[keep]
    offsets = np.zeros(len(index) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(index)), out=offsets[1:])
    return ShingleSets(index.docs, offsets, hashes)


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
