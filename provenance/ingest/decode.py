"""Bytes to text: UTF-8 first, a legacy single-byte encoding only when the bytes say so."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BOM_FIRST_BYTES = frozenset(bom[:1] for bom, _ in _BOMS)
_READ_MORE = 1 << 16  # read past the size the file had when opened, in case it grew


@dataclass(frozen=True, slots=True)
class Decoded:
    """The outcome of decoding: text, or the reason there is none (with the 1-based line)."""

    text: str | None
    encoding: str | None = None
    problem: str | None = None
    line: int | None = None


# The NUL rule (docs/limits.md): a NUL byte among a file's first SNIFF_BYTES makes the whole file
# binary; a NUL anywhere later makes only its document (line, row, record) skipped.
SNIFF_BYTES = 8192


def looks_binary(data: bytes) -> bool:
    """True when the bytes are not text: a NUL byte near the start (and no UTF-16 BOM)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in data[:SNIFF_BYTES]


def over_limit(what: str, size: int | None, limit: int) -> str:
    """The reason given for skipping something too large, e.g. ``document of 200.0 MB is over the
    20.0 MB limit`` (``size`` None: not known, as it was not read to its end). Sizes under 0.1 MB
    are given in bytes so that small limits stay readable."""
    of = "" if size is None else f" of {_size(size)}"
    return f"{what}{of} is over the {_size(limit)} limit"


def _size(n: int) -> str:
    return f"{n / 1024**2:.1f} MB" if n >= 100 * 1024 else f"{n} bytes"


def read_capped(path: Path, limit: int, what: str) -> tuple[bytes | None, str | None]:
    """A file's bytes, or why they were not read: unreadable, or over ``limit`` bytes.

    The size of the open file is checked before reading, so an oversized file is never loaded,
    and the read itself stops at ``limit + 1`` bytes in case the file grew in between.
    """
    try:
        with open(path, "rb", buffering=0) as handle:
            size = os.fstat(handle.fileno()).st_size  # of the file opened: no second path lookup
            if size > limit:
                return None, over_limit(what, size, limit)
            data = _read_up_to(handle, limit + 1, size)
    except OSError as err:
        return None, f"cannot read: {err.strerror or err}"
    if len(data) > limit:
        return None, over_limit(what, None, limit)
    return data, None


def _read_up_to(handle: BinaryIO, most: int, size: int) -> bytes:
    """At most ``most`` bytes of an unbuffered file expected to hold ``size``: read in pieces the
    size of what is there (a buffered ``read(most)`` allocates ``most`` bytes first: 20 MiB for
    every small file, five times the cost of reading it)."""
    parts: list[bytes] = []
    got = 0
    while got < most:
        chunk = handle.read(min(most - got, max(size - got, 0) + _READ_MORE))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def decode_bytes(data: bytes) -> Decoded:
    """Decode one file's or one line's bytes.

    UTF-8 (with or without BOM, or UTF-16 with a BOM) is taken as is. Bytes that are not UTF-8
    but contain no UTF-8 multi-byte sequence at all are a legacy encoding and are read as
    Windows-1252 (a superset of Latin-1 in its printable range). Bytes that mix valid UTF-8
    with invalid sequences are corrupt: no text is returned, and the line of the first bad
    byte is named so the user can find it.
    """
    if data[:1] in _BOM_FIRST_BYTES:  # cheap test first: JSONL decodes every line on its own
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                try:
                    return Decoded(data.decode(encoding), encoding)
                except UnicodeDecodeError as err:
                    return _bad(data, err.start, encoding)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        first_bad = err.start
    if not _has_utf8_multibyte(data):
        try:
            return Decoded(data.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            return Decoded(data.decode("latin-1"), "latin-1")
    return _bad(data, first_bad, "utf-8")


def _bad(data: bytes, offset: int, encoding: str) -> Decoded:
    line = data.count(b"\n", 0, offset) + 1
    return Decoded(None, None, f"undecodable bytes (not {encoding}) at byte {offset}", line)


def _has_utf8_multibyte(data: bytes) -> bool:
    """Whether any well-formed UTF-8 multi-byte character occurs in the bytes."""
    for i, byte in enumerate(data):
        if byte < 0xC2 or byte > 0xF4:
            continue
        need = 1 if byte < 0xE0 else 2 if byte < 0xF0 else 3
        tail = data[i + 1 : i + 1 + need]
        if len(tail) == need and all(0x80 <= b <= 0xBF for b in tail):
            return True
    return False
