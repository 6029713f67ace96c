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


class BandStore:
    """An append-only store of ``BandKeys``; iterating yields one merged ``BandKeys`` per band.

    Use it as a context manager: the temporary files are removed on exit.
    """

    def __init__(self, bands: int, directory: Path | None = None) -> None:
        self.bands = bands
        self._dir = Path(tempfile.mkdtemp(prefix="prov-bands-", dir=directory))
        self._files = [(self._dir / f"band{t}.keys", self._dir / f"band{t}.docs") for t in range(bands)]
        for keys, docs in self._files:
            keys.touch()
            docs.touch()
        self.size = 0

    def add(self, batch: Iterable[BandKeys]) -> None:
        """Append a batch's keys (documents must come in ascending order across batches)."""
        for bk in batch:
            keys_path, docs_path = self._files[bk.band]
            with open(keys_path, "ab") as out:
                out.write(np.ascontiguousarray(bk.keys, dtype=np.uint64).tobytes())
            with open(docs_path, "ab") as out:
                out.write(np.ascontiguousarray(bk.docs, dtype=np.int32).tobytes())
            self.size += int(bk.keys.shape[0])

    def __iter__(self) -> Iterator[BandKeys]:
        for band, (keys_path, docs_path) in enumerate(self._files):
            keys = np.fromfile(keys_path, dtype=np.uint64)
            docs = np.fromfile(docs_path, dtype=np.int32).astype(np.int64)
            yield BandKeys(band, keys, docs)

    def close(self) -> None:
        """Remove the temporary files."""
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> BandStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
