"""Errors of the persistent index; each message says what is wrong and how to fix it."""

from provenance.errors import ProvenanceError


class IndexStoreError(ProvenanceError):
    """An index folder cannot be opened, read or written (missing, not an index, corrupt)."""


class IncompatibleIndexError(IndexStoreError):
    """The index was built with other sketching parameters or by another schema version."""


class IndexBusyError(IndexStoreError):
    """Another process is writing to the index (it holds the write lock)."""
