"""Plain-text documents (.txt, .md) from folders or single files, with sidecar metadata."""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from provenance.ingest.decode import decode_bytes, looks_binary
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


def read_text_file(path: Path) -> tuple[str | None, Skipped | None]:
    """Read one text file; return its text, or why it was skipped."""
    try:
        data = path.read_bytes()
    except OSError as err:
        return None, Skipped(str(path), f"cannot read: {err.strerror or err}")
    if not data.strip():
        return None, Skipped(str(path), "empty file")
    if looks_binary(data):
        return None, Skipped(str(path), "binary file (contains NUL bytes)")
    decoded = decode_bytes(data)
    if decoded.text is None:
        return None, Skipped(str(path), decoded.problem or "undecodable", decoded.line)
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        log.warning("%s: not UTF-8, read as %s", path, decoded.encoding)
    if not decoded.text.strip():
        return None, Skipped(str(path), "no text")
    return decoded.text, None


def load_sidecar(folder: Path) -> tuple[dict[str, dict[str, str]], list[Skipped]]:
    """Metadata rows keyed by file name (relative path or bare name) from a sidecar file."""
    rows: dict[str, dict[str, str]] = {}
    skipped: list[Skipped] = []
    for name in SIDECAR_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        for line_no, row in _sidecar_rows(path, skipped):
            key = next((row[k] for k in _SIDECAR_KEYS if row.get(k)), None)
            if key is None:
                skipped.append(Skipped(str(path), f"no {'/'.join(_SIDECAR_KEYS)} column", line_no))
                continue
            rows[str(key)] = {k: str(v) for k, v in row.items() if v not in (None, "")}
    return rows, skipped


def _sidecar_rows(path: Path, skipped: list[Skipped]) -> Iterator[tuple[int, dict]]:
    text, problem = read_text_file(path)
    if text is None:
        if problem is not None:
            skipped.append(problem)
        return
    if path.suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        return
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            skipped.append(Skipped(str(path), f"malformed JSON: {err.msg}", line_no))
            continue
        if isinstance(row, dict):
            yield line_no, row
        else:
            skipped.append(Skipped(str(path), "line is not a JSON object", line_no))
