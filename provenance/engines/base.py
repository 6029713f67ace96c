"""The engine contract: what an engine must do for ``pipeline.detect`` to run a scan on it.

The pipeline calls these methods in this order, and never asks which engine it has. An engine
chooses where the work runs (this process, a pool of processes, a Spark cluster) and how its
intermediate results are held; it must give the same records as every other engine (the
Spark-equality tests check it). A new engine subclasses ``Engine`` and implements every
abstract method; a new stage is a new method here, implemented by every engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from provenance.cluster import split_composites
from provenance.cluster.categories import categorize
from provenance.cluster.trim import trim_wide_noise
from provenance.config import CategoryConfig, DetectConfig, ScanConfig
from provenance.credits import Gazetteer
from provenance.graph import build_graph
from provenance.records import (
    Alignment,
    Cluster,
    Credit,
    Document,
    GraphEdge,
    GraphNode,
    Origin,
    ScanResult,
    Skipped,
    TextsElsewhere,
)
from provenance.sketch import Banding
from provenance.sketch.lsh import PairCounts

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` during long stages."""

Pairs = np.ndarray | Sequence[Any]
"""Candidate pairs as an engine holds them: an ``(n, 2)`` array, or the engine's own sequence."""

SketchT = TypeVar("SketchT")
"""What an engine's ``sketch`` gives and its ``candidates`` takes."""
PairsT = TypeVar("PairsT", bound=Pairs)
"""What an engine's ``candidates`` gives and its ``align`` takes."""


class Engine(ABC, Generic[SketchT, PairsT]):
    """Runs the stages of a scan. Use it as a context manager, or call ``close`` when done.

    An engine names the types it hands itself between stages, ``Engine[SketchT, PairsT]``;
    the pipeline only passes them on.
    """

    name: str

    @abstractmethod
    def load(self, paths: Iterable[Path | str], config: ScanConfig) -> tuple[Sequence[Document], list[Skipped]]:
        """Read the inputs: documents indexed ``0..n-1``, and the inputs that were skipped."""

    @abstractmethod
    def sketch(
        self, docs: Sequence[Document], detect: DetectConfig, banding: Banding, progress: Progress | None = None
    ) -> SketchT:
        """Sketch every window of ``docs``. The result is opaque to the pipeline: it is handed,
        once, to ``candidates`` of the same engine, which frees it."""

    @abstractmethod
    def candidates(self, sketches: SketchT, detect: DetectConfig, n_docs: int) -> tuple[PairsT, PairCounts]:
        """Distinct candidate document pairs ``(a <= b)`` from ``sketch``'s result, and the
        banding counts (boilerplate buckets, pairs avoided, pairs below ``min_hits``)."""

    @abstractmethod
    def align(
        self, docs: Sequence[Document], pairs: PairsT, detect: DetectConfig, progress: Progress | None = None
    ) -> tuple[Sequence[Alignment], Counter]:
        """Verified alignments of the candidate pairs, and rejected pairs counted by reason."""

    @abstractmethod
    def cluster(
        self,
        alignments: Sequence[Alignment],
        boilerplate_docs: int | None,
        min_overlap: float = 0.5,
        long_chars: int = 200,
    ) -> Sequence[Cluster]:
        """Occurrences (spans grouped by ``provenance.cluster.occurrence_groups``) and clusters,
        numbered in document order, with the overlapping copies of a cluster in one document
        merged and the passages numbered again (``provenance.cluster.merge_within``)."""

    @abstractmethod
    def credits(
        self, docs: Sequence[Document], gazetteer: Gazetteer, progress: Progress | None = None
    ) -> Sequence[Credit]:
        """Agency credits of every document, in document order: a list, or, for an engine that
        keeps them where it found them, a ``records.CreditsElsewhere`` (which the result keeps,
        and which writes the report's ``credits`` table)."""

    def refine(
        self, alignments: Sequence[Alignment], docs: Sequence[Document], credits: Sequence[Credit], config: ScanConfig
    ) -> Sequence[Alignment]:
        """The cluster stage's text-dependent cuts of ``alignments``: composite matches cut
        (``split_composites``), then noise printed on many pages trimmed off their edges
        (``trim_wide_noise``, whose strict first clustering is judged by ``categorize``).

        By default the library functions run here, over ``docs``; an engine that keeps the
        texts elsewhere runs the same functions where the texts are.
        """
        return trim_wide_noise(split_composites(list(alignments), docs), docs, credits, config)

    def categorize(
        self,
        clusters: Sequence[Cluster],
        docs: Sequence[Document],
        credits: Sequence[Credit],
        params: CategoryConfig,
        boilerplate_docs: int | None,
    ) -> Sequence[Cluster]:
        """``clusters`` with their categories (``provenance.cluster.categories.categorize``),
        in the same order.

        By default computed here, reading ``docs``' texts; an engine that keeps the texts
        elsewhere computes each cluster's category there (the Spark engine: each sampled copy's
        ``copy_facts``, then ``measure`` and ``decide``, on its executors).
        """
        return categorize(clusters, docs, credits, params, boilerplate_docs)

    @abstractmethod
    def origins(
        self, clusters: Sequence[Cluster], docs: Sequence[Document], credits: Sequence[Credit], gazetteer: Gazetteer
    ) -> Sequence[Origin]:
        """The likely origin of every news cluster of ``clusters`` (categorized), in cluster
        order; the other categories get none (``news_origins`` says why)."""

    def graph(
        self, docs: Sequence[Document], clusters: Sequence[Cluster], origins: Sequence[Origin]
    ) -> tuple[Sequence[GraphNode], Sequence[GraphEdge]]:
        """The provenance graph of the news clusters of ``clusters`` (categorized), with their
        ``origins``: nodes and edges in ``provenance.graph.build_graph``'s order.

        By default built here; an engine that keeps the clusters elsewhere builds the same graph
        there, and may keep it there (each of nodes and edges a ``records.TableElsewhere``,
        whose report table the engine writes).
        """
        return build_graph(docs, clusters, origins)

    def result_documents(
        self, docs: Sequence[Document], clusters: Sequence[Cluster], credits: Sequence[Credit]
    ) -> tuple[Sequence[Document], TextsElsewhere | None]:
        """The documents a scan's result holds, and what the report needs of the texts it does
        not hold. By default ``docs`` as they are, every text with them (None). An engine that
        keeps the texts off this process (the Spark engine, for a Parquet dataset) gives every
        document with a passage whole, and each other one as its id and outlet with an empty text
        and no other field, with their lengths in a ``TextsElsewhere``; its documents then write
        their own ``documents`` table (``provenance.report.scan_report.DocumentsElsewhere``), and
        its credits their ``credits`` table (``records.CreditsElsewhere``)."""
        return docs, None

    def table_writers(self, result: ScanResult) -> dict[str, Callable[[Path], None]]:
        """The report tables of ``result`` this engine writes where its data is, by table name:
        each a function writing the table at a path (a folder of part files). By default none:
        the report writer builds every table from ``result``. An engine that keeps the texts
        elsewhere (``result.texts_elsewhere``) must give ``texts``; the Spark engine gives
        ``derivation`` too, computed on its executors. Call it, and write the report, while the
        engine is open."""
        return {}

    def release(self) -> None:  # noqa: B027 - an engine that holds nothing between scans needs no override
        """Drop what the engine holds for the current scan (the pipeline calls it when a scan ends)."""

    def close(self) -> None:
        """Release everything, including sessions the engine started."""
        self.release()

    def __enter__(self) -> Engine[SketchT, PairsT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
