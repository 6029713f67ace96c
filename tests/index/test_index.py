"""The persistent index as a library: incremental adds, queries, deletion, compaction,
parameters and locking."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from provenance.config import DetectConfig, ScanConfig
from provenance.index import (
    IncompatibleIndexError,
    IndexBusyError,
    IndexStoreError,
    KeyParameters,
    add_documents,
    compact,
    delete_documents,
    open_index,
    query_index,
    resolve_detect,
)
from provenance.index.manifest import MANIFEST, SEGMENTS
from provenance.index.segments import segment_files
from provenance.index.store import write_lock
from provenance.pipeline import load
from provenance.records import BandKeys, Document

from .conftest import SEED_IDS, SEEDS, followup_text


def seed_docs() -> list[Document]:
    return load([SEEDS], ScanConfig())[0]


def followup() -> list[Document]:
    return [Document(0, "followup.txt", followup_text(), "test")]


def matched_ids(result) -> list[str]:
    return sorted({result.scan.documents[d].doc_id for al in result.scan.alignments for d in (al.doc_a, al.doc_b)})


@pytest.fixture
def index(tmp_path: Path) -> Path:
    root = tmp_path / "ix"
    add_documents(root, seed_docs(), DetectConfig())
    return root


def test_a_new_index_records_its_parameters_and_schema(index: Path) -> None:
    data = json.loads((index / MANIFEST).read_text())
    assert data["format"] == "prov-index" and data["schema_version"] == 3
    assert data["parameters"] == {
        "shingle_size": 3,
        "window_words": 8,
        "num_perm": 16,
        "seed": 1,
        "bands": 3,
        "rows": 5,
    }
    assert data["generation"] == 1 and data["counts"] == {"documents": 5, "deleted": 0, "segments": 1}
    mask = os.umask(0)
    os.umask(mask)
    assert (index / MANIFEST).stat().st_mode & 0o777 == 0o666 & ~mask  # readable like any file, not private


def test_an_add_writes_a_new_segment_and_leaves_the_existing_ones_untouched(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    docs = seed_docs()
    add_documents(root, docs[:3], DetectConfig())
    (first,) = open_index(root).manifest.segments
    files = segment_files(root, first.name)
    before = [(p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in files]
    result = add_documents(root, docs[3:], DetectConfig())
    assert result.added == 2
    assert [(p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in files] == before
    m = open_index(root).manifest
    assert [s.name for s in m.segments][0] == first.name and len(m.segments) == 2
    assert (m.segments[1].doc_min, m.segments[1].doc_max, m.next_doc, m.generation) == (3, 4, 5, 2)
    assert sorted(open_index(root).ids()) == SEED_IDS


def test_documents_already_indexed_are_skipped_or_replaced(index: Path) -> None:
    docs = seed_docs()
    assert add_documents(index, docs[:2], DetectConfig()).skipped_ids == tuple(SEED_IDS[:2])
    assert open_index(index).manifest.generation == 1  # nothing to add: no commit
    changed = Document(0, docs[0].doc_id, docs[0].text + "\nCorrection appended.", "test")
    result = add_documents(index, [changed], DetectConfig(), replace_existing=True)
    assert result.replaced_ids == (docs[0].doc_id,)
    snap = open_index(index)
    assert snap.manifest.documents == 5 and snap.manifest.tombstones == (0,)
    (doc,) = snap.documents([snap.ids()[docs[0].doc_id]])
    assert doc.text.endswith("Correction appended.")


def test_a_query_reports_the_reused_passages_with_spans_on_both_sides(index: Path) -> None:
    result = query_index(index, followup(), ScanConfig())
    scan = result.scan
    assert matched_ids(result) == [SEED_IDS[0], SEED_IDS[1], SEED_IDS[3], "followup.txt"]
    assert [d.doc_id for d in scan.documents[result.first_new :]] == ["followup.txt"]
    for al in scan.alignments:
        a, b = scan.documents[al.doc_a], scan.documents[al.doc_b]
        assert al.doc_b >= result.first_new  # every passage involves the new document
        if al.similarity == 1.0:
            assert a.text[al.a_start : al.a_end].lower() == b.text[al.b_start : al.b_end].lower()
    assert scan.counts["new_documents"] == 1 and scan.counts["index_documents"] == 5
    assert {o.agency for o in scan.origins} - {None}  # credits of the indexed copies name origins


def test_a_query_of_documents_unlike_anything_indexed_finds_nothing(index: Path) -> None:
    doc = Document(0, "weather", "Sunny spells and light winds are expected across the coast all week long.", "t")
    result = query_index(index, [doc], ScanConfig())
    assert result.scan.alignments == () and result.first_new == 0
    assert [d.doc_id for d in result.scan.documents] == ["weather"]


def test_deleted_documents_are_not_reported_and_compaction_purges_them(index: Path) -> None:
    deleted = delete_documents(index, [SEED_IDS[0], "no-such-id"])
    assert deleted.deleted == (SEED_IDS[0],) and deleted.missing == ("no-such-id",)
    assert SEED_IDS[0] not in matched_ids(query_index(index, followup(), ScanConfig()))
    old = open_index(index)
    done = compact(index)
    assert (done.segments_before, done.purged) == (1, 1)
    m = open_index(index).manifest
    assert (m.documents, m.tombstones, len(m.segments), m.retired) == (4, (), 1, (old.manifest.segments[0].name,))
    # A reader that opened the state before the compaction still reads its (retired) segments.
    assert SEED_IDS[0] not in matched_ids(query_index(old, followup(), ScanConfig()))
    assert SEED_IDS[1] in matched_ids(query_index(index, followup(), ScanConfig()))
    compact(index)  # the next compaction deletes the retired files
    assert not any(p.exists() for p in segment_files(index, old.manifest.segments[0].name))


def test_a_query_reopens_the_index_when_a_compaction_removed_its_segments(
    index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import provenance.index.query as query_module

    stale = open_index(index)
    compact(index)
    compact(index)  # stale's segments are gone now
    opened = iter([stale])
    real_open = query_module.open_index
    monkeypatch.setattr(query_module, "open_index", lambda root: next(opened, None) or real_open(root))
    result = query_index(index, followup(), ScanConfig())
    assert SEED_IDS[0] in matched_ids(result)


def test_other_key_parameters_are_refused_with_a_clear_message(index: Path) -> None:
    before = (index / MANIFEST).read_bytes()
    with pytest.raises(IncompatibleIndexError) as err:
        add_documents(index, followup(), DetectConfig(window_words=10, min_words=10, seed=2))
    assert str(err.value) == (
        f"{index}: index built with other sketching parameters: window_words 8 (given 10); seed 1 (given 2); "
        "omit those options to use the index's, or build a new index"
    )
    with pytest.raises(IncompatibleIndexError, match="num_perm 16 \\(given 32\\)"):
        query_index(index, followup(), ScanConfig(detect=DetectConfig(num_perm=32)))
    assert (index / MANIFEST).read_bytes() == before


def test_verification_parameters_may_change_between_queries(index: Path) -> None:
    loose = query_index(index, followup(), ScanConfig(detect=DetectConfig(min_words=8)))
    strict = query_index(index, followup(), ScanConfig(detect=DetectConfig(min_words=60)))
    assert len(strict.scan.alignments) < len(loose.scan.alignments)
    assert all(al.matched_words >= 60 for al in strict.scan.alignments)


def test_resolve_detect_takes_the_index_parameters_and_checks_given_ones(index: Path, tmp_path: Path) -> None:
    assert KeyParameters.from_detect(resolve_detect(index)) == open_index(index).parameters
    assert resolve_detect(index, seed=1).seed == 1
    with pytest.raises(IncompatibleIndexError, match="bands 3 \\(given 4\\); rows 5 \\(given 4\\)"):
        resolve_detect(index, bands=4, rows=4)
    with pytest.raises(IncompatibleIndexError):
        resolve_detect(index, threshold=0.3)  # a threshold that derives another banding
    fresh = resolve_detect(tmp_path / "new", window_words=12)
    assert (fresh.window_words, fresh.min_words) == (12, 12)


def test_an_index_of_another_schema_version_is_refused(index: Path) -> None:
    data = json.loads((index / MANIFEST).read_text())
    (index / MANIFEST).write_text(json.dumps({**data, "schema_version": 99}))
    with pytest.raises(IncompatibleIndexError, match="index schema version 99, but this prov reads version 3"):
        open_index(index)


def test_a_corrupt_manifest_is_an_error_not_a_crash(index: Path) -> None:
    (index / MANIFEST).write_text("{not json")
    with pytest.raises(IndexStoreError, match="corrupt manifest"):
        open_index(index)


def test_a_folder_that_is_no_index_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError, match="not a prov index \\(no such folder\\)"):
        open_index(tmp_path / "missing")
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("x")
    with pytest.raises(IndexStoreError, match="holds no prov index"):
        add_documents(other, followup(), DetectConfig())
    assert sorted(p.name for p in other.iterdir()) == ["todo.txt"]


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(index: Path) -> None:
    with write_lock(index):
        with pytest.raises(IndexBusyError, match="another process is writing to this index"):
            add_documents(index, followup(), DetectConfig())
        # readers take no lock
        assert SEED_IDS[0] in matched_ids(query_index(index, followup(), ScanConfig()))
    assert add_documents(index, followup(), DetectConfig()).added == 1


def test_an_add_that_fails_before_its_commit_leaves_the_previous_state(index: Path) -> None:
    before = (index / MANIFEST).read_bytes()

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        add_documents(index, followup(), DetectConfig(), before_commit=crash)
    assert (index / MANIFEST).read_bytes() == before
    snap = open_index(index)
    referenced = {p.name for s in snap.manifest.segments for p in segment_files(index, s.name)}
    assert len(list((index / SEGMENTS).iterdir())) > len(referenced)  # written, never committed
    assert add_documents(index, followup(), DetectConfig()).added == 1
    snap = open_index(index)
    referenced = {p.name for s in snap.manifest.segments for p in segment_files(index, s.name)}
    assert {p.name for p in (index / SEGMENTS).iterdir()} == referenced  # the leftovers are gone


def test_lookup_finds_every_indexed_entry_of_a_key(index: Path) -> None:
    snap = open_index(index)
    (info,) = snap.manifest.segments
    keys, docs = snap.segment_keys(info).band(0)
    assert np.all(keys[1:] >= keys[:-1])
    probe = np.unique(keys[:50])
    (found,) = snap.lookup([BandKeys(0, probe, np.zeros(probe.shape[0], dtype=np.int64))])
    expected = np.isin(keys, probe).sum()
    assert found.keys.shape[0] == expected and set(found.keys.tolist()) == set(probe.tolist())
