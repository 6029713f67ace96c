"""The Spark session the Spark engine runs in: which master, which settings, quiet logs.

Defaults keep a local run private and small: no web UI, the driver bound to 127.0.0.1, few
shuffle partitions, the workers on this very Python. Settings given by the user (``--conf``)
always win. Under ``spark-submit`` the launcher's master is used unless one is given.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from provenance._optional import require_java, require_pyspark
from provenance.errors import ConfigError, EngineError
from provenance.ownership import Scratch, open_own_file

log = logging.getLogger(__name__)

DEFAULT_MASTER = "local[*]"

BASE_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Rows per Arrow batch handed to the stage functions: documents per sketch batch, pairs
    # per verification batch (the local engine's batches are 2,000 documents, 5,000 pairs).
    "spark.sql.execution.arrow.maxRecordsPerBatch": "2000",
}
LOCAL_SETTINGS = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.memory": "2g",
}

_PANDAS_WARNING = "PySpark does not yet fully support pandas"

SCRATCH_PREFIX = "prov-spark-scratch"
"""A local Spark's files (shuffles, blocks, pyspark's temporary files) go into this process's
``Scratch`` folder ``prov-spark-scratch-<pid>-XXXXXXXX`` in the system's temporary folder, not
loose in it: a killed run's are removed by the next local Spark run (Spark removes its own only
when its Java runtime ends normally)."""
_SPARK_DIRS = r"(?:blockmgr|spark)-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"  # what Spark makes there
_scratch: Scratch | None = None

# Spark's default log4j profile prints a screenful of start-up notes. A local run starts at
# WARN (at that level Spark does not announce its shell log level) without the one warning
# every local start gives (nor the note that a cluster manager would choose the scratch folder
# prov gives a local Spark), then the session is set to ERROR.
_LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n
logger.hadoop.name = org.apache.hadoop.util.NativeCodeLoader
logger.hadoop.level = error
logger.conf.name = org.apache.spark.SparkConf
logger.conf.filter.localdir.type = RegexFilter
logger.conf.filter.localdir.regex = .*spark.local.dir will be overridden.*
logger.conf.filter.localdir.onMatch = DENY
logger.conf.filter.localdir.onMismatch = NEUTRAL
"""


def _quiet_log4j() -> str:
    """A quiet log4j2 configuration file: one for every run of this user, named by its content
    (never deleted, never rewritten once right), so no run leaves one behind."""
    data = _LOG4J2.encode()
    folder = Path(tempfile.gettempdir())
    path = folder / f"prov-spark-log4j2-{os.geteuid()}-{hashlib.sha256(data).hexdigest()[:12]}.properties"
    if _holds(path, data):
        return path.as_uri()
    fd, name = tempfile.mkstemp(prefix=".prov-spark-log4j2-", suffix=".properties", dir=folder)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(name, 0o644)
    try:
        os.replace(name, path)
    except OSError:  # another user's file of that name (the folder is sticky): use this run's own
        atexit.register(Path(name).unlink, missing_ok=True)
        return Path(name).as_uri()
    return path.as_uri()


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file of this user holding exactly ``data``."""
    fd = open_own_file(path)
    if fd is None:
        return False
    try:
        return os.read(fd, len(data) + 1) == data
    except OSError:
        return False
    finally:
        os.close(fd)


def parse_conf(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``key=value`` strings (``--conf``) as a dict.

    Raises:
        ConfigError: an item has no ``=`` or an empty key.
    """
    conf: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--conf {item!r}: expected key=value, e.g. --conf spark.sql.shuffle.partitions=8")
        conf[key.strip()] = value.strip()
    return conf


def local_cores(master: str) -> int | None:
    """Cores of a ``local``, ``local[N]``, ``local[*]`` or ``local[N,F]`` master, else None."""
    found = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\s*\d+)?\])?", master.strip())
    if not found:
        return None
    cores = found.group(1)
    if cores is None:
        return 1
    return (os.cpu_count() or 1) if cores == "*" else max(1, int(cores))


