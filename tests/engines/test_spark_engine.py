"""The Spark engine in local mode gives what the local engine gives: the same clusters, passages
(documents and offsets), alignments, credits, origins, graph and boilerplate buckets, on the
seeds, the fixtures, the golden cases and a Reuters file; and ``prov scan --engine spark`` writes
the same report. One Spark session serves the whole module (local[2], UI off, on 127.0.0.1)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark", reason="the Spark engine tests need the spark extra: pip install 'prov[spark]'")

from provenance.cluster import build_clusters, merge_spans, merge_within  # noqa: E402
from provenance.cluster.categories import categorize  # noqa: E402
from provenance.cluster.clusters import UnionFind  # noqa: E402
from provenance.config import CategoryConfig, DetectConfig, InputLimits, ScanConfig  # noqa: E402
from provenance.credits import load_gazetteer  # noqa: E402
from provenance.engines.local import LocalEngine  # noqa: E402
from provenance.engines.spark import FrameSeq, SparkEngine, _merged  # noqa: E402
from provenance.engines.spark_graph import connected_components  # noqa: E402
from provenance.engines.stages import credits_batch, sketch_batch  # noqa: E402
from provenance.pipeline import load, scan  # noqa: E402
from provenance.records import ScanResult  # noqa: E402
from provenance.report import TABLES, read_table, write_scan_report  # noqa: E402
from provenance.sketch import candidate_pairs, pack_bands, scan_banding  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
GOLDEN = sorted(p.name for p in (ROOT / "fixtures" / "golden").iterdir() if (p / "inputs.txt").is_file())
COMPARED = ("documents", "alignments", "clusters", "credits", "origins", "nodes", "edges", "boilerplate", "skipped")


@pytest.fixture(scope="module")
def spark() -> SparkEngine:
    engine = SparkEngine("local[2]", {"spark.sql.shuffle.partitions": "2"})
    yield engine
    engine.close()


def both(paths: list[Path], spark: SparkEngine, config: ScanConfig | None = None) -> tuple[ScanResult, ScanResult]:
    config = config or ScanConfig(workers=1)
    local = scan(paths, config, engine=LocalEngine(workers=1))
    try:
        on_spark = scan(paths, config, engine=spark)
    finally:
        spark.release()
    return local, on_spark


def assert_same(local: ScanResult, on_spark: ScanResult) -> None:
    for name in COMPARED:
        assert tuple(getattr(on_spark, name)) == tuple(getattr(local, name)), f"{name} differ"
    assert on_spark.counts == local.counts
    passages = [
        (o.passage_id, o.cluster_id, o.doc, o.start, o.end, o.kind) for c in on_spark.clusters for o in c.occurrences
    ]
    assert passages, "nothing to compare: the case found no passages"


def test_the_session_is_private(spark: SparkEngine) -> None:
    conf = spark.session.sparkContext.getConf()
    assert conf.get("spark.ui.enabled") == "false"
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert spark.session.sparkContext.master == "local[2]"


def test_seeds_give_the_same_result(spark: SparkEngine, seeds_dir: Path) -> None:
    assert_same(*both([seeds_dir], spark))


def test_a_corpus_without_reuse_gives_the_same_empty_result(spark: SparkEngine, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The council met on Tuesday to discuss the new harbour wall and its cost.\n")
    (tmp_path / "b.txt").write_text("Oil prices rose sharply in early trading after the pipeline was closed.\n")
    local, on_spark = both([tmp_path], spark)
    for name in COMPARED:
        assert tuple(getattr(on_spark, name)) == tuple(getattr(local, name)), f"{name} differ"
    assert on_spark.clusters == ()


def test_a_dataset_without_a_credit_gets_an_empty_credits_table(spark: SparkEngine, tmp_path: Path) -> None:
    """The executors write a dataset's credits table: with no credit, an empty one of the local
    columns."""
    folder = tmp_path / "corpus.parquet"
    folder.mkdir()
    rows = [{"id": "a", "text": "The council met on Tuesday to discuss the new harbour wall and its cost."}]
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-00000.parquet")
    local, on_spark = both([folder], spark)
    assert len(on_spark.credits) == 0
    config = ScanConfig(workers=1)
    write_scan_report(tmp_path / "local", local, config, [folder])
    write_scan_report(
        tmp_path / "spark", on_spark, config, [folder], engine="spark", writers=spark.table_writers(on_spark)
    )
    assert (tmp_path / "spark" / "credits.parquet").is_dir()
    empty, expected = (read_table(tmp_path / out, "credits") for out in ("spark", "local"))
    assert empty.num_rows == 0 and empty.schema.remove_metadata() == expected.schema.remove_metadata()


def test_a_datasets_credits_need_the_engine_open_to_be_written(tmp_path: Path) -> None:
    from provenance.errors import ReportError

    closed = SparkEngine("local[1]")  # never started: as after close()
    with pytest.raises(ReportError, match="write the report while the engine is open"):
        closed._write_credits(None, [], 0, tmp_path / "credits.parquet")
    assert not (tmp_path / "credits.parquet").exists()


@pytest.mark.parametrize("case", GOLDEN)
def test_golden_cases_give_the_same_result(case: str, spark: SparkEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the cases name their inputs relative to the repository
    inputs = [Path(p) for p in (ROOT / "fixtures" / "golden" / case / "inputs.txt").read_text().split()]
    assert_same(*both(inputs, spark))


def test_oversized_buckets_are_chained_and_reported_alike(spark: SparkEngine, seeds_dir: Path) -> None:
    config = ScanConfig(detect=DetectConfig(max_bucket=2, boilerplate_docs=2), workers=1)
    local, on_spark = both([seeds_dir, ROOT / "fixtures" / "inputs"], spark, config)
    assert local.boilerplate, "the test needs buckets over --max-bucket"
    assert any(c.boilerplate for c in local.clusters), "the test needs clusters over --boilerplate-docs"
    assert_same(local, on_spark)


def test_a_reuters_file_gives_the_same_result(spark: SparkEngine, reuters_dir: Path) -> None:
    local, on_spark = both([reuters_dir / "reut2-000.sgm"], spark)
    assert len(local.clusters) > 100
    assert_same(local, on_spark)


def test_a_parquet_dataset_read_by_spark_gives_the_same_result(
    spark: SparkEngine, seeds_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus.parquet"  # a folder of part files, as Spark and Hive write them
    folder.mkdir()
    files = sorted(seeds_dir.glob("*.txt"))
    rows = [
        {"id": f.name, "text": f.read_text(encoding="utf-8"), "outlet": f"outlet{i % 2}"} for i, f in enumerate(files)
    ]
    rows.insert(2, {"id": files[3].name, "text": "   ", "outlet": None})  # skipped: its id stays free
    rows.append({"id": files[0].name, "text": "a second row with a known id", "outlet": None})
    pq.write_table(pa.Table.from_pylist(rows[:3]), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(rows[3:]), folder / "part-00001.parquet")
    local, on_spark = both([folder], spark)
    assert [d.doc_id for d in on_spark.documents] == [f.name for f in files]
    assert [(s.line, s.reason) for s in on_spark.skipped] == [(s.line, s.reason) for s in local.skipped]
    # The driver holds whole only the documents with a passage; Spark names the files it read by
    # URI; everything else is the local engine's.
    shown = sorted({o.doc for c in local.clusters for o in c.occurrences})
    assert shown and [on_spark.documents[d] for d in shown] == [
        replace(local.documents[d], source="file:" + local.documents[d].source) for d in shown
    ]
    for name in ("alignments", "clusters", "credits", "origins", "nodes", "edges", "boilerplate"):
        assert tuple(getattr(on_spark, name)) == tuple(getattr(local, name)), f"{name} differ"
    # The executors write the documents table: every document's row, the local engine's.
    config = ScanConfig(workers=1)
    write_scan_report(tmp_path / "local", local, config, [folder])
    write_scan_report(tmp_path / "spark", on_spark, config, [folder], writers=spark.table_writers(on_spark))
    documents = read_table(tmp_path / "spark", "documents").to_pylist()
    for row in documents:
        row["source"] = row["source"].removeprefix("file:")
    assert documents == read_table(tmp_path / "local", "documents").to_pylist()


def test_a_parquet_dataset_gets_the_input_rules_of_a_local_read(spark: SparkEngine, tmp_path: Path) -> None:
    # Spark runs IngestPolicy's rules as Spark SQL; a local read of the same part files runs them
    # in Python. Every rule is broken here at least once, some in ways Spark SQL reads differently
    # from Python unless built from the policy (an empty id, white space beyond ASCII).
    folder = tmp_path / "rules.parquet"
    folder.mkdir()
    story = "The council met on Tuesday to discuss the new harbour wall and its cost."
    first = [
        {"id": "a", "text": story, "title": "kept", "tag": 1},
        {"id": None, "text": story + " Again.", "title": None, "tag": 2},  # no id: part-00000.parquet:2
        {"id": "", "text": story + " Thrice.", "title": None, "tag": 3},  # an empty id is no id either
        {"id": "b", "text": "", "title": None, "tag": 4},
        {"id": "c", "text": None, "title": None, "tag": 5},
        {"id": "d", "text": " \u00a0\u2003\n", "title": None, "tag": 6},  # white space only, not all ASCII
    ]
    second = [
        {"id": "a", "text": "a second row with a known id", "title": None, "tag": 7},
        {"id": "b", "text": "b is free: its first row had no text", "title": None, "tag": 8},
        {"id": "e", "text": "x" * 201, "title": None, "tag": 9},  # over the limit below
        {"id": "f", "text": "short", "title": "a NUL\x00 in the title", "tag": 10},
        {"id": "f", "text": "f is free: its first row had a NUL", "title": None, "tag": 11},
    ]
    pq.write_table(pa.Table.from_pylist(first), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(second), folder / "part-00001.parquet")
    config = ScanConfig(limits=InputLimits(max_doc_bytes=200), workers=1)

    local_docs, local_skipped = LocalEngine(workers=1).load([folder], config)
    try:
        spark_docs, spark_skipped = spark.load([folder], config)
        # Spark names the files it read by URI; everything else is the local read's.
        assert [replace(d, source=d.source.removeprefix("file:")) for d in spark_docs] == local_docs
        assert [replace(s, source=s.source.removeprefix("file:")) for s in spark_skipped] == local_skipped
    finally:
        spark.release()
    assert [d.doc_id for d in local_docs] == ["a", "part-00000.parquet:2", "part-00000.parquet:3", "b", "f"]
    assert [(Path(s.source).name, s.line, s.reason) for s in local_skipped] == [
        ("part-00000.parquet", 4, "row has no text in field 'text'"),
        ("part-00000.parquet", 5, "row has no text in field 'text'"),
        ("part-00000.parquet", 6, "row has no text in field 'text'"),
        ("part-00001.parquet", 1, "duplicate document id 'a' (first one kept)"),
        ("part-00001.parquet", 3, "document of 201 bytes is over the 200 bytes limit"),
        ("part-00001.parquet", 4, "NUL character in field 'title'"),
    ]


def test_each_spark_shuffle_takes_plain_records_and_matches_the_local_stage(
    spark: SparkEngine, seeds_dir: Path
) -> None:
    config = ScanConfig(detect=DetectConfig(max_bucket=2), workers=1)
    docs, _ = load([seeds_dir, ROOT / "fixtures" / "inputs"], config)
    detect = config.detect
    keys = [
        bk for lo in range(0, len(docs), 4) for bk in sketch_batch(docs[lo : lo + 4], detect, scan_banding(detect))[0]
    ]
    pairs, hits, acc = candidate_pairs(
        pack_bands(keys, len(docs)), len(docs), max_bucket=detect.max_bucket, min_hits=detect.min_hits
    )
    try:
        on_spark, spark_acc = spark.candidates(keys, detect, len(docs))
        assert [[p.doc_a, p.doc_b] for p in on_spark] == pairs.tolist()
        assert [p.hits for p in on_spark] == hits.tolist()
        assert spark_acc.boilerplate == acc.boilerplate
        assert (spark_acc.chained_pairs, spark_acc.dropped_pairs) == (acc.chained_pairs, acc.dropped_pairs)
        local = LocalEngine(workers=1)
        with local.sketch(docs, detect, scan_banding(detect)):
            alignments, rejected = local.align(docs, pairs, detect)
        spark_alignments, spark_rejected = spark.align(docs, pairs, detect)
        assert list(spark_alignments) == alignments
        assert spark_rejected == rejected
        local_clusters = merge_within(build_clusters(alignments, 2))
        assert list(spark.cluster(alignments, boilerplate_docs=2)) == local_clusters
        # Categorized where the clusters are: neither they nor the result is collected to do it.
        clusters = spark.cluster(alignments, boilerplate_docs=2)
        credits = credits_batch(docs, load_gazetteer())
        params = CategoryConfig(sample=3)
        categorized = spark.categorize(clusters, docs, credits, params, 2)
        assert isinstance(categorized, FrameSeq) and clusters._collected is None and categorized._collected is None
        assert list(categorized) == categorize(local_clusters, docs, credits, params, 2)
        assert {c.category for c in categorized} > {"news"}
    finally:
        spark.release()


def test_copies_of_a_cluster_in_one_document_merge_as_merge_spans_merges_them(spark: SparkEngine) -> None:
    rng = random.Random(11)
    rows, node = [], 0
    for _ in range(400):
        label, doc, start = rng.randrange(4), rng.randrange(5), rng.randrange(0, 300, 5)
        end = start + rng.choice([5, 10, 40])  # spans that touch (end == next start) stay apart
        for _ in range(rng.choice([1, 1, 2])):  # two nodes of the same extent, now and then
            rows.append((label, node, doc, start, end))
            node += 1
    frame = spark.session.createDataFrame(rows, "label long, node long, doc long, start long, `end` long")
    got = sorted(tuple(r) for r in _merged(frame).select("label", "doc", "start", "end").collect())
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for label, _, doc, start, end in rows:
        spans.setdefault((label, doc), []).append((start, end))
    expected = sorted((label, doc, s, e) for (label, doc), found in spans.items() for s, e in merge_spans(found))
    assert got == expected
    assert len(expected) < len(rows)  # some copies merged


def test_connected_components_label_every_node_with_its_smallest(spark: SparkEngine) -> None:
    rng = random.Random(5)
    edges = [(i, i + 1) for i in range(0, 60)]  # a long path: many rounds
    edges += [(rng.randrange(100, 400), rng.randrange(100, 400)) for _ in range(250)]
    edges += [(7, 7), (500, 500)]  # self loops: node 500 has no other edge
    frame = spark.session.createDataFrame(edges, "u long, v long")
    labels = {r["node"]: r["label"] for r in connected_components(frame).collect()}
    uf = UnionFind(501)
    for u, v in edges:
        uf.union(u, v)
    nodes = {n for e in edges for n in e if any(n in e2 and e2[0] != e2[1] for e2 in edges)}
    assert labels == {n: uf.find(n) for n in nodes}


def test_prov_scan_engine_spark_writes_the_local_report(
    runner, seeds_dir: Path, tmp_path: Path, spark, same_report
) -> None:
    local_out, spark_out = tmp_path / "local", tmp_path / "spark"
    assert runner("scan", seeds_dir, "--out", local_out, "--quiet", "--workers", "1").exit_code == 0
    result = runner(
        "scan",
        seeds_dir,
        "--out",
        spark_out,
        "--quiet",
        "--engine",
        "spark",
        "--spark-master",
        "local[2]",
        "--conf",
        "spark.sql.shuffle.partitions=2",
    )
    assert result.exit_code == 0, result.output
    same_report(spark_out, local_out)
    assert '"engine": "spark"' in (spark_out / "manifest.json").read_text(encoding="utf-8")
    assert runner("graph", spark_out, "--quiet").exit_code == 0


@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_report_tables_written_by_spark_as_part_folders_read_back(
    runner, spark, seeds_dir, tmp_path, report_rows
) -> None:
    out = tmp_path / "report"
    assert runner("scan", seeds_dir, "--out", out, "--quiet", "--workers", "1").exit_code == 0
    expected = report_rows(out)
    for name in ("passages", "nodes", "edges"):
        table = pq.read_table(out / f"{name}.parquet")
        (out / f"{name}.parquet").unlink()
        frame = spark.session.createDataFrame(table.to_pandas()).repartition(2)
        frame.write.parquet(str(out / f"{name}.parquet"))  # a folder of part files
        assert (out / f"{name}.parquet").is_dir()
    got = report_rows(out)
    for name in TABLES:
        key = sorted(expected[name][0]) if expected[name] else []
        assert sorted(got[name], key=lambda r: [str(r[k]) for k in key]) == sorted(  # noqa: B023
            expected[name], key=lambda r: [str(r[k]) for k in key]
        )
    result = runner("graph", out)
    assert result.exit_code == 0, result.output
    assert "nodes" in result.output
