"""The ``prov`` application: one sub-command per module."""

from __future__ import annotations

import gc
import os
from typing import Annotated

import typer
from prov_cli.dedup import dedup
from prov_cli.export import export
from prov_cli.graph import graph
from prov_cli.html import html
from prov_cli.index import index_app, query
from prov_cli.scan import scan

from provenance import __version__

app = typer.Typer(
    name="prov",
    help="Find reused passages across news articles and trace them to their wire origin.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prov {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Find reused passages across news articles and trace them to their wire origin."""


app.command()(scan)
app.command()(graph)
app.command()(html)
app.command()(export)
app.command()(dedup)
app.add_typer(index_app, name="index")
app.command()(query)


def system_allocator_for_arrow() -> None:
    """Give Arrow the system's allocator, unless the user named a pool.

    Arrow's own (mimalloc) keeps the pages Arrow has freed, even after ``release_unused``: the
    system's, with the trims prov makes between stages (``provenance.memory``), gave a
    Reuters-21578 scan's main process 211-222 MB against 268-279, and ``prov html`` of a
    100,000-document report 169 MB against 223, in the same time. Arrow reads the setting when
    it first allocates, so this runs before any command. A Spark JVM that prov starts (local
    mode), and its Python workers, inherit it; executors elsewhere keep their own environment
    (``spark.executorEnv.ARROW_DEFAULT_MEMORY_POOL`` sets theirs).
    """
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def run() -> None:
    """Console-script entry point."""
    # A scan makes millions of objects that live to its end (documents, alignments, spans):
    # with the default threshold (700) the collector walks them again and again; 8 % of the
    # CPU of a one-worker Reuters scan. Collecting young objects every 100,000 allocations
    # keeps 5 of those 8 % (forked workers inherit it). The application's choice, not the
    # library's, which leaves its host's collector alone.
    gc.set_threshold(100_000, 50, 100)
    system_allocator_for_arrow()
    try:
        app()
    finally:
        # The process ends here: what the run made is left to the system, not to the collector,
        # which the interpreter runs again and again as it tears its modules down (50 ms of
        # the 0.5 s of `prov scan seeds/`).
        gc.freeze()
