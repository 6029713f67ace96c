"""The persistent index: a folder of immutable segments and a manifest swapped atomically.

```
DIR/
  manifest.json              the committed state (see provenance.index.manifest)
  lock                       writers hold an exclusive flock on it; readers never touch it
  segments/NAME.docs.parquet documents of one commit
  segments/NAME.keys.arrow   their band keys, memory-mapped by readers
```

Writes (``add_documents``, ``delete_documents``, ``compact``) take the lock, write any new
segment files, then commit by replacing the manifest. An add is all-or-nothing: a process
killed before the manifest rename leaves the previous state readable, and the files it wrote
are never referenced; the next writer deletes them. Readers (``open_index``) take no lock:
they load the manifest once and read only the immutable files it lists, so they can run while
another process adds. Segments a compaction replaces stay on disk (``retired``) until the next
compaction, for readers still on an older manifest.

Testing seam: when the environment variable ``PROV_INDEX_PAUSE_BEFORE_COMMIT`` holds a number
of seconds, every write sleeps that long after its segment files are complete and before the
manifest is replaced. It lets a test (or an operator rehearsing a crash) kill a writer at the
one moment when new files exist but are not committed. The ``before_commit`` argument of the
write functions is the in-process equivalent.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from provenance import __version__
from provenance.config import DetectConfig
from provenance.corpus import column
from provenance.engines.local import LocalEngine
from provenance.engines.stages import SKETCH_WORDS, sketch_windows
from provenance.index.errors import IndexBusyError, IndexStoreError
from provenance.index.manifest import (
    LOCK,
    MANIFEST,
    SEGMENTS,
    IndexManifest,
    KeyParameters,
    SegmentInfo,
    fsync_dir,
    read_manifest,
    write_manifest,
)
from provenance.index.segments import (
    SegmentKeys,
    SegmentWriter,
    document_from_row,
    document_rows,
    is_segment_name,
    iter_docs,
    key_order,
    new_segment_name,
    read_docs,
    read_ids,
    segment_files,
    segment_temporaries,
)
from provenance.records import BandKeys, Document, Skipped
from provenance.sketch import Banding, merge_bands

log = logging.getLogger(__name__)

PENDING = "pending.json"
"""Segment names being written and not yet committed (see ``reserve_segment``)."""

PAUSE_ENV = "PROV_INDEX_PAUSE_BEFORE_COMMIT"
"""Environment variable: seconds every index write sleeps between writing and committing."""

SEGMENT_DOCS = 200_000
"""An add of more documents than this writes several segments (bounded memory), still committed at once."""

RANGE_DOCS = 32_768
"""Documents per key range of a new segment's keys (about 4.7 million keys of a band, 60 MB),
sorted one range at a time when the segment is written."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- reading --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Snapshot:
    """A read-only view of one committed state of the index.

    Holds the manifest it was opened with; every read goes to the files that manifest lists,
    which never change, so a snapshot stays consistent while other processes write.
    """

    root: Path
    manifest: IndexManifest
    _keys: dict[str, SegmentKeys] = field(default_factory=dict)
    _tombstones: np.ndarray | None = None

    @property
    def parameters(self) -> KeyParameters:
        """The key parameters every key of the index was made with."""
        return self.manifest.parameters

    @property
    def tombstones(self) -> np.ndarray:
        """Numbers of deleted documents, sorted."""
        if self._tombstones is None:
            self._tombstones = np.array(sorted(self.manifest.tombstones), dtype=np.int64)
        return self._tombstones

    def segment_keys(self, info: SegmentInfo) -> SegmentKeys:
        """The memory-mapped keys of one segment (opened once per snapshot)."""
        keys = self._keys.get(info.name)
        if keys is None:
            keys = self._keys[info.name] = SegmentKeys(segment_files(self.root, info.name)[1])
        return keys

    def live(self, numbers: np.ndarray) -> np.ndarray:
        """Which of ``numbers`` are not deleted (a boolean mask)."""
        dead = self.tombstones
        if dead.shape[0] == 0:
            return np.ones(numbers.shape[0], dtype=bool)
        at = np.minimum(np.searchsorted(dead, numbers), dead.shape[0] - 1)
        return dead[at] != numbers

    def lookup(self, bands: Sequence[BandKeys]) -> list[BandKeys]:
        """The indexed ``(key, document number)`` entries whose key is among ``bands``' keys,
        one ``BandKeys`` per band given; deleted documents are left out."""
        out = []
        for band in bands:
            query = np.unique(band.keys)
            keys, docs = [], []
            for info in self.manifest.segments:
                k, d = self.segment_keys(info).lookup(band.band, query)
                keys.append(k)
                docs.append(d)
            k = np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)
            d = np.concatenate(docs) if docs else np.empty(0, dtype=np.int64)
            alive = self.live(d)
            out.append(BandKeys(band.band, k[alive], d[alive]))
        return out

    def documents(self, numbers: Iterable[int], first_index: int = 0) -> list[Document]:
        """The live documents numbered ``numbers``, in number order, indexed from ``first_index``.

        Raises:
            IndexStoreError: a number is not in the index.
        """
        wanted = np.unique(np.fromiter(numbers, dtype=np.int64))
        rows: list[dict] = []
        for info in self.manifest.segments:
            inside = wanted[(wanted >= info.doc_min) & (wanted <= info.doc_max)]
            if inside.shape[0]:
                rows.extend(read_docs(self.root, info, inside).to_pylist())
        rows.sort(key=lambda r: r["doc"])
        found = np.array([r["doc"] for r in rows], dtype=np.int64)
        missing = np.setdiff1d(wanted, found[self.live(found)])
        if missing.shape[0]:
            raise IndexStoreError(f"{self.root}: documents {missing[:5].tolist()} are not in the index")
        return [document_from_row(r, first_index + i) for i, r in enumerate(rows)]

    def ids(self) -> dict[str, int]:
        """Live document id -> document number."""
        out: dict[str, int] = {}
        for info in self.manifest.segments:
            numbers, ids = read_ids(self.root, info)
            alive = self.live(numbers)
            out.update((i, int(n)) for i, n, a in zip(ids, numbers.tolist(), alive.tolist(), strict=True) if a)
        return out


