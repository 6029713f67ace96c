"""MinHash signatures, vectorised: of every word window (the passage scan) or of every
document's whole shingle set (dedup), and their LSH band keys.

A signature is exactly datasketch's ``MinHash`` (scheme ``affine32``, the default since
datasketch 2.0) with ``hashfunc=shingle_hash32``: the same permutations, the same MurmurHash3
pre-mix, the same wrap-around arithmetic (tests/sketch/test_minhash.py and tests/dedup compare
them with datasketch on random texts and seeds). Only the evaluation differs: all windows or
documents of a batch at once, in numpy, with a sliding-window minimum (windows) or a segmented
minimum (sets) instead of one ``update`` per shingle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from provenance.passages import shingle_index
from provenance.records import BandKeys, Document, ShingleIndex
from provenance.sketch.lsh import Banding

_U32 = np.uint32
_FNV = np.uint64(0x100000001B3)  # multiplier folding a band's rows into one 64-bit key

EMPTY = int(np.iinfo(np.uint32).max)
"""Every value of the signature of an empty set (datasketch's ``MinHash`` before any update)."""


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of datasketch's affine32 permutations ``h -> a * h + b mod 2^32``.

    Drawn here exactly as ``datasketch.MinHash._init_permutations`` draws them, because
    importing datasketch pulls in scipy (a third of a second at every start) for nothing else.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (the pre-mix datasketch's affine32 scheme applies)."""
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def sliding_min(x: np.ndarray, width: int) -> np.ndarray:
    """Minimum of every run of ``width`` consecutive columns of ``x`` (shape ``(p, n)``).

    A sparse table: O(n log width) numpy work instead of O(n width).
    """
    n = x.shape[1]
    if n < width:
        return x[:, :0]
    m, span = x, 1
    while span * 2 <= width:
        m = np.minimum(m[:, :-span], m[:, span:])
        span *= 2
    out = n - width + 1
    return np.minimum(m[:, :out], m[:, width - span : width - span + out])


class MinHasher:
    """datasketch's ``MinHash(num_perm, seed, hashfunc=shingle_hash32)``, over arrays of 32-bit
    shingle hashes.

    Signatures are columns: shape ``(permutations, items)``. Every method takes ``perms``, how
    many of the first permutations to evaluate (LSH reads only ``bands * rows`` of them; the
    values are the same as in a full signature); None evaluates all ``num_perm``.
    """

    def __init__(self, num_perm: int, seed: int) -> None:
        a, b = affine32_permutations(num_perm, seed)
        self.num_perm = num_perm
        self.seed = seed
        self._a = a[:, None]
        self._b = b[:, None]

    def permuted(self, hashes: np.ndarray, perms: int | None = None) -> np.ndarray:
        """Every permutation of every hash: shape ``(perms, len(hashes))``, uint32."""
        with np.errstate(over="ignore"):
            return self._a[:perms] * fmix32(hashes)[None, :] + self._b[:perms]

    def window_signatures(self, hashes: np.ndarray, width: int, perms: int | None = None) -> np.ndarray:
        """The signature of every run of ``width`` consecutive hashes (one window of shingles):
        shape ``(perms, len(hashes) - width + 1)``, empty when there are fewer than ``width``."""
        return sliding_min(self.permuted(hashes, perms), width)

    def set_signatures(self, shingles: ShingleIndex, perms: int | None = None) -> np.ndarray:
        """The signature of each row's set of shingles: shape ``(perms, len(shingles))``. A row
        without shingles keeps datasketch's empty signature (every value ``EMPTY``)."""
        out = np.full((self.num_perm if perms is None else perms, len(shingles)), EMPTY, dtype=_U32)
        filled = np.flatnonzero(np.diff(shingles.offsets) > 0)
        if filled.shape[0]:
            # Empty rows start where the next row does, so each filled row's run ends at the
            # next filled row's start (or at the end).
            start = shingles.offsets[filled]
            out[:, filled] = np.minimum.reduceat(self.permuted(shingles.hashes, perms), start, axis=1)
        return out


def fold_bands(signatures: np.ndarray, banding: Banding) -> np.ndarray:
    """LSH band keys of signature columns: band ``t``'s ``rows`` values folded into one 64-bit
    key (``key * 0x100000001B3 + value``, row by row). Shape ``(bands, columns)``, uint64.

    Only the first ``bands * rows`` permutations of ``signatures`` are read.
    """
    bands, rows = banding.bands, banding.rows
    keys = np.empty((bands, signatures.shape[1]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for t in range(bands):
            key = signatures[t * rows].astype(np.uint64)
            for r in range(1, rows):
                key = key * _FNV + signatures[t * rows + r]  # uint32 rows widen exactly
            keys[t] = key
    return keys


def _no_keys(bands: int) -> list[BandKeys]:
    empty = np.empty(0, dtype=np.uint64)
    return [BandKeys(t, empty, empty.astype(np.int64)) for t in range(bands)]


def window_band_keys(hasher: MinHasher, shingles: ShingleIndex, width: int, banding: Banding) -> list[BandKeys]:
    """Band keys of every window of ``width`` shingles of a batch, one ``BandKeys`` per band.

    ``shingles`` is in text order. Documents shorter than one window have no windows.
    Consecutive windows of a document that share a band key are stored once: the same bucket,
    the same evidence.
    """
    lengths = np.diff(shingles.offsets)
    n_windows = np.maximum(lengths - width + 1, 0)
    total = int(n_windows.sum())
    if total == 0:
        return _no_keys(banding.bands)
    # Windows over the whole concatenation, folded, then the ones inside one document kept:
    # folding first reads each permutation once and keeps only ``bands`` rows per window.
    keys = fold_bands(hasher.window_signatures(shingles.hashes, width, banding.bands * banding.rows), banding)
    row = np.repeat(np.arange(lengths.shape[0]), n_windows)
    win_starts = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    np.cumsum(n_windows, out=win_starts[1:])
    valid = shingles.offsets[row] + (np.arange(total) - win_starts[row])
    doc_of = shingles.docs[row]
    first = np.zeros(total, dtype=bool)
    first[win_starts[:-1][n_windows > 0]] = True
    out = []
    for t in range(banding.bands):
        key = keys[t, valid]
        change = first.copy()
        change[1:] |= key[1:] != key[:-1]
        out.append(BandKeys(t, key[change], doc_of[change]))
    return out


def set_band_keys(hasher: MinHasher, shingles: ShingleIndex, banding: Banding) -> list[BandKeys]:
    """Band keys of each document's whole shingle set, one ``BandKeys`` per band. Documents
    without a shingle have none (their empty signatures would all share every bucket)."""
    filled = np.diff(shingles.offsets) > 0
    if not filled.any():
        return _no_keys(banding.bands)
    signatures = hasher.set_signatures(shingles, banding.bands * banding.rows)
    keys = fold_bands(signatures[:, filled], banding)
    docs = shingles.docs[filled]
    return [BandKeys(t, keys[t], docs) for t in range(banding.bands)]


def sketch_documents(
    docs: Sequence[Document],
    hasher: MinHasher,
    banding: Banding,
    *,
    shingle_size: int,
    window_words: int | None,
    batch_docs: int | None = None,
    batch_words: int | None = None,
) -> Iterator[tuple[list[BandKeys], ShingleIndex]]:
    """Sketch documents a batch at a time: for each batch, its band keys (one ``BandKeys`` per
    band, documents by ``Document.index``) and its shingle index in text order.

    Args:
        docs: documents ascending by index.
        hasher: the MinHash permutations.
        banding: how signatures are cut into band keys.
        shingle_size: words per shingle.
        window_words: sketch every window of this many words (the passage scan); None sketches
            each document's whole shingle set instead (dedup).
        batch_docs: at most this many documents a batch; None puts them all in one.
        batch_words: also end a batch at about this many words (estimated from the text
            length), which bounds its memory: each shingle costs ``bands * rows`` x 4 bytes.

    Yields at least one batch (an empty one when ``docs`` is empty), so every band is present.
    """
    width = None if window_words is None else window_words - shingle_size + 1  # shingles per window
    for batch in _batches(docs, batch_docs, batch_words):
        shingles = shingle_index(batch, shingle_size)
        if width is None:
            yield set_band_keys(hasher, shingles, banding), shingles
        else:
            yield window_band_keys(hasher, shingles, width, banding), shingles


def _batches(docs: Sequence[Document], batch_docs: int | None, batch_words: int | None) -> Iterator[Sequence[Document]]:
    most = max(batch_docs or len(docs), 1)
    if batch_words is None:
        for lo in range(0, max(len(docs), 1), most):
            yield docs[lo : lo + most]
        return
    start, words = 0, 0
    for i, doc in enumerate(docs):
        words += max(len(doc.text) // 6, 1)  # ~6 characters a word in news text: a cheap bound
        if words >= batch_words or i + 1 - start >= most:
            yield docs[start : i + 1]
            start, words = i + 1, 0
    if start < len(docs) or not docs:
        yield docs[start:]
