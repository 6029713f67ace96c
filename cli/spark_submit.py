"""``prov`` as a ``spark-submit`` application, for a scan on an existing Spark cluster.

spark-submit runs Python files, not console scripts; this file is the ``prov`` command line
for it. ``scan`` runs on Spark by default here (``--engine spark``) and takes the master and
settings spark-submit gives::

    spark-submit --master spark://head:7077 --conf spark.executor.memory=8g \\
        "$(python -c 'import prov_cli.spark_submit as m; print(m.__file__)')" \\
        scan hdfs:///news/articles.parquet --out report/

It lives in the command line, not in ``provenance.engines``: the library never imports the
CLI. See docs/spark.md for shipping prov to the executors.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run the ``prov`` command line with ``argv`` (default: this process's arguments);
    ``scan`` gets ``--engine spark`` unless an engine is given."""
    from prov_cli.main import app, system_allocator_for_arrow

    system_allocator_for_arrow()
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["scan"] and not any(a == "--engine" or a.startswith("--engine=") for a in args):
        args += ["--engine", "spark"]
    app(args=args, prog_name="prov")


if __name__ == "__main__":
    # Run as a file, this folder comes first on sys.path, where its modules (main, errors,
    # index, ...) would hide any top-level module of the same name; prov_cli is imported by name.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    main()
