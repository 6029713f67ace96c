"""Export a report's tables for spreadsheets, R, SPSS, Datasette and ``sqlite3``.

``export_csv`` writes a folder with one UTF-8 CSV per table (a header row, columns in the
report's order), a copy of the report's ``manifest.json`` and the marker ``prov-export.json``;
``export_sqlite`` writes one SQLite file with a table per report table, an index on every id
column and a ``prov_manifest`` table. Every Parquet table the report's manifest lists is
exported, whatever its name, so tables added to the report later need no change here.

Values are written as plain types (``plain_type``): integers, floats, booleans (``true`` and
``false`` in CSV, 1 and 0 in SQLite), text; timestamps and dates as ISO 8601 text; lists,
structs and maps as JSON text; binary as base64. A null is an empty CSV cell (an empty string
is written ``""``) and NULL in SQLite. Tables are written a record batch at a time.

Like a report, an export is written to a temporary sibling and renamed into place only when
complete. It replaces nothing but an earlier prov export (recognised by its marker), and that
only with ``force``. See docs/exports.md.
"""

from __future__ import annotations

import base64
import glob
import json
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from provenance import __version__
from provenance.errors import ReportError
from provenance.ownership import MANIFEST, PARTIAL_MARKER, dead_owner, default_mode, is_within, report_strangers
from provenance.report.writer import _real, read_manifest, read_table, recover, staged_folder

log = logging.getLogger(__name__)

ExportFormat = Literal["csv", "sqlite"]
EXPORT_FORMAT = "prov-export"
"""``format`` of every export's marker: how prov recognises an export it may replace."""
MARKER = "prov-export.json"
"""The marker file of a CSV export folder; it lists the folder's files."""
SQLITE_META = "prov_manifest"
"""The key/value table of a SQLite export: its marker, the report's manifest, the schema version."""
BATCH_ROWS = 50_000
"""Rows converted and written at a time."""

_TABLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_ID_COLUMNS = frozenset({"id", "doc_a", "doc_b", "source", "target", "agency", "origin", "representative_doc"})
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class ExportedTable:
    """One table written: its name, rows and columns."""

    name: str
    rows: int
    columns: int


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote: where, in which format, and each table."""

    path: Path
    format: ExportFormat
    tables: tuple[ExportedTable, ...]

    @property
    def rows(self) -> int:
        """Rows written over all tables."""
        return sum(table.rows for table in self.tables)


def report_table_names(manifest: dict[str, Any]) -> list[str]:
    """The tables of a report: every ``<name>.parquet`` its manifest lists (a file or a folder
    of part files), in the manifest's order.

    Raises:
        ReportError: a listed table's name is not a plain file name (it would be written
            outside the export).
    """
    names = [str(f).removesuffix(".parquet") for f in manifest.get("files", ()) if str(f).endswith(".parquet")]
    bad = [name for name in names if not _TABLE_NAME.fullmatch(name)]
    if bad:
        raise ReportError(f"the report's {MANIFEST} lists a table with an unusable name ({bad[0]!r})")
    return names


def is_id_column(name: str) -> bool:
    """Whether a column holds ids or names that rows are looked up by (``doc_id``,
    ``cluster_id``, ``doc_a``, ``source``, ``agency``, ...): SQLite exports index these."""
    return name in _ID_COLUMNS or name.endswith("_id")


def plain_type(kind: pa.DataType) -> pa.DataType:
    """The type a column of ``kind`` is exported as: bool, int64, float64, or string."""
    if pa.types.is_dictionary(kind):
        return plain_type(kind.value_type)
    if pa.types.is_boolean(kind):
        return pa.bool_()
    if pa.types.is_integer(kind):
        return pa.int64()
    if pa.types.is_floating(kind):
        return pa.float64()
    return pa.string()


def plain(values: pa.Array) -> pa.Array:
    """``values`` as ``plain_type(values.type)``: timestamps, dates and times as ISO 8601
    text, nested values as JSON, binary as base64, decimals and durations as text.

    Raises:
        ReportError: an unsigned 64-bit integer too large for a signed one.
    """
    kind = values.type
    if pa.types.is_dictionary(kind):
        return plain(values.dictionary_decode())
    if pa.types.is_nested(kind):
        return _each(values, lambda v: json.dumps(v, ensure_ascii=False, default=_json_default))
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return _each(values, lambda v: base64.b64encode(v).decode("ascii"))
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.string())
    try:
        cast = values.cast(plain_type(kind))
    except pa.ArrowInvalid as err:
        raise ReportError(f"a value does not fit a 64-bit integer ({err})") from None
    if pa.types.is_timestamp(kind):  # Arrow writes "2024-05-27 10:00:00Z"; ISO 8601 wants the T
        return pc.replace_substring(cast, pattern=" ", replacement="T", max_replacements=1)
    return cast


def _each(values: pa.Array, convert: Any) -> pa.Array:
    return pa.array([None if v is None else convert(v) for v in values.to_pylist()], pa.string())


def _json_default(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _plain_batches(table: pa.Table) -> Iterator[pa.RecordBatch]:
    schema = pa.schema([pa.field(f.name, plain_type(f.type)) for f in table.schema])
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        yield pa.RecordBatch.from_arrays([plain(column) for column in batch.columns], schema=schema)


def export_report(report: Path, out: Path, format: ExportFormat, force: bool = False) -> ExportResult:
    """Export every table of ``report`` as ``format``: ``csv`` (a folder) or ``sqlite`` (a file).

    Raises:
        ReportError: see ``export_csv`` and ``export_sqlite``.
    """
    if format == "csv":
        return export_csv(report, out, force)
    return export_sqlite(report, out, force)


def _export_record(report: Path, manifest: dict[str, Any], tables: list[ExportedTable]) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "report": str(report.resolve()),
        "schema_version": manifest.get("schema_version"),
        "tables": {t.name: {"rows": t.rows, "columns": t.columns} for t in tables},
    }


def _check_outside(out: Path, report: Path) -> None:
    if is_within(out, report):
        raise ReportError(f"{out}: is inside the report {report}; choose an --out outside it")


# CSV


def export_csv(report: Path, out: Path, force: bool = False) -> ExportResult:
    """Write every table of ``report`` as ``<table>.csv`` in the folder ``out``, with a copy of
    the report's ``manifest.json`` and the marker ``prov-export.json``; return what was written.

    ``out`` may be missing, an empty folder, or (with ``force``) an earlier CSV export holding
    nothing but its own files. It is written beside itself and swapped in when complete.

    Raises:
        ReportError: ``report`` is not a readable report; ``out`` lies inside it, is a file, a
            non-empty folder that is not a prov export, an export holding other files, or an
            export and ``force`` is false; or the folder cannot be written (anything there
            before is then unchanged).
    """
    manifest = read_manifest(report)
    names = report_table_names(manifest)
    real = _real(out)
    _check_csv_destination(out, real, report, force)
    with staged_folder(out, "export") as tmp:
        mode = default_mode()
        os.chmod(tmp, mode | (mode & 0o444) >> 2)  # mkdtemp's folders are private; x wherever r
        tables = [_write_csv(read_table(report, name), tmp / f"{name}.csv", name) for name in names]
        shutil.copyfile(report / MANIFEST, tmp / MANIFEST)
        files = sorted([f"{name}.csv" for name in names] + [MANIFEST, MARKER])
        marker = {**_export_record(report, manifest, tables), "export": "csv", "files": files}
        (tmp / MARKER).write_text(json.dumps(marker, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path in tmp.iterdir():
            if path.name != PARTIAL_MARKER:
                os.chmod(path, mode)
    return ExportResult(out, "csv", tuple(tables))


def _write_csv(table: pa.Table, path: Path, name: str) -> ExportedTable:
    schema = pa.schema([pa.field(f.name, plain_type(f.type)) for f in table.schema])
    with pa_csv.CSVWriter(str(path), schema) as writer:
        for batch in _plain_batches(table):
            writer.write_batch(batch)
    return ExportedTable(name, table.num_rows, table.num_columns)


def _csv_export_marker(folder: Path) -> Any:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    ours = isinstance(data, dict) and data.get("format") == EXPORT_FORMAT and isinstance(data.get("files"), list)
    return data if ours else None


def _check_csv_destination(out: Path, real: Path, report: Path, force: bool) -> None:
    _check_outside(real, report)
    recover(real)  # temporary folders of killed runs
    _restore_interrupted(real)
    if not real.exists():
        return
    if not real.is_dir():
        raise ReportError(f"{out}: exists and is not a folder; --format csv writes a folder. Choose another --out")
    if not any(real.iterdir()):
        return
    marker = _csv_export_marker(real)
    if marker is None:
        raise ReportError(f"{out}: folder is not empty and holds no prov export; choose another --out")
    strangers = [name for name in report_strangers(real, marker) if name != MARKER]
    if strangers:
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        raise ReportError(
            f"{out}: holds files that are not part of its prov export ({shown}); move them, or choose another --out"
        )
    if not force:
        raise ReportError(f"{out}: holds an earlier prov export; pass --force to replace it, or choose another --out")


def _restore_interrupted(real: Path) -> None:
    # A kill between the two renames of a swap leaves the previous export under .NAME.old-PID.
    olds = [
        p
        for p in real.parent.glob(f".{glob.escape(real.name)}.old-*")
        if p.is_dir() and dead_owner(p.name.rsplit("-", 1)[-1]) and _csv_export_marker(p) is not None
    ]
    if olds and not real.exists():
        newest = max(olds, key=lambda p: p.stat().st_mtime)
        os.replace(newest, real)
        log.warning("%s: restored the export an interrupted run left in %s", real, newest.name)


# SQLite


def export_sqlite(report: Path, out: Path, force: bool = False) -> ExportResult:
    """Write every table of ``report`` into the SQLite file ``out`` (typed INTEGER, REAL and
    TEXT columns, an index on each id column, see ``is_id_column``) with a ``prov_manifest``
    table (``key``, ``value``: ``format``, ``version``, ``created``, ``report``,
    ``schema_version``, ``tables`` and the report's ``manifest`` as JSON); return what was written.

    ``out`` may be missing or (with ``force``) an earlier SQLite export. It is written beside
    itself and renamed into place when complete.

    Raises:
        ReportError: ``report`` is not a readable report; ``out`` lies inside it, is a folder, a
            file that is not a prov export, or an export and ``force`` is false; or the file
            cannot be written (anything there before is then unchanged).
    """
    from provenance.dedup.output import finish_interrupted, write_atomically  # loads all of dedup

    manifest = read_manifest(report)
    names = report_table_names(manifest)
    real = _real(out)
    _check_outside(real, report)
    finish_interrupted(real)
    _check_sqlite_destination(out, real, force)
    tables: list[ExportedTable] = []

    def write(path: Path) -> None:
        tables.extend(_write_sqlite(report, manifest, names, path))

    try:
        write_atomically([(real, write)])
    except sqlite3.Error as err:
        raise ReportError(f"{out}: cannot write the export ({err}); anything that was there is unchanged") from None
    return ExportResult(out, "sqlite", tuple(tables))


def _is_sqlite_export(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return False
        # immutable: read without locks or journals, so nothing is written beside a stranger's file
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            row = db.execute(f"SELECT value FROM {SQLITE_META} WHERE key = 'format'").fetchone()
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        return False
    return row == (EXPORT_FORMAT,)


def _check_sqlite_destination(out: Path, real: Path, force: bool) -> None:
    if not real.exists():
        return
    if real.is_dir():
        raise ReportError(f"{out}: is a folder; --format sqlite writes one file. Choose another --out")
    if not _is_sqlite_export(real):
        raise ReportError(f"{out}: exists and is not a prov export; choose another --out")
    if not force:
        raise ReportError(f"{out}: holds an earlier prov export; pass --force to replace it, or choose another --out")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_SQL_TYPES = {pa.bool_(): "INTEGER", pa.int64(): "INTEGER", pa.float64(): "REAL"}


def _sql_names(schema: pa.Schema) -> list[str]:
    """Column names, those SQLite would take for an earlier one (it ignores case) suffixed ``_2``..."""
    seen: set[str] = set()
    names = []
    for field in schema:
        name, n = field.name, 1
        while name.casefold() in seen:
            n += 1
            name = f"{field.name}_{n}"
        seen.add(name.casefold())
        names.append(name)
    return names


def _write_sqlite(report: Path, manifest: dict[str, Any], names: list[str], path: Path) -> list[ExportedTable]:
    db = sqlite3.connect(path)
    try:
        # The file is a temporary one until complete (and fsynced then): no journal needed.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        tables = [_write_sqlite_table(db, read_table(report, name), name) for name in names]
        record = _export_record(report, manifest, tables) | {"manifest": manifest}
        db.execute(f"CREATE TABLE {SQLITE_META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.executemany(
            f"INSERT INTO {SQLITE_META} VALUES (?, ?)",
            [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) for k, v in record.items()],
        )
        db.commit()
    finally:
        db.close()
    return tables


def _write_sqlite_table(db: sqlite3.Connection, table: pa.Table, name: str) -> ExportedTable:
    columns = _sql_names(table.schema)
    types = [_SQL_TYPES.get(plain_type(field.type), "TEXT") for field in table.schema]
    definitions = ", ".join(f"{_quote(column)} {kind}" for column, kind in zip(columns, types, strict=True))
    db.execute(f"CREATE TABLE {_quote(name)} ({definitions})")
    insert = f"INSERT INTO {_quote(name)} VALUES ({', '.join('?' * len(columns))})"
    for batch in _plain_batches(table):
        db.executemany(insert, zip(*(column.to_pylist() for column in batch.columns), strict=True))
    for column in columns:  # after the rows: building an index once is faster than keeping it up
        if is_id_column(column):
            db.execute(f"CREATE INDEX {_quote(f'idx_{name}_{column}')} ON {_quote(name)} ({_quote(column)})")
    return ExportedTable(name, table.num_rows, table.num_columns)
