"""The Spark engine's per-partition functions: Arrow record batches in, Arrow record batches out.

Each one wraps the library's own stage code (``sketch_windows``, ``pack_band`` +
``sorted_bucket_pairs``, ``align_batch``, ``split_at``, ``trim_at``, ``span_groups``,
``copy_facts``, ``credits_batch``, ``infer_origin``)
so that Spark runs the very algorithm the local engine runs; only the shuffles between them live
in ``spark.py``. Nothing here imports pyspark: these are plain generators over
``pyarrow.RecordBatch`` and are tested without a JVM.

Functions that need whole groups of rows (all windows of one LSH bucket, all spans of one
document, all occurrences of one cluster) take a stream sorted by the group key and cut it with
``complete_groups``, so a group never straddles two calls however Spark batches the rows.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import pyarrow as pa

from provenance.arrow import from_micros, from_table, micros, pairs_json, schema_of
from provenance.cluster.categories import (
    CopyFacts,
    compile_patterns,
    decide,
    document_facts,
    measure,
    sampled_copies,
)
from provenance.cluster.clusters import span_groups
from provenance.cluster.segment import side_cuts, split_at
from provenance.cluster.trim import edge_shares, trim_at
from provenance.config import CategoryConfig, DetectConfig
from provenance.corpus import ListLike
from provenance.credits import Gazetteer
from provenance.engines.stages import align_batch, credits_batch, sketch_windows
from provenance.graph import infer_origin
from provenance.ingest.policy import IngestPolicy
from provenance.passages import drop_unshared, shingle_index, sort_by_hash
from provenance.records import Alignment, Category, Cluster, Credit, Document, Occurrence
from provenance.sketch import Banding
from provenance.sketch.lsh import PairCounts, pack_band, sorted_bucket_pairs

# Occurrence nodes are (document, start) packed in one int64, so that their natural order is
# the local engine's node order (document, then start) and a component's minimum is its first
# occurrence. Documents must stay below 2**31 and texts below 2**32 characters.
NODE_SHIFT = 32

SKETCH_SCHEMA = pa.schema([("band", pa.int32()), ("packed", pa.int64()), ("repeat", pa.bool_())])
"""One band's window key packed with its document (``lsh.pack``: the key's high bits, the document
in the low ``doc_bits``; a uint64 read as int64, Spark has no unsigned), distinct per document; or,
when ``repeat``, a document (``packed``) whose key repeats inside it in this band."""

BUCKET_SCHEMA = pa.schema(
    [
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("hits", pa.int64()),
        ("band", pa.int32()),
        ("key", pa.int64()),
        ("size", pa.int64()),
    ]
)
"""A candidate pair ``(a, b)`` with the number of (band, bucket) meetings one partition found
(``band`` -1); or, when ``b == -1``, a boilerplate bucket of ``band``: its ``key``, its ``size``
in documents and its first document ``a``."""

ALIGN_SCHEMA = pa.schema(
    [
        ("doc_a", pa.int64()),
        ("a_start", pa.int64()),
        ("a_end", pa.int64()),
        ("doc_b", pa.int64()),
        ("b_start", pa.int64()),
        ("b_end", pa.int64()),
        ("similarity", pa.float64()),
        ("matched_chars", pa.int64()),
        ("matched_words", pa.int64()),
        ("seq", pa.int32()),
        ("reason", pa.string()),
        ("rejected", pa.int64()),
    ]
)
"""A verified alignment (``seq``: its rank among its pair's alignments, ``reason`` null), or a
count of rejected candidates for one ``reason`` (``doc_a == -1``)."""

NODE_SCHEMA = pa.schema(
    [
        ("doc_a", pa.int64()),
        ("doc_b", pa.int64()),
        ("seq", pa.int32()),
        ("side", pa.int8()),
        ("doc", pa.int64()),
        ("node_no", pa.int64()),
        ("node_start", pa.int64()),
        ("node_end", pa.int64()),
    ]
)
"""One side of an alignment (``side`` 0 for a, 1 for b) and the occurrence holding it (its number
within the document, in ``(start, end)`` order, and its extent)."""

CREDIT_SCHEMA = pa.schema(
    [
        ("doc", pa.int64()),
        ("seq", pa.int32()),
        ("agency", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("kind", pa.string()),
        ("scope", pa.string()),
        ("scope_start", pa.int64()),
        ("scope_end", pa.int64()),
    ]
)
"""One credit; ``seq`` is its rank among its document's credits (the extractor's order)."""

ORIGIN_SCHEMA = pa.schema(
    [("cluster_no", pa.int64()), ("agency", pa.string()), ("confidence", pa.float64()), ("evidence", pa.string())]
)
"""The origin of one cluster, by cluster number."""


def ddl(schema: pa.Schema) -> str:
    """A Spark DDL string for an Arrow schema of ints, floats, strings and bools."""
    names = {
        pa.int8(): "tinyint",
        pa.int32(): "int",
        pa.int64(): "bigint",
        pa.float64(): "double",
        pa.string(): "string",
        pa.bool_(): "boolean",
    }
    return ", ".join(f"`{f.name}` {names[f.type]}" for f in schema)


def cluster_id(number: int) -> str:
    """The id of cluster ``number`` (1-based), as the local ``build_clusters`` writes it."""
    return f"c{number:06d}"


def passage_id(number: int) -> str:
    """The id of passage ``number`` (1-based), as the local ``build_clusters`` writes it."""
    return f"p{number:06d}"


# Spark hands Python a few thousand rows at a time (spark.sql.execution.arrow.maxRecordsPerBatch,
# sized for documents); row-cheap stages gather bigger tables so numpy, not Python, does the work.
BIG_ROWS = 1 << 20
BIG_BYTES = 64 << 20
VERIFY_ROWS = 20_000  # candidate pairs verified together (with both texts: bounded by BIG_BYTES too)


def rebatched(batches: Iterable[pa.RecordBatch], rows: int = BIG_ROWS, nbytes: int = BIG_BYTES) -> Iterator[pa.Table]:
    """Join consecutive batches into tables of at least ``rows`` rows or ``nbytes`` bytes (the
    last one smaller)."""
    held: list[pa.RecordBatch] = []
    n = size = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        held.append(batch)
        n += batch.num_rows
        size += batch.nbytes
        if n >= rows or size >= nbytes:
            yield pa.Table.from_batches(held)
            held, n, size = [], 0, 0
    if held:
        yield pa.Table.from_batches(held)


def complete_groups(
    batches: Iterable[pa.RecordBatch], keys: Sequence[str], rows: int = BIG_ROWS, nbytes: int = BIG_BYTES
) -> Iterator[pa.Table]:
    """Cut a stream of batches sorted by ``keys`` into tables that hold only whole groups
    (gathered as ``rebatched`` does).

    The last group of a table may go on in the next one, so it is held back and joined to it.
    """
    carry: pa.Table | None = None
    for table in rebatched(batches, rows, nbytes):
        if carry is not None:
            table = pa.concat_tables([carry, table])
            carry = None
        n = table.num_rows
        if n == 0:
            continue
        same = np.ones(n, dtype=bool)
        for key in keys:
            column = table.column(key).to_numpy()
            same &= column == column[-1]
        cut = n - int(same.sum())  # the rows equal to the last key are a run at the end
        if cut:
            yield table.slice(0, cut)
        carry = table.slice(cut)
    if carry is not None and carry.num_rows:
        yield carry


ALIGNMENT_SCHEMA = schema_of(Alignment)
"""The columns of an ``Alignment``."""

DOCUMENT_SCHEMA = schema_of(Document, stored_as={"extra": pa.string(), "when": pa.int64()})
"""A document per row as Spark carries it: its fields, with ``extra`` as JSON pairs (a dataset's
pass-through columns become that JSON in Spark SQL) and ``when`` as microseconds since 1970 UTC
(``provenance.arrow.micros``: no session time zone touches it)."""


def date_reader(policy: IngestPolicy) -> Callable[[str | None], int | None]:
    """The body of a Spark UDF giving a dataset row's ``when`` column from its date as written:
    ``policy.when`` (the date read as ingest reads it), as microseconds."""

    def read(date: str | None) -> int | None:
        return micros(policy.when(date))

    return read


extra_json = pairs_json
"""A document's pass-through fields as the JSON the ``extra`` column holds."""


