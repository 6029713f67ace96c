"""``prov export REPORT --format csv|sqlite --out PATH``: a summary line naming what was
written, files that spreadsheets and ``sqlite3`` open, and one-line refusals that leave what
was there untouched."""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from provenance.report import read_manifest, read_table
from provenance.report.export import report_table_names

pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def report(runner, seeds_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "seeds-report"
    result = runner("scan", seeds_dir, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    return out


def tables(report: Path) -> list[str]:
    return report_table_names(read_manifest(report))


def rows(report: Path, table: str) -> int:
    return read_table(report, table).num_rows


def refused(result, *parts: str) -> None:
    """One line on stderr naming ``parts``, exit code 1, nothing on stdout."""
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    assert result.stderr.startswith("prov: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert all(part in result.stderr for part in parts), result.stderr


def test_csv_export_prints_where_and_how_much(runner, report: Path) -> None:
    result = runner("export", report, "--format", "csv", "--out", "tables")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    flat = " ".join(result.stdout.split())
    total = sum(rows(report, t) for t in tables(report))
    assert flat.startswith(f"Wrote {len(tables(report))} tables ({total} rows) as CSV files to tables:")
    assert f"passages {rows(report, 'passages')}" in flat
    with open(Path("tables") / "passages.csv", encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == rows(report, "passages")
    assert sorted(p.name for p in Path("tables").glob("*.csv")) == sorted(f"{t}.csv" for t in tables(report))


def test_sqlite_export_opens_in_sqlite3(runner, report: Path) -> None:
    result = runner("export", report, "--format", "sqlite", "--out", "report.db")
    assert result.exit_code == 0, result.output
    assert "as SQLite to report.db" in " ".join(result.stdout.split())
    with sqlite3.connect("report.db") as conn:
        for table in tables(report):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (rows(report, table),)
    conn.close()
    if shutil.which("sqlite3"):  # the command-line shell opens it as it is
        done = subprocess.run(
            ["sqlite3", "report.db", "SELECT count(*) FROM passages"], capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == str(rows(report, "passages"))


def test_quiet_prints_nothing(runner, report: Path) -> None:
    result = runner("export", report, "--format", "csv", "--out", "tables", "--quiet")
    assert (result.exit_code, result.output) == (0, "")
    assert Path("tables", "clusters.csv").exists()


def test_an_earlier_export_needs_force(runner, report: Path) -> None:
    assert runner("export", report, "--format", "sqlite", "--out", "report.db").exit_code == 0
    before = Path("report.db").read_bytes()
    refused(runner("export", report, "--format", "sqlite", "--out", "report.db"), "report.db", "--force")
    assert Path("report.db").read_bytes() == before
    again = runner("export", report, "--format", "sqlite", "--out", "report.db", "--force")
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_a_file_of_yours_is_refused_and_kept(runner, report: Path, fmt: str) -> None:
    Path("results.db").write_text("doc_id,share\n", encoding="utf-8")
    refused(runner("export", report, "--format", fmt, "--out", "results.db", "--force"), "results.db")
    assert Path("results.db").read_text(encoding="utf-8") == "doc_id,share\n"


def test_an_out_inside_the_report_is_refused(runner, report: Path) -> None:
    refused(runner("export", report, "--format", "csv", "--out", report / "csv"), "inside the report")
    assert not (report / "csv").exists()


def test_a_folder_that_is_not_a_report_is_refused(runner, tmp_path: Path) -> None:
    Path("articles").mkdir()
    refused(runner("export", "articles", "--format", "csv", "--out", "tables"), "articles", "not a prov report")
    refused(runner("export", "missing", "--format", "sqlite", "--out", "x.db"), "missing", "not a prov report")
    assert not Path("tables").exists() and not Path("x.db").exists()


def test_an_unknown_format_is_a_usage_error(runner, report: Path) -> None:
    result = runner("export", report, "--format", "xlsx", "--out", "tables")
    assert result.exit_code == 2
    assert "xlsx" in result.output
    assert not Path("tables").exists()
