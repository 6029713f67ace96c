"""The index manifest: the one file that says what the index holds.

``manifest.json`` lists the committed segments, the deleted documents (tombstones), the
sketching parameters every key was made with and the schema version. It is replaced
atomically (written to a temporary sibling, flushed, renamed over the old one): a reader sees
the old state or the new one, never a mix, and a process killed before the rename leaves the
old state untouched. Segment files it does not list do not exist as far as readers go.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from provenance.config import DetectConfig
from provenance.index.errors import IncompatibleIndexError, IndexStoreError
from provenance.ownership import INDEX_FORMAT, MANIFEST, default_mode
from provenance.records import Skipped
from provenance.sketch import scan_banding

INDEX_SCHEMA_VERSION = 3
"""Bump on any change an older reader would misread (file layout, columns, key folding).

2: words are compared under NFKC and case folding, with combining marks kept in their word, so
the band keys of non-ASCII text differ from version 1's.
3: documents carry ``when``, the instant read from their date (a UTC timestamp column)."""

FORMAT = INDEX_FORMAT
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_segment_name(name: str) -> bool:
    """Whether ``name`` is a plain segment name: no path separators, no ``..``, nothing that
    could make a segment's files lie outside ``segments/``."""
    return _PLAIN_NAME.fullmatch(name) is not None


SEGMENTS = "segments"
LOCK = "lock"


@dataclass(frozen=True, slots=True)
class KeyParameters:
    """The sketching parameters that decide every band key: two indexes (or an index and a
    query) can only meet when these are equal. ``bands`` and ``rows`` are always explicit
    (derived from the threshold when the user gave none)."""

    shingle_size: int
    window_words: int
    num_perm: int
    seed: int
    bands: int
    rows: int

    @classmethod
    def from_detect(cls, detect: DetectConfig) -> KeyParameters:
        """The key parameters of a detection config (banding derived as the scan derives it)."""
        banding = scan_banding(detect)
        return cls(detect.shingle_size, detect.window_words, detect.num_perm, detect.seed, banding.bands, banding.rows)

    def differences(self, other: KeyParameters) -> list[str]:
        """``name index-value vs other-value`` for every parameter that differs."""
        mine, theirs = asdict(self), asdict(other)
        return [f"{name} {mine[name]} (given {theirs[name]})" for name in mine if mine[name] != theirs[name]]

    def detect(self, base: DetectConfig | None = None) -> DetectConfig:
        """``base`` (default parameters when None) with these key parameters; ``min_words``
        is raised to the window when it would be shorter."""
        base = base or DetectConfig()
        return replace(
            base,
            shingle_size=self.shingle_size,
            window_words=self.window_words,
            num_perm=self.num_perm,
            seed=self.seed,
            bands=self.bands,
            rows=self.rows,
            min_words=max(base.min_words, self.window_words),
        )


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """One committed segment: a documents file and a keys file sharing ``name``.

    Documents are numbered ``doc_min..doc_max`` (with gaps after a compaction); ``keys`` is the
    number of (band key, document) rows.
    """

    name: str
    docs: int
    keys: int
    doc_min: int
    doc_max: int
    created: str


