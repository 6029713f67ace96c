"""The on-disk band store gives back, band by band, exactly what was added, and cleans up."""

from __future__ import annotations

import numpy as np
import pytest

from provenance.records import BandKeys
from provenance.sketch import BandStore, candidate_pairs, merge_bands, pack_bands


def batch(band: int, keys: list[int], docs: list[int]) -> BandKeys:
    return BandKeys(band, np.array(keys, dtype=np.uint64), np.array(docs, dtype=np.int64))


def test_store_yields_each_band_once_with_batches_in_order_and_removes_its_files() -> None:
    batches = [
        [batch(0, [5, 2**63 + 7], [0, 1]), batch(1, [9], [1])],
        [batch(0, [5], [2]), batch(1, [], [])],
    ]
    with BandStore(2, n_docs=4) as store:  # two bits hold the document
        for b in batches:
            store.add(b)
        got = list(store)
        folder = store._dir
        assert folder.exists()
    assert not folder.exists()
    assert [g.band for g in got] == [0, 1]
    assert sorted(got[0].packed.tolist()) == sorted([4 | 0, (2**63 + 4) | 1, 4 | 2])
    assert got[1].packed.tolist() == [8 | 1]


def test_a_key_repeated_inside_a_document_is_kept_once_and_reported() -> None:
    with BandStore(1, n_docs=8) as store:
        store.add([batch(0, [16, 24, 16], [3, 3, 3])])
        (band,) = list(store)
    assert sorted(band.packed.tolist()) == [16 | 3, 24 | 3]
    assert band.internal.tolist() == [3]


def test_candidates_from_the_store_equal_candidates_from_memory() -> None:
    rng = np.random.default_rng(3)
    batches = [
        [
            batch(t, rng.integers(0, 40, 30).tolist(), sorted(rng.integers(10 * i, 10 * i + 10, 30).tolist()))
            for t in range(3)
        ]
        for i in range(4)
    ]
    flat = [bk for b in batches for bk in b]
    in_memory = candidate_pairs(pack_bands(flat, 40), 40, max_bucket=20)
    with BandStore(3, n_docs=40) as store:
        for b in batches:
            store.add(b)
        spilled = candidate_pairs(store, 40, max_bucket=20)
    assert in_memory[0].tolist() == spilled[0].tolist() and in_memory[1].tolist() == spilled[1].tolist()
    assert len(merge_bands(batches)) == 3


def test_key_ranges_split_a_band_without_changing_its_candidates() -> None:
    rng = np.random.default_rng(5)
    n_docs = 60

    def keys(band: int) -> list[int]:
        small = rng.integers(0, 50, 40).astype(np.uint64)
        if band == 0:
            return small.tolist()  # few high bits, as with one row a band
        with np.errstate(over="ignore"):
            return (small * np.uint64(0x9E3779B97F4A7C15)).tolist()  # spread over all 64 bits

    batches = [
        [batch(t, keys(t), sorted(rng.integers(15 * i, 15 * i + 15, 40).tolist())) for t in range(2)] for i in range(4)
    ]
    results = []
    for ranges in (1, 2, 8):
        with BandStore(2, n_docs=n_docs, ranges=ranges) as store:
            for b in batches:
                store.add(b)
            parts = list(store)
            assert len(parts) == 2 * ranges
            for band in (0, 1):
                mine = [p for p in parts if p.band == band]
                assert sum(p.internal.shape[0] > 0 for p in mine) <= 1  # internal repeats counted once
                keys = np.concatenate([p.packed for p in mine])
                assert np.unique(keys).shape[0] == keys.shape[0]  # each key in one range only
            pairs, hits, _ = candidate_pairs(iter(parts), n_docs, max_bucket=5)
        results.append((pairs.tolist(), hits.tolist()))
    assert results[0] == results[1] == results[2]
    assert results[0][0]  # the corpus does have candidates


def test_key_ranges_grow_with_the_corpus() -> None:
    from provenance.sketch.store import key_ranges

    assert key_ranges(5) == 1
    assert key_ranges(19_043) == 1
    assert key_ranges(1_000_000) == 16
    assert key_ranges(10**9) == 64
    with pytest.raises(ValueError):
        BandStore(1, n_docs=4, ranges=3)
