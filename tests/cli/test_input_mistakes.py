"""Mistakes said out loud: each is one exact line and an exit code, before anything is written."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

ROWS = 3000


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    rows = (
        {"id": f"a-{n}", "body": f"Story {n} about the harbour.", "outlet": "Harbour News", "date": "2024-02-12"}
        for n in range(ROWS)
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("option", "name"),
    [("--text-field", "bdy"), ("--id-field", "uid"), ("--outlet-field", "publisher"), ("--date-field", "published")],
)
def test_a_field_option_naming_a_field_no_row_has_is_one_line_and_exit_2(
    runner, feed: Path, option: str, name: str
) -> None:
    extra = [] if option == "--text-field" else ["--text-field", "body"]
    result = runner("scan", feed, "--out", "report", option, name, *extra)
    assert result.exit_code == 2
    assert result.stderr == (
        f"prov: error: {feed}: no row has the field {name!r} named by {option}; its fields are id, body, outlet, date\n"
    )
    assert not Path("report").exists()


def test_the_fields_listed_stop_after_eight(runner, tmp_path: Path) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_text(json.dumps({f"f{n}": "x" for n in range(12)}) + "\n", encoding="utf-8")
    result = runner("scan", path, "--text-field", "body")
    assert result.stderr == (
        f"prov: error: {path}: no row has the field 'body' named by --text-field; "
        "its fields are f0, f1, f2, f3, f4, f5, f6, f7, ...\n"
    )


def test_a_run_that_reads_no_document_is_an_error_and_touches_no_report(runner, seeds_dir: Path) -> None:
    assert runner("scan", seeds_dir, "--out", "report", "-q").exit_code == 0
    before = Path("report/manifest.json").read_bytes()
    Path("pages").mkdir()
    for name in ("a.pdf", "b.pdf", "c.docx"):
        (Path("pages") / name).write_bytes(b"%PDF")
    result = runner("scan", "pages", "--out", "report", "--force")
    assert result.exit_code == 2
    assert result.stderr == (
        "prov: warning: pages: 3 files of a type prov does not read (.pdf 2, .docx 1) passed over, listed as skipped\n"
        "prov: error: no document read from pages (3 inputs skipped: 3 type not supported)\n"
    )
    assert Path("report/manifest.json").read_bytes() == before


def test_an_empty_folder_is_an_error(runner) -> None:
    Path("empty").mkdir()
    result = runner("scan", "empty", "--out", "report")
    assert (result.exit_code, result.stderr) == (
        2,
        "prov: error: no document read from empty (it holds no file prov reads)\n",
    )
    assert not Path("report").exists()


def test_many_unsupported_files_cost_one_line_and_are_all_listed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from provenance.ingest import read_documents
    from provenance.records import Skipped

    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "story.txt").write_text("Fishing crews returned to the north pier on Friday.", encoding="utf-8")
    for n in range(2000):  # enough to show the bound; the rule is one line per folder
        (folder / f"{n:05d}.png").write_bytes(b"png")
    with caplog.at_level(logging.WARNING, logger="provenance"):
        items = list(read_documents([folder]))
    assert sum(isinstance(i, Skipped) for i in items) == 2000
    assert caplog.messages == [
        f"{folder}: 2000 files of a type prov does not read (.png 2000) passed over, listed as skipped"
    ]


def test_a_sidecar_whose_rows_name_no_file_is_warned_about_once(runner, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "storm.txt").write_text(
        "Storm Maren cut power to tens of thousands of homes on Monday.", encoding="utf-8"
    )
    rows = ["file,outlet", "strom.txt,Coastal Gazette", "pier.txt,Harbour News", "ferry.txt,Valley Times", "x.txt,X"]
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner("scan", folder, "--out", "report")
    assert result.exit_code == 0
    assert result.stderr == (
        f"prov: warning: {folder / 'metadata.csv'}: 4 of its 4 rows name no file in {folder} "
        "('strom.txt', 'pier.txt', 'ferry.txt', ...); their metadata is not used\n"
    )
