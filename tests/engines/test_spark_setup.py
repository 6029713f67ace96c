"""Choosing the Spark engine: what a user is told when pyspark or Java is missing, and the
session settings it starts with. None of these start Spark."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance._optional import SPARK_EXTRA_HINT, java_version, require_java, require_pyspark
from provenance.config import ScanConfig
from provenance.engines.spark_session import executor_python, local_cores, local_dir, parse_conf, session_settings
from provenance.errors import ConfigError
from provenance.pipeline import make_engine


def _spark_modules() -> list[str]:
    return [
        m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j") or m.startswith("provenance.engines.spark")
    ]


@pytest.fixture
def no_pyspark(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make ``import pyspark`` fail as it does when the extra is not installed; the engine's
    modules are imported afresh, and put back as they were afterwards."""
    import provenance.engines

    before = _spark_modules()
    for name in before:
        monkeypatch.delitem(sys.modules, name)
        if name.startswith("provenance.engines."):
            monkeypatch.delattr(provenance.engines, name.rsplit(".", 1)[1], raising=False)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    yield
    for name in set(_spark_modules()) - set(before):  # imported without pyspark: never keep them
        sys.modules.pop(name, None)
        if name.startswith("provenance.engines."):
            vars(provenance.engines).pop(name.rsplit(".", 1)[1], None)


def test_missing_pyspark_says_what_to_install(no_pyspark: None) -> None:
    with pytest.raises(ConfigError) as err:
        require_pyspark()
    assert str(err.value) == "the Spark engine needs pyspark: pip install 'prov[spark]' (and Java 17+ on PATH)"
    assert str(err.value) == SPARK_EXTRA_HINT


def test_the_spark_engine_cannot_be_built_without_pyspark(no_pyspark: None) -> None:
    from provenance.engines.spark import SparkEngine

    with pytest.raises(ConfigError, match=r"pip install 'prov\[spark\]'"):
        SparkEngine()
    with pytest.raises(ConfigError, match=r"pip install 'prov\[spark\]'"):
        make_engine("spark", ScanConfig())


def test_prov_scan_on_spark_without_pyspark_is_a_one_line_error(no_pyspark: None, runner, seeds_dir: Path) -> None:
    result = runner("scan", seeds_dir, "--engine", "spark", "--out", "unused")
    assert result.exit_code == 2
    assert "pip install 'prov[spark]'" in result.output
    assert "Java 17+" in result.output
    assert "Traceback" not in result.output


def test_spark_options_without_the_spark_engine_are_refused(runner, seeds_dir: Path, tmp_path: Path) -> None:
    result = runner("scan", seeds_dir, "--spark-master", "local[2]", "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert "--engine spark" in result.output
    assert not (tmp_path / "r").exists()


def test_an_unknown_engine_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="choose one of local, spark"):
        make_engine("dask", ScanConfig())


def fake_java(folder: Path, version_line: str) -> Path:
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return folder


@pytest.mark.parametrize(
    ("line", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ("no version here", None),
    ],
)
def test_java_version_reads_the_major_version(tmp_path: Path, line: str, major: int | None) -> None:
    assert java_version(str(fake_java(tmp_path, line) / "bin" / "java")) == major


def test_an_old_java_is_refused_with_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(fake_java(tmp_path, 'java version "1.8.0_392"')))
    with pytest.raises(ConfigError, match=r"needs Java 17\+, found Java 8"):
        require_java()


def test_a_missing_java_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match=r"needs Java 17\+ \(JAVA_HOME does not hold bin/java\)"):
        require_java()


def test_conf_items_parse_and_bad_ones_say_how_to_write_them() -> None:
    assert parse_conf(["spark.a=1", "spark.b = x=y"]) == {"spark.a": "1", "spark.b": "x=y"}
    with pytest.raises(ConfigError, match="expected key=value"):
        parse_conf(["spark.sql.shuffle.partitions"])


def test_local_masters_and_their_cores() -> None:
    assert local_cores("local") == 1
    assert local_cores("local[3]") == 3
    assert local_cores("local[2,4]") == 2
    assert local_cores("local[*]") >= 1
    assert local_cores("spark://head:7077") is None
    assert local_cores("yarn") is None


def test_a_local_session_is_private_and_user_settings_win() -> None:
    settings = session_settings("local[2]", {"spark.sql.shuffle.partitions": "7"})
    assert settings["spark.ui.enabled"] == "false"
    assert settings["spark.driver.host"] == "127.0.0.1"
    assert settings["spark.driver.bindAddress"] == "127.0.0.1"
    assert settings["spark.sql.shuffle.partitions"] == "7"
    cluster = session_settings("spark://head:7077", {})
    assert cluster["spark.ui.enabled"] == "false"
    assert "spark.driver.bindAddress" not in cluster  # executors on other machines must reach the driver


