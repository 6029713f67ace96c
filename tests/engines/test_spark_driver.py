"""The Spark engine never collects a Parquet dataset's texts to the driver (issue 13).

The scan runs with ``spark.driver.maxResultSize`` far below the size of the texts: any job
that brought them to the driver (a collect of the documents, a broadcast join of the texts)
fails the scan. The texts that do reach the driver are those of the documents with a passage
(the report's passages and pages show them), a small part of this corpus by construction: the
seeds, whose reuse is known, among Reuters-21578 articles that share no run of eight words.
The report must still be the local engine's, its ``texts`` table included (written by the
executors as part files).

The cluster stage's composite cuts and noise trims, and the categories' facts, run on the
executors too: a generated corpus with site chrome and syndicated roundups (``benchmarks``)
makes many of each, and the Spark engine must make exactly the local engine's.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark", reason="the Spark engine tests need the spark extra: pip install 'prov[spark]'")

from pyspark.sql import DataFrame  # noqa: E402

from provenance.config import ScanConfig  # noqa: E402
from provenance.engines.local import LocalEngine  # noqa: E402
from provenance.engines.spark import SparkEngine  # noqa: E402
from provenance.ingest.reuters import sgml_rows  # noqa: E402
from provenance.pipeline import scan  # noqa: E402
from provenance.records import Document, Skipped  # noqa: E402
from provenance.report import read_graph, read_table, write_scan_report  # noqa: E402

pytestmark = pytest.mark.slow

PROV = Path(sys.executable).with_name("prov")
MAX_RESULT = 1 << 20  # spark.driver.maxResultSize: 1m
SCAN_TIMEOUT = 600.0
_WORD = re.compile(r"\w+")


def unrelated_articles(files: list[Path]) -> list[str]:
    """Reuters bodies that share no run of eight words with an earlier one, written as prose
    (few digits, no earnings table "vs" lines, 500 characters or more): articles that reuse
    nothing from each other."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for path in files:
        skipped: list[Skipped] = []
        for _, row in sgml_rows(path, skipped):
            body = row["text"] or ""
            if len(body) < 500 or " vs " in body or sum(c.isdigit() for c in body) > 0.01 * len(body):
                continue
            words = [w.casefold() for w in _WORD.findall(body)]
            grams = {tuple(words[i : i + 8]) for i in range(len(words) - 7)}
            if grams & seen:
                continue
            seen |= grams
            kept.append(body)
    return kept


def write_dataset(folder: Path, seeds_dir: Path, reuters_dir: Path) -> int:
    """A Parquet dataset (two part files) of the unrelated Reuters articles, then the seeds (the
    documents with a passage come last: in the report's last part file); the size of its texts
    in UTF-8 bytes."""
    articles = unrelated_articles(sorted(reuters_dir.glob("reut2-*.sgm")))
    rows = [{"id": f"reuters-{k:05d}", "text": text} for k, text in enumerate(articles)]
    rows += [{"id": f.name, "text": f.read_text(encoding="utf-8")} for f in sorted(seeds_dir.glob("*.txt"))]
    folder.mkdir()
    half = len(rows) // 2
    pq.write_table(pa.Table.from_pylist(rows[:half]), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(rows[half:]), folder / "part-00001.parquet")
    return sum(len(r["text"].encode("utf-8")) for r in rows)


def rows_of(report: Path, name: str) -> list[dict]:
    return read_table(report, name).to_pylist()


@pytest.fixture(scope="module")
def spark() -> SparkEngine:
    engine = SparkEngine("local[2]", {"spark.sql.shuffle.partitions": "2"})
    yield engine
    engine.close()


