"""Ingest: paths (folders, text files, JSONL/CSV/Parquet, Reuters SGML, web pages and WARC
archives) -> Document records.

Every reader is a generator of ``Row`` records (``rows.py``) and of a ``Skipped`` for each input
it cannot use; ``read_documents`` runs them in a stable order (paths as given, folders sorted)
through the input rules of ``IngestPolicy`` (``policy.py``: no text, size, NUL, id fallback,
first id wins), so the caller can both warn and list the skipped inputs in the manifest while
every good document still flows on. ``load`` collects them: it is the one loader, behind every
engine's and command's reading of local inputs. Web pages are read as ``PageTask``s and
their articles extracted across the workers by ``html.extract_pages``, in reading order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from provenance.config import FieldNames, InputLimits, ScanConfig
from provenance.corpus import Corpus, CorpusBuilder
from provenance.errors import InputError
from provenance.ingest.html import HTML_SUFFIXES, PageTask, extract_pages, page_file
from provenance.ingest.parts import TablePart, read_parts, table_parts
from provenance.ingest.policy import UNSUPPORTED, IngestPolicy
from provenance.ingest.reuters import SGML_SUFFIXES
from provenance.ingest.rows import Row
from provenance.ingest.streams import is_stream
from provenance.ingest.table_file import read_table
from provenance.ingest.tables import CSV_SUFFIXES, JSON_SUFFIXES, JSONL_SUFFIXES, PARQUET_SUFFIXES
from provenance.ingest.textfiles import (
    SIDECAR_NAMES,
    TEXT_SUFFIXES,
    date_from_header,
    load_sidecar,
    text_rows,
    unmatched_sidecar_keys,
)
from provenance.ingest.walk import printable_path, walk_folder
from provenance.ingest.warc import WARC_SUFFIXES, warc_pages
from provenance.records import Document, Skipped

log = logging.getLogger(__name__)

__all__ = ["IngestPolicy", "Row", "check_paths", "date_from_header", "load", "read_documents"]


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(JSON_SUFFIXES):
        return "json"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(SGML_SUFFIXES):
        return "sgml"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return None


def check_paths(paths: Iterable[Path]) -> list[Path]:
    """The input paths, checked before any work starts.

    Raises:
        InputError: a path does not exist, or a file is of a type prov cannot read.
    """
    checked = []
    for path in paths:
        if is_stream(path):  # standard input or a pipe: its first bytes tell its kind
            checked.append(path)
            continue
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_file() and _kind(path) is None:
            raise InputError(
                f"{path}: unsupported file type; give a folder, -, or a .txt/.md, .jsonl/.ndjson(.gz), .json, "
                ".csv, .parquet, .sgm, .html/.htm(.gz) or .warc(.gz) file"
            )
        checked.append(path)
    if not checked:
        raise InputError("no input paths given")
    return checked


def load(paths: Iterable[Path | str], config: ScanConfig) -> tuple[Corpus, list[Skipped]]:
    """Read every input on this machine: the documents (indexed ``0..n-1``), as a ``Corpus``
    (texts in a temporary file, not a million Python strings), and the skipped inputs, under
    ``config.fields``, ``config.limits`` and ``config.dayfirst``.

    Raises:
        InputError: see ``check_paths``.
    """
    docs = CorpusBuilder()
    skipped: list[Skipped] = []
    for item in read_documents(
        [Path(p) for p in paths], config.fields, config.limits, config.dayfirst, workers=config.workers
    ):
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            docs.add(item)
    return docs.build(), skipped


def read_documents(
    paths: Iterable[Path],
    fields: FieldNames | None = None,
    limits: InputLimits | None = None,
    dayfirst: bool = False,
    workers: int = 1,
) -> Iterator[Document | Skipped]:
    """Stream every document of the inputs, and a ``Skipped`` for each unusable input.

    Documents get dense indexes in reading order. A document id seen before is skipped (the
    first one wins) so that ids stay unique keys in the report. ``limits`` bounds the size of
    what is read (docs/limits.md); larger documents and files are skipped, unread. The rules
    are ``IngestPolicy``'s; ``dayfirst`` is how it reads ambiguous numeric dates. Files of rows
    are read and web pages extracted on ``workers`` processes, with the same result.

    Raises:
        InputError: see ``check_paths``.
    """
    policy = IngestPolicy(fields or FieldNames(), limits or InputLimits(), dayfirst)
    split = workers > 1  # a big JSON Lines file is cut in parts for the workers (parts.py)
    items = (item for path in check_paths(paths) for item in _read_path(path, policy, split))
    yield from policy.documents(extract_pages(read_parts(items, policy, workers), workers))


def _read_path(path: Path, policy: IngestPolicy, split: bool) -> Iterator[Row | Skipped | PageTask | TablePart]:
    if is_stream(path):
        yield from read_table(path, "stream", policy)
    elif path.is_dir():
        yield from _read_folder(path, policy, split)
    elif _kind(path) in ("html", "warc"):
        yield from _read_pages(path, printable_path(path.name), policy)
    elif _kind(path) == "text":
        rows, problems = load_sidecar(path.parent, policy.limits)
        yield from problems
        yield from text_rows(path, printable_path(path.name), rows.get(path.name, {}), policy.fields, policy.limits)
    else:  # check_paths let table files only through
        yield from table_parts(path, _kind(path) or "", None, split)


def _read_folder(folder: Path, policy: IngestPolicy, split: bool) -> Iterator[Row | Skipped | PageTask | TablePart]:
    # Per folder, keyed by the folder's relative path (a string hashes faster than a Path): the
    # folder, its sidecar's rows, and the sidecar keys that named a file.
    folders: dict[str, Path] = {}
    sidecars: dict[str, dict[str, dict[str, str]]] = {}
    matched: dict[str, set[str]] = {}
    unsupported: dict[str, int] = {}  # files of a type prov does not read, by suffix
    for found in walk_folder(folder):
        if isinstance(found, Skipped):
            yield found
            continue
        path, where = found.path, found.rel_folder
        rel = printable_path(found.rel)
        if where not in folders:
            folders[where] = path.parent
        if path.name in SIDECAR_NAMES:
            matched.setdefault(where, set())
            continue
        kind = _kind(path)
        if kind is None:
            suffix = path.suffix.lower() or "(none)"
            unsupported[suffix] = unsupported.get(suffix, 0) + 1
            yield Skipped(str(path), UNSUPPORTED)  # listed, not warned about one by one
            continue
        if kind in ("html", "warc"):
            yield from _read_pages(path, rel, policy)
            continue
        if kind != "text":
            yield from table_parts(path, kind, rel, split)
            continue
        if where not in sidecars:
            rows, problems = load_sidecar(folders[where], policy.limits)
            sidecars[where] = rows
            yield from problems
        sidecar = sidecars[where]
        key = path.name if path.name in sidecar else rel if rel in sidecar else None
        if key is not None:
            matched.setdefault(where, set()).add(key)
        yield from text_rows(path, rel, sidecar.get(key or "", {}), policy.fields, policy.limits)
    for where, keys in matched.items():
        if where not in sidecars:  # a sidecar in a folder without text files
            sidecars[where], problems = load_sidecar(folders[where], policy.limits)
            yield from problems
        unmatched = [key for key in sidecars[where] if key not in keys]
        if unmatched:
            log.warning("%s", unmatched_sidecar_keys(folders[where], unmatched, len(sidecars[where])))
    if unsupported:
        log.warning("%s", unsupported_files(printable_path(folder), unsupported))


def unsupported_files(folder: str, by_suffix: dict[str, int]) -> str:
    """The one warning about the files of ``folder`` of a type prov does not read (counted by
    suffix), which are listed as skipped rather than warned about one by one."""
    count = sum(by_suffix.values())
    kinds = ", ".join(f"{suffix} {n}" for suffix, n in sorted(by_suffix.items(), key=lambda item: (-item[1], item[0])))
    files = "1 file" if count == 1 else f"{count} files"
    return f"{folder}: {files} of a type prov does not read ({kinds}) passed over, listed as skipped"


def _read_pages(path: Path, doc_id: str, policy: IngestPolicy) -> Iterator[PageTask | Skipped]:
    # A page file is one document named like a text file; a WARC's pages are named by their URIs.
    if _kind(path) == "warc":
        yield from warc_pages(path, policy.limits)
    else:
        yield page_file(path, doc_id, policy.limits)
