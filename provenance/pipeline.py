"""scan() and detect(): the one orchestrator. It composes the stages and times them; it does no
I/O of its own besides reading the inputs through ``ingest`` (reports are written by ``report``).

Where the candidate pairs come from is the one thing that varies: a ``CandidateSource``. A scan
uses ``EngineCandidates`` (the engine sketches every document and bands the sketches); a query
of an index uses ``provenance.index.query.IndexCandidates`` (sketch the new documents, look
their keys up in the index, fetch the indexed documents they meet). Everything after the
candidates (align, cluster, credits, categories, origins, graph, counts) runs once, here, on
the engine, for both.
"""

from __future__ import annotations

import dataclasses
import logging
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from provenance.arrow import rows_of
from provenance.cluster.categories import category_counts
from provenance.config import ScanConfig
from provenance.credits import load_gazetteer
from provenance.engines.base import Engine, Pairs, Progress
from provenance.engines.local import LocalEngine
from provenance.errors import ConfigError, InputError
from provenance.filters import keep_documents
from provenance.graph import news_origins
from provenance.ingest import load as load  # the one loader, for callers that read inputs before detect()
from provenance.ingest.policy import UNSUPPORTED
from provenance.ingest.streams import is_stream, stream_name
from provenance.ingest.walk import printable_path
from provenance.records import (
    Alignment,
    Boilerplate,
    Cluster,
    Credit,
    CreditsElsewhere,
    Document,
    Origin,
    ScanResult,
    Skipped,
)
from provenance.sketch import Banding, scan_banding
from provenance.sketch.lsh import PairCounts
from provenance.timing import StageTimer

log = logging.getLogger(__name__)


ENGINES = ("local", "spark")


@dataclass(frozen=True, slots=True)
class Candidates:
    """What a candidate source hands ``detect``: the documents the pairs number (``0..n-1``,
    the ones the engine aligns), the candidate pairs as the engine's ``align`` takes them, and
    the banding counts."""

    docs: Sequence[Document]
    pairs: Pairs
    counts: PairCounts


@dataclass(frozen=True, slots=True)
class Kept:
    """The documents a result reports (``0..n-1``), the alignments over them, the capped
    buckets to list, and counts the source adds to the result's."""

    docs: Sequence[Document]
    alignments: Sequence[Alignment]
    boilerplate: Sequence[Boilerplate]
    counts: Mapping[str, int] = field(default_factory=dict)


class CandidateSource(ABC):
    """Where ``detect`` gets its candidate pairs. ``candidates`` runs the source's stages on the
    engine, timing each on ``timer``; ``keep`` chooses, after alignment, which documents the
    result reports. A new source (another kind of index, a fixed list of pairs) subclasses it;
    everything after the candidates stays in ``detect``."""

    @abstractmethod
    def candidates(
        self,
        docs: Sequence[Document],
        config: ScanConfig,
        engine: Engine,
        timer: StageTimer,
        progress: Progress | None,
    ) -> Candidates:
        """The documents to align and their candidate pairs.

        Raises:
            ProvenanceError: the source cannot give candidates for this config (its own subclass).
        """

    def keep(self, found: Candidates, alignments: Sequence[Alignment]) -> Kept:
        """The documents, alignments and capped buckets the result reports (default: all of
        them, as they are)."""
        return Kept(found.docs, alignments, found.counts.boilerplate)


