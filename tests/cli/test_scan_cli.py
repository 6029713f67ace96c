"""``prov scan`` end to end: what a user sees on the terminal and finds in the report folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import provenance.report.writer as writer
from provenance.report import TABLES

REPORT_FILES = sorted(
    [f"{name}.parquet" for name in TABLES]
    + ["texts.parquet", "graph.gexf", "graph.graphml", "manifest.json", "index.html", "html"]
)
SEED_IDS = [
    "000_1d5ac4fc6d25f897.txt",
    "001_3e4bb9b7a2474284.txt",
    "002_8c94dd9fdb0e72cb.txt",
    "003_687d2cf08bd21f35.txt",
    "004_b0fe4d8c11b7b64b.txt",
]


@pytest.fixture
def inputs(fixtures_dir: Path) -> Path:
    return fixtures_dir / "inputs"


pytestmark = pytest.mark.usefixtures("in_tmp")


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def documents(out: Path) -> list[dict]:
    return pq.read_table(out / "documents.parquet").to_pylist()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# Paths that do not work: one line, no traceback, nothing written


def test_a_missing_path_is_a_one_line_error_with_exit_code_2(runner, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = runner("scan", missing, "--out", "report")
    assert result.exit_code == 2
    assert result.stderr == f"prov: error: {missing}: no such file or folder\n"
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert not (tmp_path / "report").exists()


def test_a_missing_path_among_good_ones_stops_the_run_before_any_work(runner, inputs: Path) -> None:
    result = runner("scan", inputs / "articles", "typo.jsonl", "--out", "report")
    assert result.exit_code == 2
    assert result.stderr == "prov: error: typo.jsonl: no such file or folder\n"
    assert not Path("report").exists()


def test_an_unsupported_file_is_a_one_line_error(runner, tmp_path: Path) -> None:
    (tmp_path / "story.docx").write_bytes(b"PK\x03\x04")
    result = runner("scan", "story.docx", "--out", "report")
    assert result.exit_code == 2
    assert result.stderr.startswith("prov: error: story.docx: unsupported file type; give a folder")
    assert result.stderr.count("\n") == 1


def test_no_paths_is_a_usage_error(runner) -> None:
    result = runner("scan")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
    assert not Path("prov-report").exists()


def test_inconsistent_field_options_are_a_one_line_error(runner, seeds_dir: Path) -> None:
    result = runner("scan", seeds_dir, "--text-field", "id")
    assert result.exit_code == 2
    assert result.stderr.startswith("prov: error: field names must be distinct")
    assert result.stderr.count("\n") == 1


# A normal scan


def test_scanning_the_seeds_writes_the_report(runner, seeds_dir: Path, tmp_path: Path) -> None:
    result = runner("scan", seeds_dir)
    assert result.exit_code == 0, result.output
    out = tmp_path / "prov-report"
    assert sorted(p.name for p in out.iterdir()) == REPORT_FILES
    assert [(d["doc_id"], d["date_text"]) for d in documents(out)] == [
        (SEED_IDS[0], None),
        (SEED_IDS[1], None),
        (SEED_IDS[2], None),
        (SEED_IDS[3], None),
        (SEED_IDS[4], "2017-05-20"),
    ]
    run = manifest(out)
    assert run["inputs"] == [str(seeds_dir)]
    assert run["counts"]["documents"] == 5
    assert run["skipped"] == []
    for name in ("passages", "alignments", "clusters"):
        assert pq.read_table(out / f"{name}.parquet").num_rows == run["counts"][name]


def test_a_scan_prints_a_summary_on_stdout_and_nothing_on_stderr(runner, seeds_dir: Path) -> None:
    result = runner("scan", seeds_dir, "--out", "report")
    assert result.exit_code == 0
    assert result.stdout.startswith("5 documents read in ")
    assert result.stdout.endswith("Report: report\nRead it in a browser: report/index.html\n")
    # output is not a terminal here: no progress bar, no cursor movement, no colour codes
    assert result.stderr == ""
    assert "\r" not in result.output and "\x1b[" not in result.output


def test_quiet_prints_nothing_on_success(runner, seeds_dir: Path) -> None:
    result = runner("scan", seeds_dir, "--out", "report", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""
    assert manifest(Path("report"))["counts"]["documents"] == 5


def test_quiet_still_prints_errors(runner, seeds_dir: Path) -> None:
    result = runner("scan", seeds_dir, "--out", "report", "-q", "--bands", "4")
    assert result.exit_code == 2
    assert (
        result.stderr == "prov: error: give both --bands and --rows, or neither (then they derive from --threshold)\n"
    )


# Bad input: skipped, warned about with file and line, listed in the manifest


def test_skipped_inputs_are_warned_about_and_listed_while_good_documents_are_scanned(
    runner, inputs: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(inputs / "articles", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    corrupt = "Z\u00fcrich\nline two\n".encode() + b"bad \xff byte\n"
    (folder / "corrupt.txt").write_bytes(corrupt)
    bad_byte = corrupt.index(b"\xff")
    feed = tmp_path / "feed.jsonl"
    good_lines = (inputs / "wire.jsonl").read_text(encoding="utf-8").splitlines()
    feed.write_text(
        "\n".join([good_lines[0], '{"id": "broken", "text": ', good_lines[1], '{"id": "no-text"}']) + "\n",
        encoding="utf-8",
    )
    result = runner("scan", folder, feed, "--out", "report")
    assert result.exit_code == 0, result.output

    expected = [
        {
            "source": str(folder / "corrupt.txt"),
            "line": 3,
            "reason": f"undecodable bytes (not utf-8) at byte {bad_byte}",
        },
        {"source": str(folder / "editor-notes.rtf"), "line": None, "reason": "type not supported"},
        {"source": str(folder / "empty.txt"), "line": None, "reason": "empty file"},
        {"source": str(folder / "photo.txt"), "line": None, "reason": "binary file (contains NUL bytes)"},
        {"source": str(feed), "line": 2, "reason": "malformed JSON: Expecting value"},
        {"source": str(feed), "line": 4, "reason": "row has no text in field 'text'"},
    ]
    run = manifest(Path("report"))
    assert run["skipped"] == expected
    assert run["counts"]["skipped_inputs"] == 6
    assert run["counts"]["skipped_unsupported"] == 1
    assert [d["doc_id"] for d in documents(Path("report"))] == [
        "coastal-gazette.txt",
        "harbour-news.md",
        "sub/valley-times.txt",
        "wire-0001",
        "wire-0002",
    ]
    warnings = [
        f"prov: warning: skipped {s['source']}{'' if s['line'] is None else ':' + str(s['line'])}: {s['reason']}"
        for s in expected
        if s["reason"] != "type not supported"  # summed up in one line per folder
    ]
    unsupported = (
        f"prov: warning: {folder}: 1 file of a type prov does not read (.rtf 1) passed over, listed as skipped"
    )
    lines = result.stderr.splitlines()
    assert lines.count(unsupported) == 1  # after the folder is walked, among the other warnings
    assert [line for line in lines if line != unsupported] == warnings
    assert ", 6 skipped (1 not a supported type) in " in result.stdout


def test_only_bad_input_is_a_one_line_error_and_writes_no_report(runner, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    result = runner("scan", "in", "--out", "report", "--quiet")
    assert result.exit_code == 2
    assert result.stderr == "prov: error: no document read from in (1 input skipped: 1 empty file)\n"
    assert not Path("report").exists()


# Tabular inputs: field names and pass-through columns


def test_extra_fields_pass_through_to_documents_parquet_as_string_columns(runner, inputs: Path) -> None:
    result = runner("scan", inputs / "wire.jsonl", inputs / "regional.csv", "--out", "report", "-q")
    assert result.exit_code == 0
    table = pq.read_table("report/documents.parquet")
    for name in ("section", "tags", "word_count", "edition"):
        assert table.schema.field(name).type == pa.string()
    rows = {row["doc_id"]: row for row in table.to_pylist()}
    assert [rows["wire-0001"][k] for k in ("section", "tags", "word_count", "edition")] == [
        "Weather",
        '["storm", "power cuts"]',
        "112",
        None,
    ]
    assert [rows["rg-102"][k] for k in ("section", "tags", "word_count", "edition")] == [None, None, None, "morning"]
    assert rows["rg-102"]["source"] == f"{inputs / 'regional.csv'}:7"


def test_field_name_options_map_a_custom_schema(runner, tmp_path: Path) -> None:
    feed = tmp_path / "cms.jsonl"
    rows = [
        {
            "uid": f"cms-{n}",
            "body": body,
            "publisher": "Harbour News",
            "published": f"2024-02-1{n}",
            "headline": f"Headline {n}",
            "link": f"https://harbournews.example.net/{n}",
            "desk": "City",
        }
        for n, body in [
            (3, "Sandbags were still piled against cafe doors on Quay Street on Monday morning."),
            (4, "The north pier will stay closed until engineers have signed it off."),
        ]
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    options = ["--id-field", "uid", "--text-field", "body", "--outlet-field", "publisher"]
    options += ["--date-field", "published", "--title-field", "headline", "--url-field", "link"]
    result = runner("scan", feed, "--out", "report", "-q", *options)
    assert result.exit_code == 0
    docs = documents(Path("report"))
    assert [(d["doc_id"], d["outlet"], d["date_text"], d["title"], d["url"], d["desk"]) for d in docs] == [
        ("cms-3", "Harbour News", "2024-02-13", "Headline 3", "https://harbournews.example.net/3", "City"),
        ("cms-4", "Harbour News", "2024-02-14", "Headline 4", "https://harbournews.example.net/4", "City"),
    ]
    assert manifest(Path("report"))["parameters"]["fields"] == {
        "id": "uid",
        "text": "body",
        "outlet": "publisher",
        "date": "published",
        "title": "headline",
        "url": "link",
    }


def test_without_the_text_field_option_a_file_without_one_is_skipped_whole(runner, tmp_path: Path) -> None:
    feed = tmp_path / "cms.jsonl"
    feed.write_text('{"uid": "cms-1", "body": "Ferry sailings resume on Thursday."}\n', encoding="utf-8")
    result = runner("scan", feed, "--out", "report")
    assert result.exit_code == 2
    reason = "no row has a text field ('text' or 'maintext'); name it with --text-field (its fields are uid, body)"
    assert result.stderr == (
        f"prov: warning: skipped {feed}: {reason}\n"
        f"prov: error: no document read from {feed} (1 input skipped: 1 {reason})\n"
    )
    assert not Path("report").exists()


def test_several_paths_at_once_find_the_wire_paragraph_across_formats(runner, inputs: Path, tmp_path: Path) -> None:
    wire_text = json.loads((inputs / "wire.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"]
    pq.write_table(
        pa.table({"id": ["pq-1"], "text": ["From our print edition.\n\n" + wire_text.split("\n\n")[1]]}),
        tmp_path / "print.parquet",
    )
    paths = [inputs / "articles", inputs / "wire.jsonl", inputs / "archive.jsonl.gz", inputs / "regional.csv"]
    result = runner("scan", *paths, tmp_path / "print.parquet", "--out", "report", "-q")
    assert result.exit_code == 0
    assert [d["doc_id"] for d in documents(Path("report"))] == [
        "coastal-gazette.txt",
        "harbour-news.md",
        "sub/valley-times.txt",
        "wire-0001",
        "wire-0002",
        "wire-0003",
        "archive-2011-0042",
        "archive-2024-0007",
        "rg-101",
        "rg-102",
        "pq-1",
    ]
    assert manifest(Path("report"))["inputs"] == [str(p) for p in [*paths, tmp_path / "print.parquet"]]
    passages = pq.read_table("report/passages.parquet").to_pylist()
    clusters_of = {}
    for p in passages:
        clusters_of.setdefault(p["cluster_id"], set()).add(p["doc_id"])
    # the same wire paragraph, lightly edited, stands in a text file, a subfolder, JSONL, gzipped JSONL,
    # CSV and Parquet: one cluster holds them all
    assert sorted(clusters_of.values(), key=len)[-1] == {
        "coastal-gazette.txt",
        "sub/valley-times.txt",
        "wire-0001",
        "archive-2024-0007",
        "rg-101",
        "pq-1",
    }


# Re-running into the same --out


def test_rerunning_the_same_scan_replaces_the_report(runner, seeds_dir: Path) -> None:
    assert runner("scan", seeds_dir, "--out", "report", "-q").exit_code == 0
    first = manifest(Path("report"))["created"]
    result = runner("scan", seeds_dir, "--out", "report", "-q")
    assert result.exit_code == 0
    assert sorted(p.name for p in Path("report").iterdir()) == REPORT_FILES
    assert manifest(Path("report"))["created"] >= first
    assert sorted(p.name for p in Path(".").iterdir()) == ["report"]  # no leftovers beside it


def test_a_report_holding_a_users_file_is_never_replaced(runner, seeds_dir: Path) -> None:
    assert runner("scan", seeds_dir, "--out", "report", "-q").exit_code == 0
    (Path("report") / "notes.txt").write_text("my notes", encoding="utf-8")
    before = snapshot(Path("report"))
    result = runner("scan", seeds_dir, "--out", "report", "--force")
    assert result.exit_code == 1
    assert "holds files that are not part of its prov report (notes.txt)" in result.stderr
    assert snapshot(Path("report")) == before


def test_a_different_run_is_refused_without_force_and_replaced_with_it(runner, seeds_dir: Path) -> None:
    assert runner("scan", seeds_dir, "--out", "report", "-q").exit_code == 0
    before = snapshot(Path("report"))
    result = runner("scan", seeds_dir, "--out", "report", "--min-words", "12")
    assert result.exit_code == 1
    assert result.stderr == (
        "prov: error: report: holds the report of a different run (other inputs or parameters); "
        "pass --force to replace it, or choose another --out\n"
    )
    assert snapshot(Path("report")) == before

    result = runner("scan", seeds_dir, "--out", "report", "--min-words", "12", "--force", "-q")
    assert result.exit_code == 0
    assert manifest(Path("report"))["parameters"]["detect"]["min_words"] == 12


def test_an_interrupt_while_writing_keeps_the_previous_report(
    runner, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner("scan", seeds_dir, "--out", "report", "-q").exit_code == 0
    before = snapshot(Path("report"))
    real_write_table = writer.pq.write_table
    calls = []

    def write_then_interrupt(table, where, **kwargs):
        calls.append(where)
        if len(calls) == 2:  # Ctrl-C after the first table is on disk
            raise KeyboardInterrupt
        real_write_table(table, where, **kwargs)

    monkeypatch.setattr(writer.pq, "write_table", write_then_interrupt)
    result = runner("scan", seeds_dir, "--out", "report")
    assert result.exit_code == 130
    assert result.stderr == "prov: error: interrupted; nothing was written\n"
    assert snapshot(Path("report")) == before
    assert sorted(p.name for p in Path(".").iterdir()) == ["report"]  # no partial folder beside it
