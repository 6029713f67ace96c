"""One document per row: JSON Lines (optionally gzipped), CSV and Parquet files."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from provenance.config import FieldNames
from provenance.ingest.decode import decode_bytes, looks_binary
from provenance.records import Skipped

log = logging.getLogger(__name__)

Row = tuple[int, dict[str, Any]]  # (1-based line or row number, fields)

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)


def jsonl_rows(path: Path, skipped: list[Skipped]) -> Iterator[Row]:
    """Rows of a JSON Lines file; malformed lines are recorded in ``skipped`` and passed over."""
    opener = gzip.open if path.name.endswith(".gz") else open
    seen_text = False
    warned_encoding = False
    try:
        with opener(path, "rb") as handle:
            for line_no, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                seen_text = True
                decoded = decode_bytes(raw)
                if decoded.text is None:
                    skipped.append(Skipped(str(path), decoded.problem or "undecodable", line_no))
                    continue
                if decoded.encoding not in ("utf-8", "utf-8-sig") and not warned_encoding:
                    log.warning("%s:%d: not UTF-8, read as %s", path, line_no, decoded.encoding)
                    warned_encoding = True
                try:
                    row = json.loads(decoded.text)
                except json.JSONDecodeError as err:
                    skipped.append(Skipped(str(path), f"malformed JSON: {err.msg}", line_no))
                    continue
                if not isinstance(row, dict):
                    skipped.append(Skipped(str(path), "line is not a JSON object", line_no))
                    continue
                yield line_no, row
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        skipped.append(Skipped(str(path), f"cannot read: {err}"))
        return
    if not seen_text:
        skipped.append(Skipped(str(path), "empty file"))


def csv_rows(path: Path, skipped: list[Skipped]) -> Iterator[Row]:
    """Rows of a CSV file with a header; rows with the wrong number of fields are skipped."""
    try:
        data = path.read_bytes()
    except OSError as err:
        skipped.append(Skipped(str(path), f"cannot read: {err.strerror or err}"))
        return
    if looks_binary(data):
        skipped.append(Skipped(str(path), "binary file (contains NUL bytes)"))
        return
    decoded = decode_bytes(data)
    if decoded.text is None:
        skipped.append(Skipped(str(path), decoded.problem or "undecodable", decoded.line))
        return
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        log.warning("%s: not UTF-8, read as %s", path, decoded.encoding)
    csv.field_size_limit(1 << 30)  # articles are long; the default 128 KiB limit is too small
    reader = csv.reader(io.StringIO(decoded.text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        skipped.append(Skipped(str(path), "empty CSV (no header row)"))
        return
    while True:
        line_no = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            skipped.append(Skipped(str(path), f"malformed CSV: {err}", line_no))
            continue
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            skipped.append(Skipped(str(path), f"row has {len(values)} fields, header has {len(header)}", line_no))
            continue
        yield line_no, dict(zip(header, values, strict=True))


def parquet_rows(path: Path, skipped: list[Skipped]) -> Iterator[Row]:
    """Rows of a Parquet file (or a folder of Parquet part files), read in batches."""
    import pyarrow.dataset as ds

    try:
        dataset = ds.dataset(str(path), format="parquet")
        row_no = 0
        for batch in dataset.to_batches(batch_size=8192):
            for row in batch.to_pylist():
                row_no += 1
                yield row_no, row
    except (OSError, ValueError) as err:  # pyarrow raises ArrowInvalid (a ValueError) on bad files
        skipped.append(Skipped(str(path), f"cannot read Parquet: {err}"))


def stringify(value: Any) -> str | None:
    """A field value as text for the report: strings as is, other values as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.time):  # Parquet date/timestamp columns
        return value.isoformat()
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def split_row(row: dict[str, Any], fields: FieldNames) -> tuple[dict[str, str | None], tuple]:
    """The known attributes of a row and its pass-through extra fields (as text)."""
    known = {
        "id": stringify(row.get(fields.id)),
        "text": row.get(fields.text),
        "outlet": stringify(row.get(fields.outlet)),
        "date": stringify(row.get(fields.date)),
        "title": stringify(row.get(fields.title)),
        "url": stringify(row.get(fields.url)),
    }
    reserved = {fields.id, fields.text, fields.outlet, fields.date, fields.title, fields.url}
    extra = tuple((str(k), stringify(v)) for k, v in row.items() if k not in reserved)
    return known, extra
