"""The on-disk band store gives back, band by band, exactly what was added, and cleans up."""

from __future__ import annotations

import numpy as np

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
