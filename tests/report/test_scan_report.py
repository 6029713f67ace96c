"""A scan's whole report, written by one process or with a forked child writing the graph
exports and texts beside the rest: the same files, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provenance.config import ScanConfig
from provenance.memory import can_fork
from provenance.pipeline import scan
from provenance.report import GEXF, GRAPHML, read_manifest, scan_report, write_scan_report

SEEDS = Path(__file__).parents[2] / "seeds"


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not can_fork(), reason="the report's child is forked")
def test_the_files_written_aside_are_those_written_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ScanConfig()
    result = scan([SEEDS], config)
    pids = tmp_path / "pids"  # a file: what the child appends to a list stays in the child
    real = scan_report.write_graphml

    def graphml(*args, **kwargs) -> None:
        with pids.open("a", encoding="ascii") as out:
            out.write(f"{os.getpid()}\n")
        real(*args, **kwargs)

    monkeypatch.setattr(scan_report, "write_graphml", graphml)
    manifest = scan_report.build_manifest  # one creation time for both (the pages show it)
    monkeypatch.setattr(
        scan_report, "build_manifest", lambda *a: manifest(*a) | {"created": "2026-12-01T00:00:00+00:00"}
    )
    monkeypatch.setattr(scan_report, "ASIDE_FROM", 10**9)
    write_scan_report(tmp_path / "one", result, config, [SEEDS])
    monkeypatch.setattr(scan_report, "ASIDE_FROM", 0)
    write_scan_report(tmp_path / "two", result, config, [SEEDS])
    assert files(tmp_path / "two") == files(tmp_path / "one")
    assert {GRAPHML, GEXF, "texts.parquet"} <= set(read_manifest(tmp_path / "two")["files"])
    here, there = map(int, pids.read_text(encoding="ascii").split())
    assert here == os.getpid() and there != here  # the graph written here, then by the child