def documents_of(table: pa.Table | pa.RecordBatch) -> list[Document]:
    """``Document`` records of ``DOCUMENT_SCHEMA`` rows holding ``index``, ``text`` and any of
    the other columns (a missing or null ``doc_id`` or ``source`` is empty), sorted by index
    (the order the shingle index needs)."""
    docs = from_table(table, Document, defaults={"doc_id": "", "source": ""})
    docs.sort(key=lambda d: d.index)
    return docs


# --- sketch ---------------------------------------------------------------------------------


def sketch_batches(
    batches: Iterable[pa.RecordBatch], detect: DetectConfig, banding: Banding, n_docs: int
) -> Iterator[pa.RecordBatch]:
    """Packed band keys of every document (rows ``index``, ``text``), as the local engine makes
    and stores them: ``sketch_windows`` (as ``sketch_batch``), then ``pack_band`` per batch
    (``BandStore.add``), which also finds the documents that repeat a key (a document is never
    split across batches)."""
    for batch in batches:
        if batch.num_rows == 0:
            continue
        for keys, _ in sketch_windows(documents_of(batch), detect, banding):
            for band in (pack_band(bk, n_docs) for bk in keys if bk.keys.shape[0]):
                values = np.concatenate([band.packed.view(np.int64), band.internal.astype(np.int64)])
                repeat = np.zeros(values.shape[0], dtype=bool)
                repeat[band.packed.shape[0] :] = True
                yield pa.RecordBatch.from_arrays(
                    [pa.array(np.full(values.shape[0], band.band, dtype=np.int32)), pa.array(values), pa.array(repeat)],
                    schema=SKETCH_SCHEMA,
                )


# --- LSH buckets ----------------------------------------------------------------------------


