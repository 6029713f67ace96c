"""The local engine: stage functions over batches, in this process or a pool of processes.

Worker processes are forked per stage, after the documents are read and sketched, so they
share the corpus and its shingle index through copy-on-write memory instead of receiving them
pickled: the pool's initializer hands them the stage's ``_Shared`` state (fork passes
initializer arguments without pickling), and only batch bounds and results travel. The
engine keeps the shingle index from ``sketch`` to ``align`` on itself, with the documents it
belongs to, and ``release`` (called by the pipeline when a scan ends) drops it. ``align`` of
other documents (a query's, whose candidates come from an index, not from ``sketch``) builds
their shingle index itself.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from provenance import ingest
from provenance.cluster import build_clusters, merge_within
from provenance.config import DetectConfig, ScanConfig
from provenance.credits import Gazetteer
from provenance.engines.base import Engine, Progress
from provenance.engines.stages import align_batch, credits_batch, sketch_batch
from provenance.graph import infer_origins
from provenance.ingest.pool import ForkPool, broken
from provenance.memory import can_fork, release_free_memory
from provenance.passages import concat, drop_unshared, shingle_index, sort_by_hash
from provenance.records import Alignment, Cluster, Credit, Document, Origin, ShingleIndex, Skipped
from provenance.sketch import Banding, BandStore, candidate_pairs
from provenance.sketch.lsh import PairCounts
from provenance.sketch.store import SplitBand, split_batch

__all__ = ["LocalEngine", "Progress"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every task of one stage reads: set in each worker by the pool initializer."""

    docs: Sequence[Document]
    index: ShingleIndex | None = None


_WORKER: _Shared | None = None  # only ever set inside a forked worker


def _init_worker(shared: _Shared) -> None:
    global _WORKER
    _WORKER = shared


def _in_worker(job: tuple[Callable[[_Shared, Any], Any], Any]) -> Any:
    fn, task = job
    if _WORKER is None:
        raise RuntimeError("a pool task ran without its shared state")
    return fn(_WORKER, task)


def _sketch_task(
    shared: _Shared, args: tuple[int, int, DetectConfig, Banding, int, int]
) -> tuple[list[SplitBand], ShingleIndex]:
    lo, hi, detect, banding, n_docs, ranges = args
    keys, index = sketch_batch(shared.docs[lo:hi], detect, banding)
    # Packed and cut into the store's key ranges here, in the worker: it is a sort of every
    # key, which the parent writing the store would otherwise do alone while the workers wait.
    return split_batch(keys, n_docs, ranges), index


def _shingles_task(shared: _Shared, args: tuple[int, int, int]) -> ShingleIndex:
    lo, hi, shingle_size = args
    return sort_by_hash(shingle_index(shared.docs[lo:hi], shingle_size))


def _credits_task(shared: _Shared, args: tuple[int, int, Gazetteer]) -> list[Credit]:
    lo, hi, gazetteer = args
    return credits_batch(shared.docs[lo:hi], gazetteer)


def _align_task(shared: _Shared, args: tuple[np.ndarray, DetectConfig]) -> tuple[list[Alignment], Counter]:
    pairs, detect = args
    if shared.index is None:
        raise RuntimeError("align before sketch: the shingle index is missing")
    return align_batch(pairs, shared.index, shared.docs.__getitem__, detect)


def _on_documents(shared: _Shared, job: tuple[Callable[[Sequence[Document], Any], Any], Any]) -> Any:
    fn, task = job
    return fn(shared.docs, task)


