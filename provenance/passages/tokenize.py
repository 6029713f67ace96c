"""Word tokenization and shingle hashing, vectorised with numpy.

A token is a word character (``\\w``, Unicode-aware) followed by any run of word characters
and combining marks (Unicode category M). Taking the marks along keeps a decomposed (NFD)
"é", an "e" and U+0301, inside its word, and keeps the vowel signs of Indic scripts inside
theirs; a mark with no word before it belongs to no token.

Spans are always into the original text. Tokens are compared in their ``fold`` form: NFKC,
then case-folded, so that NFC and NFD copies of a text, and copies written with ligatures
("ﬁ"), fullwidth letters or superscripts, give the same tokens. ASCII text (most news) skips
all of this: its tokens are plain ``\\w+`` runs, lower-cased, exactly as before.

Token hashes are xxh3-64 of the folded UTF-8 word: stable across runs and processes (the
persistent index and the Spark engine depend on that), unlike Python's salted ``hash``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from itertools import chain
from typing import TypeVar

import numpy as np
import xxhash

from provenance.passages import xxh3
from provenance.passages.marks import mark_ranges
from provenance.records import Document, TokenizedDoc

T = TypeVar("T")

_WORD = re.compile(r"\w+")
_SEP = "\x00"  # never inside a \w+ token
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplication by it is a bijection mod 2^64
_MASK32 = np.uint64(0xFFFFFFFF)

# Vocabulary cache: hashing a word costs more than a dict lookup, and news vocabularies are
# small next to token counts. Cleared when it grows past the bound, to keep memory flat.
_cache: dict[str, int] = {}
_CACHE_LIMIT = 2_000_000


def fold(text: str) -> str:
    """The form in which text is compared: NFKC, case-folded (``str.casefold``).

    NFKC is applied again after folding, because folding can undo it (U+0390 folds to three
    code points that NFKC composes back). ASCII text is only lower-cased, which is the same.
    """
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def words(text: str) -> list[str]:
    """The folded word tokens of a text, in order (``fold`` of each token span)."""
    found = _token_pattern(text).findall(text)
    if not found:
        return []
    # One fold over the joined tokens: NUL never composes with a neighbour, so folding the
    # joined string equals folding each token, at a fraction of the calls.
    joined = _SEP.join(found)
    return (joined.lower() if text.isascii() else fold(joined)).split(_SEP)


def token_hashes(tokens: list[str]) -> np.ndarray:
    """Stable 64-bit hashes (uint64) of folded tokens (as ``words`` gives them)."""
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


# For ASCII text's bytes: 1 for a word byte (``\\w``: letters, digits, underscore), else 0.
_ASCII_WORD_BYTES = bytes(int(chr(c).isalnum() or c == ord("_")) for c in range(128)) + bytes(128)


def batch_token_hashes(texts: Sequence[str]) -> list[np.ndarray]:
    """``token_hashes(words(text))`` of every text, the same values computed together.

    The ASCII texts (most news) are tokenized and hashed in numpy over their joined bytes: a
    token is a run of word bytes, lower-cased, and hashed by ``xxh3.xxh3_64_short`` when it is
    16 bytes or fewer (nearly every word); longer words, and every text that is not ASCII, go
    through ``words`` and ``token_hashes``. About three times faster than a text at a time.
    """
    return _ascii_apart(texts, _ascii_token_hashes, lambda part: [token_hashes(words(t)) for t in part])


def _ascii_apart(
    texts: Sequence[str], on_ascii: Callable[[list[str]], list[T]], on_other: Callable[[list[str]], list[T]]
) -> list[T]:
    """``on_ascii`` of the ASCII texts and ``on_other`` of the others, back in the texts' order."""
    out: list[T | None] = [None] * len(texts)
    for ascii_, fn in ((True, on_ascii), (False, on_other)):
        chosen = [i for i, text in enumerate(texts) if text.isascii() is ascii_]
        if chosen:
            for i, value in zip(chosen, fn([texts[i] for i in chosen]), strict=True):
                out[i] = value
    return out  # type: ignore[return-value]  # every slot filled above


def _ascii_token_hashes(texts: list[str]) -> list[np.ndarray]:
    joined = "\n".join(texts).encode("ascii").lower()  # a line end is never inside a word
    starts, ends = _ascii_runs(joined)
    lengths = ends - starts
    hashes = np.empty(starts.shape[0], dtype=np.uint64)
    short = lengths <= xxh3.MAX_LEN
    hashes[short] = xxh3.xxh3_64_short(np.frombuffer(joined, dtype=np.uint8), starts[short], lengths[short])
    long_ones = np.flatnonzero(~short)
    if long_ones.shape[0]:
        hashes[long_ones] = token_hashes([joined[starts[i] : ends[i]].decode("ascii") for i in long_ones.tolist()])
    _, bounds = _per_text(texts, starts)
    return [hashes[bounds[i] : bounds[i + 1]] for i in range(len(texts))]