def test_a_local_spark_gets_this_process_scratch_folder_unless_the_user_chose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance.engines import spark_session

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(spark_session, "_scratch", None)
    assert local_dir("spark://head:7077", {}, {}) is None  # a cluster's workers choose their own
    assert local_dir("local[2]", {"spark.local.dir": "/data/spark"}, {}) is None
    assert local_dir("local[2]", {}, {"SPARK_LOCAL_DIRS": "/data/spark"}) is None
    folder = local_dir("local[2]", {}, {})
    try:
        assert folder is not None
        assert Path(folder).parent == tmp_path and Path(folder).name.startswith("prov-spark-scratch-")
        assert local_dir("local[*]", {}, {}) == folder  # one for the process: its Java keeps the first
    finally:
        if spark_session._scratch is not None:
            spark_session._scratch.close()
    assert os.listdir(tmp_path) == []


def test_a_local_dir_set_where_spark_reads_settings_is_the_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance.engines import spark_session

    monkeypatch.setattr(spark_session, "_scratch", None)
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "spark-defaults.conf").write_text("# spark.local.dir /old\nspark.master local[2]\n", encoding="utf-8")
    mine = {"SPARK_CONF_DIR": str(conf_dir)}
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    mine_made = local_dir("local[2]", {}, mine)  # a line commented out sets nothing
    assert mine_made is not None and spark_session._scratch is not None
    spark_session._scratch.close()
    monkeypatch.setattr(spark_session, "_scratch", None)
    assert (
        local_dir("local[2]", {}, {**mine, "PYSPARK_SUBMIT_ARGS": "--conf spark.local.dir=/big pyspark-shell"}) is None
    )
    (conf_dir / "spark-defaults.conf").write_text("spark.master local[2]\nspark.local.dir   /big\n", encoding="utf-8")
    assert local_dir("local[2]", {}, mine) is None
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "12345")  # under spark-submit, its settings are the user's
    assert local_dir("local[2]", {}, {}) is None
    assert spark_session._scratch is None


def test_executors_run_the_python_of_spark_pyspark_python_or_locally_this_one() -> None:
    # pyspark reads PYSPARK_PYTHON only; --conf spark.pyspark.python was ignored outside
    # spark-submit, and executors on a cluster ran `python3`, without prov.
    venv = "/opt/venv/bin/python"
    assert executor_python("spark://head:7077", {"spark.pyspark.python": venv}, {}) == venv
    assert executor_python("spark://head:7077", {"spark.pyspark.python": venv}, {"PYSPARK_PYTHON": "py"}) == venv
    assert executor_python("yarn", {}, {}) is None  # a cluster's Python is the user's to name
    assert executor_python("local[2]", {}, {}) == sys.executable
    assert executor_python("local[2]", {}, {"PYSPARK_PYTHON": "py"}) is None  # the environment's stays


def test_a_folder_of_parquet_parts_not_named_as_a_dataset_is_a_warning(tmp_path: Path, caplog) -> None:
    # A folder of part files is a dataset to Spark only when named *.parquet (or given as a
    # URI); otherwise the driver reads it whole as local input, which the user is told.
    pytest.importorskip("pyspark")
    import pyarrow as pa
    import pyarrow.parquet as pq

    from provenance.engines.spark import check_inputs

    table = pa.table({"id": ["a"], "text": ["Iraqi forces pushed into western Mosul."]})
    parts, named, texts = tmp_path / "parts", tmp_path / "named.parquet", tmp_path / "texts"
    for folder in (parts, named):
        folder.mkdir()
        pq.write_table(table, folder / "part-00000.parquet")
        (folder / "_SUCCESS").write_text("")
    texts.mkdir()
    (texts / "a.txt").write_text("Iraqi forces pushed into western Mosul.", encoding="utf-8")
    with caplog.at_level("WARNING", logger="provenance"):
        assert check_inputs([parts]) == [parts]
        check_inputs([named])
        check_inputs([texts])
    warned = [r.getMessage() for r in caplog.records if "Parquet part files" in r.getMessage()]
    assert len(warned) == 1 and warned[0].startswith(f"{parts}: ") and "name the folder *.parquet" in warned[0]


class _JavaError:
    """A stand-in for a Java exception seen through py4j: its class, message and cause."""

    _target_id = "o1"  # py4j's reference to the object in the JVM

    def __init__(self, name: str, message: str | None, cause: _JavaError | None = None) -> None:
        self.name, self.message, self.cause = name, message, cause

    def getCause(self) -> _JavaError | None:  # noqa: N802 - the Java method's name
        return self.cause

    def equals(self, other: object) -> bool:
        return other is self

    def getMessage(self) -> str | None:  # noqa: N802
        return self.message

    def getClass(self) -> _JavaError:  # noqa: N802
        return self

    def getSimpleName(self) -> str:  # noqa: N802
        return self.name