def session_settings(master: str, conf: Mapping[str, str]) -> dict[str, str]:
    """Every setting the session starts with: the defaults, then the user's ``conf``."""
    settings = dict(BASE_SETTINGS)
    cores = local_cores(master)
    if cores is not None:
        settings.update(LOCAL_SETTINGS)
        settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={_quiet_log4j()}"
        settings["spark.sql.shuffle.partitions"] = str(max(2, 2 * cores))
    settings.update(conf)
    return settings


def local_dir(master: str, conf: Mapping[str, str], environ: Mapping[str, str]) -> str | None:
    """The folder for ``spark.local.dir`` of a local Spark that prov starts: this process's
    scratch folder, made on first use and removed when the process ends (one for the process:
    its Java runtime keeps the first session's folder for every later one). None for a cluster,
    whose workers choose their own, or when the user chose (``spark.local.dir``,
    ``SPARK_LOCAL_DIRS``)."""
    global _scratch
    if local_cores(master) is None or _under_spark_submit() or _users_local_dir(conf, environ):
        return None
    if _scratch is None:
        _scratch = Scratch(SCRATCH_PREFIX, _SPARK_DIRS, trees=True)
        atexit.register(_scratch.close)
    return str(_scratch.path)


def _users_local_dir(conf: Mapping[str, str], environ: Mapping[str, str]) -> bool:
    """Whether the user chose where Spark writes: ``spark.local.dir`` in ``conf``, in
    ``PYSPARK_SUBMIT_ARGS`` or in the ``spark-defaults.conf`` Spark will read (a setting prov
    gave the session would win over the last two), or ``SPARK_LOCAL_DIRS``."""
    if "spark.local.dir" in conf or environ.get("SPARK_LOCAL_DIRS"):
        return True
    if "spark.local.dir" in environ.get("PYSPARK_SUBMIT_ARGS", ""):
        return True
    home = environ.get("SPARK_HOME") or _pyspark_home()
    folder = environ.get("SPARK_CONF_DIR") or (str(Path(home) / "conf") if home else None)
    if folder is None:
        return False
    try:
        text = (Path(folder) / "spark-defaults.conf").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"(?m)^\s*spark\.local\.dir[\s=:]", text) is not None


def _pyspark_home() -> str | None:
    """Where pip put pyspark (its ``SPARK_HOME`` when none is set)."""
    import importlib.util

    spec = importlib.util.find_spec("pyspark")
    return str(Path(spec.origin).parent) if spec is not None and spec.origin else None


def _record_java(session: Any) -> None:
    """Record the Java runtime that pyspark started in the scratch folder: it writes there, and
    may outlive this process for a moment."""
    proc = getattr(getattr(session.sparkContext, "_gateway", None), "proc", None)
    if _scratch is not None and proc is not None:
        _scratch.record(proc.pid)


def executor_python(master: str, conf: Mapping[str, str], environ: Mapping[str, str]) -> str | None:
    """The Python the executors' workers must run, to put in ``PYSPARK_PYTHON``; None leaves the
    environment as it is.

    pyspark decides it on the driver, from ``PYSPARK_PYTHON`` alone, when the context starts; a
    ``spark.pyspark.python`` setting is read by ``spark-submit`` only, so when prov starts Spark
    itself (``--conf spark.pyspark.python=...``) the setting must be copied to the environment,
    or the executors run ``python3``, which may not have prov. The setting wins over the
    environment, as under ``spark-submit``. A local master runs this very interpreter unless
    ``PYSPARK_PYTHON`` says otherwise.
    """
    if conf.get("spark.pyspark.python"):
        return conf["spark.pyspark.python"]
    if local_cores(master) is not None and "PYSPARK_PYTHON" not in environ:
        return sys.executable
    return None


def _under_spark_submit() -> bool:
    return "PYSPARK_GATEWAY_PORT" in os.environ