def token_spans(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Character ``(starts, ends)`` of the word tokens of a text (int64 arrays)."""
    matches = _token_pattern(text).finditer(text)
    flat = np.fromiter(chain.from_iterable(map(re.Match.span, matches)), dtype=np.int64)
    return flat[0::2], flat[1::2]


def _token_pattern(text: str) -> re.Pattern[str]:
    """The pattern that finds the tokens of ``text``: plain ``\\w+`` for ASCII (O(1) to tell)."""
    if text.isascii():
        return _WORD
    within_bmp, any_text = _mark_patterns()
    # re matches a class by bitmap inside the BMP but range by range beyond it, which would
    # double the cost of every word: only text with astral characters pays for that.
    return any_text if _ASTRAL.search(text) else within_bmp


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def _mark_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Token patterns of non-ASCII text, ``\\w`` then word characters or combining marks: one
    for text within the BMP, one for any text.

    Built on first use, with the running Python's Unicode version (the one ``\\w`` uses).
    """
    ranges = mark_ranges()
    bmp = "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges if hi < 0x10000)
    astral = "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges if hi >= 0x10000)
    return re.compile(rf"\w[\w{bmp}]*"), re.compile(rf"\w[\w{bmp}{astral}]*")


def _unicode_tokens(text: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Spans and folded words of a text that is not all ASCII, from one pass of the pattern."""
    matches = list(_token_pattern(text).finditer(text))
    if not matches:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, []
    flat = np.fromiter(chain.from_iterable(map(re.Match.span, matches)), dtype=np.int64)
    found = fold(_SEP.join(map(re.Match.group, matches))).split(_SEP)  # as in ``words``
    return flat[0::2], flat[1::2], found


# \w in a str pattern is "alphanumeric (str.isalnum) or underscore"; ASCII by table, other
# code points by asking Python once each, along with whether they are combining marks.
_ASCII_WORD = np.array([chr(c).isalnum() or c == ord("_") for c in range(128)], dtype=bool)
_OTHER, _WORD_CHAR, _MARK = 0, 1, 2
_KINDS: dict[int, int] = {}


def _kind(code: int) -> int:
    kind = _KINDS.get(code)
    if kind is None:
        ch = chr(code)
        kind = _WORD_CHAR if ch.isalnum() else _MARK if unicodedata.category(ch)[0] == "M" else _OTHER
        _KINDS[code] = kind
    return kind


def _in_token(codes: np.ndarray) -> np.ndarray:
    """Which code points belong to a token: word characters, and marks after one."""
    word = np.zeros(codes.shape[0], dtype=bool)
    ascii_ = codes < 128
    word[ascii_] = _ASCII_WORD[codes[ascii_]]
    if ascii_.all():
        return word
    high = ~ascii_
    distinct, inverse = np.unique(codes[high], return_inverse=True)
    kinds = np.array([_kind(int(c)) for c in distinct], dtype=np.int8)[inverse]
    word[high] = kinds == _WORD_CHAR
    if not (kinds == _MARK).any():
        return word
    mark = np.zeros(codes.shape[0], dtype=bool)
    mark[high] = kinds == _MARK
    # A mark is in a token when a word character comes after the last character that is
    # neither word nor mark: the running last positions of each decide it.
    at = np.arange(codes.shape[0])
    last_word = np.maximum.accumulate(np.where(word, at, -1))
    last_other = np.maximum.accumulate(np.where(word | mark, -1, at))
    return word | (mark & (last_word > last_other))


def batch_token_spans(texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``token_spans`` of many texts in one vectorised pass (the same spans, tested).

    The texts are joined by newlines (never part of a word) and tokens found from the edges
    of a word flag per character: for ASCII texts from their bytes (``_ascii_runs``), for the
    others from their code points, classified in numpy (``_in_token``).
    """
    return _ascii_apart(texts, _ascii_spans, _code_point_spans)


def _ascii_spans(texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    return _split(texts, *_ascii_runs("\n".join(texts).encode("ascii")))


def _code_point_spans(texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    # surrogatepass: a lone surrogate is a character like any other (not a word), not an error.
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    edges = np.diff(_in_token(codes).astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return _split(texts, np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))


def _ascii_runs(joined: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the runs of word bytes (``\\w``) in ASCII ``joined``: one flag a
    byte (``bytes.translate``), and where it changes, alternately a start and an end."""
    flags = np.frombuffer(b"\0" + joined.translate(_ASCII_WORD_BYTES) + b"\0", dtype=np.bool_)
    change = np.flatnonzero(flags[1:] != flags[:-1])
    return change[0::2], change[1::2]


def _per_text(texts: Sequence[str], starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For texts joined by one separator each: where each text starts in the join, and where
    its tokens start among ``starts`` (the sorted token starts of the join)."""
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts], out=offsets[1:])
    return offsets, np.searchsorted(starts, offsets)


def _split(texts: Sequence[str], starts: np.ndarray, ends: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The token spans of texts joined by one separator each, cut back into each text's own."""
    offsets, bounds = _per_text(texts, starts)
    return [
        (starts[bounds[i] : bounds[i + 1]] - offsets[i], ends[bounds[i] : bounds[i + 1]] - offsets[i])
        for i in range(len(texts))
    ]


def tokenize(doc: Document) -> TokenizedDoc:
    """Tokens of a document with their character spans into ``doc.text`` and their hashes."""
    if doc.text.isascii():
        starts, ends = token_spans(doc.text)
        found = words(doc.text)
    else:
        starts, ends, found = _unicode_tokens(doc.text)
    return TokenizedDoc(index=doc.index, starts=starts, ends=ends, hashes=token_hashes(found))


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
