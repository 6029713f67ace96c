"""What prov created: recognising its own report folders, indexes and temporary folders.

prov deletes or replaces only what it can prove it wrote. A report or an index says so in its
``manifest.json`` (``"format": "prov-report"`` or ``"prov-index"``); a temporary folder carries
a marker file naming the process that made it. Ingest uses the same test to leave prov's own
output out of a scan wherever it sits inside an input folder.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import socket
import stat
import tempfile
from pathlib import Path
from typing import Any, Literal

REPORT_FORMAT = "prov-report"
INDEX_FORMAT = "prov-index"
MANIFEST = "manifest.json"
PARTIAL_MARKER = ".prov-partial"
"""File inside every temporary folder prov writes a report into: the writing process's pid."""

SCRATCH_MARKER = ".prov-scratch"
"""File inside every ``Scratch`` folder (the band store in the system's temporary folder),
locked while its run goes on: the making host and pid, one per line."""

SCRATCH_ALSO = ".prov-scratch-also"
"""File inside a ``Scratch`` folder that other processes write too (the Java runtime of a local
Spark that prov started): their pids, one per line. The folder outlives its run's lock until
they have ended."""

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
    """Whether a process with this pid runs on this machine. A zombie (ended, not yet collected
    by its parent: in a container whose first process collects none, for ever) does not: it
    holds no file and writes nothing."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process; no pid is that large
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:  # Linux: the state follows the command's closing parenthesis in /proc/PID/stat
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


def dead_owner(pid: str) -> bool:
    """Whether ``pid`` (as written in a leftover's name or marker) names this process or one
    that no longer runs: its leftovers may go. Text that is not a pid proves nothing."""
    return re.fullmatch("[0-9]{1,10}", pid) is not None and (int(pid) == os.getpid() or not pid_alive(int(pid)))


_MAX_RECORD = 1 << 20  # a longer pid record is not prov's


def record_pid(file: Path, pid: int | None = None) -> None:
    """Add ``pid`` (this process by default) to a record of the processes that write a folder,
    one pid a line (the first creates the file): what the folder's clean-up waits for."""
    with open(file, "a", encoding="ascii") as record:
        record.write(f"{os.getpid() if pid is None else pid}\n")


def recorded_pids(file: Path) -> list[int] | None:
    """The pids of a ``record_pid`` file (none when it is empty: a process killed as it made
    it), or None when it is missing, not this user's plain file (it may lie in a shared folder)
    or not pids, one a line: it proves nothing then."""
    fd = open_own_file(file)
    if fd is None:
        return None
    try:
        with os.fdopen(fd, "rb") as record:
            text = record.read(_MAX_RECORD + 1).decode("ascii", "replace")
    except OSError:
        return None
    pids = text.split()
    if len(text) > _MAX_RECORD or not all(re.fullmatch("[0-9]{1,10}", pid) for pid in pids):
        return None
    return [int(pid) for pid in pids]


def mark_partial(folder: Path) -> None:
    """Record this process in a temporary folder's marker (``record_pid``): the folder is
    removed only once every process it records has ended, so that none writes into it after
    (a report's forked child records itself beside its parent)."""
    record_pid(folder / PARTIAL_MARKER)


def partial_owners(folder: Path) -> list[int] | None:
    """The pids recorded in a temporary folder's marker, or None when it has no valid marker."""
    return recorded_pids(folder / PARTIAL_MARKER) or None


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


class Scratch:
    """A private scratch folder ``prefix-<pid>-XXXXXXXX`` in ``directory`` (the system's
    temporary folder by default), for files a run needs only while it runs (the band store).

    Its marker file (``SCRATCH_MARKER``: host and pid, for a person reading it) is locked
    (``flock``) from before it bears its name until ``close``, which removes the folder. The
    kernel drops the lock when the process ends, however it ends, so a folder whose marker
    nobody holds was left by a run that was killed (``kill -9``, or the kernel out of memory):
    making a ``Scratch`` first removes those (``sweep_scratch``). A lock, not the pid, tells:
    it holds across containers that share the folder (each with its own pids) and pid reuse.

    Raises:
        OSError: the folder cannot be made or marked.
    """

    def __init__(self, prefix: str, files: str, directory: str | Path | None = None, trees: bool = False) -> None:
        parent = Path(directory) if directory is not None else Path(tempfile.gettempdir())
        sweep_scratch(parent, prefix, files, trees)
        self.path = Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-", dir=parent))
        self._fd: int | None = None
        self._recorded: set[int] = set()
        try:
            draft = self.path / f"{SCRATCH_MARKER}.new"
            self._fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            os.write(self._fd, f"{socket.gethostname()}\n{os.getpid()}\n".encode())
            os.rename(draft, self.path / SCRATCH_MARKER)  # a sweeper sees the marker only locked
        except BaseException:
            self.close()
            raise

    def record(self, pid: int) -> None:
        """Record another process that writes in the folder (``SCRATCH_ALSO``), once: a killed
        run's folder is removed only once it has ended too."""
        if pid not in self._recorded:
            record_pid(self.path / SCRATCH_ALSO, pid)
            self._recorded.add(pid)

    def close(self) -> None:
        """Remove the folder, then let go of its lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def open_own_file(path: Path) -> int | None:
    """A read-only descriptor of ``path`` when it is a regular file of this user, else None:
    opened without following a link or waiting on a pipe, so nothing another user put in a
    shared folder (``/tmp``) is read through or waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _unheld_marker(folder: Path) -> int | None:
    """An open, locked descriptor of ``folder``'s marker when it is a regular file of this user
    that no process holds; else None."""
    fd = open_own_file(folder / SCRATCH_MARKER)
    if fd is None:
        return None
    try:
        if not _named_alive(fd):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
    except OSError:  # held: its run goes on
        pass
    os.close(fd)
    return None


def _named_alive(fd: int) -> bool:
    """Whether the marker names this host and a process that runs: a prov from before the lock
    (which marked its folder but held no lock on it) may still be using it."""
    found = re.fullmatch(r"(.*)\n([0-9]{1,10})\n?", os.read(fd, 300).decode("utf-8", "replace"))
    return found is not None and found.group(1) == socket.gethostname() and pid_alive(int(found.group(2)))


def _others_alive(folder: Path) -> bool:
    """Whether a process ``Scratch.record`` recorded in ``folder`` still runs (a record that
    proves nothing keeps the folder)."""
    if not os.path.lexists(folder / SCRATCH_ALSO):
        return False
    pids = recorded_pids(folder / SCRATCH_ALSO)
    return pids is None or any(pid_alive(pid) for pid in pids)


def sweep_scratch(parent: Path, prefix: str, files: str, trees: bool = False) -> list[Path]:
    """Remove the ``Scratch`` folders ``prefix-<pid>-*`` in ``parent`` that runs left when they
    were killed. A folder goes only when it is this user's, its marker is a regular file
    nobody holds a lock on, no process it records (``SCRATCH_ALSO``) runs, and every other
    entry in it is named as ``files`` (a regex) says: what prov itself writes there, plain files,
    or with ``trees`` plain files or folders (a local Spark's, whose contents are its own).
    Returns the folders removed."""
    pattern = re.compile(rf"{re.escape(prefix)}-[0-9]+-\w+")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        try:
            if not pattern.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
        except OSError:
            continue
        folder = Path(entry.path)
        fd = _unheld_marker(folder)
        if fd is None:
            continue
        try:
            names = [e for e in os.scandir(folder) if e.name not in (SCRATCH_MARKER, SCRATCH_ALSO)]
            ours = all(
                re.fullmatch(files, e.name)
                and (e.is_file(follow_symlinks=False) or (trees and e.is_dir(follow_symlinks=False)))
                for e in names
            )
            if ours and not _others_alive(folder):
                shutil.rmtree(folder)
                removed.append(folder)
                log.info("removed %s, left by a run that was killed", folder)
        except OSError:
            continue  # another run removed it first, or it is not ours to remove
        finally:
            os.close(fd)
    return removed
