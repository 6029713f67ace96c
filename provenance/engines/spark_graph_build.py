"""The provenance graph built on the executors: ``provenance.graph.build.build_graph`` as Spark SQL.

The same nodes and edges, in the same order, from the categorized cluster frame (a row per
copy), the documents frame and the origins; nothing of the corpus is collected to the driver.
Each frame carries sort keys (``KEYS``) that give the local order: ``ordered`` sorts by them and
drops them. See ``provenance.graph.build`` for what each node and edge means.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from provenance.graph.build import MAX_PAIR_DOCS
from provenance.report.schemas import NODES

try:
    from pyspark.sql import Column, DataFrame, Window
    from pyspark.sql import functions as F
except ImportError:  # pragma: no cover - SparkEngine() reports the missing extra first
    Column = DataFrame = Window = F = None  # type: ignore[assignment,misc]

KEYS = ("k_part", "k_first", "k_name", "k_second", "k_third")
"""Sort keys of the graph's rows: the part of the graph (documents and outlets, clusters and
agencies, for nodes; the kind of edge, for edges), then positions inside it."""


def _id(kind: str, name: Column | str) -> Column:
    """``provenance.graph.build.node_id`` of a column."""
    return F.concat(F.lit(f"{kind}:"), F.col(name) if isinstance(name, str) else name)


def _cluster_id() -> Column:
    """``spark_ops.cluster_id`` of ``cluster_no`` (``c000001``)."""
    return F.format_string("c%06d", F.col("cluster_no"))


Key = str | int | None
"""A sort key's value: a column of the frame, a number, or none."""


def _keyed(
    frame: DataFrame, part: int, first: Key = None, name: str | None = None, second: Key = None, third: Key = None
) -> DataFrame:
    """``frame`` with the sort keys ``KEYS``: ``part``, then columns of ``frame`` or numbers."""

    def value(key: Key) -> Column:
        return (F.col(key) if isinstance(key, str) else F.lit(key)).cast("long")

    return frame.select(
        "*",
        F.lit(part).alias("k_part"),
        value(first).alias("k_first"),
        (F.col(name) if name else F.lit(None)).cast("string").alias("k_name"),
        value(second).alias("k_second"),
        value(third).alias("k_third"),
    )


def ordered(frame: DataFrame, names: Sequence[str]) -> DataFrame:
    """``frame`` sorted by ``KEYS`` (the local order), as the columns ``names``."""
    return frame.orderBy(*KEYS).select(*names)


