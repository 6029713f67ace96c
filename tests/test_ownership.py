"""What prov recognises as its own leftovers: a pid in a name proves a dead owner only when it
is a pid, whatever text the name holds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance.ownership import dead_owner, pid_alive


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
