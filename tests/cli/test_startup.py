"""What a run of ``prov`` imports: each command only its own library, and no pandas (issue 13:
startup and report writing under 0.5 s at seeds scale). Each check runs ``prov`` in a fresh
interpreter, since this test process has imported everything already."""

from __future__ import annotations

import gc
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

# Runs `prov ARGS...`, then prints the modules it imported, one a line.
RUN = """
import sys
from prov_cli.main import app
try:
    app(sys.argv[1:])
except SystemExit as exit:
    if exit.code:
        raise
print("\\n".join(sorted(sys.modules)))
"""

# Machinery of other commands (dedup, index, export, html rebuild).
OTHER_COMMANDS = (
    "provenance.dedup.run",
    "provenance.dedup.output",
    "provenance.index",
    "provenance.report.export",
    "provenance.report.html.rebuild",
)


def imported(*args: object, cwd: Path | None = None) -> tuple[set[str], str]:
    """The modules a ``prov`` run imports (its own process only), and its stderr with
    ``-X importtime`` (which forked children write to as well)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", RUN, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split()), done.stderr


def test_help_imports_no_command_library() -> None:
    modules, _ = imported("--help")
    assert not modules & {*OTHER_COMMANDS, "provenance.pipeline", "provenance.report", "pyarrow"}


def test_scan_imports_only_what_it_uses(seeds_dir: Path, tmp_path: Path) -> None:
    modules, _ = imported("scan", seeds_dir, "--out", tmp_path / "report", "--quiet")
    assert "provenance.report.scan_report" in modules  # the run did write a report
    assert not modules & set(OTHER_COMMANDS)
    assert "rich.console" not in modules  # a quiet run that goes well prints nothing
    # Reading the tables back for the pages needs neither the datasets machinery nor Arrow's
    # compute functions (30 and 35 ms to import).
    assert not modules & {"pyarrow.dataset", "pyarrow.compute"}


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
@pytest.mark.parametrize("kind", ["text files", "parquet"])
def test_scan_never_imports_pandas(kind: str, seeds_dir: Path, tmp_path: Path) -> None:
    # pyarrow imports pandas, when installed, at its first conversion of Python values and with
    # pyarrow.dataset (a Parquet input): 0.3 s. Neither the scan nor its forked HTML page writer may.
    inputs = seeds_dir
    if kind == "parquet":
        rows = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(seeds_dir.glob("*.txt"))]
        inputs = tmp_path / "seeds.parquet"
        pq.write_table(pa.Table.from_pylist(rows), inputs)
    modules, importtime = imported("scan", inputs, "--out", tmp_path / "report", "--quiet")
    assert (tmp_path / "report" / "index.html").exists()
    assert "pandas" not in modules
    # importtime lists what every process imported (pandas itself is listed for each look that
    # found it blocked; a real import lists its parts).
    listed = [line.rsplit("|", 1)[-1].strip() for line in importtime.splitlines() if line.startswith("import time:")]
    assert "numpy" in listed
    assert not [name for name in listed if name.startswith("pandas.")]


def test_the_console_script_leaves_its_objects_to_the_exit_not_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    # The interpreter collects again and again as it tears its modules down: 50 ms of a small scan.
    from prov_cli.main import run

    monkeypatch.setattr(sys, "argv", ["prov", "--version"])
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")  # what run() sets, undone after the test
    assert gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit):
            run()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


# Runs `prov --version` through the console-script entry point, then names Arrow's memory pool.
POOL = """
import sys
from prov_cli.main import run
sys.argv = ["prov", "--version"]
try:
    run()
except SystemExit:
    pass
import pyarrow as pa
print(pa.default_memory_pool().backend_name)
"""


@pytest.mark.parametrize(("given", "expected"), [(None, "system"), ("mimalloc", "mimalloc")])
def test_the_console_script_gives_arrow_the_system_allocator_unless_told_another(
    given: str | None, expected: str
) -> None:
    # Arrow's mimalloc kept 50 MB of freed pages in a Reuters scan; a user's own choice stands.
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if given is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = given
    done = subprocess.run([sys.executable, "-c", POOL], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == expected