def graph_frames(clusters: DataFrame, docs: DataFrame, origins: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Nodes (``NODES``' columns) and edges (``EDGES``') of the news clusters, each with the sort
    keys ``KEYS``.

    Args:
        clusters: a row per copy: ``cluster_no``, ``doc``, ``start``, ``end``, ``boilerplate``
            and, once categorized, ``category``.
        docs: a row per document: ``doc`` (its index), ``doc_id``, ``title``, ``outlet``,
            ``date``, ``when`` (microseconds, null when unknown).
        origins: a row per news cluster with an agency: ``cluster_no``, ``agency``,
            ``confidence``, ``evidence``.
    """
    news = ~F.col("boilerplate")
    if "category" in clusters.columns:
        news = news & (F.col("category") == "news")
    # Each member: a document's characters in a news cluster (its copies there summed).
    members = (
        clusters.where(news)
        .groupBy("cluster_no", "doc")
        .agg(F.sum(F.col("end") - F.col("start")).cast("double").alias("chars"))
    )
    in_graph = members.select("doc").distinct().join(docs, "doc")
    named = in_graph.where(F.col("outlet").isNotNull() & (F.col("outlet") != ""))
    cluster_nos = members.select("cluster_no").distinct()
    credited = origins.where(F.col("agency").isNotNull() & (F.col("agency") != "")).join(cluster_nos, "cluster_no")
    return _nodes(in_graph, named, cluster_nos, credited), _edges(members, in_graph, named, credited)


def _nodes(in_graph: DataFrame, named: DataFrame, cluster_nos: DataFrame, credited: DataFrame) -> DataFrame:
    """Each document, then its outlet when first named; then each cluster, then its origin's
    agency when first named; a node named twice kept once, as first named."""
    outlets = named.groupBy("outlet").agg(F.min("doc").alias("doc"))
    agencies = credited.groupBy("agency").agg(F.min("cluster_no").alias("cluster_no"))
    parts = [
        (
            _keyed(in_graph, 0, "doc", None, 0),
            "doc",
            F.col("doc_id"),
            F.coalesce(F.when(F.col("title") != "", F.col("title")), F.col("doc_id")),
        ),
        (_keyed(outlets, 0, "doc", None, 1), "outlet", F.col("outlet"), F.col("outlet")),
        (_keyed(cluster_nos, 1, "cluster_no", None, 0), "cluster", _cluster_id(), _cluster_id()),
        (_keyed(agencies, 1, "cluster_no", None, 1), "agency", F.col("agency"), F.col("agency")),
    ]
    frames = [
        frame.select(_id(kind, name).alias("node_id"), F.lit(kind).alias("kind"), label.alias("label"), *KEYS)
        for frame, kind, name, label in parts
    ]
    nodes = functools.reduce(DataFrame.unionByName, frames)
    first = Window.partitionBy("node_id").orderBy(*KEYS)
    return nodes.withColumn("_n", F.row_number().over(first)).where(F.col("_n") == 1).select(*NODES.names, *KEYS)


def _edges(members: DataFrame, in_graph: DataFrame, named: DataFrame, credited: DataFrame) -> DataFrame:
    """``published`` (document order); per cluster, ``contains`` (document order) then
    ``origin_of``; ``supplied`` (by agency, then document); the document pairs (by pair)."""
    doc_node = _id("doc", "doc_id")
    cluster_node = _id("cluster", _cluster_id())
    published = _edge(
        _keyed(named, 0, "doc"),
        _id("outlet", "outlet"),
        doc_node,
        "published",
        F.lit(1.0),
        F.lit(True),
        F.lit("document's outlet"),
    )
    ids = in_graph.select("doc", "doc_id")
    with_ids = members.join(ids, "doc")
    contains = _edge(
        _keyed(with_ids, 1, "cluster_no", None, 0, "doc"),
        doc_node,
        cluster_node,
        "contains",
        F.col("chars"),
        F.lit(True),
        F.lit("reused characters"),
    )
    origin_of = _edge(
        _keyed(credited, 1, "cluster_no", None, 1),
        _id("agency", "agency"),
        cluster_node,
        "origin_of",
        F.col("confidence"),
        F.lit(True),
        F.col("evidence"),
    )
    attributed = (
        with_ids.join(credited.select("cluster_no", "agency"), "cluster_no")
        .groupBy("agency", "doc", "doc_id")
        .agg(F.sum("chars").alias("chars"))
    )
    supplied = _edge(
        _keyed(attributed, 2, None, "agency", "doc"),
        _id("agency", "agency"),
        doc_node,
        "supplied",
        F.col("chars"),
        F.lit(True),
        F.lit("attributed reused copy"),
    )
    return functools.reduce(
        DataFrame.unionByName, [published, contains, origin_of, supplied, _pairs(members, in_graph)]
    )


def _edge(
    frame: DataFrame, source: Column, target: Column, kind: str, weight: Column, directed: Column, evidence: Column
) -> DataFrame:
    return frame.select(
        source.alias("source"),
        target.alias("target"),
        F.lit(kind).alias("kind"),
        weight.cast("double").alias("weight"),
        directed.alias("directed"),
        evidence.alias("evidence"),
        *KEYS,
    )


def _pairs(members: DataFrame, in_graph: DataFrame) -> DataFrame:
    """Document pairs sharing a cluster of at most ``MAX_PAIR_DOCS`` documents, weighted by the
    smaller side's characters summed over the clusters they share: ``copied_from`` from the
    earlier to the later when both are dated and the dates differ, else ``shares_wire_copy``."""
    size = F.count(F.lit(1)).over(Window.partitionBy("cluster_no"))
    sized = members.withColumn("size", size).where((F.col("size") >= 2) & (F.col("size") <= MAX_PAIR_DOCS))
    a = sized.select("cluster_no", F.col("doc").alias("a"), F.col("chars").alias("chars_a"))
    b = sized.select("cluster_no", F.col("doc").alias("b"), F.col("chars").alias("chars_b"))
    pairs = (
        a.join(b, "cluster_no")
        .where(F.col("a") < F.col("b"))
        .groupBy("a", "b")
        .agg(F.sum(F.least("chars_a", "chars_b")).alias("weight"))
    )
    dated = in_graph.select("doc", "doc_id", F.coalesce(F.col("date"), F.lit("None")).alias("date"), "when")
    side = {s: dated.select(*(F.col(c).alias(f"{c}_{s}") for c in dated.columns)) for s in ("a", "b")}
    pairs = pairs.join(side["a"], F.col("a") == F.col("doc_a")).join(side["b"], F.col("b") == F.col("doc_b"))
    directed = F.col("when_a").isNotNull() & F.col("when_b").isNotNull() & (F.col("when_a") != F.col("when_b"))
    b_first = directed & (F.col("when_b") < F.col("when_a"))

    def of(early: bool, field: str) -> Column:
        return F.when(b_first, F.col(f"{field}_{'b' if early else 'a'}")).otherwise(
            F.col(f"{field}_{'a' if early else 'b'}")
        )

    evidence = F.when(
        directed,
        F.concat(
            of(True, "doc_id"),
            F.lit(" dated "),
            of(True, "date"),
            F.lit(", "),
            of(False, "doc_id"),
            F.lit(" dated "),
            of(False, "date"),
        ),
    ).otherwise(F.lit("no date gives a direction"))
    kind = F.when(directed, F.lit("copied_from")).otherwise(F.lit("shares_wire_copy"))
    keyed = _keyed(pairs.withColumn("directed", directed), 3, "a", None, "b")
    return keyed.select(
        _id("doc", of(True, "doc_id")).alias("source"),
        _id("doc", of(False, "doc_id")).alias("target"),
        kind.alias("kind"),
        F.col("weight").cast("double").alias("weight"),
        F.col("directed"),
        evidence.alias("evidence"),
        *KEYS,
    )
