"""ScanResult -> Arrow tables in the report schemas."""

from __future__ import annotations

import logging
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

import numpy as np
import pyarrow as pa

from provenance.arrow import rows_of, to_table
from provenance.corpus import Corpus, column, document_lengths, text_reader
from provenance.errors import ReportError
from provenance.records import Alignment, Cluster, Document, GraphEdge, GraphNode, Occurrence, ScanResult
from provenance.report import schemas
from provenance.report.derivation import alignment_clusters, derivation_table, merge_group_spans
from provenance.report.writer import TableBatches

log = logging.getLogger(__name__)

R = TypeVar("R")


def documents_table(docs: Sequence[Document], n_chars: Sequence[int] | None = None) -> pa.Table:
    """``documents`` rows, with every pass-through field as a string column; ``n_chars`` gives
    the documents' lengths when ``docs`` do not hold their texts (``TextsElsewhere``).

    A pass-through field named like a report column (``source``, ``n_chars``...) is kept as
    ``extra_<name>`` so that neither is lost. Built from the documents' columns (a ``Corpus``
    reads no text for it), a batch of rows at a time.
    """
    fields = {
        "doc_id": column(docs, "doc_id"),
        "outlet": column(docs, "outlet"),
        "date": column(docs, "when"),
        "date_text": column(docs, "date"),
        "title": column(docs, "title"),
        "url": column(docs, "url"),
        "n_chars": column(docs, "n_chars") if n_chars is None else n_chars,
        "source": column(docs, "source"),
    }
    batches = [
        pa.RecordBatch.from_pydict(
            {name: values[at : at + TEXTS_BATCH] for name, values in fields.items()}, schema=schemas.DOCUMENTS
        )
        for at in range(0, len(docs), TEXTS_BATCH)
    ]
    table = pa.Table.from_batches(batches, schema=schemas.DOCUMENTS)
    extras = {i: extra for i, extra in enumerate(column(docs, "extra")) if extra}
    extra_names: list[str] = []
    for extra in extras.values():
        for name, _ in extra:
            if name not in extra_names:
                extra_names.append(name)
    renamed = {n: f"extra_{n}" if n in schemas.DOCUMENTS.names else n for n in extra_names}
    for name, new in renamed.items():
        if name != new:
            log.warning("input field %r clashes with a report column; written as %r", name, new)
    for name in extra_names:
        values = [dict(extras[i]).get(name) if i in extras else None for i in range(len(docs))]
        table = table.append_column(pa.field(renamed[name], pa.string()), pa.array(values, pa.string()))
    return table


def representative(
    cluster: Cluster,
    docs: Sequence[Document],
    texts_of: dict[int, str] | None = None,
    ids: Sequence[str] | None = None,
) -> tuple[str, str]:
    """The cluster's fullest copy (its longest occurrence; the most frequent text of that
    length, then the first) and a document holding it. Every other member is alike it or a
    part of it, as an excerpt is of the story. ``texts_of`` may hold the members' texts, and
    ``ids`` every document's id (``column(docs, "doc_id")``: for a plain list of documents that
    is a pass over all of them, which a caller looping over clusters makes once)."""
    if texts_of is None:
        texts_of = {o.doc: docs[o.doc].text for o in cluster.occurrences}
    if ids is None:
        ids = column(docs, "doc_id")
    texts = [(texts_of[o.doc][o.start : o.end], ids[o.doc]) for o in cluster.occurrences]
    counts = Counter(t for t, _ in texts)
    longest = max(len(t) for t, _ in texts)
    return max((item for item in texts if len(item[0]) == longest), key=lambda item: counts[item[0]])


def report_tables(result: ScanResult) -> dict[str, pa.Table]:
    """All report tables of a scan, keyed by table name."""
    out = {}
    for name, table in report_table_builders(result).items():
        if isinstance(table, TableBatches):
            out[name] = pa.Table.from_batches(list(table.batches()), schema=table.schema)
        else:
            out[name] = table()
    return out


def report_table_builders(result: ScanResult) -> dict[str, Callable[[], pa.Table] | TableBatches]:
    """Every report table of a scan, keyed by table name, as a function that builds it, or, for
    the tables with a row per finding (``passages``, ``alignments``, ``clusters``, ``wire_share``), its record
    batches, made a slice of clusters or alignments at a time: a writer holds one table, or one
    slice, at a time."""
    docs = result.documents
    return {
        "documents": lambda: documents_table(docs, document_lengths(result)),
        "passages": TableBatches(schemas.PASSAGES, lambda: _passage_batches(result)),
        "alignments": TableBatches(schemas.ALIGNMENTS, lambda: _alignment_batches(result)),
        "clusters": TableBatches(schemas.CLUSTERS, lambda: _cluster_batches(result)),
        "credits": lambda: credits_table(result),
        "nodes": lambda: _graph_table(result.nodes, GraphNode, schemas.NODES),
        "edges": lambda: _graph_table(result.edges, GraphEdge, schemas.EDGES),
        "wire_share": wire_share_batches(result),
        "derivation": lambda: derivation_table(result),
    }


