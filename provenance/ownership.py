"""What prov created: recognising its own report folders, indexes and temporary folders.

prov deletes or replaces only what it can prove it wrote. A report or an index says so in its
``manifest.json`` (``"format": "prov-report"`` or ``"prov-index"``); a temporary folder carries
a marker file naming the process that made it. Ingest uses the same test to leave prov's own
output out of a scan wherever it sits inside an input folder.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any, Literal

REPORT_FORMAT = "prov-report"
INDEX_FORMAT = "prov-index"
MANIFEST = "manifest.json"
PARTIAL_MARKER = ".prov-partial"
"""File inside every temporary folder prov writes a report into: the writing process's pid."""

SCRATCH_MARKER = ".prov-scratch"
"""File inside every scratch folder prov makes beside no output (the band store in the system's
temporary folder): the making host and pid, one per line."""

log = logging.getLogger(__name__)

_MAX_MANIFEST_BYTES = 64 << 20  # a manifest lists skipped inputs; anything bigger is not ours

Kind = Literal["report", "index"]


def load_manifest(folder: Path) -> Any:
    """The parsed ``manifest.json`` of ``folder``; None when absent, unreadable or not JSON."""
    path = folder / MANIFEST
    try:
        if not path.is_file() or path.stat().st_size > _MAX_MANIFEST_BYTES:
            return None
        return json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None


def manifest_kind(data: Any) -> Kind | None:
    """``report`` or ``index`` for a manifest prov wrote, else None.

    Reports written before the ``format`` field existed are recognised by ``tool == "prov"``
    with a ``files`` list.
    """
    if not isinstance(data, dict):
        return None
    fmt = data.get("format")
    if fmt == REPORT_FORMAT:
        return "report"
    if fmt == INDEX_FORMAT:
        return "index"
    if fmt is None and data.get("tool") == "prov" and isinstance(data.get("files"), list):
        return "report"
    return None


def folder_kind(folder: Path) -> Kind | None:
    """Whether ``folder`` is a prov report or a prov index (by its manifest), or neither."""
    return manifest_kind(load_manifest(folder))


def report_strangers(folder: Path, data: Any) -> list[str]:
    """Entries of a report folder that its manifest does not list: anything prov did not write.

    A folder is a replaceable report only when this is empty.
    """
    listed = set(data.get("files", ())) if isinstance(data, dict) else set()
    listed.add(MANIFEST)
    return sorted(os.fsdecode(name) for name in os.listdir(folder) if name not in listed)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_owner(pid: str) -> bool:
    """Whether ``pid`` (as written in a leftover's name or marker) names this process or one
    that no longer runs: its leftovers may go. Text that is not a pid proves nothing."""
    return pid.isdigit() and (int(pid) == os.getpid() or not pid_alive(int(pid)))


def partial_owner(folder: Path) -> int | None:
    """The pid recorded in a temporary folder's marker, or None when it has no valid marker."""
    try:
        return int((folder / PARTIAL_MARKER).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def is_within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved)."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def default_mode() -> int:
    """The permissions a plain ``open`` would give a new file (0666 less the umask):
    ``tempfile.mkstemp`` makes files only their owner can read."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _scratch_owner(folder: Path) -> tuple[str, int] | None:
    """The host and pid in a scratch folder's marker, or None when it has no valid marker."""
    try:
        host, pid = (folder / SCRATCH_MARKER).read_text(encoding="utf-8").split("\n")[:2]
        return host, int(pid)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def sweep_scratch(parent: Path, prefix: str, files: str) -> list[Path]:
    """Remove the scratch folders ``prefix-<pid>-*`` in ``parent`` that a process of this host
    made and left when it died (a scan killed, or stopped by the kernel for memory, cannot
    clean up). A folder goes only when its marker names this host and a pid that no longer
    runs, and every other entry in it is a plain file whose name ``files`` (a regex) matches:
    what prov itself writes there. Returns the folders removed."""
    pattern = re.compile(rf"{re.escape(prefix)}-(\d+)-[\w]+")
    host = socket.gethostname()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if not found or not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path)
        pid = int(found.group(1))
        # Another container or machine sharing this folder has its own pids: only this host's.
        if _scratch_owner(folder) != (host, pid) or pid == os.getpid() or pid_alive(pid):
            continue
        try:
            names = [e.name for e in os.scandir(folder) if e.name != SCRATCH_MARKER]
            if all(re.fullmatch(files, n) and (folder / n).is_file() and not (folder / n).is_symlink() for n in names):
                shutil.rmtree(folder)
                removed.append(folder)
                log.info("removed %s, left by process %d, which no longer runs", folder, pid)
        except OSError:
            continue  # another run removed it first, or it is not ours to remove
    return removed


def make_scratch(prefix: str, files: str, directory: str | Path | None = None) -> Path:
    """A new private folder ``prefix-<pid>-XXXXXXXX`` in ``directory`` (the system's temporary
    folder by default), marked with this host and pid, after removing the ones dead processes
    left there (``sweep_scratch``). The caller removes it when done.

    Raises:
        OSError: the folder cannot be made or marked.
    """
    parent = Path(directory) if directory is not None else Path(tempfile.gettempdir())
    sweep_scratch(parent, prefix, files)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-", dir=parent))
    try:
        (folder / SCRATCH_MARKER).write_text(f"{socket.gethostname()}\n{os.getpid()}\n", encoding="utf-8")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder
