"""The Spark engine: the scan's stages as Spark jobs, for corpora bigger than one machine.

It has the local engine's interface (``sketch``, ``align``, ``credits``) plus the shuffles that
differ between engines (``load``, ``candidate_pairs``, ``build_clusters``, ``infer_origins``);
``pipeline.detect`` calls them in the same order for both engines. The per-document and
per-pair work runs through ``mapInArrow`` as the functions of ``spark_ops``, which wrap the
library's own stage code; this module holds only the Spark plumbing between them:

- documents: a DataFrame ``(index, doc_id, text, source, outlet, date, title, url, extra, when)``,
  read on the driver by ``provenance.ingest`` for local files, or by ``spark.read.parquet``
  for a Parquet dataset (a URI such as ``hdfs://...``, or a local ``*.parquet`` folder);
- banding: window keys repartitioned by LSH bucket so every bucket is whole in one
  partition, then the local ``bucket_pairs`` (same pairs, same boilerplate cap);
- verification: pairs joined with both documents' texts, partitioned by their first document;
- clustering: spans merged per document, connected components in Spark
  (``spark_graph``), clusters and passages numbered in document order with ``zipWithIndex``;
- credits and origins: credits per document batch; origins per cluster, grouped in Spark;
- the cluster stage's composite cuts and noise trims, and the categories' facts: decided on
  the driver from spans, the texts read on the executors (``split_at``, ``trim_at``,
  ``copy_facts``).

Results reach the driver only when the pipeline reads them (``FrameSeq``). A Parquet dataset's
texts never do: no join broadcasts them, the result holds whole only the documents with a
passage, every other one as its id and outlet in columns (``result_documents``,
``DocumentColumns``), and the executors write the report's ``documents`` and ``texts`` tables
(``DocumentColumns.write_documents_table``, ``table_writers``), and compute and write its
``derivation`` table and graph; the other tables are written by
the same ``write_scan_report`` as a local run. See docs/spark.md.
"""

from __future__ import annotations

import logging
import re
import warnings
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from provenance import ingest
from provenance._optional import require_pyspark
from provenance.arrays import ranks
from provenance.arrow import Rows, from_table, rows_of, schema_of, to_table
from provenance.cluster.categories import CREDIT_LINE_KINDS, count_outlets
from provenance.cluster.trim import STRICT_LONG_CHARS
from provenance.config import CategoryConfig, DetectConfig, ScanConfig
from provenance.corpus import Columnar, Held, Indexed, ListLike, column
from provenance.credits import Gazetteer
from provenance.engines import spark_derivation as derivation
from provenance.engines import spark_ops as ops
from provenance.engines.base import Engine, Progress
from provenance.engines.spark_graph import connected_components
from provenance.engines.spark_graph_build import graph_frames, ordered
from provenance.engines.spark_session import checkpointed, remove_checkpoints, start_session
from provenance.errors import InputError, ReportError
from provenance.graph import build_graph
from provenance.ingest import IngestPolicy, check_paths
from provenance.ingest.policy import BLANK_TEXT, FALLBACK_ID, NUL, unread_dates
from provenance.memory import release_free_memory
from provenance.records import (
    Alignment,
    BandKeys,
    Boilerplate,
    CandidatePair,
    Cluster,
    Credit,
    Document,
    GraphEdge,
    GraphNode,
    Origin,
    ScanResult,
    Skipped,
    TextsElsewhere,
)
from provenance.report import schemas
from provenance.report.tables import documents_table
from provenance.sketch import Banding
from provenance.sketch.lsh import PairCounts, dedupe_packed, doc_bits, pack

try:
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark import StorageLevel
    from pyspark.sql import DataFrame, Window
    from pyspark.sql import functions as F

    _JVM_GONE: tuple[type[BaseException], ...] = (Py4JError, ConnectionError)  # py4j refuses or drops the call
except ImportError:  # pragma: no cover - SparkEngine() raises the friendly ConfigError
    StorageLevel = DataFrame = Window = F = None  # type: ignore[assignment,misc]
    _JVM_GONE = ()

log = logging.getLogger(__name__)

T = TypeVar("T")

DOCUMENT_DDL = ops.ddl(ops.DOCUMENT_SCHEMA)
_URI = re.compile(r"^[A-Za-z][\w+.-]+:/")  # hdfs://, s3a://, file:/ (two letters at least: not C:/)
_PANDAS_WARNING = "PySpark does not yet fully support pandas"
_ITER_BATCH = 10_000  # documents whose ids ``DocumentColumns`` converts at once
_HELD_BATCH = 2_048  # documents with a passage made ``Document`` objects at once
_HELD_PART = 10_000  # documents with a passage taken to the driver in one Spark job (about)
_CUT = "substring(text, start + 1, `end` - start)"  # a copy's or credit's text, cut from its document's
TRIM_MIN_CHARS = 40  # ``trim_noise``'s default: a trimmed match keeps this many characters a side


class FrameSeq(ListLike[T]):
    """Records held in a Spark DataFrame, collected to the driver the first time they are read.

    ``len()`` counts in Spark; indexing or iterating collects once, in the engine's order.
    Compares like a list of its records.
    """

    def __init__(
        self,
        frame: DataFrame,
        records: Callable[[DataFrame], Sequence[T]],
        count: Callable[[DataFrame], int] | None = None,
    ) -> None:
        self.frame = frame
        self._records = records
        self._count = count
        self._collected: Sequence[T] | None = None
        self._n: int | None = None

    def __len__(self) -> int:
        if self._collected is not None:
            return len(self._collected)
        if self._n is None:
            self._n = self._count(self.frame) if self._count else self.frame.count()
        return self._n

    def _all(self) -> Sequence[T]:
        if self._collected is None:
            self._collected = self._records(self.frame)
        return self._collected

    def _item(self, i: int) -> T:
        return self._all()[i]

    def _items(self, start: int, stop: int, step: int) -> list[T]:
        return list(self._all()[start:stop:step])

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())


class TableFrames(FrameSeq[T]):
    """Records of a result kept on the executors (``records.TableElsewhere``: the provenance
    graph of a Parquet dataset): counted there, collected only if read, and their report table
    written there (``write_table``)."""

    def __init__(
        self,
        frame: DataFrame,
        records: Callable[[DataFrame], Sequence[T]],
        count: Callable[[DataFrame], int],
        writer: Callable[[Path], None],
    ) -> None:
        super().__init__(frame, records, count)
        self._writer = writer

    def write_table(self, path: Path) -> None:
        self._writer(path)


class CreditFrames(TableFrames[Credit]):
    """The credits stage's output kept on the executors (``CreditsElsewhere``): counted there,
    collected only if read, and its report table written there (``write_credits_table``)."""

    def __init__(self, frame: DataFrame, count: Callable[[DataFrame], int], writer: Callable[[Path], None]) -> None:
        super().__init__(frame, _collect_credits, count, writer)

    def write_credits_table(self, path: Path) -> None:
        self.write_table(path)


class DocumentColumns(Indexed[Document], Columnar):
    """Every document of a Parquet dataset's scan as the driver holds it: the id and outlet of
    each in columns (an Arrow string array; outlet codes and the outlets' names), and the whole
    ``Document``, text included, of the few given in ``held`` (the documents with a passage,
    which the report's passages and pages show). Any other document reads as its index, id and
    outlet, with an empty text and no other field: the executors write the report's
    ``documents`` table (``write_documents_table``), and the lengths are in ``TextsElsewhere``.
    """

    def __init__(
        self,
        ids: pa.StringArray,
        outlet_codes: np.ndarray,
        outlets: list[str],
        held: Held | None = None,
        writer: Callable[[Path], None] | None = None,
    ) -> None:
        self.ids = ids
        self.outlet_codes = outlet_codes  # int32 per document, -1 for none
        self.outlets = outlets
        self.held = held if held is not None else Held()
        self._writer = writer

    @classmethod
    def of(cls, table: pa.Table) -> DocumentColumns:
        """The columns of ``table`` (``doc_id``, ``outlet``, a row per document, by index)."""
        outlet = table.column("outlet").combine_chunks().dictionary_encode()
        codes = outlet.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        ids = table.column("doc_id").combine_chunks().fill_null("")
        return cls(ids, codes, outlet.dictionary.to_pylist())

    def holding(self, held: Held, writer: Callable[[Path], None]) -> DocumentColumns:
        """The same columns with the whole documents ``held``, and the executors' writer of the
        ``documents`` table."""
        return DocumentColumns(self.ids, self.outlet_codes, self.outlets, held, writer)

    def write_documents_table(self, path: Path) -> None:
        """Write the report's ``documents`` table at ``path`` (a folder of part files, written by
        the executors; the engine must be open)."""
        if self._writer is None:
            raise RuntimeError("these documents have no documents table writer (only a result's do)")
        self._writer(path)

    def column(self, name: str) -> Sequence[Any]:
        """One field of every document, by index, read when asked (no list of every document's
        value): ids and outlets from the columns, any other field from the documents held (a
        document not held has no other field, and an empty text)."""
        n = len(self)
        if name == "doc_id":
            return _Column(n, lambda i: self.ids[i].as_py(), self._ids)
        if name == "outlet":
            outlets, codes = self.outlets, self.outlet_codes
            return _Column(n, lambda i: outlets[codes[i]] if codes[i] >= 0 else None)
        if name == "n_chars":
            return _Column(n, lambda i: len(self.text(i)))
        if name not in _FIELDS:
            raise KeyError(f"a document has no field {name!r}")
        default = getattr(_BARE, name)
        return _Column(n, lambda i: self.held.field(i, name, default))

    def text(self, i: int) -> str:
        """The text of document ``i`` (empty for a document not held)."""
        text = self.held.text(i)
        return "" if text is None else text

    def _ids(self) -> Iterator[str]:
        for at in range(0, len(self), _ITER_BATCH):
            yield from self.ids.slice(at, _ITER_BATCH).to_pylist()

    def __len__(self) -> int:
        return len(self.ids)

    def _document(self, i: int, doc_id: str) -> Document:
        held = self.held.get(i)
        if held is not None:
            return held
        code = self.outlet_codes[i]
        return Document(i, doc_id, "", "", self.outlets[code] if code >= 0 else None)

    what = "document"

    def _item(self, i: int) -> Document:
        return self._document(i, self.ids[i].as_py())

    def __iter__(self) -> Iterator[Document]:
        for i, doc_id in enumerate(self._ids()):
            yield self._document(i, doc_id)


