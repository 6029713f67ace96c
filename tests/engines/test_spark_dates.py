"""Dates on the Spark engine: a Parquet dataset read by Spark gets each document's ``when`` from
the same ``parse_date`` as a local read (``--dayfirst`` included), and its unreadable dates are
warned about once per file, with a count."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark", reason="the Spark engine tests need the spark extra: pip install 'prov[spark]'")

from provenance.config import ScanConfig  # noqa: E402
from provenance.engines.local import LocalEngine  # noqa: E402
from provenance.engines.spark import SparkEngine  # noqa: E402

pytestmark = pytest.mark.slow

STORY = "The council met on Tuesday to discuss the new harbour wall and its cost."


@pytest.fixture(scope="module")
def spark() -> SparkEngine:
    engine = SparkEngine("local[2]", {"spark.sql.shuffle.partitions": "2"})
    yield engine
    engine.close()


def test_a_dataset_read_by_spark_gets_the_dates_a_local_read_gets(
    spark: SparkEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "dated.parquet"
    folder.mkdir()
    dates = ["07/03/2017", "March 8, 2017", "Tue, 07 Mar 2017 14:00:00 +0000", "next Tuesday", None, "soon"]
    rows = [{"id": f"d{i}", "text": f"{STORY} ({i})", "date": d} for i, d in enumerate(dates)]
    pq.write_table(pa.Table.from_pylist(rows[:3]), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(rows[3:]), folder / "part-00001.parquet")
    config = ScanConfig(dayfirst=True, workers=1)
    with caplog.at_level(logging.WARNING, logger="provenance"):
        local_docs, _ = LocalEngine(workers=1).load([folder], config)
        try:
            spark_docs = list(spark.load([folder], config)[0])
        finally:
            spark.release()
    assert [(d.date, d.when) for d in spark_docs] == [(d.date, d.when) for d in local_docs]
    assert [d.when for d in spark_docs] == [
        datetime(2017, 3, 7, tzinfo=UTC),  # day first
        datetime(2017, 3, 8, tzinfo=UTC),
        datetime(2017, 3, 7, 14, tzinfo=UTC),
        None,
        None,
        None,
    ]
    warned = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    # The same one line from each read (Spark names the file by URI).
    assert [w.removeprefix("file:") for w in warned] == 2 * [
        f"{folder / 'part-00001.parquet'}: 2 dates could not be read (e.g. 'next Tuesday'); they count as unknown"
    ]
