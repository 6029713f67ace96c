"""Band keys spilled to disk, one file per band and key range, so that banding holds one key
range of one band in memory at a time instead of every band of the whole corpus (12 GB at a
million documents), or a whole band (1.4 GB)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from provenance.errors import workspace_error
from provenance.ownership import Scratch
from provenance.records import BandKeys
from provenance.sketch.lsh import PackedBand, doc_bits, pack_band

_MIX = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd
DOCS_PER_RANGE = 1 << 16  # documents per key range of a band (a power of two of ranges)
MAX_RANGES = 64
SCRATCH_PREFIX = "prov-bands"  # the store's folder: prov-bands-<pid>-XXXXXXXX
_BAND_FILES = r"band\d+\.\d+\.u64"  # what a store writes in it (a dead run's folder is removed)


def key_ranges(n_docs: int) -> int:
    """How many key ranges each band is spilled in: one per ``DOCS_PER_RANGE`` documents, a
    power of two, at most ``MAX_RANGES`` (16 at a million documents: ~90 MB a range)."""
    wanted = max(1, -(-n_docs // DOCS_PER_RANGE))
    return min(MAX_RANGES, 1 << (wanted - 1).bit_length())


@dataclass
class SplitBand:
    """One band of one batch as a ``BandStore`` writes it: the distinct packed keys ordered by
    key range, where each range starts (``cuts``, ``ranges + 1`` offsets), and the documents
    with a repeated key."""

    band: int
    packed: np.ndarray
    cuts: list[int]
    internal: np.ndarray


def split_batch(batch: Iterable[BandKeys], n_docs: int, ranges: int) -> list[SplitBand]:
    """One batch's keys packed (``pack_band``) and ordered by key range, for a ``BandStore`` of
    ``n_docs`` documents and ``ranges`` key ranges: a pure function, so a worker can run it."""
    out = []
    range_shift, doc_shift = np.uint64(64 - (ranges.bit_length() - 1)), np.uint64(doc_bits(n_docs))
    for bk in batch:
        band = pack_band(bk, n_docs)
        packed = band.packed
        if ranges > 1:
            # A key's range: the top bits of the key mixed (Fibonacci hashing), so that keys
            # with few high bits (one row per band) still spread over the ranges.
            with np.errstate(over="ignore"):
                # uint8 (ranges <= MAX_RANGES): numpy's stable sort of one-byte keys is a radix
                # sort, ten times faster than of int64.
                of = (((packed >> doc_shift) * _MIX) >> range_shift).astype(np.uint8)
            packed = packed[np.argsort(of, kind="stable")]
            cuts = np.concatenate([[0], np.cumsum(np.bincount(of, minlength=ranges))]).tolist()
        else:
            cuts = [0, packed.shape[0]]
        out.append(SplitBand(bk.band, packed, cuts, band.internal))
    return out


class BandStore:
    """An append-only store of band keys; iterating yields one ``PackedBand`` per band and key
    range.

    Each batch's keys are packed with their documents (8 bytes a key) and made distinct
    before they are written; a document never spans two batches, so keys repeated inside a
    document (internal-repeat candidates) are found here. A bucket is one key, and a key's
    range is its top bits, so no bucket spans two ranges: each range is banded on its own. Use
    it as a context manager: the temporary files are removed on exit, and a store left by a
    process that was killed is removed by the next store made in the same folder.
    """

    def __init__(self, bands: int, n_docs: int, directory: Path | None = None, ranges: int | None = None) -> None:
        self.bands = bands
        self.n_docs = n_docs
        self.ranges = ranges or key_ranges(n_docs)
        if self.ranges & (self.ranges - 1):
            raise ValueError(f"key ranges must be a power of two, got {self.ranges}")
        try:
            self._scratch = Scratch(SCRATCH_PREFIX, _BAND_FILES, directory)
        except OSError as err:
            raise workspace_error(None if directory is None else str(directory), err) from None
        self._dir = self._scratch.path
        self._files = [[self._dir / f"band{t}.{r}.u64" for r in range(self.ranges)] for t in range(bands)]
        try:
            for paths in self._files:
                for path in paths:
                    path.touch()
        except OSError as err:
            self.close()
            raise workspace_error(str(self._dir), err) from None
        self._internal: list[list[np.ndarray]] = [[] for _ in range(bands)]
        self.size = 0

    def add(self, batch: Iterable[BandKeys]) -> None:
        """Append one batch's keys (each document's keys all in one batch)."""
        self.add_split(split_batch(batch, self.n_docs, self.ranges))

    def add_split(self, split: list[SplitBand]) -> None:
        """Append one batch's keys as ``split_batch`` prepared them (for this store's
        ``n_docs`` and ``ranges``; a pool's worker can prepare them, the slow part)."""
        for band in split:
            for r, path in enumerate(self._files[band.band]):
                lo, hi = band.cuts[r], band.cuts[r + 1]
                if hi > lo:
                    try:
                        with open(path, "ab") as out:
                            out.write(band.packed[lo:hi].tobytes())
                    except OSError as err:
                        raise workspace_error(str(self._dir), err) from None
            self._internal[band.band].append(band.internal)
            self.size += int(band.packed.shape[0])

    def __iter__(self) -> Iterator[PackedBand]:
        empty = np.empty(0, np.int64)
        for band, paths in enumerate(self._files):
            internal = np.concatenate(self._internal[band]) if self._internal[band] else empty
            for r, path in enumerate(paths):
                # A band's internal repeats go with its first range, so they are counted once.
                yield PackedBand(band, np.fromfile(path, dtype=np.uint64), internal if r == 0 else empty)

    def close(self) -> None:
        """Remove the temporary files."""
        self._scratch.close()

    def __enter__(self) -> BandStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
