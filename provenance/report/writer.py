"""Write and read report folders. The only code that knows the report's file names.

A report is written into a temporary sibling folder and moved into place only when every
file is complete, so an interrupted run never leaves a report that looks finished, and a
failed run never destroys the report that was there before.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.errors import ReportError
from provenance.report.schemas import SCHEMA_VERSION

MANIFEST = "manifest.json"


def table_path(report_dir: Path, name: str) -> Path:
    """Where table ``name`` lives in a report folder (a file, or a folder of part files)."""
    return report_dir / f"{name}.parquet"


def read_manifest(report_dir: Path) -> dict[str, Any]:
    """The manifest of a finished report.

    Raises:
        ReportError: the folder holds no finished report.
    """
    path = report_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{report_dir}: not a prov report (no {MANIFEST}); run `prov scan` first") from None
    except (OSError, json.JSONDecodeError) as err:
        raise ReportError(f"{path}: unreadable manifest ({err})") from None


def read_table(report_dir: Path, name: str) -> pa.Table:
    """One report table, whether written as a single file or as a folder of part files.

    Raises:
        ReportError: the table is missing or unreadable.
    """
    path = table_path(report_dir, name)
    if not path.exists():
        raise ReportError(f"{path}: missing from the report")
    try:
        if path.is_dir():  # a Parquet dataset written as part files (the Spark engine)
            import pyarrow.dataset as ds  # imported here: it loads pandas, 0.1 s at every start

            return ds.dataset(str(path), format="parquet").to_table()
        return pq.read_table(path)
    except (OSError, ValueError) as err:
        raise ReportError(f"{path}: unreadable ({err})") from None


def _same_run(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.get("inputs") == new.get("inputs") and old.get("parameters") == new.get("parameters")


def check_destination(out: Path, identity: dict[str, Any], force: bool) -> None:
    """Refuse to replace anything but an earlier report of the same run (or, with ``force``,
    of another run). Call it before a long run, and again when writing.

    ``identity`` holds the run's ``inputs`` and ``parameters`` (see ``manifest.run_identity``).

    Raises:
        ReportError: ``out`` is a file, a non-empty folder that is not a prov report, or the
            report of a different run and ``force`` is false.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise ReportError(f"{out}: exists and is not a folder; choose another --out")
    if not any(out.iterdir()):
        return
    if not (out / MANIFEST).exists():
        raise ReportError(f"{out}: folder is not empty and holds no prov report; choose another --out")
    if not force and not _same_run(read_manifest(out), identity):
        raise ReportError(
            f"{out}: holds the report of a different run (other inputs or parameters); "
            "pass --force to replace it, or choose another --out"
        )


def write_report(
    out: Path,
    tables: dict[str, pa.Table],
    manifest: dict[str, Any],
    force: bool = False,
    extra_files: dict[str, Callable[[Path], None]] | None = None,
) -> Path:
    """Write a complete report folder atomically and return its path.

    ``extra_files`` maps a file name to a function that writes it (graph exports).

    Raises:
        ReportError: see ``check_destination``; or the folder cannot be written.
    """
    check_destination(out, manifest, force)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    except OSError as err:
        raise ReportError(f"{out}: cannot create the report folder ({err.strerror or err})") from None
    try:
        for name, table in tables.items():
            pq.write_table(table, table_path(tmp, name), compression="zstd")
        for name, writer in (extra_files or {}).items():
            writer(tmp / name)
        manifest = {**manifest, "schema_version": SCHEMA_VERSION, "files": sorted(p.name for p in tmp.iterdir())}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_into_place(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        os.replace(old, out)  # put the previous report back
        raise
    shutil.rmtree(old, ignore_errors=True)