def open_index(root: Path) -> Snapshot:
    """Open the committed state of the index at ``root`` for reading (no lock taken).

    Raises:
        IndexStoreError: ``root`` holds no index (or an unreadable one).
        IncompatibleIndexError: the index was written by another index schema version.
    """
    manifest = read_manifest(root)
    if manifest is None:
        what = "no such folder" if not root.exists() else f"no {MANIFEST}"
        raise IndexStoreError(
            f"{root}: not a prov index ({what}); create it with `prov index add PATH... --index {root}`"
        )
    return Snapshot(root, manifest)


# --- writing --------------------------------------------------------------------------------------


@contextmanager
def write_lock(root: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the index's exclusive write lock (``fcntl.flock``; released by the kernel if the
    process dies), waiting up to ``timeout`` seconds for it.

    Raises:
        IndexBusyError: another process holds it.
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"{root}: another process is writing to this index; wait for it to finish "
                        "(or pass --wait SECONDS)"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing drops the lock


def _check_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise IndexStoreError(f"{root}: exists and is not a folder; choose another --index")
    if root.is_dir() and not (root / MANIFEST).exists():
        strangers = [p.name for p in root.iterdir() if p.name not in (LOCK, SEGMENTS) and not p.name.startswith(".")]
        if strangers:
            raise IndexStoreError(f"{root}: folder is not empty and holds no prov index; choose another --index")