class EngineCandidates(CandidateSource):
    """A scan's candidates: the engine sketches every document and bands the sketches."""

    def candidates(
        self,
        docs: Sequence[Document],
        config: ScanConfig,
        engine: Engine,
        timer: StageTimer,
        progress: Progress | None,
    ) -> Candidates:
        """``engine.sketch`` then ``engine.candidates`` over ``docs`` (indexed ``0..n-1``)."""
        d = config.detect
        with timer.stage("sketch", lambda: len(docs)):
            sketches = engine.sketch(docs, d, scan_banding(d), progress)
        with timer.stage("candidates", lambda: len(pairs)):
            pairs, acc = engine.candidates(sketches, d, len(docs))
        return Candidates(docs, pairs, acc)


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
    timer: StageTimer | None = None,
    skipped: Sequence[Skipped] = (),
    source: CandidateSource | None = None,
) -> ScanResult:
    """Find reused passages in documents already read.

    Args:
        docs: the documents (indexes ``0..n-1`` for the default source).
        config: parameters; ``config.workers`` and ``config.batch_docs`` size the local engine.
        engine: where the stages run (see ``make_engine``).
        progress: called as ``progress(stage, done, total)`` during long stages.
        timer: the stage timer to record on (one is made when None).
        skipped: inputs that were not read, carried into the result for the record.
        source: where the candidate pairs come from; ``EngineCandidates`` (a scan) when None.

    Raises:
        ConfigError: the agency file given in ``config.agencies`` is malformed, or the engine
            is unknown or not installed.
    """
    engine = make_engine(engine, config)
    timer = timer or StageTimer()
    source = source or EngineCandidates()
    gazetteer = load_gazetteer(Path(config.agencies) if config.agencies else None)
    d = config.detect
    banding = scan_banding(d)
    try:
        found = source.candidates(docs, config, engine, timer, progress)
        with timer.stage("align", lambda: len(alignments)):
            alignments, rejected = engine.align(found.docs, found.pairs, d, progress)
        kept = source.keep(found, alignments)
        docs, alignments, boilerplate, kept_counts = kept.docs, kept.alignments, kept.boilerplate, kept.counts
        del kept  # the alignments' objects go when the cluster stage has them in columns
        with timer.stage("credits", lambda: len(credits)):
            credits = engine.credits(docs, gazetteer, progress)
        with timer.stage("cluster", lambda: len(clusters)):
            # The cuts are decided here from every alignment (a document's other matches); the
            # engine reads the texts for them where the texts are.
            alignments = engine.refine(alignments, docs, credits, config)
            clusters = engine.cluster(alignments, d.boilerplate_docs, d.min_overlap, d.long_chars)
            # The result's alignments in columns, not an object each (they grow with the reuse);
            # an engine that keeps them where it found them keeps them there.
            if isinstance(alignments, list):
                alignments = rows_of(alignments, Alignment)
        with timer.stage("categories", lambda: len(categorized)):
            # ``categorize``'s decisions, made where the engine holds the clusters and the texts.
            categorized = engine.categorize(clusters, docs, credits, config.categories, d.boilerplate_docs)
        with timer.stage("origins", lambda: len(origins)):
            # Inferred for news clusters only: site chrome on thousands of pages has no wire origin.
            origins = news_origins(engine.origins(categorized, docs, credits, gazetteer), categorized)
        clusters = categorized
        with timer.stage("graph", lambda: len(edges)):
            # Built where the engine holds the clusters (a Spark dataset's graph stays there).
            nodes, edges = engine.graph(docs, clusters, origins)
        docs, elsewhere = engine.result_documents(docs, clusters, credits)
    finally:
        engine.release()
    pairs, acc = found.pairs, found.counts
    counts = result_counts(docs, skipped, banding, pairs, acc, alignments, rejected, clusters, credits, origins)
    counts.update(kept_counts)
    return ScanResult(
        documents=docs,
        alignments=alignments,
        clusters=tuple(clusters) if isinstance(clusters, list) else clusters,  # an engine's view kept
        skipped=tuple(skipped),
        boilerplate=tuple(boilerplate),
        timings=tuple(timer.timings),
        counts=counts,
        credits=credits if isinstance(credits, CreditsElsewhere) else tuple(credits),
        origins=tuple(origins),
        nodes=nodes,
        edges=edges,
        texts_elsewhere=elsewhere,
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
        InputError: an input path does not exist or is of an unsupported type, a field the
            user named is in no row of an input, or no document is left to scan (none read,
            or all filtered out by ``config.filters``).
        ConfigError: the agency file given in ``config.agencies`` is malformed, or the engine
            is unknown or not installed.
    """
    config = config or ScanConfig()
    engine = make_engine(engine, config)
    timer = StageTimer()
    paths = list(paths)
    with timer.stage("read", lambda: len(docs)):
        read, skipped = engine.load(paths, config)
        docs, filtered = keep_documents(read, config.filters)
    if not docs:
        raise InputError(no_documents(paths, skipped, len(read)))
    result = detect(docs, config, engine, progress, timer, skipped)
    unsupported = sum(1 for s in skipped if s.reason == UNSUPPORTED)
    return dataclasses.replace(
        result, counts=result.counts | {"filtered_out": filtered, "skipped_unsupported": unsupported}
    )


def no_documents(paths: Sequence[Path], skipped: Sequence[Skipped], read: int) -> str:
    """Why a scan of ``paths`` has nothing to scan: ``read`` documents were read and all of
    them filtered out, or none was read and ``skipped`` says why (the commonest reasons)."""
    names = [stream_name(p) if is_stream(p) else printable_path(p) for p in paths]
    where = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if read:
        return f"no document left after --since/--until/--outlet: {read} read from {where}, all filtered out"
    if not skipped:
        return f"no document read from {where} (it holds no file prov reads)"
    reasons = Counter(s.reason for s in skipped).most_common()
    listed = ", ".join(f"{n} {reason}" for reason, n in reasons[:3]) + (", ..." if len(reasons) > 3 else "")
    inputs = "1 input" if len(skipped) == 1 else f"{len(skipped)} inputs"
    return f"no document read from {where} ({inputs} skipped: {listed})"
