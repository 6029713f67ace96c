"""Reading a gzip file up to the point where it is damaged, and not a byte less.

``gzip.GzipFile`` decompresses in blocks and, when it meets a damaged deflate body, raises
without returning the part of the block it had already decompressed: the lines just before the
damage are lost with it. ``open_gzip`` returns every byte that decompresses cleanly first, and
raises the error only on the read after that, so a line reader keeps every complete line.
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path
from typing import Any, BinaryIO

_GZIP = 16 + zlib.MAX_WBITS  # zlib's gzip mode: header, deflate body, CRC and length checked
_MAGIC = b"\x1f\x8b"
_IN_CHUNK = 64 * 1024  # compressed bytes read at a time
_OUT_CHUNK = 256 * 1024  # most decompressed bytes produced at a time, whatever the ratio


def open_gzip(path: Path) -> io.BufferedReader:
    """A buffered binary stream of the decompressed content of a gzip file (one or several
    members). Raises ``gzip.BadGzipFile`` (an OSError) for a file that is not gzip, ``EOFError``
    for a truncated one and ``zlib.error`` for a damaged one, after the bytes before the damage."""
    return io.BufferedReader(_SalvagingReader(path.open("rb")), buffer_size=_IN_CHUNK)


class _SalvagingReader(io.RawIOBase):
    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._inflater = zlib.decompressobj(_GZIP)
        self._pending = memoryview(b"")
        self._error: BaseException | None = None
        self._started = False
        self._done = False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()
        super().close()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._done and self._error is None:
            self._fill()
        if self._pending:
            n = min(len(buffer), len(self._pending))
            buffer[:n] = self._pending[:n]
            self._pending = self._pending[n:]
            return n
        if self._error is not None:
            raise self._error
        return 0

    def _fill(self) -> None:
        data = self._next_input()
        if data is None:
            return
        saved = self._inflater.copy()
        try:
            self._pending = memoryview(self._inflater.decompress(data, _OUT_CHUNK))
        except zlib.error as err:
            self._pending = memoryview(_salvage(saved, data))
            self._error = _checksum_error(err) or err

    def _next_input(self) -> bytes | None:
        """The next compressed bytes to inflate; None at the end of the file (or of its data)."""
        if self._inflater.unconsumed_tail:
            return self._inflater.unconsumed_tail
        data = self._inflater.unused_data if self._inflater.eof else b""
        # After a member, the next one starts in what is left of the chunk: read on only when
        # nothing (or only zero padding) is left, so that a file of many small members (a
        # .warc.gz has one per record) is never gathered into one ever-growing buffer, copied
        # whole at each member (quadratic time, and the whole file in memory).
        if _padding(data):
            data += self._file.read(_IN_CHUNK)
        if not self._started:
            self._started = True
            if not data:  # an empty file reads as empty, as with gzip.open
                self._done = True
                return None
            if not data.startswith(_MAGIC):
                self._error = gzip.BadGzipFile(f"Not a gzipped file ({data[:2]!r})")
                return None
        if self._inflater.eof:
            if _padding(data):  # end of the last member, or zero padding after it
                self._done = True
                return None
            self._inflater = zlib.decompressobj(_GZIP)  # a further member follows
        if not data:
            self._done = True
            self._error = EOFError("Compressed file ended before the end-of-stream marker was reached")
            return None
        return data


def _padding(data: bytes) -> bool:
    """Whether ``data`` is empty or only NUL bytes (cheap when it starts with anything else)."""
    return not data or (data[0] == 0 and not data.strip(b"\x00"))


def _salvage(inflater: Any, data: bytes) -> bytes:
    """What ``data`` decompresses to before the damage in it, fed one byte at a time (only ever
    done once per file, at the damage)."""
    out = []
    for i in range(len(data)):
        try:
            out.append(inflater.decompress(data[i : i + 1]))
        except zlib.error:
            break
    return b"".join(out)


def _checksum_error(err: zlib.error) -> OSError | None:
    """A failed CRC or length check at the end of a member, said in words: it is found only after
    the content was read, so what was read may itself be damaged."""
    if "incorrect data check" not in str(err) and "incorrect length check" not in str(err):
        return None
    return gzip.BadGzipFile("checksum failed: the lines read before this point may be damaged")
