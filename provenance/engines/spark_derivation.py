"""The report's derivation table computed on the executors: ``provenance.report.derivation``'s
``derivation_table`` as Spark SQL, with its array steps run per document where the texts are.

The same rows as the local table, from the categorized cluster frame, the alignments and the
documents frame; nothing of the corpus, and no row per pair, reaches the driver. The steps are
the local ones (see ``derivation_table``):

1. the (pair, news cluster) rows: every pair of a cluster of at most ``MAX_PAIR_DOCS``
   documents, each document with the one holding the longest copy of a bigger one
   (``news_pairs``);
2. the cluster of each alignment across documents, the first holding its first side's start
   (``alignment_clusters``), and the rows the pair's own alignments cover;
3. three measures of merged spans (``merge_group_spans``) in characters and word tokens, run per
   document on the executors (``spark_ops.span_measure_batches``, tokenizing each text once):
   each side's aligned spans; each side's copies of a cluster the pair met through a third
   document; and the union of both;
4. each side's characters and tokens, the smaller of the aligned sum and the union, and the
   shares and classes (``spark_ops.derivation_batches``, the local ``share`` and
   ``derivation_class``).
"""

from __future__ import annotations

import functools

from provenance.graph.build import MAX_PAIR_DOCS

try:
    from pyspark.sql import Column, DataFrame, Window
    from pyspark.sql import functions as F
except ImportError:  # pragma: no cover - SparkEngine() reports the missing extra first
    Column = DataFrame = Window = F = None  # type: ignore[assignment,misc]

ALIGNED, COPIES, UNION = 1, 2, 3
"""The measures of ``span_measure_batches``: a side's aligned spans, its copies of one cluster
the pair has no alignment in, and the union of both for the side."""

_KEY = ("measure", "a", "b", "side", "cluster_no")
"""What a measured group of spans is: its measure, its pair (documents ``a < b``), side (0 for
``a``) and cluster (-1 unless ``COPIES``)."""


def pair_rows(clusters: DataFrame) -> DataFrame:
    """``(cluster_no, a, b)``: one row per document pair (``a < b``) and news cluster they share
    (``news_pairs``)."""
    news = clusters.where(F.col("category") == "news")
    members = news.groupBy("cluster_no", "doc").agg(F.max(F.col("end") - F.col("start")).alias("longest"))
    sized = members.withColumn("size", F.count(F.lit(1)).over(Window.partitionBy("cluster_no")))
    small = sized.where((F.col("size") >= 2) & (F.col("size") <= MAX_PAIR_DOCS))
    every = (
        small.select("cluster_no", F.col("doc").alias("a"))
        .join(small.select("cluster_no", F.col("doc").alias("b")), "cluster_no")
        .where(F.col("a") < F.col("b"))
    )
    big = sized.where(F.col("size") > MAX_PAIR_DOCS)
    longest_first = Window.partitionBy("cluster_no").orderBy(F.col("longest").desc(), F.col("doc"))
    hubs = (
        big.withColumn("rank", F.row_number().over(longest_first))
        .where(F.col("rank") == 1)
        .select("cluster_no", F.col("doc").alias("hub"))
    )
    spokes = (
        big.join(hubs, "cluster_no")
        .where(F.col("doc") != F.col("hub"))
        .select("cluster_no", F.least("doc", "hub").alias("a"), F.greatest("doc", "hub").alias("b"))
    )
    return every.unionByName(spokes)


