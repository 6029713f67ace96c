"""The provenance graph built on the executors (``spark_graph_build``) is the local
``build_graph``'s, node for node and edge for edge, in its order (issue 13: the driver builds no
graph of a dataset). A dataset's graph stays on the executors: counted there, written there as
part files in that order, collected only when read."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyspark", reason="the Spark engine tests need the spark extra: pip install 'prov[spark]'")

from provenance.dates import parse_date  # noqa: E402
from provenance.engines import spark_ops as ops  # noqa: E402
from provenance.engines.spark import FrameSeq, SparkEngine  # noqa: E402
from provenance.graph import build_graph  # noqa: E402
from provenance.graph.build import MAX_PAIR_DOCS  # noqa: E402
from provenance.records import Cluster, Document, Occurrence, Origin, TableElsewhere  # noqa: E402
from provenance.report.scan_report import graph_records  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark() -> SparkEngine:
    engine = SparkEngine("local[2]", {"spark.sql.shuffle.partitions": "3"})
    yield engine
    engine.close()


Case = tuple[list[Document], list[Cluster], list[Origin], bool]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Documents (outlets empty, shared or named like a document; dates missing, equal, or equal
    instants written differently; titles empty or shared; ids now and then given twice) and
    clusters of every category over them, some past ``MAX_PAIR_DOCS`` documents, a document's
    copies repeated; origins with an agency, an empty one, none, or missing; read as local
    inputs or as a dataset."""
    n = draw(st.one_of(st.integers(1, 12), st.integers(MAX_PAIR_DOCS, MAX_PAIR_DOCS + 6)))
    outlets = st.sampled_from([None, "", "Reuters", "Eastern Post", "AP", "doc:1", "Ünï <&>"])
    dates = st.sampled_from([None, "2024-05-27", "2024-05-28", "2024-05-28T06:00:00+00:00", "28 May 2024 08:00 +0200"])
    titles = st.sampled_from([None, "", "Title", "Title 2"])
    docs = []
    for i in range(n):
        date = draw(dates)
        docs.append(Document(i, f"doc-{i}", "", "test", draw(outlets), date, draw(titles), when=parse_date(date)))
    if draw(st.booleans()):
        docs = [replace(d, doc_id=f"doc-{draw(st.integers(0, n - 1))}") for d in docs]
    clusters, origins, passage = [], [], 0
    for k in range(draw(st.integers(0, 6))):
        cid = ops.cluster_id(k + 1)
        every = list(range(min(n, draw(st.sampled_from([MAX_PAIR_DOCS, MAX_PAIR_DOCS + 1])))))
        members = draw(st.one_of(st.lists(st.integers(0, n - 1), min_size=1, max_size=70), st.just(every)))
        copies = []
        for j, d in enumerate(members):
            passage += 1
            copies.append(
                Occurrence(ops.passage_id(passage), cid, d, 3 * j, 3 * j + draw(st.integers(1, 200)), "cross-document")
            )
        category = draw(st.sampled_from(["news", "news", "news", "boilerplate", "stock"]))
        clusters.append(Cluster(cid, tuple(copies), category != "news", category, "drawn"))
        agency = draw(st.sampled_from([None, "", "AP", "Reuters", "AFP", "skip"]))
        if agency != "skip":
            origins.append(Origin(cid, agency, draw(st.floats(0, 1)), f"evidence {k} <&>\n"))
    return docs, clusters, origins, draw(st.booleans())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_the_executors_build_the_local_graph(spark: SparkEngine, categorized_frame, case: Case) -> None:
    docs, clusters, origins, dataset = case
    want_nodes, want_edges = build_graph(docs, clusters, origins)
    try:
        held = categorized_frame(spark, clusters)
        read: list[Document] | FrameSeq[Document] = docs
        if dataset:  # documents kept in a frame, as Spark reads a Parquet dataset
            read = FrameSeq(spark._documents(docs), lambda _: docs, lambda _: len(docs))
        nodes, edges = spark.graph(read, held, origins)
        if dataset and clusters:
            assert isinstance(nodes, TableElsewhere) and isinstance(edges, TableElsewhere)
            assert (len(nodes), len(edges)) == (len(want_nodes), len(want_edges))  # counted in Spark
            with tempfile.TemporaryDirectory() as tmp:
                nodes.write_table(Path(tmp) / "nodes.parquet")
                edges.write_table(Path(tmp) / "edges.parquet")
                assert all(p.name.startswith("part-") for p in (Path(tmp) / "edges.parquet").iterdir())
                written_nodes, written_edges = graph_records(Path(tmp))
                assert list(written_nodes) == list(want_nodes)
                assert list(written_edges) == list(want_edges)
        assert list(nodes) == list(want_nodes)
        assert list(edges) == list(want_edges)
    finally:
        spark.release()


def test_a_dataset_without_a_cluster_has_an_empty_graph_and_no_document_read(
    spark: SparkEngine, categorized_frame
) -> None:
    docs = [Document(i, f"doc-{i}", "text", "test", "AP") for i in range(3)]

    def collect(_: object) -> list[Document]:
        raise AssertionError("the documents of a dataset were collected to the driver")

    read = FrameSeq(spark._documents(docs), collect, lambda _: len(docs))
    try:
        nodes, edges = spark.graph(read, categorized_frame(spark, []), [])
        assert (list(nodes), list(edges)) == ([], [])
    finally:
        spark.release()
