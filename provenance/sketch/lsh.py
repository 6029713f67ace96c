"""LSH banding: bucket band keys, bound oversized buckets, emit candidate document pairs.

Grouping is sort-based (one sort of keys packed with their documents) rather than a Python
dict of buckets: it is the same bucketing datasketch's ``MinHashLSH`` does, at array speed and
in flat memory. The functions take plain values; ``scan_banding`` reads a scan's config.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from provenance.config import DetectConfig
from provenance.errors import ConfigError
from provenance.records import BandKeys, Boilerplate


@dataclass(frozen=True, slots=True)
class Banding:
    """How a signature is cut into LSH bands: ``bands`` bands of ``rows`` rows each."""

    bands: int
    rows: int


def _area(ys: np.ndarray, xs: np.ndarray) -> float:
    return float(np.sum((ys[1:] + ys[:-1]) * np.diff(xs)) / 2.0)


def choose_banding(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> Banding:
    """Bands and rows for a Jaccard ``threshold`` with ``num_perm`` permutations, as datasketch's
    ``MinHashLSH(threshold, num_perm, weights=(fp_weight, fn_weight))`` picks them: the pair
    minimising the weighted areas of false positives (below the threshold) and false negatives
    (above it) under the S-curve ``1 - (1 - s^r)^b``, with ``bands * rows <= num_perm``.

    Raises:
        ConfigError: the threshold is not in (0, 1), ``num_perm`` is below 1, or a weight is
            negative.
    """
    if not 0.0 < threshold < 1.0:
        raise ConfigError(f"LSH threshold must be in (0, 1), got {threshold}")
    if num_perm < 1:
        raise ConfigError(f"LSH needs at least one permutation, got {num_perm}")
    if fp_weight < 0 or fn_weight < 0:
        raise ConfigError(f"LSH weights must not be negative, got ({fp_weight}, {fn_weight})")
    best, best_err = Banding(1, 1), float("inf")
    below = np.linspace(0.0, threshold, 201)
    above = np.linspace(threshold, 1.0, 201)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = _area(1 - (1 - below**r) ** b, below)
            fn = _area((1 - above**r) ** b, above)
            err = fp * fp_weight + fn * fn_weight
            if err < best_err:
                best, best_err = Banding(b, r), err
    return best


def scan_banding(detect: DetectConfig) -> Banding:
    """The banding of a passage scan: ``detect.bands`` x ``detect.rows`` when given, else
    ``choose_banding`` for its threshold and permutations."""
    if detect.bands is not None and detect.rows is not None:
        return Banding(detect.bands, detect.rows)
    return choose_banding(detect.threshold, detect.num_perm)


@dataclass(frozen=True, slots=True)
class PackedBand:
    """One band of a whole corpus as distinct packed keys (unsorted across batches) and the
    documents with a repeated key: what ``candidate_pairs`` takes, from a ``BandStore`` or from
    ``pack_bands``."""

    band: int
    packed: np.ndarray  # uint64, see ``pack``
    internal: np.ndarray  # int64 documents


_FOLD_AT = 1 << 24  # raw pair codes gathered before ``PairCounts.add`` folds them (128 MB)


def _empty() -> np.ndarray:
    return np.empty(0, dtype=np.int64)


@dataclass(slots=True)
class PairCounts:
    """Candidate document pairs gathered over all bands, as packed ``a * n + b`` codes: raw
    ``codes`` not yet folded, and the folded ``distinct`` codes (sorted) with their ``hits``."""

    n_docs: int
    codes: list[np.ndarray]
    boilerplate: list[Boilerplate]
    chained_pairs: int = 0
    dropped_pairs: int = 0
    below_min_hits: int = 0
    distinct: np.ndarray = field(default_factory=_empty)
    hits: np.ndarray = field(default_factory=_empty)
    pending: int = 0

    def add(self, codes: np.ndarray) -> None:
        """Gather raw codes, folding them once ``_FOLD_AT`` are pending. A pair meets once per
        shared window and band: at a million documents the raw codes are ~25 times the distinct
        pairs (1.3 GB, then twice that to count them), the folded ones a few hundred MB."""
        self.codes.append(codes)
        self.pending += int(codes.shape[0])
        if self.pending >= _FOLD_AT:
            self.fold()

    def fold(self) -> None:
        """Count the raw codes into ``distinct`` and ``hits``."""
        if not self.codes:
            return
        new, counts = np.unique(np.concatenate(self.codes), return_counts=True)
        self.codes.clear()
        self.pending = 0
        if self.distinct.shape[0]:
            merged, inverse = np.unique(np.concatenate([self.distinct, new]), return_inverse=True)
            weights = np.concatenate([self.hits, counts]).astype(np.float64)  # exact below 2**53
            self.hits = np.bincount(inverse, weights=weights, minlength=merged.shape[0]).astype(np.int64)
            self.distinct = merged
        else:
            self.distinct, self.hits = new, counts.astype(np.int64)


def doc_bits(n_docs: int) -> int:
    """Low bits of a packed band key that hold the document index."""
    return max(1, int(n_docs - 1).bit_length())


def pack(keys: np.ndarray, docs: np.ndarray, n_docs: int) -> np.ndarray:
    """Band keys and documents packed in one uint64: the key's high bits, the document below.

    One unstable sort of packed values replaces a two-key lexsort (4x faster, half the
    memory). Keys that now collide are merely extra candidates; verification sorts them out.
    """
    shift = np.uint64(doc_bits(n_docs))
    return ((keys >> shift) << shift) | docs.astype(np.uint64)


def dedupe_packed(packed: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct packed keys, and the documents in which a key repeats (a candidate
    internal repeat)."""
    values, counts = np.unique(packed, return_counts=True)
    mask = (np.uint64(1) << np.uint64(doc_bits(n_docs))) - np.uint64(1)
    return values, np.unique(values[counts > 1] & mask).astype(np.int64)


