"""Write and read report folders. The only code that knows the report's file names.

A report is written into a temporary sibling folder and moved into place only when every
file is complete, so an interrupted run never leaves a report that looks finished, and a
failed run never destroys the report that was there before.
"""

from __future__ import annotations

import functools
import glob
import json
import logging
import os
import shutil
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.errors import ReportError
from provenance.memory import release_free_memory
from provenance.ownership import (
    MANIFEST,
    PARTIAL_MARKER,
    REPORT_FORMAT,
    dead_owner,
    is_within,
    load_manifest,
    manifest_kind,
    mark_partial,
    partial_owners,
    pid_alive,
    report_strangers,
)
from provenance.report.aside import Aside
from provenance.report.schemas import SCHEMA_VERSION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableBatches:
    """A table written one record batch (a row group) at a time, so that it is never held
    whole: ``batches()`` gives its rows in order, each batch of ``schema``."""

    schema: pa.Schema
    batches: Callable[[], Iterable[pa.RecordBatch]]


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
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{report_dir}: not a prov report (no {MANIFEST}); run `prov scan` first") from None
    except (OSError, ValueError, RecursionError) as err:
        raise ReportError(f"{path}: unreadable manifest ({str(err)[:200]})") from None
    if manifest_kind(data) != "report":
        raise ReportError(f"{path}: not a prov report manifest; run `prov scan` to write one")
    return data


def existing_table(report_dir: Path, name: str) -> Path:
    """The path of one report table (a file, or a folder of part files).

    Raises:
        ReportError: the report has no such table.
    """
    path = table_path(report_dir, name)
    if not path.exists():
        raise ReportError(f"{path}: missing from the report")
    return path


_READ_BUFFER = 1 << 20


def _streamed(file: Path) -> pq.ParquetFile:
    """A Parquet file read as a stream, 1 MiB at a time, not a row group's columns read ahead
    whole: going through the texts of 100,000 documents (row groups of 11 MB) took the process
    96 MB up at its peak that way, and 12-22 MB this way (with Arrow's pool handed back each slice)."""
    return pq.ParquetFile(file, buffer_size=_READ_BUFFER, pre_buffer=False)


