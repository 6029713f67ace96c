"""Report files written by a forked child: the child's error is this process's error, a child
that dies is one line, and a parent that fails first does not leave its child running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance.errors import ReportError
from provenance.memory import can_fork
from provenance.report import aside
from provenance.report.aside import Aside

forks = pytest.mark.skipif(not can_fork(), reason="the report's child is forked")


def writes_pid(path: Path):
    return lambda: path.write_text(str(os.getpid()), encoding="ascii")


@forks
def test_the_jobs_run_in_order_in_another_process(tmp_path: Path) -> None:
    order = tmp_path / "order"
    jobs = [
        ("first", lambda: order.write_text("first ", encoding="ascii")),
        ("second", lambda: order.write_text(order.read_text(encoding="ascii") + "second", encoding="ascii")),
        ("pid", writes_pid(tmp_path / "pid")),
    ]
    with Aside(jobs) as child:
        child.wait()
    assert order.read_text(encoding="ascii") == "first second"
    assert int((tmp_path / "pid").read_text(encoding="ascii")) != os.getpid()


def test_without_fork_the_jobs_run_here_when_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside, "can_fork", lambda: False)
    pid = tmp_path / "pid"
    with Aside([("pid", writes_pid(pid))]) as child:
        assert not pid.exists()  # not before: the jobs come after what the block writes
        child.wait()
    assert int(pid.read_text(encoding="ascii")) == os.getpid()


@forks
@pytest.mark.parametrize(
    "error", [ReportError("graph.gexf: cannot write the graph: No space left"), OSError(28, "No space left on device")]
)
def test_a_jobs_error_is_raised_here_as_it_was_raised_there(tmp_path: Path, error: Exception) -> None:
    def fail() -> None:
        raise error

    later = tmp_path / "later"
    jobs = [("graph.gexf", fail), ("later", writes_pid(later))]
    with Aside(jobs) as child, pytest.raises(type(error)) as raised:
        child.wait()
    assert str(raised.value) == str(error)
    assert not later.exists()  # the jobs after a failed one are not run


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("not picklable")


@forks
def test_an_error_that_cannot_be_sent_comes_back_as_its_text() -> None:
    def fail() -> None:
        raise Unpicklable("a bad one")

    with Aside([("x", fail)]) as child, pytest.raises(ReportError, match=r"^Unpicklable: a bad one$"):
        child.wait()


class NeedsTwo(Exception):
    """Pickles, but cannot be rebuilt from its pickle (its ``args`` hold one of the two)."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} in {where}")


@forks
def test_an_error_that_cannot_be_rebuilt_here_comes_back_as_its_text() -> None:
    def fail() -> None:
        raise NeedsTwo("a bad one", "the graph")

    with Aside([("x", fail)]) as child, pytest.raises(ReportError, match=r"^NeedsTwo: a bad one in the graph$"):
        child.wait()


@forks
def test_when_the_fork_fails_the_jobs_run_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(os, "fork", no_fork)
    pid = tmp_path / "pid"
    with Aside([("pid", writes_pid(pid))]) as child:
        child.wait()
    assert int(pid.read_text(encoding="ascii")) == os.getpid()


@forks
def test_a_child_that_dies_is_one_line_naming_its_files() -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    dead = r"^report: the process writing graph.graphml, texts.parquet ended unexpectedly \(out of memory\?\)$"
    jobs = [("graph.graphml", die), ("texts.parquet", lambda: None)]
    with Aside(jobs, where="report") as child, pytest.raises(ReportError, match=dead):
        child.wait()


@forks
def test_failing_before_waiting_stops_the_child(tmp_path: Path) -> None:
    pid = tmp_path / "pid"

    def slow() -> None:
        pid.write_text(str(os.getpid()), encoding="ascii")
        time.sleep(60)

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the pages failed"), Aside([("slow", slow)]):
        while not pid.exists():
            time.sleep(0.01)
        raise RuntimeError("the pages failed")
    assert time.monotonic() - started < 30  # not the minute the child would have slept
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid.read_text(encoding="ascii")), 0)


PARENT = """
import os, signal, sys, time
from pathlib import Path
from provenance.report.aside import Aside

pid = Path(sys.argv[1])

def slow():
    pid.with_suffix(".tmp").write_text(str(os.getpid()), encoding="ascii")
    pid.with_suffix(".tmp").rename(pid)
    time.sleep(60)

with Aside([("slow", slow)]):
    while not pid.exists():
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie nobody reaped has ended too)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child ends with its parent on Linux")
def test_a_killed_parent_takes_its_child_with_it(tmp_path: Path) -> None:
    pid = tmp_path / "pid"
    ran = subprocess.run([sys.executable, "-c", PARENT, str(pid)], timeout=60, check=False)
    assert ran.returncode == -signal.SIGKILL
    child = int(pid.read_text(encoding="ascii"))
    deadline = time.monotonic() + 20
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)  # not sleeping out its minute, writing into a folder the next run removes


@forks
def test_start_runs_first_in_the_child(tmp_path: Path) -> None:
    """The writer records the child in the folder's marker before the child writes anything."""
    order = tmp_path / "order"

    def note(what: str):
        return lambda: order.open("a", encoding="ascii").write(f"{what} {os.getpid()}\n")

    with Aside([("file", note("job"))], start=note("start")) as child:
        child.wait()
    (first, start_pid), (second, job_pid) = (line.split() for line in order.read_text(encoding="ascii").splitlines())
    assert (first, second) == ("start", "job") and start_pid == job_pid != str(os.getpid())
