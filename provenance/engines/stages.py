"""The per-batch stage functions every engine runs. Engines differ only in how they map
these over batches and how they shuffle between them; the algorithm lives here once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from provenance.align import verify_pairs
from provenance.config import DetectConfig
from provenance.credits import CreditExtractor, Gazetteer
from provenance.passages import sort_by_hash
from provenance.records import Alignment, BandKeys, Credit, Document, ShingleIndex
from provenance.sketch import Banding, MinHasher, sketch_documents


def sketch_windows(
    docs: Sequence[Document], detect: DetectConfig, banding: Banding, batch_docs: int | None = None
) -> Iterator[tuple[list[BandKeys], ShingleIndex]]:
    """``sketch_documents`` with the scan's parameters: per batch of at most ``batch_docs``
    documents (all at once when None), the LSH band keys of every window (one ``BandKeys`` per
    band) and the batch's shingle index in text order."""
    hasher = MinHasher(detect.num_perm, detect.seed)
    return sketch_documents(
        docs, hasher, banding, shingle_size=detect.shingle_size, window_words=detect.window_words, batch_docs=batch_docs
    )


def sketch_batch(
    docs: Sequence[Document], detect: DetectConfig, banding: Banding
) -> tuple[list[BandKeys], ShingleIndex]:
    """LSH band keys of every window of a batch of documents (one ``BandKeys`` per band), and
    the batch's shingle index sorted for seed matching (kept for verification)."""
    keys, shingles = next(sketch_windows(docs, detect, banding))
    return keys, sort_by_hash(shingles)


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
