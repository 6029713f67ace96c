"""Where a scan's report takes its memory: runs ``prov`` in this process and prints, around each
report table and each extra file (graph files, the pages), the process's resident memory and
its peak since the previous mark.

    python benchmarks/report_phases.py scan CORPUS -o OUT --force --quiet

Each stage of detection is marked, and the engine's result documents apart (the Spark engine
collects the documents with a passage there). Each mark also says what Arrow's buffers hold,
and, run with ``PYTHONTRACEMALLOC=1`` (slower), what Python's objects hold: the rest of the
resident memory is the interpreter, its libraries, and the C heap's free but kept pages. Linux only: it reads
``/proc/self/status`` and resets the peak through ``/proc/self/clear_refs``. The figures are
this process's; the scan's forked workers are not in them (``run.py`` measures the tree), and
the files a local scan's report child writes are marked with the child's own.
"""

from __future__ import annotations

import os
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in MB."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) // 1024
    return found


_MAIN = os.getpid()


def mark(what: str) -> None:
    """Print the memory now and the peak since the last mark, then start a new peak. A mark made
    in the report's forked child (``provenance/report/aside.py``) gives the child's memory."""
    now = _status()
    what = what if os.getpid() == _MAIN else f"{what} [child]"
    line = f"{what:30s} now {now['VmRSS']:7,d} MB   peak since last {now['VmHWM']:7,d} MB"
    if "pyarrow" in sys.modules:  # what Arrow's buffers hold of it
        line += f"   arrow {sys.modules['pyarrow'].total_allocated_bytes() / 1e6:6.1f} MB"
    if tracemalloc.is_tracing():  # what Python's objects hold of it (PYTHONTRACEMALLOC=1: slower)
        line += f"   python {tracemalloc.get_traced_memory()[0] / 1e6:6.1f} MB"
    print(line, file=sys.stderr, flush=True)
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")  # resets VmHWM


def _instrument() -> None:
    import provenance.report.scan_report as scan_report
    import provenance.report.writer as writer

    write_table = writer._write_table
    writer._write_table = lambda table, path: _marked(write_table, path.name)(table, path)
    write_report = scan_report.write_report

    def marked_report(out: Path, tables: dict, manifest: dict, extra_files: Any = None, **options: Any) -> Path:
        extra = {name: _marked(write, name) for name, write in (extra_files or {}).items()}
        return write_report(out, tables, manifest, extra_files=extra, **options)

    scan_report.write_report = marked_report

    # The engine's result documents (the Spark engine collects the documents with a passage):
    # marked apart, so that the first line's peak is detection's alone.
    import provenance.engines.base as base

    engines = [base.Engine]
    if "spark" in sys.argv:
        import provenance.engines.spark as spark

        engines.append(spark.SparkEngine)
    for engine in engines:
        engine.result_documents = _marked(engine.result_documents, "result documents")

    # Each stage of detection marked too, so that its peak is split by stage.
    from contextlib import contextmanager

    import provenance.timing as timing

    stage = timing.StageTimer.stage

    @contextmanager
    def marked_stage(self: timing.StageTimer, name: str, *args: Any, **kwargs: Any) -> Any:
        mark(f"before {name}")
        with stage(self, name, *args, **kwargs):
            yield
        mark(f"after {name}")

    timing.StageTimer.stage = marked_stage  # type: ignore[method-assign,assignment]


def _marked(method: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``method`` with a mark before and after it."""

    def run(*args: Any, **kwargs: Any) -> Any:
        mark(f"before {name}")
        out = method(*args, **kwargs)
        mark(f"after {name}")
        return out

    return run


def main(argv: list[str] | None = None) -> None:
    # As the prov command sets it (cli/main.py), before anything here imports Arrow.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    _instrument()
    from prov_cli.main import run

    sys.argv = ["prov", *(argv if argv is not None else sys.argv[1:])]
    run()


if __name__ == "__main__":
    main()
