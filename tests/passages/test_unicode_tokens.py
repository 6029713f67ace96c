"""Tokens under Unicode: combining marks stay in their word, spans slice the original text,
and tokens compare in their folded form (NFKC, case-folded) whatever form the text came in."""

from __future__ import annotations

import sys
import unicodedata

import numpy as np
import pytest
import xxhash
from hypothesis import given
from hypothesis import strategies as st

from provenance.passages import batch_token_spans, fold, token_hashes, token_spans, tokenize, words
from provenance.records import Document

# Letters with one or more combining marks (as NFD text and Vietnamese in any form carry them),
# marks on their own, spacing, punctuation and digits.
MARKS = st.characters(categories=("Mn", "Mc", "Me"))
LETTERS = st.characters(categories=("L", "N"))
accented = st.tuples(LETTERS, st.lists(MARKS, max_size=3)).map(lambda t: t[0] + "".join(t[1]))
pieces = st.one_of(
    accented,
    MARKS,
    st.sampled_from([" ", "  ", "\n", ", ", ". ", "-", "'", "—", "\u00a0", "_"]),
    st.sampled_from(["Nguyễn", "Peñalosa", "Lefèvre", "Đà Nẵng", "ﬁnal", "ＡＦＰ", "x²", "Straße", "हिन्दी"]),
)
marked_text = st.lists(pieces, max_size=40).map("".join)
any_text = st.one_of(marked_text, st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "Z")), max_size=120))


def is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def spans_of(text: str) -> list[tuple[int, int]]:
    starts, ends = token_spans(text)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


@given(any_text)
def test_every_token_span_slices_the_original_and_folding_the_slice_gives_the_token(text: str) -> None:
    spans = spans_of(text)
    assert words(text) == [fold(text[s:e]) for s, e in spans]
    tokens = tokenize(Document(0, "d", text, "test"))
    assert tokens.starts.tolist() == [s for s, _ in spans] and tokens.ends.tolist() == [e for _, e in spans]
    assert tokens.hashes.tolist() == token_hashes(words(text)).tolist()
    covered = np.zeros(len(text), dtype=bool)
    previous_end = -1
    for s, e in spans:
        assert previous_end < s < e <= len(text), "spans ascend, apart and non-empty"
        piece = text[s:e]
        assert is_word(piece[0]), "a token starts with a word character"
        assert all(is_word(ch) or is_mark(ch) for ch in piece), "then holds only word characters and marks"
        assert e == len(text) or not (is_word(text[e]) or is_mark(text[e])), "and takes every mark after it"
        assert s == 0 or not is_word(text[s - 1])
        covered[s:e] = True
        previous_end = e
    assert all(covered[i] for i, ch in enumerate(text) if is_word(ch)), "no word character is left out"


@given(any_text)
def test_nfc_and_nfd_forms_of_a_text_give_the_same_tokens(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert words(nfc) == words(nfd) == words(text)
    # and their spans still cut each form's own characters
    for form in (nfc, nfd):
        assert [fold(form[s:e]) for s, e in spans_of(form)] == words(text)


@given(st.lists(any_text, max_size=6))
def test_batch_spans_equal_single_spans_on_marked_text(texts: list[str]) -> None:
    for text, (starts, ends) in zip(texts, batch_token_spans(texts), strict=True):
        assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == spans_of(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_the_ascii_fast_path_tokenizes_as_the_unicode_path_does(text: str) -> None:
    # Appending one non-ASCII word sends the same text down the general path.
    assert words(text + " é") == words(text) + ["é"]
    assert spans_of(text + " é")[:-1] == spans_of(text)


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        (unicodedata.normalize("NFD", "Nguyễn Hồng Diên"), "Nguyễn Hồng Diên"),
        ("ﬁnal oﬃcials", "final officials"),  # ligatures (PDF extraction)
        ("ＡＦＰ Ｒｅｕｔｅｒｓ ２０２４", "AFP Reuters 2024"),  # fullwidth letters and digits
        ("x² CO₂", "x2 CO2"),  # superscripts and subscripts
        ("STRASSE", "Straße"),  # full case folding, not just lower-casing
        ("ΟΔΥΣΣΕΥΣ", "Οδυσσευς"),  # final sigma
        ("\u2126", "\u03a9"),  # OHM SIGN, a canonical singleton for capital omega
    ],
)
def test_compatibility_and_case_variants_give_the_same_tokens(variant: str, plain: str) -> None:
    assert variant != plain
    assert words(variant) == words(plain)
    assert len(spans_of(variant)) == len(words(plain))


def test_combining_marks_stay_in_their_word_and_a_stray_mark_is_no_word() -> None:
    nfd = unicodedata.normalize("NFD", "Peñalosa and Lefèvre")
    assert [nfd[s:e] for s, e in spans_of(nfd)] == nfd.split(" ")
    assert words("हिन्दी समाचार") == ["हिन्दी", "समाचार"]  # vowel signs (Mc) and virama inside the word
    assert spans_of("a \u0301b") == [(0, 1), (3, 4)]  # a mark after a space starts nothing


@pytest.mark.parametrize("last", [0xFFFF, sys.maxunicode], ids=["basic plane", "all planes"])
def test_every_combining_mark_in_unicode_joins_the_word_before_it(last: int) -> None:
    marks = [chr(c) for c in range(last + 1) if unicodedata.category(chr(c))[0] == "M"]
    text = " ".join("a" + mark for mark in marks)
    expected = [(3 * i, 3 * i + 2) for i in range(len(marks))]
    assert spans_of(text) == expected
    assert len(words(text)) == len(marks)
    starts, ends = batch_token_spans([text])[0]
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == expected


def test_folded_tokens_hash_as_their_utf8() -> None:
    # The index and Spark depend on this: the hash of a token is xxh3-64 of its folded form.
    assert int(token_hashes(words(unicodedata.normalize("NFD", "CAFÉ")))[0]) == xxhash.xxh3_64_intdigest(
        "café".encode()
    )


def test_a_lone_surrogate_is_not_a_word_and_breaks_nothing() -> None:
    text = "Hà\ud800Nội"
    assert spans_of(text) == [(0, 2), (3, 6)]
    assert words(text) == ["hà", "nội"]
    assert [s.tolist() for s in batch_token_spans([text])[0]] == [[0, 3], [2, 6]]
