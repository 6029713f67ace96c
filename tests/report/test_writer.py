"""Report folders are written atomically: a failed or interrupted write leaves the previous report
as it was and no partial folder; another run's report is only replaced with ``force``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.config import ScanConfig
from provenance.errors import ReportError
from provenance.pipeline import scan
from provenance.report import SCHEMA_VERSION, TABLES, read_manifest, read_table, report_tables, write_report
from provenance.report.manifest import build_manifest
from provenance.report.writer import TableBatches

TABLE_FILES = sorted(f"{name}.parquet" for name in TABLES)


@pytest.fixture(scope="module")
def scanned() -> tuple[dict[str, pa.Table], dict[str, Any]]:
    seeds = Path(__file__).parents[2] / "seeds"
    config = ScanConfig()
    result = scan([seeds], config)
    return report_tables(result), build_manifest(result, config, [seeds])


@pytest.fixture
def tables(scanned) -> dict[str, pa.Table]:
    return scanned[0]


@pytest.fixture
def manifest(scanned) -> dict[str, Any]:
    return copy.deepcopy(scanned[1])


def other_run(manifest: dict[str, Any], what: str) -> dict[str, Any]:
    changed = copy.deepcopy(manifest)
    if what == "parameters":
        changed["parameters"]["detect"]["min_words"] += 1
    else:
        changed["inputs"].append("fixtures/inputs/wire.jsonl")
    return changed


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fail_with(exc: BaseException):
    def writer(path: Path) -> None:
        path.write_text("half a graph", encoding="utf-8")
        raise exc

    return writer


def test_a_report_holds_every_table_and_a_manifest_listing_them(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    assert write_report(out, tables, manifest) == out
    assert sorted(p.name for p in out.iterdir()) == sorted([*TABLE_FILES, "manifest.json"])
    written = read_manifest(out)
    assert written["files"] == TABLE_FILES
    assert written["schema_version"] == SCHEMA_VERSION
    assert written["inputs"] == manifest["inputs"]
    assert read_table(out, "documents").column("doc_id").to_pylist() == [
        "000_1d5ac4fc6d25f897.txt",
        "001_3e4bb9b7a2474284.txt",
        "002_8c94dd9fdb0e72cb.txt",
        "003_687d2cf08bd21f35.txt",
        "004_b0fe4d8c11b7b64b.txt",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no temporary folder left beside it


def test_extra_files_are_written_into_the_report_and_listed(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest, extra_files={"graph.json": lambda p: p.write_text("{}", encoding="utf-8")})
    assert (out / "graph.json").read_text(encoding="utf-8") == "{}"
    assert read_manifest(out)["files"] == sorted([*TABLE_FILES, "graph.json"])


def test_files_written_aside_are_the_same_files_and_listed(tmp_path: Path, tables, manifest) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    extra = {"graph.json": lambda p: p.write_text("{}", encoding="utf-8")}
    write_report(here, tables, manifest, extra_files=extra)
    write_report(there, tables, manifest, extra_files=extra, aside=("graph.json", "documents", "passages"))
    assert snapshot(there) == snapshot(here)
    assert read_manifest(there)["files"] == sorted([*TABLE_FILES, "graph.json"])


def test_a_table_given_in_batches_is_written_batch_by_batch(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    whole = tables["documents"]
    parts = TableBatches(whole.schema, lambda: whole.to_batches(max_chunksize=3))
    write_report(out, {**tables, "documents": parts}, manifest)
    assert read_table(out, "documents").equals(whole)
    assert pq.ParquetFile(out / "documents.parquet").metadata.num_row_groups == -(-whole.num_rows // 3)


ASIDE = pytest.mark.parametrize("aside", [(), ("html", "documents")], ids=["here", "aside"])


@ASIDE
def test_a_failed_extra_file_is_one_line_and_keeps_the_previous_report(
    tmp_path: Path, tables, manifest, aside: tuple[str, ...]
) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest)
    before = snapshot(out)

    def broken(path: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(ReportError, match=r"cannot write the report \(No space left on device\); anything"):
        write_report(out, tables, manifest, extra_files={"html": broken}, aside=aside)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_while_writing_nothing_at_the_destination_looks_like_a_report(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    seen: dict[str, object] = {}

    def inspect(path: Path) -> None:
        seen["out_exists"] = out.exists()
        seen["folder"] = path.parent
        seen["manifest_yet"] = (path.parent / "manifest.json").exists()
        path.write_text("{}", encoding="utf-8")

    write_report(out, tables, manifest, extra_files={"graph.json": inspect})
    assert seen["out_exists"] is False
    assert seen["manifest_yet"] is False  # the manifest, which marks a report finished, is written last
    assert seen["folder"] != out and seen["folder"].parent == out.parent
    assert seen["folder"].name.startswith(".")  # hidden: a half-written folder is not mistaken for a report
    assert not seen["folder"].exists()


@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_a_failed_first_write_leaves_no_report_and_no_partial_folder(
    tmp_path: Path, tables, manifest, exc: BaseException
) -> None:
    out = tmp_path / "report"
    with pytest.raises(type(exc)):
        write_report(out, tables, manifest, extra_files={"graph.json": fail_with(exc)})
    assert list(tmp_path.iterdir()) == []


@ASIDE
@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_a_failure_mid_write_keeps_the_previous_report_intact(
    tmp_path: Path, tables, manifest, exc: BaseException, aside: tuple[str, ...]
) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest)
    before = snapshot(out)
    with pytest.raises(type(exc)):
        write_report(out, tables, manifest, extra_files={"graph.json": fail_with(exc)}, aside=(*aside, "graph.json"))
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_the_same_run_replaces_its_report(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest)
    rerun = {**manifest, "created": "2030-01-01T00:00:00+00:00"}
    write_report(out, tables, rerun)
    assert read_manifest(out)["created"] == "2030-01-01T00:00:00+00:00"
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # the old copy is gone too


@pytest.mark.parametrize("force", [False, True])
def test_a_report_holding_a_file_prov_did_not_write_is_never_replaced(
    tmp_path: Path, tables, manifest, force: bool
) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest)
    (out / "notes.txt").write_text("my reading notes", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(ReportError, match=r"holds files that are not part of its prov report \(notes\.txt\)"):
        write_report(out, tables, other_run(manifest, "parameters"), force=force)
    assert snapshot(out) == before


@pytest.mark.parametrize("what", ["parameters", "inputs"])
def test_a_different_run_is_refused_and_its_report_kept(tmp_path: Path, tables, manifest, what: str) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest)
    before = snapshot(out)
    with pytest.raises(ReportError) as err:
        write_report(out, tables, other_run(manifest, what))
    assert str(err.value) == (
        f"{out}: holds the report of a different run (other inputs or parameters); "
        "pass --force to replace it, or choose another --out"
    )
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_force_replaces_a_different_run(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest)
    changed = other_run(manifest, "parameters")
    write_report(out, tables, changed, force=True)
    assert read_manifest(out)["parameters"] == changed["parameters"]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_a_folder_that_holds_no_report_is_refused(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("call the harbour master", encoding="utf-8")
    with pytest.raises(ReportError, match="folder is not empty and holds no prov report"):
        write_report(out, tables, manifest)
    assert snapshot(out) == {"todo.txt": b"call the harbour master"}


def test_an_empty_folder_is_filled(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    out.mkdir()
    write_report(out, tables, manifest)
    assert (out / "manifest.json").is_file()


@pytest.mark.parametrize("force", [False, True])
def test_a_file_in_the_way_is_refused_even_with_force(tmp_path: Path, tables, manifest, force: bool) -> None:
    out = tmp_path / "report"
    out.write_text("not a folder", encoding="utf-8")
    with pytest.raises(ReportError, match="exists and is not a folder"):
        write_report(out, tables, manifest, force=force)
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_an_unreadable_manifest_is_a_report_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"inputs": [', encoding="utf-8")
    with pytest.raises(ReportError, match="unreadable manifest"):
        read_manifest(tmp_path)


def test_the_manifest_is_plain_json_with_the_run_identity(tmp_path: Path, tables, manifest) -> None:
    out = tmp_path / "report"
    write_report(out, tables, manifest)
    raw = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert raw["inputs"] == [str(Path(__file__).parents[2] / "seeds")]
    assert raw["parameters"] == manifest["parameters"]
    assert raw["parameters"]["fields"] == {
        "id": "id",
        "text": "text",
        "outlet": "outlet",
        "date": "date",
        "title": "title",
        "url": "url",
    }
    assert raw["skipped"] == []


def test_a_table_is_read_a_slice_at_a_time_in_row_order(tmp_path: Path) -> None:
    """``iter_table``: a table written as one file or as part files (the Spark engine's, named in
    row order) comes back in order, in slices of at most ``rows``, with the columns asked for
    that it has; ``read_table`` gives it whole, the same way, parts written apart with other
    nullability included; a missing or broken table is a ``ReportError``."""
    from provenance.report.writer import iter_table

    ids = [f"d{i:03d}" for i in range(250)]
    parts = tmp_path / "parts" / "documents.parquet"
    parts.mkdir(parents=True)
    for start in (200, 0, 90):  # written out of order; the names give the order
        stop = {0: 90, 90: 200, 200: 250}[start]
        table = pa.table({"doc_id": ids[start:stop], "n_chars": list(range(start, stop))})
        if start == 90:  # as the executors write a table: its columns not null
            table = table.cast(pa.schema([pa.field(f.name, f.type, nullable=False) for f in table.schema]))
        pq.write_table(table, parts / f"part-{start:012d}.parquet")
    (parts / "_SUCCESS").write_bytes(b"")
    for stray in ("._part-000000000000.parquet", "_common.parquet"):  # macOS's and others' files: not parts
        (parts / stray).write_bytes(b"not parquet")
    single = tmp_path / "single"
    single.mkdir()
    pq.write_table(pa.table({"doc_id": ids, "n_chars": list(range(250))}), single / "documents.parquet")
    for report in (tmp_path / "parts", single):
        slices = list(iter_table(report, "documents", ["doc_id", "title"], rows=64))
        assert all(0 < s.num_rows <= 64 for s in slices)
        assert all(s.column_names == ["doc_id"] for s in slices)  # no title in this table
        assert [v for s in slices for v in s.column("doc_id").to_pylist()] == ids
        whole = read_table(report, "documents", ["doc_id", "title"])
        assert whole.column_names == ["doc_id"] and whole.column("doc_id").to_pylist() == ids
        assert read_table(report, "documents").column("n_chars").to_pylist() == list(range(250))
    with pytest.raises(ReportError, match="missing from the report"):
        list(iter_table(tmp_path, "documents"))
    (parts / "part-000000000090.parquet").write_bytes(b"not parquet")
    with pytest.raises(ReportError, match="unreadable"):
        list(iter_table(tmp_path / "parts", "documents"))
    with pytest.raises(ReportError, match="unreadable"):
        read_table(tmp_path / "parts", "documents")


STREAM_SCRIPT = """
import sys
from pathlib import Path
from provenance.report.writer import iter_table
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024
report = Path(sys.argv[1])
list(iter_table(report, 'documents'))  # the reader's own code, once
before, peak = rss(), 0
for part in iter_table(report, 'texts', rows=512):
    peak = max(peak, rss())
