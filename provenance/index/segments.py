"""Segment files: the documents and the band keys one commit added.

A segment ``NAME`` is two immutable files under ``segments/``:

- ``NAME.docs.parquet``: one row per document (``DOCS`` schema), sorted by document number,
  in row groups of ``DOCS_ROW_GROUP`` rows so that a query reads only the groups holding the
  documents it needs.
- ``NAME.keys.arrow``: the LSH band keys of every window of those documents, an Arrow IPC file
  (uncompressed, one record batch; ``KEYS`` schema), sorted by band, then key, then document.
  The band boundaries are in the schema metadata. It is memory-mapped, not read: a lookup is
  a binary search that touches a few pages per key, so opening an index of any size is instant.

Both are written to temporary names, flushed and renamed; a segment exists for readers only
once the manifest lists it.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from provenance.arrays import spread
from provenance.arrow import from_row, schema_of, to_table
from provenance.index.errors import IndexStoreError
from provenance.index.manifest import INDEX_SCHEMA_VERSION, SEGMENTS, SegmentInfo, is_segment_name
from provenance.records import Document

_META = {b"prov.index_schema_version": str(INDEX_SCHEMA_VERSION).encode()}
_BAND_OFFSETS = b"prov.band_offsets"
DOCS_ROW_GROUP = 1024

_DOC_NAMES = {"index": "doc"}
DOCS = schema_of(
    Document,
    names=_DOC_NAMES,
    order=["doc", "doc_id", "text", "outlet", "date", "when", "title", "url", "source", "extra"],
    metadata=_META,
)
"""One row per indexed document: its number, id, original text, metadata (``date`` as written,
``when`` the instant read from it, a UTC timestamp) and pass-through fields."""

KEYS = pa.schema(
    [pa.field("key", pa.uint64(), nullable=False), pa.field("doc", pa.uint32(), nullable=False)],
    metadata=_META,
)
"""One row per (band key, document); bands are contiguous row ranges (see the module docstring)."""


def segment_files(root: Path, name: str) -> tuple[Path, Path]:
    """The documents file and the keys file of segment ``name``.

    Raises:
        IndexStoreError: ``name`` is not a plain segment name (a tampered manifest).
    """
    if not is_segment_name(name):
        raise IndexStoreError(f"{root}: segment name {name[:80]!r} is not a plain name; the manifest is corrupt")
    folder = root / SEGMENTS
    return folder / f"{name}.docs.parquet", folder / f"{name}.keys.arrow"


def segment_temporaries(root: Path, name: str) -> tuple[Path, Path, Path]:
    """What a ``SegmentWriter`` writes segment ``name`` through before renaming: the two files
    under temporary names, and a scratch folder for its keys."""
    docs, keys = segment_files(root, name)
    return docs.with_name(f".{docs.name}.tmp"), keys.with_name(f".{keys.name}.tmp"), docs.with_name(f".{name}.scratch")


def new_segment_name(generation: int) -> str:
    """A fresh segment name: the generation that commits it and a random suffix (two killed
    attempts at the same generation never collide)."""
    return f"g{generation:08d}-{uuid.uuid4().hex[:12]}"


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def document_rows(docs: Sequence[Document], numbers: np.ndarray) -> pa.Table:
    """``DOCS`` rows of documents numbered ``numbers``: by the index, not by their position in
    this run."""
    return to_table(docs, DOCS, names=_DOC_NAMES, values={"doc": numbers.astype(np.int64)})


class SegmentWriter:
    """Writes segment ``name`` a batch of documents at a time, so that adding or compacting a
    million documents never holds them all: each batch's rows go to the documents file as they
    come (row groups of ``DOCS_ROW_GROUP``), and their band keys to scratch files, one per band
    and key range (``ranges``, a power of two), which ``finish`` sorts and writes one at a time.

    Use it as a context manager: on leaving, the temporary files are removed (after ``finish``,
    the segment's files are complete, flushed and in place; they become part of the index when
    a manifest listing them is committed).
    """

    def __init__(self, root: Path, name: str, bands: int, ranges: int = 1) -> None:
        if ranges < 1 or ranges & (ranges - 1):
            raise ValueError(f"key ranges must be a power of two, got {ranges}")
        self.name = name
        self._files = segment_files(root, name)
        self._files[0].parent.mkdir(parents=True, exist_ok=True)
        self._tmp = segment_temporaries(root, name)
        self._rows: pq.ParquetWriter | None = None
        try:
            self._tmp[2].mkdir(exist_ok=True)
            self._rows = pq.ParquetWriter(self._tmp[0], DOCS, compression="zstd")
        except BaseException:
            self.close()
            raise
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._bands, self._ranges = bands, ranges
        self._shift = np.uint64(64 - (ranges.bit_length() - 1))  # a key's range: its top bits
        self.docs = 0
        self._first: int | None = None
        self._last = -1

    def add_rows(self, rows: pa.Table) -> None:
        """Add documents as ``DOCS`` rows (ascending by number, after every number added before)."""
        if rows.num_rows == 0:
            return
        numbers = rows.column("doc")
        if self._first is None:
            self._first = int(numbers[0].as_py())
        self._last = int(numbers[-1].as_py())
        self.docs += rows.num_rows
        self._pending.append(rows)
        self._pending_rows += rows.num_rows
        if self._pending_rows >= DOCS_ROW_GROUP:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        """Write the pending rows in whole row groups (all of them when ``final``)."""
        table = pa.concat_tables(self._pending)
        cut = table.num_rows if final else table.num_rows - table.num_rows % DOCS_ROW_GROUP
        if cut:
            self._writer().write_table(table.slice(0, cut), row_group_size=DOCS_ROW_GROUP)
        self._pending = [table.slice(cut)] if cut < table.num_rows else []
        self._pending_rows = table.num_rows - cut

    def _writer(self) -> pq.ParquetWriter:
        if self._rows is None:
            raise ValueError(f"segment {self.name}: the writer is closed")
        return self._rows

    def _scratch(self, band: int, r: int) -> tuple[Path, Path]:
        return self._tmp[2] / f"b{band}.r{r}.u64", self._tmp[2] / f"b{band}.r{r}.u32"

    def add_keys(self, band: int, keys: np.ndarray, docs: np.ndarray) -> None:
        """Add band keys of documents added (or to be added), each with its document's number,
        ordered by key, then document (``key_order``): they are cut into the key ranges without
        a sort, and each range, a run of sorted keys per call, sorts fast in ``finish``."""
        docs = docs.astype(np.uint32)
        if self._ranges == 1:
            cuts = [0, keys.shape[0]]
        else:
            cuts = np.searchsorted(keys >> self._shift, np.arange(self._ranges + 1, dtype=np.uint64)).tolist()
        for r in range(self._ranges):
            lo, hi = cuts[r], cuts[r + 1]
            if hi > lo:
                keys_path, docs_path = self._scratch(band, r)
                with open(keys_path, "ab") as out:
                    keys[lo:hi].tofile(out)
                with open(docs_path, "ab") as out:
                    docs[lo:hi].tofile(out)

    def finish(self, created: str, bands: Iterable[Pieces] | None = None) -> SegmentInfo:
        """Write the keys, flush both files and put them in place. ``bands`` gives each band's
        ``(keys, doc numbers)`` as ``Pieces``, in band order, instead of the keys added (a
        compaction reads them from the segments it merges, a key range at a time).

        Returns the segment's manifest entry.
        """
        if self._pending:
            self._flush(final=True)
        self._writer().close()
        if bands is None:
            bands = (self._added(band) for band in range(self._bands))
        n_keys = _write_keys(self._tmp[1], self._tmp[2], bands)
        for tmp in self._tmp[:2]:
            _fsync_file(tmp)
        for tmp, path in zip(self._tmp[:2], self._files, strict=True):
            os.replace(tmp, path)
        return SegmentInfo(
            name=self.name,
            docs=self.docs,
            keys=n_keys,
            doc_min=self._first if self._first is not None else 0,
            doc_max=self._last,
            created=created,
        )

    def _added(self, band: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The keys added to ``band``, a key range at a time (each file removed once read)."""
        for r in range(self._ranges):
            keys_path, docs_path = self._scratch(band, r)
            if keys_path.exists():
                keys, docs = np.fromfile(keys_path, dtype=np.uint64), np.fromfile(docs_path, dtype=np.uint32)
                keys_path.unlink()
                docs_path.unlink()
                yield keys, docs

    def close(self) -> None:
        """Remove the temporary files (a segment not finished is gone)."""
        try:
            if self._rows is not None:
                self._rows.close()
        finally:
            for tmp in self._tmp[:2]:
                tmp.unlink(missing_ok=True)
            shutil.rmtree(self._tmp[2], ignore_errors=True)

    def __enter__(self) -> SegmentWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Pieces = Iterable[tuple[np.ndarray, np.ndarray]]