_BARE = Document(0, "", "", "")  # the fields of a document known by its id and outlet only
_FIELDS = {"source", "title", "url", "date", "when", "extra"}


class _Column(Indexed[Any]):
    """A field of every document read by index when asked (``DocumentColumns.column``), and
    iterated from ``values`` when given (faster than by index)."""

    what = "document"

    def __init__(self, n: int, get: Callable[[int], Any], values: Callable[[], Iterator[Any]] | None = None) -> None:
        self._n, self._get, self._values = n, get, values

    def __len__(self) -> int:
        return self._n

    def _item(self, i: int) -> Any:
        return self._get(i)

    def __iter__(self) -> Iterator[Any]:
        if self._values is not None:
            return self._values()
        return map(self._get, range(self._n))


def to_arrow(frame: DataFrame) -> pa.Table:
    """Collect a DataFrame to the driver as an Arrow table."""
    if hasattr(frame, "toArrow"):  # Spark 4
        return frame.toArrow()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING)
        return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)


def is_dataset(path: Path | str) -> bool:
    """Whether Spark reads this input itself: a URI (``hdfs://``, ``s3a://``, ``file:/``) or a
    local folder named ``*.parquet``. Everything else is read on the driver by ``ingest``."""
    text = str(path)
    if _URI.match(text):
        return True
    return Path(text).is_dir() and text.rstrip("/").lower().endswith(".parquet")


def dataset_uri(path: Path | str) -> str:
    """The URI Spark should read: ``pathlib`` folds ``hdfs://host/x`` to ``hdfs:/host/x``."""
    text = str(path)
    if _URI.match(text):
        return re.sub(r"^([A-Za-z][\w+.-]+):/(?!/)", r"\1://", text) if not text.startswith("file:") else text
    return str(Path(text).resolve())


def check_inputs(paths: Iterable[Path | str]) -> list[Path]:
    """The inputs of a Spark scan: local paths checked like a local scan's, datasets kept.

    Raises:
        InputError: a local path does not exist or is of a type prov cannot read.
    """
    paths = list(paths)
    local = [Path(p) for p in paths if not is_dataset(p)]
    if local:
        check_paths(local)
    for path in local:
        if _parts_folder(path):
            log.warning(
                "%s: a folder of Parquet part files, read on the driver as local input; to have Spark's "
                "executors read it as a dataset, name the folder *.parquet or give it as a URI (%s)",
                path,
                path.resolve().as_uri(),
            )
    if not paths:
        raise InputError("no input paths given")
    return [Path(p) for p in paths]


def _parts_folder(path: Path) -> bool:
    """Whether ``path`` is a folder of Parquet part files as Spark writes them (only ``.parquet``
    files, and markers such as ``_SUCCESS``), which a user most likely means as a dataset."""
    if not path.is_dir():
        return False
    files = [f for f in path.iterdir() if not f.name.startswith(("_", "."))]
    return bool(files) and all(f.is_file() and f.suffix.lower() == ".parquet" for f in files)


