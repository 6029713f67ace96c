"""Index: a persistent, embedded index of documents and their window band keys, added to
incrementally, and queried with new documents for the passages they reuse.

``add_documents(DIR, docs, detect)``, ``delete_documents``, ``compact``; ``open_index(DIR)``
for a read-only snapshot; ``query_index(DIR, docs, config)`` and ``write_query_report``.
See docs/dedup-and-index.md for the layout and its guarantees.
"""

from provenance.index.errors import IncompatibleIndexError, IndexBusyError, IndexStoreError
from provenance.index.manifest import INDEX_SCHEMA_VERSION, IndexManifest, KeyParameters, SegmentInfo
from provenance.index.query import ROLE_FIELD, QueryResult, query_identity, query_index, write_query_report
from provenance.index.store import (
    PAUSE_ENV,
    AddResult,
    CompactResult,
    DeleteResult,
    Snapshot,
    add_documents,
    compact,
    delete_documents,
    disk_usage,
    open_index,
    resolve_detect,
    unreferenced_files,
)

__all__ = [
    "IncompatibleIndexError",
    "IndexBusyError",
    "IndexStoreError",
    "INDEX_SCHEMA_VERSION",
    "IndexManifest",
    "KeyParameters",
    "SegmentInfo",
    "ROLE_FIELD",
    "QueryResult",
    "query_identity",
    "query_index",
    "write_query_report",
    "PAUSE_ENV",
    "AddResult",
    "CompactResult",
    "DeleteResult",
    "Snapshot",
    "add_documents",
    "compact",
    "delete_documents",
    "disk_usage",
    "open_index",
    "resolve_detect",
    "unreferenced_files",
]
