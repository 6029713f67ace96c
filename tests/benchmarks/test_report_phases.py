"""``report_phases.py`` marks the memory around each stage, report table and extra file of a scan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "report_phases.py"


def test_each_table_and_extra_file_is_marked(seeds_dir: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "scan", str(seeds_dir), "-o", str(tmp_path / "report"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    marks = [line.split(" now ")[0].strip() for line in done.stderr.splitlines() if " now " in line]
    for name in ("align", "cluster", "categories", "passages.parquet", "clusters.parquet", "texts.parquet", "html"):
        assert f"before {name}" in marks and f"after {name}" in marks, name
    assert (tmp_path / "report" / "index.html").is_file()
