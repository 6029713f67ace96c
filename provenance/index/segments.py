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

import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

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


def segment_temporaries(root: Path, name: str) -> tuple[Path, Path]:
    """The temporary files ``write_segment`` writes segment ``name`` into before renaming them."""
    docs, keys = segment_files(root, name)
    return docs.with_name(f".{docs.name}.tmp"), keys.with_name(f".{keys.name}.tmp")


def new_segment_name(generation: int) -> str:
    """A fresh segment name: the generation that commits it and a random suffix (two killed
    attempts at the same generation never collide)."""
    return f"g{generation:08d}-{uuid.uuid4().hex[:12]}"


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def write_segment(
    root: Path,
    name: str,
    docs: Sequence[Document],
    numbers: np.ndarray,
    band_keys: Sequence[tuple[np.ndarray, np.ndarray]],
    created: str,
) -> SegmentInfo:
    """Write segment ``name``: ``docs`` numbered ``numbers`` (ascending), and for each band the
    ``(keys, doc numbers)`` of their windows, in any order (sorted here).

    Returns the segment's manifest entry. The files are complete and flushed when this returns;
    they become part of the index when a manifest listing them is committed.
    """
    docs_path, keys_path = segment_files(root, name)
    docs_path.parent.mkdir(parents=True, exist_ok=True)
    # Rows are numbered by the index, not by the documents' position in this run.
    table = to_table(docs, DOCS, names=_DOC_NAMES, values={"doc": numbers.astype(np.int64)})
    offsets = [0]
    key_parts, doc_parts = [], []
    for keys, owners in band_keys:
        # Stable: within a key, documents stay in the (ascending) order they were sketched in.
        order = np.argsort(keys, kind="stable")
        key_parts.append(keys[order])
        doc_parts.append(owners[order])
        offsets.append(offsets[-1] + int(keys.shape[0]))
    all_keys = np.concatenate(key_parts) if key_parts else np.empty(0, dtype=np.uint64)
    all_docs = np.concatenate(doc_parts) if doc_parts else np.empty(0, dtype=np.int64)
    schema = KEYS.with_metadata({**_META, _BAND_OFFSETS: json.dumps(offsets).encode()})
    batch = pa.record_batch([pa.array(all_keys, pa.uint64()), pa.array(all_docs.astype(np.uint32))], schema=schema)
    tmp_docs, tmp_keys = segment_temporaries(root, name)
    try:
        pq.write_table(table, tmp_docs, row_group_size=DOCS_ROW_GROUP, compression="zstd")
        with pa.OSFile(str(tmp_keys), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            writer.write_batch(batch)
        _fsync_file(tmp_docs)
        _fsync_file(tmp_keys)
        os.replace(tmp_docs, docs_path)
        os.replace(tmp_keys, keys_path)
    finally:
        tmp_docs.unlink(missing_ok=True)
        tmp_keys.unlink(missing_ok=True)
    return SegmentInfo(
        name=name,
        docs=len(docs),
        keys=int(all_keys.shape[0]),
        doc_min=int(numbers[0]) if len(docs) else 0,
        doc_max=int(numbers[-1]) if len(docs) else -1,
        created=created,
    )


class SegmentKeys:
    """The memory-mapped keys of one segment."""

    def __init__(self, path: Path) -> None:
        try:
            self._map = pa.memory_map(str(path), "r")
            reader = pa.ipc.open_file(self._map)
            batch = reader.get_batch(0)
            meta = reader.schema.metadata or {}
            self.offsets: list[int] = json.loads(meta[_BAND_OFFSETS])
        except FileNotFoundError:
            raise
        except (OSError, KeyError, ValueError, pa.ArrowException) as err:
            raise IndexStoreError(f"{path}: unreadable keys segment ({err})") from None
        self.keys = batch.column(0).to_numpy()
        self.docs = batch.column(1).to_numpy()

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
        before = np.cumsum(counts) - counts
        rows = np.repeat(lo - before, counts) + np.arange(total)
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
