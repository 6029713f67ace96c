"""Split composite alignments: one match that spans two texts reused from different sources.

A syndicated roundup quotes an AP paragraph and a Reuters paragraph back to back; two outlets
print the roundup. The alignment between the two roundup copies covers both paragraphs, and
without more it would join the AP story's cluster to the Reuters story's. The same happens
when two pages of one outlet carry the same wire story under the same site header: one match
covers header and story.

The corpus shows where such a match must be cut: inside its span, other alignments cover
separate blocks (the AP paragraph, the Reuters paragraph; the header, the story) whose
partner documents are mostly different: they overlap by less than half (Jaccard). A header
printed above many stories shares a few partners with each story it tops; the two halves of
one story split by an inserted caption share them all. The match is cut between the blocks, on both sides
(the partner's cut at the same share of its span, moved to the nearest space), and each piece
is scored again, so that each piece joins the cluster of the text it holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from provenance.align.aligner import comparable, scored
from provenance.arrays import slices, spread
from provenance.cluster.clusters import alignment_spans
from provenance.records import Alignment, Document

_EDGE_SLACK = 8  # characters a block may stick out of the span it cuts (a word's punctuation)
_SNAP = 40  # farthest a partner's cut moves to reach a space


def snap(text: str, at: int, lo: int, hi: int) -> tuple[int, int]:
    """The white-space run nearest ``at`` within ``[lo, hi]``: (where a piece ends, where the next starts)."""
    for step in range(_SNAP + 1):
        for pos in (at - step, at + step):
            if lo < pos < hi and text[pos].isspace():
                end = pos
                while end > lo and text[end - 1].isspace():
                    end -= 1
                start = pos
                while start < hi and text[start].isspace():
                    start += 1
                return end, start
    return at, at


def rescore(a: Document, b: Document, a_span: tuple[int, int], b_span: tuple[int, int]) -> Alignment | None:
    """The alignment of ``a_span`` with ``b_span``, scored as the aligner scores (None if empty)."""
    if a_span[1] <= a_span[0] or b_span[1] <= b_span[0]:
        return None
    pa, pb = comparable(a.text[a_span[0] : a_span[1]]), comparable(b.text[b_span[0] : b_span[1]])
    # Words matched are not known for a piece: the shorter side's word count stands for them.
    return scored(a, a_span, b, b_span, pa, pb, min(len(pa.split()), len(pb.split())))


def split_composites(alignments: Sequence[Alignment], docs: Sequence[Document], min_chars: int = 40) -> list[Alignment]:
    """``alignments`` with every composite one cut into the pieces other alignments show.

    Args:
        alignments: verified alignments.
        docs: the documents, indexed by ``Document.index``.
        min_chars: the smallest block that may cut a match.

    Returns:
        The alignments, a composite one replaced by its pieces in its place (order kept).
    """
    cuts = composite_cuts(alignments, min_chars)
    out: list[Alignment] = []
    for i, al in enumerate(alignments):
        if i in cuts:
            out.extend(split_at(al, docs, *cuts[i]))
        else:
            out.append(al)
    return out


Cuts = tuple[list[tuple[int, int]], bool]
"""Where to cut one alignment: ``(end of a block, start of the next)`` pairs on one side, and
whether that side is its b side (``flip``)."""


def composite_cuts(alignments: Sequence[Alignment], min_chars: int = 40) -> dict[int, Cuts]:
    """The composite alignments among ``alignments`` and where to cut each, by position in
    ``alignments``. Reads spans only, never texts: the cuts themselves (``split_at``) need the
    two documents' texts, and an engine may make them where the texts are.

    A side of an alignment is cut between two blocks of the other sides inside it, blocks of
    ``min_chars`` or more whose partner documents overlap by less than half (Jaccard); its a side is
    tried first, its b side only when the a side has no cut. All sides are looked at together,
    on arrays (an object per side and per block took 1.4 s of 100,000 documents' cluster stage).
    """
    n = len(alignments)
    spans = alignment_spans(alignments)
    if n == 0:
        return {}
    # Every side: side r < n is alignment r's a side, n + r its b side.
    doc, start, end = (np.concatenate([spans[:, k], spans[:, k + 3]]) for k in range(3))
    partner = np.concatenate([doc[n:], doc[:n]])
    found = side_cuts(doc, start, end, partner, min_chars)
    out: dict[int, Cuts] = {}
    for i in range(n):  # the a side's cuts, else the b side's
        if i in found:
            out[i] = (found[i], False)
        elif n + i in found:
            out[i] = (found[n + i], True)
    return out


def side_cuts(
    doc: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    partner: np.ndarray,
    min_chars: int = 40,
) -> dict[int, list[tuple[int, int]]]:
    """The cuts of every side of an alignment that has any (see ``composite_cuts``), by its
    position in the arrays: ``(end of a block, start of the next)`` pairs.

    Args:
        doc, start, end: each side's document and span.
        partner: the document of the side's other side (the two sides of one alignment are
            never blocks of each other: the partner checks keep them apart).
        min_chars: the smallest block that may cut a match.

    A side's blocks are the sides of its own document only, so the sides of some documents
    (each whole) give their cuts alone: an engine may look at them a few documents at a time.
    Sides with equal spans are taken in their order in the arrays.
    """
    if not doc.shape[0]:
        return {}
    # Ordered by document, start and end, as the other sides inside a side are looked up.
    order = np.lexsort((end, start, doc))
    key = (doc << np.int64(32)) + start
    sorted_key = key[order]
    lo = np.searchsorted(sorted_key, key - _EDGE_SLACK, side="left")
    hi = np.searchsorted(sorted_key, key + (end - start), side="right")
    # A cut needs two other sides starting inside the span: the others cannot be cut.
    hopeful = np.flatnonzero((hi - lo >= 3) & (end - start >= 2 * min_chars))
    width = np.int64(max(doc.max(), partner.max()) + 1)
    found: dict[int, list[tuple[int, int]]] = {}
    for a, b in slices(hi[hopeful] - lo[hopeful], _PAIRS_AT_ONCE):
        found |= _side_cuts(hopeful[a:b], lo, hi, order, doc, start, end, partner, width, min_chars)
    return found


_PAIRS_AT_ONCE = 1 << 22  # (side, side inside it) pairs looked at in one go


def _side_cuts(
    sides: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    order: np.ndarray,
    doc: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    partner: np.ndarray,
    width: np.int64,
    min_chars: int,
) -> dict[int, list[tuple[int, int]]]:
    """The cuts of each of ``sides`` that has any: ``(end of a block, start of the next)``."""
    counts = hi[sides] - lo[sides]
    span = np.repeat(sides, counts)  # each (span, side inside) pair, the insides in their order
    inner = order[spread(lo[sides], counts)]
    length = end[span] - start[span]
    keep = (
        (doc[inner] == doc[span])  # (offsets of 4 GB would reach the next document's keys)
        & (end[inner] <= end[span] + _EDGE_SLACK)
        & (end[inner] - start[inner] <= length - min_chars)  # a block leaves room for another
        & (partner[inner] != doc[span])  # (so never the other side of the span's own alignment)
        & (partner[inner] != partner[span])  # (nor the span itself)
    )
    span, inner = span[keep], inner[keep]
    if not span.shape[0]:
        return {}
    first = np.r_[True, span[1:] != span[:-1]]
    group = np.cumsum(first) - 1
    many = np.bincount(group)[group] >= 2
    span, inner, first = span[many], inner[many], first[many]
    if not span.shape[0]:
        return {}
    # Blocks: the insides of one span merged where they overlap (ends as a running maximum that
    # starts again at each span: each span's ends lifted above every earlier span's).
    group = np.cumsum(first) - 1
    lift = group * np.int64(1 << 40)
    reach = np.maximum.accumulate(end[inner] + lift) - lift
    opens = first | (start[inner] >= np.r_[0, reach[:-1]])
    block = np.cumsum(opens) - 1
    heads = np.flatnonzero(opens)
    b_start, b_end, b_span = start[inner][heads], np.maximum.reduceat(end[inner], heads), span[heads]
    kept = np.flatnonzero(b_end - b_start >= min_chars)
    # Each block's partners, once each, by block: (block, partner) keys, sorted (``width``:
    # more than any document's number).
    pairs = np.unique(block * width + partner[inner])
    size = np.bincount(pairs // width, minlength=heads.shape[0])
    # Two kept blocks of one span in a row, from mostly different sources, with no more than
    # an edge's slack of overlap, are cut apart.
    before, after = kept[:-1], kept[1:]
    pair = b_span[before] == b_span[after]
    before, after = before[pair], after[pair]
    of_after = pairs[np.isin(pairs // width, after)]
    shared_key = np.searchsorted(after, of_after // width)
    holds = np.isin(before[shared_key] * width + of_after % width, pairs)
    shared = np.bincount(shared_key[holds], minlength=after.shape[0])
    union = size[before] + size[after] - shared
    cut = (shared < 0.5 * union) & (b_start[after] >= b_end[before] - _EDGE_SLACK)
    before, after = before[cut], after[cut]
    out: dict[int, list[tuple[int, int]]] = {}
    ends, starts = b_end[before].tolist(), b_start[after].tolist()
    for s, e, b in zip(b_span[before].tolist(), ends, starts, strict=True):
        out.setdefault(s, []).append((min(e, b), max(e, b)))
    return out


def split_at(
    al: Alignment, docs: Sequence[Document] | Mapping[int, Document], cuts: list[tuple[int, int]], flip: bool
) -> list[Alignment]:
    """The pieces of ``al`` cut at ``cuts`` on one side (its b side with ``flip``; see
    ``composite_cuts``), the partner's cuts at the same share of its span, each piece scored
    again. ``docs`` gives the two documents by index (the others need not be there)."""
    a, b = docs[al.doc_a], docs[al.doc_b]
    (cs, ce), (ps, pe), partner = (
        ((al.b_start, al.b_end), (al.a_start, al.a_end), a)
        if flip
        else (
            (al.a_start, al.a_end),
            (al.b_start, al.b_end),
            b,
        )
    )
    scale = (pe - ps) / max(ce - cs, 1)
    here = [cs]
    there = [ps]
    for end, start in cuts:
        mid = ps + round(((end + start) / 2 - cs) * scale)
        p_end, p_start = snap(partner.text, mid, ps, pe)
        here.extend([end, start])
        there.extend([p_end, p_start])
    here.append(ce)
    there.append(pe)
    pieces = []
    for k in range(0, len(here), 2):
        mine, theirs = (here[k], here[k + 1]), (there[k], there[k + 1])
        piece = rescore(a, b, theirs, mine) if flip else rescore(a, b, mine, theirs)
        if piece is not None:
            pieces.append(piece)
    return pieces
