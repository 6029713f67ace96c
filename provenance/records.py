"""Every record that crosses a stage boundary.

The data's way through the pipeline:
``Document -> TokenizedDoc -> BandKeys -> CandidatePair -> Alignment -> Occurrence + Cluster``.
Records are frozen and slotted; array-valued fields are numpy arrays that no stage mutates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True)
class Document:
    """One article as read from the input, with its original text untouched.

    ``index`` is the document's position in the run (dense, 0-based); stages refer to documents
    by it. ``date`` is the date as the input wrote it; ``when`` the instant it stands for (UTC,
    read once at ingest by ``provenance.dates.parse_date``), None when unknown: every comparison
    of dates uses ``when``. ``extra`` holds pass-through fields from tabular inputs (strings only).
    """

    index: int
    doc_id: str
    text: str
    source: str
    outlet: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    when: datetime | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input (file, line or row) that was not read, and why."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class TokenizedDoc:
    """Word tokens of one document: character spans into the original text and 64-bit hashes
    of the normalised (case-folded) words."""

    index: int
    starts: np.ndarray  # int64, character offset of each token
    ends: np.ndarray  # int64, end exclusive
    hashes: np.ndarray  # uint64, stable hash of the case-folded token

    def __len__(self) -> int:
        return int(self.hashes.shape[0])


@dataclass(frozen=True, slots=True)
class ShingleIndex:
    """Word-shingle hashes of a set of documents, in compressed-row layout.

    Row ``r`` describes document ``docs[r]`` (``docs`` ascending); its shingles are
    ``hashes[offsets[r]:offsets[r + 1]]``. ``hashes`` are 32-bit shingle hashes and
    ``positions`` the token index where each shingle starts. Rows are in text order when
    ``sorted_by_hash`` is false (what MinHash windows need), and sorted by hash when it is
    true (what seed matching needs).
    """

    docs: np.ndarray  # int64
    offsets: np.ndarray  # int64, len(docs) + 1
    hashes: np.ndarray  # uint32
    positions: np.ndarray  # int32
    sorted_by_hash: bool

    def __len__(self) -> int:
        return int(self.docs.shape[0])


@dataclass(frozen=True, slots=True)
class BandKeys:
    """LSH band keys of every window of a batch of documents, for one band.

    ``keys[i]`` is the band's bucket key for a window of document ``docs[i]``; consecutive
    windows of one document with the same key are stored once.
    """

    band: int
    keys: np.ndarray  # uint64
    docs: np.ndarray  # int64 document index


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two documents (possibly the same one) whose windows met in an LSH bucket."""

    doc_a: int
    doc_b: int
    hits: int


@dataclass(frozen=True, slots=True)
class Alignment:
    """A verified match: ``[a_start, a_end)`` of document ``doc_a`` matches ``[b_start, b_end)``
    of ``doc_b``; offsets are characters of the original texts, end exclusive."""

    doc_a: int
    a_start: int
    a_end: int
    doc_b: int
    b_start: int
    b_end: int
    similarity: float
    matched_chars: int
    matched_words: int


