"""The array idioms the stages share, against their plain Python meaning."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from provenance.arrays import ranks, slices, spread

ranges = st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 6)), max_size=30)


@given(ranges)
def test_spread_is_every_index_of_each_range_in_turn(pairs) -> None:
    lo, counts = (
        (np.array(column, dtype=np.int64) for column in zip(*pairs, strict=True))
        if pairs
        else (np.empty(0, np.int64),) * 2
    )
    assert spread(lo, counts).tolist() == [i for start, n in pairs for i in range(start, start + n)]


@given(st.lists(st.integers(0, 9), max_size=40), st.integers(1, 12))
def test_slices_cover_every_position_once_and_stay_near_the_bound(counts, at_once: int) -> None:
    got = slices(np.array(counts, dtype=np.int64), at_once)
    assert [i for lo, hi in got for i in range(lo, hi)] == list(range(len(counts)))
    for lo, hi in got:  # a slice holds more than the bound only by its last position's count
        assert sum(counts[lo:hi]) <= at_once + (max(counts[lo:hi]) if hi > lo else 0)


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=40))
def test_ranks_count_the_earlier_rows_of_the_same_key(keys: list[tuple[int, int]]) -> None:
    got = ranks(np.array(keys, dtype=np.int64).reshape(-1, 2)).tolist()
    assert got == [keys[:i].count(k) for i, k in enumerate(keys)]
