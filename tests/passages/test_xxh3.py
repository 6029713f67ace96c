"""The vectorised XXH3-64 and the batch tokenizer give exactly the xxhash package's values."""

from __future__ import annotations

import random

import numpy as np
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.passages import xxh3
from provenance.passages.tokenize import batch_token_hashes, token_hashes, words


def _hash_all(strings: list[bytes]) -> np.ndarray:
    data = np.frombuffer(b"".join(strings), dtype=np.uint8)
    lengths = np.array([len(s) for s in strings], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return xxh3.xxh3_64_short(data, starts, lengths)


def test_every_short_length_matches_xxhash() -> None:
    rng = random.Random(13)
    # Every byte value, and every length the vectorised paths take (1-3, 4-8, 9-16).
    strings = [bytes(rng.randrange(256) for _ in range(n)) for n in range(1, xxh3.MAX_LEN + 1) for _ in range(300)]
    strings += [bytes([b]) for b in range(256)] + [b"\xff" * n for n in range(1, 17)]
    expected = [xxhash.xxh3_64_intdigest(s) for s in strings]
    assert _hash_all(strings).tolist() == expected


def test_a_string_at_the_very_end_of_the_buffer_reads_no_further() -> None:
    strings = [b"abcdefghijklmnop", b"xyz", b"12345678"]  # the last ends the buffer
    assert _hash_all(strings).tolist() == [xxhash.xxh3_64_intdigest(s) for s in strings]


WORDS = st.sampled_from(
    [
        "the",
        "A",
        "Mosul",
        "I",
        "x",
        "AAP",
        "Reuters",
        "1987",
        "dlrs",
        "snake_case",
        "_",
        "U.S.",
        "co-operation",
        "internationalization",
        "Telecommunications",
        "ABCDEFGHIJKLMNOPQ",
        "a" * 40,
        "ü",
        "Straße",
        "\u0301e",
        "😀",
    ]
)
SEPARATORS = st.sampled_from([" ", "  ", "\n", "\r\n", ", ", ". ", "\t", "-", "\x00", "'"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(WORDS, SEPARATORS), max_size=30))
    return draw(SEPARATORS) * draw(st.booleans()) + "".join(w + s for w, s in parts)


@settings(max_examples=200, deadline=None)
@given(st.lists(texts(), max_size=12))
def test_batch_token_hashes_equal_one_text_at_a_time(batch: list[str]) -> None:
    got = batch_token_hashes(batch)
    assert len(got) == len(batch)
    for text, hashes in zip(batch, got, strict=True):
        assert hashes.tolist() == token_hashes(words(text)).tolist(), text


def test_a_batch_mixing_ascii_and_other_texts_keeps_their_order() -> None:
    batch = ["Iraqi forces in Mosul", "", "Straße nach Mosul", "internationalization of AAP", "über"]
    got = batch_token_hashes(batch)
    assert [h.tolist() for h in got] == [token_hashes(words(t)).tolist() for t in batch]
    assert [len(h) for h in got] == [4, 0, 3, 3, 1]
