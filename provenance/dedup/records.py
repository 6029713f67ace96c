"""The records deduplication produces: what was removed and why, and what was stripped.

They live beside the stage that makes them (``provenance.records`` holds the records of the
passage scan, which dedup only reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from provenance.records import Document, Skipped, StageTiming


@dataclass(frozen=True, slots=True)
class Removal:
    """A document left out of the deduplicated corpus.

    ``kept`` is the index of the representative it duplicates (None when the document was
    dropped for holding nothing but boilerplate); ``similarity`` is the exact Jaccard
    similarity of the two documents' shingle sets. ``reason`` is ``identical text``,
    ``near-duplicate`` or ``only boilerplate``; ``kept_because`` says why the representative
    won under the policy.
    """

    doc: int
    kept: int | None
    similarity: float
    reason: str
    kept_because: str


@dataclass(frozen=True, slots=True)
class StrippedSpan:
    """A boilerplate passage cut out of a kept document: ``[start, end)`` of its original text,
    the passage scan's cluster and how many kept documents hold that passage."""

    doc: int
    start: int
    end: int
    cluster_id: str
    n_documents: int


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Everything a deduplication produced.

    ``documents`` are all documents read (``index`` = position); ``kept`` are the documents
    written back, in input order, with boilerplate cut out of their text when asked (their
    ``index`` still points into ``documents``). For a ``Corpus`` (what ``load`` gives), both are
    read from the corpus's temporary file when used: use them before closing the corpus, and
    ``list(result.kept)`` for documents to keep or pickle.
    """

    documents: Sequence[Document]  # a ``Corpus`` when read by ``load``: read on access
    kept: Sequence[Document]  # read from ``documents`` on access (a ``corpus.Picked``)
    removals: tuple[Removal, ...]
    stripped: tuple[StrippedSpan, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    timings: tuple[StageTiming, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