def _table_files(path: Path) -> list[Path]:
    """The Parquet files of a table: itself, or its folder's part files. A folder of part files
    (the Spark engine's) holds its rows in part-name order; names starting with "." or "_" are
    not parts (checksums, markers, macOS's "._" files), as pyarrow.dataset has it."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.iterdir() if p.name.endswith(".parquet") and not p.name.startswith((".", "_")))


class TableRows:
    """The values of a report table's columns at chosen rows, read as a stream a slice of
    ``rows`` rows at a time, the last slice read of each column kept: asked for rows that go
    forward (the copies of each chunk of clusters in turn), a table's text column is read once
    in all and never held whole, nor even a row group of it. A row behind the kept slice reads
    its row group again from its start.

    Raises:
        ReportError: the table is missing or unreadable (when made, or when rows are read).
    """

    def __init__(self, report_dir: Path, name: str, rows: int = 2_048) -> None:
        self.path = existing_table(report_dir, name)
        self._groups: list[tuple[Path, int]] = []  # (file, row group), in row order
        self._starts: list[int] = []  # the first row of each
        self.names: set[str] = set()
        self.num_rows = 0
        self._rows = rows
        try:
            for file in _table_files(self.path):
                parquet = pq.ParquetFile(file)
                self.names.update(parquet.schema_arrow.names)
                for group in range(parquet.metadata.num_row_groups):
                    self._groups.append((file, group))
                    self._starts.append(self.num_rows)
                    self.num_rows += parquet.metadata.row_group(group).num_rows
        except (OSError, ValueError) as err:
            raise ReportError(f"{self.path}: unreadable ({err})") from None
        # Per column: its row group, the reader of its slices, and the slice read last and its first row.
        self._at: dict[str, tuple[int, Iterator[pa.RecordBatch], int, pa.Array]] = {}

    def _slice(self, name: str, row: int) -> tuple[int, pa.Array]:
        """The slice of column ``name`` holding ``row``, and its first row."""
        at = self._at.get(name)
        g = bisect_right(self._starts, row) - 1
        if at is None or at[0] != g or row < at[2]:
            self._at.pop(name, None)
            file, group = self._groups[g]
            reader = _streamed(file).iter_batches(batch_size=self._rows, row_groups=[group], columns=[name])
            at = (g, reader, self._starts[g], pa.array([], pa.null()))
        g, reader, first, values = at
        if row >= first + len(values):
            while row >= first + len(values):
                first += len(values)
                values = next(reader).column(0)
            pa.default_memory_pool().release_unused()  # the slices before, which Arrow's pool keeps
        self._at[name] = (g, reader, first, values)
        return first, values

    def values(self, name: str, rows: Sequence[int]) -> list[Any]:
        """Column ``name`` at ``rows`` (each in ``0..num_rows - 1``), as Python values."""
        out: list[Any] = [None] * len(rows)
        order = sorted(range(len(rows)), key=rows.__getitem__)
        try:
            k = 0
            while k < len(order):
                row = rows[order[k]]
                if not 0 <= row < self.num_rows:
                    raise ReportError(f"{self.path}: no row {row} ({self.num_rows} rows): the report's tables disagree")
                first, values = self._slice(name, row)
                j = k
                while j < len(order) and rows[order[j]] < first + len(values):
                    j += 1
                got = values.slice(row - first, rows[order[j - 1]] - row + 1).to_pylist()
                for i in order[k:j]:
                    out[i] = got[rows[i] - row]
                k = j
        except (OSError, ValueError, StopIteration, IndexError) as err:
            # StopIteration: fewer rows than the metadata says; IndexError: a part without the column
            self._at.pop(name, None)  # its reader may have moved on past the slice kept
            raise ReportError(f"{self.path}: unreadable ({err!r})") from None
        return out


def iter_table(
    report_dir: Path, name: str, columns: Iterable[str] | None = None, rows: int = 65_536
) -> Iterator[pa.Table]:
    """One report table a slice of up to ``rows`` rows at a time, in order, with only the
    ``columns`` it has of those named (all without ``columns``): the whole table is never held
    (``documents`` has a row per document of the corpus).

    Raises:
        ReportError: the table is missing or unreadable (possibly after some slices).
    """
    path = existing_table(report_dir, name)
    wanted = None if columns is None else list(columns)
    pool = pa.default_memory_pool()
    try:
        for file in _table_files(path):
            parquet = _streamed(file)
            names = None if wanted is None else [c for c in wanted if c in parquet.schema_arrow.names]
            for batch in parquet.iter_batches(batch_size=rows, columns=names):
                yield pa.Table.from_batches([batch])
                pool.release_unused()  # the slice's buffers, which Arrow's pool would keep
    except (OSError, ValueError) as err:
        raise ReportError(f"{path}: unreadable ({err})") from None
    release_free_memory()  # the reader's buffers, which Arrow's pool would keep (65 MB at 100k documents)


def read_table(report_dir: Path, name: str, columns: Sequence[str] | None = None) -> pa.Table:
    """One report table, whether written as a single file or as a folder of part files; only
    the ``columns`` it has of those named, when named.

    Raises:
        ReportError: the table is missing or unreadable.
    """
    path = existing_table(report_dir, name)
    try:
        # ParquetFile, not pq.read_table nor pyarrow.dataset: the dataset module is imported at
        # every start (30 ms of a seeds scan's 450), and reading a Spark report's folders of part
        # files through it took ``prov html`` 12 MB more at 200,000 documents. The files, in the
        # order ``iter_table`` and ``TableRows`` read them, so that rows are numbered alike.
        parts = []
        for file in _table_files(path):
            parquet = pq.ParquetFile(file)
            parts.append(parquet.read(columns=None if columns is None else _having(parquet.schema_arrow, columns)))
        if len(parts) == 1:
            return parts[0]
        if not parts:  # a folder without a part file: no row, and no column known
            return pa.table({})
        return pa.concat_tables(parts, promote_options="permissive")  # parts written apart may differ in nullability
    except (OSError, ValueError) as err:
        raise ReportError(f"{path}: unreadable ({err})") from None


def _having(schema: pa.Schema, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if c in schema.names]


def _same_run(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.get("inputs") == new.get("inputs") and old.get("parameters") == new.get("parameters")


def _real(out: Path) -> Path:
    # Work on the real folder: replacing a symlink's target keeps the link, and the temporary
    # folder then sits on the target's filesystem (a rename across filesystems fails).
    return Path(os.path.realpath(out))


def _check_nesting(out: Path, inputs: list[str]) -> None:
    for given in inputs:
        if "://" in given:  # a dataset URI read by Spark: not on this filesystem
            continue
        path = Path(given)
        if is_within(out, path):
            raise ReportError(
                f"{out}: --out is inside the input {path}; its files would be read back as input. "
                "Choose an --out outside the inputs"
            )
        if is_within(path, out):
            raise ReportError(f"{out}: the input {path} is inside --out; choose an --out that holds no input")


def _check_writable(folder: Path) -> None:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".prov-write-check-", dir=folder))
    except OSError as err:
        raise ReportError(
            f"{folder}: cannot write the report here ({err.strerror or err}); choose another --out"
        ) from None


def check_destination(out: Path, identity: dict[str, Any], force: bool) -> None:
    """Refuse to write anywhere but a new or empty folder or an earlier prov report that
    holds nothing else (of the same run, or with ``force`` of another run). Also restores a
    report an interrupted swap left aside (see ``recover``). Call it before a long run, and
    again when writing.

    ``identity`` holds the run's ``inputs`` and ``parameters`` (see ``manifest.run_identity``).

    Raises:
        ReportError: ``out`` is a file, a mount point, an input or inside one, holds an input,
            is a prov index, a non-empty folder that is not a prov report, a report with files
            prov did not write, or the report of a different run and ``force`` is false; or
            its parent folder cannot be written.
    """
    real = _real(out)
    _check_nesting(real, list(identity.get("inputs", [])))
    recover(real)
    if not real.exists():
        _check_writable(real.parent)
        return
    if not real.is_dir():
        raise ReportError(f"{out}: exists and is not a folder; choose another --out")
    if os.path.ismount(real):
        raise ReportError(f"{out}: is a mount point, which prov cannot swap a report into; choose a folder inside it")
    if any(real.iterdir()):
        _check_replaceable(out, real, identity, force)
    _check_writable(real.parent)


def _check_replaceable(out: Path, real: Path, identity: dict[str, Any], force: bool) -> None:
    data = load_manifest(real)
    kind = manifest_kind(data)
    if kind == "index":
        raise ReportError(f"{out}: is a prov index, which a report never replaces; choose another --out")
    if kind is None:
        what = f"its {MANIFEST} is not a prov report's" if (real / MANIFEST).exists() else "holds no prov report"
        raise ReportError(f"{out}: folder is not empty and {what}; choose another --out")
    strangers = report_strangers(real, data)
    if strangers:
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        raise ReportError(
            f"{out}: holds files that are not part of its prov report ({shown}); prov replaces only a folder "
            "holding nothing but its report. Move them, or choose another --out"
        )
    if not force and not _same_run(data, identity):
        raise ReportError(
            f"{out}: holds the report of a different run (other inputs or parameters); "
            "pass --force to replace it, or choose another --out"
        )


def _bare_report(folder: Path) -> bool:
    """Whether ``folder`` is a prov report holding nothing but its listed files."""
    data = load_manifest(folder)
    return manifest_kind(data) == "report" and not report_strangers(folder, data)


def recover(out: Path) -> list[Path]:
    """Tidy what interrupted writes of ``out`` left beside it, and return what was touched.

    A run killed between the two renames of a swap leaves ``out`` missing and the previous
    report under ``.NAME.old-PID``: it is put back. Superseded reports left under ``.old-*``
    and temporary ``.NAME.partial-*`` folders of processes that no longer run are removed;
    a leftover prov cannot prove it wrote is named in a warning and left alone.
    """
    parent = out.parent
    if not parent.is_dir():
        return []
    touched: list[Path] = []
    name = glob.escape(out.name)
    # A superseded report being removed (renamed .gone- first, so it is never put back): a removal
    # killed part way leaves its manifest, which lists what is left, or an empty folder.
    for gone in parent.glob(f".{name}.gone-*"):
        ours = gone.is_dir() and dead_owner(gone.name.rsplit("-", 1)[-1])
        if ours and (not any(gone.iterdir()) or _bare_report(gone)):
            remove_report(gone)
            log.info("removed %s, a report an interrupted run was removing", gone)
            touched.append(gone)
    olds = [p for p in parent.glob(f".{name}.old-*") if p.is_dir() and dead_owner(p.name.rsplit("-", 1)[-1])]
    olds = [p for p in olds if _bare_report(p)]
    if not out.exists() and olds:
        newest = max(olds, key=lambda p: p.stat().st_mtime)
        os.replace(newest, out)
        log.warning("%s: restored the report an interrupted run left in %s", out, newest.name)
        olds.remove(newest)
        touched.append(newest)
    for old in olds:
        retire(old)
        log.info("removed %s, a report an interrupted run had already replaced", old)
        touched.append(old)
    for partial in parent.glob(f".{name}.partial-*"):
        owners = partial_owners(partial)
        if owners is None:
            log.warning("%s: left by an interrupted write, but not provably prov's; not removed", partial)
        elif not any(pid_alive(owner) for owner in owners):
            shutil.rmtree(partial, ignore_errors=True)
            log.info("removed %s, left by an interrupted run", partial)
            touched.append(partial)
    return touched


AnyTable: TypeAlias = "pa.Table | TableBatches | Callable[[], pa.Table]"
"""A table to write: whole, a batch at a time, or a function that builds it when it is written
(so that a report's tables are held one at a time)."""


def write_report(
    out: Path,
    tables: dict[str, AnyTable],
    manifest: dict[str, Any],
    force: bool = False,
    extra_files: dict[str, Callable[[Path], None]] | None = None,
    aside: Collection[str] = (),
) -> Path:
    """Write a complete report folder atomically and return its path.

    A table given as a function is built when it is written and let go after, so that the
    tables are held one at a time. ``extra_files`` maps a file name to a function that writes
    it, in order, after the tables (graph exports, the HTML pages, which read the tables back
    from the folder being written: the parent of the path they are given). ``aside`` names
    tables and extra files that read nothing of the report (the graph exports, the texts): they
    are written by a forked child while this process writes the rest (``aside.Aside``).

    Raises:
        ReportError: see ``check_destination``; or the folder cannot be written (the report
            that was there, if any, is then unchanged).
    """
    check_destination(out, manifest, force)
    extra_files = extra_files or {}
    with staged_folder(out, "report") as tmp:
        paths = {name: table_path(tmp, name) for name in tables}
        side = [(paths[n].name, functools.partial(_write_table, tables[n], paths[n])) for n in tables if n in aside]
        side += [(n, functools.partial(extra_files[n], tmp / n)) for n in extra_files if n in aside]
        with Aside(side, where=str(out), start=functools.partial(mark_partial, tmp)) as child:
            for name, table in tables.items():
                if name not in aside:
                    _write_table(table, paths[name])
                    # What the table held, before the next one (and the pages) are built: kept,
                    # it was 32 MB of the Spark driver at 200,000 documents after the passages.
                    _release_free_memory()
            for name, writer in extra_files.items():
                if name not in aside:
                    writer(tmp / name)
            child.wait()
        files = sorted(p.name for p in tmp.iterdir() if p.name != PARTIAL_MARKER)
        manifest = {"format": REPORT_FORMAT, **manifest, "schema_version": SCHEMA_VERSION, "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _write_table(table: AnyTable, path: Path) -> None:
    if callable(table):
        table = table()
    if isinstance(table, pa.Table):
        pq.write_table(table, path, compression="zstd")
        return
    with pq.ParquetWriter(path, table.schema, compression="zstd") as parquet:
        for batch in table.batches():
            parquet.write_batch(batch)


@contextmanager
def staged_folder(out: Path, what: str) -> Iterator[Path]:
    """A temporary folder beside ``out`` (marked with this process's pid) to write a folder
    into: swapped into place when the block ends, removed with everything in it when the block
    fails, so that what was at ``out`` is then unchanged. ``what`` names the folder in errors.

    Raises:
        ReportError: the folder cannot be created, written or swapped in.
    """
    real = _real(out)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{real.name}.partial-", dir=real.parent))
        mark_partial(tmp)
    except OSError as err:
        raise ReportError(f"{out}: cannot create the {what} folder ({err.strerror or err})") from None
    try:
        yield tmp
        _swap_into_place(tmp, real)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ReportError(
            f"{out}: cannot write the {what} ({err.strerror or err}); anything that was there is unchanged"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _release_free_memory() -> None:
    """Give the memory this process has freed back to the system (Arrow's pool, and the C
    library's where it can be asked), so that the pages built after the tables do not sit on
    top of what the tables held."""
    pa.default_memory_pool().release_unused()
    release_free_memory()


def _swap_into_place(tmp: Path, out: Path) -> None:
    # A kill between the two renames leaves the previous report under .NAME.old-PID: `recover`
    # puts it back on the next run.
    (tmp / PARTIAL_MARKER).unlink()
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
    retire(old)


def retire(old: Path) -> None:
    """Delete a superseded report (``.NAME.old-PID``): renamed ``.NAME.gone-PID`` first, so that a
    removal killed part way is finished by ``recover``, never taken for the report to restore."""
    gone = old.with_name(old.name.replace(".old-", ".gone-", 1))
    os.replace(old, gone)
    remove_report(gone)


def remove_report(folder: Path) -> None:
    """Delete a report folder, its manifest last: a removal killed part way leaves a folder
    ``recover`` can still prove is prov's (its manifest lists what is left), or an empty one."""
    for child in folder.iterdir():
        if child.name != MANIFEST:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:  # something the listing did not hold (a file written in between): left
        log.warning("%s: not empty after its report was removed; left alone", folder)
