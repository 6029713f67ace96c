"""Word tokenization and shingle hashing, vectorised with numpy.

Tokens are maximal runs of word characters (``\\w+``, Unicode-aware), compared case-folded.
Token hashes are xxh3-64 of the case-folded UTF-8 word: stable across runs and processes (the
persistent index and the Spark engine depend on that), unlike Python's salted ``hash``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

import numpy as np
import xxhash

from provenance.records import Document, TokenizedDoc

_WORD = re.compile(r"\w+")
_SEP = "\x00"  # never inside a \w+ token
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplication by it is a bijection mod 2^64
_MASK32 = np.uint64(0xFFFFFFFF)

# Vocabulary cache: hashing a word costs more than a dict lookup, and news vocabularies are
# small next to token counts. Cleared when it grows past the bound, to keep memory flat.
_cache: dict[str, int] = {}
_CACHE_LIMIT = 2_000_000


def words(text: str) -> list[str]:
    """The case-folded word tokens of a text, in order."""
    found = _WORD.findall(text)
    if not found:
        return []
    return _SEP.join(found).lower().split(_SEP)


def token_hashes(tokens: list[str]) -> np.ndarray:
    """Stable 64-bit hashes (uint64) of case-folded tokens."""
    cache = _cache
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    found = list(map(cache.get, tokens))  # C-level look-ups; misses come back as None
    if None in found:
        for i, h in enumerate(found):
            if h is None:
                tok = tokens[i]
                found[i] = cache[tok] = xxhash.xxh3_64_intdigest(tok.encode("utf-8"))
    return np.array(found, dtype=np.uint64)


def token_spans(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Character ``(starts, ends)`` of the word tokens of a text (int64 arrays)."""
    flat = np.fromiter(chain.from_iterable(map(re.Match.span, _WORD.finditer(text))), dtype=np.int64)
    return flat[0::2], flat[1::2]


# \w in a str pattern is "alphanumeric (str.isalnum) or underscore"; ASCII by table, other
# code points by asking Python once each.
_ASCII_WORD = np.array([chr(c).isalnum() or c == ord("_") for c in range(128)], dtype=bool)
_WORDY: dict[int, bool] = {}


def _is_word(code: int) -> bool:
    flag = _WORDY.get(code)
    if flag is None:
        flag = _WORDY[code] = chr(code).isalnum()
    return flag


def batch_token_spans(texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``token_spans`` of many texts in one vectorised pass (the same spans, tested).

    The texts are joined by newlines (never part of a word), classified character by
    character in numpy, and word runs found from the edges of the classification.
    """
    if not texts:
        return []
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32)
    word = np.zeros(codes.shape[0], dtype=bool)
    ascii_ = codes < 128
    word[ascii_] = _ASCII_WORD[codes[ascii_]]
    if not ascii_.all():
        high = ~ascii_
        distinct, inverse = np.unique(codes[high], return_inverse=True)
        word[high] = np.array([_is_word(int(c)) for c in distinct], dtype=bool)[inverse]
    edges = np.diff(word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    bounds = np.searchsorted(starts, np.append(offsets, codes.shape[0] + 1))
    return [
        (starts[bounds[i] : bounds[i + 1]] - offsets[i], ends[bounds[i] : bounds[i + 1]] - offsets[i])
        for i in range(len(texts))
    ]


def tokenize(doc: Document) -> TokenizedDoc:
    """Tokens of a document with their character spans into ``doc.text`` and their hashes."""
    starts, ends = token_spans(doc.text)
    return TokenizedDoc(index=doc.index, starts=starts, ends=ends, hashes=token_hashes(words(doc.text)))


def shingle_hashes64(hashes: np.ndarray, k: int) -> np.ndarray:
    """64-bit hashes of every run of ``k`` consecutive tokens (length ``n - k + 1``, or 0).

    A polynomial over the token hashes, mod 2^64: position-sensitive, so "a b c" and
    "c b a" differ.
    """
    n = hashes.shape[0] - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    acc = hashes[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            acc = acc * _MULT + hashes[j : j + n]
    return acc


def shingle_hashes32(hashes: np.ndarray, k: int) -> np.ndarray:
    """32-bit shingle hashes (uint32): the 64-bit hash folded, the input width MinHash takes."""
    acc = shingle_hashes64(hashes, k)
    return ((acc >> np.uint64(32)) ^ (acc & _MASK32)).astype(np.uint32)


def shingle_hash32(shingle: bytes | str) -> int:
    """The 32-bit hash of one shingle given as its words joined by spaces.

    Scalar twin of ``shingle_hashes32``: use it as datasketch's ``hashfunc`` to get the same
    MinHash signatures as the vectorised sketcher.
    """
    text = shingle.decode("utf-8") if isinstance(shingle, bytes) else shingle
    toks = text.split(" ")
    mask = (1 << 64) - 1
    acc = 0
    for i, tok in enumerate(toks):
        h = xxhash.xxh3_64_intdigest(tok.encode("utf-8"))
        acc = h if i == 0 else (acc * int(_MULT) + h) & mask
    return (acc >> 32) ^ (acc & 0xFFFFFFFF)
