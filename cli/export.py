"""``prov export``: a report's tables as CSV files or one SQLite file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from prov_cli import options as opt
from prov_cli.errors import handle_errors, setup_logging
from prov_cli.no_pandas import without_pandas

if TYPE_CHECKING:
    from provenance.report.export import ExportResult


class FormatChoice(StrEnum):
    """What ``prov export`` writes."""

    csv = "csv"
    sqlite = "sqlite"


@handle_errors
@without_pandas
def export(
    report: Annotated[Path, typer.Argument(help="A report folder written by `prov scan`.", show_default=False)],
    format: Annotated[
        FormatChoice,
        typer.Option(
            "--format", help="csv: a folder of CSV files, one per table; sqlite: one SQLite file.", show_default=False
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="The folder (csv) or file (sqlite) to write.", show_default=False),
    ],
    force: Annotated[bool, typer.Option(help="Replace an earlier prov export at --out.")] = False,
    quiet: opt.Quiet = False,
) -> None:
    """Export every table of a report as CSV (spreadsheets, R, SPSS) or SQLite (Datasette,
    sqlite3), with the manifest; see docs/exports.md.

    Example: prov export prov-report/ --format sqlite --out report.db
    """
    setup_logging(quiet)
    # Imported here: pyarrow.compute and sqlite3 cost 40 ms at every start of every command.
    from provenance.report.export import export_report

    result = export_report(report, out, format.value, force)
    if not quiet:
        _print_export(result)


def _print_export(result: ExportResult) -> None:
    """What was written where, then each table's rows (a table's name and count never split)."""
    from prov_cli.display import cell, inline
    from rich.columns import Columns
    from rich.console import Console

    console = Console(highlight=False)
    what = "CSV files" if result.format == "csv" else "SQLite"
    where = inline(result.path)
    console.print(f"Wrote [bold]{len(result.tables)}[/] tables ({result.rows:,} rows) as {what} to [bold]{where}[/]:")
    console.print(Columns([cell(f"{t.name} {t.rows:,}") for t in result.tables], padding=(0, 3)))
