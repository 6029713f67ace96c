"""The Spark engine on a real Spark standalone cluster: a master and two workers (1 core, 1 GB
each) on 127.0.0.1, started from the scripts pyspark ships, with ``prov scan --engine spark
--spark-master spark://...`` run against them in a child process. Executors are separate JVMs
with their own Python workers, so anything that only worked because driver and executors
shared one process (local files, temp folders, environment) fails here and not in local mode.

The report must be the local engine's. The cluster is stopped after the module, also when a
test fails; a failure attaches the master's, the workers' and the executors' logs.

Figures: the test prints the cluster's start time and the scan's time (``pytest -s``); with
``PROV_SPARK_COMPARE_LOCAL=1`` it also runs the same scan in ``local[*]`` (see docs/spark.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.textbase import reuters_folder
from provenance.report import read_graph

pyspark = pytest.importorskip("pyspark", reason="the Spark cluster test needs the spark extra: prov[spark]")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
SPARK_HOME = Path(pyspark.__file__).parent
PROV = Path(sys.executable).with_name("prov")
WORKERS = 2
START_TIMEOUT = 120.0  # seconds for the master and both workers to come up
SCAN_TIMEOUT = 900.0
LOG_TAIL = 6000  # characters of each log attached to a failure


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports free on 127.0.0.1 right now (the sockets are held until all are picked)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def stop_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop a process started in its own session and everything in its process group (a Spark
    daemon's executors and their Python workers; a driver's JVM): SIGTERM, then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; children left in its group (executors) get the same signal.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        break


def tail(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else "(no file)"
    return text[-LOG_TAIL:]


@dataclass
class Cluster:
    """A running standalone cluster: its master URL, its processes and where their logs are."""

    root: Path
    url: str = ""
    ui_port: int = 0
    start_seconds: float = 0.0
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The environment of every Spark process here: loopback only, all state under ``root``."""
        env = dict(os.environ)
        env.update(
            SPARK_HOME=str(SPARK_HOME),
            SPARK_LOCAL_IP="127.0.0.1",
            SPARK_CONF_DIR=str(self.root / "conf"),  # empty: no spark-defaults or spark-env from elsewhere
            SPARK_WORKER_DIR=str(self.root / "work"),  # not $SPARK_HOME/work, inside the venv
            SPARK_LOCAL_DIRS=str(self.root / "local"),
            SPARK_DAEMON_MEMORY="256m",
            # A port taken between free_ports() and the bind must fail the start (and be retried
            # with new ports), not move the master to another port the workers do not know.
            SPARK_MASTER_OPTS="-Dspark.port.maxRetries=0",
            SPARK_WORKER_OPTS="-Dspark.port.maxRetries=0",
        )
        return env

    def spawn(self, name: str, *args: str) -> None:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 - the process owns it
        self.procs[name] = subprocess.Popen(
            [str(SPARK_HOME / "bin" / "spark-class"), *args],
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop_group reaches its executors
        )
        log.close()

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=5) as response:
            return json.load(response)

    def logs(self) -> str:
        """The daemons' logs and every executor's stderr, tail first, for a failure message."""
        parts = [f"--- {path.name} ---\n{tail(path)}" for path in sorted(self.root.glob("*.log"))]
        parts += [
            f"--- executor {path.relative_to(self.root)} ---\n{tail(path)}"
            for path in sorted((self.root / "work").glob("app-*/*/stderr"))
        ]
        return "\n".join(parts)

    def start(self) -> None:
        """Start the master and the workers; return once the master lists every worker alive.

        Raises:
            pytest.fail.Exception: a daemon died or the workers did not register in time.
        """
        for folder in ("conf", "work", "local"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        port, self.ui_port, *worker_ui = free_ports(2 + WORKERS)
        self.url = f"spark://127.0.0.1:{port}"
        self.spawn(
            "master",
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(self.ui_port)),
        )
        for i, ui in enumerate(worker_ui, 1):
            self.spawn(
                f"worker{i}",
                "org.apache.spark.deploy.worker.Worker",
                self.url,
                *("--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", str(ui)),
                *("--work-dir", str(self.root / "work")),
            )
        alive = -1
        while time.monotonic() - began < START_TIMEOUT:
            dead = {name: p.returncode for name, p in self.procs.items() if p.poll() is not None}
            if dead:
                raise RuntimeError(f"Spark daemons exited while starting: {dead}")
            try:
                status = self.status()
            except OSError:  # the master's web UI is not up yet
                status = {}
            alive = status.get("aliveworkers", -1)
            if status.get("url") == self.url and alive == WORKERS:
                self.start_seconds = time.monotonic() - began
                return
            time.sleep(0.5)
        raise TimeoutError(f"{alive} of {WORKERS} workers registered with {self.url} after {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):  # workers (and their executors) first
            stop_group(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A standalone master and two workers on 127.0.0.1 (ports chosen now; a clash with another
    program is retried with new ports), stopped after the module whatever happens."""
    errors = []
    for attempt in range(3):
        running = Cluster(tmp_path_factory.mktemp(f"spark-cluster-{attempt}"))
        try:
            running.start()
        except (RuntimeError, TimeoutError) as err:
            running.stop()
            errors.append(f"attempt {attempt + 1}: {err}\n{running.logs()}")
            continue
        try:
            yield running
        finally:
            running.stop()
        return
    pytest.fail("could not start a Spark standalone cluster on 127.0.0.1:\n" + "\n".join(errors), pytrace=False)


def corpus() -> list[Path]:
    """The seeds and a Reuters-21578 file (1,000 wire stories), or the input fixtures without it:
    the test runs either way, so it looks the folder up itself rather than through the
    ``reuters_dir`` fixture, which would skip it."""
    reuters = reuters_folder() / "reut2-000.sgm"
    return [ROOT / "seeds", reuters if reuters.is_file() else ROOT / "fixtures" / "inputs"]


def run_scan(args: list[str], env: dict[str, str], what: str, logs: Callable[[], str] = str) -> float:
    """Run ``prov scan`` in a child process in its own process group; its wall time in seconds.

    A failure or a timeout fails the test with prov's output and ``logs()``; the child, its
    Spark driver JVM and their Python workers never outlive the call."""
    began = time.monotonic()
    proc = subprocess.Popen(
        [str(PROV), "scan", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=SCAN_TIMEOUT)
    except subprocess.TimeoutExpired:
        stop_group(proc, grace=5.0)
        output, _ = proc.communicate()
        pytest.fail(f"{what} took over {SCAN_TIMEOUT:.0f} s:\n{output.decode(errors='replace')}\n{logs()}")
    finally:
        if proc.poll() is None:
            stop_group(proc, grace=5.0)
    seconds = time.monotonic() - began
    if proc.returncode != 0:
        pytest.fail(f"{what} exited with {proc.returncode}:\n{output.decode(errors='replace')}\n{logs()}")
    return seconds


def driver_env() -> dict[str, str]:
    """The driver's environment: without ``PYSPARK_PYTHON``, so that the executors' Python is
    the one ``--conf spark.pyspark.python`` names; the driver listens on 127.0.0.1 only."""
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    env.pop("PYSPARK_PYTHON", None)
    return env


SPARK_ARGS = [
    # The executors' Python workers run this interpreter (the venv, where prov is installed).
    *("--conf", f"spark.pyspark.python={sys.executable}"),
    *("--conf", "spark.driver.host=127.0.0.1"),
    *("--conf", "spark.driver.bindAddress=127.0.0.1"),
    *("--conf", "spark.executor.memory=1g"),
    *("--conf", "spark.sql.shuffle.partitions=4"),
]


def test_prov_scan_on_a_standalone_cluster_writes_the_local_report(
    runner, cluster: Cluster, tmp_path: Path, same_report
) -> None:
    inputs = corpus()
    local_out, cluster_out = tmp_path / "local", tmp_path / "cluster"
    result = runner("scan", *inputs, "--out", local_out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output

    args = [*map(str, inputs), "--out", str(cluster_out), "--quiet", "--engine", "spark"]
    seconds = run_scan(
        [*args, "--spark-master", cluster.url, *SPARK_ARGS], driver_env(), f"prov scan on {cluster.url}", cluster.logs
    )
    ran = {path.parent.parent.name for path in (cluster.root / "work").glob("app-*/*/stderr")}
    assert ran, f"no executor ran on the cluster:\n{cluster.logs()}"
    same_report(cluster_out, local_out)
    manifest = json.loads((cluster_out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "spark"
    figures = f"cluster start {cluster.start_seconds:.1f} s, scan on {WORKERS} workers {seconds:.1f} s"

    if os.environ.get("PROV_SPARK_COMPARE_LOCAL"):
        local_spark_out = tmp_path / "local-spark"
        args = [*map(str, inputs), "--out", str(local_spark_out), "--quiet", "--engine", "spark"]
        local_seconds = run_scan(
            [*args, "--spark-master", "local[*]", "--conf", "spark.sql.shuffle.partitions=4"],
            driver_env(),
            "prov scan in local[*]",
        )
        same_report(local_spark_out, local_out)
        figures += f", scan in local[*] {local_seconds:.1f} s"
    print(f"\nspark standalone ({', '.join(p.name for p in inputs)}): {figures}")


def test_a_parquet_dataset_read_by_the_executors_gives_the_local_report(
    runner, cluster: Cluster, seeds_dir: Path, tmp_path: Path, report_rows
) -> None:
    # A dataset is read by the executors, not the driver: its path must mean the same to them.
    folder = tmp_path / "corpus.parquet"  # a folder of part files, as Spark and Hive write them
    folder.mkdir()
    rows = [{"id": f.name, "text": f.read_text(encoding="utf-8")} for f in sorted(seeds_dir.glob("*.txt"))]
    pq.write_table(pa.Table.from_pylist(rows[:2]), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(rows[2:]), folder / "part-00001.parquet")
    local_out, cluster_out = tmp_path / "local", tmp_path / "cluster"
    result = runner("scan", folder, "--out", local_out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output

    # Checkpoints in a directory both workers reach (test_spark_checkpoint.py: they are used).
    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    args = [str(folder), "--out", str(cluster_out), "--quiet", "--engine", "spark", "--spark-master", cluster.url]
    args += ["--conf", f"spark.checkpoint.dir={checkpoints}"]
    run_scan([*args, *SPARK_ARGS], driver_env(), f"prov scan of a dataset on {cluster.url}", cluster.logs)
    assert list(checkpoints.iterdir()) == [], "the session's checkpoint folder is removed at the end"
    got, expected = report_rows(cluster_out), report_rows(local_out)
    for row in got["documents"]:  # Spark names the files it read by URI (docs/spark.md, Inputs)
        row["source"] = row["source"].removeprefix("file:")
    assert got == expected
    assert read_graph(cluster_out) == read_graph(local_out)
