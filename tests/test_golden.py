"""Golden end-to-end runs: scan each ``fixtures/golden/<case>/``, read the Parquet back in a
stable order, and compare with ``expected/``.

A case lists its input paths (relative to the repository) in ``inputs.txt``. After an
intended change of output, regenerate with ``PROV_REGEN_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from provenance.report import scan_report

ROOT = Path(__file__).parents[1]
CASES = sorted(p.name for p in (ROOT / "fixtures" / "golden").iterdir() if (p / "inputs.txt").is_file())
REGENERATE = os.environ.get("PROV_REGEN_GOLDEN") == "1"
# Table -> columns that identify a row; rows are compared sorted by them.
TABLES = {
    "documents": ("doc_id",),
    "passages": ("doc_id", "start", "end"),
    "alignments": ("doc_a", "a_start", "doc_b", "b_start"),
    "clusters": ("cluster_id",),
    "credits": ("doc_id", "start", "agency"),
    "nodes": ("node_id",),
    "edges": ("source", "target", "kind"),
    "wire_share": ("level", "id", "origin"),
    "derivation": ("doc_a", "doc_b"),
    "texts": ("doc_id",),
}


def as_json(value: object) -> str:
    """Timestamps (documents.parquet ``date``) as ISO 8601 text in UTC."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"no JSON for {type(value).__name__}")


def scan_case(case: str, out: Path, runner) -> dict[str, list[dict]]:
    inputs = (ROOT / "fixtures" / "golden" / case / "inputs.txt").read_text().split()
    result = runner("scan", *inputs, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    tables = {}
    for name, key in TABLES.items():
        rows = pq.read_table(out / f"{name}.parquet").to_pylist()
        tables[name] = sorted(rows, key=lambda row: tuple(row[k] for k in key))  # noqa: B023
    return tables


@pytest.mark.parametrize("aside", [False, True], ids=["one-process", "child-writes-aside"])
@pytest.mark.parametrize("case", CASES)
def test_scan_matches_the_golden_report(
    case: str, aside: bool, tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # inputs and source paths relative to the repository
    # The graph exports and texts of a big corpus are written by a forked child: the same tables.
    monkeypatch.setattr(scan_report, "ASIDE_FROM", 0 if aside else 10**9)
    if REGENERATE and aside:
        pytest.skip("regenerated once, by the one-process run")
    tables = scan_case(case, tmp_path / "report", runner)
    expected_dir = ROOT / "fixtures" / "golden" / case / "expected"
    if REGENERATE:
        expected_dir.mkdir(exist_ok=True)
        for name, rows in tables.items():
            lines = [json.dumps(row, ensure_ascii=False, sort_keys=True, default=as_json) for row in rows]
            (expected_dir / f"{name}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        pytest.skip(f"regenerated {expected_dir}")
    for name, rows in tables.items():
        path = expected_dir / f"{name}.jsonl"
        assert path.is_file(), f"missing {path}; run with PROV_REGEN_GOLDEN=1 to create it"
        expected = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert json.loads(json.dumps(rows, ensure_ascii=False, default=as_json)) == expected, (
            f"{case}/{name} differs from golden"
        )
