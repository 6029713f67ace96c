"""MinHash signatures of every word window, vectorised over a batch of documents.

The signature of a window is exactly datasketch's ``MinHash`` (scheme ``affine32``, the
default since datasketch 2.0) over the window's shingles, with ``hashfunc=shingle_hash32``:
the same permutations, the same MurmurHash3 pre-mix, the same wrap-around arithmetic
(tests/sketch/test_minhash.py compares them with datasketch on random texts and seeds).
Only the evaluation differs: all windows at once, in numpy, using a sliding-window minimum
instead of one ``update`` per shingle.
"""

from __future__ import annotations

import numpy as np

from provenance.config import DetectConfig
from provenance.records import BandKeys, ShingleIndex
from provenance.sketch.lsh import Banding

_U32 = np.uint32


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


class WindowSketcher:
    """Turns documents into LSH band keys of all their word windows."""

    def __init__(self, detect: DetectConfig, banding: Banding) -> None:
        self.k = detect.shingle_size
        self.window = detect.window_words - detect.shingle_size + 1  # shingles per window
        self.banding = banding
        a, b = affine32_permutations(detect.num_perm, detect.seed)
        used = banding.bands * banding.rows
        self.a = np.asarray(a, dtype=_U32)[:used, None]
        self.b = np.asarray(b, dtype=_U32)[:used, None]

    def permuted(self, shingles: np.ndarray) -> np.ndarray:
        """Permuted hash values, shape ``(permutations, n)``, of 32-bit shingle hashes."""
        with np.errstate(over="ignore"):
            return self.a * fmix32(shingles)[None, :] + self.b

    def signatures(self, shingles: np.ndarray) -> np.ndarray:
        """MinHash signature (one column per window) of every window of one document."""
        return sliding_min(self.permuted(shingles), self.window)

    def band_keys(self, shingles: ShingleIndex) -> list[BandKeys]:
        """Band keys of every window of a batch of documents, one ``BandKeys`` per band.

        ``shingles`` is in text order. Documents shorter than one window have no windows.
        Consecutive windows of a document that share a band key are stored once: the same
        bucket, the same evidence.
        """
        bands, rows = self.banding.bands, self.banding.rows
        lengths = np.diff(shingles.offsets)
        n_windows = np.maximum(lengths - self.window + 1, 0)
        total = int(n_windows.sum())
        if total == 0:
            empty = np.empty(0, dtype=np.uint64)
            return [BandKeys(t, empty, empty.astype(np.int64)) for t in range(bands)]
        sig = sliding_min(self.permuted(shingles.hashes), self.window)
        # Window g of the concatenation is real when it does not straddle two documents.
        row = np.repeat(np.arange(lengths.shape[0]), n_windows)
        win_starts = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
        np.cumsum(n_windows, out=win_starts[1:])
        valid = shingles.offsets[row] + (np.arange(total) - win_starts[row])
        doc_of = shingles.docs[row]
        first = np.zeros(total, dtype=bool)
        first[win_starts[:-1][n_windows > 0]] = True
        sig = sig[:, valid].astype(np.uint64)
        out = []
        with np.errstate(over="ignore"):
            for t in range(bands):
                key = sig[t * rows]
                for r in range(1, rows):
                    key = key * np.uint64(0x100000001B3) + sig[t * rows + r]
                change = first.copy()
                change[1:] |= key[1:] != key[:-1]
                out.append(BandKeys(t, key[change], doc_of[change]))
        return out
