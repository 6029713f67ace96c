"""Tokens and shingles: spans map back to the text, hashes are stable and agree scalar/vector."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from provenance.passages import (
    batch_token_spans,
    fold,
    shingle_hash32,
    shingle_hashes32,
    shingle_index,
    sort_by_hash,
    token_hashes,
    token_spans,
    tokenize,
    words,
)
from provenance.records import Document

news_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "Cc")), min_size=0, max_size=300
)


def doc(text: str, index: int = 0) -> Document:
    return Document(index=index, doc_id=f"d{index}", text=text, source="test")


@given(news_text)
def test_token_spans_cut_exactly_the_words_of_the_original_text(text: str) -> None:
    starts, ends = token_spans(text)
    assert [text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)] == re.findall(r"\w+", text)
    assert [fold(text[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)] == words(text)


@given(
    st.lists(
        st.one_of(st.text(st.characters(max_codepoint=127), max_size=80), st.text(max_size=20)),
        max_size=8,
    )
)
def test_batch_spans_of_ascii_and_other_texts_mixed_keep_each_texts_own(texts: list[str]) -> None:
    # ASCII texts take a faster path than the others; a batch mixing them keeps its order.
    for text, (starts, ends) in zip(texts, batch_token_spans(texts), strict=True):
        ref_starts, ref_ends = token_spans(text)
        assert starts.tolist() == ref_starts.tolist() and ends.tolist() == ref_ends.tolist()


@given(st.lists(st.text(max_size=80), max_size=6))
def test_batch_spans_equal_the_regex_spans_for_any_unicode(texts: list[str]) -> None:
    batch = batch_token_spans(texts)
    assert len(batch) == len(texts)
    for text, (starts, ends) in zip(texts, batch, strict=True):
        ref_starts, ref_ends = token_spans(text)
        assert starts.tolist() == ref_starts.tolist() and ends.tolist() == ref_ends.tolist()


@given(news_text)
def test_tokenize_gives_one_hash_per_span(text: str) -> None:
    tokens = tokenize(doc(text))
    assert tokens.starts.shape == tokens.ends.shape == tokens.hashes.shape
    assert np.all(tokens.starts < tokens.ends) if len(tokens) else True


def test_token_hashes_are_case_folded_and_stable_across_calls() -> None:
    first = token_hashes(words("Reuters REUTERS reuters Mosul"))
    again = token_hashes(["reuters", "mosul"])
    assert first[0] == first[1] == first[2] == again[0]
    assert first[3] == again[1]
    # xxh3-64 of the UTF-8 word: a fixed value, so indexes built yesterday still match today.
    assert int(again[1]) == 0x8B16B2519E4D8A51


@given(st.lists(st.sampled_from(["iraqi", "forces", "mosul", "said", "the", "city", "é", "东"]), max_size=30))
def test_vectorised_shingle_hashes_equal_the_scalar_hash(tokens: list[str]) -> None:
    k = 3
    vector = shingle_hashes32(token_hashes(tokens), k).tolist()
    scalar = [shingle_hash32(" ".join(tokens[i : i + k])) for i in range(len(tokens) - k + 1)]
    assert vector == scalar


def test_shingle_index_never_joins_shingles_across_documents() -> None:
    docs = [doc("one two three four", 0), doc("x", 1), doc("five six seven", 2)]
    index = shingle_index(docs, 3)
    assert np.diff(index.offsets).tolist() == [2, 0, 1]
    alone = [shingle_hashes32(token_hashes(words(d.text)), 3).tolist() for d in docs]
    assert index.hashes.tolist() == alone[0] + alone[1] + alone[2]
    assert index.positions.tolist() == [0, 1, 0]


def test_sorting_by_hash_keeps_each_document_in_its_own_row() -> None:
    docs = [doc("a b c d e f", 0), doc("f e d c b a", 1)]
    index = sort_by_hash(shingle_index(docs, 2))
    for row in range(2):
        lo, hi = index.offsets[row], index.offsets[row + 1]
        assert np.all(np.diff(index.hashes[lo:hi].astype(np.int64)) >= 0)
        assert sorted(index.positions[lo:hi].tolist()) == list(range(5))
