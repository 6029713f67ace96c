"""What prov recognises as its own leftovers: a pid in a name proves a dead owner only when it
is a pid, whatever text the name holds; a local Spark's scratch folder goes only once every
process it records has ended, and only when it holds nothing but Spark's own folders."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance.ownership import Scratch, dead_owner, pid_alive, sweep_scratch


def test_a_pid_in_a_name_is_dead_only_when_it_is_a_pid_of_no_process() -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert dead_owner(str(ended.pid)) and dead_owner(str(os.getpid()))  # ours: a leftover of this run
    assert not dead_owner(str(os.getppid()))
    for text in ("", "12a", "²", "٣", "-5", "99999999999999999999", " 12"):  # never a crash, never "dead"
        assert not dead_owner(text), text
    assert not pid_alive(2**70) and not pid_alive(0)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="zombies are read in /proc")
def test_a_process_that_ended_but_was_not_collected_is_not_alive() -> None:
    """A killed run's orphaned child may stay a zombie for ever where the container's first
    process collects none: it holds nothing, so what it recorded may go."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 20
    while "\nState:\tZ" not in Path(f"/proc/{ended.pid}/status").read_text(encoding="ascii"):
        assert time.monotonic() < deadline, "the child did not end"
        time.sleep(0.01)
    try:
        assert not pid_alive(ended.pid)
        assert pid_alive(os.getpid())
    finally:
        ended.wait()


UUID = "6cdbd8d3-8942-47d7-ba1a-c1f7659f3bdb"
SPARK_NAMES = r"(?:blockmgr|spark)-[0-9a-f-]{36}"


def _spark_left(parent: Path, name: str, also: str | None = None, extra: str | None = None) -> Path:
    """A local Spark's scratch folder as a killed run leaves it: an unlocked marker, Spark's
    folders (with files inside), and maybe the pids it recorded or a stranger's entry."""
    folder = parent / name
    (folder / f"blockmgr-{UUID}" / "0c").mkdir(parents=True)
    (folder / f"blockmgr-{UUID}" / "0c" / "shuffle_0_1_0.data").write_bytes(b"\0" * 64)
    (folder / f"spark-{UUID}").mkdir()
    (folder / ".prov-scratch").write_text("somehost\n123\n", encoding="utf-8")
    if also is not None:
        (folder / ".prov-scratch-also").write_text(also, encoding="ascii")
    if extra is not None:
        (folder / extra).write_text("a user's file", encoding="utf-8")
    return folder


def test_a_killed_runs_spark_scratch_goes_only_once_what_it_records_has_ended(tmp_path: Path) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    gone = [
        _spark_left(tmp_path, "prov-spark-scratch-1-aaaa0000"),
        _spark_left(tmp_path, "prov-spark-scratch-2-bbbb0000", also=f"{ended.pid}\n"),
    ]
    kept = [
        _spark_left(tmp_path, "prov-spark-scratch-3-cccc0000", also=f"{os.getppid()}\n"),  # its Java still runs
        _spark_left(tmp_path, "prov-spark-scratch-4-dddd0000", also="not a pid\n"),
        _spark_left(tmp_path, "prov-spark-scratch-5-eeee0000", extra="notes.txt"),  # not Spark's
    ]
    removed = sweep_scratch(tmp_path, "prov-spark-scratch", SPARK_NAMES, trees=True)
    assert sorted(removed) == sorted(gone)
    assert not any(f.exists() for f in gone) and all(f.is_dir() for f in kept)


def test_a_scratch_sweep_without_trees_leaves_a_folder_holding_folders(tmp_path: Path) -> None:
    left = _spark_left(tmp_path, "prov-spark-scratch-1-aaaa0000")
    assert sweep_scratch(tmp_path, "prov-spark-scratch", SPARK_NAMES) == []
    assert left.is_dir()


def test_a_scratch_records_other_writers_and_is_removed_on_close(tmp_path: Path) -> None:
    scratch = Scratch("prov-spark-scratch", SPARK_NAMES, tmp_path, trees=True)
    scratch.record(os.getppid())
    scratch.record(os.getpid())
    scratch.record(os.getppid())  # each once, however many sessions record it
    assert (scratch.path / ".prov-scratch-also").read_text(encoding="ascii") == f"{os.getppid()}\n{os.getpid()}\n"
    scratch.close()
    assert os.listdir(tmp_path) == []
