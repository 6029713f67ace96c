"""The on-disk band store gives back, band by band, exactly what was added, and cleans up."""

from __future__ import annotations

import fcntl
import os
import signal
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


def _left(tmp_path: Path, name: str = "prov-bands-123-abcd1234", extra: str | None = None) -> Path:
    """A band store's folder as a killed run leaves it: its marker, which nobody locks, and band files."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / ".prov-scratch").write_text("somehost\n123\n", encoding="utf-8")
    (folder / "band0.0.u64").write_bytes(b"\0" * 64)
    if extra:
        (folder / extra).write_text("a user's file", encoding="utf-8")
    return folder


def test_a_store_left_by_a_killed_run_is_removed_by_the_next_store(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from provenance.sketch import BandStore; "
            "s = BandStore(1, 4, directory=sys.argv[1]); print(s._dir, flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    folder = Path(child.stdout.readline().strip())
    assert folder.name.startswith(f"prov-bands-{child.pid}-") and (folder / ".prov-scratch").is_file()
    with BandStore(1, n_docs=4, directory=tmp_path):
        assert folder.is_dir(), "a running store is left alone"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    left = _left(tmp_path)
    with BandStore(1, n_docs=4, directory=tmp_path) as store:
        store.add([batch(0, [1], [0])])
        assert not folder.exists() and not left.exists()
        marker = (store._dir / ".prov-scratch").read_text(encoding="utf-8")
        assert marker == f"{socket.gethostname()}\n{os.getpid()}\n"
    assert os.listdir(tmp_path) == []


def test_only_a_store_nobody_holds_and_that_holds_only_band_files_is_removed(tmp_path: Path) -> None:
    held = _left(tmp_path, "prov-bands-1-held0000")
    lock = os.open(held / ".prov-scratch", os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # its run goes on (in another container, say: a lock, not a pid)
    kept = [
        held,
        _left(tmp_path, "prov-bands-2-notes000", extra="notes.txt"),  # holds something prov does not write
        _left(tmp_path, "prov-bands-3-nomark00"),
        _left(tmp_path, "prov-bands-4-linked00"),
        _left(tmp_path, "prov-bands-5-fifo0000"),
        _left(tmp_path, "prov-bands-x-notpid00"),
    ]
    (kept[2] / ".prov-scratch").unlink()
    (kept[3] / ".prov-scratch").unlink()
    (kept[3] / ".prov-scratch").symlink_to(kept[1] / "notes.txt")  # a link is not a marker
    (kept[4] / ".prov-scratch").unlink()
    os.mkfifo(kept[4] / ".prov-scratch")  # read with O_NONBLOCK: the sweep never waits on it
    elsewhere = _left(tmp_path, "elsewhere")
    (tmp_path / "prov-bands-6-symlink0").symlink_to(elsewhere, target_is_directory=True)
    try:
        with BandStore(1, n_docs=4, directory=tmp_path):
            pass
    finally:
        os.close(lock)
    assert all(folder.is_dir() for folder in [*kept, elsewhere])
    assert sorted(os.listdir(tmp_path)) == sorted([*(f.name for f in kept), "elsewhere", "prov-bands-6-symlink0"])


def test_a_store_marked_by_a_running_process_of_this_host_is_left_even_unlocked(tmp_path: Path) -> None:
    """A prov from before the lock marked its store with host and pid but held no lock: while
    that process runs, its store is not taken for a killed run's."""
    alive = _left(tmp_path, f"prov-bands-{os.getppid()}-oldprov0")
    (alive / ".prov-scratch").write_text(f"{socket.gethostname()}\n{os.getppid()}\n", encoding="utf-8")
    with BandStore(1, n_docs=4, directory=tmp_path):
        pass
    assert alive.is_dir()
