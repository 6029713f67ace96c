"""The local engine's pools: a worker that dies (killed, out of memory) stops the scan with one
error line (it used to leave the scan waiting for it for ever), and a failing task stops the
stage without waiting for the tasks still running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.memory import can_fork
from provenance.ownership import pid_alive

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


FAILING_BESIDE_A_LONG_TASK = """
import os, sys, time
from pathlib import Path
from provenance.engines.local import LocalEngine

pidfile = Path(sys.argv[1])

def task(docs, n):
    if n == 1:  # a long batch, running when the other fails
        pidfile.write_text(str(os.getpid()))
        time.sleep(600)
        return n
    while not pidfile.exists():
        time.sleep(0.01)
    raise ValueError("batch 0 failed")

try:
    list(LocalEngine(workers=2).map_documents(task, [], [0, 1], stage="align"))
except ValueError as err:
    print(err)
    sys.exit(3)
"""


@pytest.mark.skipif(not can_fork(), reason="the workers are forked")
def test_a_failing_task_ends_the_stage_without_waiting_for_the_running_ones(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    try:
        done = subprocess.run(
            [sys.executable, "-c", FAILING_BESIDE_A_LONG_TASK, str(pidfile)],
            capture_output=True,
            text=True,
            timeout=60,  # the pool used to wait for the 600 s task
        )
        assert done.returncode == 3, done.stderr
        assert done.stdout.strip() == "batch 0 failed"
        assert not pid_alive(int(pidfile.read_text()))
    finally:
        if pidfile.exists() and pid_alive(pid := int(pidfile.read_text())):
            os.kill(pid, signal.SIGKILL)


def test_origins_are_inferred_for_news_clusters_only() -> None:
    from provenance.credits import load_gazetteer
    from provenance.engines.local import LocalEngine
    from provenance.records import Cluster, Credit, Document, Occurrence

    text = "LONDON (Reuters) - Share prices rose on Monday in quiet trade."
    docs = [Document(i, f"d{i}", text, "x") for i in range(3)]
    credits = [Credit(i, "Reuters", 8, 15, "dateline", "document", 0, len(text)) for i in range(3)]

    def cluster(cid: str, category: str) -> Cluster:
        occurrences = tuple(Occurrence(f"p{i}", cid, i, 0, len(text), "cross-document") for i in range(3))
        return Cluster(cid, occurrences, boilerplate=category != "news", category=category)

    clusters = [cluster("c000001", "boilerplate"), cluster("c000002", "news")]
    origins = LocalEngine(workers=1).origins(clusters, docs, credits, load_gazetteer())
    assert [(o.cluster_id, o.agency) for o in origins] == [("c000002", "Reuters")]
