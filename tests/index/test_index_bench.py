"""A seconds-long smoke of benchmarks/index_bench.py, so that the benchmark keeps running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_index_benchmark_runs_and_records_its_figures(reuters_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "index.json"
    args = [
        "--docs",
        "400",
        "--add",
        "20",
        "--queries",
        "20",
        "--single",
        "3",
        "--work",
        tmp_path / "ix",
        "--json",
        out,
        "--reuters",
        reuters_dir,
    ]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "index_bench.py"), *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert results["index"]["documents"] == 420 and results["index"]["segments"] == 2
    assert results["add"]["existing_segments_rewritten"] == 0
    for part in ("build", "add", "query_batch", "query_single"):
        assert results[part]["docs_per_s"] > 0
    assert results["query_batch"]["docs_with_reuse"] >= 15  # reprints of indexed stories are found
    assert results["git"]["commit"] and results["machine"]["cores"]
    assert not (tmp_path / "ix").exists()
