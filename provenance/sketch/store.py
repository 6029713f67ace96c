"""Band keys spilled to disk, one file pair per band, so that banding holds one band in
memory at a time instead of every band of the whole corpus (the difference between 4 GB and
12 GB at a million documents)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from provenance.records import BandKeys
from provenance.sketch.lsh import PackedBand, pack_band


class BandStore:
    """An append-only store of band keys; iterating yields one ``PackedBand`` per band.

    Each batch's keys are packed with their documents (8 bytes a key) and made distinct
    before they are written; a document never spans two batches, so keys repeated inside a
    document (internal-repeat candidates) are found here. Use it as a context manager: the
    temporary files are removed on exit.
    """

    def __init__(self, bands: int, n_docs: int, directory: Path | None = None) -> None:
        self.bands = bands
        self.n_docs = n_docs
        self._dir = Path(tempfile.mkdtemp(prefix="prov-bands-", dir=directory))
        self._files = [self._dir / f"band{t}.u64" for t in range(bands)]
        for path in self._files:
            path.touch()
        self._internal: list[list[np.ndarray]] = [[] for _ in range(bands)]
        self.size = 0

    def add(self, batch: Iterable[BandKeys]) -> None:
        """Append one batch's keys (each document's keys all in one batch)."""
        for bk in batch:
            band = pack_band(bk, self.n_docs)
            with open(self._files[bk.band], "ab") as out:
                out.write(band.packed.tobytes())
            self._internal[bk.band].append(band.internal)
            self.size += int(band.packed.shape[0])

    def __iter__(self) -> Iterator[PackedBand]:
        for band, path in enumerate(self._files):
            internal = np.concatenate(self._internal[band]) if self._internal[band] else np.empty(0, np.int64)
            yield PackedBand(band, np.fromfile(path, dtype=np.uint64), internal)

    def close(self) -> None:
        """Remove the temporary files."""
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> BandStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
