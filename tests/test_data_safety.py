"""prov never deletes or rewrites what it did not create, and never reads its own output back.

Every case runs the CLI in a temporary folder and checks the user's files byte for byte
afterwards (issue 10, "Data loss").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from provenance.ownership import PARTIAL_MARKER

SEEDS = Path(__file__).parent.parent / "seeds"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too), by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("prov: error:"), result.output
    return lines[0]


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return folder


def doc_ids(report: Path) -> list[str]:
    return pq.read_table(report / "documents.parquet").column("doc_id").to_pylist()


def skipped(report: Path) -> dict[str, str]:
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    return {s["source"]: s["reason"] for s in manifest["skipped"]}


# --force never replaces an input, an index, or a folder with files prov did not write


def test_force_never_deletes_an_input_that_holds_a_manifest(runner, corpus: Path) -> None:
    (corpus / "manifest.json").write_text("{}", encoding="utf-8")
    before = tree(corpus)
    result = runner("scan", corpus, "--out", corpus, "--force")
    assert result.exit_code != 0
    assert "--out is inside the input" in one_line_error(result)
    assert tree(corpus) == before


def test_force_never_replaces_a_folder_whose_manifest_is_not_a_reports(runner, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "manifest.json").write_text('{"my": "catalogue"}', encoding="utf-8")
    (out / "catalogue.csv").write_text("a,b\n", encoding="utf-8")
    before = tree(out)
    result = runner("scan", corpus, "--out", out, "--force")
    assert "is not a prov report's" in one_line_error(result)
    assert tree(out) == before


def test_a_manifest_that_is_not_an_object_is_a_one_line_error(runner, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("[]", encoding="utf-8")
    result = runner("scan", corpus, "--out", out, "--force")
    assert result.exit_code == 1
    one_line_error(result)
    assert tree(out) == {"manifest.json": b"[]"}


def test_query_never_replaces_the_index_even_with_force(runner, corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert runner("index", "add", corpus, "--index", index, "-q").exit_code == 0
    before = tree(index)
    query = tmp_path / "q.txt"
    query.write_text((corpus / sorted(os.listdir(corpus))[0]).read_text(encoding="utf-8"), encoding="utf-8")
    result = runner("query", query, "--index", index, "--out", index, "--force")
    assert "is a prov index" in one_line_error(result)
    assert tree(index) == before


def test_an_input_inside_out_is_refused(runner, tmp_path: Path, corpus: Path) -> None:
    before = tree(tmp_path)
    result = runner("scan", corpus, "--out", tmp_path, "--force")
    assert "is inside --out" in one_line_error(result)
    assert tree(tmp_path) == before


def test_a_file_input_as_out_is_refused(runner, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "text": "Trains returned to the valley line."}) + "\n", encoding="utf-8")
    result = runner("scan", feed, "--out", feed, "--force")
    assert "--out is inside the input" in one_line_error(result)
    assert feed.read_text(encoding="utf-8").startswith('{"id": "a"')


def test_out_through_a_symlink_to_another_filesystem_writes_the_target(runner, corpus: Path, tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on another filesystem")
    target = Path(shutil.os.path.realpath(shm)) / f"prov-test-{os.getpid()}-{tmp_path.name}"
    try:
        link = tmp_path / "report"
        link.symlink_to(target, target_is_directory=True)
        for _ in range(2):  # a new report, then the same run replacing it
            result = runner("scan", corpus, "--out", link, "-q")
            assert result.exit_code == 0, result.output
        assert link.is_symlink()
        assert len(doc_ids(target)) == 5
    finally:
        shutil.rmtree(target, ignore_errors=True)


# prov's own output inside an input is never read back


def test_a_report_inside_an_input_folder_is_left_out(runner, corpus: Path, tmp_path: Path) -> None:
    assert runner("scan", SEEDS, "--out", corpus / "old-report", "-q").exit_code == 0
    result = runner("scan", corpus, "--out", tmp_path / "report", "-q")
    assert result.exit_code == 0, result.output
    assert len(doc_ids(tmp_path / "report")) == 5
    assert skipped(tmp_path / "report") == {str(corpus / "old-report"): "a prov report, not read as input"}


def test_leftover_temporary_and_hidden_folders_inside_an_input_are_not_read(runner, corpus: Path, tmp_path) -> None:
    assert runner("scan", SEEDS, "--out", tmp_path / "r1", "-q").exit_code == 0
    shutil.copytree(tmp_path / "r1", corpus / ".prov-report.partial-12345")
    (corpus / ".prov-report.partial-12345" / "manifest.json").unlink()  # killed before its manifest
    (corpus / ".git").mkdir()
    (corpus / ".git" / "COMMIT_EDITMSG.txt").write_text("a commit message, not an article", encoding="utf-8")
    assert runner("scan", corpus, "--out", tmp_path / "r2", "-q").exit_code == 0
    assert len(doc_ids(tmp_path / "r2")) == 5


def test_an_index_inside_an_input_folder_is_not_read_back(runner, corpus: Path) -> None:
    for _ in range(3):
        result = runner("index", "add", corpus, "--index", corpus / "ix", "-q")
        assert result.exit_code == 0, result.output
    manifest = json.loads((corpus / "ix" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents"] == 5


# Swap windows and leftovers


def test_a_report_left_aside_by_a_kill_mid_swap_is_restored(runner, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert runner("scan", corpus, "--out", out, "-q").exit_code == 0
    before = tree(out)
    dead_pid = 2**22 + 12345  # above pid_max: no such process
    aside = tmp_path / f".report.old-{dead_pid}"
    out.rename(aside)  # what a kill between the swap's two renames leaves
    result = runner("scan", corpus, "--out", out, "--min-words", "12")
    assert "restored the report an interrupted run left" in result.output
    assert "holds the report of a different run" in result.output  # and it is protected again
    assert tree(out) == before
    assert not aside.exists()


def test_a_superseded_report_whose_removal_was_killed_is_finished_never_restored(
    runner, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    assert runner("scan", corpus, "--out", out, "-q").exit_code == 0
    dead_pid = 2**22 + 12345  # above pid_max: no such process
    half = tmp_path / f".report.gone-{dead_pid}"  # a removal killed part way: manifest still there
    shutil.copytree(out, half)
    shutil.rmtree(half / "html")
    (half / "passages.parquet").unlink()
    empty = tmp_path / f".report.gone-{dead_pid + 1}"  # killed after the manifest went
    empty.mkdir()
    stranger = tmp_path / f".report.gone-{dead_pid + 2}"  # not provably prov's
    stranger.mkdir()
    (stranger / "keep.txt").write_text("not prov's", encoding="utf-8")
    before = tree(out)
    shutil.rmtree(out)  # even with the report missing, a .gone folder is never put back
    assert runner("scan", corpus, "--out", out, "-q").exit_code == 0
    assert not half.exists() and not empty.exists()
    assert tree(stranger) == {"keep.txt": b"not prov's"}
    assert set(tree(out)) == set(before)


def test_partial_folders_of_dead_runs_are_removed_and_unmarked_ones_named(runner, corpus: Path, tmp_path) -> None:
    dead = tmp_path / ".report.partial-dead"
    dead.mkdir()
    (dead / PARTIAL_MARKER).write_text(f"{2**22 + 7}\n", encoding="ascii")
    (dead / "documents.parquet").write_bytes(b"half")
    stranger = tmp_path / ".report.partial-mine"
    stranger.mkdir()
    (stranger / "keep.txt").write_text("not prov's", encoding="utf-8")
    result = runner("scan", corpus, "--out", tmp_path / "report")
    assert result.exit_code == 0, result.output
    assert not dead.exists()
    assert tree(stranger) == {"keep.txt": b"not prov's"}
    assert "not provably prov's; not removed" in result.output


def test_a_partial_folder_is_removed_only_once_every_process_it_records_has_ended(
    runner, corpus: Path, tmp_path
) -> None:
    """A killed run's report child records itself under its parent: while it may still write,
    the folder stays; once both are gone, the next run removes it."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        partial = tmp_path / ".report.partial-killed"
        partial.mkdir()
        (partial / PARTIAL_MARKER).write_text(f"{2**22 + 7}\n{child.pid}\n", encoding="ascii")
        assert runner("scan", corpus, "--out", tmp_path / "report").exit_code == 0
        assert partial.exists()  # the dead parent's child still runs
    finally:
        child.kill()
        child.wait()
    assert runner("scan", corpus, "--out", tmp_path / "report", "--force").exit_code == 0
    assert not partial.exists()