def test_a_failed_spark_job_is_told_by_its_root_cause_with_what_to_do() -> None:
    """An executor out of memory aborts the job with a ``SparkException`` around it: the user is
    told the cause, in one line, and how to give Spark more memory."""
    pytest.importorskip("py4j")
    from py4j.protocol import Py4JError, Py4JJavaError, Py4JNetworkError

    from provenance.engines.spark_session import job_errors, job_failure
    from provenance.errors import EngineError

    oom = _JavaError(
        "SparkOutOfMemoryError", "[UNABLE_TO_ACQUIRE_MEMORY] Unable to acquire 65536 bytes of memory, got 0."
    )
    aborted = _JavaError("SparkException", "Job aborted due to stage failure: Task 2 in stage 59.0 failed\nmore", oom)
    said = job_failure(Py4JJavaError("An error occurred while calling o436.collectToPython.\n", aborted))
    assert said == (
        "Spark failed: SparkOutOfMemoryError: [UNABLE_TO_ACQUIRE_MEMORY] Unable to acquire 65536 bytes of memory, "
        "got 0.; give Spark more memory: --conf spark.driver.memory=4g in local mode, "
        "spark.executor.memory on a cluster"
    )
    alone = _JavaError(
        "SparkException",
        "Job aborted due to stage failure: Total size of serialized results of 1 "
        "tasks (2.6 KiB) is bigger than spark.driver.maxResultSize (1024.0 B)",
    )
    assert job_failure(Py4JJavaError("x", alone)).endswith("; raise --conf spark.driver.maxResultSize (0 for no limit)")
    assert job_failure(Py4JNetworkError("Answer from Java side is empty")) == (
        "Spark failed: the connection to Spark's JVM was lost (Answer from Java side is empty)"
    )
    task = _JavaError(  # a Python task's error, as the JVM holds it: the worker's traceback
        "PythonException",
        'Traceback (most recent call last):\n  File "/x/worker.py", line 1, in main\n    process()\n'
        "MemoryError: cannot allocate the batch\n",
    )
    said = job_failure(Py4JJavaError("o9", _JavaError("SparkException", "Job aborted", task)))
    assert said.startswith("Spark failed: PythonException: MemoryError: cannot allocate the batch; give Spark more")
    from pyspark.errors import PySparkTypeError

    assert (
        job_failure(PySparkTypeError("NOT_EXPECTED_TYPE", {"arg_name": "x", "expected_type": "str", "arg_type": "int"}))
        is None
    )  # prov's own bug
    assert job_failure(Py4JError("Method foo([]) does not exist")) is None  # a version mismatch: a traceback
    assert job_failure(ConnectionRefusedError(111, "Connection refused")) == (
        "Spark failed: the connection to Spark's JVM was lost ([Errno 111] Connection refused)"
    )
    from pyspark.errors import PySparkRuntimeError

    said = job_failure(PySparkRuntimeError(errorClass="JAVA_GATEWAY_EXITED", messageParameters={}))
    assert said.startswith("Spark failed: its JVM stopped before it started (Java's reason is above)")
    assert job_failure(ValueError("a bug of prov's")) is None
    with pytest.raises(EngineError, match=r"^Spark failed: SparkOutOfMemoryError") as caught, job_errors():
        raise Py4JJavaError("o436", aborted)
    assert "\n" not in str(caught.value)
    with pytest.raises(KeyError), job_errors():  # anything else passes as it is
        raise KeyError("x")


def test_the_quiet_log_configuration_is_one_file_a_user_never_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs share one file named by its content (a file per pid piled up in /tmp, one for
    every killed run); what another program put at that name is replaced, never read through."""
    import os
    import tempfile

    from provenance.engines.spark_session import _LOG4J2, _quiet_log4j

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    uri = _quiet_log4j()
    (path,) = tmp_path.iterdir()
    assert uri == path.as_uri() == _quiet_log4j() and path.read_text(encoding="utf-8") == _LOG4J2
    path.write_text("rootLogger.level = debug\n", encoding="utf-8")
    assert _quiet_log4j() == uri and path.read_text(encoding="utf-8") == _LOG4J2
    path.unlink()
    os.mkfifo(path)  # opened without waiting for a writer, then replaced
    assert _quiet_log4j() == uri and path.read_text(encoding="utf-8") == _LOG4J2
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    assert _quiet_log4j() == uri and not path.is_symlink() and not (tmp_path / "elsewhere").exists()
    assert os.listdir(tmp_path) == [path.name]