def start_session(master: str | None, conf: Mapping[str, str]):
    """Get or start the Spark session (``pyspark.sql.SparkSession``).

    Returns ``(session, started)``: ``started`` is true when this call started it (and the
    caller should stop it when done).

    Raises:
        ConfigError: pyspark is missing, or no suitable Java runtime is installed.
    """
    require_pyspark()
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in conf.items():
            try:
                active.conf.set(key, value)
            except Exception as err:  # static settings cannot change once the session runs
                log.warning("spark: cannot set %s on the running session (%s)", key, err)
        return active, False
    submitted: Any = None  # spark-submit's settings, when it started the JVM
    if _under_spark_submit():
        from pyspark import SparkContext

        # Join the JVM spark-submit started first: a SparkConf made before reads none of its
        # settings, and its --master was lost (every such run went local[*]).
        SparkContext._ensure_initialized()
        submitted = SparkConf()
        master = master or submitted.get("spark.master", DEFAULT_MASTER)
    else:
        require_java()
        master = master or DEFAULT_MASTER
    python = executor_python(master, conf, os.environ)
    if python is not None:
        os.environ["PYSPARK_PYTHON"] = python
    elif "PYSPARK_PYTHON" not in os.environ:
        log.warning(
            "spark: the executors will run `python3`, which needs prov installed; "
            "to choose, set PYSPARK_PYTHON or --conf spark.pyspark.python=PATH"
        )
    if local_cores(master) is not None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # every local service on loopback
    builder = SparkSession.builder.master(master)
    if submitted is None or not submitted.contains("spark.app.name"):  # spark-submit's --name wins
        builder = builder.appName("prov")
    settings = session_settings(master, conf)
    if submitted is not None:  # spark-submit's --conf wins over prov's defaults, not over prov's --conf
        settings = {key: value for key, value in settings.items() if key in conf or not submitted.contains(key)}
    scratch = local_dir(master, settings, os.environ)
    if scratch is not None:
        settings["spark.local.dir"] = scratch
    for key, value in settings.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING)
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    if scratch is not None:
        _record_java(session)
    _quiet_accumulator_server(session)
    log.info("spark: master %s, Spark %s", master, session.version)
    return session, True


def _quiet_accumulator_server(session: Any) -> None:
    """A JVM that dies mid-run drops its connection to pyspark's accumulator server, whose
    thread then prints a traceback (socketserver's ``handle_error``) before prov's one line
    (``job_errors``) can say what happened: log it at debug level instead."""
    server = getattr(session.sparkContext, "_accumulatorServer", None)
    if server is None:
        return

    def handle_error(request: object, client_address: object) -> None:
        log.debug("spark: the accumulator server lost its connection to %s", client_address, exc_info=True)

    server.handle_error = handle_error


# --- failed jobs ------------------------------------------------------------------------------------

_HINTS = (  # (what the failure says, what to do), first match
    (
        ("OutOfMemory", "UNABLE_TO_ACQUIRE_MEMORY", "Java heap space", "GC overhead limit", "MemoryError"),
        "give Spark more memory: --conf spark.driver.memory=4g in local mode, spark.executor.memory on a cluster",
    ),
    (("maxResultSize",), "raise --conf spark.driver.maxResultSize (0 for no limit)"),
)


def job_failure(err: BaseException) -> str | None:
    """A one-line account of ``err`` when it is a Spark job's failure (an exception raised in
    Spark's JVM or in a task, or the JVM lost), with what to do when that is known; None for
    any other error, prov's own bugs among them (pyspark's argument errors too).

    For a Java exception the root cause is named (an executor's ``SparkOutOfMemoryError``, not
    the ``SparkException`` that aborted the job around it); for a failed Python task, the last
    line of its traceback.
    """
    try:
        from py4j.protocol import Py4JJavaError, Py4JNetworkError  # type: ignore[import-untyped]
        from pyspark.errors import PySparkException
        from pyspark.errors.exceptions.captured import CapturedException
    except ImportError:
        return None
    if isinstance(err, PySparkException) and _condition(err) == "JAVA_GATEWAY_EXITED":
        # Java's own reason ("Invalid maximum heap size: -Xmxlots") is on stderr just above.
        return (
            "Spark failed: its JVM stopped before it started (Java's reason is above); check the --conf "
            "values (spark.driver.memory=4g, not 4 GB) and that JAVA_HOME names Java 17 or later"
        )
    if isinstance(err, Py4JJavaError):
        said = _java_root_cause(err)
    elif isinstance(err, CapturedException):  # raised in the JVM, or by a task, and converted by pyspark
        said = f"{type(err).__name__}: {_last_words(getattr(err, 'desc', None) or str(err))}"
    elif isinstance(err, (Py4JNetworkError, ConnectionError)):  # prov opens no other connection
        said = f"the connection to Spark's JVM was lost ({_last_words(str(err)) or type(err).__name__})"
    else:
        return None
    hint = next((fix for signs, fix in _HINTS if any(sign in said for sign in signs)), None)
    return f"Spark failed: {said}" + (f"; {hint}" if hint else "")


