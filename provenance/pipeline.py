"""scan(): the one orchestrator. It composes the stages and times them; it does no I/O of its
own besides reading the inputs through ``ingest`` (reports are written by ``report``)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

from provenance.cluster import merge_within, split_composites
from provenance.cluster.categories import categorize, category_counts
from provenance.config import ScanConfig
from provenance.credits import load_gazetteer
from provenance.engines.base import Engine, Pairs, Progress
from provenance.engines.local import LocalEngine
from provenance.errors import ConfigError
from provenance.graph import build_graph, news_origins
from provenance.ingest import load as load  # the one loader, for callers that read inputs before detect()
from provenance.records import Alignment, Cluster, Credit, Document, Origin, ScanResult, Skipped, StageTiming
from provenance.sketch import Banding, scan_banding
from provenance.sketch.lsh import PairCounts

log = logging.getLogger(__name__)

ENGINES = ("local", "spark")


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


def make_engine(engine: Engine | str | None, config: ScanConfig) -> Engine:
    """The engine to run on: an engine object as given, or one named ``local`` (the default)
    or ``spark`` (Spark with its defaults; build a ``SparkEngine`` to choose master and settings).

    Raises:
        ConfigError: an unknown engine name, or ``spark`` without pyspark installed.
    """
    if engine is None or engine == "local":
        return LocalEngine(config.workers, config.batch_docs)
    if engine == "spark":
        from provenance.engines.spark import SparkEngine

        return SparkEngine()
    if isinstance(engine, str):
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return engine


def detect(
    docs: Sequence[Document],
    config: ScanConfig,
    engine: Engine | str | None = None,
    progress: Progress | None = None,
    timer: _Timer | None = None,
    skipped: Sequence[Skipped] = (),
) -> ScanResult:
    """Find reused passages in documents already read (indexes must be ``0..n-1``).

    Raises:
        ConfigError: the agency file given in ``config.agencies`` is malformed, or the engine
            is unknown or not installed.
    """
    engine = make_engine(engine, config)
    timer = timer or _Timer()
    gazetteer = load_gazetteer(Path(config.agencies) if config.agencies else None)
    d = config.detect
    banding = scan_banding(d)
    try:
        with timer.stage("sketch", lambda: len(docs)):
            sketches = engine.sketch(docs, d, banding, progress)
        with timer.stage("candidates", lambda: len(pairs)):
            pairs, acc = engine.candidates(sketches, d, len(docs))
            del sketches
        with timer.stage("align", lambda: len(alignments)):
            alignments, rejected = engine.align(docs, pairs, d, progress)
        with timer.stage("cluster", lambda: len(clusters)):
            # On the driver for every engine (Spark's alignments are collected here): the cut
            # needs each document's other matches, and both engines must cluster the same pieces.
            alignments = split_composites(list(alignments), docs)
            clusters = merge_within(engine.cluster(alignments, d.boilerplate_docs, d.min_overlap, d.long_chars))
        with timer.stage("credits", lambda: len(credits)):
            credits = engine.credits(docs, gazetteer, progress)
        with timer.stage("categories", lambda: len(categorized)):
            # On the driver for every engine, so that local and Spark agree by construction.
            categorized = categorize(clusters, docs, credits, config.categories, d.boilerplate_docs)
        with timer.stage("origins", lambda: len(origins)):
            # The engine infers over its own clusters; only news clusters keep an origin.
            origins = news_origins(engine.origins(clusters, docs, credits, gazetteer), categorized)
        clusters = categorized
    finally:
        engine.release()
    with timer.stage("graph", lambda: len(edges)):
        nodes, edges = build_graph(docs, clusters, origins)
    counts = result_counts(docs, skipped, banding, pairs, acc, alignments, rejected, clusters, credits, origins)
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


def result_counts(
    docs: Sequence[Document],
    skipped: Sequence[Skipped],
    banding: Banding,
    pairs: Pairs,
    acc: PairCounts,
    alignments: Sequence[Alignment],
    rejected: Counter,
    clusters: Sequence[Cluster],
    credits: Sequence[Credit],
    origins: Sequence[Origin],
) -> dict[str, int]:
    """The counts a scan (or a query) reports in its manifest and summary."""
    return {
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
        **{f"clusters_{name}": n for name, n in category_counts(clusters).items()},
        "passages": sum(len(c.occurrences) for c in clusters),
        "credits": len(credits),
        "clusters_with_origin": sum(1 for o in origins if o.agency),
    }


def scan(
    paths: Iterable[Path],
    config: ScanConfig | None = None,
    engine: Engine | str | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Read the inputs and find every reused passage among them.

    Args:
        paths: folders and files to read (see ``provenance.ingest``).
        config: parameters; defaults are tuned for news text.
        engine: where the stages run: an ``Engine``, or ``"local"`` (the default) or
            ``"spark"``; the engine reads the inputs (Spark reads Parquet datasets itself).
        progress: called as ``progress(stage, done, total)`` during long stages.

    Returns:
        A ``ScanResult`` with documents, verified alignments, clusters, credits, origins,
        the provenance graph, skipped inputs, boilerplate buckets, per-stage timings and counts.

    Raises:
        InputError: an input path does not exist or is of an unsupported type.
        ConfigError: the agency file given in ``config.agencies`` is malformed, or the engine
            is unknown or not installed.
    """
    config = config or ScanConfig()
    engine = make_engine(engine, config)
    timer = _Timer()
    with timer.stage("read", lambda: len(docs)):
        docs, skipped = engine.load(paths, config)
    return detect(docs, config, engine, progress, timer, skipped)
