"""The commands benchmark measures prov dedup, index add, delete and compact for real on the
shared 300-document generated corpus (seconds), and reports what each command did."""

from __future__ import annotations

from pathlib import Path

from benchmarks import commands_bench, generate


def test_each_command_is_measured_with_what_it_did(corpus: Path, tmp_path: Path) -> None:
    source = corpus / generate.CORPUS
    dedup = commands_bench.bench_dedup(source, tmp_path, workers=2)
    assert dedup["counts"]["documents"] == 300 and dedup["counts"]["kept"] + dedup["counts"]["removed"] <= 300
    assert dedup["wall_s"] > 0 and dedup["peak_mb"] > 0 and set(dedup["stages"]) >= {"sketch", "verify"}
    index = commands_bench.bench_index(source, tmp_path, workers=2)
    assert index["add"]["index"]["documents"] == 300 and index["add"]["index"]["keys"] > 0
    assert all(index[step]["returncode"] == 0 and index[step]["wall_s"] > 0 for step in ("add", "delete", "compact"))
    assert (tmp_path / "index" / "manifest.json").is_file() and (tmp_path / "dedup" / "clean.jsonl").is_file()
