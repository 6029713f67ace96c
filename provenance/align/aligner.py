"""Verify candidate pairs by local alignment on words, then score them with rapidfuzz.

Seed and extend: exact shingle matches between the two documents are the seeds; seeds on
one diagonal at consecutive positions form exact segments; segments chain into a passage
across small edits (words dropped, inserted or changed, up to ``max_gap`` words). A
passage's character spans come from the token spans, so they are exact offsets into the
original texts. rapidfuzz then measures the passage pair on the folded (NFKC, case-folded;
``provenance.passages.fold``), punctuation-free text (Indel similarity, and the longest common
subsequence as the count of matched characters), so that an NFD copy scores 1.0 against its
NFC original while the spans still slice the original text.

Two ways to find seeds share everything after them: ``align_pair`` (one pair, dict look-ups;
the reference, and what a single query uses) and ``verify_pairs`` (a batch of pairs at
once, numpy merge-join over sorted shingle rows; what a scan uses).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache, partial

import numpy as np
from rapidfuzz.distance import Indel, LCSseq
from rapidfuzz.utils import default_process

from provenance.arrays import spread
from provenance.config import DetectConfig
from provenance.passages import batch_token_spans, fold, shingle_hashes32, tokenize
from provenance.records import Alignment, Document, ShingleIndex

# A shingle occurring more often than this in one document is repetition ("the the the"),
# not evidence; skipping it keeps seed counts linear.
MAX_SEED_REPEATS = 16

Segment = tuple[int, int, int, int]  # a0, a1, b0, b1: token ranges, end exclusive


def chains(segs: list[Segment], max_gap: int) -> Iterator[tuple[int, int, int, int, int]]:
    """Chain segments (sorted by ``a0``) across small edits; yield ``(a0, a1, b0, b1, matched_words)``."""
    active: list[list[int]] = []  # [a0, a1, b0, b1, matched]
    for a0, a1, b0, b1 in segs:
        # Segments come in a0 order: a chain ending too far to the left can never grow again.
        if active and active[0][1] + max_gap < a0:
            still = []
            for chain in active:
                if chain[1] + max_gap < a0:
                    yield chain[0], chain[1], chain[2], chain[3], chain[4]
                else:
                    still.append(chain)
            active = still
        best, best_gap = None, max_gap + 1
        for chain in active:
            ca0, ca1, cb0, cb1, _ = chain
            if a0 < ca0 or b0 < cb0 or b1 <= cb1 or a1 <= ca1:
                continue
            gap_a, gap_b = a0 - ca1, b0 - cb1
            if gap_a > max_gap or gap_b > max_gap or abs(gap_a - gap_b) > max_gap:
                continue
            gap = max(gap_a, gap_b, 0)
            if gap < best_gap:
                best, best_gap = chain, gap
        if best is None:
            active.append([a0, a1, b0, b1, a1 - a0])
            active.sort(key=lambda c: c[1])
        else:
            best[4] += a1 - max(a0, best[1])
            best[1], best[3] = a1, b1
            active.sort(key=lambda c: c[1])
    for chain in active:
        yield chain[0], chain[1], chain[2], chain[3], chain[4]


# A break between two words: a sentence end (".", "!", "?", maybe closing quotes or brackets,
# then white space), or a line break that is not a soft wrap.
_SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s")
_PARAGRAPH = re.compile(r"\n[ \t]*\n|\n[ \t]+\S")  # a blank line, or an indented line
_LINE_END = re.compile(r"\n")
_WRAP = (55, 80)  # line lengths of hard-wrapped text (Reuters, e-mail, plain-text wires)


@lru_cache(maxsize=4096)  # str caches its hash: a hit costs an identity check
def hard_wrapped(text: str) -> bool:
    """Whether ``text`` is hard-wrapped: most of its (3 or more) lines are 55-80 characters
    long, so a single line break is a soft wrap, not the end of a paragraph or caption."""
    lengths = [len(line) for line in text.split("\n") if line.strip()]
    if len(lengths) < 3:
        return False
    return sum(_WRAP[0] <= n <= _WRAP[1] for n in lengths) >= 0.6 * len(lengths)


def is_break(text: str, left_end: int, right_start: int) -> bool:
    """Whether the text between two words breaks a unit: a sentence end, a paragraph (blank or
    indented line), or a line end, unless the text is hard-wrapped (``hard_wrapped``)."""
    if right_start - left_end == 1 and text[left_end] == " ":
        return False  # the common case, decided without a regex
    if _SENTENCE_END.search(text, left_end, right_start) or _PARAGRAPH.search(text, left_end, right_start + 1):
        return True
    return text.find("\n", left_end, right_start) >= 0 and not hard_wrapped(text)


def break_gaps(text: str, starts: np.ndarray, ends: np.ndarray) -> list[int]:
    """The gaps of a document that break a unit (``is_break``), ascending; gap ``j`` lies
    between tokens ``j - 1`` and ``j``. A break's characters are never part of a word, so
    each regex match lies inside one gap: three scans and one vectorised search find them."""
    if len(starts) < 2:
        return []
    lo, hi = int(ends[0]), int(starts[-1])
    at = [m.start() for m in _SENTENCE_END.finditer(text, lo, hi)]
    if hard_wrapped(text):  # a single line end is a soft wrap; only paragraphs break
        at += [m.start() for m in _PARAGRAPH.finditer(text, lo, hi + 1)]
    else:
        at += [m.start() for m in _LINE_END.finditer(text, lo, hi)]
    return np.unique(np.searchsorted(starts, at, side="right")).tolist() if at else []


# A document's breaks, kept per text across the pairs of a worker: most documents with
# passages have several, and finding the breaks costs more than looking them up. Bounded.
_GAPS: dict[str, list[int]] = {}
_GAPS_LIMIT = 20_000


def _gaps_of(text: str, starts: np.ndarray, ends: np.ndarray) -> list[int]:
    gaps = _GAPS.get(text)
    if gaps is None:
        if len(_GAPS) >= _GAPS_LIMIT:
            _GAPS.clear()
        gaps = _GAPS[text] = break_gaps(text, starts, ends)
    return gaps


def _tail_cut(text: str, starts: np.ndarray, ends: np.ndarray, lo: int, hi: int, within: int) -> int:
    """Tokens after the last break inside tokens ``lo..hi``, when fewer than ``within`` (0
    when there is no break that close)."""
    gaps = _gaps_of(text, starts, ends)
    i = bisect_right(gaps, hi - 1) - 1
    return hi - gaps[i] if i >= 0 and gaps[i] > max(lo, hi - within) else 0


def _head_cut(text: str, starts: np.ndarray, ends: np.ndarray, lo: int, hi: int, within: int) -> int:
    """Tokens before the first break inside tokens ``lo..hi``, when fewer than ``within`` (0
    when there is no break that close)."""
    gaps = _gaps_of(text, starts, ends)
    i = bisect_right(gaps, lo)
    return gaps[i] - lo if i < len(gaps) and gaps[i] < min(hi, lo + within) else 0


def _is_gap_break(text: str, starts: np.ndarray, ends: np.ndarray, j: int) -> bool:
    """Whether gap ``j`` is a break (``is_break``, looked up in the document's cached breaks);
    the document's start and end always are."""
    if j <= 0 or j >= len(starts):
        return True
    gaps = _gaps_of(text, starts, ends)
    i = bisect_left(gaps, j)
    return i < len(gaps) and gaps[i] == j


Words = tuple[str, np.ndarray, np.ndarray]  # a text, its token starts and ends


def trim_to_breaks(
    a: Words, a_tokens: tuple[int, int], b: Words, b_tokens: tuple[int, int], shortest: int
) -> tuple[int, int, int, int] | None:
    """Token ranges of a passage pair without edge fragments that run across a break.

    A passage may cross a line or sentence break into the next unit only when a copy holds
    that unit up to the passage's edge (a caption credit printed alike, a copy that drops the
    dateline). When both copies go on inside the unit and part there ("...Mosul. Source: AAP"
    against "...Mosul. Source: AP", or "Getty", a break, "3/22 A member of" against another
    caption), the fragment is cut back to the break, on both sides by the same number of
    words: the larger fragment either side shows, always fewer than ``shortest`` words.
    Returns ``(a0, a1, b0, b1)``, or None when nothing is left.
    """
    (a0, a1), (b0, b1) = a_tokens, b_tokens
    if not (_is_gap_break(*a, a1) or _is_gap_break(*b, b1)):
        cut = max(_tail_cut(*a, a0, a1, shortest), _tail_cut(*b, b0, b1, shortest))
        a1, b1 = a1 - cut, b1 - cut
    if a1 <= a0 or b1 <= b0:
        return None
    if not (_is_gap_break(*a, a0) or _is_gap_break(*b, b0)):
        cut = max(_head_cut(*a, a0, a1, shortest), _head_cut(*b, b0, b1, shortest))
        a0, b0 = a0 + cut, b0 + cut
    if a1 <= a0 or b1 <= b0:
        return None
    return a0, a1, b0, b1


def comparable(text: str) -> str:
    """A span in the form rapidfuzz compares: folded (NFKC, case-folded), punctuation-free."""
    return default_process(fold(text))


def scored(
    a: Document,
    a_span: tuple[int, int],
    b: Document,
    b_span: tuple[int, int],
    pa: str,
    pb: str,
    matched_words: int,
    similarity: float | None = None,
) -> Alignment:
    """The alignment of two spans whose ``comparable`` forms are ``pa`` and ``pb``: Indel
    similarity and, as matched characters, their longest common subsequence."""
    if similarity is None:
        similarity = Indel.normalized_similarity(pa, pb)
    return Alignment(
        doc_a=a.index,
        a_start=a_span[0],
        a_end=a_span[1],
        doc_b=b.index,
        b_start=b_span[0],
        b_end=b_span[1],
        similarity=round(float(similarity), 6),
        matched_chars=int(LCSseq.similarity(pa, pb)),
        matched_words=matched_words,
    )


def score_segments(
    a: Document,
    ta: Callable[[], Words],
    b: Document,
    tb: Callable[[], Words],
    segs: list[Segment],
    detect: DetectConfig,
) -> tuple[list[Alignment], Counter]:
    """Chain a pair's segments into passages and keep those long and similar enough.

    ``ta``/``tb`` give the documents' ``Words``; they are called only for a passage long
    enough to score, so most rejected pairs never tokenize. Returns the alignments and a
    count of rejected passages by reason.
    """
    same = a.index == b.index
    found: list[Alignment] = []
    rejected: Counter = Counter()
    for a0, a1, b0, b1, matched in chains(segs, detect.max_gap):
        if matched < detect.min_words:
            rejected["shorter than min_words"] += 1
            continue
        if same and a1 > b0:
            rejected["overlaps its own repeat"] += 1  # a period ("ha ha ha"), not a copy
            continue
        wa, wb = ta(), tb()
        trimmed = trim_to_breaks(wa, (a0, a1), wb, (b0, b1), detect.min_words)
        if trimmed is None:
            rejected["only fragments across breaks"] += 1
            continue
        cut = (a1 - a0) - (trimmed[1] - trimmed[0])
        a0, a1, b0, b1 = trimmed
        matched -= cut
        if matched < detect.min_words:
            rejected["shorter than min_words"] += 1
            continue
        a_start, a_end = int(wa[1][a0]), int(wa[2][a1 - 1])
        b_start, b_end = int(wb[1][b0]), int(wb[2][b1 - 1])
        pa, pb = comparable(a.text[a_start:a_end]), comparable(b.text[b_start:b_end])
        similarity = Indel.normalized_similarity(pa, pb)
        if similarity < detect.min_similarity:
            rejected["below min_similarity"] += 1
            continue
        found.append(scored(a, (a_start, a_end), b, (b_start, b_end), pa, pb, int(matched), similarity))
    return found, rejected


def _segments_from_seeds(seeds: list[tuple[int, int]], k: int) -> list[Segment]:
    seeds.sort()
    out = []
    run_d, run_start, prev = None, 0, -2
    for d, i in seeds:
        if d != run_d or i != prev + 1:
            if run_d is not None:
                out.append((run_start, prev + k, run_start + run_d, prev + k + run_d))
            run_d, run_start = d, i
        prev = i
    if run_d is not None:
        out.append((run_start, prev + k, run_start + run_d, prev + k + run_d))
    out.sort()
    return out


def align_pair(a: Document, b: Document, detect: DetectConfig) -> tuple[list[Alignment], Counter]:
    """Verified passages shared by two documents, or repeated inside one when ``a`` is ``b``.

    Returns the alignments and a count of rejected candidate passages by reason.
    """
    k = detect.shingle_size
    ta = tokenize(a)
    tb = ta if a.index == b.index else tokenize(b)
    sa, sb = shingle_hashes32(ta.hashes, k).tolist(), shingle_hashes32(tb.hashes, k).tolist()
    where: dict[int, list[int]] = {}
    for j, h in enumerate(sb):
        where.setdefault(h, []).append(j)
    same = a.index == b.index
    seeds: list[tuple[int, int]] = []
    for i, h in enumerate(sa):
        js = where.get(h, ())
        if len(js) > MAX_SEED_REPEATS:
            continue
        seeds.extend((j - i, i) for j in js if not same or j > i)
    segs = _segments_from_seeds(seeds, k)
    wa = (a.text, ta.starts, ta.ends)
    wb = wa if tb is ta else (b.text, tb.starts, tb.ends)
    return score_segments(a, lambda: wa, b, lambda: wb, segs, detect)


def _gather(index: ShingleIndex, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenated shingle rows: (hashes, positions, owner = position in ``rows``)."""
    starts, ends = index.offsets[rows], index.offsets[rows + 1]
    lengths = ends - starts
    owner = np.repeat(np.arange(rows.shape[0]), lengths)
    before = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=before[1:])
    flat = np.repeat(starts, lengths) + (np.arange(before[-1]) - before[owner])
    return index.hashes[flat], index.positions[flat], owner


def segment_arrays(index: ShingleIndex, pairs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact segments of many pairs at once.

    ``pairs`` rows are ``(doc_a, doc_b)``; ``index`` must be sorted by hash and hold both
    documents of every pair. Returns ``(pair_of_segment, segments)`` where segments rows are
    ``(a0, a1, b0, b1)``, grouped by pair and sorted by ``a0`` within a pair.
    """
    rows_a = np.searchsorted(index.docs, pairs[:, 0])
    rows_b = np.searchsorted(index.docs, pairs[:, 1])
    ha, pa, oa = _gather(index, rows_a)
    hb, pb, ob = _gather(index, rows_b)
    # (pair, hash) packed in 64 bits: each side is sorted by it already (rows are sorted by
    # hash, pairs ascend), so one binary search per shingle of side a is the whole join.
    ka = (oa.astype(np.uint64) << np.uint64(32)) | ha.astype(np.uint64)
    kb = (ob.astype(np.uint64) << np.uint64(32)) | hb.astype(np.uint64)
    lo = np.searchsorted(kb, ka, side="left")
    # The end of each run of equal keys in kb, instead of a second binary search.
    run_start = np.flatnonzero(np.concatenate([[True], kb[1:] != kb[:-1]]))
    run_end = np.repeat(np.append(run_start[1:], kb.shape[0]), np.diff(np.append(run_start, kb.shape[0])))
    found = lo < kb.shape[0]
    found[found] = kb[lo[found]] == ka[found]
    counts = np.where(found, run_end[np.minimum(lo, kb.shape[0] - 1)] - lo, 0)
    counts[counts > MAX_SEED_REPEATS] = 0
    take = spread(lo, counts)
    i = np.repeat(pa, counts).astype(np.int64)
    owner = np.repeat(oa, counts)
    j = pb[take].astype(np.int64)
    keep = (pairs[owner, 0] != pairs[owner, 1]) | (j > i)
    i, j, owner = i[keep], j[keep], owner[keep]
    d = j - i
    order = np.lexsort((i, d, owner))
    i, d, owner = i[order], d[order], owner[order]
    if i.shape[0] == 0:  # no pair of the batch shares a shingle
        return np.empty(0, dtype=np.int64), np.empty((0, 4), dtype=np.int64)
    brk = np.ones(i.shape[0], dtype=bool)
    brk[1:] = (owner[1:] != owner[:-1]) | (d[1:] != d[:-1]) | (i[1:] != i[:-1] + 1)
    starts = np.flatnonzero(brk)
    ends = np.concatenate([starts[1:], [i.shape[0]]]) - 1
    a0, a1 = i[starts], i[ends] + k
    seg = np.stack([a0, a1, a0 + d[starts], a1 + d[starts]], axis=1)
    seg_owner = owner[starts]
    order = np.lexsort((seg[:, 3], seg[:, 2], seg[:, 1], seg[:, 0], seg_owner))
    return seg_owner[order], seg[order]


def _groups(owner: np.ndarray, lo: np.ndarray, hi: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Segments (ranges ``[lo, hi)`` on one side, sorted by pair then ``lo``) merged into
    groups where ranges lie closer than ``max_gap``: the group of each segment, and each
    group's coverage in words. A chain never leaves its group (its next segment starts at most
    ``max_gap`` after it), so a chain's matched words never exceed its group's coverage."""
    big = np.int64(int(max(hi.max(), 1)) + 2 * max_gap + 2)
    lo_, hi_ = lo + owner * big, hi + owner * big  # offsets keep pairs apart in one running max
    reach = np.maximum.accumulate(hi_)
    prev_reach = np.concatenate([[np.int64(-1) << np.int64(62)], reach[:-1]])
    group = np.cumsum(lo_ > prev_reach + max_gap) - 1
    gained = np.maximum(hi_ - np.maximum(lo_, prev_reach), 0)
    return group, np.bincount(group, weights=gained)


def _may_chain(owner: np.ndarray, lo: np.ndarray, hi: np.ndarray, n_pairs: int, detect: DetectConfig) -> np.ndarray:
    """Per pair: could its segments (ranges ``[lo, hi)`` on one side, sorted by pair then
    ``lo``) chain into ``min_words`` words? Ranges closer than ``max_gap`` are merged and the
    largest merged coverage is compared with ``min_words``. Every real chain lies inside one
    merged group, so this never rejects a pair the chaining would accept."""
    best = np.zeros(n_pairs)
    if owner.shape[0]:
        group, covered = _groups(owner, lo, hi, detect.max_gap)
        np.maximum.at(best, owner, covered[group])
    return best >= detect.min_words


def verify_pairs(
    pairs: np.ndarray, index: ShingleIndex, doc: Callable[[int], Document], detect: DetectConfig
) -> tuple[list[Alignment], Counter]:
    """Verify a batch of candidate pairs; the scan's fast path (same result as ``align_pair``).

    Pairs whose exact segments cannot add up to ``min_words`` are rejected on arrays alone;
    only the rest are tokenized, chained and scored.
    """
    rejected: Counter = Counter()
    found: list[Alignment] = []
    if pairs.shape[0] == 0:
        return found, rejected
    seg_owner, seg = segment_arrays(index, pairs, detect.shingle_size)
    if seg_owner.shape[0]:
        # Groups of segments too short to chain into a passage are dropped here, on arrays,
        # before the per-pair Python chaining: most seeds of a hopeful pair are stray shared
        # phrases far from its passage. Each dropped group counts as one short passage.
        group, covered = _groups(seg_owner, seg[:, 0], seg[:, 1], detect.max_gap)
        long_enough = covered >= detect.min_words
        group_owner = np.empty(covered.shape[0], dtype=np.int64)
        group_owner[group] = seg_owner  # a group never spans two pairs
        short_groups = np.bincount(group_owner[~long_enough], minlength=pairs.shape[0])
        keep = long_enough[group]
        seg_owner, seg = seg_owner[keep], seg[keep]
    else:
        short_groups = np.zeros(pairs.shape[0], dtype=np.int64)
    hopeful = np.bincount(seg_owner, minlength=pairs.shape[0]) > 0
    by_b = np.lexsort((seg[:, 2], seg_owner))
    hopeful &= _may_chain(seg_owner[by_b], seg[by_b, 2], seg[by_b, 3], pairs.shape[0], detect)
    rejected["too little shared text"] += int((~hopeful).sum())
    if int(short_groups[hopeful].sum()):
        rejected["shorter than min_words"] += int(short_groups[hopeful].sum())
    bounds = np.searchsorted(seg_owner, np.arange(pairs.shape[0] + 1))
    # Spans of every document a hopeful pair touches, in one vectorised pass.
    # Each document once per batch: a corpus reads it from its file on every access.
    needed = {i: doc(i) for i in np.unique(pairs[hopeful].ravel()).tolist()}
    spans = dict(zip(needed, batch_token_spans([d.text for d in needed.values()]), strict=True))

    def tok(i: int) -> Words:
        return (needed[i].text, *spans[i])

    for p in np.flatnonzero(hopeful).tolist():
        a, b = int(pairs[p, 0]), int(pairs[p, 1])
        segs = [tuple(s) for s in seg[bounds[p] : bounds[p + 1]].tolist()]
        alignments, why = score_segments(
            needed[a],
            partial(tok, a),
            needed[b],
            partial(tok, b),
            segs,
            detect,
        )
        found.extend(alignments)
        rejected.update(why)
    return found, rejected