print(before, peak)
"""


def test_a_table_of_large_row_groups_is_gone_through_in_little_memory(tmp_path: Path) -> None:
    """80 MB of texts in row groups of 8 MB, gone through a slice at a time in a new process: the
    pages are read as a stream and Arrow's pool gives back each slice's buffers (read ahead a
    row group at a time and kept, the process grew by 90 MB; now by about 40)."""
    import random
    import subprocess
    import sys

    rng = random.Random(7)
    words = ["".join(rng.choices("abcdefghijklmnop", k=rng.randint(2, 9))) for _ in range(5000)]
    texts = [" ".join(rng.choices(words, k=700)) for _ in range(20_000)]
    table = pa.table({"doc_id": [str(i) for i in range(len(texts))], "text": texts})
    pq.write_table(table, tmp_path / "texts.parquet", row_group_size=2_000, compression="zstd")
    pq.write_table(table.slice(0, 10), tmp_path / "documents.parquet")
    cmd = [sys.executable, "-c", STREAM_SCRIPT, str(tmp_path)]
    before, peak = map(int, subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split())
    assert peak - before < 65, (before, peak)


def test_rows_of_a_table_are_read_a_row_group_at_a_time(tmp_path: Path) -> None:
    """``TableRows``: the values at any rows of a table written as one file of many row groups
    or as part files, in the order asked, near together or far apart; a row out of range is an
    IndexError, a table that cannot be read a ``ReportError``."""
    from provenance.report.writer import TableRows

    values = [f"text {i} " * (i % 7) for i in range(500)]
    table = pa.table({"passage_id": [f"p{i:04d}" for i in range(500)], "text": values})
    single = tmp_path / "single"
    single.mkdir()
    pq.write_table(table, single / "passages.parquet", row_group_size=64)
    parts = tmp_path / "parts" / "passages.parquet"
    parts.mkdir(parents=True)
    for start in range(0, 500, 150):
        pq.write_table(table.slice(start, 150), parts / f"part-{start:05d}.parquet", row_group_size=40)
    for report in (single, tmp_path / "parts"):
        rows = TableRows(report, "passages")
        assert rows.num_rows == 500 and rows.names == {"passage_id", "text"}
        for asked in ([10, 12, 11, 10], [5, 499, 3, 200], [499], [], list(range(60, 140)), list(range(499, -1, -7))):
            assert rows.values("text", asked) == [values[r] for r in asked]
            assert rows.values("passage_id", asked) == [f"p{r:04d}" for r in asked]
        with pytest.raises(ReportError, match="no row 500"):
            rows.values("text", [500])
    with pytest.raises(ReportError, match="missing from the report"):
        TableRows(tmp_path, "passages")
    (parts / "part-00150.parquet").write_bytes(b"not parquet")
    with pytest.raises(ReportError, match="unreadable"):
        TableRows(tmp_path / "parts", "passages")


def test_the_pages_number_a_part_folder_s_rows_alike_whole_and_by_row(tmp_path: Path) -> None:
    """A stray file in a folder of part files (not ``*.parquet``) is passed over by the whole
    read as by ``TableRows``, so a row is the same row both ways; a part without a column asked
    of it is a one-line ``ReportError``."""
    from provenance.report.writer import TableRows

    parts = tmp_path / "passages.parquet"
    parts.mkdir()
    pq.write_table(pa.table({"passage_id": ["p0", "p1", "p2"], "text": ["a", "b", "c"]}), parts / "part-0.parquet")
    pq.write_table(pa.table({"passage_id": ["x0", "x1"], "text": ["x", "y"]}), parts / "part-0.parquet.bak")
    pq.write_table(pa.table({"passage_id": ["p3", "p4"], "text": ["d", "e"]}), parts / "part-1.parquet")
    whole = read_table(tmp_path, "passages", ["passage_id"])
    rows = TableRows(tmp_path, "passages")
    assert whole.column("passage_id").to_pylist() == ["p0", "p1", "p2", "p3", "p4"] and rows.num_rows == 5
    assert rows.values("text", [4, 3, 0]) == ["e", "d", "a"]
    pq.write_table(pa.table({"passage_id": ["p3", "p4"]}), parts / "part-1.parquet")
    with pytest.raises(ReportError, match="passages.parquet"):
        TableRows(tmp_path, "passages").values("text", [4])
