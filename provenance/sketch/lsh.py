"""LSH banding: bucket band keys, bound oversized buckets, emit candidate document pairs.

Grouping is sort-based (numpy ``lexsort``) rather than a Python dict of buckets: it is the
same bucketing datasketch's ``MinHashLSH`` does, at array speed and in flat memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from provenance.config import DetectConfig
from provenance.records import BandKeys, Boilerplate


@dataclass(frozen=True, slots=True)
class Banding:
    """How a signature is cut into LSH bands: ``bands`` bands of ``rows`` rows each."""

    bands: int
    rows: int


def _area(ys: np.ndarray, xs: np.ndarray) -> float:
    return float(np.sum((ys[1:] + ys[:-1]) * np.diff(xs)) / 2.0)


def choose_banding(detect: DetectConfig, fp_weight: float = 0.5, fn_weight: float = 0.5) -> Banding:
    """Bands and rows for the configured threshold, as datasketch's ``MinHashLSH`` picks them:
    the pair minimising the weighted areas of false positives (below the threshold) and false
    negatives (above it) under the S-curve ``1 - (1 - s^r)^b``. Explicit bands/rows win."""
    if detect.bands is not None and detect.rows is not None:
        return Banding(detect.bands, detect.rows)
    best, best_err = Banding(1, 1), float("inf")
    below = np.linspace(0.0, detect.threshold, 201)
    above = np.linspace(detect.threshold, 1.0, 201)
    for b in range(1, detect.num_perm + 1):
        for r in range(1, detect.num_perm // b + 1):
            fp = _area(1 - (1 - below**r) ** b, below)
            fn = _area((1 - above**r) ** b, above)
            err = fp * fp_weight + fn * fn_weight
            if err < best_err:
                best, best_err = Banding(b, r), err
    return best


@dataclass(slots=True)
class PairCounts:
    """Candidate document pairs gathered over all bands, as packed ``a * n + b`` codes."""

    n_docs: int
    codes: list[np.ndarray]
    boilerplate: list[Boilerplate]
    chained_pairs: int = 0
    dropped_pairs: int = 0
    below_min_hits: int = 0


def bucket_pairs(band: BandKeys, max_bucket: int, n_docs: int, acc: PairCounts) -> None:
    """Add the candidate pairs of one band to ``acc``.

    Buckets of at most ``max_bucket`` documents yield every pair. Larger buckets hold text
    that very many documents share (boilerplate): their documents are chained in id order
    (n - 1 pairs, so the shared passage is still found and clustered) instead of paired
    (n^2 / 2), and the bucket is recorded. A document whose window key repeats inside the
    document yields a pair with itself (a candidate internal repeat).
    """
    if band.keys.shape[0] == 0:
        return
    # Key and document packed into one uint64 (the key's low bits give way to the document
    # index): one unstable sort instead of a two-key lexsort, 4x faster and half the memory.
    # Keys that now collide are merely extra candidates; verification sorts them out.
    shift = np.uint64(max(1, int(n_docs - 1).bit_length()))
    mask = (np.uint64(1) << shift) - np.uint64(1)
    packed = ((band.keys >> shift) << shift) | band.docs.astype(np.uint64)
    packed.sort()
    same = packed[1:] == packed[:-1]
    internal = np.unique(packed[1:][same] & mask).astype(np.int64)
    if internal.shape[0]:
        acc.codes.append(internal * n_docs + internal)
    packed = packed[np.concatenate([[True], ~same])]
    keys, docs = packed >> shift, (packed & mask).astype(np.int64)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    sizes = np.diff(np.concatenate([starts, [keys.shape[0]]]))
    for g in np.unique(sizes[(sizes >= 2) & (sizes <= max_bucket)]):
        s = starts[sizes == g]
        iu, ju = np.triu_indices(int(g), 1)
        a = docs[s[:, None] + iu[None, :]].ravel()
        b = docs[s[:, None] + ju[None, :]].ravel()
        acc.codes.append(a * n_docs + b)  # docs ascending within a bucket, so a < b
    for start, size in zip(starts[sizes > max_bucket], sizes[sizes > max_bucket], strict=True):
        members = docs[start : start + size]
        acc.codes.append(members[:-1] * n_docs + members[1:])
        acc.chained_pairs += int(size) - 1
        acc.dropped_pairs += int(size) * (int(size) - 1) // 2 - (int(size) - 1)
        acc.boilerplate.append(
            Boilerplate(
                band=band.band, key=int(keys[start]), size=int(size), n_docs=int(size), sample_doc=int(members[0])
            )
        )


def merge_bands(parts: Iterable[BandKeys]) -> list[BandKeys]:
    """One ``BandKeys`` per band from per-batch pieces (batches in document order)."""
    by_band: dict[int, list[BandKeys]] = {}
    for bk in parts:
        by_band.setdefault(bk.band, []).append(bk)
    return [
        BandKeys(band, np.concatenate([p.keys for p in ps]), np.concatenate([p.docs for p in ps]))
        for band, ps in sorted(by_band.items())
    ]


def candidate_pairs(
    bands: Iterable[BandKeys], detect: DetectConfig, n_docs: int
) -> tuple[np.ndarray, np.ndarray, PairCounts]:
    """Distinct candidate pairs ``(doc_a, doc_b, hits)`` over all bands, ``doc_a <= doc_b``.

    ``bands`` is either a list of per-batch ``BandKeys`` (merged here) or an iterable that
    yields each band once, complete (a ``BandStore``). ``hits`` counts the (band, bucket)
    meetings of the pair.
    """
    acc = PairCounts(n_docs=n_docs, codes=[], boilerplate=[])
    if isinstance(bands, list | tuple):
        bands = merge_bands(bands)
    for band in bands:  # a BandStore yields one band at a time: only one is in memory
        bucket_pairs(band, detect.max_bucket, n_docs, acc)
        del band
    if not acc.codes:
        empty = np.empty(0, dtype=np.int64)
        return np.empty((0, 2), dtype=np.int64), empty, acc
    codes, hits = np.unique(np.concatenate(acc.codes), return_counts=True)
    # A pair whose windows met in a single band of one bucket is most often two stock phrases
    # sharing their minima by chance; copied text meets in several bands or several windows.
    keep = hits >= detect.min_hits
    acc.below_min_hits = int((~keep).sum())
    codes, hits = codes[keep], hits[keep]
    pairs = np.stack([codes // n_docs, codes % n_docs], axis=1)
    return pairs, hits, acc