def test_a_dataset_scan_keeps_the_texts_off_the_driver(
    runner, seeds_dir: Path, reuters_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus.parquet"
    size = write_dataset(folder, seeds_dir, reuters_dir)
    assert size > 3 * MAX_RESULT, "the texts must not fit the driver's result limit, or the test proves nothing"
    local_out, spark_out = tmp_path / "local", tmp_path / "spark"
    result = runner("scan", folder, "--out", local_out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    passages = rows_of(local_out, "passages")
    shown = {r["doc_id"] for r in passages}
    shown_size = sum(len(r["text"].encode("utf-8")) for r in rows_of(local_out, "texts") if r["doc_id"] in shown)
    assert passages and shown_size < MAX_RESULT / 2, "the texts of documents with a passage may reach the driver"

    args = ["scan", str(folder), "--out", str(spark_out), "--quiet", "--engine", "spark"]
    args += ["--spark-master", "local[2]", "--conf", "spark.sql.shuffle.partitions=2"]
    args += ["--conf", f"spark.driver.maxResultSize={MAX_RESULT >> 20}m"]
    # Both shuffle partitions kept (not coalesced into one): the executors write the documents
    # table in two part files, and the pages must number documents across them.
    args += ["--conf", "spark.sql.adaptive.coalescePartitions.enabled=false"]
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    done = subprocess.run(
        [str(PROV), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=SCAN_TIMEOUT
    )
    said = [line for line in done.stderr.splitlines() if not line.lstrip().startswith(("at ", "... "))]
    assert done.returncode == 0, done.stdout + "\n".join(said[-60:])  # without the JVM's stack frames

    for name in ("passages", "alignments", "clusters", "credits", "wire_share", "derivation", "nodes", "edges"):
        assert rows_of(spark_out, name) == rows_of(local_out, name), f"{name} differs"
    documents = rows_of(spark_out, "documents")
    for row in documents:  # Spark names the files it read by URI (docs/spark.md, Inputs)
        row["source"] = row["source"].removeprefix("file:")
    assert documents == rows_of(local_out, "documents")
    assert read_graph(spark_out) == read_graph(local_out)
    for name in ("nodes", "edges", "passages", "clusters", "wire_share", "alignments"):  # by the executors
        assert (spark_out / f"{name}.parquet").is_dir(), f"the executors write the {name} as part files"
    for name in ("graph.graphml", "graph.gexf"):  # streamed back from those parts
        assert (spark_out / name).read_bytes() == (local_out / name).read_bytes(), f"{name} differs"
    assert (spark_out / "texts.parquet").is_dir(), "the executors write the texts as part files"
    assert rows_of(spark_out, "texts") == rows_of(local_out, "texts")
    assert (spark_out / "index.html").is_file()
    # The pages number documents by their row, read across the executors' part files: the same
    # pages as the local report's (the overview names the engine and its timings).
    assert len(list((spark_out / "documents.parquet").glob("part-*.parquet"))) > 1
    pages = {
        engine: sorted((out / "html" / "data").rglob("*.js"))
        for engine, out in (("local", local_out), ("spark", spark_out))
    }
    assert [p.relative_to(local_out) for p in pages["local"]] == [p.relative_to(spark_out) for p in pages["spark"]]
    for mine, theirs in zip(pages["local"], pages["spark"], strict=True):
        if mine.name != "overview.js":
            assert mine.read_bytes() == theirs.read_bytes(), f"{mine.relative_to(local_out)} differs"


def test_cuts_trims_and_categories_on_the_executors_are_the_local_ones(
    spark: SparkEngine, reuters_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import generate, textbase

    base = textbase.load_base(reuters_dir, files=3, cache_dir=None)
    generated = tmp_path / "gen"
    generate.generate(generate.GenConfig(docs=300, seed=7), generated, base)
    rows = [json.loads(line) for line in (generated / generate.CORPUS).read_text(encoding="utf-8").splitlines()]
    folder = tmp_path / "corpus.parquet"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows[:150]), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(rows[150:]), folder / "part-00001.parquet")

    tasks: Counter = Counter()
    retext = spark._retext

    def counted(rows: DataFrame, docs: list, fn: Callable) -> DataFrame:
        tasks[getattr(fn, "func", fn).__name__] += rows.count()
        return retext(rows, docs, fn)

    monkeypatch.setattr(spark, "_retext", counted)
    config = ScanConfig(workers=1)
    local = scan([folder], config, engine=LocalEngine(workers=1))
    on_spark = scan([folder], config, engine=spark)
    assert tasks["split_batches"] > 50 and tasks["trim_batches"] > 50, tasks  # both kinds of cut were made
    for name in ("alignments", "clusters", "credits", "origins", "nodes", "edges", "boilerplate", "skipped"):
        assert tuple(getattr(on_spark, name)) == tuple(getattr(local, name)), f"{name} differ"
    assert on_spark.counts == local.counts
    assert on_spark.texts_elsewhere is not None and local.texts_elsewhere is None
    shown = {o.doc for c in local.clusters for o in c.occurrences}
    assert [d.text if d.index in shown else "" for d in local.documents] == [d.text for d in on_spark.documents]

    local_out, spark_out = tmp_path / "local", tmp_path / "spark"
    write_scan_report(local_out, local, config, [folder])
    write_scan_report(spark_out, on_spark, config, [folder], engine="spark", writers=spark.table_writers(on_spark))
    for name in ("passages", "alignments", "clusters", "credits", "wire_share", "derivation", "texts"):
        assert rows_of(spark_out, name) == rows_of(local_out, name), f"{name} differs"
    documents = rows_of(spark_out, "documents")
    for row in documents:
        row["source"] = row["source"].removeprefix("file:")
    assert documents == rows_of(local_out, "documents")


def test_a_result_without_its_texts_needs_the_engine_to_write_them(tmp_path: Path) -> None:
    from provenance.errors import ReportError
    from provenance.records import ScanResult, TextsElsewhere

    result = ScanResult((), (), (), (), (), (), texts_elsewhere=TextsElsewhere(()))
    with pytest.raises(ReportError, match="texts stayed with the engine"):
        write_scan_report(tmp_path / "report", result, ScanConfig(), [])
    assert not (tmp_path / "report").exists()
    write_scan_report(tmp_path / "report", result, ScanConfig(), [], texts=False)  # without texts, it need not
    assert not (tmp_path / "report" / "texts.parquet").exists()


def filler_articles(n: int, seed: int = 5) -> list[str]:
    """``n`` articles of random words from a vocabulary of 5,000: they share no passage with
    each other nor with anything else."""
    rng = random.Random(seed)
    vocabulary = [f"w{k}x{rng.randrange(10**6)}" for k in range(5000)]
    return [" ".join(rng.choices(vocabulary, k=rng.randrange(80, 200))) + "." for _ in range(n)]


def test_the_driver_holds_only_the_documents_with_a_passage(
    spark: SparkEngine,
    seeds_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13: for a dataset, the driver's result holds a ``Document`` for each document with
    a passage and none for the others (their ids and outlets in columns), and no credit; the
    executors write the ``documents`` table, pass-through columns included, with or without the
    texts, and the ``credits`` table."""
    texts = [f.read_text(encoding="utf-8") for f in sorted(seeds_dir.glob("*.txt"))] + filler_articles(400)
    rows = [
        {
            "id": f"doc-{k:04d}",
            "text": text,
            "outlet": f"outlet {k % 7}" if k % 5 else None,
            "date": f"2024-03-{1 + k % 28:02d}",
            "title": f"Title {k}",
            "section": None if k % 3 == 1 else f"section {k % 4}",  # a pass-through column
            "n_chars": str(k),  # a pass-through column named like a report column
        }
        for k, text in enumerate(texts)
    ]
    folder = tmp_path / "corpus.parquet"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows[:200]), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(rows[200:]), folder / "part-00001.parquet")
    config = ScanConfig(workers=1)

    import provenance.engines.spark as spark_module

    def collected(frame: object) -> list:
        raise AssertionError("the credits were collected to the driver")

    local_credits = spark_module._collect_credits
    monkeypatch.setattr(spark_module, "_collect_credits", collected)
    gc.collect()
    before = sum(1 for o in gc.get_objects() if type(o) is Document)
    on_spark = scan([folder], config, engine=spark)
    gc.collect()
    held = sum(1 for o in gc.get_objects() if type(o) is Document) - before
    shown = {o.doc for c in on_spark.clusters for o in c.occurrences}
    assert shown and len(on_spark.documents) == len(rows)
    assert held <= len(shown), f"the driver holds {held} documents, {len(shown)} have a passage"
    assert on_spark.documents[len(rows) - 1].doc_id == rows[-1]["id"]  # every id, in columns

    local = scan([folder], config, engine=LocalEngine(workers=1))
    local_out, spark_out, bare_out = tmp_path / "local", tmp_path / "spark", tmp_path / "bare"
    write_scan_report(local_out, local, config, [folder])
    caplog.clear()
    write_scan_report(spark_out, on_spark, config, [folder], engine="spark", writers=spark.table_writers(on_spark))
    clashes = [r.getMessage() for r in caplog.records if "clashes with a report column" in r.getMessage()]
    assert clashes == ["input field 'n_chars' clashes with a report column; written as 'extra_n_chars'"]
    write_scan_report(bare_out, on_spark, config, [folder], engine="spark", texts=False)
    assert len(local.credits) > 3 and len(on_spark.credits) == len(local.credits)  # counted in Spark
    assert tuple(local_credits(on_spark.credits.frame)) == local.credits
    for name in ("passages", "alignments", "clusters", "credits", "wire_share", "derivation", "nodes", "edges"):
        assert rows_of(spark_out, name) == rows_of(local_out, name), f"{name} differs"
    assert rows_of(spark_out, "texts") == rows_of(local_out, "texts")
    expected = rows_of(local_out, "documents")
    assert [r["extra_n_chars"] for r in expected] == [r["n_chars"] for r in rows]
    for out in (spark_out, bare_out):
        assert (out / "documents.parquet").is_dir(), "the executors write the documents as part files"
        assert (out / "credits.parquet").is_dir(), "the executors write the credits as part files"
        assert rows_of(out, "credits") == rows_of(local_out, "credits")
        documents = rows_of(out, "documents")
        for row in documents:  # Spark names the files it read by URI (docs/spark.md, Inputs)
            row["source"] = row["source"].removeprefix("file:")
        assert documents == expected
        assert read_table(out, "documents").column_names == read_table(local_out, "documents").column_names
    assert not (bare_out / "texts.parquet").exists()


def test_document_columns_answer_each_field_as_their_documents_do() -> None:
    """The report's tables read the driver's documents a field at a time (``column``) and a text
    at a time (``text_reader``): each must say what the documents themselves say, for the
    documents held whole and for those known only by id and outlet, at any index."""
    from datetime import UTC, datetime

    from provenance.corpus import Held, column, text_reader
    from provenance.engines.spark import DocumentColumns

    table = pa.table(
        {
            "doc_id": [f"d{i}" for i in range(25)],
            "outlet": [None if i % 4 == 0 else f"Outlet {i % 3}" for i in range(25)],
        }
    )
    when = datetime(2017, 7, 10, 9, 30, tzinfo=UTC)
    held = {
        i: Document(
            i,
            f"d{i}",
            f"text of d{i} – Mosul",
            f"file:/x/{i}",
            table["outlet"][i].as_py(),
            "10 July 2017",
            f"Title {i}",
            f"https://x/{i}",
            (("section", "world"),),
            when,
        )
        for i in (0, 7, 24)
    }
    docs = DocumentColumns.of(table).holding(Held(held.values()), lambda path: None)
    documents = list(docs)
    assert [d.doc_id for d in documents] == [f"d{i}" for i in range(25)]
    for name in ("doc_id", "outlet", "source", "title", "url", "date", "when", "extra"):
        values = column(docs, name)
        assert len(values) == 25
        assert list(values) == [values[i] for i in range(25)] == [getattr(d, name) for d in documents], name
        assert values[-1] == getattr(documents[-1], name) and values[3:6] == [getattr(d, name) for d in documents[3:6]]
    assert list(column(docs, "n_chars")) == [len(d.text) for d in documents]
    read = text_reader(docs)
    assert [read(i) for i in range(25)] == [d.text for d in documents]
    assert documents[7] == held[7] and documents[9].text == "" and documents[9].outlet == "Outlet 0"
    with pytest.raises(KeyError):
        column(docs, "colour")
    with pytest.raises(IndexError):
        column(docs, "doc_id")[25]


def test_a_failed_spark_job_is_one_line_and_keeps_the_previous_report(runner, seeds_dir: Path, tmp_path: Path) -> None:
    """A job Spark aborts (here a result over ``spark.driver.maxResultSize``; as often an
    executor out of memory) ends the scan with one line naming the cause and what to change,
    no Python traceback, and the report already in ``--out`` untouched, even with ``--force``."""
    out = tmp_path / "report"
    assert runner("scan", seeds_dir, "--out", out, "--quiet", "--workers", "1").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    args = [str(PROV), "scan", str(seeds_dir), "--out", str(out), "--quiet", "--force", "--engine", "spark"]
    args += ["--spark-master", "local[1]", "--conf", "spark.driver.maxResultSize=1k"]
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=SCAN_TIMEOUT)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("prov: error: Spark failed: SparkException: Job aborted due to stage failure"), last
    assert last.endswith("; raise --conf spark.driver.maxResultSize (0 for no limit)")
    assert {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging folder left beside it


def test_a_setting_that_stops_the_jvm_from_starting_is_one_line(seeds_dir: Path, tmp_path: Path) -> None:
    """A --conf value Java refuses (here a heap size it cannot read) stops the JVM before Spark
    starts: Java's own reason, then prov's one line saying where to look; no traceback."""
    args = [str(PROV), "scan", str(seeds_dir), "--out", str(tmp_path / "report"), "--quiet", "--engine", "spark"]
    args += ["--spark-master", "local[1]", "--conf", "spark.driver.memory=lots"]
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=SCAN_TIMEOUT)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "-Xmxlots" in done.stderr  # Java's reason is kept
    assert (
        done.stderr.strip().splitlines()[-1].startswith("prov: error: Spark failed: its JVM stopped before it started")
    )
    assert not (tmp_path / "report").exists()