def _read_pending(root: Path) -> list[str]:
    try:
        names = json.loads((root / PENDING).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as err:
        log.warning("%s: unreadable (%s); uncommitted segment files, if any, are left in place", root / PENDING, err)
        return []
    return [n for n in names if isinstance(n, str) and is_segment_name(n)] if isinstance(names, list) else []


def _write_pending(root: Path, names: list[str]) -> None:
    if not names:
        (root / PENDING).unlink(missing_ok=True)
        return
    tmp = root / f".{PENDING}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(names, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / PENDING)
    fsync_dir(root)


def reserve_segment(root: Path, name: str) -> None:
    """Record, before writing them, that the files of segment ``name`` are prov's: the next
    writer deletes them if they were never committed. Call only while holding the write lock."""
    _write_pending(root, [*_read_pending(root), name])


def remove_orphans(root: Path, manifest: IndexManifest | None) -> list[str]:
    """Delete the segment files that an interrupted write reserved (``reserve_segment``) but
    never committed. Files the index did not record are never touched, whatever their name.
    Call only while holding the write lock.

    Returns the names deleted.
    """
    committed = {s.name for s in manifest.segments} | set(manifest.retired) if manifest else set()
    gone = []
    for name in _read_pending(root):
        if name in committed:
            continue
        for path in (*segment_files(root, name), *segment_temporaries(root, name)):
            if path.is_dir() and not path.is_symlink():  # the scratch folder of its keys
                shutil.rmtree(path)
                gone.append(path.name)
            elif path.exists() or path.is_symlink():  # a kill may have left the files, or only their temporaries
                path.unlink()
                gone.append(path.name)
    _write_pending(root, [])
    for path in root.glob(f".{MANIFEST}.*.tmp"):  # write_manifest's own temporary files
        path.unlink(missing_ok=True)
    if gone:
        log.info("removed %d uncommitted segment files left by an interrupted write", len(gone))
    return gone


def unreferenced_files(root: Path, manifest: IndexManifest) -> list[str]:
    """Names of files under ``segments/`` that ``manifest`` does not list as live segments:
    retired segments kept for older readers, and leftovers of interrupted writes."""
    folder = root / SEGMENTS
    live = {p.name for s in manifest.segments for p in segment_files(root, s.name)}
    return sorted(p.name for p in folder.iterdir() if p.name not in live) if folder.is_dir() else []


def _pause_before_commit() -> None:
    raw = os.environ.get(PAUSE_ENV)
    if not raw:
        return
    try:
        seconds = float(raw)
    except ValueError:
        log.warning("%s=%r is not a number of seconds; ignored", PAUSE_ENV, raw)
        return
    log.info("pausing %.1fs before committing (%s)", seconds, PAUSE_ENV)
    time.sleep(seconds)


def _commit(root: Path, manifest: IndexManifest, before_commit: Callable[[], None] | None) -> None:
    _pause_before_commit()
    if before_commit is not None:
        before_commit()
    write_manifest(root, manifest)


@dataclass(frozen=True, slots=True)
class AddResult:
    """What an add did: documents added, ids skipped because already indexed, ids replaced,
    and the committed state."""

    added: int
    skipped_ids: tuple[str, ...]
    replaced_ids: tuple[str, ...]
    manifest: IndexManifest
    seconds: float


_Sketched = tuple[list[tuple[int, np.ndarray, np.ndarray]], pa.Table]  # (band, keys, documents), rows


def _sketch_rows(docs: Sequence[Document], task: tuple[Sequence[int], int, DetectConfig, Banding]) -> _Sketched:
    """One batch of an add (``docs[p]`` for ``p`` in the positions, numbered from ``first``):
    its rows and the band keys of every window (a pool task: the documents are read here)."""
    positions, first, detect, banding = task
    numbers = np.arange(first, first + len(positions), dtype=np.int64)
    batch = [replace(docs[p], index=n) for p, n in zip(positions, numbers.tolist(), strict=True)]
    keys = []
    for bk in merge_bands(parts for parts, _ in sketch_windows(batch, detect, banding, batch_words=SKETCH_WORDS)):
        order = key_order(bk.keys, bk.docs)  # sorted here, on the workers: the writer only merges
        keys.append((bk.band, bk.keys[order], bk.docs[order].astype(np.uint32)))
    return keys, document_rows(batch, numbers)


def _write_added(
    root: Path,
    name: str,
    docs: Sequence[Document],
    positions: Sequence[int],
    first: int,
    detect: DetectConfig,
    banding: Banding,
    batch_docs: int,
    created: str,
    engine: LocalEngine,
) -> SegmentInfo:
    """Segment ``name`` of ``docs[p]`` for ``p`` in ``positions``, numbered from ``first``,
    read and sketched ``batch_docs`` at a time on the engine's workers and written here as
    each batch comes back: only their keys are held, on disk."""
    ranges = 1 << max(0, (len(positions) - 1) // RANGE_DOCS).bit_length()
    tasks = [
        (positions[lo : lo + batch_docs], first + lo, detect, banding) for lo in range(0, len(positions), batch_docs)
    ]
    with SegmentWriter(root, name, banding.bands, ranges) as writer:
        for keys, rows in engine.map_documents(_sketch_rows, docs, tasks):
            for band, band_keys, owners in keys:
                writer.add_keys(band, band_keys, owners)
            writer.add_rows(rows)
        return writer.finish(created)


def add_documents(
    root: Path,
    docs: Sequence[Document],
    detect: DetectConfig,
    *,
    replace_existing: bool = False,
    skipped_inputs: Sequence[Skipped] = (),
    lock_timeout: float = 0.0,
    batch_docs: int = 2000,
    segment_docs: int = SEGMENT_DOCS,
    before_commit: Callable[[], None] | None = None,
    workers: int = 1,
) -> AddResult:
    """Add documents to the index at ``root`` (created when missing), in one commit.

    Documents whose id is already indexed are skipped, or, with ``replace_existing``, replace
    the indexed ones (deleted in the same commit). Only the new documents are sketched and
    written: the existing segments are not touched.

    Args:
        root: the index folder.
        docs: documents to add (their ``index`` is ignored; of two with the same id, the first
            is added and the second skipped).
        detect: sketching parameters; for an existing index the key parameters must be the
            index's (see ``KeyParameters``).
        replace_existing: replace indexed documents with the same id instead of skipping them.
        skipped_inputs: inputs ingest could not read; the manifest lists them (``skipped``).
        lock_timeout: seconds to wait for another writer to finish.
        batch_docs: documents sketched at once.
        segment_docs: documents per segment file.
        before_commit: called after the segment files are written, before the commit.
        workers: processes that read and sketch the documents (1: this one).

    Returns:
        An ``AddResult`` with the committed manifest.

    Raises:
        IncompatibleIndexError: ``detect`` does not match the index's parameters.
        IndexBusyError: another process is writing.
        IndexStoreError: ``root`` is not an index folder, or cannot be written.
    """
    t0 = time.perf_counter()
    params = KeyParameters.from_detect(detect)
    _check_root(root)
    try:
        with write_lock(root, lock_timeout):
            old = read_manifest(root)
            if old is not None:
                old.check(params, root)
            remove_orphans(root, old)
            now = _now()
            base = old or IndexManifest(parameters=params, created=now)
            existing = Snapshot(root, base).ids() if base.segments else {}
            fresh: list[int] = []  # positions in ``docs``: the documents are read when written
            skipped, replaced, dead = [], [], []
            seen: set[str] = set()
            for position, doc_id in enumerate(column(docs, "doc_id")):  # no text read
                if doc_id in seen:  # the first of two documents with one id wins, as in ingest
                    skipped.append(doc_id)
                    continue
                seen.add(doc_id)
                number = existing.get(doc_id)
                if number is None:
                    fresh.append(position)
                elif replace_existing:
                    fresh.append(position)
                    replaced.append(doc_id)
                    dead.append(number)
                else:
                    skipped.append(doc_id)
            if skipped:
                log.info("%d documents already in the index were skipped", len(skipped))
            if base.next_doc + len(fresh) > 1 << 32:  # keys files hold document numbers in 32 bits
                raise IndexStoreError(
                    f"{root}: the index would number {base.next_doc + len(fresh):,} documents; it holds 2**32"
                )
            generation = base.generation + 1
            segments = list(base.segments)
            detect = params.detect(detect)
            banding = Banding(params.bands, params.rows)
            engine = LocalEngine(workers, batch_docs)
            for lo in range(0, len(fresh), segment_docs):
                name = new_segment_name(generation)
                reserve_segment(root, name)
                part, first = fresh[lo : lo + segment_docs], base.next_doc + lo
                segments.append(_write_added(root, name, docs, part, first, detect, banding, batch_docs, now, engine))
            if old is not None and not fresh and not skipped_inputs:
                return AddResult(0, tuple(skipped), (), old, round(time.perf_counter() - t0, 3))
            (root / SEGMENTS).mkdir(exist_ok=True)
            fsync_dir(root / SEGMENTS)
            manifest = replace(
                base,
                generation=generation,
                next_doc=base.next_doc + len(fresh),
                segments=tuple(segments),
                tombstones=tuple(sorted(set(base.tombstones) | set(dead))),
                skipped=tuple(skipped_inputs),
                updated=now,
                prov_version=__version__,
            )
            _commit(root, manifest, before_commit)
    except OSError as err:
        raise IndexStoreError(f"{root}: cannot write the index ({err.strerror or err})") from None
    return AddResult(len(fresh), tuple(skipped), tuple(replaced), manifest, round(time.perf_counter() - t0, 3))


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """Ids deleted, ids not found, and the committed state."""

    deleted: tuple[str, ...]
    missing: tuple[str, ...]
    manifest: IndexManifest


def delete_documents(
    root: Path, doc_ids: Iterable[str], *, lock_timeout: float = 0.0, before_commit: Callable[[], None] | None = None
) -> DeleteResult:
    """Delete documents by id: they are tombstoned in one commit (their rows go at the next
    ``compact``), and no query sees them any more.

    Raises:
        IndexStoreError: no index at ``root``; IndexBusyError: another process is writing.
    """
    open_index(root)  # a clear error before creating a lock file in a folder that is no index
    try:
        with write_lock(root, lock_timeout):
            snapshot = open_index(root)
            remove_orphans(root, snapshot.manifest)
            ids = snapshot.ids()
            wanted = list(dict.fromkeys(doc_ids))
            deleted = [i for i in wanted if i in ids]
            missing = [i for i in wanted if i not in ids]
            manifest = snapshot.manifest
            if deleted:
                manifest = replace(
                    manifest,
                    generation=manifest.generation + 1,
                    tombstones=tuple(sorted(set(manifest.tombstones) | {ids[i] for i in deleted})),
                    updated=_now(),
                    prov_version=__version__,
                )
                _commit(root, manifest, before_commit)
    except OSError as err:
        raise IndexStoreError(f"{root}: cannot write the index ({err.strerror or err})") from None
    return DeleteResult(tuple(deleted), tuple(missing), manifest)


@dataclass(frozen=True, slots=True)
class CompactResult:
    """Segments before and after, deleted documents purged, files removed, and the committed state."""

    segments_before: int
    purged: int
    removed_files: int
    manifest: IndexManifest


def compact(root: Path, *, lock_timeout: float = 0.0, before_commit: Callable[[], None] | None = None) -> CompactResult:
    """Merge all segments into one, dropping deleted documents, in one commit.

    The replaced segments are retired, not deleted: readers that opened the previous state keep
    working; the next compaction deletes them (and the segments retired before are deleted now).
    Document numbers do not change.

    Raises:
        IndexStoreError: no index at ``root``; IndexBusyError: another process is writing.
    """
    open_index(root)
    try:
        with write_lock(root, lock_timeout):
            snapshot = open_index(root)
            old = snapshot.manifest
            removed = remove_orphans(root, old)
            for name in old.retired:
                for path in segment_files(root, name):
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
            generation = old.generation + 1
            segments: tuple[SegmentInfo, ...] = ()
            if old.documents:
                name = new_segment_name(generation)
                reserve_segment(root, name)
                with SegmentWriter(root, name, old.parameters.bands) as writer:
                    for info in old.segments:
                        for rows in iter_docs(root, info):
                            writer.add_rows(rows.filter(pa.array(snapshot.live(rows.column("doc").to_numpy()))))
                    segments = (writer.finish(_now(), _merged_bands(snapshot)),)
                fsync_dir(root / SEGMENTS)
            manifest = replace(
                old,
                generation=generation,
                segments=segments,
                tombstones=(),
                retired=tuple(s.name for s in old.segments),
                updated=_now(),
                prov_version=__version__,
            )
            _commit(root, manifest, before_commit)
    except OSError as err:
        raise IndexStoreError(f"{root}: cannot write the index ({err.strerror or err})") from None
    return CompactResult(len(old.segments), len(old.tombstones), len(removed), manifest)


Pair = tuple[np.ndarray, np.ndarray]  # keys and their documents' numbers
MERGE_KEYS = 1 << 23
"""Keys a compaction sorts at a time (about 170 MB with their documents and order): each band
is merged a key range at a time."""


def _merged_bands(snapshot: Snapshot) -> Iterator[Iterator[Pair]]:
    """Each band of every live document of ``snapshot``'s segments, as ``segments.Pieces``."""
    segments = [snapshot.segment_keys(info) for info in snapshot.manifest.segments]
    for band in range(snapshot.manifest.parameters.bands):
        yield _key_ranges(snapshot, segments, band)


def _key_ranges(snapshot: Snapshot, segments: list[SegmentKeys], band: int) -> Iterator[Pair]:
    """One band's live keys and documents from every segment, a key range at a time (about
    ``MERGE_KEYS`` keys): a segment's band is sorted by key, so its part of a range is a slice.
    The segments' pages read for a range are let go after it (``SegmentKeys.release``)."""
    sides = [keys.band(band) for keys in segments]
    ranges = max(1, -(-sum(int(k.shape[0]) for k, _ in sides) // MERGE_KEYS))
    bounds = np.array([(i << 64) // ranges for i in range(1, ranges)], dtype=np.uint64)
    cuts = [np.concatenate([[0], np.searchsorted(k, bounds), [k.shape[0]]]) for k, _ in sides]
    for r in range(ranges):
        keys, owners = [], []
        for (k, d), cut in zip(sides, cuts, strict=True):
            k, d = k[cut[r] : cut[r + 1]], d[cut[r] : cut[r + 1]]
            alive = snapshot.live(d.astype(np.int64))
            keys.append(k[alive])
            owners.append(d[alive])
        for segment in segments:
            segment.release()
        yield np.concatenate(keys), np.concatenate(owners)


def resolve_detect(
    root: Path,
    base: DetectConfig | None = None,
    *,
    shingle_size: int | None = None,
    window_words: int | None = None,
    num_perm: int | None = None,
    seed: int | None = None,
    threshold: float | None = None,
    bands: int | None = None,
    rows: int | None = None,
) -> DetectConfig:
    """The detection parameters to use with the index at ``root``.

    Key parameters left as None are the index's (or ``base``'s for a new index); those given
    must agree with the index. ``threshold`` only matters through the banding it derives.
    Verification parameters (``min_words``...) come from ``base``.

    Raises:
        IncompatibleIndexError: a given parameter differs from the index's.
        ConfigError: the parameters do not fit together.
    """
    base = base or DetectConfig()
    given: dict[str, Any] = {  # parameter name -> value given: ints, and the float threshold
        name: value
        for name, value in (
            ("shingle_size", shingle_size),
            ("window_words", window_words),
            ("num_perm", num_perm),
            ("seed", seed),
            ("threshold", threshold),
            ("bands", bands),
            ("rows", rows),
        )
        if value is not None
    }
    manifest = read_manifest(root) if root.is_dir() else None
    if manifest is None:
        window = given.get("window_words", base.window_words)
        return replace(base, **given, min_words=max(base.min_words, int(window)))
    p = manifest.parameters
    if "bands" not in given and "rows" not in given and "threshold" not in given:
        given["bands"], given["rows"] = p.bands, p.rows
    window = int(given.get("window_words", p.window_words))
    detect = replace(
        base,
        shingle_size=int(given.get("shingle_size", p.shingle_size)),
        window_words=window,
        num_perm=int(given.get("num_perm", p.num_perm)),
        seed=int(given.get("seed", p.seed)),
        threshold=float(given.get("threshold", base.threshold)),
        bands=given.get("bands"),
        rows=given.get("rows"),
        min_words=max(base.min_words, window),
    )
    manifest.check(KeyParameters.from_detect(detect), root)
    return detect


def disk_usage(root: Path) -> int:
    """Bytes used by the index folder."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
