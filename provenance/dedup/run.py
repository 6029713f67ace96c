"""dedup(): documents -> MinHash LSH candidates -> verified pairs -> groups -> kept documents.

Stages, each timed:

1. ``sketch``: every document's MinHash over its word-shingle set, cut into LSH bands tuned
   for the Jaccard ``threshold`` (as datasketch's ``MinHashLSH`` chooses them).
2. ``candidates``: documents sharing a band key (``provenance.sketch.candidate_pairs``; buckets
   over ``max_bucket`` documents are chained). Documents too short to shingle are candidates
   only of documents with the very same words.
3. ``verify``: the exact Jaccard similarity of each candidate pair's shingle sets; pairs under
   the threshold are dropped (and counted).
4. ``group``: verified pairs -> components -> star groups around the representative the policy
   ranks first (see ``provenance.dedup.groups``).
5. ``strip`` (optional): boilerplate passages cut out of the kept documents.

Everything is deterministic for a given input and seed: the output and its counts repeat run
after run.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xxhash

from provenance.config import ScanConfig
from provenance.corpus import Corpus, Picked
from provenance.credits import CreditExtractor, Gazetteer, load_gazetteer
from provenance.dedup.config import DedupConfig
from provenance.dedup.groups import (
    Group,
    Ranked,
    components,
    rank_credited,
    rank_earliest,
    rank_longest,
    split_component,
)
from provenance.dedup.minhash import SETS_BATCH, ShingleSets, jaccard, join_sets, shingle_sets
from provenance.dedup.records import DedupResult, Removal, StrippedSpan
from provenance.dedup.strip import boilerplate_spans, strip_spans
from provenance.engines.local import LocalEngine, Progress
from provenance.errors import ConfigError
from provenance.passages import words
from provenance.records import BandKeys, Credit, Document, Skipped
from provenance.sketch import (
    Banding,
    MinHasher,
    candidate_pairs,
    choose_banding,
    merge_bands,
    pack_bands,
    sketch_documents,
)
from provenance.sketch.lsh import PairCounts
from provenance.timing import StageTimer

log = logging.getLogger(__name__)


def _short_key(doc: Document) -> int | None:
    """A key for a document too short to shingle: the hash of its words, so that identical
    short texts (a caption, a one-line brief) still meet. None when it has no words at all."""
    tokens = words(doc.text)
    return xxhash.xxh3_64_intdigest(" ".join(tokens).encode("utf-8")) if tokens else None


def _same_words(a: Document, b: Document) -> bool:
    return words(a.text) == words(b.text)


def document_banding(config: DedupConfig) -> Banding:
    """LSH bands and rows for the dedup threshold and weights, chosen as datasketch's
    ``MinHashLSH(threshold, num_perm, weights)`` chooses them."""
    return choose_banding(config.threshold, config.num_perm, *config.weights)


SKETCH_DOCS = 5000  # documents a worker sketches per task


def _sketch_part(docs: Sequence[Document], task: tuple[int, int, DedupConfig]) -> list[BandKeys]:
    """The band keys of ``docs[lo:hi]`` (a pool task: the documents are read here)."""
    lo, hi, config = task
    hasher = MinHasher(config.num_perm, config.seed)
    sketches = sketch_documents(
        docs[lo:hi],
        hasher,
        document_banding(config),
        shingle_size=config.shingle_size,
        window_words=None,
        batch_words=config.batch_shingles,
    )
    return merge_bands(keys for keys, _ in sketches)


def document_bands(
    docs: Sequence[Document], config: DedupConfig, workers: int = 1
) -> tuple[list[BandKeys], np.ndarray]:
    """Band keys of every document (indexes ``0..n-1``) and which documents have shingles.

    One ``BandKeys`` per MinHash band over each document's shingle set, and a last one for
    documents too short to shingle, keyed by their words. (A document without shingles has
    datasketch's empty signature; in the MinHash bands all of those would collide, so they
    stay out.)
    """
    banding = document_banding(config)
    # At least one task, an empty one for no documents, so that every band is there.
    tasks = [(lo, min(lo + SKETCH_DOCS, len(docs)), config) for lo in range(0, max(len(docs), 1), SKETCH_DOCS)]
    bands = merge_bands(LocalEngine(workers).map_documents(_sketch_part, docs, tasks))
    has_shingles = np.zeros(len(docs), dtype=bool)
    has_shingles[bands[0].docs] = True  # a document with shingles has one key in every band
    short = [(key, d) for d in np.flatnonzero(~has_shingles).tolist() if (key := _short_key(docs[d])) is not None]
    bands.append(
        BandKeys(
            banding.bands,
            np.array([key for key, _ in short], dtype=np.uint64),
            np.array([d for _, d in short], dtype=np.int64),
        )
    )
    return bands, has_shingles


def document_candidates(bands: Sequence[BandKeys], config: DedupConfig, n_docs: int) -> tuple[np.ndarray, PairCounts]:
    """Distinct candidate pairs ``(a, b)``, ``a < b``, of documents sharing a band key (the
    scan's bucketing; buckets over ``max_bucket`` documents are chained)."""
    pairs, _, acc = candidate_pairs(pack_bands(bands, n_docs), n_docs, max_bucket=config.max_bucket)
    return pairs[pairs[:, 0] != pairs[:, 1]], acc


def verify_candidates(
    docs: Sequence[Document], pairs: np.ndarray, has_shingles: np.ndarray, shingle_size: int, workers: int = 1
) -> tuple[np.ndarray, ShingleSets]:
    """The exact similarity of each candidate pair: Jaccard of the shingle sets, or for two
    documents too short to shingle, 1 when their words are the same and 0 otherwise. Also
    returns the shingle sets of the documents involved."""
    involved = np.unique(pairs).tolist()
    tasks = [(involved[lo : lo + SETS_BATCH], shingle_size) for lo in range(0, len(involved), SETS_BATCH)]
    sets = join_sets(list(LocalEngine(workers).map_documents(_sets_part, docs, tasks)))
    sims = jaccard(pairs, sets)
    for p in np.flatnonzero(~has_shingles[pairs[:, 0]]).tolist():
        sims[p] = 1.0 if _same_words(docs[pairs[p, 0]], docs[pairs[p, 1]]) else 0.0
    return sims, sets


def _sets_part(docs: Sequence[Document], task: tuple[list[int], int]) -> ShingleSets:
    """The shingle sets of ``docs[p]`` for ``p`` in the positions (a pool task)."""
    positions, shingle_size = task
    return shingle_sets(Picked(docs, positions), shingle_size)


def dedup(
    docs: Sequence[Document],
    config: DedupConfig | None = None,
    scan_config: ScanConfig | None = None,
    gazetteer: Gazetteer | None = None,
    skipped: Sequence[Skipped] = (),
    progress: Progress | None = None,
) -> DedupResult:
    """Remove near-duplicate documents, keeping one representative per group.

    Args:
        docs: documents with indexes ``0..n-1`` (as ``provenance.pipeline.load`` returns them).
        config: dedup parameters (threshold, MinHash, policy, boilerplate stripping).
        scan_config: parameters of the passage scan run for ``strip_boilerplate`` (and its
            workers and agency file); the defaults when None.
        gazetteer: agencies for the ``credited`` policy; the built-in one (or the agency file
            named in ``scan_config``) when None.
        skipped: inputs that were not read, carried into the result for the record.
        progress: called as ``progress(stage, done, total)`` during the passage scan.

    Returns:
        A ``DedupResult``: kept documents in input order, removals with the kept representative,
        similarity and reason, stripped passages, counts and timings.

    Raises:
        ConfigError: documents are not indexed ``0..n-1``, or the agency file is malformed.
    """
    config = config or DedupConfig()
    scan_config = scan_config or ScanConfig()
    if not isinstance(docs, Corpus):  # a Corpus numbers its documents by position; it stays on disk
        docs = tuple(docs)
        if any(doc.index != i for i, doc in enumerate(docs)):
            raise ConfigError("documents must be indexed 0..n-1 in order (read them with provenance.pipeline.load)")
    timer = StageTimer()
    banding = document_banding(config)

    with timer.stage("sketch", lambda: len(docs)):
        bands, has_shingles = document_bands(docs, config, scan_config.workers)
    with timer.stage("candidates", lambda: len(pairs)):
        pairs, acc = document_candidates(bands, config, len(docs))
    with timer.stage("verify", lambda: len(verified)):
        sims, sets = verify_candidates(docs, pairs, has_shingles, config.shingle_size, scan_config.workers)
        verified = pairs[sims >= config.threshold]
    with timer.stage("group", lambda: len(groups)):
        groups = _groups(docs, verified, sets, has_shingles, config, scan_config, gazetteer)
        removals = [
            Removal(
                doc=d,
                kept=g.kept,
                similarity=round(s, 6),
                reason="identical text" if docs[d].text == docs[g.kept].text else "near-duplicate",
                kept_because=g.kept_because,
            )
            for g in groups
            for d, s in g.removed
        ]
        removed = {r.doc for r in removals}
        kept_at = [i for i in range(len(docs)) if i not in removed]

    stripped: list[StrippedSpan] = []
    cut: dict[int, Document] = {}
    if config.strip_boilerplate and kept_at:
        with timer.stage("strip", lambda: len(stripped)):
            stripped = _boilerplate(docs, kept_at, config, scan_config, progress)
            kept_at, cut, emptied = _apply_strip(docs, kept_at, stripped)
            removals.extend(Removal(d, None, 0.0, "only boilerplate", "") for d in emptied)
    kept = Picked(docs, kept_at, cut)

    removals.sort(key=lambda r: r.doc)
    counts = {
        "documents": len(docs),
        "skipped_inputs": len(skipped),
        "bands": banding.bands,
        "rows": banding.rows,
        "candidate_pairs": int(len(pairs)),
        "verified_pairs": int(len(verified)),
        "rejected_pairs": int(len(pairs) - len(verified)),
        "boilerplate_buckets": len(acc.boilerplate),
        "groups": len(groups),
        "removed": sum(1 for r in removals if r.kept is not None),
        "emptied_by_stripping": sum(1 for r in removals if r.kept is None),
        "kept": len(kept),
        "stripped_passages": len(stripped),
        "stripped_chars": sum(s.end - s.start for s in stripped),
    }
    log.info("dedup: %d documents, %d removed in %d groups", len(docs), counts["removed"], len(groups))
    return DedupResult(
        documents=docs,
        kept=kept,
        removals=tuple(removals),
        stripped=tuple(stripped),
        skipped=tuple(skipped),
        timings=tuple(timer.timings),
        counts=counts,
    )


def _groups(
    docs: Sequence[Document],
    verified: np.ndarray,
    sets: ShingleSets,
    has_shingles: np.ndarray,
    config: DedupConfig,
    scan_config: ScanConfig,
    gazetteer: Gazetteer | None,
) -> list[Group]:
    comps = components(len(docs), verified)
    credits_of: dict[int, list[Credit]] = defaultdict(list)
    if config.policy == "credited" and comps:
        gazetteer = gazetteer or load_gazetteer(Path(scan_config.agencies) if scan_config.agencies else None)
        extractor = CreditExtractor(gazetteer)
        for d in sorted({d for comp in comps for d in comp}):
            # Whole-document evidence only: a caption credit speaks for its photo, not the story.
            credits_of[d] = [c for c in extractor.extract(docs[d]) if c.scope == "document"]

    def similarity(kept: int, others: list[int]) -> np.ndarray:
        if not has_shingles[kept]:
            return np.array([1.0 if _same_words(docs[kept], docs[o]) else 0.0 for o in others])
        return jaccard(np.array([[kept, o] for o in others], dtype=np.int64), sets)

    groups: list[Group] = []
    for comp in comps:
        ranked: Ranked
        if config.policy == "earliest":
            ranked = rank_earliest(comp, docs)
        elif config.policy == "longest":
            ranked = rank_longest(comp, docs)
        else:
            ranked = rank_credited(comp, docs, credits_of, gazetteer)  # type: ignore[arg-type]
        groups.extend(split_component(ranked, config.threshold, similarity))
    return groups


def _boilerplate(
    docs: Sequence[Document],
    kept_at: list[int],
    config: DedupConfig,
    scan_config: ScanConfig,
    progress: Progress | None,
) -> list[StrippedSpan]:
    """The boilerplate passages of the kept documents (``docs[p]`` for ``p`` in ``kept_at``),
    found by a passage scan of those documents alone, with spans on ``docs``' numbering."""
    if isinstance(docs, Corpus):  # scanned where they are, numbered 0..k-1: never all in memory
        found = boilerplate_spans(docs.select(kept_at), config.boilerplate_docs, scan_config, progress)
        return [dataclasses.replace(s, doc=kept_at[s.doc]) for s in found]
    return boilerplate_spans([docs[p] for p in kept_at], config.boilerplate_docs, scan_config, progress)


def _apply_strip(
    docs: Sequence[Document], kept_at: list[int], spans: Sequence[StrippedSpan]
) -> tuple[list[int], dict[int, Document], list[int]]:
    """The kept positions less the documents left empty by the cuts, the cut documents by
    position, and the positions emptied."""
    by_doc: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in spans:
        by_doc[s.doc].append((s.start, s.end))
    cut: dict[int, Document] = {}
    emptied: set[int] = set()
    for p, doc_spans in by_doc.items():
        doc = docs[p]
        text = strip_spans(doc.text, doc_spans)
        if text.strip():
            cut[p] = dataclasses.replace(doc, text=text)
        else:
            emptied.add(p)
    return [p for p in kept_at if p not in emptied], cut, sorted(emptied)
