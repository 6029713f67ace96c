"""Kill ``scan``, ``dedup`` and ``index add`` at 20+ random moments on a few thousand Reuters
documents: afterwards the previous output is intact, or the new one complete (what the next run
recovers counts), never a mix, and the index stays queryable (issue 10, "Done when")."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from provenance.config import DetectConfig, ScanConfig
from provenance.dedup.output import finish_interrupted
from provenance.index import open_index, query_index
from provenance.ingest import read_documents
from provenance.records import Document
from provenance.report.writer import recover

PROV = str(Path(sys.executable).parent / "prov")
KILLS = 20
VOLATILE = {"created", "timings", "python"}  # manifest keys that differ between identical runs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def files(reuters_dir: Path) -> list[Path]:
    """The first two Reuters-21578 files: 2,000 stories."""
    files = [reuters_dir / f"reut2-00{i}.sgm" for i in range(2)]
    if not all(f.is_file() for f in files):
        pytest.skip(f"Reuters-21578 not found at {reuters_dir} (reut2-000.sgm and reut2-001.sgm)")
    return files


def run(*args: object, scratch: Path | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([PROV, *map(str, args), "-q"], check=True, capture_output=True, env=_env(scratch))
    return time.perf_counter() - t0


def _env(scratch: Path | None) -> dict[str, str] | None:
    """The environment with the system's temporary folder at ``scratch`` (None: unchanged)."""
    return None if scratch is None else {**os.environ, "TMPDIR": str(scratch)}