SLICE_ROWS = 4_096
"""Passages (clusters whole) or alignments in one record batch (a row group) of their table.
Building the ``passages`` table of 100,000 generated documents (33,818 rows) took 71 MB more
than the result at 16,384 rows a slice, 22 MB at 4,096: a slice's texts are held twice, as
strings and in Arrow, and the writer's batch beside the next."""


def _cluster_slices(clusters: Sequence[Cluster]) -> Iterator[Sequence[Cluster]]:
    """``clusters`` in runs of whole clusters holding about ``SLICE_ROWS`` occurrences each."""
    lo = rows = 0
    for i, cluster in enumerate(clusters):
        rows += len(cluster.occurrences)
        if rows >= SLICE_ROWS:
            yield clusters[lo : i + 1]
            lo, rows = i + 1, 0
    if lo < len(clusters):
        yield clusters[lo:]


def _passage_batches(result: ScanResult) -> Iterator[pa.RecordBatch]:
    """``passages`` rows: every occurrence, in cluster order, with its text."""
    docs = result.documents
    ids, text = column(docs, "doc_id"), text_reader(docs)
    for part in _cluster_slices(result.clusters):
        occurrences: list[Occurrence] = []
        values: dict[str, list[object]] = {"cluster_id": [], "doc_id": [], "text": [], "category": []}
        for cluster in part:
            texts_of = {d: text(d) for d in cluster.docs}  # each member's text read once
            for o in cluster.occurrences:
                occurrences.append(o)
                values["cluster_id"].append(cluster.cluster_id)
                values["doc_id"].append(ids[o.doc])
                values["text"].append(texts_of[o.doc][o.start : o.end])
                values["category"].append(cluster.category)
        yield from to_table(occurrences, schemas.PASSAGES, values=values).to_batches()


def _cluster_batches(result: ScanResult) -> Iterator[pa.RecordBatch]:
    """``clusters`` rows: every cluster, with its counts, category, representative and origin."""
    docs = result.documents
    ids, outlets, text = column(docs, "doc_id"), column(docs, "outlet"), text_reader(docs)
    origin_of = {o.cluster_id: o for o in result.origins}
    for part in _cluster_slices(result.clusters):
        rows: dict[str, list[object]] = {name: [] for name in schemas.CLUSTERS.names}
        for cluster in part:
            texts_of = {d: text(d) for d in cluster.docs}
            rep_text, rep_doc = representative(cluster, docs, texts_of, ids)
            member_docs = cluster.docs
            rows["cluster_id"].append(cluster.cluster_id)
            rows["kind"].append(cluster.occurrences[0].kind)
            rows["n_occurrences"].append(len(cluster.occurrences))
            rows["n_documents"].append(len(member_docs))
            rows["n_outlets"].append(len({outlets[d] or ids[d] for d in member_docs}))
            rows["boilerplate"].append(cluster.boilerplate)
            rows["category"].append(cluster.category)
            rows["category_reason"].append(cluster.category_reason)
            rows["representative"].append(rep_text)
            rows["representative_doc"].append(rep_doc)
            origin = origin_of.get(cluster.cluster_id)
            rows["origin"].append(origin.agency if origin else None)
            rows["origin_confidence"].append(origin.confidence if origin else 0.0)
            rows["origin_evidence"].append(origin.evidence if origin else "")
        yield from pa.Table.from_pydict(rows, schema=schemas.CLUSTERS).to_batches()


def _graph_table(records: Sequence[R], kind: type[R], schema: pa.Schema) -> pa.Table:
    """The graph's nodes or edges in the report's ``schema``: the columns they are held in
    (``Rows``, the record's own fields in order), renamed as the report names them."""
    return pa.Table.from_arrays(rows_of(records, kind).table.columns, schema=schema)


