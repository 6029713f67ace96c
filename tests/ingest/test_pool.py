"""The readers' fork pool: a worker that dies is one error line naming what it read, a pool
left after a failure ends its running workers at once, and the parent's objects stay frozen
(out of collections) only while the pool lives."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from provenance.errors import EngineError
from provenance.ingest.pool import ForkPool, broken, can_fork, result
from provenance.ownership import pid_alive

pytestmark = pytest.mark.skipif(not can_fork(), reason="the readers' pools fork")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer ends a worker


def _twice(x: int) -> int:
    return 2 * x


def test_a_worker_that_dies_is_one_error_naming_the_file() -> None:
    with ForkPool(2) as pool, pytest.raises(EngineError) as err:
        result(pool, pool.submit(_die), "feeds/big.jsonl")
    assert str(err.value) == "feeds/big.jsonl: the process reading it ended unexpectedly (out of memory?)"


def test_objects_are_frozen_while_the_pool_lives() -> None:
    before = gc.get_freeze_count()
    pool = ForkPool(2)
    try:
        assert gc.get_freeze_count() > before
        assert result(pool, pool.submit(_twice, 21), "x") == 42
    finally:
        pool.shutdown()
    assert gc.get_freeze_count() == before
    pool.shutdown()  # a second shutdown is harmless
    assert gc.get_freeze_count() == before


def _sleeper(pidfile: str) -> int:
    with open(pidfile, "w", encoding="ascii") as out:
        out.write(str(os.getpid()))
    time.sleep(600)
    return 0


class _Unreadable:
    """Pickles in the worker, fails to unpickle in the parent."""

    def __reduce__(self) -> tuple:
        return (_refuse, ())


def _refuse() -> None:
    raise ValueError("no such field")


def _unreadable() -> _Unreadable:
    return _Unreadable()


def _pid_of(pidfile: Path) -> int:
    for _ in range(3000):  # the worker writes it as its task starts
        if pidfile.exists() and pidfile.read_text():
            return int(pidfile.read_text())
        time.sleep(0.01)
    raise AssertionError("the task never started")


def test_a_pool_left_by_an_error_ends_its_running_workers_instead_of_waiting(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    with pytest.raises(KeyError), ForkPool(2) as pool:
        running = pool.submit(_sleeper, str(pidfile))
        pid = _pid_of(pidfile)
        assert pid_alive(pid)
        raise KeyError("a failure beside the running task")  # the 600 s task is not waited for
    assert running.done()
    assert not pid_alive(pid)


def test_a_result_that_cannot_be_read_back_is_not_called_out_of_memory() -> None:
    with ForkPool(2) as pool, pytest.raises(EngineError) as err:
        result(pool, pool.submit(_unreadable), "feeds/odd.jsonl")
    message = str(err.value)
    assert message.startswith("feeds/odd.jsonl: the process reading it sent back a result that could not be read (")
    assert "no such field" in message
    assert "out of memory" not in message


HALF_SENT = """
import time
from provenance.ingest.pool import ForkPool

def big(_):
    return b"x" * (64 << 20)

pool = ForkPool(2)
futures = [pool.submit(big, i) for i in range(2)]
time.sleep(0.05)
busy = time.time()
while time.time() - busy < 0.5:  # the parent at work (parsing rows) while the results come
    pass
pool.finish(done=False)
print("finished")
"""


def test_ending_workers_while_they_send_a_result_does_not_hang_the_pool() -> None:
    done = subprocess.run([sys.executable, "-c", HALF_SENT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "finished"


def test_a_dead_worker_named_by_a_later_python_is_still_a_dead_worker() -> None:
    err = BrokenProcessPool("A process in the process pool was terminated abruptly")
    err.__cause__ = Exception("Process 1234 terminated abruptly with exit code -9")
    assert str(broken(err, "x.jsonl: the process reading it")) == (
        "x.jsonl: the process reading it ended unexpectedly (out of memory?)"
    )
    err.__cause__ = Exception("'''\nTraceback (most recent call last):\nMemoryError: out of memory\n'''")
    assert "ended unexpectedly (out of memory?)" in str(broken(err, "x"))
    err.__cause__ = Exception("'''\nTraceback (most recent call last):\nEOFError\n'''")  # every writer gone
    assert "ended unexpectedly (out of memory?)" in str(broken(err, "x"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_dies_with_its_parent(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = (
        "import sys, time\n"
        "from provenance.ingest.pool import ForkPool\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from test_pool import _sleeper\n"
        "pool = ForkPool(1)\n"
        "pool.submit(_sleeper, sys.argv[1])\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(pidfile), str(Path(__file__).parent)])
    try:
        worker = _pid_of(pidfile)
        assert pid_alive(worker)
    finally:
        parent.kill()  # the parent alone, as a kill of its group that a fork escaped
        parent.wait()
    deadline = time.monotonic() + 10
    while pid_alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not pid_alive(worker)
    finally:
        if pid_alive(worker):
            os.kill(worker, signal.SIGKILL)


KILLED_WHILE_SENDING = """
import os, signal, sys, time
from concurrent.futures.process import BrokenProcessPool
from provenance.ingest.pool import ForkPool

def big(_):
    return b"x" * (64 << 20)

def idle(_):
    time.sleep(600)

pool = ForkPool(3)
other = ForkPool(1)  # a second pool forked after the first: its worker must not hold its pipe
futures = [pool.submit(big, 0), pool.submit(big, 1), pool.submit(idle, 2)]
other.submit(idle, 0)
time.sleep(0.05)
busy = time.time()
while time.time() - busy < 0.5:  # the parent at work while the results come
    pass
senders = [w for w in pool._processes.values()][: int(sys.argv[1])]
for worker in senders:  # as the kernel's out-of-memory killer ends a worker while it sends
    os.kill(worker.pid, signal.SIGKILL)
try:
    for future in futures[:2]:
        pool.result(future)
    print("all read")
except BrokenProcessPool:
    print("broken")
finally:
    pool.finish(done=False)
    other.finish(done=False)
"""


@pytest.mark.parametrize("killed", [1, 3])
def test_a_worker_killed_while_sending_is_a_broken_pool_not_a_wait(killed: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_SENDING, str(killed)], capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in ("broken", "all read")  # a kill after both results were read: nothing lost
