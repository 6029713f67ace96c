"""Band keys spilled to disk, one file per band and key range, so that banding holds one key
range of one band in memory at a time instead of every band of the whole corpus (12 GB at a
million documents), or a whole band (1.4 GB)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from provenance.errors import workspace_error
from provenance.records import BandKeys
from provenance.sketch.lsh import PackedBand, doc_bits, pack_band

_MIX = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd
DOCS_PER_RANGE = 1 << 16  # documents per key range of a band (a power of two of ranges)
MAX_RANGES = 64


def key_ranges(n_docs: int) -> int:
    """How many key ranges each band is spilled in: one per ``DOCS_PER_RANGE`` documents, a
    power of two, at most ``MAX_RANGES`` (16 at a million documents: ~90 MB a range)."""
    wanted = max(1, -(-n_docs // DOCS_PER_RANGE))
    return min(MAX_RANGES, 1 << (wanted - 1).bit_length())


class BandStore:
    """An append-only store of band keys; iterating yields one ``PackedBand`` per band and key
    range.

    Each batch's keys are packed with their documents (8 bytes a key) and made distinct
    before they are written; a document never spans two batches, so keys repeated inside a
    document (internal-repeat candidates) are found here. A bucket is one key, and a key's
    range is its top bits, so no bucket spans two ranges: each range is banded on its own. Use
    it as a context manager: the temporary files are removed on exit.
    """

    def __init__(self, bands: int, n_docs: int, directory: Path | None = None, ranges: int | None = None) -> None:
        self.bands = bands
        self.n_docs = n_docs
        self.ranges = ranges or key_ranges(n_docs)
        if self.ranges & (self.ranges - 1):
            raise ValueError(f"key ranges must be a power of two, got {self.ranges}")
        try:
            self._dir = Path(tempfile.mkdtemp(prefix="prov-bands-", dir=directory))
        except OSError as err:
            raise workspace_error(None if directory is None else str(directory), err) from None
        self._files = [[self._dir / f"band{t}.{r}.u64" for r in range(self.ranges)] for t in range(bands)]
        try:
            for paths in self._files:
                for path in paths:
                    path.touch()
        except OSError as err:
            self.close()
            raise workspace_error(str(self._dir), err) from None
        self._range_shift = np.uint64(64 - (self.ranges.bit_length() - 1))
        self._doc_shift = np.uint64(doc_bits(n_docs))
        self._internal: list[list[np.ndarray]] = [[] for _ in range(bands)]
        self.size = 0

    def add(self, batch: Iterable[BandKeys]) -> None:
        """Append one batch's keys (each document's keys all in one batch)."""
        for bk in batch:
            band = pack_band(bk, self.n_docs)
            packed = band.packed
            if self.ranges > 1:
                # A key's range: the top bits of the key mixed (Fibonacci hashing), so that keys
                # with few high bits (one row per band) still spread over the ranges.
                with np.errstate(over="ignore"):
                    of = (((packed >> self._doc_shift) * _MIX) >> self._range_shift).astype(np.int64)
                order = np.argsort(of, kind="stable")
                packed = packed[order]
                cuts = np.concatenate([[0], np.cumsum(np.bincount(of, minlength=self.ranges))]).tolist()
            else:
                cuts = [0, packed.shape[0]]
            for r, path in enumerate(self._files[bk.band]):
                if cuts[r + 1] > cuts[r]:
                    try:
                        with open(path, "ab") as out:
                            out.write(packed[cuts[r] : cuts[r + 1]].tobytes())
                    except OSError as err:
                        raise workspace_error(str(self._dir), err) from None
            self._internal[bk.band].append(band.internal)
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
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> BandStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