"""One band's keys and documents as pieces, each in any order, every key of a piece below every
key of the next (one piece, or one per key range)."""


def key_order(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The rows' order by key, then document: what a stable sort by key gives rows in document
    order, in half the time or less (numpy's quicksort of 64-bit keys is twice as fast as its
    stable sort, more on runs of sorted keys; only the rows of a key that repeats are then
    ordered by document)."""
    if docs.shape[0] and int(docs.max()) >= 1 << 32:
        raise ValueError("document numbers must fit in 32 bits")
    order = np.argsort(keys)
    ordered = keys[order]
    repeated = np.zeros(ordered.shape[0], dtype=bool)
    same = ordered[1:] == ordered[:-1]
    repeated[1:] |= same
    repeated[:-1] |= same
    rows = np.flatnonzero(repeated)
    if rows.shape[0]:
        tied = order[rows]  # whole runs of equal keys, in key order: reordered in place
        run = np.zeros(rows.shape[0], dtype=np.uint64)  # which run of equal keys: 0, 1, 2...
        np.cumsum(ordered[rows][1:] != ordered[rows][:-1], out=run[1:])
        order[rows] = tied[np.argsort((run << np.uint64(32)) | docs[tied].astype(np.uint64))]
    return order


_PAGE = mmap.PAGESIZE
_CHUNK = 64 << 20  # bytes of a mapped buffer written at a time


def _drop(mapped: mmap.mmap, start: int, end: int) -> None:
    """Unmap pages ``[start, end)`` of a read-only file mapping from this process (no-op where
    the system cannot): the data stays in the file and the page cache."""
    lo, hi = start - start % _PAGE, min(end, len(mapped))
    if hi > lo and hasattr(mapped, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        with contextlib.suppress(OSError):  # refused (locked pages, say): the pages stay, no harm
            mapped.madvise(mmap.MADV_DONTNEED, lo, hi - lo)


class _DroppingSink:
    """The file the keys are written into, for Arrow's IPC writer: a buffer of one of ``maps``
    is copied ``_CHUNK`` bytes at a time, each part unmapped once written, so writing keys of
    several GB from mapped scratch files never holds them in this process."""

    def __init__(self, out: BinaryIO, maps: list[mmap.mmap]) -> None:
        self._out = out
        self.maps = maps
        self.closed = False

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        source = next((m for m in self.maps if _inside(data, m)), None)
        for lo in range(0, len(view), _CHUNK):
            self._out.write(view[lo : lo + _CHUNK])
            if source is not None:
                at = _address(data) - _address(source) + lo
                _drop(source, at, at + min(_CHUNK, len(view) - lo))
        return len(view)

    def flush(self) -> None:
        self._out.flush()

    def tell(self) -> int:
        return self._out.tell()

    def close(self) -> None:
        self.closed = True  # the file and the maps are closed by their owner (``_write_keys``)


def _address(data: Any) -> int:
    return pa.py_buffer(data).address


def _inside(data: Any, mapped: mmap.mmap) -> bool:
    if not isinstance(data, pa.Buffer) or mapped.closed:
        return False
    base = _address(mapped)
    return base <= data.address < base + len(mapped)


def _write_keys(path: Path, scratch: Path, bands: Iterable[Pieces]) -> int:
    """Write the keys file (``KEYS``, one record batch) from each band's pieces: each piece is
    sorted and appended to two files in the ``scratch`` folder, which are then mapped and
    written out, so one piece is in memory at a time, not every key twice. Returns the number
    of keys."""
    keys_scratch, docs_scratch = scratch / "keys.u64", scratch / "docs.u32"
    offsets = [0]
    with open(keys_scratch, "wb") as keys_out, open(docs_scratch, "wb") as docs_out:
        for pieces in bands:
            written = offsets[-1]
            for keys, owners in pieces:
                order = key_order(keys, owners)
                keys[order].tofile(keys_out)
                owners[order].astype(np.uint32).tofile(docs_out)
                written += int(keys.shape[0])
                del order, keys, owners
            offsets.append(written)
    n = offsets[-1]
    schema = KEYS.with_metadata({**_META, _BAND_OFFSETS: json.dumps(offsets).encode()})
    columns: list[pa.Array] = []
    maps: list[mmap.mmap] = []
    try:
        with open(path, "wb") as out:
            sink = _DroppingSink(out, maps)
            with pa.PythonFile(sink, mode="w") as target, pa.ipc.new_file(target, schema) as writer:
                if n == 0:  # nothing to map
                    columns = [pa.array([], pa.uint64()), pa.array([], pa.uint32())]
                else:
                    for scratch_file in (keys_scratch, docs_scratch):
                        with open(scratch_file, "rb") as handle:
                            maps.append(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
                    # The mapped files become the batch's buffers: written out with no copy in memory.
                    columns = [
                        pa.Array.from_buffers(pa.uint64(), n, [None, pa.py_buffer(maps[0])]),
                        pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(maps[1])]),
                    ]
                writer.write_batch(pa.record_batch(columns, schema=schema))
    finally:
        columns.clear()  # the last references to the maps' buffers, so they close now
        for mapped in maps:
            with contextlib.suppress(BufferError):  # still referenced (a traceback): closed when collected
                mapped.close()
    keys_scratch.unlink()
    docs_scratch.unlink()
    return n


class SegmentKeys:
    """The memory-mapped keys of one segment."""

    def __init__(self, path: Path) -> None:
        try:
            with open(path, "rb") as handle:
                # Python's mmap rather than Arrow's: ``release`` can then let go of the pages read.
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            reader = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(self._map)))
            batch = reader.get_batch(0)
            meta = reader.schema.metadata or {}
            self.offsets: list[int] = json.loads(meta[_BAND_OFFSETS])
        except FileNotFoundError:
            raise
        except (OSError, KeyError, ValueError, pa.ArrowException) as err:
            raise IndexStoreError(f"{path}: unreadable keys segment ({err})") from None
        self.keys = batch.column(0).to_numpy()
        self.docs = batch.column(1).to_numpy()

    def release(self) -> None:
        """Let go of the pages of the file read so far (they stay in the system's page cache,
        and are read again when needed): a compaction reading every key of an index keeps
        this process small."""
        _drop(self._map, 0, len(self._map))

    @property
    def bands(self) -> int:
        """Number of bands stored."""
        return len(self.offsets) - 1

    def band(self, band: int) -> tuple[np.ndarray, np.ndarray]:
        """Sorted keys of one band and the document number of each (views into the mapped file)."""
        lo, hi = self.offsets[band], self.offsets[band + 1]
        return self.keys[lo:hi], self.docs[lo:hi]

    def lookup(self, band: int, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every ``(key, document)`` of ``band`` whose key is in ``query`` (sorted, distinct)."""
        keys, docs = self.band(band)
        lo = np.searchsorted(keys, query, side="left")
        hi = np.searchsorted(keys, query, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        rows = spread(lo, counts)
        return keys[rows], docs[rows].astype(np.int64)


def _read_parquet(path: Path, **kwargs) -> pa.Table:
    try:
        return pq.read_table(path, **kwargs)
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowException) as err:
        raise IndexStoreError(f"{path}: unreadable documents segment ({err})") from None


def read_ids(root: Path, info: SegmentInfo) -> tuple[np.ndarray, list[str]]:
    """Document numbers and ids of one segment."""
    table = _read_parquet(segment_files(root, info.name)[0], columns=["doc", "doc_id"])
    return table.column("doc").to_numpy(), table.column("doc_id").to_pylist()


def iter_docs(root: Path, info: SegmentInfo) -> Iterator[pa.Table]:
    """The rows (``DOCS`` schema) of one segment, a row group at a time, in number order."""
    path = segment_files(root, info.name)[0]
    try:
        source = pq.ParquetFile(path)
        for group in range(source.num_row_groups):
            yield source.read_row_group(group)
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowException) as err:
        raise IndexStoreError(f"{path}: unreadable documents segment ({err})") from None


def read_docs(root: Path, info: SegmentInfo, numbers: np.ndarray | None = None) -> pa.Table:
    """The rows (``DOCS`` schema) of one segment, only those numbered ``numbers`` when given,
    in number order."""
    path = segment_files(root, info.name)[0]
    if numbers is None:
        return _read_parquet(path)
    return _read_parquet(path, filters=[("doc", "in", [int(n) for n in numbers])])


def document_from_row(row: dict, index: int) -> Document:
    """A ``Document`` (with ``index``) from a ``DOCS`` row."""
    return from_row({**row, "doc": index}, Document, DOCS, names=_DOC_NAMES)