def _alignment_batches(result: ScanResult) -> Iterator[pa.RecordBatch]:
    """``alignments`` rows: every alignment, with the cluster of its first side's copy."""
    ids = column(result.documents, "doc_id")
    rows = rows_of(result.alignments, Alignment)
    of_cluster = alignment_clusters(rows, result.clusters)
    names = [c.cluster_id for c in result.clusters]
    for lo in range(0, len(rows), SLICE_ROWS):
        part = rows.table.slice(lo, SLICE_ROWS)
        values = {
            "cluster_id": [names[k] for k in of_cluster[lo : lo + SLICE_ROWS].tolist()],
            "doc_a": [ids[d] for d in part.column("doc_a").to_pylist()],
            "doc_b": [ids[d] for d in part.column("doc_b").to_pylist()],
        }
        columns = [
            pa.array(values[f.name], f.type) if f.name in values else part.column(f.name) for f in schemas.ALIGNMENTS
        ]
        yield from pa.Table.from_arrays(columns, schema=schemas.ALIGNMENTS).to_batches()


def credits_table(result: ScanResult) -> pa.Table:
    """``credits`` rows: every credit with its text and scope.

    Raises:
        ReportError: the credited documents' texts stayed with the engine that read them, and
            it did not keep the credits (``CreditsElsewhere`` writes this table there).
    """
    docs = result.documents
    if result.texts_elsewhere is not None and len(result.credits):
        raise ReportError("the credited documents' texts stayed with the engine: it writes the credits table")
    ids, text = column(docs, "doc_id"), text_reader(docs)
    texts_of: dict[int, str] = {}
    values = {"doc_id": [ids[c.doc] for c in result.credits], "text": []}
    for c in result.credits:  # in document order: each text read once
        if c.doc not in texts_of:
            texts_of.clear()
            texts_of[c.doc] = text(c.doc)
        values["text"].append(texts_of[c.doc][c.start : c.end])
    return to_table(result.credits, schemas.CREDITS, values=values)


def wire_share_table(result: ScanResult) -> pa.Table:
    """Share of reused copy per document and per outlet, by attributed origin (the rows of
    ``wire_share_batches``, as one table)."""
    return pa.Table.from_batches(list(wire_share_batches(result).batches()), schema=schemas.WIRE_SHARE)


def wire_share_batches(result: ScanResult) -> TableBatches:
    """Share of reused copy per document and per outlet, by attributed origin: each document's
    rows in document order, then each outlet's in name order; a unit's row of all its reused
    characters first, then one per origin in name order.

    Only cross-document news clusters count (a passage repeated inside one article is not
    copy, and boilerplate, stock phrases and credit lines are not reporting). Copies of two
    clusters may overlap in one document (a story's copy, and a paragraph of it that another
    story reprints): the characters of a unit are those its copies cover, each counted once,
    for all origins (the "all" row, never over the unit's text) and for each origin. They are
    summed per document and origin in arrays, and the rows are made ``SLICE_ROWS`` at a time:
    a ``Counter`` per document and the whole table's columns took the Spark driver 15 MB up at
    200,000 generated documents."""

    def batches() -> Iterator[pa.RecordBatch]:
        docs, lengths = result.documents, document_lengths(result)
        doc, origin, chars, names, covered = _copy_chars(result)
        at = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]]) if doc.shape[0] else doc  # each document's run
        ends, run_docs = np.r_[at[1:], doc.shape[0]].astype(np.int64), doc[at].tolist()
        columns: dict[str, list] = {name: [] for name in schemas.WIRE_SHARE.names}
        per_outlet: dict[str, Counter] = {}  # by origin, and "all"
        outlet_total: Counter = Counter()
        ids, outlets = column(docs, "doc_id"), column(docs, "outlet")
        k = 0  # the next document with reused copy (its run in the arrays)
        for d, outlet in enumerate(outlets):
            if outlet:
                outlet_total[outlet] += lengths[d]
            if k == len(run_docs) or run_docs[k] != d:
                continue
            lo, hi = int(at[k]), int(ends[k])
            counts = dict(zip([names[o] for o in origin[lo:hi].tolist()], chars[lo:hi].tolist(), strict=True))
            counts["all"] = int(covered[k])
            k += 1
            if outlet:
                per_outlet.setdefault(outlet, Counter()).update(counts)
            _share_rows(columns, "document", ids[d], counts, lengths[d])
            if len(columns["level"]) >= SLICE_ROWS:
                yield pa.RecordBatch.from_pydict(columns, schema=schemas.WIRE_SHARE)
                columns = {name: [] for name in schemas.WIRE_SHARE.names}
        for outlet in sorted(per_outlet):
            _share_rows(columns, "outlet", outlet, per_outlet[outlet], outlet_total[outlet])
        if columns["level"]:
            yield pa.RecordBatch.from_pydict(columns, schema=schemas.WIRE_SHARE)

    return TableBatches(schemas.WIRE_SHARE, batches)


