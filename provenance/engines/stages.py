"""The per-batch stage functions every engine runs. Engines differ only in how they map
these over batches and how they shuffle between them; the algorithm lives here once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from provenance.align import verify_pairs
from provenance.config import DetectConfig
from provenance.credits import CreditExtractor, Gazetteer
from provenance.passages import concat, sort_by_hash
from provenance.records import Alignment, BandKeys, Credit, Document, ShingleIndex
from provenance.sketch import Banding, MinHasher, sketch_documents
from provenance.sketch.lsh import merge_bands


def sketch_windows(
    docs: Sequence[Document],
    detect: DetectConfig,
    banding: Banding,
    batch_docs: int | None = None,
    batch_words: int | None = None,
) -> Iterator[tuple[list[BandKeys], ShingleIndex]]:
    """``sketch_documents`` with the scan's parameters: per batch of at most ``batch_docs``
    documents and about ``batch_words`` words (all at once when None), the LSH band keys of
    every window (one ``BandKeys`` per band) and the batch's shingle index in text order."""
    hasher = MinHasher(detect.num_perm, detect.seed)
    return sketch_documents(
        docs,
        hasher,
        banding,
        shingle_size=detect.shingle_size,
        window_words=detect.window_words,
        batch_docs=batch_docs,
        batch_words=batch_words,
    )


SKETCH_WORDS = 50_000
"""Words a worker sketches at a time: the window MinHash holds a few hundred bytes a word while
it runs (about 100 MB for a batch of 2,000 news articles at once, 20 MB in steps of this)."""


def sketch_batch(
    docs: Sequence[Document], detect: DetectConfig, banding: Banding
) -> tuple[list[BandKeys], ShingleIndex]:
    """LSH band keys of every window of a batch of documents (one ``BandKeys`` per band), and
    the batch's shingle index sorted for seed matching (kept for verification)."""
    parts = list(sketch_windows(docs, detect, banding, batch_words=SKETCH_WORDS))
    keys = merge_bands(k for k, _ in parts)
    return keys, sort_by_hash(concat([s for _, s in parts]))


def align_batch(
    pairs: np.ndarray, index: ShingleIndex, doc: Callable[[int], Document], detect: DetectConfig
) -> tuple[list[Alignment], Counter]:
    """Verify candidate pairs (rows ``doc_a, doc_b``) against the shingle index.

    Returns the alignments found and a count of rejected candidates by reason.
    """
    return verify_pairs(pairs, index, doc, detect)


def credits_batch(docs: Sequence[Document], gazetteer: Gazetteer) -> list[Credit]:
    """Agency credits of a batch of documents, in document order."""
    extractor = CreditExtractor(gazetteer)
    return [credit for doc in docs for credit in extractor.extract(doc)]