class SparkEngine(Engine[DataFrame | Iterable[BandKeys], FrameSeq[CandidatePair] | np.ndarray]):
    """Runs the scan's stages as Spark jobs.

    Args:
        master: Spark master URL; ``local[*]`` by default (under ``spark-submit``, its master).
        conf: Spark settings (``--conf key=value``); they override the engine's defaults.
        session: an existing ``SparkSession`` to run in (then ``master`` and static settings
            are the session's).

    Raises:
        ConfigError: pyspark is not installed (``pip install 'prov[spark]'``).
    """

    name = "spark"

    def __init__(self, master: str | None = None, conf: dict[str, str] | None = None, session: Any = None) -> None:
        require_pyspark()
        self.master = master
        self.conf = dict(conf or {})
        self._session = session
        self._started = False
        self._frames: dict[int, tuple[object, DataFrame]] = {}
        self._persisted: list[DataFrame] = []
        # Kept past ``release`` for a report written after the scan (the credits of a dataset),
        # so that writing it does not run their stage again; unpersisted by ``close``.
        self._for_report: list[DataFrame] = []
        self._columns_cache: dict[int, tuple[object, DocumentColumns, np.ndarray]] = {}
        # The texts and clusters behind each result whose texts stayed on the executors (``table_writers``).
        self._elsewhere: dict[int, tuple[TextsElsewhere, DataFrame, DataFrame | None]] = {}

    # --- session ------------------------------------------------------------------------------

    @property
    def session(self):
        """The ``SparkSession``, started on first use."""
        if self._session is None:
            self._session, self._started = start_session(self.master, self.conf)
        return self._session

    @property
    def partitions(self) -> int:
        """Partitions of the engine's own shuffles (``spark.sql.shuffle.partitions``)."""
        return int(self.session.conf.get("spark.sql.shuffle.partitions"))

    def release(self) -> None:
        """Drop the DataFrames this engine cached for the scan (those a report still needs stay
        until ``close``)."""
        _unpersist(self._persisted)
        self._frames.clear()
        self._columns_cache.clear()

    def close(self) -> None:
        """Release the caches and stop the session if this engine started it."""
        self.release()
        _unpersist(self._for_report)
        self._elsewhere.clear()
        if self._started and self._session is not None:
            try:
                remove_checkpoints(self._session)
                self._session.stop()
            except _JVM_GONE as err:
                log.debug("Spark's JVM was gone before the session stopped (%s)", type(err).__name__)
        self._session, self._started = None, False

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _keep(self, frame: DataFrame) -> DataFrame:
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(frame)
        return frame

    def _map(self, frame: DataFrame, fn: Callable, schema: pa.Schema) -> DataFrame:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_PANDAS_WARNING)
            return frame.mapInArrow(fn, ops.ddl(schema))

    def _numbered(self, frame: DataFrame, order: list[str], name: str) -> DataFrame:
        """``frame`` with a column ``name``: 1, 2, ... in ``order`` (distributed ``zipWithIndex``)."""
        from pyspark.sql.types import LongType, StructField, StructType

        ordered = frame.orderBy(*order)
        schema = StructType([*ordered.schema.fields, StructField(name, LongType(), False)])
        rows = ordered.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 1))
        return self.session.createDataFrame(rows, schema)

    # --- documents ----------------------------------------------------------------------------

    def load(self, paths: Iterable[Path | str], config: ScanConfig) -> tuple[Sequence[Document], list[Skipped]]:
        """Read the inputs: local files on the driver (``provenance.ingest.load``, as a local scan
        reads them), Parquet datasets with ``spark.read.parquet`` under the same input rules.

        Raises:
            InputError: a local path is unreadable, a dataset cannot be read or has no text
                column, or local files and datasets are mixed.
        """
        paths = list(paths)
        datasets = [p for p in paths if is_dataset(p)]
        if not datasets:
            return ingest.load(paths, config)
        if len(datasets) != len(paths):
            raise InputError(
                "give either local files (read on the driver) or Parquet datasets (read by Spark), not both in one scan"
            )
        policy = IngestPolicy(config.fields, config.limits, config.dayfirst)
        return self._read_datasets([dataset_uri(p) for p in datasets], policy)

    def _read_datasets(self, uris: list[str], policy: IngestPolicy) -> tuple[FrameSeq[Document], list[Skipped]]:
        """The documents of Parquet datasets, read by Spark, under ``policy``'s input rules
        (``provenance.ingest.policy``): each rule runs as Spark SQL built from the policy's own
        constants and limits, and each reason is the policy's, so a dataset gives the documents
        and skips that reading its files locally gives (apart from ``source``, a URI here)."""
        fields = policy.fields
        parts = []
        for rank, uri in enumerate(uris):
            try:
                frame = self.session.read.parquet(uri)
            except Exception as err:  # AnalysisException: path missing, not Parquet
                raise InputError(f"{uri}: Spark cannot read it as Parquet ({str(err).splitlines()[0]})") from None
            if fields.text not in frame.columns:
                raise InputError(f"{uri}: no column {fields.text!r} (rename with --text-field)")
            reserved = {fields.id, fields.text, fields.outlet, fields.date, fields.title, fields.url}
            extra_names = [c for c in frame.columns if c not in reserved]
            text_type = dict(frame.dtypes)[fields.text]
            if text_type != "string":
                raise InputError(f"{uri}: column {fields.text!r} is {text_type}, not text")

            def text_of(name: str, frame: DataFrame = frame) -> Any:
                return F.col(f"`{name}`").cast("string") if name in frame.columns else F.lit(None).cast("string")

            file_name = F.element_at(F.split(F.col("_metadata.file_path"), "/"), -1)
            row = F.col("_metadata.row_index") + 1
            given_id = text_of(fields.id)
            extra = (
                F.to_json(F.array(*[F.array(F.lit(n), F.col(f"`{n}`").cast("string")) for n in extra_names]))
                if extra_names
                else F.lit(None).cast("string")
            )
            # Rule 3 looks at the text fields (string columns) in the dataset's order, as nul_field does.
            strings = [name for name, kind in frame.dtypes if kind == "string"]
            nul = F.coalesce(*[F.when(F.col(f"`{n}`").contains(NUL), F.lit(n)) for n in strings])
            parts.append(
                frame.select(
                    F.lit(rank).alias("_rank"),
                    F.col("_metadata.file_path").alias("_file"),
                    row.alias("_row"),
                    # Rule 4: no id, or an empty one: <file name>:<line>.
                    F.when(F.length(given_id) > 0, given_id)
                    .otherwise(F.format_string(FALLBACK_ID, file_name, row))
                    .alias("doc_id"),
                    F.col(f"`{fields.text}`").alias("text"),
                    F.concat(F.col("_metadata.file_path"), F.lit(":"), row.cast("string")).alias("source"),
                    text_of(fields.outlet).alias("outlet"),
                    text_of(fields.date).alias("date"),
                    text_of(fields.title).alias("title"),
                    text_of(fields.url).alias("url"),
                    extra.alias("extra"),
                    nul.alias("_nul"),
                )
            )
        rows = parts[0]
        for part in parts[1:]:
            rows = rows.unionByName(part)
        # Rules 1 to 3 (blank text, text over the size limit, a NUL), then rule 5 among the rows
        # that keep them: the first row of an id in reading order wins.
        blank = F.col("text").isNull() | F.col("text").rlike(f"^{BLANK_TEXT}$")
        size = F.octet_length("text")
        broken = blank | (size > policy.limits.max_doc_bytes) | F.col("_nul").isNotNull()
        first = Window.partitionBy("doc_id").orderBy("_rank", "_file", "_row")
        rows = (
            rows.where(~broken)
            .withColumn("_dup", F.row_number().over(first))
            .unionByName(rows.where(broken).withColumn("_dup", F.lit(0)))
        )
        problems = rows.where(F.col("_dup") != 1).select(
            "_rank", "_file", "_row", "doc_id", "_dup", blank.alias("_blank"), size.alias("_size"), "_nul"
        )
        skipped = []
        for r in sorted(problems.collect(), key=lambda r: (r["_rank"], r["_file"], r["_row"])):
            reason = policy.duplicate(r["doc_id"]) if r["_dup"] else policy.reason(r["_blank"], r["_size"], r["_nul"])
            if reason is None:
                raise RuntimeError(f"{r['_file']}:{r['_row']}: Spark SQL skipped it, IngestPolicy.reason names no rule")
            skip = Skipped(r["_file"], reason, r["_row"])
            log.warning("skipped %s", skip)
            skipped.append(skip)
        kept = rows.where(F.col("_dup") == 1)
        order = self._numbered(kept.select("_rank", "_file", "_row"), ["_rank", "_file", "_row"], "_index")
        # Every date read as ingest reads it (IngestPolicy.when, in a Python UDF), once. The
        # return type is given, so Spark need not guess it from the hints (and warn it cannot).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Cannot infer the eval type")
            when = F.udf(ops.date_reader(policy), "bigint")
        # Never broadcast (either side may look small): that would collect the texts to the driver.
        docs = kept.join(order.hint("merge"), ["_rank", "_file", "_row"]).select(
            (F.col("_index") - 1).alias("index"),
            "doc_id",
            "text",
            "source",
            "outlet",
            "date",
            "title",
            "url",
            "extra",
            when(F.col("date")).alias("when"),
        )
        docs = self._keep(docs)
        _warn_unread_dates(docs)
        return FrameSeq(docs, _collect_documents), skipped

    def _documents(self, docs: Sequence[Document]) -> DataFrame:
        """The documents as a DataFrame (made once per document list and cached)."""
        if isinstance(docs, FrameSeq):
            return docs.frame
        held = self._frames.get(id(docs))
        if held is not None and held[0] is docs:
            return held[1]
        table = to_table(docs, ops.DOCUMENT_SCHEMA)
        frame = self._keep(self._frame_of(table, DOCUMENT_DDL))
        self._frames[id(docs)] = (docs, frame)
        return frame

    def _frame_of(self, table: pa.Table, schema: str) -> DataFrame:
        """A DataFrame of an Arrow table made on the driver."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_PANDAS_WARNING)
            if int(self.session.version.split(".")[0]) >= 4:  # Spark 4 takes Arrow tables as they are
                return self.session.createDataFrame(table, schema)
            return self.session.createDataFrame(table.to_pandas(), schema)

    # --- stages -------------------------------------------------------------------------------

    def sketch(
        self, docs: Sequence[Document], detect: DetectConfig, banding: Banding, progress: Progress | None = None
    ) -> DataFrame:
        """Band keys of every window, rows ``(band, key, doc)`` (lazy: they are computed by the
        shuffle of ``candidate_pairs``)."""
        frame = self._documents(docs).select("index", "text")
        sketch = partial(ops.sketch_batches, detect=detect, banding=banding, n_docs=max(len(docs), 1))
        keys = self._map(frame, sketch, ops.SKETCH_SCHEMA)
        if progress:
            progress("sketch", 1, 1)
        return keys

    def candidates(
        self, sketches: DataFrame | Iterable[BandKeys], detect: DetectConfig, n_docs: int
    ) -> tuple[FrameSeq[CandidatePair], PairCounts]:
        """Distinct candidate pairs ``(doc_a <= doc_b, hits)`` and the boilerplate buckets, as the
        local ``candidate_pairs`` finds them. ``sketches`` is ``sketch``'s frame, or band keys
        computed elsewhere (whole documents per ``BandKeys``)."""
        bands = sketches
        if not isinstance(bands, DataFrame):
            bands = self._band_frame(bands, max(n_docs, 1))
        # Shuffle by LSH bucket (the packed key above its document bits), so that every bucket is
        # whole in one partition. Most buckets hold one window: they yield nothing and are
        # dropped before Python sees them (the same shuffle counts them). Repeat rows (a
        # document repeating a key) each get a bucket of their own, below zero.
        packed = F.col("packed")
        bucket = F.when(F.col("repeat"), -1 - packed).otherwise(F.shiftrightunsigned(packed, doc_bits(max(n_docs, 1))))
        whole_buckets = (
            bands.withColumn("bucket", bucket)
            .repartition(self.partitions, "band", "bucket")
            .withColumn("windows", F.count(F.lit(1)).over(Window.partitionBy("band", "bucket")))
            .where((F.col("windows") >= 2) | F.col("repeat"))
            .sortWithinPartitions("band", "bucket")
        )
        found = self._map(
            whole_buckets,
            partial(ops.bucket_batches, max_bucket=detect.max_bucket, n_docs=max(n_docs, 1)),
            ops.BUCKET_SCHEMA,
        ).persist(StorageLevel.MEMORY_AND_DISK)
        boilerplate = [
            Boilerplate(
                band=r["band"],
                key=int(np.int64(r["key"]).view(np.uint64)),
                size=r["size"],
                n_docs=r["size"],
                sample_doc=r["a"],
            )
            for r in found.where(F.col("b") == -1).collect()
        ]
        boilerplate.sort(key=lambda b: (b.band, b.key))
        # A pair's hits: its (band, bucket) meetings, plus one per band for a document's repeat.
        met = (found.where(F.col("b") >= 0).groupBy("a", "b").agg(F.sum("hits").alias("hits"))).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        pairs = self._keep(met.where(F.col("hits") >= detect.min_hits))
        n_pairs = pairs.count()
        below_min_hits = met.count() - n_pairs
        met.unpersist()
        found.unpersist()
        sizes = [b.size for b in boilerplate]
        acc = PairCounts(
            n_docs=n_docs,
            codes=[],
            boilerplate=boilerplate,
            chained_pairs=sum(s - 1 for s in sizes),
            dropped_pairs=sum(s * (s - 1) // 2 - (s - 1) for s in sizes),
            below_min_hits=below_min_hits,
        )

        def records(frame: DataFrame) -> list[CandidatePair]:
            table = to_arrow(frame.select("a", "b", "hits"))
            rows = sorted(zip(*(table.column(c).to_pylist() for c in ("a", "b", "hits")), strict=True))
            return [CandidatePair(a, b, h) for a, b, h in rows]

        return FrameSeq(pairs, records, lambda _: n_pairs), acc

    def _band_frame(self, bands: Iterable[BandKeys], n_docs: int) -> DataFrame:
        """Band keys computed elsewhere (whole documents per ``BandKeys``), as ``sketch`` rows."""
        parts = []
        for bk in bands:
            packed, internal = dedupe_packed(pack(bk.keys, bk.docs, n_docs), n_docs)
            parts.append(
                pa.table(
                    {
                        "band": np.full(packed.shape[0] + internal.shape[0], bk.band, dtype=np.int32),
                        "packed": np.concatenate([packed.view(np.int64), internal.astype(np.int64)]),
                        "repeat": np.arange(packed.shape[0] + internal.shape[0]) >= packed.shape[0],
                    }
                )
            )
        table = pa.concat_tables(parts).cast(ops.SKETCH_SCHEMA) if parts else ops.SKETCH_SCHEMA.empty_table()
        return self._frame_of(table, ops.ddl(ops.SKETCH_SCHEMA))

    def align(
        self,
        docs: Sequence[Document],
        pairs: FrameSeq[CandidatePair] | np.ndarray,
        detect: DetectConfig,
        progress: Progress | None = None,
    ) -> tuple[FrameSeq[Alignment], Counter]:
        """Verified alignments of all candidate pairs, in the local engine's order."""
        if isinstance(pairs, FrameSeq):
            pair_frame = pairs.frame.select("a", "b")
        else:
            pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            pair_frame = self._frame_of(pa.table({"a": pairs[:, 0], "b": pairs[:, 1]}), "a bigint, b bigint")
        # Joined on b, then on a: the second join leaves the rows partitioned by a, so the pairs of
        # one document are verified together (a batch indexes few documents) without a third
        # shuffle of texts.
        joined = pair_frame.join(self._texts(docs, "b", "text_b"), "b").join(self._texts(docs, "a", "text_a"), "a")
        batches = joined.sortWithinPartitions("a", "b")
        out = self._keep(self._map(batches, partial(ops.verify_batches, detect=detect), ops.ALIGN_SCHEMA))
        rejected: Counter = Counter()
        for r in out.where(F.col("doc_a") == -1).groupBy("reason").agg(F.sum("rejected").alias("n")).collect():
            rejected[r["reason"]] += int(r["n"])
        alignments = out.where(F.col("doc_a") >= 0).drop("reason", "rejected")
        n_found = alignments.count()
        if progress:
            progress("align", 1, 1)
        return FrameSeq(alignments, _collect_alignments, lambda _: n_found), rejected

    def cluster(
        self,
        alignments: FrameSeq[Alignment] | Sequence[Alignment],
        boilerplate_docs: int | None = None,
        min_overlap: float = 0.5,
        long_chars: int = 200,
    ) -> FrameSeq[Cluster]:
        """Clusters numbered exactly as the local ``build_clusters`` then ``merge_within``
        number them, computed in Spark: spans grouped per document (``span_groups``), connected
        components of the occurrences, then each cluster's overlapping copies in one document
        merged (``_merged``)."""
        frame = self._alignment_frame(alignments)
        occurrences, per_cluster = self._occurrences(frame, min_overlap, long_chars)
        numbered = self._numbered(per_cluster, ["label"], "cluster_no")
        passages = self._numbered(_merged(occurrences), ["label", "doc", "start", "end"], "passage_no")
        flagged = F.lit(False) if boilerplate_docs is None else F.col("n_docs") > boilerplate_docs
        clusters = passages.join(numbered, "label").select(
            "cluster_no",
            "passage_no",
            "doc",
            "start",
            "end",
            F.when(F.col("n_docs") > 1, "cross-document").otherwise("internal").alias("kind"),
            flagged.alias("boilerplate"),
        )
        clusters = self._keep(clusters)
        n_clusters = per_cluster.count()
        return FrameSeq(clusters, _collect_clusters, lambda _: n_clusters)

    def _occurrences(self, frame: DataFrame, min_overlap: float, long_chars: int) -> tuple[DataFrame, DataFrame]:
        """The occurrences of the alignments of ``frame`` (``node, doc, start, end`` and the
        cluster, ``label``: its first node), cached until ``release``, and each cluster's count
        of documents (``label, n_docs``): spans grouped per document (``span_groups``), then the
        connected components of the occurrences the alignments link."""
        side = list(ops.KEY)
        by_doc = self._sides(frame)
        group = partial(ops.node_batches, min_overlap=min_overlap, long_chars=long_chars)
        nodes = self._map(by_doc, group, ops.NODE_SCHEMA).withColumn(
            "node", F.shiftleft(F.col("doc"), ops.NODE_SHIFT) + F.col("node_no")
        )
        nodes = self._keep(nodes)
        a_side = nodes.where(F.col("side") == 0).select(*side, F.col("node").alias("u"))
        b_side = nodes.where(F.col("side") == 1).select(*side, F.col("node").alias("v"))
        labels = connected_components(a_side.join(b_side, side).select("u", "v"))
        occurrences = (
            nodes.select("node", "doc", F.col("node_start").alias("start"), F.col("node_end").alias("end"))
            .distinct()
            .join(labels, "node", "left")
            .withColumn("label", F.coalesce("label", "node"))
        )
        occurrences = self._keep(occurrences)
        per_cluster = occurrences.groupBy("label").agg(F.countDistinct("doc").alias("n_docs"))
        return occurrences, per_cluster

    def _alignment_frame(self, alignments: Sequence[Alignment]) -> DataFrame:
        """The alignments as a frame of ``ops.ALIGN_SCHEMA``'s found rows, each with its rank
        among its pair's (``seq``): their own frame, or one made from their columns."""
        if isinstance(alignments, FrameSeq):
            return alignments.frame
        table = rows_of(alignments, Alignment).table
        names = [f.name for f in ops.ALIGN_SCHEMA if f.name not in ("reason", "rejected")]
        pair = np.stack([table.column("doc_a").to_numpy(), table.column("doc_b").to_numpy()], axis=1)
        seq = ranks(pair)
        table = table.append_column("seq", pa.array(seq.astype(np.int32))).select(names)
        schema = pa.schema([ops.ALIGN_SCHEMA.field(name) for name in names])
        return self._frame_of(table.cast(schema), ops.ddl(schema))

    def credits(
        self, docs: Sequence[Document], gazetteer: Gazetteer, progress: Progress | None = None
    ) -> FrameSeq[Credit]:
        """Agency credits of all documents, in document order (the local ``credits_batch``).

        For a Parquet dataset they stay on the executors (``CreditFrames``: there is one in most
        wire copy, so they grow with the corpus), cached until ``close``, and the executors write
        their table, while the engine is open. Credits of local inputs, whose texts the driver
        holds anyway, are collected when read, and the local writer writes their table, also
        after the engine is closed."""
        frame = self._map(self._documents(docs), partial(ops.credit_batches, gazetteer=gazetteer), ops.CREDIT_SCHEMA)
        if isinstance(docs, FrameSeq):
            frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
            self._for_report.append(frame)
        else:
            frame = self._keep(frame)
        n_credits = frame.count()
        if progress:
            progress("credits", 1, 1)
        if not isinstance(docs, FrameSeq):
            return FrameSeq(frame, _collect_credits, lambda _: n_credits)
        return CreditFrames(frame, lambda _: n_credits, partial(self._write_credits, frame, docs, n_credits))

    def _write_credits(self, frame: DataFrame, docs: Sequence[Document], n_credits: int, path: Path) -> None:
        """The executors write the ``credits`` table at ``path`` as part files
        (``ops.credits_parts``): each credit with its document's id and its text, cut from the
        document there, in the local table's order and columns.

        Raises:
            ReportError: the engine was closed (its session with it) before the report was written.
        """
        from provenance.report.schemas import CREDITS

        self._check_open("the credits stayed with the Spark engine that found them")

        documents = self._documents(docs).select(F.col("index").alias("doc"), "doc_id", "text").hint("merge")
        names = [n for n in CREDITS.names if n not in ("doc_id", "text")]
        rows = (
            frame.join(documents, "doc")
            .select("doc", "seq", "doc_id", F.expr(_CUT).alias("text"), *names)
            .orderBy("doc", "seq")
        )
        write = partial(ops.credits_parts, schema=CREDITS)
        self._write_parts(rows, write, path, n_credits, "credits", CREDITS, ops.part_name(0, 0))

    def _check_open(self, kept: str) -> None:
        """Raises ReportError, saying ``kept``, when the engine is closed (its session with it):
        what it kept for a report can no longer be written."""
        if self._session is None:
            raise ReportError(f"{kept}: write the report while the engine is open (inside its with block)")

    def _write_parts(
        self, rows: DataFrame, write: Callable, path: Path, expected: int, what: str, schema: pa.Schema, empty: str
    ) -> None:
        """The executors run ``write`` (``ops.documents_parts`` or ``ops.credits_parts``, given
        the folder) over ``rows``, each partition into a part file of the folder at ``path``; all
        ``expected`` rows must be written. Without a row, an empty part (named ``empty``) of
        ``schema``, so that the report still has the table."""
        folder = str(path.resolve())
        parts = to_arrow(self._map(rows, partial(write, folder=folder), ops.PARTS_SCHEMA))
        written = sum(parts.column("rows").to_pylist())
        if written != expected:
            raise RuntimeError(f"the executors wrote {written} {what} of {expected} into {path}")
        if not parts.num_rows:
            Path(folder).mkdir(parents=True, exist_ok=True)
            pq.write_table(schema.empty_table(), f"{folder}/{empty}")

    def origins(
        self,
        clusters: Sequence[Cluster],
        docs: Sequence[Document],
        credits: Sequence[Credit],
        gazetteer: Gazetteer,
    ) -> list[Origin]:
        """The origin of every news cluster, in cluster order: occurrences, their documents and
        the documents' credits grouped per cluster in Spark, then the local ``infer_origin``."""
        if not clusters:  # counted once, by the cluster stage: no job for nothing
            return []
        if isinstance(clusters, FrameSeq):  # a cluster not yet categorized counts as news, as a ``Cluster``
            categorized = "category" in clusters.frame.columns
            cluster_frame = clusters.frame.where(F.col("category") == "news") if categorized else clusters.frame
        else:
            clusters = [c for c in clusters if c.category == "news"]
            if not clusters:
                return []
            cluster_frame = self._cluster_frame(clusters)
        documents = self._documents(docs).select(
            F.col("index").alias("doc"), "doc_id", "text", "source", "outlet", "date", "when"
        )
        rows = (
            cluster_frame.join(documents.hint("merge"), "doc")
            .join(self._credit_lists(credits), "doc", "left")
            .repartition(self.partitions, "cluster_no")
            .sortWithinPartitions("cluster_no", "passage_no")
        )
        found = to_arrow(self._map(rows, partial(ops.origin_batches, gazetteer=gazetteer), ops.ORIGIN_SCHEMA))
        origins = [
            Origin(ops.cluster_id(n), agency, confidence, evidence)
            for n, agency, confidence, evidence in zip(
                *(found.column(c).to_pylist() for c in ops.ORIGIN_SCHEMA.names), strict=True
            )
        ]
        origins.sort(key=lambda o: o.cluster_id)
        return origins

    def _cluster_frame(self, clusters: Sequence[Cluster]) -> DataFrame:
        """Clusters held on the driver as ``cluster`` rows (one per occurrence, numbered as the
        ids ``c000001`` and ``p000001`` number them)."""
        occurrences = [(c, o) for c in clusters for o in c.occurrences]
        table = pa.table(
            {
                "cluster_no": pa.array([int(c.cluster_id[1:]) for c, _ in occurrences], pa.int64()),
                "passage_no": pa.array([int(o.passage_id[1:]) for _, o in occurrences], pa.int64()),
                "doc": pa.array([o.doc for _, o in occurrences], pa.int64()),
                "start": pa.array([o.start for _, o in occurrences], pa.int64()),
                "end": pa.array([o.end for _, o in occurrences], pa.int64()),
                "kind": pa.array([o.kind for _, o in occurrences], pa.string()),
            }
        )
        return self._frame_of(table, ops.ddl(table.schema))

    def _origin_frame(self, origins: Sequence[Origin]) -> DataFrame:
        """Origins held here as rows ``(cluster_no, agency, confidence, evidence)``."""
        table = pa.table(
            {
                "cluster_no": pa.array([int(o.cluster_id[1:]) for o in origins], pa.int64()),
                "agency": pa.array([o.agency for o in origins], pa.string()),
                "confidence": pa.array([o.confidence for o in origins], pa.float64()),
                "evidence": pa.array([o.evidence for o in origins], pa.string()),
            }
        )
        return self._frame_of(table, ops.ddl(table.schema))

    def _credit_frame(self, credits: Sequence[Credit]) -> DataFrame:
        """The credits as ``CREDIT_SCHEMA`` rows (the credits stage's own frame when it made them)."""
        if isinstance(credits, FrameSeq):
            return credits.frame
        seq: Counter = Counter()
        rows = []
        for c in credits:
            rows.append({f: getattr(c, f) for f in Credit.__slots__} | {"seq": seq[c.doc]})
            seq[c.doc] += 1
        return self._frame_of(pa.Table.from_pylist(rows, schema=ops.CREDIT_SCHEMA), ops.ddl(ops.CREDIT_SCHEMA))

    def _credit_lists(self, credits: Sequence[Credit], kinds: Iterable[str] | None = None) -> DataFrame:
        """``(doc, credits)``: each document's credits (of ``kinds``, or all) as a JSON list
        (``ops.credits_of_row`` reads it)."""
        frame = self._credit_frame(credits)
        if kinds is not None:
            frame = frame.where(F.col("kind").isin(*kinds))
        fields = ("seq", "agency", "start", "end", "kind", "scope", "scope_start", "scope_end")
        return frame.groupBy("doc").agg(F.to_json(F.collect_list(F.struct(*fields))).alias("credits"))

    def _texts(self, docs: Sequence[Document], index: str = "index", text: str = "text") -> DataFrame:
        """Every document's index and text (columns named ``index`` and ``text``), never to be
        broadcast (that would collect the texts to the driver): a join with it shuffles."""
        return self._documents(docs).select(F.col("index").alias(index), F.col("text").alias(text)).hint("merge")

    def _columns(self, docs: Sequence[Document]) -> tuple[DocumentColumns, np.ndarray]:
        """Every document's id and outlet (``DocumentColumns``) and length: one collect of
        those three columns, made once per document list."""
        held = self._columns_cache.get(id(docs))
        if held is not None and held[0] is docs:
            return held[1], held[2]
        table = to_arrow(
            self._documents(docs)
            .select("index", "doc_id", "outlet", F.length("text").alias("n_chars"))
            .orderBy("index")
        )
        columns = DocumentColumns.of(table)
        n_chars = table.column("n_chars").to_numpy().astype(np.int64)
        self._columns_cache[id(docs)] = (docs, columns, n_chars)
        return columns, n_chars

    def _retext(self, rows: DataFrame, docs: Sequence[Document], fn: Callable) -> DataFrame:
        """Run ``fn`` (``ops.split_batches`` or ``ops.trim_batches``) on the executors over the
        alignments of ``rows``, each with its task's columns and both texts: the pieces found
        (``ops.RETEXT_SCHEMA``: the alignment's ``seq`` as ``i``, then ``piece``)."""
        joined = rows.join(self._texts(docs, "doc_b", "text_b"), "doc_b").join(
            self._texts(docs, "doc_a", "text_a"), "doc_a"
        )
        return self._map(joined, fn, ops.RETEXT_SCHEMA)

    # --- the cluster stage's cuts, categories and the result's documents ---------------------

    def refine(
        self, alignments: Sequence[Alignment], docs: Sequence[Document], credits: Sequence[Credit], config: ScanConfig
    ) -> Sequence[Alignment]:
        """``split_composites`` then ``trim_wide_noise``, as the local engine runs them, all on
        the executors: each document's sides of alignments give their cuts (``cut_batches``,
        the local ``composite_cuts``), the executors cut and score again (``split_at``); a
        strict clustering (``cluster``'s, with no containment and only wide clusters) is
        categorized (``_categories``), its noise spans go to the sides in their documents
        (``edge_batches``, the local ``trim_shares``), and the executors trim (``trim_at``).
        For a Parquet dataset nothing of the alignments reaches the driver: they stay a frame
        (``FrameSeq``), numbered in each pair (``seq``) in the local order, cached until
        ``close``, and the executors write their table (``_write_alignments``). Those of local
        inputs come to the driver in columns (``Rows``): their report is written there."""
        # Each step's result is checkpointed (computed once, its lineage cut): as one plan, the
        # cuts, the strict clustering and the trims took the JVM out of memory as Spark printed it.
        frame = self._alignment_frame(alignments)
        frame = checkpointed(frame.select(*ops.ALIGNMENT_SCHEMA.names, "seq"))
        key = list(ops.KEY)
        # The a side's cuts, else the b side's (the smaller ``side``).
        cut = F.min(F.struct("side", "cuts"))
        chosen = checkpointed(
            self._map(self._sides(frame, "partner"), ops.cut_batches, ops.CUT_SCHEMA)
            .groupBy(*key)
            .agg(cut.cuts.alias("cuts"), (cut.side == 1).alias("flip"))
        )
        pieces = self._retext(frame.join(chosen, key), docs, ops.split_batches)
        # A cut alignment's pieces take its place, in order: numbered again in its pair.
        in_pair = Window.partitionBy("doc_a", "doc_b").orderBy("seq", "piece")
        split = checkpointed(
            frame.join(chosen, key, "left_anti")
            .withColumn("piece", F.lit(0))
            .unionByName(pieces.withColumnRenamed("i", "seq"))
            .withColumn("seq", (F.row_number().over(in_pair) - 1).cast("int"))
            .drop("piece")
        )
        d = config.detect
        strict = self._strict_clusters(split, d.min_overlap, config.categories.template_docs)
        categories = self._categories(strict, docs, credits, config.categories, d.boilerplate_docs)
        noise = strict.join(categories.where(F.col("category") != "news"), "cluster_no")
        noise = noise.groupBy("doc").agg(F.collect_list(F.struct("start", "end")).alias("noise"))
        edges = self._map(self._sides(split).join(noise, "doc"), ops.edge_batches, ops.EDGE_SCHEMA)
        shares = checkpointed(edges.groupBy(*key).agg(F.max("head").alias("head"), F.max("tail").alias("tail")))
        trim = partial(ops.trim_batches, min_chars=TRIM_MIN_CHARS)
        trimmed = checkpointed(
            self._retext(split.join(shares, key), docs, trim).withColumnRenamed("i", "seq").drop("piece")
        )
        # A trim gives one piece in the alignment's place, or none when ``trim_at`` keeps it whole.
        refined = split.join(trimmed.select(*key), key, "left_anti").unionByName(trimmed)
        if not isinstance(docs, FrameSeq):  # local inputs: their report may be written after ``close``
            return _alignment_rows(refined)
        refined = refined.persist(StorageLevel.MEMORY_AND_DISK)  # their table is written with the report
        self._for_report.append(refined)
        n_refined = refined.count()
        return FrameSeq(refined, _collect_alignments, lambda _: n_refined)

    def _sides(self, alignments: DataFrame, *extra: str) -> DataFrame:
        """Both sides of every alignment (``SIDE_SCHEMA``, ``doc``, ``start``, ``end``, and the
        other side's document as ``partner``, when ``extra`` names it), all of a document in one
        partition, sorted by document, span, then side and alignment."""
        sides = []
        for number, (doc, start, end, other) in enumerate(
            (("doc_a", "a_start", "a_end", "doc_b"), ("doc_b", "b_start", "b_end", "doc_a"))
        ):
            columns = {"doc": doc, "start": start, "end": end, "partner": other}
            sides.append(
                alignments.select(
                    *ops.KEY,
                    F.lit(number).cast("tinyint").alias("side"),
                    *(F.col(columns[name]).alias(name) for name in ("doc", "start", "end", *extra)),
                )
            )
        return (
            sides[0]
            .unionByName(sides[1])
            .repartition(self.partitions, "doc")
            .sortWithinPartitions("doc", "start", "end", "side", *ops.KEY)
        )

    def _strict_clusters(self, alignments: DataFrame, min_overlap: float, min_docs: int) -> DataFrame:
        """The strict first clustering ``trim_wide_noise`` judges (``strict_clusters``: no span
        joins another by containment), its clusters in ``min_docs`` documents or more, as rows
        ``cluster_no, passage_no, doc, start, end, kind`` (numbered by their first occurrence,
        not 1, 2...: only their spans and categories are read)."""
        occurrences, per_cluster = self._occurrences(alignments, min_overlap, STRICT_LONG_CHARS)
        wide = per_cluster.where(F.col("n_docs") >= min_docs)
        return checkpointed(
            occurrences.join(wide, "label").select(
                F.col("label").alias("cluster_no"),
                F.col("node").alias("passage_no"),
                "doc",
                "start",
                "end",
                F.when(F.col("n_docs") > 1, "cross-document").otherwise("internal").alias("kind"),
            )
        )

    def categorize(
        self,
        clusters: Sequence[Cluster],
        docs: Sequence[Document],
        credits: Sequence[Credit],
        params: CategoryConfig,
        boilerplate_docs: int | None,
    ) -> Sequence[Cluster]:
        """The local ``categorize``, on the executors: each cluster's sampled copies
        (``sample_batches``) get their ``copy_facts`` where the texts are (``fact_batches``, with
        each document's credit lines and captions), then each cluster is measured and decided
        (``category_batches``) with the corpus's count of outlets. Clusters held in a frame stay
        there, with their categories, never collected here; a list comes back as a list."""
        if isinstance(clusters, FrameSeq):
            frame, n_clusters = clusters.frame, len(clusters)
        else:
            clusters = list(clusters)
            frame, n_clusters = self._cluster_frame(clusters), len(clusters)
        if not n_clusters:
            return clusters
        categories = self._categories(frame, docs, credits, params, boilerplate_docs)
        if not isinstance(clusters, FrameSeq):
            found = to_arrow(categories)
            numbers, category, reason = (found.column(name).to_pylist() for name in ops.CATEGORY_SCHEMA.names)
            decided = dict(zip(numbers, zip(category, reason, strict=True), strict=True))
            return [ops.categorized(c, *decided[int(c.cluster_id[1:])]) for c in clusters]
        categorized = frame.drop("boilerplate").join(categories, "cluster_no")
        categorized = categorized.withColumn("boilerplate", F.col("category") != "news")
        if isinstance(docs, FrameSeq):  # the derivation table is computed from it when the report is written
            categorized = categorized.persist(StorageLevel.MEMORY_AND_DISK)
            self._for_report.append(categorized)
        else:
            categorized = self._keep(categorized)
        return FrameSeq(categorized, _collect_clusters, lambda _: n_clusters)

    def _categories(
        self,
        clusters: DataFrame,
        docs: Sequence[Document],
        credits: Sequence[Credit],
        params: CategoryConfig,
        boilerplate_docs: int | None,
    ) -> DataFrame:
        """``cluster_no, category, category_reason`` (``ops.CATEGORY_SCHEMA``) of each cluster of
        a frame of occurrences (``cluster_no, passage_no, doc, start, end, kind``), decided on
        the executors (see ``categorize``)."""
        occurrences = self._keep(
            clusters.select("cluster_no", "passage_no", "doc", "start", "end", "kind")
            .repartition(self.partitions, "cluster_no")
            .sortWithinPartitions("cluster_no", "passage_no")
        )
        sampled = self._map(occurrences, partial(ops.sample_batches, params=params), ops.SAMPLE_SCHEMA).distinct()
        kinds = [*sorted(CREDIT_LINE_KINDS), "caption"]
        copies = (
            sampled.join(self._texts(docs, "doc"), "doc")
            .join(self._credit_lists(credits, kinds), "doc", "left")
            .repartition(self.partitions, "doc")
            .sortWithinPartitions("doc", "start", "end")
        )
        facts = self._map(copies, partial(ops.fact_batches, params=params), ops.FACT_SCHEMA)
        outlets = self._documents(docs).select(F.col("index").alias("doc"), "outlet")
        judged = (
            occurrences.join(outlets, "doc")
            .join(facts, ["doc", "start", "end"], "left")
            .repartition(self.partitions, "cluster_no")
            .sortWithinPartitions("cluster_no", "passage_no")
        )
        decide = partial(
            ops.category_batches, params=params, n_outlets=self._n_outlets(docs), boilerplate_docs=boilerplate_docs
        )
        categories = self._map(judged, decide, ops.CATEGORY_SCHEMA)
        return categories

    def _n_outlets(self, docs: Sequence[Document]) -> int:
        """The corpus's count of distinct outlets (``count_outlets``)."""
        outlets = self._columns(docs)[0] if isinstance(docs, FrameSeq) else docs  # the outlets are read
        return count_outlets(column(outlets, "outlet"))

    def graph(
        self, docs: Sequence[Document], clusters: Sequence[Cluster], origins: Sequence[Origin]
    ) -> tuple[Sequence[GraphNode], Sequence[GraphEdge]]:
        """The local ``build_graph``'s nodes and edges, built on the executors from the cluster
        frame (``spark_graph_build``). For a Parquet dataset they stay there (``TableFrames``,
        cached until ``close``) and the executors write their tables; for local inputs, whose
        documents the driver holds anyway, they are collected (``Rows``), so that the report can
        be written after the engine is closed."""
        if not len(clusters):  # no job, and no document read: an empty graph
            return build_graph([], [], [])
        if not isinstance(clusters, FrameSeq):  # clusters held here (not a scan's)
            return super().graph(docs, clusters, origins)
        credited = self._origin_frame([o for o in origins if o.agency])
        documents = self._documents(docs).select(
            F.col("index").alias("doc"), "doc_id", "title", "outlet", "date", "when"
        )
        node_frame, edge_frame = graph_frames(clusters.frame, documents, credited)
        if not isinstance(docs, FrameSeq):
            return _graph_rows(node_frame, GraphNode, schemas.NODES), _graph_rows(edge_frame, GraphEdge, schemas.EDGES)
        return self._kept_graph(node_frame, GraphNode, schemas.NODES), self._kept_graph(
            edge_frame, GraphEdge, schemas.EDGES
        )

    def _kept_graph(self, frame: DataFrame, kind: type[T], schema: pa.Schema) -> TableFrames[T]:
        """The graph's nodes or edges (``kind``, the report's ``schema``) kept on the executors
        until ``close``, counted now (so that they no longer need the scan's cached frames)."""
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        self._for_report.append(frame)
        n_rows = frame.count()
        name = "nodes" if kind is GraphNode else "edges"
        collect = partial(_collect_graph, kind=kind, schema=schema)
        return TableFrames(frame, collect, lambda _: n_rows, partial(self._write_graph, frame, n_rows, schema, name))

    def _write_graph(self, frame: DataFrame, n_rows: int, schema: pa.Schema, name: str, path: Path) -> None:
        """The executors write the graph's ``name`` table (``schema``) at ``path``, as part files
        in the local order (``ops.ordered_parts``).

        Raises:
            ReportError: the engine was closed (its session with it) before the report was written.
        """
        self._check_open("the provenance graph stayed with the Spark engine that built it")
        write = partial(ops.ordered_parts, schema=schema)
        self._write_parts(ordered(frame, schema.names), write, path, n_rows, name, schema, ops.part_name(0))

    def result_documents(
        self, docs: Sequence[Document], clusters: Sequence[Cluster], credits: Sequence[Credit]
    ) -> tuple[Sequence[Document], TextsElsewhere | None]:
        """For a Parquet dataset (read by Spark), a ``DocumentColumns``: every document's id and
        outlet, and the whole documents with a passage (taken a partition at a time), with every
        document's length computed on the executors; local inputs, read on the driver, as they
        are. The executors write the ``documents`` table."""
        if not isinstance(docs, FrameSeq):
            return docs, None
        columns, n_chars = self._columns(docs)
        frame = self._documents(docs)
        held = self._held(frame, sorted({o.doc for c in clusters for o in c.occurrences}))
        # The lengths as 8 bytes each (read by index). The credits' texts are cut by the
        # executors when they write the credits table (``CreditFrames``).
        lengths = array("q", n_chars.tobytes())
        elsewhere = TextsElsewhere(lengths)
        self._elsewhere[id(elsewhere)] = (elsewhere, frame, clusters.frame if isinstance(clusters, FrameSeq) else None)
        return columns.holding(held, partial(self._write_documents, frame, len(columns))), elsewhere

    def _held(self, frame: DataFrame, shown: list[int]) -> Held:
        """The documents ``shown`` (indices), kept compactly. They come a partition at a time
        (``toLocalIterator``), and a batch of rows at a time become ``Document`` objects and go
        to the ``Held`` file: collected at once, as Arrow, they took 125 MB of the driver's
        memory at 100,000 documents, and grew with the reuse found."""
        if not shown:
            return Held()
        wanted = self._frame_of(pa.table({"index": pa.array(shown, pa.int64())}), "index bigint")
        got = frame.join(F.broadcast(wanted), "index").select(*ops.DOCUMENT_SCHEMA.names)
        # A job per partition, one after another (the next fetched while one is read): as many
        # as the documents need (``coalesce`` never shuffles, nor adds partitions), not the
        # documents frame's shuffle partitions, 200 by default.
        parts = -(-len(shown) // _HELD_PART)
        rows = got.coalesce(parts).toLocalIterator(prefetchPartitions=True)

        def documents() -> Iterator[Document]:
            while batch := [row.asDict() for row in islice(rows, _HELD_BATCH)]:
                yield from ops.documents_of(pa.Table.from_pylist(batch, schema=ops.DOCUMENT_SCHEMA))

        held = Held(documents())
        release_free_memory()
        return held

    def _write_documents(self, frame: DataFrame, n_docs: int, path: Path) -> None:
        """The executors write the ``documents`` table of ``frame`` (every document, in order) at
        ``path``, as part files (``ops.documents_parts``), with the local writer's columns: its
        pass-through columns named here, where a clash with a report column is logged once."""
        names = _extra_names(frame)
        sample = Document(0, "", "", "", extra=tuple((name, "") for name in names))
        schema = documents_table([sample], [0]).schema  # the local writer's columns and names
        rows = frame.select(
            *[c for c in ops.DOCUMENT_SCHEMA.names if c != "text"], F.length("text").alias("n_chars")
        ).orderBy("index")
        write = partial(ops.documents_parts, schema=schema, extra_names=names)
        self._write_parts(rows, write, path, n_docs, "documents", schema, ops.part_name(0))

    def table_writers(self, result: ScanResult) -> dict[str, Callable[[Path], None]]:
        """For a result whose texts stayed on the executors, writers of its ``texts``,
        ``passages``, ``clusters``, ``wire_share`` and ``derivation`` tables: the executors write each as Parquet
        part files into the folder the report writer names, a folder on a filesystem they share
        with the driver (the same machine in ``local`` mode), from the texts and the cluster frame
        they hold. The derivation table is computed there too (``_write_derivation``)."""
        held = self._elsewhere.get(id(result.texts_elsewhere))
        if result.texts_elsewhere is None or held is None or held[0] is not result.texts_elsewhere:
            return {}
        _, frame, clusters = held

        def texts(path: Path) -> None:
            frame.orderBy("index").select("doc_id", "text").write.parquet(path.resolve().as_uri())

        if clusters is None:  # not a scan's clusters: the report computes the tables
            return {"texts": texts}
        return {
            "texts": texts,
            "passages": partial(self._write_passages, frame, clusters),
            "clusters": partial(self._write_clusters, frame, clusters, result.origins),
            "wire_share": partial(self._write_wire_share, frame, clusters, result.origins),
            "derivation": partial(self._write_derivation, frame, clusters, result.alignments),
            "alignments": partial(self._write_alignments, frame, clusters, result.alignments),
        }

    def _write_alignments(
        self, docs: DataFrame, clusters: DataFrame, alignments: Sequence[Alignment], path: Path
    ) -> None:
        """The executors write the ``alignments`` table at ``path`` as part files, in the local
        order (pair, then ``seq``), as ``tables._alignment_batches`` has it: each alignment with
        its documents' ids and the first cluster (the smallest number) with a copy in ``doc_a``
        that holds ``a_start`` (``alignment_clusters``).

        Raises:
            ReportError: the engine was closed (its session with it) before the report was written.
        """
        self._check_open("the alignments stayed with the Spark engine that found them")
        frame = self._alignment_frame(alignments)
        copies = clusters.select(F.col("doc").alias("doc_a"), "cluster_no", "start", "end")
        holding = (
            frame.select(*ops.KEY, "a_start")
            .join(copies, "doc_a")
            .where((F.col("start") <= F.col("a_start")) & (F.col("a_start") < F.col("end")))
            .groupBy(*ops.KEY)
            .agg(F.min("cluster_no").alias("cluster_no"))
        )

        def ids(side: str) -> DataFrame:
            return docs.select(F.col("index").alias(f"doc_{side}"), F.col("doc_id").alias(f"id_{side}"))

        rows = (
            frame.join(holding, list(ops.KEY))
            .join(ids("a"), "doc_a")
            .join(ids("b"), "doc_b")
            .orderBy(*ops.KEY)
            .select(
                F.format_string("c%06d", "cluster_no").alias("cluster_id"),  # ``ops.cluster_id``
                F.col("id_a").alias("doc_a"),
                "a_start",
                "a_end",
                F.col("id_b").alias("doc_b"),
                *(
                    name
                    for name in schemas.ALIGNMENTS.names
                    if name not in ("cluster_id", "doc_a", "a_start", "a_end", "doc_b")
                ),
            )
        )
        write = partial(ops.ordered_parts, schema=schemas.ALIGNMENTS)
        self._write_parts(rows, write, path, len(alignments), "alignments", schemas.ALIGNMENTS, ops.part_name(0))

    def _write_passages(self, docs: DataFrame, clusters: DataFrame, path: Path) -> None:
        """The executors write the ``passages`` table at ``path`` as part files: every copy of
        every cluster in cluster order, as the local table has them, each with its text cut from
        its document there (the driver read them from the documents it holds).

        Raises:
            ReportError: the engine was closed (its session with it) before the report was written.
        """
        self._check_open("the documents' texts stayed with the Spark engine that read them")
        category, _ = _category(clusters)
        documents = docs.select(F.col("index").alias("doc"), "doc_id", "text").hint("merge")
        rows = (
            clusters.join(documents, "doc")
            .select(
                "cluster_no",
                "passage_no",
                F.format_string("p%06d", "passage_no").alias("passage_id"),  # ``ops.passage_id``
                F.format_string("c%06d", "cluster_no").alias("cluster_id"),  # ``ops.cluster_id``
                "doc_id",
                "start",
                "end",
                F.expr(_CUT).alias("text"),
                "kind",
                category.alias("category"),
            )
            .orderBy("cluster_no", "passage_no")
        )
        write = partial(ops.ordered_parts, schema=schemas.PASSAGES)
        self._write_parts(rows, write, path, clusters.count(), "passages", schemas.PASSAGES, ops.part_name(0))

    def _write_clusters(self, docs: DataFrame, clusters: DataFrame, origins: Sequence[Origin], path: Path) -> None:
        """The executors write the ``clusters`` table at ``path`` as part files, in cluster
        order, as the local table has it (``tables._cluster_batches``): each cluster's counts,
        category, origin (``origins``, one per cluster, from the driver) and representative, its
        fullest copy (``tables.representative``: the longest, then the text most copies of that
        length share, then the first), cut from its document there.

        Raises:
            ReportError: the engine was closed (its session with it) before the report was written.
        """
        self._check_open("the documents' texts stayed with the Spark engine that read them")
        category, reason = _category(clusters)
        documents = docs.select(F.col("index").alias("doc"), "doc_id", "outlet", "text").hint("merge")
        unit = F.when(F.coalesce(F.col("outlet"), F.lit("")) == "", F.col("doc_id")).otherwise(F.col("outlet"))
        copies = clusters.join(documents, "doc").select(
            "cluster_no",
            "passage_no",
            "doc",
            "doc_id",
            "kind",
            "boilerplate",
            category.alias("category"),
            reason.alias("category_reason"),
            unit.alias("unit"),  # an outlet, or the document standing for it (``outlets[d] or ids[d]``)
            F.expr(_CUT).alias("copy"),
        )
        copies = copies.withColumn("chars", F.length("copy"))
        cluster = Window.partitionBy("cluster_no")
        longest = copies.withColumn("longest", F.max("chars").over(cluster)).where(F.col("chars") == F.col("longest"))
        alike = longest.withColumn("alike", F.count(F.lit(1)).over(Window.partitionBy("cluster_no", "copy")))
        fullest = alike.withColumn(
            "rank", F.row_number().over(cluster.orderBy(F.col("alike").desc(), F.col("passage_no")))
        ).where(F.col("rank") == 1)
        first = F.struct("passage_no", "kind", "boilerplate", "category", "category_reason")
        counted = copies.groupBy("cluster_no").agg(
            F.min(first).alias("first"),
            F.count(F.lit(1)).alias("n_occurrences"),
            F.countDistinct("doc").alias("n_documents"),
            F.countDistinct("unit").alias("n_outlets"),
        )
        found = self._origin_frame(origins)
        rows = (
            counted.join(fullest.select("cluster_no", "copy", "doc_id"), "cluster_no")
            .join(found, "cluster_no", "left")
            .select(
                "cluster_no",
                F.format_string("c%06d", "cluster_no").alias("cluster_id"),  # ``ops.cluster_id``
                "first.kind",
                "n_occurrences",
                "n_documents",
                "n_outlets",
                "first.boilerplate",
                "first.category",
                "first.category_reason",
                F.col("copy").alias("representative"),
                F.col("doc_id").alias("representative_doc"),
                F.col("agency").alias("origin"),
                F.coalesce("confidence", F.lit(0.0)).alias("origin_confidence"),
                F.coalesce("evidence", F.lit("")).alias("origin_evidence"),
            )
            .orderBy("cluster_no")
        )
        n_clusters = clusters.select("cluster_no").distinct().count()
        write = partial(ops.ordered_parts, schema=schemas.CLUSTERS)
        self._write_parts(rows, write, path, n_clusters, "clusters", schemas.CLUSTERS, ops.part_name(0))

    def _write_wire_share(self, docs: DataFrame, clusters: DataFrame, origins: Sequence[Origin], path: Path) -> None:
        """The executors write the ``wire_share`` table at ``path`` as part files, in the local
        table's order (``tables.wire_share_batches``): each document with news copy (document
        order), then each outlet (name order), a unit's characters of all origins first, then
        each origin's (name order), every total counting the unit's whole texts, and a character
        two copies cover counted once (``_covered``).

        Raises:
            ReportError: the engine was closed (its session with it) before the report was written.
        """
        self._check_open("the documents' texts stayed with the Spark engine that read them")
        category, _ = _category(clusters)
        news = clusters.where((F.col("kind") == "cross-document") & (category == "news"))
        origin = F.coalesce(F.when(F.col("agency") != "", F.col("agency")), F.lit("unknown"))  # ``agency or "unknown"``
        copies = news.join(self._origin_frame(origins), "cluster_no", "left").select(
            "doc", origin.alias("origin"), "start", "end"
        )
        per_doc = _covered(copies, "doc", "origin").unionByName(
            _covered(copies, "doc").withColumn("origin", F.lit("all"))
        )
        about = docs.select(
            F.col("index").alias("doc"),
            "doc_id",
            F.when(F.col("outlet") != "", F.col("outlet")).alias("outlet"),  # "" names none, as None does
            F.length("text").alias("total_chars"),
        )
        documents = per_doc.join(about.hint("merge"), "doc")
        per_outlet = (
            documents.where(F.col("outlet").isNotNull())
            .groupBy("outlet", "origin")
            .agg(F.sum("reused_chars").alias("reused_chars"))
            .join(about.groupBy("outlet").agg(F.sum("total_chars").alias("total_chars")), "outlet")
        )

        def units(frame: DataFrame, level: str, doc: Any, name: Any, ident: Any) -> DataFrame:
            """The rows of one level: documents (in document order), then outlets (by name)."""
            order = (F.lit(level == "outlet").alias("unit"), doc.cast("long").alias("doc"), name.alias("name"))
            return frame.select(*order, F.lit(level).alias("level"), ident.alias("id"), "origin", *measures)

        measures = ("reused_chars", "total_chars")
        rows = (
            units(documents, "document", F.col("doc"), F.lit(""), F.col("doc_id"))
            .unionByName(units(per_outlet, "outlet", F.lit(0), F.col("outlet"), F.col("outlet")))
            .withColumn("each", F.col("origin") != "all")  # a unit's "all" row first
            .orderBy("unit", "doc", "name", "each", "origin")
        )
        n_rows = rows.count()
        write = partial(ops.share_parts, schema=schemas.WIRE_SHARE)
        self._write_parts(rows, write, path, n_rows, "wire_share", schemas.WIRE_SHARE, ops.part_name(0))

    def _write_derivation(
        self, docs: DataFrame, clusters: DataFrame, alignments: Sequence[Alignment], path: Path
    ) -> None:
        """The executors compute the ``derivation`` table (``spark_derivation``: the local
        ``derivation_table``'s rows, each document's spans measured where its text is) and write
        it at ``path`` as part files, in pair order.

        Raises:
            ReportError: the engine was closed (its session with it) before the report was written.
        """
        self._check_open("the documents' texts stayed with the Spark engine that read them")
        # Each input cut from its lineage (the whole scan's plan): joined and unioned several
        # times over, the plan took the JVM out of memory while Spark optimized it.
        category, _ = _category(clusters)
        copies = checkpointed(clusters.select("cluster_no", "doc", "start", "end", category.alias("category")))
        rows = checkpointed(derivation.pair_rows(copies))
        spans, covered = derivation.derivation_spans(copies, self._alignment_frame(alignments), rows)
        texts = docs.select(F.col("index").alias("doc"), "text").hint("merge")
        measures = checkpointed(
            self._map(derivation.per_document(spans, texts), ops.span_measure_batches, ops.SPAN_MEASURE_SCHEMA)
        )
        about = docs.select(F.col("index").alias("doc"), "doc_id", "when", F.length("text").alias("n_chars"))
        pairs = derivation.pair_measures(measures, rows, covered, about)
        table = self._map(pairs, ops.derivation_batches, ops.derivation_rows_schema()).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        try:  # counted, then written: computed once
            n_rows = table.count()
            ordered_rows = table.orderBy("a", "b").select(*schemas.DERIVATION.names)
            write = partial(ops.ordered_parts, schema=schemas.DERIVATION)
            self._write_parts(ordered_rows, write, path, n_rows, "derivation", schemas.DERIVATION, ops.part_name(0))
        finally:
            _unpersist([table])


def _covered(spans: DataFrame, *keys: str) -> DataFrame:
    """``keys`` and ``reused_chars``: the characters the spans (``start``, ``end``) of each group
    cover, each counted once (``tables._covered``). In start order, a span adds what it holds
    past the furthest end before it."""
    run = Window.partitionBy(*keys).orderBy("start", "end")
    reach = F.max("end").over(run.rowsBetween(Window.unboundedPreceding, -1))
    added = F.greatest(F.lit(0), F.col("end") - F.greatest(F.col("start"), F.coalesce(reach, F.col("start"))))
    return spans.select(*keys, added.alias("added")).groupBy(*keys).agg(F.sum("added").alias("reused_chars"))


def _category(clusters: DataFrame) -> tuple[Any, Any]:
    """The ``category`` and ``category_reason`` columns of a cluster frame; a frame not
    categorized (none was found) gives a ``Cluster``'s defaults, news and no reason."""
    if "category" in clusters.columns:
        return F.col("category"), F.col("category_reason")
    return F.lit("news"), F.lit("")


def _unpersist(frames: list[DataFrame]) -> None:
    """Drop cached DataFrames and empty ``frames`` (nothing to drop once Spark's JVM is gone: a
    failed job that took it down must be what the user hears of, not this)."""
    try:
        for frame in frames:
            frame.unpersist()
    except _JVM_GONE as err:
        log.debug("the cached DataFrames went with Spark's JVM (%s)", type(err).__name__)
    frames.clear()


def _extra_names(docs: DataFrame) -> list[str]:
    """The pass-through fields of ``docs`` in the order the local ``documents_table`` finds them
    (first appearance, in document order): the rows of one dataset all name the same fields, so
    each distinct list of names is looked at once, from its first document."""
    listed = F.expr("transform(from_json(extra, 'array<array<string>>'), pair -> pair[0])")
    lists = (
        docs.where(F.col("extra").isNotNull())
        .groupBy(listed.alias("names"))
        .agg(F.min("index").alias("first"))
        .collect()
    )
    names: list[str] = []
    for r in sorted(lists, key=lambda r: r["first"]):
        names += [name for name in r["names"] if name not in names]
    return names


def _warn_unread_dates(docs: DataFrame) -> None:
    """Warn once per dataset file about the dates of ``docs`` that could not be read, as
    ``IngestPolicy.documents`` does for local inputs."""
    file = F.regexp_extract("source", "^(.*):[0-9]+$", 1)
    unread = (
        docs.where(F.col("when").isNull() & F.col("date").isNotNull() & ~F.col("date").rlike(f"^{BLANK_TEXT}$"))
        .groupBy(file.alias("input"))
        .agg(F.count(F.lit(1)).alias("n"), F.min_by("date", "index").alias("example"), F.min("index").alias("first"))
    )
    for r in sorted(unread.collect(), key=lambda r: r["first"]):
        log.warning("%s", unread_dates(r["input"], r["n"], r["example"].strip()))


def _merged(occurrences: DataFrame) -> DataFrame:
    """``label, doc, start, end``: the occurrences of each cluster (``label``) merged where they
    overlap in one document, as ``merge_spans`` merges them: a span joins the run before it when
    it starts before the run's furthest end."""
    # ``node`` orders copies of the same extent, so that both windows read them in one order.
    run = Window.partitionBy("label", "doc").orderBy("start", "end", "node")
    furthest = F.max("end").over(run.rowsBetween(Window.unboundedPreceding, -1))
    opens = F.when(furthest.isNull() | (F.col("start") >= furthest), 1).otherwise(0)
    runs = occurrences.withColumn("opens", opens).withColumn(
        "run", F.sum("opens").over(run.rowsBetween(Window.unboundedPreceding, Window.currentRow))
    )
    return runs.groupBy("label", "doc", "run").agg(F.min("start").alias("start"), F.max("end").alias("end")).drop("run")


def _alignment_rows(frame: DataFrame) -> Rows[Alignment]:
    """The alignments of a frame in columns, in the local engine's order (pairs in order, each
    pair's alignments by ``seq``)."""
    table = to_arrow(frame.select(*ops.ALIGNMENT_SCHEMA.names, "seq"))
    table = table.sort_by([(name, "ascending") for name in ops.KEY])
    return Rows(table.select(ops.ALIGNMENT_SCHEMA.names).cast(ops.ALIGNMENT_SCHEMA), Alignment)


# --- collecting records ----------------------------------------------------------------------


def _collect_documents(frame: DataFrame) -> list[Document]:
    return ops.documents_of(to_arrow(frame.select(*ops.DOCUMENT_SCHEMA.names)))


def _collect_alignments(frame: DataFrame) -> list[Alignment]:
    return list(_alignment_rows(frame))


def _collect_clusters(frame: DataFrame) -> ops.ClusterRows:
    """The clusters of a cluster frame, in cluster order: collected as Arrow, sorted there, and
    held so (``ClusterRows``: each ``Cluster`` built when read)."""
    names = ["cluster_no", "passage_no", "doc", "start", "end", "kind", "boilerplate"]
    if "category" in frame.columns:
        names += ["category", "category_reason"]
    table = to_arrow(frame.select(*names)).sort_by([("cluster_no", "ascending"), ("passage_no", "ascending")])
    # Strings repeated on every row (a kind, a category and its reason per cluster) held once each.
    for name in ("kind", "category", "category_reason"):
        if name in table.column_names:
            at = table.schema.get_field_index(name)
            table = table.set_column(at, name, table.column(name).dictionary_encode())
    return ops.ClusterRows(table)


def _graph_rows(frame: DataFrame, kind: type[T], schema: pa.Schema) -> Rows[T]:
    """The graph's nodes or edges (``kind``) of a frame with the report's columns (``schema``),
    collected in the local order, held in columns."""
    table = to_arrow(ordered(frame, schema.names))
    return Rows(pa.Table.from_arrays(table.columns, schema=schema_of(kind)), kind)


def _collect_graph(frame: DataFrame, kind: type[T], schema: pa.Schema) -> list[T]:
    return list(_graph_rows(frame, kind, schema))


def _collect_credits(frame: DataFrame) -> list[Credit]:
    table = to_arrow(frame.select(*ops.CREDIT_SCHEMA.names))
    return from_table(table.sort_by([("doc", "ascending"), ("seq", "ascending")]), Credit)
