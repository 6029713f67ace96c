"""XXH3-64 (seed 0) of many short byte strings at once, vectorised with numpy.

The token hashes of the whole project are ``xxhash.xxh3_64_intdigest`` of each folded word
(stable across processes, which the persistent index and the Spark engine rely on). Asking
Python for them one word at a time costs more than everything else in tokenizing: here the
strings of 1 to 16 bytes, nearly every word of news text, are hashed together from a byte
buffer and their offsets, following the reference implementation's short-input paths
(``XXH3_len_1to3_64b``, ``XXH3_len_4to8_64b``, ``XXH3_len_9to16_64b`` in xxhash.h); longer
strings are left to the caller. tests/passages/test_xxh3.py checks every length against the
xxhash package.
"""

from __future__ import annotations

import numpy as np

# The first 64 bytes of XXH3's default secret (``XXH3_kSecret``); inputs of 16 bytes or fewer
# read no further than byte 56.
_SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1c"
    "ded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221"
    "b8084674f743248ee03590e6813a264c"
)
MAX_LEN = 16
"""The longest input hashed here."""

_U64 = np.uint64

_PRIME64_2 = _U64(0xC2B2AE3D27D4EB4F)
_PRIME64_3 = _U64(0x165667B19E3779F9)
_PRIME_MX1 = _U64(0x165667919E3779F9)
_PRIME_MX2 = _U64(0x9FB21C651E98DF25)
_LOW32 = _U64(0xFFFFFFFF)


def _le(offset: int, width: int) -> np.uint64:
    return _U64(int.from_bytes(_SECRET[offset : offset + width], "little"))


_BITFLIP_1TO3 = _U64(int(_le(0, 4)) ^ int(_le(4, 4)))
_BITFLIP_4TO8 = _U64(int(_le(8, 8)) ^ int(_le(16, 8)))
_BITFLIP_9TO16_LO = _U64(int(_le(24, 8)) ^ int(_le(32, 8)))
_BITFLIP_9TO16_HI = _U64(int(_le(40, 8)) ^ int(_le(48, 8)))


def _s(n: int) -> np.uint64:
    return _U64(n)


# The mixers below work in place on arrays they own, which halves numpy's allocations.


def _xxh64_avalanche(h: np.ndarray) -> np.ndarray:
    h ^= h >> _s(33)
    h *= _PRIME64_2
    h ^= h >> _s(29)
    h *= _PRIME64_3
    h ^= h >> _s(32)
    return h


def _xxh3_avalanche(h: np.ndarray) -> np.ndarray:
    h ^= h >> _s(37)
    h *= _PRIME_MX1
    h ^= h >> _s(32)
    return h


def _rrmxmx(h: np.ndarray, length: np.ndarray) -> np.ndarray:
    h ^= ((h << _s(49)) | (h >> _s(15))) ^ ((h << _s(24)) | (h >> _s(40)))  # two rotations
    h *= _PRIME_MX2
    h ^= (h >> _s(35)) + length
    h *= _PRIME_MX2
    h ^= h >> _s(28)
    return h


def _mul128_fold64(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The low and high halves of the 128-bit product ``a * b``, xored (from 32-bit halves)."""
    a0, a1 = a & _LOW32, a >> _s(32)
    b0, b1 = b & _LOW32, b >> _s(32)
    p00, p01, p10 = a0 * b0, a0 * b1, a1 * b0
    a1 *= b1  # p11
    mid = p00 >> _s(32)
    mid += p01 & _LOW32
    mid += p10 & _LOW32
    p00 &= _LOW32
    p00 |= mid << _s(32)  # the low half
    a1 += p01 >> _s(32)
    a1 += p10 >> _s(32)
    a1 += mid >> _s(32)  # the high half
    p00 ^= a1
    return p00


def words_at(data: np.ndarray) -> np.ndarray:
    """The little-endian uint64 starting at every byte of ``data`` (uint8; zeros past its end):
    a strided view of a padded copy, so only the words read are ever assembled."""
    padded = np.zeros(data.shape[0] + 8, dtype=np.uint8)
    padded[: data.shape[0]] = data
    return np.ndarray((data.shape[0],), dtype="<u8", buffer=padded, strides=(1,))


def xxh3_64_short(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``xxh3_64`` of the strings ``data[starts[i] : starts[i] + lengths[i]]`` (``data`` uint8),
    each 1 to ``MAX_LEN`` bytes long: uint64, one a string."""
    words = words_at(data)
    out = np.empty(starts.shape[0], dtype=np.uint64)

    at = np.flatnonzero(lengths <= 3)
    if at.shape[0]:
        s, n = starts[at], lengths[at]
        h = data[s].astype(np.uint64) << _s(16)
        h |= data[s + (n >> 1)].astype(np.uint64) << _s(24)
        h |= data[s + n - 1].astype(np.uint64)
        h |= n.astype(np.uint64) << _s(8)
        h ^= _BITFLIP_1TO3
        out[at] = _xxh64_avalanche(h)

    at = np.flatnonzero((lengths >= 4) & (lengths <= 8))
    if at.shape[0]:
        s, n = starts[at], lengths[at]
        h = words[s] << _s(32)  # the first four bytes, high
        h += words[s + n - 4] & _LOW32  # the last four, low
        h ^= _BITFLIP_4TO8
        out[at] = _rrmxmx(h, n.astype(np.uint64))

    at = np.flatnonzero(lengths >= 9)
    if at.shape[0]:
        s, n = starts[at], lengths[at]
        lo = words[s] ^ _BITFLIP_9TO16_LO
        hi = words[s + n - 8] ^ _BITFLIP_9TO16_HI
        acc = n.astype(np.uint64)
        acc += lo.byteswap()
        acc += hi
        acc += _mul128_fold64(lo, hi)
        out[at] = _xxh3_avalanche(acc)
    return out
