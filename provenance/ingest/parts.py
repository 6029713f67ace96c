"""Files of rows read on the scan's workers, in reading order.

Reading was the one stage of a big scan (and of ``prov dedup`` and ``prov index add``) that
ran on one core: 36 s of JSON parsing for a million documents while the other cores waited.
Here a file of rows (JSON Lines, CSV, JSON, Parquet, Reuters SGML) is a ``TablePart`` that a
worker reads into rows, and a large plain JSON Lines file is cut at line ends into parts of
about ``PART_BYTES``, each numbered from the line it starts at. The parent takes the parts'
rows back in order and runs the input rules on them (``IngestPolicy``: ids, dates, the corpus),
so the documents, their ids, the skipped rows and the warnings are the ones a one-process read
gives (``tests/ingest/test_parts.py`` reads every kind both ways).

What a whole file's reading decides once per file (``read_table``: a field named by the user
that no row has, rows held back until one holds a text field, an empty file, the warning about
a file not in UTF-8) the parts of one file decide together: each part reports what it saw
(its ``FieldCheck``, whether a line held text, its first line not in UTF-8) and the parent sums
them in order (``_FileState``).
"""

from __future__ import annotations

import codecs
import io
import logging
import os
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from provenance.config import FieldNames
from provenance.errors import ProvenanceError
from provenance.ingest.decode import SNIFF_BYTES, looks_binary
from provenance.ingest.html import PageTask
from provenance.ingest.policy import IngestPolicy
from provenance.ingest.pool import ForkPool, can_fork, result
from provenance.ingest.rows import Row
from provenance.ingest.table_file import FieldCheck, read_table
from provenance.ingest.tables import JsonLinesPart, not_utf8, scraper_fallbacks, table_row
from provenance.records import Skipped

log = logging.getLogger(__name__)

CHANGED = "the file changed while it was read; the rest is not read"
"""Why a file cut in parts stops being read where a part finds it replaced or modified."""
PART_BYTES = 16 << 20
"""About how much of a plain JSON Lines file one part holds (cut at the next line end)."""
POOL_FROM = 32 << 20
"""Bytes of files of rows read here before the rest are read on the workers. Below it a pool
costs more than it saves: the Reuters-21578 corpus (28 MB in 22 files) reads 0.2-0.3 s faster on
two workers, but the forked workers raise the scan's peak from 285-298 to 315-321 MB (tree PSS,
two runs each, the parent's objects frozen as the engine's pools freeze them), next to the bound
of 0.3 of the datasketch baseline's 1,092 MB (benchmarks/README.md, issue 13)."""
_AHEAD = 2  # parts in flight per worker
_MAX_AHEAD = 8  # and in all: each part's rows are held until their turn (8 x 16 MB of text at most)


def _for_workers(part: TablePart) -> bool:
    """Whether a worker reads ``part``: a worker holds and sends all of a part's rows, so a file
    that cannot be cut goes to one only when it is small and its size on disk tells its size
    read (not gzipped, not Parquet); any other is streamed in this process."""
    if not part.whole:
        return True
    name = part.path.name.lower()
    return part.kind != "parquet" and not name.endswith(".gz") and part.size <= 2 * PART_BYTES


_TO_LINE_END = 1 << 20  # bytes read at a time to find the line end after a part's last byte


@dataclass(frozen=True, slots=True)
class TablePart:
    """A file of rows of ``kind`` to read (``name``: its path in the folder read, for ids), whole
    or, for a plain JSON Lines file, bytes ``start`` to ``end`` that begin at line ``first_line``
    (``last``: the file's last part); ``size``: its bytes (a whole file's on disk, 0 when it
    cannot be read)."""

    path: Path
    kind: str
    name: str | None = None
    size: int = 0
    start: int = 0
    end: int | None = None
    first_line: int = 1
    last: bool = True
    stamp: tuple[int, int, int] | None = None  # the file's device, inode and time when it was cut

    @property
    def whole(self) -> bool:
        return self.end is None


def table_parts(
    path: Path, kind: str, name: str | None, split: bool, part_bytes: int = PART_BYTES
) -> Iterator[TablePart]:
    """The parts of the file ``path``: one, or with ``split``, a plain (not gzipped) JSON Lines
    file of at least two ``part_bytes`` cut just after a line end every ``part_bytes`` or so. A
    part's first line number comes from counting the line ends before it, as the parts are made."""
    size = _size(path)
    cut = split and kind == "jsonl" and not path.name.lower().endswith(".gz") and size >= 2 * part_bytes
    if not cut or not _plain_text(path):
        yield TablePart(path, kind, name, size)
        return
    start, line = 0, 1
    try:
        with path.open("rb") as handle:
            stamp = _stamp(os.fstat(handle.fileno()))
            while True:
                block = handle.read(part_bytes)
                ends = block.count(b"\n")
                end = start + len(block)
                while block and not block.endswith(b"\n"):  # on to the line's end, a bounded read at a time
                    block = handle.readline(_TO_LINE_END)
                    end += len(block)
                    ends += block.endswith(b"\n")
                last = end >= size or end == start  # nothing more: the file ended, or shrank
                yield TablePart(path, kind, name, end - start, start, end, first_line=line, last=last, stamp=stamp)
                if last:
                    return
                line += ends
                start = end
    except OSError:  # the rest is one last part, whose reading meets the error and names its line
        if start == 0:
            yield TablePart(path, kind, name, size)
        else:
            yield TablePart(path, kind, name, size - start, start=start, end=size, first_line=line)


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_dev, st.st_ino, st.st_mtime_ns


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _plain_text(path: Path) -> bool:
    # A binary file, or UTF-16 (whose line ends are two bytes), is read whole, as before.
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return not looks_binary(head) and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


