"""A local Spark's files go into prov's own scratch folder: a killed Spark run's shuffle and
block files (which Spark removes only when its Java runtime ends normally) are removed by the
next local Spark run, and a run that ends removes its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance.engines.spark_session import SCRATCH_PREFIX
from provenance.ownership import SCRATCH_ALSO, pid_alive

PROV = str(Path(sys.executable).parent / "prov")

pytestmark = pytest.mark.slow


def _scratches(tmp: Path) -> list[Path]:
    return sorted(tmp.glob(f"{SCRATCH_PREFIX}-*"))


def _wait_for(found, what: str, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = found()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout:.0f} s")


def test_a_killed_spark_runs_files_are_removed_by_the_next_run(
    reuters_dir: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    corpus = reuters_dir / "reut2-000.sgm"
    if not corpus.is_file():
        pytest.skip(f"Reuters-21578 not found at {reuters_dir}")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    scan = [PROV, "scan", "--engine", "spark", "--spark-master", "local[2]", "-q"]
    killed = subprocess.Popen(
        [*scan, str(corpus), "-o", str(tmp_path / "killed")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # killed with its Java runtime and Python workers, as kill -9 of a group
        env=env,
    )
    try:
        blocks = _wait_for(lambda: list(tmp.glob(f"{SCRATCH_PREFIX}-*/blockmgr-*")), "Spark's block folder")
        folder = blocks[0].parent
        java = _wait_for(
            lambda: (folder / SCRATCH_ALSO).is_file() and (folder / SCRATCH_ALSO).read_text(encoding="ascii"),
            "the recorded Java runtime",
        )
    finally:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
    _wait_for(lambda: not pid_alive(int(java.split()[0])), "the killed Java runtime's end", timeout=30)
    assert _scratches(tmp) == [folder]  # Spark left its files: nothing of it ended normally
    assert not list(Path(tmp).glob("blockmgr-*")) and not list(Path(tmp).glob("spark-*"))  # none loose

    subprocess.run([*scan, str(seeds_dir), "-o", str(tmp_path / "next")], check=True, capture_output=True, env=env)
    assert _scratches(tmp) == []  # the killed run's folder, and the next run's own
    assert (tmp_path / "next" / "manifest.json").is_file()
