"""Ingest: paths (folders, text files, JSONL/CSV/Parquet, Reuters SGML) -> Document records.

``read_documents`` streams documents in a stable order (paths as given, folders sorted) and
yields a ``Skipped`` record for every input it could not use, so the caller can both warn
and list them in the manifest while every good document still flows on.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from provenance.config import FieldNames, InputLimits
from provenance.errors import InputError
from provenance.ingest.decode import over_limit
from provenance.ingest.reuters import SGML_SUFFIXES, sgml_rows
from provenance.ingest.tables import (
    CSV_SUFFIXES,
    JSONL_SUFFIXES,
    PARQUET_SUFFIXES,
    csv_rows,
    jsonl_rows,
    nul_field,
    parquet_rows,
    split_row,
    utf8_size_over,
)
from provenance.ingest.textfiles import (
    SIDECAR_NAMES,
    TEXT_SUFFIXES,
    date_from_header,
    load_sidecar,
    read_text_file,
)
from provenance.ingest.walk import printable_path, walk_folder
from provenance.records import Document, Skipped

log = logging.getLogger(__name__)

__all__ = ["read_documents", "check_paths", "date_from_header"]


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(SGML_SUFFIXES):
        return "sgml"
    return None


def check_paths(paths: Iterable[Path]) -> list[Path]:
    """The input paths, checked before any work starts.

    Raises:
        InputError: a path does not exist, or a file is of a type prov cannot read.
    """
    checked = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_file() and _kind(path) is None:
            raise InputError(
                f"{path}: unsupported file type; give a folder, or a .txt/.md, .jsonl/.ndjson(.gz), "
                ".csv, .parquet or .sgm file"
            )
        checked.append(path)
    if not checked:
        raise InputError("no input paths given")
    return checked


def read_documents(
    paths: Iterable[Path], fields: FieldNames | None = None, limits: InputLimits | None = None
) -> Iterator[Document | Skipped]:
    """Stream every document of the inputs, and a ``Skipped`` for each unusable input.

    Documents get dense indexes in reading order. A document id seen before is skipped (the
    first one wins) so that ids stay unique keys in the report. ``limits`` bounds the size of
    what is read (docs/limits.md); larger documents and files are skipped, unread.

    Raises:
        InputError: see ``check_paths``.
    """
    fields = fields or FieldNames()
    limits = limits or InputLimits()
    seen: set[str] = set()
    index = 0
    for path in check_paths(paths):
        for item in _read_path(path, fields, limits):
            if isinstance(item, Skipped):
                item = dataclasses.replace(item, source=printable_path(item.source))
                log.warning("skipped %s", item)
                yield item
                continue
            doc_id, text, (raw_source, line), meta, extra = item
            source = printable_path(raw_source)  # a non-UTF-8 file name must not reach Parquet raw
            if doc_id in seen:
                skip = Skipped(source, f"duplicate document id {doc_id!r} (first one kept)", line)
                log.warning("skipped %s", skip)
                yield skip
                continue
            seen.add(doc_id)
            yield Document(
                index=index,
                doc_id=doc_id,
                text=text,
                source=source if line is None else f"{source}:{line}",
                outlet=meta.get("outlet"),
                date=meta.get("date"),
                title=meta.get("title"),
                url=meta.get("url"),
                extra=extra,
            )
            index += 1


# doc_id, text, (source file, line or None), metadata, extra fields
_Raw = tuple[str, str, tuple[str, int | None], dict, tuple]


def _read_path(path: Path, fields: FieldNames, limits: InputLimits | None = None) -> Iterator[_Raw | Skipped]:
    if path.is_dir():
        yield from _read_folder(path, fields, limits)
    elif _kind(path) == "text":
        rows, problems = load_sidecar(path.parent, limits)
        yield from problems
        yield from _read_text(path, printable_path(path.name), rows.get(path.name, {}), fields, limits)
    else:
        yield from _read_table(path, fields, limits)


def _read_folder(folder: Path, fields: FieldNames, limits: InputLimits | None) -> Iterator[_Raw | Skipped]:
    sidecars: dict[Path, dict[str, dict[str, str]]] = {}
    for path in walk_folder(folder):
        if isinstance(path, Skipped):
            yield path
            continue
        rel = printable_path(path.relative_to(folder).as_posix())
        if path.name in SIDECAR_NAMES:
            continue
        kind = _kind(path)
        if kind is None:
            log.info("not a document type, passed over: %s", path)
            continue
        if kind != "text":
            yield from _read_table(path, fields, limits)
            continue
        if path.parent not in sidecars:
            rows, problems = load_sidecar(path.parent, limits)
            sidecars[path.parent] = rows
            yield from problems
        sidecar = sidecars[path.parent]
        meta = sidecar.get(path.name) or sidecar.get(rel) or {}
        yield from _read_text(path, rel, meta, fields, limits)


def _read_text(
    path: Path, doc_id: str, meta: dict[str, str], fields: FieldNames, limits: InputLimits | None = None
) -> Iterator[_Raw | Skipped]:
    text, problem = read_text_file(path, (limits or InputLimits()).max_doc_bytes)
    if text is None:
        if problem is not None:
            yield problem
        return
    nul = text.find("\x00")
    if nul >= 0:  # past the first 8 KiB, or the file would have been skipped as binary
        yield Skipped(str(path), "NUL character in the text", text.count("\n", 0, nul) + 1)
        return
    known, extra = split_row(meta, fields)
    known = {k: v for k, v in known.items() if k not in ("id", "text") and v}
    if "date" not in known:
        header_date = date_from_header(text)
        if header_date:
            known["date"] = header_date
    keys = {"file", "filename", "path", "doc_id", "id"}
    yield doc_id, text, (str(path), None), known, tuple((k, v) for k, v in extra if k not in keys)


def _read_table(path: Path, fields: FieldNames, limits: InputLimits | None = None) -> Iterator[_Raw | Skipped]:
    limits = limits or InputLimits()
    kind = _kind(path) or ""  # callers pass table files only
    skipped: list[Skipped] = []
    readers = {"jsonl": jsonl_rows, "csv": csv_rows, "parquet": parquet_rows, "sgml": sgml_rows}
    # Reuters SGML rows carry the default field names whatever the user mapped.
    row_fields = FieldNames() if kind == "sgml" else fields
    for line_no, row in readers[kind](path, skipped, limits):
        yield from _drain(skipped)
        problem = _row_problem(row, row_fields, limits)
        if problem is not None:
            yield Skipped(str(path), problem, line_no)
            continue
        known, extra = split_row(row, row_fields)
        text = str(known.pop("text"))  # _row_problem checked that it is text
        doc_id = known.pop("id") or f"{path.name}:{line_no}"
        yield doc_id, text, (str(path), line_no), known, extra
    yield from _drain(skipped)


def _row_problem(row: dict, fields: FieldNames, limits: InputLimits) -> str | None:
    """Why a row cannot be a document: no text, text over the size limit, or a NUL character
    in a field (docs/limits.md); None when it can."""
    text = row.get(fields.text)
    if not isinstance(text, str) or not text.strip():
        return f"row has no text in field {fields.text!r}"
    size = utf8_size_over(text, limits.max_doc_bytes)
    if size is not None:
        return over_limit("document", size, limits.max_doc_bytes)
    name = nul_field(row)
    return None if name is None else f"NUL character in field {name!r}"


def _drain(skipped: list[Skipped]) -> Iterator[Skipped]:
    # Swap the list out rather than pop(0) item by item, which is quadratic when a reader
    # reports thousands of problems before its next row.
    items = skipped[:]
    skipped.clear()
    yield from items
