"""Plain-text documents (.txt, .md) from folders or single files, with sidecar metadata."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from provenance.config import MAX_DOC_BYTES, FieldNames, InputLimits
from provenance.ingest.decode import decode_bytes, looks_binary, read_capped
from provenance.ingest.policy import NUL, is_blank
from provenance.ingest.rows import Row
from provenance.ingest.tables import csv_records, parse_json_object, table_row
from provenance.ingest.walk import printable_path
from provenance.records import Skipped

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
SIDECAR_NAMES = ("metadata.csv", "metadata.jsonl")
# Keys a sidecar row may use to name the file it describes.
_SIDECAR_KEYS = ("file", "filename", "path", "doc_id", "id")
# An obvious date header at the very start, e.g. seed 004's " date 2017-05-20 ...".
_DATE_HEADER = re.compile(r"\A\s*(?:date|dated)\s*[:=]?\s*(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)


def date_from_header(text: str) -> str | None:
    """The ISO date of a ``date YYYY-MM-DD`` header opening the text, if there is one."""
    match = _DATE_HEADER.match(text[:200])
    return match.group(1) if match else None


def read_text_file(
    path: Path, max_bytes: int = MAX_DOC_BYTES, what: str = "document"
) -> tuple[str | None, Skipped | None]:
    """Read one text file; return its text, or why it was skipped.

    A file over ``max_bytes`` is skipped on its size alone, without being read (``what`` names
    it in the reason). A file whose first 8 KiB hold a NUL byte is skipped as binary.
    """
    data, problem = read_capped(path, max_bytes, what)
    if data is None:
        return None, Skipped(str(path), problem or "cannot read")
    if not data.strip():
        return None, Skipped(str(path), "empty file")
    if looks_binary(data):
        return None, Skipped(str(path), "binary file (contains NUL bytes)")
    decoded = decode_bytes(data)
    if decoded.text is None:
        return None, Skipped(str(path), decoded.problem or "undecodable", decoded.line)
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        log.warning("%s: not UTF-8, read as %s", path, decoded.encoding)
    if is_blank(decoded.text):
        return None, Skipped(str(path), "no text")
    return decoded.text, None


def text_rows(
    path: Path, doc_id: str, meta: dict[str, str], fields: FieldNames, limits: InputLimits
) -> Iterator[Row | Skipped]:
    """The document of one text file, as a ``Row`` with id ``doc_id`` and the metadata of its
    sidecar row ``meta`` (mapped by ``fields`` as a table's; a date header in the text is the
    date when the sidecar gives none), or why the file was skipped."""
    text, problem = read_text_file(path, limits.max_doc_bytes)
    if text is None:
        if problem is not None:
            yield problem
        return
    nul = text.find(NUL)
    if nul >= 0:  # past the first 8 KiB, or the file would have been skipped as binary
        yield Skipped(str(path), "NUL character in the text", text.count("\n", 0, nul) + 1)
        return
    described = table_row(meta, fields, str(path), None)
    yield Row(
        source=str(path),
        line=None,
        doc_id=doc_id,
        text=text,
        outlet=described.outlet,
        date=described.date or date_from_header(text),
        title=described.title,
        url=described.url,
        extra=tuple((k, v) for k, v in described.extra if k not in _SIDECAR_KEYS),
    )


def unmatched_sidecar_keys(folder: Path, keys: list[str], total: int) -> str:
    """The one warning about the rows of ``folder``'s sidecar (``total`` rows) whose ``keys``
    name no file there: their metadata is not used (a misspelt name, or files moved away)."""
    sidecar = " and ".join(printable_path(folder / name) for name in SIDECAR_NAMES if (folder / name).is_file())
    shown = ", ".join(repr(key) for key in keys[:3]) + (", ..." if len(keys) > 3 else "")
    rows = f"{len(keys)} of its {total} rows name" if total > 1 else "its row names"
    return f"{sidecar}: {rows} no file in {printable_path(folder)} ({shown}); their metadata is not used"


def load_sidecar(folder: Path, limits: InputLimits | None = None) -> tuple[dict[str, dict[str, str]], list[Skipped]]:
    """Metadata rows keyed by file name (relative path or bare name) from a sidecar file.

    Rows that cannot be used (malformed, no key column, a NUL character in a value) are
    returned as ``Skipped`` with their line; the other rows still apply.
    """
    limits = limits or InputLimits()
    rows: dict[str, dict[str, str]] = {}
    skipped: list[Skipped] = []
    for name in SIDECAR_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        for line_no, row in _sidecar_rows(path, skipped, limits):
            key = next((row[k] for k in _SIDECAR_KEYS if row.get(k)), None)
            if key is None:
                skipped.append(Skipped(str(path), f"no {'/'.join(_SIDECAR_KEYS)} column", line_no))
                continue
            values = {str(k): str(v) for k, v in row.items() if v not in (None, "")}
            if any("\x00" in v for v in values.values()):
                skipped.append(Skipped(str(path), "NUL character in a field", line_no))
                continue
            rows[str(key)] = values
    return rows, skipped


def _sidecar_rows(path: Path, skipped: list[Skipped], limits: InputLimits) -> Iterator[tuple[int, dict[str, Any]]]:
    # A sidecar describes a whole folder, so it is bounded as a file, not as one document.
    text, problem = read_text_file(path, limits.max_file_bytes, "metadata file")
    if text is None:
        if problem is not None:
            skipped.append(problem)
        return
    if path.suffix == ".csv":
        records = csv_records(text, str(path), skipped, limits.max_doc_bytes)
        header = next(records, None)
        if header is None:
            return
        for line_no, values in records:
            yield line_no, dict(zip(header[1], values, strict=False))  # a short row leaves fields out
        return
    # Split on line feeds only: str.splitlines would also cut at U+2028, which JSON strings may hold.
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        row, problem_text = parse_json_object(line)
        if row is None:
            skipped.append(Skipped(str(path), problem_text or "unreadable JSON", line_no))
            continue
        yield line_no, row