def pack_band(band: BandKeys, n_docs: int) -> PackedBand:
    """One band's keys packed with their documents (``pack``), distinct and sorted, and the
    documents in which a key repeats (``dedupe_packed``)."""
    packed, internal = dedupe_packed(pack(band.keys, band.docs, n_docs), n_docs)
    return PackedBand(band.band, packed, internal)


_CHUNK = 1 << 22  # keys compared at a time by ``_same_next``


def _same_next(packed: np.ndarray, shift: np.uint64) -> np.ndarray:
    """``same_next[i]``: sorted packed keys ``i`` and ``i + 1`` share their bucket key.

    Compared in chunks: a whole-band XOR would cost 8 bytes a key on top of the band itself
    (1.2 GB for a band of a million documents), the answer costs one."""
    n = packed.shape[0] - 1
    same_next = np.empty(max(n, 0), dtype=bool)
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        step = packed[lo + 1 : hi + 1] ^ packed[lo:hi]
        step >>= shift
        np.equal(step, 0, out=same_next[lo:hi])
    return same_next


def sorted_bucket_pairs(band: int, packed: np.ndarray, max_bucket: int, n_docs: int, acc: PairCounts) -> None:
    """Add the candidate pairs of one band, given as sorted distinct packed keys.

    Buckets of at most ``max_bucket`` documents yield every pair. Larger buckets hold text
    that very many documents share: their documents are chained in id order (n - 1 pairs,
    so the shared passage is still found and clustered) instead of paired (n^2 / 2), and
    the bucket is recorded. Works in place on ``packed`` and materialises documents only for
    buckets of two or more, so a band of N windows needs little more than its N keys.
    """
    if packed.shape[0] < 2:
        return
    shift = np.uint64(doc_bits(n_docs))
    mask = (np.uint64(1) << shift) - np.uint64(1)
    # same_next[i]: entries i and i + 1 share a key. A bucket of two or more is a run of
    # True: it starts where a run opens and ends one past where it closes. Only the buckets'
    # bounds are listed, never their members (a million-document band holds ~1.4e8 keys;
    # member, start and document arrays per key cost gigabytes).
    same_next = _same_next(packed, shift)
    opens = np.flatnonzero(same_next[1:] & ~same_next[:-1]) + 1
    closes = np.flatnonzero(same_next[:-1] & ~same_next[1:])
    if same_next[0]:
        opens = np.concatenate([[0], opens])
    if same_next[-1]:
        closes = np.append(closes, same_next.shape[0] - 1)
    del same_next
    if opens.shape[0] == 0:
        return
    starts, sizes = opens, closes - opens + 2  # a run of j True entries is a bucket of j + 1

    def docs_at(at: np.ndarray) -> np.ndarray:
        found = packed[at]
        found &= mask
        return found.view(np.int64)  # document numbers are far below 2**63

    for g in np.unique(sizes[sizes <= max_bucket]):
        of_size = starts[sizes == g]
        iu, ju = np.triu_indices(int(g), 1)
        step = max(1, _CHUNK // iu.shape[0])  # buckets at a time: ~_CHUNK pairs, not a band's worth
        for lo in range(0, of_size.shape[0], step):
            s = of_size[lo : lo + step]
            a = docs_at(s[:, None] + iu[None, :]).ravel()
            b = docs_at(s[:, None] + ju[None, :]).ravel()
            acc.add(a * n_docs + b)  # docs ascending within a bucket, so a < b
    big = sizes > max_bucket
    for start, size in zip(starts[big].tolist(), sizes[big].tolist(), strict=True):
        chain = docs_at(np.arange(start, start + size))
        acc.add(chain[:-1] * n_docs + chain[1:])
        acc.chained_pairs += size - 1
        acc.dropped_pairs += size * (size - 1) // 2 - (size - 1)
        key = int(packed[start] >> shift)
        acc.boilerplate.append(Boilerplate(band=band, key=key, size=size, n_docs=size, sample_doc=int(chain[0])))


def merge_bands(batches: Iterable[Iterable[BandKeys]]) -> list[BandKeys]:
    """One ``BandKeys`` per band from the pieces of each batch (batches in document order), as
    ``sketch_documents`` yields them."""
    by_band: dict[int, list[BandKeys]] = {}
    for batch in batches:
        for bk in batch:
            by_band.setdefault(bk.band, []).append(bk)
    return [
        BandKeys(band, np.concatenate([p.keys for p in ps]), np.concatenate([p.docs for p in ps]))
        for band, ps in sorted(by_band.items())
    ]


def pack_bands(pieces: Iterable[BandKeys], n_docs: int) -> Iterator[PackedBand]:
    """Band keys held in memory (pieces of any batches, in document order) as ``candidate_pairs``
    takes them: one ``PackedBand`` per band, as a ``BandStore`` yields them from disk."""
    for band in merge_bands([pieces]):
        yield pack_band(band, n_docs)


def candidate_pairs(
    bands: Iterable[PackedBand], n_docs: int, *, max_bucket: int, min_hits: int = 1
) -> tuple[np.ndarray, np.ndarray, PairCounts]:
    """Distinct candidate pairs ``(doc_a, doc_b)``, ``doc_a <= doc_b``, of documents sharing a
    bucket in some band, with their ``hits``, and the counts of the banding.

    Args:
        bands: each band once, complete (a ``BandStore``, or ``pack_bands`` of keys in memory).
            Only one band is held at a time.
        n_docs: documents are ``0..n_docs-1``.
        max_bucket: buckets of more documents are chained, not paired (``sorted_bucket_pairs``).
        min_hits: pairs meeting in fewer (band, bucket) hits are dropped (and counted).

    Returns:
        ``pairs`` (shape ``(n, 2)``), ``hits`` (the (band, bucket) meetings of each pair; a
        document repeating a key meets itself) and a ``PairCounts``.
    """
    acc = PairCounts(n_docs=n_docs, codes=[], boilerplate=[])
    for band in bands:
        band.packed.sort()
        if band.internal.shape[0]:
            acc.add(band.internal * n_docs + band.internal)
        sorted_bucket_pairs(band.band, band.packed, max_bucket, n_docs, acc)
        del band
    acc.fold()
    codes, hits = acc.distinct, acc.hits
    if not codes.shape[0]:
        return np.empty((0, 2), dtype=np.int64), codes, acc
    # A pair whose windows met in a single band of one bucket is most often two stock phrases
    # sharing their minima by chance; copied text meets in several bands or several windows.
    keep = hits >= min_hits
    acc.below_min_hits = int((~keep).sum())
    codes, hits = codes[keep], hits[keep]
    pairs = np.stack([codes // n_docs, codes % n_docs], axis=1)
    return pairs, hits, acc