def derivation_spans(clusters: DataFrame, alignments: DataFrame, rows: DataFrame) -> tuple[DataFrame, DataFrame]:
    """The spans to measure (``_KEY`` columns, then ``doc``, ``start``, ``end``) and the
    ``(a, b, cluster_no)`` rows that the pair's own alignments cover.

    Args:
        clusters: the cluster frame (every category: an alignment belongs to the first cluster
            holding its start, whatever it is).
        alignments: ``doc_a``, ``a_start``, ``a_end``, ``doc_b``, ``b_start``, ``b_end``.
        rows: ``pair_rows``.
    """
    copies = clusters.select("cluster_no", "doc", "start", "end")
    across = alignments.where(F.col("doc_a") != F.col("doc_b"))
    sides = ["doc_a", "a_start", "a_end", "doc_b", "b_start", "b_end"]
    holding = (
        across.join(copies.withColumnRenamed("doc", "doc_a"), "doc_a")
        .where((F.col("start") <= F.col("a_start")) & (F.col("a_start") < F.col("end")))
        .groupBy(*sides)
        .agg(F.min("cluster_no").alias("cluster_no"))
    )
    a_first = F.col("doc_a") < F.col("doc_b")
    kept = holding.select("*", F.least("doc_a", "doc_b").alias("a"), F.greatest("doc_a", "doc_b").alias("b")).join(
        rows, ["a", "b", "cluster_no"], "left_semi"
    )
    covered = kept.select("a", "b", "cluster_no").distinct()

    def side(number: int, doc: str, first: tuple[str, str], second: tuple[str, str]) -> DataFrame:
        start = F.when(a_first, F.col(first[0])).otherwise(F.col(second[0]))
        end = F.when(a_first, F.col(first[1])).otherwise(F.col(second[1]))
        return kept.select(
            "a", "b", F.lit(number).alias("side"), F.col(doc).alias("doc"), start.alias("start"), end.alias("end")
        )

    aligned = side(0, "a", ("a_start", "a_end"), ("b_start", "b_end")).unionByName(
        side(1, "b", ("b_start", "b_end"), ("a_start", "a_end"))
    )
    rest = rows.join(covered, ["a", "b", "cluster_no"], "left_anti")
    held = copies.select(F.col("cluster_no").alias("held_by"), F.col("doc").alias("held_in"), "start", "end")
    rest_copies = functools.reduce(
        DataFrame.unionByName,
        [
            rest.join(held, (F.col("held_by") == F.col("cluster_no")) & (F.col("held_in") == F.col(doc))).select(
                "a", "b", F.lit(number).alias("side"), "cluster_no", F.col("held_in").alias("doc"), "start", "end"
            )
            for number, doc in ((0, "a"), (1, "b"))
        ],
    )

    def measured(frame: DataFrame, measure: int, by_cluster: bool) -> DataFrame:
        cluster = F.col("cluster_no") if by_cluster else F.lit(-1).cast("long")
        return frame.select(
            F.lit(measure).alias("measure"), "a", "b", "side", cluster.alias("cluster_no"), "doc", "start", "end"
        )

    spans = functools.reduce(
        DataFrame.unionByName,
        [
            measured(aligned, ALIGNED, False),
            measured(rest_copies, COPIES, True),
            measured(aligned, UNION, False),
            measured(rest_copies, UNION, False),
        ],
    )
    return spans, covered


def per_document(spans: DataFrame, texts: DataFrame) -> DataFrame:
    """Each document's spans as one list beside its text (``doc``, ``text``, ``spans``): the rows
    ``span_measure_batches`` takes, a document whole in each."""
    listed = spans.groupBy("doc").agg(F.collect_list(F.struct(*_KEY, "start", "end")).alias("spans"))
    return listed.join(texts, "doc")


def pair_measures(measures: DataFrame, rows: DataFrame, covered: DataFrame, docs: DataFrame) -> DataFrame:
    """One row per pair, in no order: ``a``, ``b``, their ids and dates (``when``), lengths and
    tokens, the clusters they share and those their alignments cover, and each side's
    characters and tokens derived (``a_chars``... ``b_tokens``), for ``derivation_batches``.

    Args:
        measures: ``span_measure_batches``' rows.
        rows, covered: ``pair_rows`` and ``derivation_spans``' covered rows.
        docs: ``doc``, ``doc_id``, ``when``, ``n_chars`` per document.
    """
    group = ["a", "b", "side"]
    aligned = measures.where(F.col("measure") == ALIGNED).select(
        *group, F.col("chars").alias("aligned_chars"), F.col("tokens").alias("aligned_tokens")
    )
    union = measures.where(F.col("measure") == UNION).select(
        *group, F.col("chars").alias("union_chars"), F.col("tokens").alias("union_tokens"), "n_tokens"
    )
    # A cluster met through a third copy: each side counts the smaller side's copies of it.
    smaller = (
        measures.where(F.col("measure") == COPIES)
        .groupBy("a", "b", "cluster_no")
        .agg(F.min("chars").alias("chars"), F.min("tokens").alias("tokens"))
        .groupBy("a", "b")
        .agg(F.sum("chars").alias("copy_chars"), F.sum("tokens").alias("copy_tokens"))
    )

    def capped(kind: str) -> Column:
        total = F.coalesce(F.col(f"aligned_{kind}"), F.lit(0)) + F.coalesce(F.col(f"copy_{kind}"), F.lit(0))
        return F.least(total, F.col(f"union_{kind}")).cast("long")

    sides = (
        union.join(aligned, group, "left")
        .join(smaller, ["a", "b"], "left")
        .select(*group, capped("chars").alias("chars"), capped("tokens").alias("tokens"), "n_tokens")
    )
    counts = rows.groupBy("a", "b").agg(F.count(F.lit(1)).alias("shared_clusters"))
    counts = counts.join(
        covered.groupBy("a", "b").agg(F.count(F.lit(1)).alias("aligned_clusters")), ["a", "b"], "left"
    ).fillna(0, ["aligned_clusters"])
    for number, name in ((0, "a"), (1, "b")):
        side = sides.where(F.col("side") == number).select(
            "a",
            "b",
            F.col("chars").alias(f"{name}_chars"),
            F.col("tokens").alias(f"{name}_tokens"),
            F.col("n_tokens").alias(f"{name}_n_tokens"),
        )
        about = docs.select(*(F.col(c).alias(f"{name}_{c}") for c in ("doc", "doc_id", "when", "n_chars")))
        counts = counts.join(side, ["a", "b"]).join(about, F.col(name) == F.col(f"{name}_doc")).drop(f"{name}_doc")
    return counts
