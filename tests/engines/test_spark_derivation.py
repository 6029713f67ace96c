"""The derivation table computed on the executors (``spark_derivation``) is the local
``derivation_table``, row for row (issue 13: the driver neither tokenizes the paired documents
nor holds a row per pair). Hypothesis draws the hard cases: clusters past ``MAX_PAIR_DOCS``
documents (each paired with the one holding the longest copy), pairs that meet only through a
third document's copy, copies of two clusters overlapping in one document, alignments inside
one document, dates missing or equal, empty texts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyspark", reason="the Spark engine tests need the spark extra: pip install 'prov[spark]'")

from provenance.arrow import rows_of  # noqa: E402
from provenance.dates import parse_date  # noqa: E402
from provenance.engines import spark_ops as ops  # noqa: E402
from provenance.engines.spark import SparkEngine  # noqa: E402
from provenance.graph.build import MAX_PAIR_DOCS  # noqa: E402
from provenance.records import Alignment, Cluster, Document, Occurrence, ScanResult  # noqa: E402
from provenance.report import read_table  # noqa: E402
from provenance.report.derivation import derivation_table  # noqa: E402

pytestmark = pytest.mark.slow

WORDS = ["wire", "copy", "Mosul", "forces", "said", "on", "Monday", "l'armée", "Ирак", "30,000", "—", "AP", "x"]


@pytest.fixture(scope="module")
def spark() -> SparkEngine:
    engine = SparkEngine("local[2]", {"spark.sql.shuffle.partitions": "3"})
    yield engine
    engine.close()


@st.composite
def results(draw: st.DrawFn) -> ScanResult:
    n = draw(st.one_of(st.integers(2, 8), st.integers(MAX_PAIR_DOCS + 1, MAX_PAIR_DOCS + 4)))
    dates = st.sampled_from([None, "2024-05-27", "2024-05-28", "2024-05-28T06:00:00+00:00"])
    docs = []
    for i in range(n):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=60))
        text = " ".join(words) + (". " if draw(st.booleans()) else "")
        date = draw(dates)
        docs.append(Document(i, f"doc-{i:03d}", text, "test", None, date, when=parse_date(date)))
    clusters: list[Cluster] = []
    alignments: list[Alignment] = []
    passage = 0
    for k in range(draw(st.integers(1, 5))):
        cid = ops.cluster_id(k + 1)
        wide = n > MAX_PAIR_DOCS and draw(st.booleans())
        members = list(range(n)) if wide else draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6))
        copies = []
        for d in members:
            size = len(docs[d].text)
            start = draw(st.integers(0, max(size - 1, 0)))
            end = draw(st.integers(min(start + 1, size), size)) if size else 0
            if end <= start:
                continue
            passage += 1
            copies.append(Occurrence(ops.passage_id(passage), cid, d, start, end, "cross-document"))
        if not copies:
            continue
        category = draw(st.sampled_from(["news", "news", "news", "boilerplate"]))
        clusters.append(Cluster(cid, tuple(copies), category != "news", category, "drawn"))
        for _ in range(draw(st.integers(0, 4))):  # alignments between two copies of the cluster
            first, second = draw(st.sampled_from(copies)), draw(st.sampled_from(copies))
            a_start = draw(st.integers(first.start, first.end - 1))
            a_end = draw(st.integers(a_start + 1, first.end))
            b_start = draw(st.integers(second.start, second.end - 1))
            b_end = draw(st.integers(b_start + 1, second.end))
            alignments.append(Alignment(first.doc, a_start, a_end, second.doc, b_start, b_end, 0.9, 1, 1))
    return ScanResult(
        documents=docs,
        alignments=rows_of(alignments, Alignment),
        clusters=tuple(clusters),
        skipped=(),
        boilerplate=(),
        timings=(),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(results())
def test_the_executors_compute_the_local_derivation_table(spark: SparkEngine, categorized_frame, result) -> None:
    want = derivation_table(result).to_pylist()
    docs = spark._documents(result.documents)
    clusters = categorized_frame(spark, list(result.clusters)).frame
    try:
        with tempfile.TemporaryDirectory() as tmp:
            spark._write_derivation(docs, clusters, result.alignments, Path(tmp) / "derivation.parquet")
            got = read_table(Path(tmp), "derivation").to_pylist()
    finally:
        spark.release()
    assert got == want
