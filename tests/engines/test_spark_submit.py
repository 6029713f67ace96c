"""prov under ``spark-submit`` (``cli/spark_submit.py``): the session is the one spark-submit
describes, its master and its settings, and a scan writes its report as ``prov scan`` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SUBMIT = [
    str(BIN / "spark-submit"),
    "--master",
    "local[1]",
    "--name",
    "news-2024",
    "--conf",
    "spark.sql.shuffle.partitions=3",
    "--conf",
    "spark.driver.host=127.0.0.1",
    "--conf",
    "spark.driver.bindAddress=127.0.0.1",
]
SESSION = """
from provenance.engines.spark_session import start_session
session, _ = start_session(None, {})
context = session.sparkContext
conf = context.getConf()
settings = (conf.get("spark.sql.shuffle.partitions"), conf.get("spark.ui.enabled"))
print("session", context.master, context.appName, *settings)
session.stop()
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYSPARK_PYTHON": sys.executable}


def test_the_session_takes_spark_submits_master_and_settings(tmp_path: Path) -> None:
    script = tmp_path / "session.py"
    script.write_text(SESSION, encoding="utf-8")
    done = subprocess.run([*SUBMIT, str(script)], capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    # local[1], the name and 3 partitions are spark-submit's (prov's defaults: local[*], "prov"
    # and 2 per core); the web UI stays off, prov's default where spark-submit says nothing.
    assert "session local[1] news-2024 3 false" in done.stdout.splitlines()


def test_a_scan_under_spark_submit_writes_its_report(seeds_dir: Path, tmp_path: Path) -> None:
    import prov_cli.spark_submit as app

    out = tmp_path / "report"
    done = subprocess.run(
        [*SUBMIT, app.__file__, "scan", str(seeds_dir), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "manifest.json").is_file() and (out / "index.html").is_file()
