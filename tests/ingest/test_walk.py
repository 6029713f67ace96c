"""Walking an input folder: what is read, and what is left out and listed, never silently."""

from __future__ import annotations

import inspect
import os
import shutil
import sys
from pathlib import Path

import pytest

from provenance.ingest import read_documents
from provenance.ingest.walk import walk_folder
from provenance.records import Document, Skipped

ARTICLE = "Ferries to the outer islands resumed on Monday after the storm passed, the harbour master said.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "2017").mkdir(parents=True)
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "2017" / "b.txt").write_text(ARTICLE.replace("Monday", "Friday"), encoding="utf-8")
    return folder


def read(folder: Path) -> tuple[list[str], dict[str, str]]:
    items = list(read_documents([folder]))
    ids = [i.doc_id for i in items if isinstance(i, Document)]
    return ids, {i.source: i.reason for i in items if isinstance(i, Skipped)}


def test_documents_come_in_sorted_path_order(corpus: Path) -> None:
    (corpus / "2017" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert read(corpus) == (["2017/a.txt", "2017/b.txt", "a.txt"], {})


def test_the_walk_gives_files_in_the_order_their_paths_sort(tmp_path: Path) -> None:
    """Not the order of the path strings: ``a/b`` comes before ``a-c`` (``/`` sorts after ``-``
    as a character, but paths compare part by part)."""
    names = ["a-c.txt", "a/b.txt", "a/z/y.txt", "a.txt", "A.txt", "a b/c.txt", "é.txt", "a/x.txt", "b/a-b/c.txt"]
    folder = tmp_path / "corpus"
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(folder / "a" / "pipe.txt")  # not a regular file: passed over, never opened
    found = list(walk_folder(folder))
    assert [f.path for f in found] == sorted(folder / name for name in names)
    rels = [path.relative_to(folder) for path in sorted(folder / name for name in names)]
    assert [(f.rel, f.rel_folder) for f in found] == [(r.as_posix(), r.parent.as_posix().strip(".")) for r in rels]


def test_a_tree_deeper_than_pythons_recursion_limit_is_walked(tmp_path: Path) -> None:
    deep = tmp_path / "corpus" / os.path.join(*["d"] * 300)
    deep.mkdir(parents=True)
    (deep / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "corpus" / "b.txt").write_text(ARTICLE, encoding="utf-8")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 150)  # a walk one frame per level would fail
    try:
        found = list(walk_folder(tmp_path / "corpus"))
    finally:
        sys.setrecursionlimit(limit)
    assert [f.rel for f in found] == ["b.txt", "d/" * 300 + "a.txt"]


def test_hidden_folders_and_files_are_passed_over(corpus: Path) -> None:
    (corpus / ".cache").mkdir()
    (corpus / ".cache" / "c.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / ".notes.txt").write_text(ARTICLE, encoding="utf-8")
    assert read(corpus) == (["2017/b.txt", "a.txt"], {})


def test_a_dangling_symlink_is_listed(corpus: Path) -> None:
    (corpus / "gone.txt").symlink_to(corpus / "deleted.txt")
    assert read(corpus)[1] == {str(corpus / "gone.txt"): "dangling symlink"}


def test_a_symlink_out_of_the_input_folder_is_not_followed(corpus: Path, tmp_path: Path) -> None:
    secret = tmp_path / "home"
    secret.mkdir()
    (secret / "diary.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "diary.txt").symlink_to(secret / "diary.txt")
    (corpus / "home").symlink_to(secret, target_is_directory=True)
    ids, skipped = read(corpus)
    assert ids == ["2017/b.txt", "a.txt"]
    assert skipped == {
        str(corpus / "diary.txt"): "symlink points outside the input folder, not followed",
        str(corpus / "home"): "symlink points outside the input folder, not followed",
    }


def test_a_symlink_to_a_file_inside_is_read(corpus: Path) -> None:
    (corpus / "link.txt").symlink_to(corpus / "a.txt")
    assert read(corpus)[0] == ["2017/b.txt", "a.txt", "link.txt"]


def test_an_unreadable_sub_folder_is_listed_and_the_rest_read(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_scandir = os.scandir

    def scandir(path):  # root reads every folder, so deny the listing the way the kernel would
        if Path(path).name == "2017":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    ids, skipped = read(corpus)
    assert ids == ["a.txt"]
    assert skipped == {str(corpus / "2017"): "cannot read folder: Permission denied"}


def test_a_non_utf8_file_name_is_read_under_an_escaped_id(corpus: Path, tmp_path: Path) -> None:
    (corpus / os.fsdecode(b"caf\xe9.txt")).write_text(ARTICLE, encoding="utf-8")
    items = list(read_documents([corpus]))
    doc = next(i for i in items if isinstance(i, Document) and i.doc_id.startswith("caf"))
    assert doc.doc_id == "caf\\xe9.txt"
    assert doc.source == str(corpus) + "/caf\\xe9.txt"
    doc.source.encode("utf-8")  # writable to Parquet and JSON


def test_the_whole_input_being_a_prov_report_is_listed_not_read(tmp_path: Path, corpus: Path) -> None:
    from prov_cli.main import app
    from typer.testing import CliRunner

    report = tmp_path / "report"
    assert CliRunner().invoke(app, ["scan", str(corpus), "--out", str(report), "-q"]).exit_code == 0
    assert [str(i) for i in walk_folder(report)] == [f"{report}: a prov report, not read as input"]
    shutil.rmtree(report)


def test_a_spark_jobs_markers_are_passed_over_and_its_uncommitted_attempts_listed(corpus: Path) -> None:
    """A folder a Spark or Hadoop job wrote: its marker and summary files hold no document, and
    the part files of its uncommitted attempts would read the committed ones twice."""
    for marker in ("_SUCCESS", "_metadata", "_common_metadata", "_started_123", "_committed_123"):
        (corpus / marker).write_bytes(b"")
    attempt = corpus / "_temporary" / "0" / "task_1"
    attempt.mkdir(parents=True)
    (attempt / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "_notes.txt").write_text(ARTICLE.replace("Monday", "Sunday"), encoding="utf-8")  # a user's file
    (corpus / "_SUCCESS.txt").write_text(ARTICLE.replace("Monday", "Tuesday"), encoding="utf-8")
    ids, skipped = read(corpus)
    assert ids == ["2017/b.txt", "_SUCCESS.txt", "_notes.txt", "a.txt"]
    assert skipped == {str(corpus / "_temporary"): "a Spark/Hadoop job's uncommitted attempts (_temporary), not read"}
