"""``prov scan``: find reused passages and write the report."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, closing, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from prov_cli import options as opt
from prov_cli.errors import handle_errors, setup_logging
from prov_cli.no_pandas import pandas_blocked
from prov_cli.progress import stage_progress

from provenance.config import MAX_DOC_BYTES, ScanConfig
from provenance.errors import ConfigError
from provenance.filters import FilterConfig

DEFAULT_OUT = Path("prov-report")
ENGINE = "Engine"
FILTERS = "Filters (after reading)"


class EngineName(StrEnum):
    local = "local"
    spark = "spark"


@handle_errors
@opt.grouped
def scan(
    paths: opt.Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = DEFAULT_OUT,
    force: Annotated[bool, typer.Option(help="Replace a report of a different run in --out.")] = False,
    texts: Annotated[
        bool,
        typer.Option(
            help="Store the documents' full texts in the report (texts.parquet) for the HTML pages and later "
            "analysis; --no-texts when the texts may not be redistributed.",
        ),
    ] = True,
    workers: opt.Workers = 0,
    top: Annotated[int, typer.Option(help="Clusters listed in the summary.")] = 10,
    quiet: opt.Quiet = False,
    agencies: opt.Agencies = None,
    boilerplate_patterns: opt.BoilerplatePatterns = None,
    max_doc_mb: opt.MaxDocMb = MAX_DOC_BYTES / 1024**2,
    dayfirst: opt.DayFirst = False,
    since: Annotated[
        str | None,
        typer.Option(
            help="Keep documents dated on or after this ISO date or date-time (2017-03-07, 2017-03-07T09:30); "
            "undated documents are left out.",
            metavar="DATE",
            rich_help_panel=FILTERS,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="Keep documents dated on or before this ISO date (the whole day) or date-time.",
            metavar="DATE",
            rich_help_panel=FILTERS,
        ),
    ] = None,
    outlet: Annotated[
        list[str] | None,
        typer.Option(
            "--outlet",
            help="Keep documents of this outlet, matched whole, case-insensitively (repeatable).",
            metavar="NAME",
            rich_help_panel=FILTERS,
        ),
    ] = None,
    *,
    detect: opt.Detect,
    fields: opt.Fields,
    engine: Annotated[
        EngineName,
        typer.Option(
            help="Where the stages run: local (this machine) or spark (pip install 'prov\\[spark]'; Java 17+).",
            rich_help_panel=ENGINE,
        ),
    ] = EngineName.local,
    spark_master: Annotated[
        str | None,
        typer.Option(
            help="Spark master URL for --engine spark [default: local\\[*], or spark-submit's --master].",
            show_default=False,
            metavar="URL",
            rich_help_panel=ENGINE,
        ),
    ] = None,
    conf: Annotated[
        list[str] | None,
        typer.Option(
            "--conf", help="A Spark setting key=value for --engine spark (repeatable).", rich_help_panel=ENGINE
        ),
    ] = None,
) -> None:
    """Find passages reused across documents (and repeated inside one) and write a Parquet report.

    Example: prov scan seeds/ --out report/
    """
    # Imported here, not at the top: `prov --help` and the other commands need none of it.
    from provenance.ingest import check_paths
    from provenance.pipeline import scan as run_scan
    from provenance.report import write_scan_report
    from provenance.report.manifest import run_identity
    from provenance.report.writer import check_destination

    setup_logging(quiet)
    config = ScanConfig(
        detect=detect,
        fields=fields,
        limits=opt.input_limits(max_doc_mb),
        dayfirst=dayfirst,
        workers=workers or os.cpu_count() or 1,
        agencies=str(agencies) if agencies else None,
        categories=opt.category_config(boilerplate_patterns),
        filters=FilterConfig(since, until, tuple(outlet or ())),
    )
    jobs: AbstractContextManager[None] = nullcontext()  # the Spark engine's failed jobs: one line
    with nullcontext() if engine is EngineName.spark else pandas_blocked():
        if engine is EngineName.spark:
            from provenance.engines.spark import SparkEngine, check_inputs, is_dataset
            from provenance.engines.spark_session import job_errors, parse_conf

            runner, jobs = SparkEngine(spark_master, parse_conf(conf or [])), job_errors()
            inputs = check_inputs(paths)  # Parquet datasets (hdfs://..., *.parquet folders) pass as they are
            if config.filters.active and any(is_dataset(p) for p in inputs):
                raise ConfigError("--since, --until and --outlet do not filter Parquet datasets read by Spark")
        elif spark_master or conf:
            raise ConfigError("--spark-master and --conf apply to --engine spark only")
        else:
            runner, inputs = None, check_paths(paths)
        check_destination(out, run_identity(config, inputs), force)  # fail before a long run, not after
        with jobs, closing(runner) if runner else nullcontext():
            with stage_progress(not quiet) as progress:
                result = run_scan(inputs, config, engine=runner, progress=progress)
            # While the engine is open: the Spark engine writes a dataset's texts and derivation
            # table where the texts are.
            writers = runner.table_writers(result) if runner else {}
            write_scan_report(
                out, result, config, inputs, force=force, engine=engine.value, texts=texts, writers=writers
            )
        if not quiet:
            from prov_cli.summary import print_scan

            print_scan(result, out, top)
