"""The per-batch stage functions every engine runs. Engines differ only in how they map
these over batches and how they shuffle between them; the algorithm lives here once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from provenance.align import align_pair
from provenance.config import DetectConfig
from provenance.passages import tokenize
from provenance.records import Alignment, BandKeys, Document, TokenizedDoc
from provenance.sketch import Banding, WindowSketcher


def sketch_batch(docs: Sequence[Document], detect: DetectConfig, banding: Banding) -> list[BandKeys]:
    """LSH band keys of every window of a batch of documents (one ``BandKeys`` per band)."""
    return WindowSketcher(detect, banding).band_keys(docs)


def align_batch(docs: Sequence[Document], pairs: np.ndarray, detect: DetectConfig) -> tuple[list[Alignment], Counter]:
    """Verify candidate pairs (rows ``doc_a, doc_b`` indexing ``docs``).

    Returns the alignments found and a count of rejected candidate passages by reason.
    """
    tokens: dict[int, TokenizedDoc] = {}

    def tok(i: int) -> TokenizedDoc:
        t = tokens.get(i)
        if t is None:
            t = tokens[i] = tokenize(docs[i])
        return t

    found: list[Alignment] = []
    rejected: Counter = Counter()
    for a, b in pairs.tolist():
        alignments, rejections = align_pair(docs[a], tok(a), docs[b], tok(b), detect)
        found.extend(alignments)
        rejected.update(r.reason for r in rejections)
    return found, rejected
