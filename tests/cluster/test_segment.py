"""Composite cuts on arrays against the per-object search they replaced (the reference below,
as ``composite_cuts`` was written before): the same alignments cut, at the same places."""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.arrow import rows_of
from provenance.cluster import segment
from provenance.cluster.segment import Cuts, composite_cuts
from provenance.records import Alignment

_EDGE_SLACK = segment._EDGE_SLACK


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


def reference_cuts(alignments: Sequence[Alignment], min_chars: int = 40) -> dict[int, Cuts]:
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


def al(a: int, a0: int, a1: int, b: int, b0: int, b1: int) -> Alignment:
    return Alignment(a, a0, a1, b, b0, b1, similarity=1.0, matched_chars=a1 - a0, matched_words=10)


span = st.tuples(st.integers(0, 400), st.integers(5, 300)).map(lambda t: (t[0], t[0] + t[1]))
alignment = st.builds(lambda a, sa, b, sb: al(a, *sa, b, *sb), st.integers(0, 5), span, st.integers(0, 8), span)


@st.composite
def pages_alignments(draw):
    """Pages printing a few texts each (headers, stories) one after another, every pair of
    pages matched on the texts they share and, now and then, on two texts in a row at once."""
    n_pages, n_texts = draw(st.integers(2, 9)), draw(st.integers(2, 5))
    lengths = [draw(st.integers(20, 200)) for _ in range(n_texts)]
    pages = [draw(st.lists(st.integers(0, n_texts - 1), min_size=1, max_size=4, unique=True)) for _ in range(n_pages)]
    where = {}
    for p, texts in enumerate(pages):
        at = 0
        for t in texts:
            at += draw(st.integers(0, 12))
            where[p, t] = (at, at + lengths[t])
            at += lengths[t]
    out = []
    for p in range(n_pages):
        for q in range(p + 1, n_pages):
            for t in pages[p]:
                if t in pages[q] and draw(st.booleans()):
                    out.append(al(p, *where[p, t], q, *where[q, t]))
            for t1, t2 in itertools.pairwise(pages[p]):
                both = t1 in pages[q] and t2 in pages[q] and pages[q].index(t2) == pages[q].index(t1) + 1
                if both and draw(st.booleans()):
                    out.append(al(p, where[p, t1][0], where[p, t2][1], q, where[q, t1][0], where[q, t2][1]))
    out += draw(st.lists(alignment, max_size=4))
    return draw(st.permutations(out))


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(pages_alignments(), st.lists(alignment, max_size=60)),
    st.sampled_from([5, 20, 40]),
    st.sampled_from([1, 7, 1 << 22]),
    st.booleans(),
)
def test_the_cuts_are_those_of_the_per_object_search(
    alignments: list[Alignment], min_chars: int, pairs_at_once: int, as_rows: bool
) -> None:
    with pytest.MonkeyPatch.context() as patch:  # a few pairs at a time: the slices meet as one
        patch.setattr(segment, "_PAIRS_AT_ONCE", pairs_at_once)
        got = composite_cuts(rows_of(alignments, Alignment) if as_rows else alignments, min_chars)
    assert got == reference_cuts(alignments, min_chars)


def test_a_header_above_two_stories_is_cut_from_the_match_of_two_pages() -> None:
    """Pages 0 and 1 print one header (also on pages 2-4) above one story (also on pages 5-7):
    their match covering both is cut between header and story, on page 0's side."""
    header, story = (0, 100), (110, 400)
    matches = [al(0, 0, 400, 1, 0, 400)]
    matches += [al(0, *header, page, *header) for page in (2, 3, 4)]
    matches += [al(0, *story, page, *story) for page in (5, 6, 7)]
    assert composite_cuts(matches) == {0: ([(100, 110)], False)}
    assert reference_cuts(matches) == composite_cuts(matches)


@pytest.mark.parametrize("out_by", [0, _EDGE_SLACK, _EDGE_SLACK + 1])
def test_a_block_may_stick_out_of_the_match_by_the_edge_slack(out_by: int) -> None:
    """The story's matches with other pages end ``out_by`` characters past page 0's match (a
    word's punctuation): up to the slack they still make a block that cuts it."""
    header, story = (0, 100), (110, 400 + out_by)
    matches = [al(0, 0, 400, 1, 0, 400)]
    matches += [al(0, *header, page, *header) for page in (2, 3, 4)]
    matches += [al(0, *story, page, *story) for page in (5, 6, 7)]
    expected = {0: ([(100, 110)], False)} if out_by <= _EDGE_SLACK else {}
    assert composite_cuts(matches) == reference_cuts(matches) == expected