@dataclass(frozen=True, slots=True)
class IndexManifest:
    """A committed state of the index.

    ``generation`` grows by one at every commit. ``next_doc`` is the number the next added
    document gets (numbers are never reused). ``tombstones`` are the numbers of deleted
    documents still in segments; ``retired`` are segment names a compaction replaced, kept on
    disk for readers of older states until the next compaction deletes them. ``skipped`` lists
    the inputs the last add could not read (file, line, reason).
    """

    parameters: KeyParameters
    generation: int = 0
    next_doc: int = 0
    segments: tuple[SegmentInfo, ...] = ()
    tombstones: tuple[int, ...] = ()
    retired: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    created: str = ""
    updated: str = ""
    prov_version: str = ""
    schema_version: int = INDEX_SCHEMA_VERSION

    @property
    def documents(self) -> int:
        """Live documents: in segments and not deleted."""
        return sum(s.docs for s in self.segments) - len(self.tombstones)

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON-ready dict."""
        return {
            "format": FORMAT,
            "schema_version": self.schema_version,
            "prov_version": self.prov_version,
            "created": self.created,
            "updated": self.updated,
            "generation": self.generation,
            "parameters": asdict(self.parameters),
            "next_doc": self.next_doc,
            "counts": {"documents": self.documents, "deleted": len(self.tombstones), "segments": len(self.segments)},
            "segments": [asdict(s) for s in self.segments],
            "tombstones": list(self.tombstones),
            "retired": list(self.retired),
            "skipped": [{"source": k.source, "line": k.line, "reason": k.reason} for k in self.skipped],
        }

    @classmethod
    def from_json(cls, data: Any, where: Path) -> IndexManifest:
        """Parse and check a manifest read from ``where``.

        Raises:
            IncompatibleIndexError: written by another index schema version.
            IndexStoreError: not a prov index manifest, or malformed.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise IndexStoreError(f"{where}: not a prov index manifest")
        version = data.get("schema_version")
        if version != INDEX_SCHEMA_VERSION:
            raise IncompatibleIndexError(
                f"{where.parent}: index schema version {version}, but this prov reads version "
                f"{INDEX_SCHEMA_VERSION}; use the prov that built it, or rebuild the index with `prov index add`"
            )
        try:
            manifest = cls(
                parameters=KeyParameters(**data["parameters"]),
                generation=int(data["generation"]),
                next_doc=int(data["next_doc"]),
                segments=tuple(SegmentInfo(**s) for s in data["segments"]),
                tombstones=tuple(int(t) for t in data["tombstones"]),
                retired=tuple(str(r) for r in data.get("retired", ())),
                skipped=tuple(
                    Skipped(str(k["source"]), str(k["reason"]), k.get("line")) for k in data.get("skipped", ())
                ),
                created=str(data.get("created", "")),
                updated=str(data.get("updated", "")),
                prov_version=str(data.get("prov_version", "")),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise IndexStoreError(f"{where}: malformed index manifest ({str(err)[:200]})") from None
        bad = [n for n in [s.name for s in manifest.segments] + list(manifest.retired) if not is_segment_name(n)]
        if bad:
            # A name such as "../../victim" would make maintenance delete files outside the index.
            raise IndexStoreError(
                f"{where}: malformed index manifest (segment name {bad[0][:80]!r} is not a plain name)"
            )
        return manifest

    def check(self, params: KeyParameters, root: Path) -> None:
        """Refuse parameters other than the ones the index was built with.

        Raises:
            IncompatibleIndexError: one line naming every differing parameter.
        """
        diffs = self.parameters.differences(params)
        if diffs:
            raise IncompatibleIndexError(
                f"{root}: index built with other sketching parameters: {'; '.join(diffs)}; "
                "omit those options to use the index's, or build a new index"
            )


def read_manifest(root: Path) -> IndexManifest | None:
    """The committed manifest of the index at ``root``, or None when there is none yet.

    Raises:
        IndexStoreError: the manifest is unreadable or malformed.
        IncompatibleIndexError: it was written by another index schema version.
    """
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise IndexStoreError(f"{path}: cannot read ({err.strerror or err})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise IndexStoreError(f"{path}: corrupt manifest ({err})") from None
    return IndexManifest.from_json(data, path)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its folder is)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(root: Path, manifest: IndexManifest) -> None:
    """Replace the manifest atomically and durably (temporary file, fsync, rename, fsync folder)."""
    fd, name = tempfile.mkstemp(prefix=f".{MANIFEST}.", suffix=".tmp", dir=root)
    try:
        os.fchmod(fd, default_mode())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(manifest.to_json(), handle, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, root / MANIFEST)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    fsync_dir(root)
