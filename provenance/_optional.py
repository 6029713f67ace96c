"""Friendly imports of optional dependencies: say which extra to install instead of failing
with a bare ``ModuleNotFoundError`` deep inside a run (after datatrove's ``_import_utils``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from importlib import import_module
from pathlib import Path
from types import ModuleType

from provenance.errors import ConfigError

SPARK_EXTRA_HINT = "the Spark engine needs pyspark: pip install 'prov[spark]' (and Java 17+ on PATH)"
MIN_JAVA = 17


def require_pyspark() -> ModuleType:
    """Import pyspark (and the pandas/pyarrow its Arrow functions need) or explain what to install.

    Returns:
        The ``pyspark`` module.

    Raises:
        ConfigError: pyspark or pandas is not installed.
    """
    try:
        pyspark = import_module("pyspark")
        import_module("pyspark.sql")
        import_module("pandas")  # mapInArrow goes through pyspark's pandas UDF machinery
    except ImportError:
        raise ConfigError(SPARK_EXTRA_HINT) from None
    return pyspark


def java_version(java: str) -> int | None:
    """The major version of the Java runtime at ``java`` (``17`` for "17.0.15", ``8`` for
    "1.8.0_392"), or None when it cannot be run or its version line is not understood."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def find_java() -> str | None:
    """The ``java`` Spark will start: ``$JAVA_HOME/bin/java`` when JAVA_HOME is set, else the
    one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.exists() else None
    return shutil.which("java")


def require_java(minimum: int = MIN_JAVA) -> int:
    """Check that a Java runtime Spark can use is installed, before Spark tries to start it.

    Returns:
        The Java major version.

    Raises:
        ConfigError: no Java, or one older than ``minimum``.
    """
    java = find_java()
    if java is None:
        where = "JAVA_HOME does not hold bin/java" if os.environ.get("JAVA_HOME") else "no java on PATH"
        raise ConfigError(
            f"the Spark engine needs Java {minimum}+ ({where}); install a JDK {minimum}+ or set JAVA_HOME"
        )
    version = java_version(java)
    if version is None:
        raise ConfigError(f"the Spark engine needs Java {minimum}+; `{java} -version` did not say which Java it is")
    if version < minimum:
        raise ConfigError(
            f"the Spark engine needs Java {minimum}+, found Java {version} at {java}; "
            f"install a JDK {minimum}+ and point JAVA_HOME at it"
        )
    return version
