"""Walk an input folder: the files to read, and what was left out and why.

Left out, each with a ``Skipped`` record so the manifest says so:

- prov's own reports and indexes (recognised by their manifest), so a report written inside a
  corpus is never read back as documents;
- sub-folders that cannot be read, dangling symlinks, and symlinks that point outside the
  input folder (never followed: a corpus folder must not reach into the rest of the disk);
- symlinks to folders (their target is walked where it really is, if it is inside).

Hidden files and folders (names starting with ``.``: prov's temporary folders among them) are
passed over silently, like version-control folders, and so are the marker and summary files a
Spark or Hadoop job writes beside its part files (``_SUCCESS``, ``_metadata``...): they hold no
document. A job's ``_temporary`` folder (part files of attempts not committed, which would repeat
the committed ones) is left out and listed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from provenance.ownership import folder_kind
from provenance.records import Skipped

# Written by Spark and Hadoop jobs beside their part files (Databricks adds _started_/_committed_).
_JOB_MARKER = re.compile(r"_(SUCCESS|metadata|common_metadata|(started|committed)_\d+)")
UNCOMMITTED = "a Spark/Hadoop job's uncommitted attempts (_temporary), not read"


def printable_path(path: Path | str) -> str:
    """``path`` as text that can be written anywhere: bytes of a non-UTF-8 file name appear as
    ``\\xNN`` escapes instead of lone surrogates (which UTF-8 files and Parquet refuse)."""
    text = os.fspath(path)
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:  # a lone surrogate that no file name decoding produced
        raw = text.encode("utf-8", errors="backslashreplace")
    return raw.decode("utf-8", errors="backslashreplace")


class Found(NamedTuple):
    """A file to read: its path, its path relative to the walked folder (``/``-separated), and
    that relative path's folder part (``""`` at the top), which names the folder it is in."""

    path: Path
    rel: str
    rel_folder: str


def walk_folder(folder: Path) -> Iterator[Found | Skipped]:
    """Every visible regular file under ``folder`` in sorted path order, with a ``Skipped`` for
    each part of the tree left out where it would have come (see the module docstring). Never
    raises for what it finds.

    Paths sort part by part, so a walk that takes each folder's entries in name order, and goes
    into a sub-folder where its name comes, gives them in order without a sort of the whole tree:
    the walk streams, holding one listing per level. Entries come from ``os.scandir``, which
    knows their type from the listing: a file costs no ``stat`` of its own (``os.walk``, then
    ``Path.is_symlink`` and ``is_file``, cost three).
    """
    kind = folder_kind(folder)
    if kind is not None:
        yield Skipped(printable_path(folder), f"a prov {kind}, not read as input")
        return
    root = folder.resolve()
    top = _listing(folder)
    if isinstance(top, Skipped):
        yield top
        return
    # A stack of iterators, not recursion: a deep tree cannot exhaust Python's stack.
    stack: list[tuple[Path, str, Iterator[os.DirEntry]]] = [(folder, "", iter(top))]  # folder, its rel, entries
    while stack:
        here, rel_folder, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name = entry.name
        if name.startswith("."):
            continue
        path = here / name
        rel = f"{rel_folder}/{name}" if rel_folder else name
        try:
            linked = entry.is_symlink()  # a stat of its own where the listing gives no type
        except OSError as err:
            yield Skipped(printable_path(path), f"cannot read: {err.strerror or err}")
            continue
        if _is_dir(entry):
            if name == "_temporary":
                yield Skipped(printable_path(path), UNCOMMITTED)
            elif linked:
                yield _symlink_problem(path, root) or Skipped(printable_path(path), "symlink to a folder, not followed")
            elif (kind := folder_kind(path)) is not None:
                yield Skipped(printable_path(path), f"a prov {kind}, not read as input")
            elif isinstance(listed := _listing(path), Skipped):
                yield listed
            else:
                stack.append((path, rel, iter(listed)))
            continue
        if _JOB_MARKER.fullmatch(name):
            continue
        if linked and (problem := _symlink_problem(path, root)) is not None:
            yield problem
        elif _is_file(entry):
            yield Found(path, rel, rel_folder)


def _listing(folder: Path) -> list[os.DirEntry] | Skipped:
    """A folder's entries in name order, or why it cannot be read."""
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError as err:
        return Skipped(printable_path(err.filename or folder), f"cannot read folder: {err.strerror or err}")


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # a symlink to a folder too, as os.walk counts it
    except OSError:
        return False


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()  # follows a symlink; a pipe, socket or device is not one
    except OSError:
        return False


def _symlink_problem(path: Path, root: Path) -> Skipped | None:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop
        return Skipped(printable_path(path), "dangling symlink")
    if target != root and root not in target.parents:
        return Skipped(printable_path(path), "symlink points outside the input folder, not followed")
    return None