def _started(args: tuple[object, ...], scratch: Path | None) -> subprocess.Popen:
    """prov running quietly in a session of its own (so that its workers are killed with it)."""
    return subprocess.Popen(
        [PROV, *map(str, args), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=_env(scratch),
    )


def _all_gone(group: int, timeout: float = 10.0) -> None:
    """Wait until no process of ``group`` runs (zombies hold no files): SIGKILL is delivered
    asynchronously, and a worker still dying holds its files and locks for a moment. The next
    run is started after, as a user's next run starts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                running = True
                break
        if not running:
            return
        time.sleep(0.01)


def killed(delay: float, *args: object, scratch: Path | None = None) -> None:
    """Run prov and SIGKILL it (with its worker processes) after ``delay`` seconds."""
    proc = _started(args, scratch)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _all_gone(proc.pid)


def killed_with_scratch(*args: object, scratch: Path) -> None:
    """Run prov and SIGKILL it as soon as its band store is in ``scratch``."""
    proc = _started(args, scratch)
    try:
        deadline = time.monotonic() + 60
        while not list(scratch.glob("prov-bands-*/band*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _all_gone(proc.pid)


def state(folder: Path) -> dict[str, object]:
    """Every file of ``folder`` (bytes; JSON manifests without their volatile keys)."""
    out: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            if path.name.endswith(".json"):
                data = json.loads(path.read_text(encoding="utf-8"))
                out[path.relative_to(folder).as_posix()] = {k: v for k, v in data.items() if k not in VOLATILE}
            elif path.name == "overview.js":  # the HTML pages' copy of the run: PROV.put("overview",{...});
                text = path.read_text(encoding="utf-8")
                data = json.loads(text[text.index(",") + 1 : text.rindex(")")])
                out[path.relative_to(folder).as_posix()] = {k: v for k, v in data.items() if k not in VOLATILE}
            else:
                out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


def delays(total: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return sorted(rng.uniform(0.05, total * 1.05) for _ in range(KILLS))


def test_a_killed_scan_leaves_the_previous_report_or_the_new_one(files: list[Path], tmp_path: Path) -> None:
    runs = {"a": ["--min-words", "8"], "b": ["--min-words", "12"]}
    reference = {}
    total = 0.0
    for name, params in runs.items():
        total = max(total, run("scan", *files, "--out", tmp_path / f"ref-{name}", *params, "--workers", "2"))
        reference[name] = state(tmp_path / f"ref-{name}")
    out = tmp_path / "work" / "report"
    out.parent.mkdir()
    scratch = tmp_path / "tmp"  # the scans' temporary folder (TMPDIR), where the band store goes
    scratch.mkdir()
    run("scan", *files, "--out", out, *runs["a"], "--workers", "2", scratch=scratch)
    previous = "a"
    for i, delay in enumerate(delays(total, 1)):
        target = "b" if i % 2 == 0 else "a"
        killed(delay, "scan", *files, "--out", out, *runs[target], "--force", "--workers", "2", scratch=scratch)
        recover(out)  # what the next run does first
        now = state(out)
        assert now in (reference[previous], reference[target]), f"kill {i} after {delay:.2f}s left a broken report"
        previous = "a" if now == reference["a"] else "b"
        assert os.listdir(out.parent) == ["report"], f"kill {i}: leftovers beside the report"
    # A killed scan's band store (up to GBs at a million documents) is removed by the next scan.
    killed_with_scratch("scan", *files, "--out", out, "--force", "--workers", "2", scratch=scratch)
    assert list(scratch.glob("prov-bands-*")), "the scan was killed while its band store was there"
    run("scan", *files, "--out", out, *runs["a"], "--force", "--workers", "2", scratch=scratch)
    assert not list(scratch.glob("prov-bands-*")), "a killed scan's band store outlived the next scan"


def test_a_killed_dedup_leaves_one_runs_outputs_never_a_mix(files: list[Path], tmp_path: Path) -> None:
    runs = {"a": ["--threshold", "0.8"], "b": ["--threshold", "0.6"]}
    reference = {}
    total = 0.0
    for name, params in runs.items():
        (tmp_path / f"ref-{name}").mkdir()
        total = max(total, run("dedup", *files, "--out", tmp_path / f"ref-{name}" / "clean.jsonl", *params))
        reference[name] = state(tmp_path / f"ref-{name}")
    assert reference["a"]["clean.jsonl"] != reference["b"]["clean.jsonl"]
    work = tmp_path / "work"
    work.mkdir()
    run("dedup", *files, "--out", work / "clean.jsonl", *runs["a"])
    previous = "a"
    for i, delay in enumerate(delays(total, 2)):
        target = "b" if i % 2 == 0 else "a"
        killed(delay, "dedup", *files, "--out", work / "clean.jsonl", *runs[target], "--force")
        finish_interrupted(work / "clean.jsonl")  # what the next run does first
        now = state(work)
        assert now in (reference[previous], reference[target]), f"kill {i} after {delay:.2f}s left a mix"
        previous = "a" if now == reference["a"] else "b"


def test_a_killed_index_add_leaves_a_queryable_index(files: list[Path], tmp_path: Path) -> None:
    index = tmp_path / "ix"
    run("index", "add", files[0], "--index", index)
    before = open_index(index).manifest.documents
    added = sum(1 for d in read_documents([files[1]]) if isinstance(d, Document))
    probe = [next(d for d in read_documents([files[0]]) if isinstance(d, Document))]
    config = ScanConfig(detect=open_index(index).manifest.parameters.detect(DetectConfig()))
    t0 = time.perf_counter()
    run("index", "add", files[1], "--index", tmp_path / "ref-ix")
    total = time.perf_counter() - t0
    for i, delay in enumerate(delays(total, 3)):
        killed(delay, "index", "add", files[1], "--index", index, "--replace")
        snapshot = open_index(index)
        assert snapshot.manifest.documents in (before, before + added), f"kill {i} after {delay:.2f}s"
        result = query_index(snapshot, probe, config)
        assert len(result.scan.documents) == 2, f"kill {i}: the query did not find the probe's indexed copy"
    run("index", "add", files[1], "--index", index, "--replace")  # a full add tidies what kills left
    manifest = open_index(index).manifest
    listed = {f"{n}{ext}" for n in [s.name for s in manifest.segments] for ext in (".docs.parquet", ".keys.arrow")}
    assert set(os.listdir(index / "segments")) == listed
    assert manifest.documents == before + added
    assert pq.read_table(index / "segments" / f"{manifest.segments[0].name}.docs.parquet").num_rows == before
    shutil.rmtree(tmp_path / "ref-ix")