# The index deletes only what it created and recorded


def test_index_add_never_deletes_a_users_file_in_segments(runner, corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert runner("index", "add", corpus, "--index", index, "-q").exit_code == 0
    notes = index / "segments" / "notes.txt"
    notes.write_text("which segments I backed up", encoding="utf-8")
    other = tmp_path / "more"
    other.mkdir()
    (other / "extra.txt").write_text("A further article about the harbour, long enough to index.", encoding="utf-8")
    assert runner("index", "add", other, "--index", index, "-q").exit_code == 0
    assert runner("index", "compact", "--index", index, "-q").exit_code == 0
    assert notes.read_text(encoding="utf-8") == "which segments I backed up"


@pytest.mark.parametrize("name", ["../../victim", "..", "a/b", "a\\b"])
def test_a_segment_name_that_is_not_plain_is_refused_before_anything_is_deleted(
    runner, corpus: Path, tmp_path: Path, name: str
) -> None:
    index = tmp_path / "ix"
    assert runner("index", "add", corpus, "--index", index, "-q").exit_code == 0
    victim = tmp_path / "victim.docs.parquet"
    victim.write_bytes(b"precious")
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest["retired"] = [name]
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = runner("index", "compact", "--index", index)
    assert "is not a plain name" in one_line_error(result)
    assert victim.read_bytes() == b"precious"


def test_an_interrupted_add_leaves_no_orphans_and_only_its_own_files_go(corpus: Path, tmp_path: Path) -> None:
    from provenance.config import DetectConfig
    from provenance.index import add_documents
    from provenance.ingest import read_documents
    from provenance.records import Document

    docs = [d for d in read_documents([corpus]) if isinstance(d, Document)]
    index = tmp_path / "ix"
    add_documents(index, docs[:2], DetectConfig())
    (index / "segments" / "g00000009-aaaaaaaaaaaa.docs.parquet").write_bytes(b"a user's file with a segment-like name")

    def killed() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        add_documents(index, docs[2:], DetectConfig(), before_commit=killed)
    written = set(os.listdir(index / "segments"))
    add_documents(index, docs[2:], DetectConfig())
    after = set(os.listdir(index / "segments"))
    assert "g00000009-aaaaaaaaaaaa.docs.parquet" in after
    assert len(written - after) == 2  # the killed add's two files, and nothing else, are gone


def test_max_doc_mb_skips_a_larger_document_in_a_folder_and_reads_the_rest(runner, corpus: Path, tmp_path) -> None:
    (corpus / "huge.txt").write_text("harbour " * 200_000, encoding="utf-8")  # 1.6 MB
    result = runner("scan", corpus, "--out", tmp_path / "report", "--max-doc-mb", "1", "-q")
    assert result.exit_code == 0, result.output
    assert len(doc_ids(tmp_path / "report")) == 5
    assert skipped(tmp_path / "report") == {str(corpus / "huge.txt"): "document of 1.5 MB is over the 1.0 MB limit"}


def test_an_add_killed_while_writing_its_segment_leaves_no_temporary_files(corpus: Path, tmp_path: Path) -> None:
    from provenance.config import DetectConfig
    from provenance.index import add_documents
    from provenance.index.segments import segment_temporaries
    from provenance.index.store import reserve_segment
    from provenance.ingest import read_documents
    from provenance.records import Document

    docs = [d for d in read_documents([corpus]) if isinstance(d, Document)]
    index = tmp_path / "ix"
    add_documents(index, docs[:2], DetectConfig())
    # what a kill inside a SegmentWriter leaves: the name reserved, only the temporaries on disk
    reserve_segment(index, "g00000002-0123456789ab")
    docs_tmp, keys_tmp, scratch = segment_temporaries(index, "g00000002-0123456789ab")
    for path in (docs_tmp, keys_tmp):
        path.write_bytes(b"half a segment")
    scratch.mkdir()
    (scratch / "b0.r0.u64").write_bytes(b"keys")
    add_documents(index, docs[2:], DetectConfig())
    assert not [p for p in os.listdir(index / "segments") if p.startswith(".")]


def test_a_dedup_killed_while_writing_leaves_no_temporary_file_beside_any_output(tmp_path: Path) -> None:
    """A write killed after creating the temporary file of its second output (the removed list,
    which --removed may put in another folder) left it behind for good: only the first
    output's temporary files were looked for. Each is now listed before it is created."""
    from provenance.dedup.output import finish_interrupted, write_atomically

    out, elsewhere = tmp_path / "clean.jsonl", tmp_path / "lists" / "removed.jsonl"
    out.write_text("earlier run\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))

    def killed(path: Path) -> None:  # a kill while the second file is written
        path.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically([(out, lambda p: p.write_text("new\n", encoding="utf-8")), (elsewhere, killed)])
    # what a SIGKILL at that moment leaves: the process could not tidy, so put its files back
    dead_pid = 2**22 + 12345  # above pid_max: no such process
    left = {
        out.with_name(f".clean.jsonl.partial-{dead_pid}-0"): "new\n",
        elsewhere.with_name(f".removed.jsonl.partial-{dead_pid}-1"): "half",
    }
    for path, text in left.items():
        path.write_text(text, encoding="utf-8")
    pending = out.with_name(f".clean.jsonl.pending-{dead_pid}.json")
    pending.write_text(json.dumps([str(p) for p in left]), encoding="utf-8")
    out.with_name(f".clean.jsonl.pending-{dead_pid}.json.tmp").write_text("[", encoding="utf-8")

    finish_interrupted(out)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        p for p in before if (tmp_path / p).is_file()
    ]
    assert out.read_text(encoding="utf-8") == "earlier run\n"
