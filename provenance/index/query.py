"""Query the index: which indexed documents and passages new documents reuse.

A query is ``provenance.pipeline.detect`` with an ``IndexCandidates`` source: the scan
restricted to the pairs that involve a new document, with the indexed side read from the index
instead of re-sketched. The source's stages, timed on the run's stage timer:

1. ``sketch``: the new documents' window band keys, with the index's parameters.
2. ``lookup``: every indexed ``(key, document)`` sharing a key with them (binary search in the
   memory-mapped key segments; deleted documents left out).
3. ``candidates``: the new and the matched indexed entries go through the scan's own
   ``candidate_pairs``. Each bucket holds exactly the documents it would hold in a scan of the
   index plus the new documents (every indexed document with that key, all new ones, in that
   order), so boilerplate buckets are capped the same way. Pairs between two indexed
   documents are dropped; new-new pairs and a new document's repeats of itself are kept.
4. ``fetch``: the indexed documents of those pairs are read from the index.

Then ``detect`` runs the rest on the engine (so ``workers`` apply), as for a scan: ``align``;
``cluster``, over the new documents and the indexed documents they were verified against
(``IndexCandidates.keep`` renumbers them, indexed first); ``credits``; ``categories``;
``origins``; ``graph``. Categories are decided among these documents only, so a text the
index holds in many more documents may be judged differently than in a full scan.

So for a document queried against an index, its alignments, passages and spans are those a
scan of the indexed documents together with it reports for it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from provenance.config import ScanConfig
from provenance.engines.base import Engine, Progress
from provenance.engines.stages import sketch_windows
from provenance.graph import write_gexf, write_graphml
from provenance.index.errors import IndexStoreError
from provenance.index.manifest import KeyParameters
from provenance.index.store import Snapshot, open_index
from provenance.pipeline import Candidates, CandidateSource, Kept, detect
from provenance.records import Alignment, BandKeys, Boilerplate, Document, ScanResult, Skipped
from provenance.report import GEXF, GRAPHML, report_tables, write_report
from provenance.report.manifest import build_manifest, run_identity
from provenance.sketch import Banding, candidate_pairs, merge_bands, pack_bands
from provenance.timing import StageTimer

log = logging.getLogger(__name__)

ROLE_FIELD = "query_role"
"""Pass-through column of ``documents.parquet`` in a query report: ``new`` or ``indexed``."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A query's findings as a ``ScanResult``: ``scan.documents[:first_new]`` are indexed
    documents the new ones were verified against, ``scan.documents[first_new:]`` the new ones."""

    scan: ScanResult
    first_new: int
    generation: int
    index_documents: int


def query_index(
    index: Path | Snapshot,
    docs: Sequence[Document],
    config: ScanConfig,
    skipped: Sequence[Skipped] = (),
    progress: Progress | None = None,
) -> QueryResult:
    """Find the passages ``docs`` reuse from the indexed documents (and from each other).

    Args:
        index: the index folder (opened here; reopened if a compaction removes a segment while
            it is read), or an open ``Snapshot``.
        docs: the new documents (any indexes; they are renumbered after the indexed ones).
        config: scan parameters; the key parameters of ``config.detect`` must be the index's
            (see ``provenance.index.resolve_detect``). Verification parameters are free.
        skipped: inputs that were not read, carried into the result for the record.
        progress: called as ``progress(stage, done, total)`` during long stages.

    Returns:
        A ``QueryResult``. The stages run on the local engine with ``config.workers`` processes.

    Raises:
        IncompatibleIndexError: the key parameters differ from the index's.
        IndexStoreError: no index at ``index``, or it cannot be read.
    """
    if isinstance(index, Snapshot):
        return _query(index, docs, config, skipped, progress)
    for attempt in range(3):
        try:
            return _query(open_index(index), docs, config, skipped, progress)
        except FileNotFoundError as err:
            # A compaction deleted a segment of the state this query opened: read the new one.
            log.info("index changed while reading (%s); reopening", err.filename)
            if attempt == 2:
                raise IndexStoreError(f"{index}: segments keep disappearing while reading ({err.filename})") from None
    raise AssertionError("unreachable")


def _query(
    snapshot: Snapshot,
    docs: Sequence[Document],
    config: ScanConfig,
    skipped: Sequence[Skipped],
    progress: Progress | None,
) -> QueryResult:
    scan = detect(docs, config, progress=progress, skipped=skipped, source=IndexCandidates(snapshot))
    first_new = scan.counts["indexed_documents"]
    return QueryResult(scan, first_new, snapshot.manifest.generation, snapshot.manifest.documents)


@dataclass(frozen=True, slots=True)
class _Found:
    """What ``IndexCandidates.keep`` needs from its ``candidates``: the number of matched
    indexed documents, which of them (in that numbering) the pairs kept, and the new ones."""

    matched: int
    needed: np.ndarray
    new: int


class IndexCandidates(CandidateSource):
    """Candidates of new documents against an index (see the module's docstring).

    ``candidates`` numbers the documents to align as the indexed documents fetched (by index
    number) and then the new ones; ``keep`` keeps the indexed documents a passage was verified
    against and every new document, renumbered in that order, and adds the query's counts.
    Pairs are an ``(n, 2)`` array, for the local engine.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._found: _Found | None = None

    def candidates(
        self,
        docs: Sequence[Document],
        config: ScanConfig,
        engine: Engine,
        timer: StageTimer,
        progress: Progress | None,
    ) -> Candidates:
        """Sketch ``docs`` (any indexes), look their keys up, band, and fetch the indexed side.

        Raises:
            IncompatibleIndexError: the key parameters of ``config.detect`` differ from the index's.
        """
        d = config.detect
        params = KeyParameters.from_detect(d)
        self.snapshot.manifest.check(params, self.snapshot.root)
        banding = Banding(params.bands, params.rows)
        new = [dataclasses.replace(doc, index=i) for i, doc in enumerate(docs)]
        m = len(new)
        with timer.stage("sketch", lambda: m):
            new_keys = merge_bands(keys for keys, _ in sketch_windows(new, d, banding, config.batch_docs))

        with timer.stage("lookup", lambda: n_idx):
            matched = self.snapshot.lookup(new_keys)
            numbers = np.unique(np.concatenate([b.docs for b in matched])) if matched else np.empty(0, dtype=np.int64)
            n_idx = int(numbers.shape[0])

        with timer.stage("candidates", lambda: int(pairs.shape[0])):
            # Local numbering: matched indexed documents by index number, then the new documents.
            combined = [
                BandKeys(
                    nk.band,
                    np.concatenate([mk.keys, nk.keys]),
                    np.concatenate([np.searchsorted(numbers, mk.docs), nk.docs + n_idx]),
                )
                for mk, nk in zip(matched, new_keys, strict=True)
            ]
            n = n_idx + m
            pairs, _, acc = candidate_pairs(pack_bands(combined, n), n, max_bucket=d.max_bucket, min_hits=d.min_hits)
            pairs = pairs[pairs[:, 1] >= n_idx]  # a <= b: a pair involves a new document iff b is new

        with timer.stage("fetch", lambda: len(indexed)):
            needed = np.unique(pairs[pairs[:, 0] < n_idx, 0])
            indexed = self.snapshot.documents(numbers[needed].tolist())
            shift = np.full(n_idx + m, -1, dtype=np.int64)
            shift[needed] = np.arange(needed.shape[0])
            shift[n_idx:] = np.arange(m) + needed.shape[0]
            local = indexed + [dataclasses.replace(doc, index=needed.shape[0] + doc.index) for doc in new]
            pairs = shift[pairs]
        self._found = _Found(n_idx, needed, m)
        return Candidates(local, pairs, acc)

    def keep(self, found: Candidates, alignments: Sequence[Alignment]) -> Kept:
        """The indexed documents a passage was verified against, then every new document,
        renumbered ``0..n-1``; the alignments and capped buckets in that numbering."""
        if self._found is None:
            raise RuntimeError("IndexCandidates.keep before candidates")
        n_idx, needed, m = self._found.matched, self._found.needed, self._found.new
        first_new = int(needed.shape[0])
        used = sorted({x for al in alignments for x in (al.doc_a, al.doc_b) if x < first_new})
        renumber = {old: i for i, old in enumerate(used)}
        renumber.update({first_new + i: len(used) + i for i in range(m)})
        final = [dataclasses.replace(found.docs[old], index=i) for old, i in renumber.items()]
        final.sort(key=lambda doc: doc.index)
        kept = [dataclasses.replace(al, doc_a=renumber[al.doc_a], doc_b=renumber[al.doc_b]) for al in alignments]
        counts = {
            "new_documents": m,
            "indexed_documents": len(used),
            "index_documents": self.snapshot.manifest.documents,
            "indexed_candidates": first_new,
        }
        boilerplate = _remap_boilerplate(found.counts.boilerplate, n_idx, needed, renumber, first_new)
        return Kept(final, kept, boilerplate, counts)


def _remap_boilerplate(
    found: Sequence[Boilerplate],
    n_idx: int,
    needed: np.ndarray,
    renumber: dict[int, int],
    first_new: int,
) -> list[Boilerplate]:
    """Capped buckets whose sample document is in the result, renumbered; the others are only counted."""
    out = []
    for b in found:
        if b.sample_doc >= n_idx:
            sample = first_new + b.sample_doc - n_idx
        else:
            at = int(np.searchsorted(needed, b.sample_doc))
            if at >= needed.shape[0] or needed[at] != b.sample_doc:
                continue
            sample = at
        if sample in renumber:
            out.append(dataclasses.replace(b, sample_doc=renumber[sample]))
    return out


def query_identity(config: ScanConfig, inputs: Sequence[Path], index: Path) -> dict[str, Any]:
    """What makes two queries the same run: inputs, parameters and the index folder."""
    identity = run_identity(config, list(inputs))
    identity["parameters"]["index"] = str(index.resolve())
    return identity


def write_query_report(
    out: Path, result: QueryResult, config: ScanConfig, inputs: Sequence[Path], index: Path, force: bool = False
) -> Path:
    """Write a query's report: the scan's tables (``documents.parquet`` gains a ``query_role``
    column), graph files and manifest (with a ``query`` section), atomically.

    Raises:
        ReportError: ``out`` holds something that must not be replaced, or cannot be written.
    """
    docs = tuple(
        dataclasses.replace(doc, extra=(*doc.extra, (ROLE_FIELD, "indexed" if doc.index < result.first_new else "new")))
        for doc in result.scan.documents
    )
    scan = dataclasses.replace(result.scan, documents=docs)
    manifest = build_manifest(scan, config, list(inputs))
    manifest.update(query_identity(config, inputs, index))
    manifest["query"] = {
        "index": str(index.resolve()),
        "index_generation": result.generation,
        "index_documents": result.index_documents,
        "new_documents": len(docs) - result.first_new,
        "indexed_documents_matched": result.first_new,
    }
    extra = {
        GRAPHML: lambda path: write_graphml(scan.nodes, scan.edges, path),
        GEXF: lambda path: write_gexf(scan.nodes, scan.edges, path),
    }
    return write_report(out, report_tables(scan), manifest, force=force, extra_files=extra)