# --- on a worker ------------------------------------------------------------------------------

RowTuple = tuple  # a Row's fields in order: cheaper to send than the dataclass


@dataclass(slots=True)
class _PartRows:
    """A part read: ``before`` (until the part's first row with a text field: ``Skipped``, or a
    line number for a row held back), then ``items`` (rows as tuples, and ``Skipped``). For a
    part of a file cut in parts, also what the checks made once per file need: ``fields`` (what
    its rows held), ``any_text`` (a line held more than white space) and ``encoding`` (its first
    line not in UTF-8, and how it was read)."""

    before: list[Skipped | int]
    items: list[RowTuple | Skipped]
    logs: list[tuple[str, int, str]]
    error: ProvenanceError | None = None
    stopped: str | None = None  # why the part could not be read: the file's reading ends there
    fields: FieldCheck | None = None
    any_text: bool = False
    encoding: tuple[int, str] | None = None


def read_part(part: TablePart, policy: IngestPolicy) -> _PartRows:
    """The rows of ``part`` (run on a worker), with what was logged while reading it."""
    logger = logging.getLogger("provenance")
    logs: list[tuple[str, int, str]] = []
    handler = _Collect(logs)
    saved = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [handler], False
    try:
        if not part.whole:
            return _read_range(part, policy, logs)
        items: list[RowTuple | Skipped] = []
        try:
            for item in read_table(part.path, part.kind, policy, name=part.name):
                items.append(_as_tuple(item) if isinstance(item, Row) else item)
        except ProvenanceError as err:  # raised after the rows before it, as when read here
            return _PartRows([], items, logs, err)
        return _PartRows([], items, logs)
    finally:
        logger.handlers, logger.propagate = saved


