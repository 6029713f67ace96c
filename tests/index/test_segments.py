"""Segments written a batch at a time: an add or a compaction holds only keys (or one key range),
and writes the same files as when everything was held at once."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.config import DetectConfig
from provenance.index import add_documents, compact, delete_documents, open_index
from provenance.index import segments as segments_module
from provenance.index import store as store_module
from provenance.index.segments import segment_files
from provenance.records import Document

from .conftest import SEEDS


def paragraphs() -> list[Document]:
    """Every paragraph of the seed articles as a document: about 60, sharing some text."""
    texts = [p for path in sorted(SEEDS.glob("*.txt")) for p in path.read_text(encoding="utf-8").split("\n\n")]
    texts = [t for t in texts if len(t.split()) >= 8]
    return [Document(i, f"p{i:03d}", t, "test", outlet=f"o{i % 3}") for i, t in enumerate(texts * 2)]


def contents(root: Path) -> tuple[list[dict], list[list[tuple[int, int]]]]:
    """Every document row, and per band every (key, document) in file order, over the segments."""
    snapshot = open_index(root)
    rows: list[dict] = []
    bands: list[list[tuple[int, int]]] = [[] for _ in range(snapshot.manifest.parameters.bands)]
    for info in snapshot.manifest.segments:
        rows.extend(pq.read_table(segment_files(root, info.name)[0]).to_pylist())
        keys = snapshot.segment_keys(info)
        for band in range(keys.bands):
            k, d = keys.band(band)
            pairs = list(zip(k.tolist(), d.tolist(), strict=True))
            assert pairs == sorted(pairs), "a band is sorted by key, then document"
            bands[band].extend(pairs)
    return rows, [sorted(b) for b in bands]


def test_an_add_in_small_batches_segments_and_workers_writes_what_one_batch_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = paragraphs()
    add_documents(tmp_path / "whole", docs, DetectConfig())
    monkeypatch.setattr(segments_module, "DOCS_ROW_GROUP", 4)
    monkeypatch.setattr(store_module, "RANGE_DOCS", 4)  # 8 key ranges a band: 8 files sorted apart
    add_documents(tmp_path / "steps", docs, DetectConfig(), batch_docs=7, segment_docs=30, workers=2)
    assert len(open_index(tmp_path / "steps").manifest.segments) == -(-len(docs) // 30)
    whole, steps = contents(tmp_path / "whole"), contents(tmp_path / "steps")
    assert steps == whole and len(whole[0]) == len(docs) and all(whole[1])
    assert sorted(os.listdir(tmp_path / "steps" / "segments")) == sorted(
        p.name
        for info in open_index(tmp_path / "steps").manifest.segments
        for p in segment_files(tmp_path / "steps", info.name)
    ), "no scratch left"
    for info in open_index(tmp_path / "steps").manifest.segments:
        groups = pq.ParquetFile(segment_files(tmp_path / "steps", info.name)[0]).metadata
        sizes = [groups.row_group(g).num_rows for g in range(groups.num_row_groups)]
        assert sizes[:-1] == [4] * (len(sizes) - 1) and 0 < sizes[-1] <= 4, "whole row groups, but the last"


def test_a_compaction_a_key_range_at_a_time_writes_what_one_at_once_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = paragraphs()
    for name in ("whole", "ranges"):
        root = tmp_path / name
        for lo in range(0, len(docs), 25):
            add_documents(root, docs[lo : lo + 25], DetectConfig())
        delete_documents(root, [d.doc_id for d in docs[3:60:4]])
    compact(tmp_path / "whole")
    monkeypatch.setattr(store_module, "MERGE_KEYS", 50)  # dozens of key ranges a band
    compact(tmp_path / "ranges")
    whole, ranges = (
        pa.ipc.open_file(pa.memory_map(str(segment_files(tmp_path / n, _only(tmp_path / n))[1]))).read_all()
        for n in ("whole", "ranges")
    )
    assert ranges.equals(whole) and ranges.num_rows > 1000
    assert ranges.schema.metadata == whole.schema.metadata  # the bands' offsets
    rows, bands = contents(tmp_path / "ranges")
    deleted = {d.doc_id for d in docs[3:60:4]}
    assert [r["doc_id"] for r in rows] == [d.doc_id for d in docs if d.doc_id not in deleted]
    live = {r["doc"] for r in rows}
    assert all(doc in live for band in bands for _, doc in band), "deleted documents' keys are gone"


def _only(root: Path) -> str:
    (info,) = open_index(root).manifest.segments
    return info.name


def test_documents_too_short_for_a_window_make_a_segment_with_empty_bands(tmp_path: Path) -> None:
    add_documents(tmp_path / "ix", [Document(0, "tiny", "too short", "test")], DetectConfig())
    rows, bands = contents(tmp_path / "ix")
    assert [r["doc_id"] for r in rows] == ["tiny"] and bands == [[]] * len(bands)


def test_the_keys_order_is_a_stable_sort_by_key_of_rows_in_document_order() -> None:
    import numpy as np

    from provenance.index.segments import key_order

    rng = np.random.default_rng(7)
    for n, distinct in ((0, 1), (1, 1), (1000, 3), (5000, 4000), (20000, 2**64 - 1)):
        keys = rng.integers(0, distinct, n, dtype=np.uint64)
        docs = np.sort(rng.integers(0, max(n // 3, 1), n)).astype(np.uint32)  # rows come in document order
        stable = np.argsort(keys, kind="stable")
        order = key_order(keys, docs)
        assert np.array_equal(keys[order], keys[stable]) and np.array_equal(docs[order], docs[stable])
        assert np.array_equal(np.sort(order), np.arange(n))


def test_an_add_that_fails_part_way_leaves_the_index_and_no_scratch(tmp_path: Path) -> None:
    """A document that cannot be read (a failing disk, say) stops the add: the index is as it
    was, and nothing the add wrote is left in it."""
    docs = paragraphs()
    root = tmp_path / "ix"
    add_documents(root, docs[:10], DetectConfig())
    before = sorted(os.listdir(root / "segments"))

    class Failing(list):
        def __getitem__(self, i):  # the 50th document read fails
            if isinstance(i, int) and i == 49:
                raise OSError("read error")
            return super().__getitem__(i)

    with pytest.raises(Exception, match="read error"):
        add_documents(root, Failing(docs[10:]), DetectConfig(), batch_docs=7)
    assert sorted(os.listdir(root / "segments")) == before
    assert open_index(root).manifest.documents == 10


def _resident_kb(path: Path) -> int:
    """Resident kilobytes of this process's mappings of ``path`` (Linux's /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if line[:1].isdigit() or line[:1] in "abcdef":  # a mapping's header line
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux's /proc/self/smaps")
def test_a_segments_keys_read_through_are_let_go_of(tmp_path: Path) -> None:
    """A compaction reads every key of every segment: each key range's pages are let go after
    it (``SegmentKeys.release``), or a million documents' keys (5 GB) stayed resident."""
    many = [dataclasses.replace(d, doc_id=f"{d.doc_id}-{k}") for k in range(20) for d in paragraphs()]
    add_documents(tmp_path / "ix", many, DetectConfig())
    snapshot = open_index(tmp_path / "ix")
    (info,) = snapshot.manifest.segments
    path = segment_files(tmp_path / "ix", info.name)[1]
    keys = snapshot.segment_keys(info)
    assert int(keys.keys.sum() % 7) >= 0 and int(keys.docs.sum()) > 0  # every page read
    assert _resident_kb(path) >= path.stat().st_size // 1024 // 2
    keys.release()
    assert _resident_kb(path) == 0
    assert keys.band(0)[0].shape[0] > 0 and keys.lookup(0, keys.band(0)[0][:3])[0].shape[0] >= 3  # read again


def test_an_add_past_two_to_the_32_documents_is_refused(tmp_path: Path) -> None:
    """Keys files hold document numbers in 32 bits: an add that would number past them is a
    clear error, and the index is left as it was."""
    import json

    from provenance.index import IndexStoreError

    root = tmp_path / "ix"
    add_documents(root, paragraphs()[:3], DetectConfig())
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["next_doc"] = (1 << 32) - 2
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexStoreError, match="2\\*\\*32"):
        add_documents(root, paragraphs()[3:6], DetectConfig())
    assert open_index(root).manifest.documents == 3