def _copy_chars(result: ScanResult) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The characters the cross-document news clusters' copies cover per document and origin:
    ``(doc, origin, chars, names, covered)``, a row per document and origin with copy, sorted by
    document then origin name (``origin`` numbers ``names``, which are in name order), and
    ``covered``, the characters of each of those documents (in order) that any copy covers.
    Overlapping copies count their characters once."""
    origin_of = {o.cluster_id: (o.agency or "unknown") for o in result.origins}
    code: dict[str, int] = {}
    doc, origin, starts, ends = array("q"), array("q"), array("q"), array("q")
    for cluster in result.clusters:
        if cluster.occurrences[0].kind != "cross-document" or cluster.category != "news":
            continue
        k = code.setdefault(origin_of.get(cluster.cluster_id, "unknown"), len(code))
        for occurrence in cluster.occurrences:
            doc.append(occurrence.doc)
            origin.append(k)
            starts.append(occurrence.start)
            ends.append(occurrence.end)
    if not doc:
        none = np.empty(0, dtype=np.int64)
        return none, none, none, [], none
    names = sorted(code)
    rank = np.empty(len(code), dtype=np.int64)
    rank[[code[name] for name in names]] = np.arange(len(names))
    d, start, end = (np.frombuffer(a, dtype=np.int64) for a in (doc, starts, ends))
    o = rank[np.frombuffer(origin, dtype=np.int64)]
    width = int(end.max()) + 1
    group, chars = _covered(d * len(names) + o, start, end, width)
    _, covered = _covered(d, start, end, width)
    return group // len(names), group % len(names), chars, names, covered


def _covered(group: np.ndarray, start: np.ndarray, end: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The groups of spans, in order, and the characters each group's spans cover."""
    seg_group, seg_start, seg_end = merge_group_spans(group, start, end, width)
    heads = np.flatnonzero(np.r_[True, seg_group[1:] != seg_group[:-1]])
    return seg_group[heads], np.add.reduceat(seg_end - seg_start, heads)


def _share_rows(columns: dict[str, list], level: str, ident: str, chars: Mapping[str, int], total: int) -> None:
    """Append to ``columns`` the rows of one document or outlet: all its reused characters
    (``chars["all"]``), then those of each origin."""
    items = [("all", chars["all"])] + sorted((o, n) for o, n in chars.items() if o != "all")
    for origin, n in items:
        columns["level"].append(level)
        columns["id"].append(ident)
        columns["origin"].append(origin)
        columns["reused_chars"].append(n)
        columns["total_chars"].append(total)
        columns["share"].append(reused_share(n, total))


def reused_share(reused: int, total: int) -> float:
    """The share of a unit's ``total`` characters that are ``reused``, as ``wire_share`` has it."""
    return round(reused / total, 6) if total else 0.0


TEXTS_BATCH = 10_000
"""Documents per row group of ``texts.parquet``."""


def _texts_array(docs: Sequence[Document], lo: int, hi: int) -> pa.Array:
    """The texts of documents ``lo..hi-1``: a corpus's stored UTF-8 taken as the Arrow array's
    buffer as it is (no ``str`` per document), other sequences through their strings."""
    stored = docs.utf8(lo, hi) if isinstance(docs, Corpus) else None
    if stored is not None and stored[1][-1] < 2**31:  # within a string array's 32-bit offsets
        data, offsets = stored
        array = pa.StringArray.from_buffers(hi - lo, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data))
        try:
            array.validate(full=True)  # a lone surrogate can be stored, but is not UTF-8
            return array
        except pa.ArrowInvalid:
            pass
    return pa.array([d.text for d in docs[lo:hi]], pa.string())


def texts_batches(docs: Sequence[Document]) -> TableBatches:
    """``texts`` rows: every document's full text, in document order, ``TEXTS_BATCH`` documents
    at a time (a whole corpus is never copied into Arrow at once)."""

    ids = column(docs, "doc_id")

    def batches() -> Iterator[pa.RecordBatch]:
        for at in range(0, len(docs), TEXTS_BATCH):
            hi = min(at + TEXTS_BATCH, len(docs))
            columns = [pa.array(ids[at:hi], pa.string()), _texts_array(docs, at, hi)]
            yield pa.RecordBatch.from_arrays(columns, schema=schemas.TEXTS)

    return TableBatches(schemas.TEXTS, batches)
