"""Verification: exact spans of planted passages, edits tolerated, stock phrases rejected,
and the batch path agreeing with the single-pair reference."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.align import align_pair, verify_pairs
from provenance.align.aligner import _head_cut, _is_gap_break, _tail_cut, hard_wrapped, is_break
from provenance.config import DetectConfig
from provenance.passages import drop_unshared, shingle_index, sort_by_hash
from provenance.records import Document

WORD = re.compile(r"\w+")  # a word token; prov also keeps combining marks in a word, and the seeds have none
WIRE = (
    "Iraqi forces recaptured the main government compound in western Mosul on Tuesday, "
    "a strategic and symbolic advance into the last major city held by the militants."
)
FILLER = [
    "markets",
    "councils",
    "harbour",
    "weather",
    "ministers",
    "farmers",
    "rail",
    "budget",
    "courts",
    "river",
    "festival",
    "schools",
    "drought",
    "exports",
    "shipping",
    "tariffs",
    "museum",
    "police",
    "election",
    "hospital",
    "stadium",
]


def doc(index: int, text: str) -> Document:
    return Document(index=index, doc_id=f"d{index}", text=text, source="test")


def filler(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(FILLER) for _ in range(n))


def test_a_planted_passage_is_found_with_exact_offsets_on_both_sides() -> None:
    a = doc(0, "LONDON - Some local news first. " + WIRE + " Then more local news follows here.")
    b = doc(1, "Breaking: " + WIRE + " Photo / AP")
    found, _ = align_pair(a, b, DetectConfig())
    assert len(found) == 1
    al = found[0]
    assert a.text[al.a_start : al.a_end] == WIRE.rstrip(".")
    assert b.text[al.b_start : al.b_end] == WIRE.rstrip(".")
    assert al.similarity == 1.0
    assert al.matched_words == len(WIRE.split())


def test_light_edits_keep_one_passage() -> None:
    edited = WIRE.replace("main ", "").replace("Tuesday", "TUESDAY").replace(", a strategic", " - a strategic")
    found, _ = align_pair(doc(0, WIRE), doc(1, edited), DetectConfig())
    assert len(found) == 1
    assert found[0].a_start == 0 and found[0].a_end == len(WIRE) - 1
    assert 0.9 < found[0].similarity < 1.0


def test_stock_phrases_are_not_reuse() -> None:
    a = doc(0, "The ministry said in a statement that the company said it would appeal the ruling on Monday.")
    b = doc(1, "Farmers said in a statement that rain had come, and the company said it expects a strong harvest.")
    found, _ = align_pair(a, b, DetectConfig())
    assert found == []


def test_repeat_inside_one_document_is_found_and_never_overlaps_itself() -> None:
    caption = "A boy walks among the debris of a damaged neighbourhood of Mosul. Photo / AP"
    text = "Intro text about the battle.\n" + caption + "\n" + caption + "\nMore text."
    found, _ = align_pair(doc(0, text), doc(0, text), DetectConfig())
    assert len(found) == 1
    al = found[0]
    assert text[al.a_start : al.a_end] == text[al.b_start : al.b_end] == caption
    assert al.a_end <= al.b_start


def test_a_period_of_one_word_is_not_an_internal_repeat() -> None:
    text = "ha " * 60
    assert align_pair(doc(0, text), doc(0, text), DetectConfig())[0] == []
    chant = "Mosul news: " + "we will win " * 6  # 18 words: words 1-9 do repeat as words 10-18
    (al,) = align_pair(doc(0, chant), doc(0, chant), DetectConfig())[0]
    assert al.a_end <= al.b_start


# Real words for random texts, and real sentences to plant: the seed articles. The planted
# passages come from 002 and 003, which repeat nothing of 8 words or more inside themselves,
# so a passage has exactly one copy in each text.
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_WORDS = sorted(
    {w for p in SEEDS.glob("*.txt") for w in WORD.findall(p.read_text(encoding="utf-8")) if w.isascii() and w.isalpha()}
)
SOURCES = [next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8") for prefix in ("002", "003")]
SEPARATORS = [" ", "\n", ". ", ", ", " - ", "\n\n"]


@dataclass(frozen=True)
class Planted:
    """A passage planted into two texts, with its character span in each."""

    a: Document
    b: Document
    a_span: tuple[int, int]
    b_span: tuple[int, int]


def _around(left: list[str], before: str, passage: str, after: str, right: list[str]) -> tuple[str, tuple[int, int]]:
    head = " ".join(left) + before if left else ""
    tail = after + " ".join(right) if right else ""
    return head + passage + tail, (len(head), len(head) + len(passage))


@st.composite
def planted(draw: st.DrawFn) -> Planted:
    """A run of 8-40 words of a seed article planted into two texts of random seed words.

    Hypothesis draws the sizes and the separators; the words come from a seeded generator, so
    that shrinking does not turn the texts into runs of one word, which really are shared text.
    ``echo_left`` / ``echo_right`` make that many words next to the passage identical in both
    texts, so that extension over identical neighbours is exercised, not only left to chance.
    """
    rng = random.Random(draw(st.integers(0, 2**32)))
    source = draw(st.sampled_from(SOURCES))
    tokens = list(WORD.finditer(source))
    length = draw(st.integers(8, 40))
    first = draw(st.integers(0, len(tokens) - length))
    passage = source[tokens[first].start() : tokens[first + length - 1].end()]
    n_left_a, n_right_a = draw(st.integers(0, 40)), draw(st.integers(0, 40))
    echo_left, echo_right = draw(st.integers(0, min(3, n_left_a))), draw(st.integers(0, min(3, n_right_a)))
    left_a = rng.choices(SEED_WORDS, k=n_left_a)
    right_a = rng.choices(SEED_WORDS, k=n_right_a)
    left_b = rng.choices(SEED_WORDS, k=draw(st.integers(0, 40))) + left_a[n_left_a - echo_left :]
    right_b = right_a[:echo_right] + rng.choices(SEED_WORDS, k=draw(st.integers(0, 40)))
    a, a_span = _around(left_a, draw(st.sampled_from(SEPARATORS)), passage, draw(st.sampled_from(SEPARATORS)), right_a)
    b, b_span = _around(left_b, draw(st.sampled_from(SEPARATORS)), passage, draw(st.sampled_from(SEPARATORS)), right_b)
    return Planted(doc(0, a), doc(1, b), a_span, b_span)


def extended_over_identical_neighbours(p: Planted) -> tuple[tuple[int, int], tuple[int, int]]:
    """The planted spans, grown word by word while the next word out is the same in both texts.

    Such a word is shared text as much as the passage is: no aligner can tell that it was not
    planted. Words are compared case-folded, as the aligner compares them. Nothing else may be
    added to a span, not even across one differing word.
    """
    ta, tb = list(WORD.finditer(p.a.text)), list(WORD.finditer(p.b.text))
    ia = [i for i, m in enumerate(ta) if p.a_span[0] <= m.start() and m.end() <= p.a_span[1]]
    ib = [i for i, m in enumerate(tb) if p.b_span[0] <= m.start() and m.end() <= p.b_span[1]]
    a0, a1, b0, b1 = ia[0], ia[-1] + 1, ib[0], ib[-1] + 1

    def same(i: int, j: int) -> bool:
        return ta[i].group().casefold() == tb[j].group().casefold()

    while a0 > 0 and b0 > 0 and same(a0 - 1, b0 - 1):
        a0, b0 = a0 - 1, b0 - 1
    while a1 < len(ta) and b1 < len(tb) and same(a1, b1):
        a1, b1 = a1 + 1, b1 + 1
    return (ta[a0].start(), ta[a1 - 1].end()), (tb[b0].start(), tb[b1 - 1].end())


def cut_to_breaks(p: Planted, a_span: tuple[int, int], b_span: tuple[int, int]) -> tuple[tuple[int, int], ...] | None:
    """The spans without an edge fragment that crosses a line or sentence break into a unit both
    texts go on with and part inside, when it is shorter than min_words (the issue 9 rule), or
    None when too little is left."""
    words = []
    for text, (lo, hi) in ((p.a.text, a_span), (p.b.text, b_span)):
        all_words = list(WORD.finditer(text))
        inside = [i for i, m in enumerate(all_words) if lo <= m.start() and m.end() <= hi]
        words.append((text, all_words, inside[0], inside[-1] + 1))

    def brk(text: str, ws: list, i: int) -> bool:  # a break between word i-1 and word i
        return i <= 0 or i >= len(ws) or is_break(text, ws[i - 1].end(), ws[i].start())

    (ta, wa, a0, a1), (tb, wb, b0, b1) = words
    near = DetectConfig().min_words  # only a fragment of fewer words than this is cut
    if not (brk(ta, wa, a1) or brk(tb, wb, b1)):
        cuts = [
            next((hi - j for j in range(hi - 1, max(lo, hi - near), -1) if brk(t, ws, j)), 0)
            for t, ws, lo, hi in ((ta, wa, a0, a1), (tb, wb, b0, b1))
        ]
        a1, b1 = a1 - max(cuts), b1 - max(cuts)
    if not (brk(ta, wa, a0) or brk(tb, wb, b0)):
        cuts = [
            next((j - lo for j in range(lo + 1, min(hi, lo + near)) if brk(t, ws, j)), 0)
            for t, ws, lo, hi in ((ta, wa, a0, a1), (tb, wb, b0, b1))
        ]
        a0, b0 = a0 + max(cuts), b0 + max(cuts)
    if a1 - a0 < DetectConfig().min_words:
        return None
    return (wa[a0].start(), wa[a1 - 1].end()), (wb[b0].start(), wb[b1 - 1].end())


@settings(max_examples=120, deadline=None)
@given(planted())
def test_a_planted_passage_is_found_at_exactly_its_offsets(p: Planted) -> None:
    """Found exactly: the planted span, grown over identical neighbours, cut back at a break
    where the copies part inside the unit the break opens."""
    expected = cut_to_breaks(p, *extended_over_identical_neighbours(p))
    found = align_pair(p.a, p.b, DetectConfig())[0]
    if expected is None:
        assert found == []
        return
    (al,) = found
    a_span, b_span = expected
    assert (al.a_start, al.a_end) == a_span, p.a.text[al.a_start : al.a_end]
    assert (al.b_start, al.b_end) == b_span, p.b.text[al.b_start : al.b_end]
    assert al.matched_words == len(WORD.findall(p.a.text[slice(*a_span)]))  # every word in it matched


def test_batch_verification_equals_the_single_pair_reference() -> None:
    rng = random.Random(7)
    sentences = [
        WIRE,
        "The United Nations says displacement rates over the past week are at the highest since the operation began.",
    ]
    docs = []
    for i in range(40):
        parts = [filler(rng, rng.randint(3, 25))]
        if rng.random() < 0.6:
            parts.append(rng.choice(sentences))
        if rng.random() < 0.2:
            parts.append(parts[-1])  # an internal repeat
        parts.append(filler(rng, rng.randint(3, 25)))
        docs.append(doc(i, " ".join(parts)))
    detect = DetectConfig()
    pairs = np.array([(i, j) for i in range(40) for j in range(i, 40)], dtype=np.int64)
    index = sort_by_hash(shingle_index(docs, detect.shingle_size))
    batch, rejected = verify_pairs(pairs, index, docs.__getitem__, detect)
    reference = [al for i, j in pairs.tolist() for al in align_pair(docs[i], docs[j], detect)[0]]
    key = lambda al: (al.doc_a, al.doc_b, al.a_start, al.b_start)  # noqa: E731
    assert sorted(batch, key=key) == sorted(reference, key=key)
    assert len(batch) > 10
    # Any batching of the pairs (the Spark engine's differs) gives the same rejection counts.
    one_by_one: Counter = Counter()
    for p in range(len(pairs)):
        one_by_one.update(verify_pairs(pairs[p : p + 1], index, docs.__getitem__, detect)[1])
    assert one_by_one == rejected
    # Without the shingles nothing shares (what the engines keep), the same result exactly.
    full = index.hashes.shape[0]
    pruned = drop_unshared(index)  # consumes index
    assert pruned.hashes.shape[0] < full
    assert verify_pairs(pairs, pruned, docs.__getitem__, detect) == (batch, rejected)


def test_what_breaks_a_unit_and_what_is_a_soft_wrap() -> None:
    wire = (
        "The company said it filed a registration statement with the Securities\n"
        "and Exchange Commission covering a proposed offering of 100 mln dlrs of\n"
        "convertible subordinated debentures due 2012, the company said on Monday.\n"
    )
    assert hard_wrapped(wire)
    assert not is_break(wire, wire.index("Securities") + 10, wire.index("and Exchange"))  # a soft wrap
    assert is_break(wire + "    The", len(wire) - 2, len(wire) + 4)  # a sentence end, then an indent
    scraped = "A boy walks among the debris of a damaged neighbourhood of Mosul. Photo / AP\nA boy walks on."
    assert not hard_wrapped(scraped)
    assert is_break(scraped, scraped.index("AP") + 2, scraped.index("AP") + 3)  # one line, one caption
    sentence = "in western Mosul. Source: AP"
    assert is_break(sentence, sentence.index("Mosul") + 5, sentence.index("Source"))
    assert not is_break(sentence, sentence.index("Source") + 6, sentence.index("AP"))


PIECES = ["word", "U.S.", "1.5", ". ", ".\n", "\n", "\n\n", "\n  ", ' "', '." ', "? ", "Getty", " ", "  ", "3/22"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=2, max_size=60),
    st.booleans(),
    st.integers(0, 80),
    st.integers(1, 60),
    st.integers(1, 12),
)
def test_the_edge_cuts_find_the_same_break_as_checking_every_gap(
    pieces: list[str], wrap: bool, lo: int, span: int, within: int
) -> None:
    """``_tail_cut``/``_head_cut``/``_is_gap_break`` look only where a regex hints at a break;
    they must find the same break as asking ``is_break`` of every gap near the edge, in
    hard-wrapped text (where a single line end is a soft wrap) too."""
    text = " ".join(pieces) + " end"
    if wrap:  # lines of 64 characters: single line ends become soft wraps
        text = "\n".join([("wrapped line of wire copy " * 3)[:64]] * 3) + "\n" + text
    ws = list(WORD.finditer(text))
    starts, ends = np.array([m.start() for m in ws]), np.array([m.end() for m in ws])
    lo = min(lo, len(ws) - 1)
    hi = min(len(ws), lo + span)
    gap = lambda j: is_break(text, int(ends[j - 1]), int(starts[j]))  # noqa: E731

    tail = next((hi - j for j in range(hi - 1, max(lo, hi - within), -1) if gap(j)), 0)
    head = next((i - lo for i in range(lo + 1, min(hi, lo + within)) if gap(i)), 0)
    assert _tail_cut(text, starts, ends, lo, hi, within) == tail
    assert _head_cut(text, starts, ends, lo, hi, within) == head
    assert [_is_gap_break(text, starts, ends, j) for j in range(len(ws) + 1)] == [
        j in (0, len(ws)) or gap(j) for j in range(len(ws) + 1)
    ]
