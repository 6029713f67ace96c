"""The local engine's pools: a worker that dies (killed, out of memory) stops the scan with one
error line; it used to leave the scan waiting for it for ever."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from provenance.memory import can_fork

KILLED_IN_ALIGN = """
import os, signal, sys
from pathlib import Path
from provenance.config import ScanConfig
from provenance.engines import local
from provenance.engines.local import LocalEngine
from provenance.errors import EngineError
from provenance.pipeline import scan

def dying(shared, args):  # as the kernel's out-of-memory killer ends a worker
    os.kill(os.getpid(), signal.SIGKILL)

local._align_task = dying
try:
    scan([Path(sys.argv[1])], ScanConfig(), engine=LocalEngine(workers=2, batch_pairs=1))
except EngineError as err:
    print(err)
    sys.exit(3)
"""


@pytest.mark.skipif(not can_fork(), reason="the workers are forked")
def test_a_worker_killed_mid_stage_is_one_error_not_a_hang(seeds_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_IN_ALIGN, str(seeds_dir)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip() == (
        "a worker process of the align stage ended unexpectedly (out of memory?); fewer --workers hold less memory"
    )
