"""Verification: exact spans of planted passages, edits tolerated, stock phrases rejected,
and the batch path agreeing with the single-pair reference."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.align import align_pair, verify_pairs
from provenance.config import DetectConfig
from provenance.passages import shingle_index, sort_by_hash
from provenance.records import Document

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


@st.composite
def planted_pairs(draw: st.DrawFn) -> tuple[Document, Document]:
    rng = random.Random(draw(st.integers(0, 10**6)))
    shared = WIRE.split()
    start, length = draw(st.integers(0, 10)), draw(st.integers(8, len(shared) - 10))
    passage = " ".join(shared[start : start + length])
    a = filler(rng, draw(st.integers(0, 30))) + " " + passage + ". " + filler(rng, draw(st.integers(0, 30)))
    b = filler(rng, draw(st.integers(0, 30))) + "\n" + passage + " - " + filler(rng, draw(st.integers(0, 30)))
    return doc(0, a), doc(1, b)


@settings(max_examples=80, deadline=None)
@given(planted_pairs())
def test_spans_always_map_back_to_matching_text_in_the_originals(pair: tuple[Document, Document]) -> None:
    a, b = pair
    found, _ = align_pair(a, b, DetectConfig())
    assert found, "a planted passage of 8+ words must be found"
    for al in found:
        ta, tb = a.text[al.a_start : al.a_end], b.text[al.b_start : al.b_end]
        assert ta.split()[0].lower() == tb.split()[0].lower()
        assert ta and tb and ta[0].isalnum() and ta[-1].isalnum()


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
    batch, _ = verify_pairs(pairs, index, docs.__getitem__, detect)
    reference = [al for i, j in pairs.tolist() for al in align_pair(docs[i], docs[j], detect)[0]]
    key = lambda al: (al.doc_a, al.doc_b, al.a_start, al.b_start)  # noqa: E731
    assert sorted(batch, key=key) == sorted(reference, key=key)
    assert len(batch) > 10