class LocalEngine(Engine[BandStore, np.ndarray]):
    """Runs the stages on this machine with ``workers`` processes (1 = in-process)."""

    name = "local"

    def __init__(self, workers: int = 1, batch_docs: int = 2000, batch_pairs: int = 5000) -> None:
        self.workers = workers
        self.batch_docs = batch_docs
        self.batch_pairs = batch_pairs
        self._index: ShingleIndex | None = None
        self._indexed: Sequence[Document] | None = None  # the documents ``_index`` belongs to

    def _map(
        self, fn: Callable[[_Shared, T], R], shared: _Shared, tasks: list[T], progress: Progress | None, stage: str
    ) -> Iterator[R]:
        total = len(tasks)
        if self.workers <= 1 or total <= 1 or not can_fork():
            for done, task in enumerate(tasks, start=1):
                yield fn(shared, task)
                if progress:
                    progress(stage, done, total)
            return
        processes = min(self.workers, total)  # no idle forks for a few tasks
        # Leaving the block on a failure or an interrupt ends the running tasks (``finish``).
        with ForkPool(processes, initializer=_init_worker, initargs=(shared,)) as pool:
            # Every task submitted at once, as ``map`` does; each result let go once taken.
            pending = deque(pool.submit(_in_worker, (fn, task)) for task in tasks)
            try:
                for done in range(1, total + 1):
                    yield pool.result(pending.popleft())
                    if progress:
                        progress(stage, done, total)
            except BrokenProcessPool as err:
                who = f"a worker process of the {stage or 'scan'} stage"
                raise broken(err, who, "; fewer --workers hold less memory") from None

    def map_documents(
        self,
        fn: Callable[[Sequence[Document], T], R],
        docs: Sequence[Document],
        tasks: list[T],
        progress: Progress | None = None,
        stage: str = "",
    ) -> Iterator[R]:
        """``fn(docs, task)`` for each task, in order, on this engine's workers (forked, so they
        read ``docs`` without a copy; ``fn`` must be a module-level function): the pool the
        stages use, for work outside a scan (an index add sketches its documents with it)."""
        jobs = [(fn, task) for task in tasks]
        return self._map(_on_documents, _Shared(docs), jobs, progress, stage)

    def load(self, paths: Iterable[Path | str], config: ScanConfig) -> tuple[Sequence[Document], list[Skipped]]:
        """Read every input in this process (``provenance.ingest.load``)."""
        return ingest.load(paths, config)

    def sketch(
        self, docs: Sequence[Document], detect: DetectConfig, banding: Banding, progress: Progress | None = None
    ) -> BandStore:
        """Band keys of all documents, spilled to a ``BandStore`` (``candidates`` closes it);
        keeps their shingle index for ``align``, without the shingles that occur once
        (``drop_unshared``: they can never seed a passage)."""
        self.release()
        step = self.batch_docs
        store = BandStore(banding.bands, len(docs))
        tasks = [
            (lo, min(lo + step, len(docs)), detect, banding, len(docs), store.ranges)
            for lo in range(0, len(docs), step)
        ]
        parts: list[ShingleIndex] = []
        try:
            for split, part in self._map(_sketch_task, _Shared(docs), tasks, progress, "sketch"):
                store.add_split(split)
                parts.append(part)
        except BaseException:
            store.close()
            raise
        self._index, self._indexed = drop_unshared(concat(parts)), docs
        release_free_memory()
        return store

    def candidates(self, sketches: BandStore, detect: DetectConfig, n_docs: int) -> tuple[np.ndarray, PairCounts]:
        """Candidate pairs from the spilled band keys, one band at a time; removes the spill."""
        with sketches:
            pairs, _hits, acc = candidate_pairs(
                sketches, n_docs, max_bucket=detect.max_bucket, min_hits=detect.min_hits
            )
        release_free_memory()
        return pairs, acc

    def align(
        self, docs: Sequence[Document], pairs: np.ndarray, detect: DetectConfig, progress: Progress | None = None
    ) -> tuple[list[Alignment], Counter]:
        """Verified alignments of all candidate pairs (sorted so a batch reuses its tokens),
        against the shingle index ``sketch`` kept for ``docs``, or one built here when ``docs``
        were not sketched (candidates from an index)."""
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if len(pairs) else pairs
        step = self.batch_pairs
        tasks = [(pairs[lo : lo + step], detect) for lo in range(0, len(pairs), step)]
        if not tasks:
            return [], Counter()
        if self._index is None or self._indexed is not docs:
            self._index, self._indexed = self._shingles(docs, detect.shingle_size), docs
        shared = _Shared(docs, self._index)
        found: list[Alignment] = []
        rejected: Counter = Counter()
        for alignments, rejections in self._map(_align_task, shared, tasks, progress, "align"):
            found.extend(alignments)
            rejected.update(rejections)
        release_free_memory()
        return found, rejected

    def cluster(
        self,
        alignments: Sequence[Alignment],
        boilerplate_docs: int | None,
        min_overlap: float = 0.5,
        long_chars: int = 200,
    ) -> list[Cluster]:
        """Connected components of the alignments, their copies in one document merged
        (``provenance.cluster``)."""
        return merge_within(build_clusters(alignments, boilerplate_docs, min_overlap, long_chars))

    def credits(self, docs: Sequence[Document], gazetteer: Gazetteer, progress: Progress | None = None) -> list[Credit]:
        """Agency credits of all documents, in document order."""
        step = self.batch_docs * 5
        tasks = [(lo, min(lo + step, len(docs)), gazetteer) for lo in range(0, len(docs), step)]
        out: list[Credit] = []
        for batch in self._map(_credits_task, _Shared(docs), tasks, progress, "credits"):
            out.extend(batch)
        return out

    def origins(
        self, clusters: Sequence[Cluster], docs: Sequence[Document], credits: Sequence[Credit], gazetteer: Gazetteer
    ) -> list[Origin]:
        """Origins of every news cluster (``provenance.graph.infer_origins``)."""
        return infer_origins([c for c in clusters if c.category == "news"], docs, credits, gazetteer)

    def _shingles(self, docs: Sequence[Document], shingle_size: int) -> ShingleIndex:
        """The shingle index of ``docs`` sorted for seed matching, built in batches, without
        the shingles no other document shares (``drop_unshared``)."""
        step = self.batch_docs
        tasks = [(lo, min(lo + step, len(docs)), shingle_size) for lo in range(0, len(docs), step)]
        return drop_unshared(concat(list(self._map(_shingles_task, _Shared(docs), tasks, None, "shingles"))))

    def release(self) -> None:
        """Drop the shingle index kept from ``sketch`` (or built by ``align``)."""
        self._index = None
        self._indexed = None
