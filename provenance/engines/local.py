"""The local engine: stage functions over batches, in this process or a pool of processes.

Worker processes are forked after the documents are read and sketched, so they share the
corpus and its shingle index through copy-on-write memory instead of receiving them
pickled; only batch bounds and results travel.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from provenance.config import DetectConfig
from provenance.credits import Gazetteer
from provenance.engines.stages import align_batch, credits_batch, sketch_batch
from provenance.passages import concat
from provenance.records import Alignment, BandKeys, Credit, Document, ShingleIndex
from provenance.sketch import Banding, BandStore

Progress = Callable[[str, int, int], None]

# Set in the parent before forking; read by workers.
_DOCS: Sequence[Document] = ()
_INDEX: ShingleIndex | None = None


def _sketch_task(args: tuple[int, int, DetectConfig, Banding]) -> tuple[list[BandKeys], ShingleIndex]:
    lo, hi, detect, banding = args
    return sketch_batch(_DOCS[lo:hi], detect, banding)


def _credits_task(args: tuple[int, int, Gazetteer]) -> list[Credit]:
    lo, hi, gazetteer = args
    return credits_batch(_DOCS[lo:hi], gazetteer)


def _align_task(args: tuple[np.ndarray, DetectConfig]) -> tuple[list[Alignment], Counter]:
    pairs, detect = args
    if _INDEX is None:
        raise RuntimeError("align before sketch: the shingle index is missing")
    return align_batch(pairs, _INDEX, _DOCS.__getitem__, detect)


class LocalEngine:
    """Runs the stages on this machine with ``workers`` processes (1 = in-process)."""

    name = "local"

    def __init__(self, workers: int = 1, batch_docs: int = 2000, batch_pairs: int = 5000) -> None:
        self.workers = workers
        self.batch_docs = batch_docs
        self.batch_pairs = batch_pairs

    def _map(self, fn: Callable, tasks: list, progress: Progress | None, stage: str) -> Iterator:
        total = len(tasks)
        if self.workers <= 1 or total <= 1 or "fork" not in mp.get_all_start_methods():
            for done, task in enumerate(tasks, start=1):
                yield fn(task)
                if progress:
                    progress(stage, done, total)
            return
        with mp.get_context("fork").Pool(self.workers) as pool:
            for done, result in enumerate(pool.imap(fn, tasks), start=1):
                yield result
                if progress:
                    progress(stage, done, total)

    def sketch(
        self, docs: Sequence[Document], detect: DetectConfig, banding: Banding, progress: Progress | None = None
    ) -> BandStore:
        """Band keys of all documents, spilled to a ``BandStore`` (close it when done); keeps
        their shingle index for ``align``."""
        global _DOCS, _INDEX
        _DOCS = docs
        step = self.batch_docs
        tasks = [(lo, min(lo + step, len(docs)), detect, banding) for lo in range(0, len(docs), step)]
        store = BandStore(banding.bands, len(docs))
        parts: list[ShingleIndex] = []
        try:
            for batch_keys, part in self._map(_sketch_task, tasks, progress, "sketch"):
                store.add(batch_keys)
                parts.append(part)
        except BaseException:
            store.close()
            raise
        _INDEX = concat(parts)
        return store

    def credits(self, docs: Sequence[Document], gazetteer: Gazetteer, progress: Progress | None = None) -> list[Credit]:
        """Agency credits of all documents, in document order."""
        global _DOCS
        _DOCS = docs
        step = self.batch_docs * 5
        tasks = [(lo, min(lo + step, len(docs)), gazetteer) for lo in range(0, len(docs), step)]
        out: list[Credit] = []
        for batch in self._map(_credits_task, tasks, progress, "credits"):
            out.extend(batch)
        return out

    def align(
        self, docs: Sequence[Document], pairs: np.ndarray, detect: DetectConfig, progress: Progress | None = None
    ) -> tuple[list[Alignment], Counter]:
        """Verified alignments of all candidate pairs (sorted so a batch reuses its tokens)."""
        global _DOCS
        _DOCS = docs
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if len(pairs) else pairs
        step = self.batch_pairs
        tasks = [(pairs[lo : lo + step], detect) for lo in range(0, len(pairs), step)]
        found: list[Alignment] = []
        rejected: Counter = Counter()
        for alignments, rejections in self._map(_align_task, tasks, progress, "align"):
            found.extend(alignments)
            rejected.update(rejections)
        return found, rejected
