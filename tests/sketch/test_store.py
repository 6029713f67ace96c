"""The on-disk band store gives back, band by band, exactly what was added, and cleans up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

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


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _left_by(tmp_path: Path, pid: int, host: str | None = None, extra: str | None = None) -> Path:
    """A band store's folder as process ``pid`` on ``host`` would leave it when killed."""
    folder = tmp_path / f"prov-bands-{pid}-{len(os.listdir(tmp_path)):08d}"
    folder.mkdir()
    (folder / ".prov-scratch").write_text(f"{host or socket.gethostname()}\n{pid}\n", encoding="utf-8")
    (folder / "band0.0.u64").write_bytes(b"\0" * 64)
    if extra:
        (folder / extra).write_text("a user's file", encoding="utf-8")
    return folder


def test_a_store_left_by_a_killed_process_is_removed_by_the_next_store(tmp_path: Path) -> None:
    dead = _left_by(tmp_path, _dead_pid())
    with BandStore(1, n_docs=4, directory=tmp_path) as store:
        store.add([batch(0, [1], [0])])
        assert not dead.exists()
        assert (store._dir / ".prov-scratch").read_text(encoding="utf-8") == f"{socket.gethostname()}\n{os.getpid()}\n"
        assert store._dir.name.startswith(f"prov-bands-{os.getpid()}-")
    assert os.listdir(tmp_path) == []


def test_only_a_dead_local_processs_own_store_is_removed(tmp_path: Path) -> None:
    pid = _dead_pid()
    kept = [
        _left_by(tmp_path, os.getppid()),  # its process still runs
        _left_by(tmp_path, os.getpid()),  # this process: a store of its own still open
        _left_by(tmp_path, pid, host="another-host"),  # another machine's pids share the folder
        _left_by(tmp_path, pid, extra="notes.txt"),  # holds something prov does not write
    ]
    unmarked = tmp_path / f"prov-bands-{_dead_pid()}-efgh5678"
    unmarked.mkdir()
    (unmarked / "band0.0.u64").write_bytes(b"")
    with BandStore(1, n_docs=4, directory=tmp_path):
        pass
    assert all(folder.is_dir() for folder in [*kept, unmarked])
    assert len(os.listdir(tmp_path)) == 5