Kind = Literal["cross-document", "internal"]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place where a reused passage stands: a maximal span of one document."""

    passage_id: str
    cluster_id: str
    doc: int
    start: int
    end: int
    kind: Kind


Category = Literal["news", "boilerplate", "stock", "credit"]
"""What a cluster's shared text is: reuse of reporting (``news``), site chrome, templates and
scraper or archive notices (``boilerplate``), a formulaic phrase recurring across unrelated
stories (``stock``), or bylines, credit and editing lines (``credit``)."""
CATEGORIES: tuple[Category, ...] = ("news", "boilerplate", "stock", "credit")


@dataclass(frozen=True, slots=True)
class Cluster:
    """Occurrences of the same reused text, joined through verified alignments.

    ``category`` and ``category_reason`` are set by the categories stage
    (``provenance.cluster.categories``); ``boilerplate`` is true for every category but news.
    """

    cluster_id: str
    occurrences: tuple[Occurrence, ...]
    boilerplate: bool = False
    category: Category = "news"
    category_reason: str = ""

    @property
    def docs(self) -> tuple[int, ...]:
        return tuple(sorted({o.doc for o in self.occurrences}))


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """An LSH bucket too full to verify pair by pair: the text it holds is very common."""

    band: int
    key: int
    size: int
    n_docs: int
    sample_doc: int


CreditKind = Literal["dateline", "caption", "byline", "footer", "source", "mention"]
CreditScope = Literal["line", "paragraph", "document"]


@dataclass(frozen=True, slots=True)
class Credit:
    """An agency credit found in a document.

    ``agency`` is a canonical gazetteer id (``"AP"``, ``"AFP"``...) or ``"UNNAMED"`` for a
    generic credit ("Agencies contributed to this story"). ``[start, end)`` is the credit text
    itself; ``[scope_start, scope_end)`` is the text it covers: its caption line, its paragraph,
    or the whole document. ``kind == "mention"`` is a weak credit (a quoted source such as
    "told Reuters"), which origin inference may use only as faint evidence.
    """

    doc: int
    agency: str
    start: int
    end: int
    kind: CreditKind
    scope: CreditScope
    scope_start: int
    scope_end: int


@dataclass(frozen=True, slots=True)
class Origin:
    """The likely wire origin of one cluster: an agency id, or None when the evidence is thin."""

    cluster_id: str
    agency: str | None
    confidence: float
    evidence: str


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node of the provenance graph: ``kind`` is agency, outlet, document or cluster."""

    id: str
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """An edge of the provenance graph, with its weight (characters, or a confidence) and why."""

    source: str
    target: str
    kind: str
    weight: float
    directed: bool
    evidence: str


@dataclass(frozen=True, slots=True)
class StageTiming:
    """Wall time of one named stage, in seconds."""

    stage: str
    seconds: float
    items: int = 0


@dataclass(frozen=True, slots=True)
class TextsElsewhere:
    """What the report needs of the texts an engine kept where they are (the Spark engine's
    executors, for a Parquet dataset): ``ScanResult.documents`` then hold every document with a
    passage whole, and every other document as its id and outlet, with an empty text.

    ``n_chars`` is every document's length in characters, by index (any sequence: the Spark
    engine gives an ``array('q')``, 8 bytes a document).
    """

    n_chars: Sequence[int]


@runtime_checkable
class CreditsElsewhere(Protocol):
    """A result's credits kept where the engine found them (the Spark engine's executors: there
    is a credit line in most wire copy, so they grow with the corpus): counted there, read only
    if asked, and their ``credits`` table written by that engine while it is open."""

    def __len__(self) -> int: ...

    def write_credits_table(self, path: Path) -> None:
        """Write the ``credits`` table at ``path`` (a folder of part files)."""


@runtime_checkable
class TableElsewhere(Protocol):
    """Records of a result kept where the engine made them (the Spark engine's executors, for a
    Parquet dataset: the provenance graph grows with the reuse found): counted there, read only
    if asked, and their report table written there by that engine while it is open."""

    def __len__(self) -> int: ...

    def write_table(self, path: Path) -> None:
        """Write the records' report table at ``path`` (a folder of part files)."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan produced, ready for the report writer and the terminal summary."""

    documents: Sequence[Document]  # a ``provenance.corpus.Corpus`` from a scan: read on access
    alignments: Sequence[Alignment]  # a scan's: ``provenance.arrow.Rows``, built when read
    clusters: Sequence[Cluster]  # a tuple; an engine's clusters held in columns, built when read
    skipped: tuple[Skipped, ...]
    boilerplate: tuple[Boilerplate, ...]
    timings: tuple[StageTiming, ...]
    counts: dict[str, int] = field(default_factory=dict)
    credits: Sequence[Credit] = ()  # a tuple, or the engine's ``CreditsElsewhere``
    origins: tuple[Origin, ...] = ()
    # A scan's graph: ``provenance.arrow.Rows``, built when read, or the engine's ``TableElsewhere``.
    nodes: Sequence[GraphNode] = ()
    edges: Sequence[GraphEdge] = ()
    texts_elsewhere: TextsElsewhere | None = None  # set when the documents' texts stayed off this process
