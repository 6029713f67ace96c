"""Verify a candidate pair by local alignment on words, then score it with rapidfuzz.

Seed and extend: exact shingle matches between the two documents are the seeds; seeds on
one diagonal form exact segments; segments chain into a passage across small edits (words
dropped, inserted or changed, up to ``max_gap`` words). The passage's character spans come
from the token spans, so they are exact offsets into the original texts. rapidfuzz then
measures the passage pair on the case-folded, punctuation-free text (Indel similarity, and
the longest common subsequence as the count of matched characters).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from rapidfuzz.distance import Indel, LCSseq
from rapidfuzz.utils import default_process

from provenance.config import DetectConfig
from provenance.passages import shingle_hashes64
from provenance.records import Alignment, Document, Rejection, TokenizedDoc

# A shingle occurring more often than this in one document is repetition ("the the the"),
# not evidence; skipping it keeps seed counts linear.
_MAX_SEED_REPEATS = 16


def seed_matches(ta: TokenizedDoc, tb: TokenizedDoc, k: int, same_doc: bool) -> tuple[np.ndarray, np.ndarray]:
    """Token positions ``(i, j)`` where shingles of ``ta`` and ``tb`` are equal.

    For a document against itself only ``i < j`` is returned.
    """
    sa, sb = shingle_hashes64(ta.hashes, k), shingle_hashes64(tb.hashes, k)
    if sa.shape[0] == 0 or sb.shape[0] == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(sb, kind="stable")
    sorted_b = sb[order]
    lo = np.searchsorted(sorted_b, sa, side="left")
    hi = np.searchsorted(sorted_b, sa, side="right")
    counts = hi - lo
    counts[counts > _MAX_SEED_REPEATS] = 0
    i = np.repeat(np.arange(sa.shape[0]), counts)
    offsets = np.arange(i.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
    j = order[np.repeat(lo, counts) + offsets]
    if same_doc:
        keep = j > i
        i, j = i[keep], j[keep]
    return i, j


def _segments(i: np.ndarray, j: np.ndarray, k: int) -> np.ndarray:
    """Runs of seeds on one diagonal with consecutive positions, as rows
    ``(a0, a1, b0, b1)`` of token ranges (end exclusive), sorted by ``a0``."""
    d = j - i
    order = np.lexsort((i, d))
    i, d = i[order], d[order]
    brk = np.concatenate([[True], (d[1:] != d[:-1]) | (i[1:] != i[:-1] + 1)])
    starts = np.flatnonzero(brk)
    ends = np.concatenate([starts[1:], [i.shape[0]]]) - 1
    a0, a1 = i[starts], i[ends] + k
    seg = np.stack([a0, a1, a0 + d[starts], a1 + d[starts]], axis=1)
    return seg[np.argsort(seg[:, 0], kind="stable")]


def _chains(seg: np.ndarray, max_gap: int) -> Iterator[tuple[int, int, int, int, int]]:
    """Chain segments across small edits; yield ``(a0, a1, b0, b1, matched_words)``."""
    open_chains: list[list[int]] = []  # [a0, a1, b0, b1, matched]
    for a0, a1, b0, b1 in seg.tolist():
        best, best_gap = None, max_gap + 1
        for chain in open_chains:
            ca0, ca1, cb0, cb1, _ = chain
            gap_a, gap_b = a0 - ca1, b0 - cb1
            if a0 < ca0 or b0 < cb0 or b1 <= cb1 or a1 <= ca1:
                continue
            if gap_a > max_gap or gap_b > max_gap or abs(gap_a - gap_b) > max_gap:
                continue
            gap = max(gap_a, gap_b, 0)
            if gap < best_gap:
                best, best_gap = chain, gap
        if best is None:
            open_chains.append([a0, a1, b0, b1, a1 - a0])
        else:
            best[4] += a1 - max(a0, best[1])
            best[1], best[3] = a1, b1
    for chain in open_chains:
        yield tuple(chain)  # type: ignore[misc]


def align_pair(
    a: Document,
    ta: TokenizedDoc,
    b: Document,
    tb: TokenizedDoc,
    detect: DetectConfig,
) -> tuple[list[Alignment], list[Rejection]]:
    """Verified passages shared by two documents (or repeated inside one, when ``a is b``).

    Returns the alignments that pass ``min_words`` and ``min_similarity``, and one rejection
    record per candidate passage that did not (or one for the pair if nothing matched).
    """
    same = a.index == b.index
    i, j = seed_matches(ta, tb, detect.shingle_size, same)
    if i.shape[0] == 0:
        return [], [Rejection(a.index, b.index, "no shared shingle")]
    found: list[Alignment] = []
    rejected: list[Rejection] = []
    for a0, a1, b0, b1, matched in _chains(_segments(i, j, detect.shingle_size), detect.max_gap):
        if matched < detect.min_words:
            rejected.append(Rejection(a.index, b.index, "shorter than min_words"))
            continue
        if same and a1 > b0:
            continue  # a passage overlapping its own repeat is a period ("ha ha ha"), not a copy
        a_start, a_end = int(ta.starts[a0]), int(ta.ends[a1 - 1])
        b_start, b_end = int(tb.starts[b0]), int(tb.ends[b1 - 1])
        pa = default_process(a.text[a_start:a_end])
        pb = default_process(b.text[b_start:b_end])
        similarity = Indel.normalized_similarity(pa, pb)
        if similarity < detect.min_similarity:
            rejected.append(Rejection(a.index, b.index, "below min_similarity"))
            continue
        found.append(
            Alignment(
                doc_a=a.index,
                a_start=a_start,
                a_end=a_end,
                doc_b=b.index,
                b_start=b_start,
                b_end=b_end,
                similarity=round(float(similarity), 6),
                matched_chars=int(LCSseq.similarity(pa, pb)),
                matched_words=int(matched),
            )
        )
    return found, rejected
