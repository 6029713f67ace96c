"""Inputs read once, as they come: standard input (``-``), ``/dev/stdin``, and pipes such as
the ``/dev/fd/N`` that a shell's process substitution ``<(...)`` gives, or a named FIFO.

A stream has no file name to tell its kind, so its first bytes do: a stream whose first
character other than white space is ``[`` (an array), or whose first line is ``{`` alone (a
pretty-printed object), is JSON, read whole up to ``InputLimits.max_file_bytes`` like a
``.json`` file; anything else is JSON Lines, streamed line by line. Compressed streams are not
read: decompress in the pipe (``zcat x.jsonl.gz | prov scan -``).
"""

from __future__ import annotations

import io
import stat
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, cast

from provenance.config import InputLimits
from provenance.ingest.decode import SNIFF_BYTES, over_limit
from provenance.ingest.tables import Record, json_records, jsonl_stream
from provenance.records import Skipped

STDIN = "-"
STDIN_NAME = "<stdin>"
"""How standard input is named in sources, fallback ids and the manifest."""
_DEVICE_FOLDERS = ("/dev/", "/proc/")


def is_stream(path: Path | str) -> bool:
    """Whether ``path`` is read as a stream: ``-``, a FIFO, a pipe, a character device or a
    socket, or a path under /dev or /proc (``/dev/stdin`` redirected from a file is a regular
    file, but still has no name to tell its kind). Only looks, never opens."""
    text = str(path)
    if text == STDIN:
        return True
    try:
        mode = Path(text).stat().st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode) or text.startswith(_DEVICE_FOLDERS)


def stream_name(path: Path | str) -> str:
    """The name a stream goes by: ``<stdin>`` for ``-``, else the path as given (a pipe's
    ``/dev/fd/N``), never resolved (a pipe resolves to ``pipe:[inode]``, new on every run)."""
    text = str(path)
    return STDIN_NAME if text == STDIN else text


def stream_rows(path: Path, skipped: list[Skipped], limits: InputLimits | None = None) -> Iterator[Record]:
    """The records of a stream (module docstring): a JSON array's objects, or JSON Lines.

    Problems are recorded in ``skipped`` under the stream's name, as a file's are.
    """
    limits = limits or InputLimits()
    source = stream_name(path)
    try:
        opened = _open(path)
    except OSError as err:
        skipped.append(Skipped(source, f"cannot read: {err.strerror or err}"))
        return
    with opened as raw:
        # peek needs a buffered reader; a test's stand-in for standard input may be a BytesIO
        handle = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast("io.RawIOBase", raw))
        head = handle.peek(SNIFF_BYTES)[:SNIFF_BYTES]
        if not _is_json(head):
            yield from jsonl_stream(handle, head, source, skipped, limits, compressed=False)
            return
        data = handle.read(limits.max_file_bytes + 1)
        if len(data) > limits.max_file_bytes:
            skipped.append(Skipped(source, over_limit("JSON stream", None, limits.max_file_bytes)))
            return
        yield from json_records(data, source, skipped)


def _is_json(head: bytes) -> bool:
    start = head.lstrip()
    return start[:1] == b"[" or start.split(b"\n", 1)[0].strip() == b"{"


def _open(path: Path) -> AbstractContextManager[IO[bytes]]:
    if str(path) == STDIN:
        return nullcontext(sys.stdin.buffer)  # standard input stays open for whoever owns it
    return Path(path).open("rb")
