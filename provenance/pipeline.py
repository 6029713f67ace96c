"""scan(): the one orchestrator. It composes the stages and times them; it does no I/O of its
own besides reading the inputs through ``ingest`` (reports are written by ``report``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

from provenance.cluster import build_clusters
from provenance.config import ScanConfig
from provenance.credits import load_gazetteer
from provenance.engines.local import LocalEngine, Progress
from provenance.graph import build_graph, infer_origins
from provenance.ingest import read_documents
from provenance.records import Document, ScanResult, Skipped, StageTiming
from provenance.sketch import candidate_pairs, choose_banding

log = logging.getLogger(__name__)


class _Timer:
    def __init__(self) -> None:
        self.timings: list[StageTiming] = []

    @contextmanager
    def stage(self, name: str, items: Callable[[], int] = lambda: 0):
        t0 = time.perf_counter()
        yield
        seconds = time.perf_counter() - t0
        self.timings.append(StageTiming(name, round(seconds, 4), items()))
        log.info("stage %s: %.2fs", name, seconds)


def load(paths: Iterable[Path], config: ScanConfig) -> tuple[list[Document], list[Skipped]]:
    """Read every input; return the documents and the skipped inputs."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for item in read_documents(paths, config.fields):
        (skipped if isinstance(item, Skipped) else docs).append(item)
    return docs, skipped


def detect(
    docs: Sequence[Document],
    config: ScanConfig,
    engine: LocalEngine | None = None,
    progress: Progress | None = None,
    timer: _Timer | None = None,
    skipped: Sequence[Skipped] = (),
) -> ScanResult:
    """Find reused passages in documents already read (indexes must be ``0..n-1``)."""
    engine = engine or LocalEngine(config.workers, config.batch_docs)
    timer = timer or _Timer()
    gazetteer = load_gazetteer(Path(config.agencies) if config.agencies else None)
    d = config.detect
    banding = choose_banding(d)
    with timer.stage("sketch", lambda: len(docs)):
        bands = engine.sketch(docs, d, banding, progress)
    with timer.stage("candidates", lambda: int(len(pairs))):
        pairs, hits, acc = candidate_pairs(bands, d, len(docs))
        del bands
    with timer.stage("align", lambda: len(alignments)):
        alignments, rejected = engine.align(docs, pairs, d, progress)
    with timer.stage("cluster", lambda: len(clusters)):
        clusters = build_clusters(alignments, boilerplate_docs=d.boilerplate_docs)
    with timer.stage("credits", lambda: len(credits)):
        credits = engine.credits(docs, gazetteer, progress)
    with timer.stage("origins", lambda: len(origins)):
        origins = infer_origins(clusters, docs, credits, gazetteer)
    with timer.stage("graph", lambda: len(edges)):
        nodes, edges = build_graph(docs, clusters, origins)
    counts = {
        "documents": len(docs),
        "skipped_inputs": len(skipped),
        "bands": banding.bands,
        "rows": banding.rows,
        "candidate_pairs": int(len(pairs)),
        "boilerplate_buckets": len(acc.boilerplate),
        "pairs_avoided_by_bucket_cap": acc.dropped_pairs,
        "alignments": len(alignments),
        "rejected_candidates": sum(rejected.values()),
        "clusters": len(clusters),
        "passages": sum(len(c.occurrences) for c in clusters),
        "credits": len(credits),
        "clusters_with_origin": sum(1 for o in origins if o.agency),
    }
    return ScanResult(
        documents=tuple(docs),
        alignments=tuple(alignments),
        clusters=tuple(clusters),
        skipped=tuple(skipped),
        boilerplate=tuple(acc.boilerplate),
        timings=tuple(timer.timings),
        counts=counts,
        credits=tuple(credits),
        origins=tuple(origins),
        nodes=tuple(nodes),
        edges=tuple(edges),
    )


def scan(
    paths: Iterable[Path],
    config: ScanConfig | None = None,
    engine: LocalEngine | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Read the inputs and find every reused passage among them.

    Args:
        paths: folders and files to read (see ``provenance.ingest``).
        config: parameters; defaults are tuned for news text.
        engine: where the stages run; the local engine by default.
        progress: called as ``progress(stage, done, total)`` during long stages.

    Returns:
        A ``ScanResult`` with documents, verified alignments, clusters, credits, origins,
        the provenance graph, skipped inputs, boilerplate buckets, per-stage timings and counts.

    Raises:
        InputError: an input path does not exist or is of an unsupported type.
        ConfigError: the agency file given in ``config.agencies`` is malformed.
    """
    config = config or ScanConfig()
    timer = _Timer()
    with timer.stage("read", lambda: len(docs)):
        docs, skipped = load(paths, config)
    return detect(docs, config, engine, progress, timer, skipped)
