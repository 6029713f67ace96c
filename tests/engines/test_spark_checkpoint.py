"""With a checkpoint directory (``--conf spark.checkpoint.dir=DIR``), the Spark engine cuts its
plans' lineage there (connected components, the derivation table), so that an executor lost on
a cluster is recomputed from the files rather than failing the job; it removes the folder its
session made there when it closes, and leaves the directory, the user's. Without one it keeps
them on the executors (``localCheckpoint``), as every other Spark test runs."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark", reason="the Spark engine tests need the spark extra: pip install 'prov[spark]'")

from provenance.config import ScanConfig  # noqa: E402
from provenance.engines.local import LocalEngine  # noqa: E402
from provenance.engines.spark import SparkEngine  # noqa: E402
from provenance.pipeline import scan  # noqa: E402
from provenance.report import TABLES, read_table, write_scan_report  # noqa: E402

pytestmark = pytest.mark.slow


def test_checkpoints_go_to_the_checkpoint_directory_and_their_folder_goes_at_close(
    seeds_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "seeds.parquet"
    folder.mkdir()
    rows = [{"id": f.name, "text": f.read_text(encoding="utf-8")} for f in sorted(seeds_dir.glob("*.txt"))]
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-00000.parquet")
    directory = tmp_path / "checkpoints"
    directory.mkdir()
    (directory / "users-file").write_text("not prov's\n")
    config = ScanConfig(workers=1)
    write_scan_report(tmp_path / "local", scan([folder], config, LocalEngine(workers=1)), config, [folder])

    conf = {"spark.sql.shuffle.partitions": "2", "spark.checkpoint.dir": str(directory)}
    engine = SparkEngine("local[2]", conf)
    try:
        result = scan([folder], config, engine)
        assert len(result.clusters) > 0, "no cluster: no connected components, nothing checkpointed"
        writers = engine.table_writers(result)
        write_scan_report(tmp_path / "spark", result, config, [folder], engine="spark", writers=writers)
        own = Path(engine.session.sparkContext.getCheckpointDir().removeprefix("file:"))
        assert own.parent == directory, "the session's checkpoints go in a folder of its own in the directory"
        assert len(list(own.glob("rdd-*"))) >= 2, "connected components and the derivation table checkpoint there"
    finally:
        engine.close()
    assert not own.exists(), "the session's checkpoint folder is removed when the engine closes"
    assert sorted(p.name for p in directory.iterdir()) == ["users-file"], "the directory and what else is in it stay"

    for name in TABLES:
        got, expected = (read_table(tmp_path / out, name).to_pylist() for out in ("spark", "local"))
        if name == "documents":  # Spark names the files it read by URI (docs/spark.md, Inputs)
            for row in got:
                row["source"] = row["source"].removeprefix("file:")
        assert got == expected, f"{name} differs"
