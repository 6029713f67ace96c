"""Candidate pairs from LSH buckets: all pairs in small buckets, chains in boilerplate ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.records import BandKeys
from provenance.sketch import candidate_pairs, lsh, pack_bands


def band(keys: list[int], docs: list[int], number: int = 0) -> BandKeys:
    return BandKeys(number, np.array(keys, dtype=np.uint64), np.array(docs, dtype=np.int64))


def test_small_buckets_yield_every_pair_once_with_hit_counts() -> None:
    bands = [band([7, 7, 7, 9], [0, 1, 2, 3], 0), band([5, 5], [0, 1], 1)]
    pairs, hits, acc = candidate_pairs(pack_bands(bands, 4), 4, max_bucket=10)
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 2]]
    assert hits.tolist() == [2, 1, 1]
    assert acc.boilerplate == []


def test_a_key_repeated_inside_one_document_makes_it_a_candidate_with_itself() -> None:
    pairs, _, _ = candidate_pairs(pack_bands([band([3, 4, 3], [5, 5, 5])], 6), 6, max_bucket=20)
    assert pairs.tolist() == [[5, 5]]


def test_oversized_buckets_are_chained_not_paired_and_reported() -> None:
    n = 50
    pairs, _, acc = candidate_pairs(pack_bands([band([1] * n, list(range(n)))], n), n, max_bucket=10)
    assert pairs.tolist() == [[i, i + 1] for i in range(n - 1)]  # linear, not n^2 / 2
    assert len(acc.boilerplate) == 1
    assert acc.boilerplate[0].size == n
    assert acc.dropped_pairs == n * (n - 1) // 2 - (n - 1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 30)), max_size=120),
    st.integers(2, 6),
    st.sampled_from([1, 2, 7, lsh._CHUNK]),
)
def test_candidates_equal_a_dictionary_of_buckets(entries: list[tuple[int, int]], max_bucket: int, chunk: int) -> None:
    """Whatever the chunk in which neighbouring keys are compared (``_same_next``)."""
    entries = sorted(entries, key=lambda e: e[1])  # documents ascending, as batches deliver them
    keys = [k << 8 for k, _ in entries]  # keys far above the packed document bits
    default, lsh._CHUNK = lsh._CHUNK, chunk
    try:
        pairs, _, acc = candidate_pairs(
            pack_bands([band(keys, [d for _, d in entries])], 31), 31, max_bucket=max_bucket
        )
    finally:
        lsh._CHUNK = default
    buckets: dict[int, list[int]] = {}
    for k, d in zip(keys, (d for _, d in entries), strict=True):
        buckets.setdefault(k, []).append(d)
    expected = set()
    for docs in buckets.values():
        if len(docs) != len(set(docs)):
            expected |= {(d, d) for d in docs if docs.count(d) > 1}
        distinct = sorted(set(docs))
        if len(distinct) > max_bucket:
            expected |= set(zip(distinct, distinct[1:], strict=False))
        else:
            expected |= {(a, b) for i, a in enumerate(distinct) for b in distinct[i + 1 :]}
    assert {tuple(p) for p in pairs.tolist()} == expected
    assert len(acc.boilerplate) == sum(len(set(d)) > max_bucket for d in buckets.values())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 20)), max_size=60), min_size=1, max_size=3),
    st.sampled_from([1, 2, 5]),
)
def test_folding_raw_codes_early_changes_neither_pairs_nor_hits(
    bands: list[list[tuple[int, int]]], fold_at: int
) -> None:
    """Pairs meet once per (band, bucket); folding those meetings into counts every few codes
    (``PairCounts.add``) must give the hits of counting them all at the end."""

    def run() -> tuple[list, list]:
        pieces = []
        for b, entries in enumerate(bands):
            entries = sorted(entries, key=lambda e: e[1])
            pieces.append(
                BandKeys(
                    b,
                    np.array([k << 8 for k, _ in entries], dtype=np.uint64),
                    np.array([d for _, d in entries], dtype=np.int64),
                )
            )
        pairs, hits, _ = candidate_pairs(pack_bands(pieces, 21), 21, max_bucket=4)
        return pairs.tolist(), hits.tolist()

    expected = run()
    default, lsh._FOLD_AT = lsh._FOLD_AT, fold_at
    try:
        assert run() == expected
    finally:
        lsh._FOLD_AT = default
