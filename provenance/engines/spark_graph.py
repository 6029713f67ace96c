"""Connected components of an edge DataFrame, computed in Spark (nothing collected to the driver).

The alternating large-star / small-star algorithm of Kiveris et al., "Connected Components in
MapReduce and Beyond" (SoCC 2014): each round rewires every edge towards the smallest node it
can see, keeping the components unchanged, until every component is a star around its smallest
node. It takes O(log^2 n) rounds of joins and group-bys, and every round is checkpointed
(``spark_session.checkpointed``) so the query plan stays short.
"""

from __future__ import annotations

from provenance.engines.spark_session import checkpointed
from provenance.errors import ProvenanceError

try:
    from pyspark.sql import DataFrame, Window
    from pyspark.sql import functions as F
except ImportError:  # pragma: no cover - SparkEngine() reports the missing extra first
    DataFrame = Window = F = None  # type: ignore[assignment,misc]

MAX_ROUNDS = 64


def _canonical(edges: DataFrame) -> DataFrame:
    """Edges as ``(u, v)`` with ``u > v``, self loops and duplicates dropped."""
    return (
        edges.where(F.col("u") != F.col("v"))
        .select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
        .distinct()
    )


def _large_star(edges: DataFrame) -> DataFrame:
    """Connect every node's larger neighbours to the smallest node of its neighbourhood.

    ``edges`` are canonical; the result is ``(u, v)`` with ``u > v``, possibly repeated."""
    both = edges.select(F.col("u").alias("x"), F.col("v").alias("y")).unionByName(
        edges.select(F.col("v").alias("x"), F.col("u").alias("y"))
    )
    smallest = F.least(F.min("y").over(Window.partitionBy("x")), F.col("x"))
    return (
        both.select("x", "y", smallest.alias("m"))
        .where(F.col("y") > F.col("x"))
        .select(F.col("y").alias("u"), F.col("m").alias("v"))
    )


def _small_star(edges: DataFrame) -> DataFrame:
    """Connect every node and its smaller neighbours to the smallest of them (``u > v`` edges
    in, canonical edges out)."""
    spokes = edges.select("u", "v", F.min("v").over(Window.partitionBy("u")).alias("m"))
    return _canonical(
        spokes.select(F.col("v").alias("u"), F.col("m").alias("v")).unionByName(
            spokes.select("u", F.col("m").alias("v"))
        )
    )


def _is_star_forest(edges: DataFrame) -> bool:
    """Every node points to one centre and no centre points anywhere."""
    leaves = edges.groupBy("u").agg(F.count(F.lit(1)).alias("n"))
    centres = edges.select(F.col("v").alias("u")).distinct()
    broken = leaves.where(F.col("n") > 1).select("u").unionByName(centres.join(leaves.select("u"), "u"))
    return broken.limit(1).count() == 0


def connected_components(edges: DataFrame, max_rounds: int = MAX_ROUNDS) -> DataFrame:
    """``(node, label)`` for every node of ``edges`` (columns ``u``, ``v``, int64): ``label`` is
    the smallest node of the node's component.

    Raises:
        ProvenanceError: no convergence within ``max_rounds`` (cannot happen on a finite graph
            before about log^2 of its size rounds; the bound only stops a runaway job).
    """
    current = checkpointed(_canonical(edges.select(F.col("u").cast("long"), F.col("v").cast("long"))))
    for _ in range(max_rounds):
        if _is_star_forest(current):
            break
        current = checkpointed(_small_star(_large_star(current)))
    else:
        raise ProvenanceError(f"connected components did not converge in {max_rounds} rounds")
    leaves = current.select(F.col("u").alias("node"), F.col("v").alias("label"))
    centres = current.select(F.col("v").alias("node"), F.col("v").alias("label")).distinct()
    return leaves.unionByName(centres)
