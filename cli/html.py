"""``prov html``: build the HTML pages of an existing report again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from prov_cli import options as opt
from prov_cli.errors import handle_errors, setup_logging
from prov_cli.no_pandas import without_pandas


@handle_errors
@without_pandas
def html(
    report: Annotated[Path, typer.Argument(help="A report folder written by `prov scan`.", show_default=False)],
    quiet: opt.Quiet = False,
) -> None:
    """Build the report's HTML pages (index.html and html/) again from its tables, for a
    report written by an older prov or after its pages were deleted. Open index.html in a
    browser: it works offline, from the file.

    Example: prov html prov-report/
    """
    from provenance.report.html.rebuild import rebuild_html

    setup_logging(quiet)
    index = rebuild_html(report)
    if not quiet:
        typer.echo(f"HTML report: {index}")
