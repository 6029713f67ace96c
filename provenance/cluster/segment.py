"""Split composite alignments: one match that spans two texts reused from different sources.

A syndicated roundup quotes an AP paragraph and a Reuters paragraph back to back; two outlets
print the roundup. The alignment between the two roundup copies covers both paragraphs, and
without more it would join the AP story's cluster to the Reuters story's. The same happens
when two pages of one outlet carry the same wire story under the same site header: one match
covers header and story.

The corpus shows where such a match must be cut: inside its span, other alignments cover
separate blocks (the AP paragraph, the Reuters paragraph; the header, the story) whose
partner documents are mostly different (``_unrelated``). The match is cut between the blocks, on both sides
(the partner's cut at the same share of its span, moved to the nearest space), and each piece
is scored again, so that each piece joins the cluster of the text it holds.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from provenance.align.aligner import comparable, scored
from provenance.records import Alignment, Document

_EDGE_SLACK = 8  # characters a block may stick out of the span it cuts (a word's punctuation)
_SNAP = 40  # farthest a partner's cut moves to reach a space


class _Side(NamedTuple):  # a NamedTuple: made four times per alignment, it must be cheap
    doc: int
    start: int
    end: int
    alignment: int
    partner: int


@dataclass(frozen=True, slots=True)
class _DocSides:
    """One document's alignment sides, sorted by start (for range look-ups)."""

    sides: list[_Side]
    starts: list[int]

    @classmethod
    def of(cls, sides: list[_Side]) -> _DocSides:
        ordered = sorted(sides, key=lambda s: (s.start, s.end))
        return cls(ordered, [s.start for s in ordered])


def _blocks(span: _Side, inside: list[_Side]) -> list[tuple[int, int, set[int]]]:
    """Spans inside ``span`` merged where they overlap: ``(start, end, partner documents)``."""
    out: list[tuple[int, int, set[int]]] = []
    for side in sorted(inside, key=lambda s: (s.start, s.end)):
        if out and side.start < out[-1][1]:
            start, end, partners = out[-1]
            out[-1] = (start, max(end, side.end), partners | {side.partner})
        else:
            out.append((side.start, side.end, {side.partner}))
    return out


def _unrelated(before: set[int], after: set[int]) -> bool:
    """Whether two blocks come from different sources: their partner documents overlap by at
    most half (Jaccard). A header printed above many stories shares a few partners with each
    story it tops; the two halves of one story split by an inserted caption share them all."""
    return len(before & after) < 0.5 * len(before | after)


def _cuts(span: _Side, sides: _DocSides, min_chars: int) -> list[tuple[int, int]]:
    """Where to cut ``span``: ``(end of the block before, start of the block after)`` pairs."""
    length = span.end - span.start
    if length < 2 * min_chars:  # too short to hold two blocks
        return []
    lo = bisect_left(sides.starts, span.start - _EDGE_SLACK)
    hi = bisect_right(sides.starts, span.end)
    inside = [
        s
        for s in sides.sides[lo:hi]
        if s.alignment != span.alignment
        and s.end <= span.end + _EDGE_SLACK
        and s.end - s.start <= length - min_chars  # a block leaves room for another
        and s.partner not in (span.doc, span.partner)
    ]
    if len(inside) < 2:
        return []
    blocks = [b for b in _blocks(span, inside) if b[1] - b[0] >= min_chars]
    cuts = []
    for (_, end, before), (start, _, after) in zip(blocks, blocks[1:], strict=False):
        if _unrelated(before, after) and start >= end - _EDGE_SLACK:
            cuts.append((min(end, start), max(end, start)))
    return cuts


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
    """
    n = len(alignments)
    if n == 0:
        return {}
    # Every alignment's two sides as arrays: side i < n is alignment i's a side, n + i its b side.
    doc = np.array([al.doc_a for al in alignments] + [al.doc_b for al in alignments], dtype=np.int64)
    start = np.array([al.a_start for al in alignments] + [al.b_start for al in alignments], dtype=np.int64)
    end = np.array([al.a_end for al in alignments] + [al.b_end for al in alignments], dtype=np.int64)
    partner = np.concatenate([doc[n:], doc[:n]])
    # A cut needs two other sides starting inside the span (``_cuts``); counting the sides that
    # start there, in one vectorised pass, leaves the Python work to the few that could.
    order = np.lexsort((start, doc))
    key = (doc << np.int64(32)) + start
    sorted_key = key[order]
    inside = np.searchsorted(sorted_key, key + (end - start), side="right") - np.searchsorted(
        sorted_key, key - _EDGE_SLACK, side="left"
    )
    hopeful = (inside >= 3) & (end - start >= 2 * min_chars)
    if not hopeful.any():
        return {}
    bounds = np.searchsorted(doc[order], np.unique(doc[hopeful]))
    sides: dict[int, _DocSides] = {}
    for lo in bounds.tolist():
        d = int(doc[order[lo]])
        rows = order[lo : np.searchsorted(sorted_key, (d + 1) << 32, side="left")].tolist()
        found = [_Side(d, int(start[r]), int(end[r]), r % n, int(partner[r])) for r in rows]
        sides[d] = _DocSides.of(found)
    out: dict[int, Cuts] = {}
    for i, al in enumerate(alignments):
        cuts, flip = [], False
        if hopeful[i]:
            cuts = _cuts(_Side(al.doc_a, al.a_start, al.a_end, i, al.doc_b), sides[al.doc_a], min_chars)
        if not cuts and hopeful[n + i]:
            cuts, flip = _cuts(_Side(al.doc_b, al.b_start, al.b_end, i, al.doc_a), sides[al.doc_b], min_chars), True
        if cuts:
            out[i] = (cuts, flip)
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
