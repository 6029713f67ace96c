"""Exports: every report table as CSV (read back with pyarrow and the csv module) or in one
SQLite file (queried with sqlite3), values intact, indexes on the id columns, and nothing that
was there before destroyed by a refused or failed export."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

import provenance.report.export as export_module
from provenance.config import ScanConfig
from provenance.errors import ReportError
from provenance.pipeline import scan
from provenance.report import TABLES, read_manifest, read_table, report_tables, write_report
from provenance.report.export import (
    MARKER,
    SQLITE_META,
    export_csv,
    export_report,
    export_sqlite,
    is_id_column,
    plain,
    plain_type,
    report_table_names,
)
from provenance.report.manifest import build_manifest

TRICKY = 'Mosul, "the old city"\nsaid Ōmar — 日本語, naïve\r\nend'
STAMP = dt.datetime(2024, 5, 27, 10, 0, 0, 123000)


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seeds = Path(__file__).parents[2] / "seeds"
    config = ScanConfig()
    result = scan([seeds], config)
    out = tmp_path_factory.mktemp("seeds") / "report"
    return write_report(out, report_tables(result), build_manifest(result, config, [seeds]))


def odd_tables() -> dict[str, pa.Table]:
    """A report table with text a CSV writer can get wrong, and two tables no schema names yet
    (as ``texts`` and ``derivation`` will be) with every kind of column the export flattens."""
    documents = pa.table(
        {
            "doc_id": ["a.txt", "b.txt", "c.txt"],
            "title": [TRICKY, "", None],
            "Title": ["upper", None, "case"],  # a pass-through field SQLite takes for "title"
            "n_chars": pa.array([10, 0, None], pa.int64()),
        }
    )
    texts = pa.table(
        {
            "doc_id": ["a.txt", "b.txt", "c.txt"],
            "stamp": pa.array([STAMP, None, STAMP], pa.timestamp("us")),
            "stamp_utc": pa.array([STAMP.replace(tzinfo=dt.UTC)] * 3, pa.timestamp("ms", tz="UTC")),
            "day": pa.array([dt.date(2024, 5, 27), None, dt.date(1999, 1, 1)], pa.date32()),
            "flag": pa.array([True, None, False]),
            "share": pa.array([0.1, None, 1e20]),
            "small": pa.array([1, 2, None], pa.uint8()),
            "tags": pa.array([["wire", "日本"], [], None], pa.list_(pa.string())),
            "meta": pa.array([{"agency": "AP", "n": 1}, None, {"agency": "AFP", "n": 2}]),
            "outlet": pa.array(["Valley Times", "Valley Times", None]).dictionary_encode(),
            "raw": pa.array([b"\x00\xff", None, b""], pa.binary()),
            "nothing": pa.nulls(3),
        }
    )
    derivation = pa.table({"source": pa.array([], pa.string()), "target": pa.array([], pa.string())})
    return {"documents": documents, "texts": texts, "derivation": derivation}


@pytest.fixture
def odd_report(tmp_path: Path) -> Path:
    return write_report(tmp_path / "odd-report", odd_tables(), {"tool": "prov", "inputs": [], "parameters": {}})


def plain_table(table: pa.Table) -> pa.Table:
    """The table as the export writes it (``plain`` on every column)."""
    schema = pa.schema([pa.field(f.name, plain_type(f.type)) for f in table.schema])
    return pa.table([plain(col.combine_chunks()) for col in table.columns], schema=schema)


def read_csv_back(path: Path, like: pa.Table) -> pa.Table:
    """A CSV export read as its Parquet table was: an unquoted empty cell is null, ``""`` empty."""
    types = {f.name: plain_type(f.type) for f in like.schema}
    options = pa_csv.ConvertOptions(column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False)
    return pa_csv.read_csv(path, convert_options=options)


def sqlite_rows(db: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()


def as_sqlite(table: pa.Table) -> list[tuple[Any, ...]]:
    """What SQLite gives back for a table: booleans as 1 and 0, everything else as plain values."""
    columns = [[int(v) if isinstance(v, bool) else v for v in col.to_pylist()] for col in plain_table(table).columns]
    return list(zip(*columns, strict=True))


def snapshot(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}."))


# What is exported


def test_every_table_of_the_report_is_found_in_its_manifest(seeds_report: Path) -> None:
    names = report_table_names(read_manifest(seeds_report))
    assert sorted(names) == sorted(p.stem for p in seeds_report.glob("*.parquet"))
    assert set(TABLES) <= set(names)


def test_csv_holds_every_table_with_the_same_rows_and_values(seeds_report: Path, tmp_path: Path) -> None:
    result = export_csv(seeds_report, tmp_path / "csv")
    names = report_table_names(read_manifest(seeds_report))
    assert [t.name for t in result.tables] == names
    written = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert written == sorted([f"{name}.csv" for name in names] + ["manifest.json", MARKER])
    for name in names:
        table = read_table(seeds_report, name)
        back = read_csv_back(tmp_path / "csv" / f"{name}.csv", table)
        assert back.column_names == table.column_names  # the report's column order
        assert back.num_rows == table.num_rows > 0
        assert back.equals(plain_table(table)), name
    assert result.rows == sum(read_table(seeds_report, n).num_rows for n in names)


def test_csv_folder_carries_the_report_manifest_and_a_marker(seeds_report: Path, tmp_path: Path) -> None:
    export_csv(seeds_report, tmp_path / "csv")
    assert (tmp_path / "csv" / "manifest.json").read_bytes() == (seeds_report / "manifest.json").read_bytes()
    marker = json.loads((tmp_path / "csv" / MARKER).read_text(encoding="utf-8"))
    assert marker["format"] == "prov-export"
    assert marker["schema_version"] == read_manifest(seeds_report)["schema_version"]
    assert marker["tables"]["passages"]["rows"] == read_table(seeds_report, "passages").num_rows


def test_sqlite_holds_every_table_with_the_same_rows_and_values(seeds_report: Path, tmp_path: Path) -> None:
    db = tmp_path / "report.db"
    result = export_sqlite(seeds_report, db)
    names = report_table_names(read_manifest(seeds_report))
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == set(names) | {SQLITE_META}
    for name in names:
        table = read_table(seeds_report, name)
        assert sqlite_rows(db, name) == as_sqlite(table), name
    assert result.rows == sum(read_table(seeds_report, n).num_rows for n in names)


def test_sqlite_columns_are_typed_and_id_columns_indexed(seeds_report: Path, tmp_path: Path) -> None:
    db = tmp_path / "report.db"
    export_sqlite(seeds_report, db)
    with sqlite3.connect(db) as conn:
        types = {r[1]: r[2] for r in conn.execute('PRAGMA table_info("clusters")')}
        indexed = {
            name: {
                conn.execute(f'PRAGMA index_info("{i[1]}")').fetchone()[2]
                for i in conn.execute(f'PRAGMA index_list("{name}")')
            }
            for name in ("passages", "alignments", "edges", "nodes", "clusters")
        }
        plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN SELECT * FROM passages WHERE doc_id = 'x'"))
    assert types["cluster_id"] == "TEXT"
    assert types["n_documents"] == "INTEGER"
    assert types["origin_confidence"] == "REAL"
    assert types["boilerplate"] == "INTEGER"
    assert indexed["passages"] == {"passage_id", "cluster_id", "doc_id"}
    assert indexed["alignments"] == {"cluster_id", "doc_a", "doc_b"}
    assert indexed["edges"] == {"source", "target"}
    assert indexed["nodes"] == {"node_id"}
    assert {"cluster_id", "origin"} <= indexed["clusters"]
    assert "USING INDEX" in plan


def test_sqlite_keeps_the_manifest_and_schema_version(seeds_report: Path, tmp_path: Path) -> None:
    db = tmp_path / "report.db"
    export_sqlite(seeds_report, db)
    with sqlite3.connect(db) as conn:
        meta = dict(conn.execute(f"SELECT key, value FROM {SQLITE_META}").fetchall())
    assert meta["format"] == "prov-export"
    assert json.loads(meta["manifest"]) == read_manifest(seeds_report)
    assert meta["schema_version"] == read_manifest(seeds_report)["schema_version"]
    assert json.loads(meta["tables"])["clusters"]["rows"] == read_table(seeds_report, "clusters").num_rows


def test_id_columns() -> None:
    for name in ("doc_id", "cluster_id", "passage_id", "node_id", "doc_a", "doc_b", "source", "target", "agency", "id"):
        assert is_id_column(name)
    for name in ("text", "start", "kind", "identity", "share"):
        assert not is_id_column(name)


# Values


def test_csv_text_with_commas_quotes_newlines_and_any_script_survives(odd_report: Path, tmp_path: Path) -> None:
    export_csv(odd_report, tmp_path / "csv")
    with open(tmp_path / "csv" / "documents.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["doc_id", "title", "Title", "n_chars"]
    assert rows[1] == ["a.txt", TRICKY, "upper", "10"]
    assert len(rows) == 4  # the newlines inside a field start no row


def test_csv_nulls_are_empty_cells_and_empty_strings_quoted(odd_report: Path, tmp_path: Path) -> None:
    export_csv(odd_report, tmp_path / "csv")
    lines = (tmp_path / "csv" / "documents.csv").read_text(encoding="utf-8").splitlines()
    assert lines[-2] == '"b.txt","",,0'
    assert lines[-1] == '"c.txt",,"case",'
    back = read_csv_back(tmp_path / "csv" / "documents.csv", read_table(odd_report, "documents"))
    assert back.column("title").to_pylist() == [TRICKY, "", None]


def test_tables_no_schema_names_are_exported_with_flattened_values(odd_report: Path, tmp_path: Path) -> None:
    result = export_report(odd_report, tmp_path / "csv", "csv")
    assert {t.name for t in result.tables} == {"documents", "texts", "derivation"}
    with open(tmp_path / "csv" / "texts.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first, second = rows[0], rows[1]
    assert first["stamp"] == "2024-05-27T10:00:00.123000"
    assert first["stamp_utc"] == "2024-05-27T10:00:00.123Z"
    assert first["day"] == "2024-05-27"
    assert (first["flag"], second["flag"], rows[2]["flag"]) == ("true", "", "false")
    assert json.loads(first["tags"]) == ["wire", "日本"] and second["tags"] == "[]"
    assert json.loads(first["meta"]) == {"agency": "AP", "n": 1} and second["meta"] == ""
    assert first["outlet"] == "Valley Times"
    assert (first["raw"], rows[2]["raw"]) == ("AP8=", "")
    assert first["small"] == "1" and first["nothing"] == ""
    assert (tmp_path / "csv" / "derivation.csv").read_text(encoding="utf-8") == '"source","target"\n'


def test_sqlite_takes_the_same_flattened_values(odd_report: Path, tmp_path: Path) -> None:
    db = tmp_path / "odd.db"
    export_sqlite(odd_report, db)
    for name, table in odd_tables().items():
        assert sqlite_rows(db, name) == as_sqlite(table), name
    with sqlite3.connect(db) as conn:
        columns = [r[1] for r in conn.execute('PRAGMA table_info("documents")')]
        types = {r[1]: r[2] for r in conn.execute('PRAGMA table_info("texts")')}
    assert columns == ["doc_id", "title", "Title_2", "n_chars"]  # SQLite ignores the case of names
    assert (types["flag"], types["share"], types["small"], types["tags"]) == ("INTEGER", "REAL", "INTEGER", "TEXT")
    assert sqlite_rows(db, "documents")[0][1] == TRICKY


def test_large_tables_are_written_a_batch_at_a_time(
    seeds_report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "BATCH_ROWS", 3)
    export_csv(seeds_report, tmp_path / "csv")
    export_sqlite(seeds_report, tmp_path / "report.db")
    credits = read_table(seeds_report, "credits")
    assert credits.num_rows > 3 * 5
    assert read_csv_back(tmp_path / "csv" / "credits.csv", credits).equals(plain_table(credits))
    assert sqlite_rows(tmp_path / "report.db", "credits") == as_sqlite(credits)


def test_a_table_written_as_part_files_is_exported_whole(seeds_report: Path, tmp_path: Path) -> None:
    report = tmp_path / "spark-report"
    report.mkdir()
    for path in seeds_report.iterdir():
        (report / path.name).write_bytes(path.read_bytes())
    passages = read_table(report, "passages")
    (report / "passages.parquet").unlink()
    (report / "passages.parquet").mkdir()  # as the Spark engine writes it
    pq.write_table(passages.slice(0, 4), report / "passages.parquet" / "part-00000.parquet")
    pq.write_table(passages.slice(4), report / "passages.parquet" / "part-00001.parquet")
    export_csv(report, tmp_path / "csv")
    export_sqlite(report, tmp_path / "report.db")
    assert read_csv_back(tmp_path / "csv" / "passages.csv", passages).equals(plain_table(passages))
    assert sqlite_rows(tmp_path / "report.db", "passages") == as_sqlite(passages)


# Refusals leave everything as it was


def test_a_missing_or_foreign_report_is_a_report_error(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("not a report", encoding="utf-8")
    for report in (tmp_path / "missing", tmp_path / "notes"):
        with pytest.raises(ReportError, match="not a prov report"):
            export_csv(report, tmp_path / "csv")
        with pytest.raises(ReportError, match="not a prov report"):
            export_sqlite(report, tmp_path / "x.db")
    assert not (tmp_path / "csv").exists() and not (tmp_path / "x.db").exists()


def test_a_table_name_that_is_not_a_file_name_is_refused(odd_report: Path, tmp_path: Path) -> None:
    manifest = json.loads((odd_report / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].append("../escape.parquet")
    (odd_report / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReportError, match="unusable name"):
        export_csv(odd_report, tmp_path / "csv")


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_an_out_inside_the_report_is_refused(seeds_report: Path, fmt: str) -> None:
    before = snapshot(seeds_report)
    with pytest.raises(ReportError, match="inside the report"):
        export_report(seeds_report, seeds_report / "export", fmt)  # type: ignore[arg-type]
    assert snapshot(seeds_report) == before


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_of_other_files_is_never_replaced(seeds_report: Path, tmp_path: Path, force: bool) -> None:
    out = tmp_path / "analysis"
    out.mkdir()
    (out / "model.R").write_text("lm(share ~ outlet)\n", encoding="utf-8")
    with pytest.raises(ReportError, match="holds no prov export"):
        export_csv(seeds_report, out, force=force)
    assert snapshot(out) == {"model.R": b"lm(share ~ outlet)\n"}
    assert siblings(out) == []


def test_an_empty_folder_is_filled(seeds_report: Path, tmp_path: Path) -> None:
    (tmp_path / "csv").mkdir()
    export_csv(seeds_report, tmp_path / "csv")
    assert (tmp_path / "csv" / "passages.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_an_earlier_export_is_replaced_only_with_force(
    seeds_report: Path, odd_report: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / ("csv" if fmt == "csv" else "report.db")
    export_report(odd_report, out, fmt)  # type: ignore[arg-type]
    before = snapshot(out)
    with pytest.raises(ReportError, match="pass --force"):
        export_report(seeds_report, out, fmt)  # type: ignore[arg-type]
    assert snapshot(out) == before
    result = export_report(seeds_report, out, fmt, force=True)  # type: ignore[arg-type]
    assert [t.name for t in result.tables] == report_table_names(read_manifest(seeds_report))
    assert snapshot(out) != before
    assert siblings(out) == []


def test_an_earlier_csv_export_holding_your_files_is_never_replaced(seeds_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    export_csv(seeds_report, out)
    (out / "notes.txt").write_text("cluster c000001 is the Mosul caption", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(ReportError, match=r"not part of its prov export \(notes.txt\)"):
        export_csv(seeds_report, out, force=True)
    assert snapshot(out) == before


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
@pytest.mark.parametrize("content", [b"", b"doc_id,title\n", b"SQLite format 3\x00 but not really"])
def test_a_file_prov_did_not_write_is_never_replaced(
    seeds_report: Path, tmp_path: Path, fmt: str, content: bytes
) -> None:
    out = tmp_path / "mine.db"
    out.write_bytes(content)
    with pytest.raises(ReportError, match="not a prov export|not a folder"):
        export_report(seeds_report, out, fmt, force=True)  # type: ignore[arg-type]
    assert out.read_bytes() == content
    assert siblings(out) == []


def test_a_database_of_yours_is_never_replaced(seeds_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.db"
    with sqlite3.connect(out) as conn:
        conn.execute("CREATE TABLE prov_manifest (key TEXT, value TEXT)")  # even a look-alike
        conn.execute("INSERT INTO prov_manifest VALUES ('format', 'mine')")
    conn.close()
    before = out.read_bytes()
    with pytest.raises(ReportError, match="not a prov export"):
        export_sqlite(seeds_report, out, force=True)
    assert out.read_bytes() == before
    assert siblings(out) == []


def test_a_folder_at_a_sqlite_out_is_refused(seeds_report: Path, tmp_path: Path) -> None:
    (tmp_path / "report.db").mkdir()
    with pytest.raises(ReportError, match="is a folder"):
        export_sqlite(seeds_report, tmp_path / "report.db", force=True)


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_a_failure_mid_export_keeps_the_earlier_export_intact(
    seeds_report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    out = tmp_path / ("csv" if fmt == "csv" else "report.db")
    export_report(seeds_report, out, fmt)  # type: ignore[arg-type]
    before = snapshot(out)
    calls = []

    def failing(report: Path, name: str) -> pa.Table:
        calls.append(name)
        if len(calls) == 3:
            raise ReportError(f"{name}: unreadable")
        return read_table(report, name)

    monkeypatch.setattr(export_module, "read_table", failing)
    with pytest.raises(ReportError, match="unreadable"):
        export_report(seeds_report, out, fmt, force=True)  # type: ignore[arg-type]
    assert snapshot(out) == before
    assert siblings(out) == []


def test_an_export_an_interrupted_swap_left_aside_is_put_back(seeds_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    export_csv(seeds_report, out)
    before = snapshot(out)
    out.rename(tmp_path / f".csv.old-{2**22 + 12345}")  # killed between the two renames (no such pid)
    with pytest.raises(ReportError, match="pass --force"):
        export_csv(seeds_report, out)
    assert snapshot(out) == before
    assert siblings(out) == []
