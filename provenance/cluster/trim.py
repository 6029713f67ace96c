"""Trim boilerplate off the edges of matches before their occurrences merge (issue 9, item 2).

Two pages of one outlet that print the same wire story under the same site header match over
header and story at once. Left so, the story's occurrence on those pages contains the header,
and joins the header's cluster, which holds every page of the outlet. A first, strict
clustering and its categories show which spans of each document are boilerplate, stock
phrases or credit lines; a match that starts (ends) in such a span is cut to start after it
(end before it), on both sides by the same share of its length. A match that is all noise is
kept as it is: it is the noise's own cluster.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from provenance.arrow import Rows
from provenance.cluster.categories import categorize
from provenance.cluster.clusters import build_clusters
from provenance.cluster.segment import rescore, snap
from provenance.config import ScanConfig
from provenance.records import Alignment, Cluster, Credit, Document

_NEVER = 1 << 62
STRICT_LONG_CHARS = _NEVER
"""``long_chars`` of the strict clustering: no span is long enough to join by containment."""
_LOOKBACK = 64  # noise spans examined per edge: the nearest ones starting before it (bounds the work)
_SLACK = 8  # characters of white space or punctuation between a noise span and a match edge


def noise_spans(clusters: Iterable[Cluster]) -> dict[int, list[tuple[int, int]]]:
    """Per document, the sorted spans of the clusters that are not news."""
    out: dict[int, list[tuple[int, int]]] = {}
    for cluster in clusters:
        if cluster.category == "news":
            continue
        for o in cluster.occurrences:
            out.setdefault(o.doc, []).append((o.start, o.end))
    for spans in out.values():
        spans.sort()
    return out


def trim_wide_noise(
    alignments: Sequence[Alignment], docs: Sequence[Document], credits: Sequence[Credit], config: ScanConfig
) -> list[Alignment]:
    """``alignments`` with the noise that a strict first clustering finds on many pages cut off
    their edges (``trim_noise``).

    The strict clustering joins spans only when they overlap by half the longer one, so noise
    and stories stay apart in it. Only its clusters in ``template_docs`` documents or more are
    judged: a strict pass cuts stories into pieces, and a story's opening paragraph at the head
    of its three copies looks like a header; noise printed on many pages is sure enough.
    """
    d = config.detect
    judged = categorize(strict_clusters(alignments, config), docs, credits, config.categories, d.boilerplate_docs)
    return trim_noise(alignments, docs, noise_spans(judged))


def strict_clusters(alignments: Sequence[Alignment], config: ScanConfig) -> list[Cluster]:
    """The strict first clustering ``trim_wide_noise`` judges (spans only, no text read): its
    clusters in ``template_docs`` documents or more."""
    d, wide = config.detect, config.categories.template_docs
    return build_clusters(alignments, d.boilerplate_docs, d.min_overlap, long_chars=STRICT_LONG_CHARS, min_docs=wide)


def _head(spans: list[tuple[int, int]], start: int, end: int) -> int:
    """Where the match ``[start, end)`` starts once noise spans covering its head are skipped."""
    moved = True
    while moved:
        moved = False
        i = bisect_right(spans, (start + _SLACK, _NEVER))
        for s, e in spans[max(0, i - _LOOKBACK) : i]:  # spans starting at or before the head
            if s <= start + _SLACK and start < e < end:
                start, moved = e, True
    return start


def _tail(spans: list[tuple[int, int]], start: int, end: int) -> int:
    """Where the match ``[start, end)`` ends once noise spans covering its tail are skipped."""
    moved = True
    while moved:
        moved = False
        i = bisect_right(spans, (end, _NEVER))
        for s, e in spans[max(0, i - _LOOKBACK) : i]:
            if start < s < end and e >= end - _SLACK:
                end, moved = s, True
    return end


def trim_noise(
    alignments: Sequence[Alignment],
    docs: Sequence[Document],
    noise: dict[int, list[tuple[int, int]]],
    min_chars: int = 40,
) -> list[Alignment]:
    """``alignments`` with noise cut off their edges (see the module docstring).

    Args:
        alignments: verified (and split) alignments.
        docs: the documents, indexed by ``Document.index``.
        noise: per document, sorted spans of boilerplate, stock and credit clusters.
        min_chars: a trimmed match must keep at least this many characters on each side, or it
            is kept untrimmed.

    Returns:
        The alignments in the same order, trimmed and rescored where they carried noise.
    """
    out = list(alignments)
    for i, shares in trim_shares(alignments, noise).items():
        trimmed = trim_at(out[i], docs, *shares, min_chars)
        if trimmed is not None:
            out[i] = trimmed
    return out


def trim_shares(
    alignments: Sequence[Alignment], noise: dict[int, list[tuple[int, int]]]
) -> dict[int, tuple[float, float]]:
    """The shares of its length to cut at its head and its tail of each alignment an edge of
    which noise covers, by position (both sides are cut by the larger share of the two, so that
    they still hold the same text). Reads spans only: the cuts (``trim_at``) read the texts.
    Alignments held in columns (``Rows``) are read as records only where a side's document
    has noise: a few of them, where every alignment was a record for a moment."""
    out: dict[int, tuple[float, float]] = {}
    for i, al in _touching(alignments, noise):
        a_head, a_tail = edge_shares(noise.get(al.doc_a) or [], al.a_start, al.a_end)
        b_head, b_tail = edge_shares(noise.get(al.doc_b) or [], al.b_start, al.b_end)
        head, tail = max(a_head, b_head), max(a_tail, b_tail)
        if head or tail:
            out[i] = (head, tail)
    return out


def edge_shares(spans: list[tuple[int, int]], start: int, end: int) -> tuple[float, float]:
    """The shares of the span ``[start, end)`` of one side of a match that the noise ``spans``
    of its document (sorted) cover at its head and at its tail (``trim_shares`` takes the larger
    of its two sides')."""
    length = end - start
    return (_head(spans, start, end) - start) / length, (end - _tail(spans, start, end)) / length


def _touching(alignments: Sequence[Alignment], noise: Mapping[int, object]) -> Iterator[tuple[int, Alignment]]:
    """``(position, alignment)`` of the alignments a side of which is in a document of ``noise``."""
    if isinstance(alignments, Rows):
        noisy = np.fromiter(noise, dtype=np.int64, count=len(noise))
        doc_a, doc_b = alignments.column("doc_a"), alignments.column("doc_b")
        for i in np.flatnonzero(np.isin(doc_a, noisy) | np.isin(doc_b, noisy)).tolist():
            yield i, alignments[i]
        return
    for i, al in enumerate(alignments):
        if al.doc_a in noise or al.doc_b in noise:
            yield i, al


def trim_at(
    al: Alignment,
    docs: Sequence[Document] | Mapping[int, Document],
    head: float,
    tail: float,
    min_chars: int = 40,
) -> Alignment | None:
    """``al`` with ``head`` and ``tail`` shares of its length cut off (moved to white space) and
    scored again; None when a side keeps fewer than ``min_chars`` characters. ``docs`` gives
    the two documents by index (the others need not be there)."""
    a, b = docs[al.doc_a], docs[al.doc_b]
    a_span = _cut(a, al.a_start, al.a_end, head, tail)
    b_span = _cut(b, al.b_start, al.b_end, head, tail)
    if a_span[1] - a_span[0] < min_chars or b_span[1] - b_span[0] < min_chars:
        return None
    return rescore(a, b, a_span, b_span)


def _cut(doc: Document, start: int, end: int, head: float, tail: float) -> tuple[int, int]:
    length = end - start
    new_start = start if head == 0 else snap(doc.text, start + round(head * length), start, end)[1]
    new_end = end if tail == 0 else snap(doc.text, end - round(tail * length), new_start, end)[0]
    return new_start, max(new_end, new_start)