def _counted(codes: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct codes and their summed counts."""
    values, where = np.unique(np.concatenate(codes), return_inverse=True)
    return values, np.bincount(where, weights=np.concatenate(counts)).astype(np.int64)


def bucket_batches(batches: Iterable[pa.RecordBatch], max_bucket: int, n_docs: int) -> Iterator[pa.RecordBatch]:
    """Candidate pairs and boilerplate buckets of whole LSH buckets.

    Rows ``band, bucket, packed, repeat`` (``SKETCH_SCHEMA`` plus the bucket: the packed key
    above its ``doc_bits``) must come sorted by ``(band, bucket)`` with every row of a bucket in
    the same partition. Each band's buckets go through the local ``sorted_bucket_pairs`` as
    ``candidate_pairs`` sends a stored band through it, so the small-bucket pairs, the chaining of
    oversized buckets and the internal-repeat pairs are the local engine's. Pairs are counted
    within the partition (a pair meets in many buckets) and yielded at its end.
    """
    codes: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    held = 0
    for table in complete_groups(batches, ("band", "bucket")):
        bands = table.column("band").to_numpy()
        packed = table.column("packed").to_numpy().view(np.uint64)
        repeat = table.column("repeat").to_numpy(zero_copy_only=False)
        acc = PairCounts(n_docs=n_docs, codes=[], boilerplate=[])
        for band in np.unique(bands):
            chosen = bands == band
            internal = packed[chosen & repeat].astype(np.int64)
            if internal.shape[0]:
                acc.codes.append(internal * n_docs + internal)
            sorted_bucket_pairs(int(band), np.sort(packed[chosen & ~repeat]), max_bucket, n_docs, acc)
        if acc.codes:
            codes.append(np.concatenate(acc.codes))
            counts.append(np.ones(codes[-1].shape[0], dtype=np.int64))
            held += codes[-1].shape[0]
            if held > BIG_ROWS and len(codes) > 1:
                value, count = _counted(codes, counts)
                codes, counts, held = [value], [count], value.shape[0]
        if acc.boilerplate:
            yield pa.RecordBatch.from_pylist(
                [
                    {
                        "a": b.sample_doc,
                        "b": -1,
                        "hits": 0,
                        "band": b.band,
                        "key": int(np.uint64(b.key).view(np.int64)),
                        "size": b.size,
                    }
                    for b in acc.boilerplate
                ],
                schema=BUCKET_SCHEMA,
            )
    if codes:
        value, count = _counted(codes, counts)
        zeros = np.zeros(value.shape[0], dtype=np.int64)
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(value // n_docs),
                pa.array(value % n_docs),
                pa.array(count),
                pa.array(np.full(value.shape[0], -1, dtype=np.int32)),
                pa.array(zeros),
                pa.array(zeros),
            ],
            schema=BUCKET_SCHEMA,
        )


# --- verification ---------------------------------------------------------------------------


def verify_batches(batches: Iterable[pa.RecordBatch], detect: DetectConfig) -> Iterator[pa.RecordBatch]:
    """Verify candidate pairs (rows ``a, b, text_a, text_b``) with the local ``align_batch``.

    Each batch builds the shingle index of the documents its pairs name (``shingle_index`` +
    ``sort_by_hash`` + ``drop_unshared``, as the local sketch keeps it) and verifies its pairs in ``(a, b)`` order.
    Yields alignment rows, then one row per rejection reason with its count.
    """
    # Big batches: a document's shingles are indexed once per batch it appears in.
    for batch in rebatched(batches, rows=VERIFY_ROWS, nbytes=BIG_BYTES):
        a = batch.column("a").to_numpy()
        b = batch.column("b").to_numpy()
        texts: dict[int, str] = {}
        for col_doc, col_text in (("a", "text_a"), ("b", "text_b")):
            texts.update(zip(batch.column(col_doc).to_pylist(), batch.column(col_text).to_pylist(), strict=True))
        docs = {i: Document(index=i, doc_id="", text=texts[i], source="") for i in sorted(texts)}
        index = drop_unshared(sort_by_hash(shingle_index(list(docs.values()), detect.shingle_size)))
        pairs = np.stack([a, b], axis=1).astype(np.int64)
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        found, rejected = align_batch(pairs, index, docs.__getitem__, detect)
        if found:
            seq: Counter = Counter()
            ranks = []
            for al in found:
                ranks.append(seq[(al.doc_a, al.doc_b)])
                seq[(al.doc_a, al.doc_b)] += 1
            yield pa.RecordBatch.from_pylist(
                [
                    {
                        "doc_a": al.doc_a,
                        "a_start": al.a_start,
                        "a_end": al.a_end,
                        "doc_b": al.doc_b,
                        "b_start": al.b_start,
                        "b_end": al.b_end,
                        "similarity": al.similarity,
                        "matched_chars": al.matched_chars,
                        "matched_words": al.matched_words,
                        "seq": rank,
                        "reason": None,
                        "rejected": 0,
                    }
                    for al, rank in zip(found, ranks, strict=True)
                ],
                schema=ALIGN_SCHEMA,
            )
        if rejected:
            yield pa.RecordBatch.from_pylist(
                [{"doc_a": -1, "reason": reason, "rejected": int(n)} for reason, n in sorted(rejected.items())],
                schema=ALIGN_SCHEMA,
            )


# --- occurrences ----------------------------------------------------------------------------


def node_batches(
    batches: Iterable[pa.RecordBatch], min_overlap: float, long_chars: int = 200
) -> Iterator[pa.RecordBatch]:
    """The occurrence of every alignment side.

    Rows ``doc, start, end, doc_a, doc_b, seq, side`` grouped by ``doc`` (all of a document's
    sides in one partition): the spans group with the local ``span_groups``, every document of
    the batch at once, and each side gets its occurrence's number in its document and extent,
    as the local ``build_clusters`` links them.
    """
    for table in complete_groups(batches, ("doc",)):
        doc = table.column("doc").to_numpy()
        occ_doc, occ_start, occ_end, occ = span_groups(
            doc, table.column("start").to_numpy(), table.column("end").to_numpy(), min_overlap, long_chars
        )
        first = np.searchsorted(occ_doc, occ_doc)  # each occurrence's document's first occurrence
        yield pa.RecordBatch.from_arrays(
            [
                table.column("doc_a").combine_chunks(),
                table.column("doc_b").combine_chunks(),
                table.column("seq").combine_chunks().cast(pa.int32()),
                table.column("side").combine_chunks().cast(pa.int8()),
                pa.array(doc.astype(np.int64, copy=False)),
                pa.array((occ - first[occ]).astype(np.int64, copy=False)),
                pa.array(occ_start[occ].astype(np.int64, copy=False)),
                pa.array(occ_end[occ].astype(np.int64, copy=False)),
            ],
            schema=NODE_SCHEMA,
        )


# --- credits and origins --------------------------------------------------------------------


def credit_batches(batches: Iterable[pa.RecordBatch], gazetteer: Gazetteer) -> Iterator[pa.RecordBatch]:
    """Credits of every document (rows as ``documents_of`` reads them), with the local
    ``credits_batch``; ``seq`` keeps each document's credits in the extractor's order."""
    for batch in batches:
        if batch.num_rows == 0:
            continue
        rows = []
        seq: Counter = Counter()
        for credit in credits_batch(documents_of(batch), gazetteer):
            rows.append(
                {
                    "doc": credit.doc,
                    "seq": seq[credit.doc],
                    "agency": credit.agency,
                    "start": credit.start,
                    "end": credit.end,
                    "kind": credit.kind,
                    "scope": credit.scope,
                    "scope_start": credit.scope_start,
                    "scope_end": credit.scope_end,
                }
            )
            seq[credit.doc] += 1
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=CREDIT_SCHEMA)


def clusters_in(table: pa.Table) -> Iterator[tuple[int, int, Cluster]]:
    """``(lo, hi, cluster)`` of each cluster of ``table``: one row per occurrence (``cluster_no,
    passage_no, doc, start, end, kind``, and any other columns), sorted by ``cluster_no`` then
    ``passage_no``; rows ``lo:hi`` are the cluster's. Each value becomes a Python object once,
    each kind one object shared by its copies (the driver collects every cluster so)."""
    number = table.column("cluster_no").to_numpy()
    if not number.shape[0]:
        return
    heads = np.flatnonzero(np.r_[True, number[1:] != number[:-1]]).tolist()
    passage, doc, start, end = (table.column(n).to_pylist() for n in ("passage_no", "doc", "start", "end"))
    kind = shared_strings(table.column("kind"))
    for lo, hi in zip(heads, [*heads[1:], len(passage)], strict=True):
        cid = cluster_id(int(number[lo]))
        occurrences = tuple(
            Occurrence(passage_id(passage[i]), cid, doc[i], start[i], end[i], kind[i]) for i in range(lo, hi)
        )
        yield lo, hi, Cluster(cid, occurrences)


def shared_strings(column: pa.ChunkedArray) -> list[Any]:
    """A string column's values, each distinct value one Python object."""
    encoded = column.combine_chunks().dictionary_encode()
    names = encoded.dictionary.to_pylist()
    return [names[i] if i is not None else None for i in encoded.indices.to_pylist()]


def categorized(cluster: Cluster, category: Category, reason: str) -> Cluster:
    """``cluster`` with its category and the reason (boilerplate unless news)."""
    return dataclasses.replace(cluster, category=category, category_reason=reason, boilerplate=category != "news")


class ClusterRows(ListLike[Cluster]):
    """Clusters held as the rows of their occurrences, each ``Cluster`` built when read: the
    rows ``clusters_in`` reads, sorted by ``cluster_no`` then ``passage_no``, with each
    cluster's ``boilerplate`` and, once categorized, ``category`` and ``category_reason`` (read
    at its first row). The Spark driver holds a scan's clusters so: about 60 bytes an
    occurrence in columns against 250 as objects (34 MB of the driver at 200,000 documents)."""

    what = "cluster"
    _SLICE = 4_096  # clusters built at once when iterating

    def __init__(self, table: pa.Table) -> None:
        self.table = table.combine_chunks()
        number = self.table.column("cluster_no").to_numpy()
        heads = np.flatnonzero(np.r_[True, number[1:] != number[:-1]]) if number.shape[0] else np.zeros(0, np.int64)
        self.at = np.r_[heads, number.shape[0]].astype(np.int64)  # cluster k's rows: at[k]:at[k + 1]

    def __len__(self) -> int:
        return self.at.shape[0] - 1

    def _item(self, i: int) -> Cluster:
        return self._items(i, i + 1, 1)[0]

    def _items(self, start: int, stop: int, step: int) -> list[Cluster]:
        if step != 1:
            return super()._items(start, stop, step)
        if stop <= start:
            return []
        lo, hi = int(self.at[start]), int(self.at[stop])
        rows = self.table.slice(lo, hi - lo)
        found = [(first, cluster) for first, _, cluster in clusters_in(rows)]
        whole = rows.take(pa.array([first for first, _ in found], pa.int64()))
        boilerplate = whole.column("boilerplate").to_pylist()
        if "category" not in whole.column_names:
            return [dataclasses.replace(c, boilerplate=bool(b)) for (_, c), b in zip(found, boilerplate, strict=True)]
        category, reason = shared_strings(whole.column("category")), whole.column("category_reason").to_pylist()
        return [categorized(c, category[k], reason[k]) for k, (_, c) in enumerate(found)]

    def __iter__(self) -> Iterator[Cluster]:
        for at in range(0, len(self), self._SLICE):
            yield from self._items(at, min(at + self._SLICE, len(self)), 1)


def _clusters_of(table: pa.Table) -> Iterator[tuple[int, list[dict[str, Any]], Cluster]]:
    """``(cluster_no, rows, cluster)`` of each cluster whose rows ``table`` holds whole (see
    ``clusters_in``; any order), in cluster order, its rows as dicts."""
    table = table.sort_by([("cluster_no", "ascending"), ("passage_no", "ascending")])
    rows = table.to_pylist()
    for lo, hi, cluster in clusters_in(table):
        yield rows[lo]["cluster_no"], rows[lo:hi], cluster


SAMPLE_SCHEMA = pa.schema([("doc", pa.int64()), ("start", pa.int64()), ("end", pa.int64())])
"""A copy whose ``copy_facts`` the categories read."""


def sample_batches(batches: Iterable[pa.RecordBatch], params: CategoryConfig) -> Iterator[pa.RecordBatch]:
    """The copies each cluster's category is judged on (``sampled_copies``, the local code).

    Rows: one per occurrence (``cluster_no, passage_no, doc, start, end, kind``), sorted by
    ``cluster_no`` then ``passage_no``, all of a cluster in one partition."""
    for table in complete_groups(batches, ("cluster_no",)):
        copies = sorted(sampled_copies((cluster for _, _, cluster in _clusters_of(table)), params))
        if copies:
            columns = [pa.array(c, pa.int64()) for c in zip(*copies, strict=True)]
            yield pa.RecordBatch.from_arrays(columns, schema=SAMPLE_SCHEMA)


CATEGORY_SCHEMA = pa.schema([("cluster_no", pa.int64()), ("category", pa.string()), ("category_reason", pa.string())])
"""A cluster's category and the reason in words."""


def category_batches(
    batches: Iterable[pa.RecordBatch], params: CategoryConfig, n_outlets: int, boilerplate_docs: int | None
) -> Iterator[pa.RecordBatch]:
    """The category of every cluster, with the local ``measure`` and ``decide``.

    Rows: one per occurrence (``cluster_no, passage_no, doc, start, end, kind``), sorted by
    ``cluster_no`` then ``passage_no``, all of a cluster in one partition, with its document's
    ``outlet`` and, for a sampled copy, its facts (``FACT_SCHEMA``'s other columns; null for
    another). ``n_outlets`` is the corpus's count of distinct outlets."""
    patterns = compile_patterns(params.patterns)
    for table in complete_groups(batches, ("cluster_no",)):
        out = []
        for number, group, cluster in _clusters_of(table):
            outlet_of = {r["doc"]: r["outlet"] for r in group}
            facts = {(r["doc"], r["start"], r["end"]): facts_of(r) for r in group if r["words"] is not None}
            signals = measure(cluster, (), {}, params, n_outlets, patterns, facts=facts, outlet_of=outlet_of)
            category, reason = decide(signals, params, boilerplate_docs)
            out.append({"cluster_no": number, "category": category, "category_reason": reason})
        if out:
            yield pa.RecordBatch.from_pylist(out, schema=CATEGORY_SCHEMA)


def origin_batches(batches: Iterable[pa.RecordBatch], gazetteer: Gazetteer) -> Iterator[pa.RecordBatch]:
    """The origin of every cluster, with the local ``infer_origin``.

    Rows: one per occurrence, sorted by ``cluster_no`` then ``passage_no`` (all of a cluster in
    one partition), with the occurrence (``doc, start, end, kind``), its document (``doc_id,
    text, source, outlet, date, when``) and the document's ``credits`` (a JSON list of objects with
    ``CREDIT_SCHEMA``'s fields, null when it has none).
    """
    for table in complete_groups(batches, ("cluster_no",)):
        out = []
        for number, group, cluster in _clusters_of(table):
            docs: dict[int, Document] = {}
            credits_of: dict[int, list[Credit]] = {}
            for r in group:
                if r["doc"] in docs:
                    continue
                docs[r["doc"]] = Document(
                    index=r["doc"],
                    doc_id=r["doc_id"],
                    text=r["text"],
                    source=r["source"] or "",
                    outlet=r["outlet"],
                    date=r["date"],
                    when=from_micros(r["when"]),
                )
                credits_of[r["doc"]] = credits_of_row(r["credits"], r["doc"])
            origin = infer_origin(cluster, docs, credits_of, gazetteer)
            out.append(
                {
                    "cluster_no": number,
                    "agency": origin.agency,
                    "confidence": origin.confidence,
                    "evidence": origin.evidence,
                }
            )
        if out:
            yield pa.RecordBatch.from_pylist(out, schema=ORIGIN_SCHEMA)


# --- the cluster stage's cuts and the categories' facts -------------------------------------

KEY = ["doc_a", "doc_b", "seq"]
"""What names an alignment in a frame: its pair and its rank among the pair's (``seq``)."""

SIDE_SCHEMA = pa.schema([("doc_a", pa.int64()), ("doc_b", pa.int64()), ("seq", pa.int32()), ("side", pa.int8())])
"""One side of an alignment (``side`` 0 for a, 1 for b)."""

CUT_SCHEMA = pa.schema([*SIDE_SCHEMA, ("cuts", pa.string())])
"""Where to cut one side of a composite alignment (``side_cuts``): JSON ``[[end, start], ...]``."""

EDGE_SCHEMA = pa.schema([*SIDE_SCHEMA, ("head", pa.float64()), ("tail", pa.float64())])
"""The shares of one side of an alignment that noise covers at its head and tail (``edge_shares``)."""

RETEXT_SCHEMA = pa.schema([("i", pa.int32()), ("piece", pa.int32()), *ALIGNMENT_SCHEMA])
"""Piece ``piece`` of the alignment of its pair (``doc_a``, ``doc_b``) whose ``seq`` is ``i``,
after its text was read again (``split_batches``, ``trim_batches``)."""

FACT_SCHEMA = pa.schema(
    [
        ("doc", pa.int64()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("words", pa.int64()),
        ("head", pa.bool_()),
        ("tail", pa.bool_()),
        ("outer", pa.bool_()),
        ("inline", pa.bool_()),
        ("captioned", pa.bool_()),
        ("credit", pa.bool_()),
        ("credit_what", pa.string()),
        ("marked", pa.bool_()),
        ("pattern_hit", pa.string()),
        ("context", pa.string()),
    ]
)
"""The ``copy_facts`` of one copy ``(doc, start, end)``; ``context`` is a JSON list of words."""


def _pair_docs(row: dict) -> dict[int, Document]:
    """The two documents of an alignment row (``doc_a``, ``text_a``, ``doc_b``, ``text_b``)."""
    return {
        row["doc_a"]: Document(index=row["doc_a"], doc_id="", text=row["text_a"], source=""),
        row["doc_b"]: Document(index=row["doc_b"], doc_id="", text=row["text_b"], source=""),
    }


def _pieces(found: list[tuple[int, list[Alignment]]]) -> pa.RecordBatch:
    rows = [
        {"i": i, "piece": k, **{name: getattr(al, name) for name in ALIGNMENT_SCHEMA.names}}
        for i, pieces in found
        for k, al in enumerate(pieces)
    ]
    return pa.RecordBatch.from_pylist(rows, schema=RETEXT_SCHEMA)


def _side_rows(table: pa.Table, at: list[int], values: dict[str, pa.Array]) -> pa.RecordBatch:
    """The ``SIDE_SCHEMA`` columns of the rows of ``table`` at the positions ``at``, then ``values``."""
    picked = table.take(pa.array(at, pa.int64())).select(SIDE_SCHEMA.names).cast(SIDE_SCHEMA)
    for name, array in values.items():
        picked = picked.append_column(name, array)
    return picked.combine_chunks().to_batches()[0]


def cut_batches(batches: Iterable[pa.RecordBatch], min_chars: int = 40) -> Iterator[pa.RecordBatch]:
    """The cuts of every side of a composite alignment, as ``composite_cuts`` finds them
    (``side_cuts``): ``CUT_SCHEMA`` rows.

    Rows: one per side of an alignment (``SIDE_SCHEMA``, its ``doc``, ``start``, ``end`` and
    the other side's document ``partner``), all of a document together, sorted by ``doc``,
    ``start``, ``end``, then ``side``, ``doc_a``, ``doc_b``, ``seq`` (the local order of sides).
    """
    for table in complete_groups(batches, ("doc",)):
        doc, start, end, partner = (table.column(c).to_numpy() for c in ("doc", "start", "end", "partner"))
        found = side_cuts(doc, start, end, partner, min_chars)
        if found:
            at = sorted(found)
            yield _side_rows(table, at, {"cuts": pa.array([json.dumps(found[i]) for i in at], pa.string())})


def edge_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The shares of every side of an alignment that its document's noise covers at its head
    and tail (``edge_shares``): ``EDGE_SCHEMA`` rows, for the sides with any.

    Rows: one per side (``SIDE_SCHEMA``, its ``doc``, ``start``, ``end``) with its document's
    noise spans (``noise``: a list of ``start``, ``end``)."""
    for batch in batches:
        table = pa.Table.from_batches([batch])
        spans: dict[int, list[tuple[int, int]]] = {}  # each document's, sorted once
        at, heads, tails = [], [], []
        columns = (table.column(c).to_pylist() for c in ("doc", "start", "end", "noise"))
        for i, (doc, start, end, noise) in enumerate(zip(*columns, strict=True)):
            if doc not in spans:
                spans[doc] = sorted((n["start"], n["end"]) for n in noise)
            head, tail = edge_shares(spans[doc], start, end)
            if head or tail:
                at.append(i)
                heads.append(head)
                tails.append(tail)
        if at:
            yield _side_rows(table, at, {"head": pa.array(heads, pa.float64()), "tail": pa.array(tails, pa.float64())})


def split_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The pieces of composite alignments, with the local ``split_at``.

    Rows: the alignment's columns with its ``seq``, its ``cuts`` (``CUT_SCHEMA``'s), ``flip``
    (true when they are its b side's) and both texts (``text_a``, ``text_b``).
    """
    for batch in rebatched(batches, rows=VERIFY_ROWS, nbytes=BIG_BYTES):
        alignments = from_table(batch.select(ALIGNMENT_SCHEMA.names), Alignment)
        found = []
        for row, al in zip(batch.to_pylist(), alignments, strict=True):
            cuts = [(int(end), int(start)) for end, start in json.loads(row["cuts"])]
            found.append((row["seq"], split_at(al, _pair_docs(row), cuts, bool(row["flip"]))))
        yield _pieces(found)


def trim_batches(batches: Iterable[pa.RecordBatch], min_chars: int) -> Iterator[pa.RecordBatch]:
    """Alignments with noise cut off their edges, with the local ``trim_at``; an alignment
    ``trim_at`` keeps whole (a side would be too short) gives no row.

    Rows: the alignment's columns with its ``seq``, the shares to cut off (``head``, ``tail``:
    the larger of its sides' ``EDGE_SCHEMA`` shares) and both texts (``text_a``, ``text_b``).
    """
    for batch in rebatched(batches, rows=VERIFY_ROWS, nbytes=BIG_BYTES):
        alignments = from_table(batch.select(ALIGNMENT_SCHEMA.names), Alignment)
        found = []
        for row, al in zip(batch.to_pylist(), alignments, strict=True):
            trimmed = trim_at(al, _pair_docs(row), row["head"], row["tail"], min_chars)
            if trimmed is not None:
                found.append((row["seq"], [trimmed]))
        yield _pieces(found)


def credits_of_row(value: str | None, doc: int) -> list[Credit]:
    """A document's credits from the JSON list the Spark engine groups them into (objects with
    ``CREDIT_SCHEMA``'s fields; null for none), in the extractor's order."""
    return [
        Credit(doc, c["agency"], c["start"], c["end"], c["kind"], c["scope"], c["scope_start"], c["scope_end"])
        for c in sorted(json.loads(value) if value else [], key=lambda c: c["seq"])
    ]


def fact_batches(batches: Iterable[pa.RecordBatch], params: CategoryConfig) -> Iterator[pa.RecordBatch]:
    """The ``copy_facts`` of copies, with the local categories code (``document_facts``).

    Rows ``doc, start, end, text, credits`` (the document's credits as ``credits_of_row`` reads
    them), sorted by ``doc`` with all of a document's rows in one partition, so that each
    document's credit lines are found once.
    """
    patterns = compile_patterns(params.patterns)
    for table in complete_groups(batches, ("doc",)):
        out: list[dict[str, object]] = []
        for doc, group in itertools.groupby(table.to_pylist(), key=itemgetter("doc")):
            rows = list(group)
            credits = credits_of_row(rows[0]["credits"], doc)
            spans = [(row["start"], row["end"]) for row in rows]
            facts = document_facts(rows[0]["text"], spans, credits, params, patterns)
            out.extend(
                {
                    "doc": doc,
                    "start": start,
                    "end": end,
                    "words": f.words,
                    "head": f.head,
                    "tail": f.tail,
                    "outer": f.outer,
                    "inline": f.inline,
                    "captioned": f.captioned,
                    "credit": f.credit,
                    "credit_what": f.credit_what,
                    "marked": f.marked,
                    "pattern_hit": f.pattern_hit,
                    "context": json.dumps(sorted(f.context or ())),
                }
                for (start, end), f in zip(spans, facts, strict=True)
            )
        if out:
            yield pa.RecordBatch.from_pylist(out, schema=FACT_SCHEMA)


def facts_of(r: dict[str, Any]) -> CopyFacts:
    """A ``FACT_SCHEMA`` row as ``measure`` takes it."""
    return CopyFacts(
        words=r["words"],
        head=r["head"],
        tail=r["tail"],
        outer=r["outer"],
        inline=r["inline"],
        captioned=r["captioned"],
        credit=r["credit"],
        credit_what=r["credit_what"],
        marked=r["marked"],
        pattern_hit=r["pattern_hit"],
        context=frozenset(json.loads(r["context"])),
    )


# --- the report's documents table -----------------------------------------------------------

PARTS_SCHEMA = pa.schema([("first", pa.int64()), ("rows", pa.int64())])
"""A part file written by ``documents_parts``, ``credits_parts`` or ``ordered_parts``: its first
document (or its partition) and its rows."""


def part_name(first: int, seq: int | None = None) -> str:
    """The name of the part file whose first row is document ``first`` (and its credit
    ``seq``, for the ``credits`` table, where a document's credits may span two parts): the
    names sort in document order."""
    return f"part-{first:012d}.parquet" if seq is None else f"part-{first:012d}-{seq:010d}.parquet"


def write_part(tables: Iterable[tuple[int, str, pa.Table]], folder: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Write ``tables`` (each with the document of its first row and the part name that gives:
    the first table's are kept) as one Parquet part file of ``folder``, in ``schema``, and yield
    one ``PARTS_SCHEMA`` row for it. The file is written under a hidden name and renamed when
    complete, so that a task run again writes it again whole."""
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | None = None
    tmp = final = ""
    first, rows = -1, 0
    try:
        for doc, name, table in tables:
            if writer is None:
                first = doc
                final = f"{folder}/{name}"
                tmp = f"{folder}/.{name}.{os.getpid()}.tmp"
                os.makedirs(folder, exist_ok=True)
                writer = pq.ParquetWriter(tmp, schema, compression="zstd")
            writer.write_table(table.cast(schema))
            rows += table.num_rows
        if writer is not None:
            writer.close()
            writer = None
            os.replace(tmp, final)
            yield pa.RecordBatch.from_pylist([{"first": first, "rows": rows}], schema=PARTS_SCHEMA)
    finally:
        if writer is not None:  # failed part way: leave no file behind
            writer.close()
            os.unlink(tmp)


def documents_parts(
    batches: Iterable[pa.RecordBatch], folder: str, schema: pa.Schema, extra_names: Sequence[str]
) -> Iterator[pa.RecordBatch]:
    """Write the report's ``documents`` rows of a partition as one part file of ``folder``
    (``write_part``, named by its first document), with ``documents_table``, the local
    writer's own function.

    Rows: ``DOCUMENT_SCHEMA`` without ``text``, with ``n_chars`` (its length), in document
    order. ``schema`` is the whole table's (``extra_names`` give its pass-through columns, in
    the order the local writer finds them, renamed as it renames them): every part has every
    column.
    """
    from provenance.report.tables import documents_table

    extra_fields = [schema.field(i) for i in range(len(schema.names) - len(extra_names), len(schema.names))]

    def tables() -> Iterator[tuple[int, str, pa.Table]]:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            n_chars = batch.column("n_chars").to_pylist()
            # Read without ``extra``: its columns are this table's, named by ``extra_names``.
            fields = [name for name in batch.schema.names if name not in ("extra", "n_chars")]
            docs = from_table(batch.select(fields), Document, defaults={"doc_id": "", "source": "", "text": ""})
            table = documents_table(docs, n_chars)
            extras = [dict(json.loads(v)) if v else {} for v in batch.column("extra").to_pylist()]
            for name, field in zip(extra_names, extra_fields, strict=True):
                table = table.append_column(field, pa.array([e.get(name) for e in extras], pa.string()))
            yield docs[0].index, part_name(docs[0].index), table

    yield from write_part(tables(), folder, schema)


def credits_parts(batches: Iterable[pa.RecordBatch], folder: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Write the report's ``credits`` rows of a partition as one part file of ``folder``
    (``write_part``, named by its first credit's document and rank).

    Rows: ``doc``, ``seq``, then the table's columns (``schema``: ``doc_id``, the credit's
    ``text`` cut from its document...), in document order, each document's in ``seq`` order.
    """

    def tables() -> Iterator[tuple[int, str, pa.Table]]:
        for batch in batches:
            if batch.num_rows:
                doc, seq = batch.column("doc")[0].as_py(), batch.column("seq")[0].as_py()
                yield doc, part_name(doc, seq), pa.Table.from_batches([batch]).select(schema.names)

    yield from write_part(tables(), folder, schema)


def ordered_parts(batches: Iterable[pa.RecordBatch], folder: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Write the rows of a partition of a sorted frame (``orderBy``: the partitions hold
    consecutive ranges, in order) as one part file of ``folder``, named by the partition's
    number, so that the names sort in the rows' order. Rows: ``schema``'s columns."""
    from pyspark import TaskContext

    context = TaskContext.get()
    part = context.partitionId() if context is not None else 0

    def tables() -> Iterator[tuple[int, str, pa.Table]]:
        for batch in batches:
            if batch.num_rows:
                yield part, part_name(part), pa.Table.from_batches([batch]).select(schema.names)

    yield from write_part(tables(), folder, schema)


def share_parts(batches: Iterable[pa.RecordBatch], folder: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """``ordered_parts`` for the ``wire_share`` table, each row's ``share`` computed here as the
    local table computes it (``tables.reused_share``: Python's rounding, not Spark's)."""
    from provenance.report.tables import reused_share

    def shared() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            reused, total = (batch.column(name).to_pylist() for name in ("reused_chars", "total_chars"))
            share = pa.array([reused_share(n, t) for n, t in zip(reused, total, strict=True)], pa.float64())
            yield from pa.Table.from_batches([batch]).append_column("share", share).to_batches()

    yield from ordered_parts(shared(), folder, schema)


SPAN_MEASURE_SCHEMA = pa.schema(
    [
        ("measure", pa.int32()),
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("side", pa.int32()),
        ("cluster_no", pa.int64()),
        ("chars", pa.int64()),
        ("tokens", pa.int64()),
        ("n_tokens", pa.int64()),
    ]
)
"""A measured group of spans of one document (``spark_derivation``): its key, the characters of
its spans merged, the word tokens starting in them, and the document's tokens."""

_SPAN_KEY = ("measure", "a", "b", "side", "cluster_no")


def span_measure_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Measure each document's groups of spans as the local derivation table measures them:
    each group's spans merged (``merge_group_spans``), their characters and the word tokens
    (``batch_token_spans``) that start inside them. Rows: ``doc``, ``text`` and ``spans`` (a list
    of ``measure, a, b, side, cluster_no, start, end``), a document whole in each row; out:
    ``SPAN_MEASURE_SCHEMA``."""
    from provenance.passages import batch_token_spans
    from provenance.report.derivation import merge_group_spans

    for batch in batches:
        if not batch.num_rows:
            continue
        tokens = batch_token_spans(batch.column("text").to_pylist())
        listed = batch.column("spans")
        offsets = listed.offsets.to_numpy()
        spans = listed.flatten()
        fields = {name: spans.field(name).to_numpy(zero_copy_only=False) for name in (*_SPAN_KEY, "start", "end")}
        out: dict[str, list[np.ndarray]] = {name: [] for name in SPAN_MEASURE_SCHEMA.names}
        for row, (starts, _) in enumerate(tokens):
            lo, hi = offsets[row], offsets[row + 1]
            if lo == hi:
                continue
            key = np.stack([fields[name][lo:hi].astype(np.int64) for name in _SPAN_KEY], axis=1)
            keys, group = np.unique(key, axis=0, return_inverse=True)
            start, end = fields["start"][lo:hi].astype(np.int64), fields["end"][lo:hi].astype(np.int64)
            seg_group, seg_start, seg_end = merge_group_spans(group.reshape(-1), start, end, int(end.max()) + 1)
            size = keys.shape[0]
            inside = np.searchsorted(starts, seg_end) - np.searchsorted(starts, seg_start)
            for k, name in enumerate(_SPAN_KEY):
                out[name].append(keys[:, k])
            out["chars"].append(np.bincount(seg_group, weights=seg_end - seg_start, minlength=size).astype(np.int64))
            out["tokens"].append(np.bincount(seg_group, weights=inside, minlength=size).astype(np.int64))
            out["n_tokens"].append(np.full(size, starts.shape[0], dtype=np.int64))
        if out["chars"]:
            columns = [pa.array(np.concatenate(out[f.name])).cast(f.type) for f in SPAN_MEASURE_SCHEMA]
            yield pa.RecordBatch.from_arrays(columns, schema=SPAN_MEASURE_SCHEMA)


def derivation_rows_schema() -> pa.Schema:
    """``derivation_batches``' rows: the pair (``a``, ``b``, to order them by) and the report's
    ``derivation`` columns."""
    from provenance.report.schemas import DERIVATION

    return pa.schema([pa.field("a", pa.int64()), pa.field("b", pa.int64()), *DERIVATION])


def derivation_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The derivation table's rows of pairs measured in Spark (``spark_derivation.pair_measures``):
    each side's shares (``share``, rounded as the local table rounds them), class
    (``derivation_class``) and the document dated earlier."""
    from provenance.report.derivation import derivation_class, share

    schema = derivation_rows_schema()
    for batch in batches:
        if not batch.num_rows:
            continue
        col = {name: batch.column(name) for name in batch.schema.names}
        whens = (col["a_when"].to_pylist(), col["b_when"].to_pylist())
        ids = (col["a_doc_id"].to_pylist(), col["b_doc_id"].to_pylist())
        columns: dict[str, Any] = {
            "a": col["a"],
            "b": col["b"],
            "doc_a": col["a_doc_id"],
            "doc_b": col["b_doc_id"],
            "shared_clusters": col["shared_clusters"],
            "aligned_clusters": col["aligned_clusters"],
            "earlier": [
                None if wa is None or wb is None or wa == wb else (ia if wa < wb else ib)
                for wa, wb, ia, ib in zip(*whens, *ids, strict=True)
            ],
        }
        for name in "ab":
            chars = col[f"{name}_chars"].to_numpy().astype(np.float64)
            tokens = col[f"{name}_tokens"].to_numpy().astype(np.float64)
            n_chars = col[f"{name}_n_chars"].to_numpy().astype(np.float64)
            n_tokens = col[f"{name}_n_tokens"].to_numpy().astype(np.float64)
            shares = share(chars, n_chars)
            columns[f"{name}_chars"] = col[f"{name}_chars"]
            columns[f"{name}_containment_chars"] = shares
            columns[f"{name}_tokens"] = col[f"{name}_tokens"]
            columns[f"{name}_containment_tokens"] = share(tokens, n_tokens)
            columns[f"{name}_class"] = [derivation_class(s) for s in shares.tolist()]
        arrays = [_arrow(columns[f.name]).cast(f.type) for f in schema]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def _arrow(values: Any) -> pa.Array:
    """``values`` as an Arrow array: itself when it is one (a batch's column), else made one."""
    return values if isinstance(values, pa.Array) else pa.array(values)
