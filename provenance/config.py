"""Frozen, validated configuration. Values only: the stages own the logic that uses them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from provenance.errors import ConfigError
from provenance.filters import FilterConfig


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True, slots=True)
class FieldNames:
    """Which fields of a JSONL/CSV/Parquet row hold each document attribute."""

    id: str = "id"
    text: str = "text"
    outlet: str = "outlet"
    date: str = "date"
    title: str = "title"
    url: str = "url"

    def __post_init__(self) -> None:
        names = [self.id, self.text, self.outlet, self.date, self.title, self.url]
        _require(all(n.strip() for n in names), "field names must not be empty")
        _require(len(set(names)) == len(names), f"field names must be distinct, got {names}")


MAX_DOC_BYTES = 20 * 1024**2
MAX_FILE_BYTES = 4 * 1024**3


@dataclass(frozen=True, slots=True)
class InputLimits:
    """Size limits on what ingest reads, so one odd input cannot exhaust memory (docs/limits.md).

    - ``max_doc_bytes``: the largest document record: a .txt/.md file, a JSONL line, a CSV
      row, a Reuters record or a Parquet text value. Larger ones are skipped, unread.
    - ``max_file_bytes``: the most bytes read from one file that is decompressed (.gz) or read
      whole (CSV, Reuters SGML, sidecar metadata). Past it the rest of the file is skipped.
    """

    max_doc_bytes: int = MAX_DOC_BYTES
    max_file_bytes: int = MAX_FILE_BYTES

    def __post_init__(self) -> None:
        _require(self.max_doc_bytes >= 1, f"maximum document size must be positive, got {self.max_doc_bytes}")
        _require(
            self.max_file_bytes >= self.max_doc_bytes,
            f"maximum file size ({self.max_file_bytes}) must be at least the maximum document size "
            f"({self.max_doc_bytes})",
        )


@dataclass(frozen=True, slots=True)
class DetectConfig:
    """Parameters of passage detection (sketching, LSH banding and verification).

    - ``shingle_size``: words per shingle (word n-grams hashed into the MinHash).
    - ``window_words``: words per MinHash window; every window position is sketched.
    - ``num_perm`` / ``seed``: MinHash permutations, as in datasketch's ``MinHash``.
    - ``threshold``: window Jaccard similarity the LSH bands are tuned for; ``bands`` and
      ``rows`` override the derived banding (both or neither).
    - ``min_words``: shortest passage reported, in matched words.
    - ``min_similarity``: character-level similarity floor of a verified passage, in [0, 1].
    - ``max_gap``: words that may differ inside one passage between two exact matches.
    - ``max_bucket``: LSH buckets holding more windows than this are chained instead of
      paired (n - 1 verifications instead of n^2 / 2) and reported in the manifest.
    - ``min_hits``: a candidate pair must meet in at least this many (band, bucket) hits.
    - ``boilerplate_docs``: clusters spanning more documents than this are flagged as
      boilerplate (kept apart from a wire story reprinted by many outlets by being larger).
    - ``min_overlap`` / ``long_chars``: two spans in one document are one occurrence only when
      they overlap by this share of the longer one, or of the shorter one if it has
      ``long_chars`` characters or more; so a short line inside a story cannot chain stories.
    """

    shingle_size: int = 3
    window_words: int = 8
    num_perm: int = 16
    seed: int = 1
    threshold: float = 0.7
    bands: int | None = None
    rows: int | None = None
    min_words: int = 8
    min_similarity: float = 0.8
    max_gap: int = 3
    max_bucket: int = 20
    min_hits: int = 1
    boilerplate_docs: int = 100
    min_overlap: float = 0.5
    long_chars: int = 200

    def __post_init__(self) -> None:
        _require(1 <= self.shingle_size <= 10, f"shingle size must be 1..10, got {self.shingle_size}")
        _require(
            self.shingle_size <= self.window_words <= 200,
            f"window must be between the shingle size ({self.shingle_size}) and 200 words, got {self.window_words}",
        )
        _require(1 <= self.num_perm <= 1024, f"permutations must be 1..1024, got {self.num_perm}")
        # datasketch seeds numpy's RandomState, which takes only an unsigned 32-bit seed.
        _require(0 <= self.seed < 2**32, f"seed must be 0..4294967295 (2^32-1), got {self.seed}")
        _require(0.0 < self.threshold < 1.0, f"threshold must be in (0, 1), got {self.threshold}")
        _require(
            (self.bands is None) == (self.rows is None),
            "give both --bands and --rows, or neither (then they derive from --threshold)",
        )
        if self.bands is not None and self.rows is not None:
            _require(self.bands >= 1 and self.rows >= 1, "bands and rows must be positive")
            _require(
                self.bands * self.rows <= self.num_perm,
                f"bands x rows ({self.bands} x {self.rows}) exceeds the permutations "
                f"({self.num_perm}); raise --num-perm or lower bands/rows",
            )
        _require(
            self.min_words >= self.window_words,
            f"minimum passage ({self.min_words} words) must be at least the window "
            f"({self.window_words} words), or short passages could never be sketched",
        )
        _require(
            0.0 <= self.min_similarity <= 1.0,
            f"similarity floor must be in [0, 1], got {self.min_similarity}",
        )
        _require(0 <= self.max_gap <= 50, f"max gap must be 0..50 words, got {self.max_gap}")
        _require(self.min_hits >= 1, f"min hits must be at least 1, got {self.min_hits}")
        _require(self.max_bucket >= 2, f"max bucket must be at least 2, got {self.max_bucket}")
        _require(self.boilerplate_docs >= 2, f"boilerplate documents must be at least 2, got {self.boilerplate_docs}")
        _require(0.0 < self.min_overlap <= 1.0, f"min overlap must be in (0, 1], got {self.min_overlap}")
        _require(self.long_chars >= 1, f"long_chars must be positive, got {self.long_chars}")


REGEX_PREFIX = "re:"
"""A boilerplate pattern starting with this is a regular expression; any other is a phrase."""


@dataclass(frozen=True, slots=True)
class CategoryConfig:
    """Thresholds of the categories stage (``provenance.cluster.categories``), which tells a
    cluster's news apart from boilerplate, stock phrases and credit lines.

    - ``edge_share`` / ``edge_chars``: a copy is at the page head (tail) when it lies within the
      first (last) ``edge_share`` of its document's characters, or ``edge_chars`` characters
      if that is more, but never more than half the document.
    - ``edge_copies``: page-edge boilerplate has at least this share of its copies at the head
      or the tail.
    - ``min_docs``: position and context decide only for a text in at least this many
      documents (two copies may be one story told twice).
    - ``outlet_share``: outlet boilerplate has at least this share of its documents in one
      outlet (passim's ``pboiler``); used only when the corpus names two outlets or more.
    - ``context_words``: words read before and after each copy to compare their contexts.
    - ``diverse_context``: copies whose contexts overlap (mean Jaccard of their words of four
      letters or more) at most this much stand in a different story each time.
    - ``stock_words``: a stock phrase is at most this many words long (median copy).
    - ``template_docs`` / ``template_words``: a text of at most ``template_words`` words in
      ``template_docs`` documents or more, with a different story around each copy, is
      template boilerplate wherever it sits on the page.
    - ``edge_line_words``: a line of its own this short, at the page edge in both of its two
      copies, is a link-list headline (boilerplate).
    - ``stock_docs``: a stock phrase is in at least this many documents (a caption or quote
      shared by a few stories is news).
    - ``stock_line_docs``: a stock phrase standing on a line of its own (not inside a sentence)
      is in at least this many documents; fewer, and it is more likely a shared caption.
    - ``credit_line_words``: a credit line holds at most this many words.
    - ``credit_copies``: a credit cluster has at least this share of its copies made (mostly)
      of credit lines.
    - ``sample``: copies per cluster whose text is examined (evenly spaced over the cluster);
      counts of documents and outlets always use every copy.
    - ``patterns``: known boilerplate, each a phrase (matched case-insensitively, any run of
      blanks between words) or, after ``re:``, a regular expression.
    - ``pattern_cover``: a pattern marks a copy when its matches cover this share of the copy,
      or when the copy is at the page head or tail.
    """

    edge_share: float = 0.15
    edge_chars: int = 400
    edge_copies: float = 0.8
    min_docs: int = 3
    outlet_share: float = 0.8
    context_words: int = 10
    diverse_context: float = 0.15
    stock_words: int = 20
    stock_docs: int = 3
    edge_line_words: int = 15
    stock_line_docs: int = 8
    template_docs: int = 10
    template_words: int = 60
    credit_line_words: int = 25
    credit_copies: float = 0.6
    sample: int = 16
    patterns: tuple[str, ...] = ()
    pattern_cover: float = 0.5

    def __post_init__(self) -> None:
        for name in ("edge_share", "edge_copies", "outlet_share", "credit_copies", "pattern_cover"):
            value = getattr(self, name)
            _require(0.0 < value <= 1.0, f"{name} must be in (0, 1], got {value}")
        _require(0.0 <= self.diverse_context < 1.0, f"diverse_context must be in [0, 1), got {self.diverse_context}")
        _require(self.edge_chars >= 0, f"edge_chars must not be negative, got {self.edge_chars}")
        _require(self.min_docs >= 2, f"min_docs must be at least 2, got {self.min_docs}")
        for name in ("context_words", "stock_words", "credit_line_words"):
            value = getattr(self, name)
            _require(1 <= value <= 1000, f"{name} must be 1..1000, got {value}")
        _require(self.sample >= 2, f"sample must be at least 2 copies, got {self.sample}")
        for pattern in self.patterns:
            body = pattern[len(REGEX_PREFIX) :] if pattern.startswith(REGEX_PREFIX) else pattern
            _require(bool(body.strip()), f"boilerplate pattern {pattern!r} is empty")
            if pattern.startswith(REGEX_PREFIX):
                try:
                    compiled = re.compile(body)
                except re.error as err:
                    raise ConfigError(
                        f"boilerplate pattern {pattern!r} is not a valid regular expression: {err}"
                    ) from None
                _require(
                    compiled.fullmatch("") is None,
                    f"boilerplate pattern {pattern!r} matches empty text; it must match at least one character",
                )


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """Everything one scan needs besides its inputs."""

    detect: DetectConfig = field(default_factory=DetectConfig)
    fields: FieldNames = field(default_factory=FieldNames)
    limits: InputLimits = field(default_factory=InputLimits)
    dayfirst: bool = False  # read ambiguous numeric dates (07/03/2017) day first (provenance.dates)
    workers: int = 1
    batch_docs: int = 2000
    agencies: str | None = None  # a user agency file (TOML/YAML) extending the built-in gazetteer
    categories: CategoryConfig = field(default_factory=CategoryConfig)
    filters: FilterConfig = field(default_factory=FilterConfig)  # the documents kept after reading

    def __post_init__(self) -> None:
        _require(1 <= self.workers <= 256, f"workers must be 1..256, got {self.workers}")
        _require(self.batch_docs >= 1, f"batch size must be positive, got {self.batch_docs}")
