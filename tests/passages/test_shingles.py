"""Shingle indexes: dropping the shingles no other place shares."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.passages import drop_unshared, shingles
from provenance.records import Document, ShingleIndex


def index_of(rows: list[list[int]]) -> ShingleIndex:
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    hashes = np.array([h for r in rows for h in sorted(r)], dtype=np.uint32)
    positions = np.array([p for r in rows for p in range(len(r))], dtype=np.int32)
    return ShingleIndex(np.arange(len(rows), dtype=np.int64), offsets, hashes, positions, True)


# Hashes from a small pool (so some repeat) spread over the whole 32-bit range (so every hash
# range of a partitioned pass gets some), and the edges of those ranges.
EDGES = [0, (1 << 30) - 1, 1 << 30, (1 << 31) - 1, 1 << 31, (1 << 32) - 1]
HASHES = st.integers(0, 40).map(lambda i: (i * 104_729_723) % (1 << 32)) | st.sampled_from(EDGES)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(HASHES, max_size=12), max_size=10), st.sampled_from([1, 2, 4, 1 << 24]))
def test_only_shingles_whose_hash_occurs_once_are_dropped(rows: list[list[int]], part: int) -> None:
    """Row by row, exactly the entries whose hash occurs twice or more in the index stay, in
    their order, with their positions; whatever the size of the hash ranges marked at once."""
    index = index_of(rows)
    default, shingles._PART = shingles._PART, part
    try:
        pruned = drop_unshared(index_of(rows))  # consumes its argument
    finally:
        shingles._PART = default
    counts = Counter(index.hashes.tolist())
    for r in range(len(rows)):
        lo, hi = index.offsets[r], index.offsets[r + 1]
        keep = [counts[h] > 1 for h in index.hashes[lo:hi].tolist()]
        plo, phi = pruned.offsets[r], pruned.offsets[r + 1]
        assert pruned.hashes[plo:phi].tolist() == [
            h for h, k in zip(index.hashes[lo:hi].tolist(), keep, strict=True) if k
        ]
        assert pruned.positions[plo:phi].tolist() == [
            p for p, k in zip(index.positions[lo:hi].tolist(), keep, strict=True) if k
        ]
    assert pruned.docs.tolist() == index.docs.tolist()
    assert pruned.sorted_by_hash


@pytest.mark.parametrize("trim_every", [1, 1 << 27])
def test_concat_joins_batches_as_one_index_and_empties_them(monkeypatch: pytest.MonkeyPatch, trim_every: int) -> None:
    texts = ["one two three four five", "", "six seven eight", "one two three nine ten eleven", "a b"]
    docs = [Document(index=i, doc_id=str(i), text=t, source="s") for i, t in enumerate(texts)]
    whole = shingles.shingle_index(docs, 3)
    parts = [shingles.shingle_index(docs[lo:hi], 3) for lo, hi in ((0, 2), (2, 3), (3, 5))]
    monkeypatch.setattr(shingles, "_TRIM_EVERY", trim_every)
    joined = shingles.concat(parts)
    assert parts == []
    for name in ("docs", "offsets", "hashes", "positions"):
        assert getattr(joined, name).tolist() == getattr(whole, name).tolist(), name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(HASHES, max_size=12), max_size=10), st.sampled_from([0, 1 << 20, (1 << 31) - 20]))
def test_sort_by_hash_orders_each_row_by_hash_then_position(rows: list[list[int]], first_position: int) -> None:
    """Rows in text order come back sorted by (hash, position) within each row, hashes and
    positions kept together, at any position an int32 holds."""
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    hashes = np.array([h for r in rows for h in r], dtype=np.uint32)
    positions = np.array([first_position + p for r in rows for p in range(len(r))], dtype=np.int32)
    index = ShingleIndex(np.arange(len(rows), dtype=np.int64), offsets, hashes, positions, False)
    got = shingles.sort_by_hash(index)
    assert got.sorted_by_hash and got.offsets.tolist() == offsets.tolist()
    for r in range(len(rows)):
        lo, hi = offsets[r], offsets[r + 1]
        expected = sorted(zip(hashes[lo:hi].tolist(), positions[lo:hi].tolist(), strict=True))
        assert list(zip(got.hashes[lo:hi].tolist(), got.positions[lo:hi].tolist(), strict=True)) == expected
    assert got.hashes.dtype == np.uint32 and got.positions.dtype == np.int32