def _condition(err: Any) -> str | None:
    """A pyspark error's class (``JAVA_GATEWAY_EXITED``): ``getCondition`` from Spark 4 on."""
    get = getattr(err, "getCondition", None) or getattr(err, "getErrorClass", None)
    try:
        return get() if get is not None else None
    except Exception:  # noqa: BLE001 - an error without a class
        return None


def _last_words(message: str) -> str:
    """The line of ``message`` that says what failed: the last line of a Python traceback
    (a task's error carries the worker's), else the first line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return ""
    if "Traceback (most recent call last)" in message:
        return next((line for line in reversed(lines) if not line.startswith(("at ", "File "))), lines[-1])
    return lines[0]


def _java_root_cause(err: Any) -> str:
    """``Class: message`` of the innermost cause of a Py4JJavaError's Java exception (what
    failed: a task's Python error is the last line of its traceback), or the Python side's
    first line when the JVM cannot be asked."""
    try:
        cause = err.java_exception
        for _ in range(20):  # a cause chain, never a loop
            deeper = cause.getCause()
            if deeper is None or deeper.equals(cause):
                break
            cause = deeper
        return f"{cause.getClass().getSimpleName()}: {_last_words(cause.getMessage() or '')}".rstrip(": ")
    except Exception:  # noqa: BLE001 - the JVM is gone: say what Python knows
        lines = [line.strip(": ") for line in str(err).splitlines() if line.strip(": ")]
        return lines[-1] if lines else type(err).__name__


def checkpointed(frame: Any) -> Any:
    """``frame`` (a ``DataFrame``) computed now, with its lineage cut: written to the session's
    checkpoint directory when it has one (``--conf spark.checkpoint.dir=DIR``, a folder every
    executor reaches: HDFS, S3, a shared mount), so that the partitions of an executor lost
    later are read back from there; without one, kept by the executors themselves
    (``localCheckpoint``: no write, but losing an executor then fails the job)."""
    if frame.sparkSession.sparkContext.getCheckpointDir():
        return frame.checkpoint(eager=True)
    return frame.localCheckpoint()


def remove_checkpoints(session: Any) -> None:
    """Remove the folder the session made for its checkpoints in the checkpoint directory
    (``DIR/<uuid>``, made when the session started, one per session): Spark leaves it, and a
    finished run's checkpoints serve nothing. The directory itself, the user's, stays."""
    context, folder = session.sparkContext, None
    try:
        folder = context.getCheckpointDir()
        if folder:
            path = context._jvm.org.apache.hadoop.fs.Path(folder)
            path.getFileSystem(context._jsc.hadoopConfiguration()).delete(path, True)
    except Exception as err:  # py4j's errors: the folder stays, the run's results do not depend on it
        log.warning("spark: could not remove the checkpoints in %s (%s)", folder, _last_words(str(err)))


@contextmanager
def job_errors() -> Iterator[None]:
    """Inside, a Spark job's failure raises ``EngineError`` (``job_failure``'s one line) instead
    of a Java stack and a Python traceback; any other error passes as it is."""
    try:
        yield
    except Exception as err:
        said = job_failure(err)
        if said is None:
            raise
        raise EngineError(said) from err