class _Collect(logging.Handler):
    def __init__(self, into: list[tuple[str, int, str]]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append((record.name, record.levelno, record.getMessage()))


def _as_tuple(row: Row) -> RowTuple:
    return (
        row.source, row.line, row.doc_id, row.text, row.outlet, row.date, row.title, row.url, row.extra,
        row.nul_field, row.name,
    )  # fmt: skip


def _read_range(part: TablePart, policy: IngestPolicy, logs: list[tuple[str, int, str]]) -> _PartRows:
    fields = policy.fields
    source = str(part.path)
    skipped: list[Skipped] = []
    fallbacks = scraper_fallbacks(fields)
    field_check = FieldCheck(fields, fallbacks)
    before: list[Skipped | int] = []
    items: list[RowTuple | Skipped] = []
    try:
        handle = part.path.open("rb")
        changed = part.stamp is not None and _stamp(os.fstat(handle.fileno())) != part.stamp
        handle.seek(part.start)
    except OSError as err:
        return _PartRows([], [], logs, stopped=f"cannot read: {err}")
    if changed:
        handle.close()
        return _PartRows([], [], logs, stopped=CHANGED)
    reader = JsonLinesPart(_Window(handle, (part.end or 0) - part.start), part.first_line, policy.limits)
    try:
        with handle:
            for line_no, record in reader.records(source, skipped):
                if skipped:
                    (items if field_check.text_seen else before).extend(skipped)
                    skipped.clear()
                if field_check.pending:
                    field_check.see(record)
                    if not field_check.text_seen:
                        before.append(line_no)  # held back until a row of the file has a text field
                        continue
                items.append(_as_tuple(table_row(record, fields, source, line_no, fallbacks, part.name)))
    except OSError as err:
        skipped.append(Skipped(source, f"cannot read: {err}", reader.lines.line_no + 1))
    (items if field_check.text_seen else before).extend(skipped)
    return _PartRows(before, items, logs, fields=field_check, any_text=reader.seen_text, encoding=reader.encoding)


class _Window:
    """The next ``left`` bytes of a binary file, read a line at a time (all ``JsonLinesPart``
    asks of it), so that a part holding a huge line streams it as the whole file's reader does."""

    def __init__(self, handle: io.BufferedReader, left: int) -> None:
        self.handle, self.left = handle, left

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        line = self.handle.readline(self.left if size < 0 else min(size, self.left))
        self.left -= len(line)
        return line


# --- in the parent ----------------------------------------------------------------------------


class _FileState:
    """The parts of one file seen so far, summed in order: what ``read_table`` keeps while it
    reads a whole file."""

    def __init__(self, fields: FieldNames) -> None:
        self.check = FieldCheck(fields, scraper_fallbacks(fields))
        self.held = array("q")  # lines of the rows read before the first one with a text field
        self.any_text = False
        self.warned = False
        self.stopped = False

    def take(self, part: TablePart, got: _PartRows, policy: IngestPolicy) -> Iterator[Row | Skipped]:
        source = str(part.path)
        if self.stopped:
            return
        if got.stopped is not None:  # the rest of the file is not read, as a one-process read stops
            self.stopped = True
            yield Skipped(source, got.stopped, part.first_line)
            return
        check = self.check
        if got.encoding is not None and not self.warned:
            self.warned = True
            log.warning("%s", not_utf8(source, *got.encoding))
        self.any_text = self.any_text or got.any_text
        no_text = policy.reason(True, None, None) or ""
        text_before = check.text_seen
        if got.fields is not None:
            check.merge(got.fields)
        for item in got.before:
            if isinstance(item, Skipped):
                yield item
            elif text_before:  # a row without text after one with it: skipped as read
                yield Skipped(source, no_text, item)
            else:
                self.held.append(item)
        if check.text_seen and self.held:
            yield from (Skipped(source, no_text, line) for line in self.held)
            self.held = array("q")
        yield from (item if isinstance(item, Skipped) else Row(*item) for item in got.items)
        if part.last:
            if not self.any_text:
                yield Skipped(source, "empty file")
            problem = check.finish(source)
            if problem is not None:
                yield Skipped(source, problem)


def read_parts(
    items: Iterable[Row | Skipped | PageTask | TablePart], policy: IngestPolicy, workers: int = 1
) -> Iterator[Row | Skipped | PageTask]:
    """``items`` with every ``TablePart`` replaced by its rows and skips, in the order given.

    Parts are read on ``workers`` processes (a fork pool of its own, as ``extract_pages`` has,
    started once ``POOL_FROM`` bytes of parts or a file cut in parts show up, fed ``_AHEAD``
    parts a worker ahead), else here; a big file that cannot be cut is streamed here
    (``_for_workers``). The warnings are a one-process read's, but those logged by a worker come
    when its part's rows do, so their order among other inputs' warnings may differ.

    Raises:
        InputError: a field the user named is in no row of a file (raised when that file's
            turn comes, after its rows before it, as a one-process read raises it).
        EngineError: a worker died (killed, or out of memory).
    """
    pool: ForkPool | None = None
    flight: deque[tuple[Row | Skipped | PageTask | TablePart, Future[_PartRows] | None]] = deque()
    files: dict[Path, _FileState] = {}
    bytes_seen = 0
    ahead = min(_AHEAD * workers, _MAX_AHEAD)
    finished = False

    def emit(part: TablePart, got: _PartRows) -> Iterator[Row | Skipped]:
        for name, level, message in got.logs:
            logging.getLogger(name).log(level, "%s", message)
        if part.whole:
            yield from (entry if isinstance(entry, Skipped) else Row(*entry) for entry in got.items)
            if got.error is not None:
                raise got.error
            return
        state = files.setdefault(part.path, _FileState(policy.fields))
        yield from state.take(part, got, policy)
        if part.last:
            del files[part.path]

    def settle(item: Row | Skipped | PageTask | TablePart, future: Future[_PartRows] | None) -> Iterator:
        if not isinstance(item, TablePart):
            yield item
        elif future is not None:
            yield from emit(item, result(pool, future, str(item.path)))

    try:
        for item in items:
            if not isinstance(item, TablePart):
                if pool is None:
                    yield item
                else:
                    flight.append((item, None))
            else:
                bytes_seen += item.size
                enough = bytes_seen > POOL_FROM or not item.last  # or a file cut in parts
                if pool is None and enough and workers > 1 and can_fork():
                    pool = ForkPool(workers)
                if pool is None or not _for_workers(item):
                    while flight:  # what comes before it first, in order
                        yield from settle(*flight.popleft())
                    if item.whole:  # read here as a one-process read reads it, streamed
                        yield from read_table(item.path, item.kind, policy, name=item.name)
                    else:
                        yield from emit(item, read_part(item, policy))
                    continue
                flight.append((item, pool.submit(read_part, item, policy)))
            while flight and (len(flight) > ahead or flight[0][1] is None):
                yield from settle(*flight.popleft())
        while flight:
            yield from settle(*flight.popleft())
        finished = True
    finally:
        if pool is not None:
            pool.finish(finished)  # a failure or an interrupt does not wait for the parts in flight
