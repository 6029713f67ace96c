"""``prov graph``: summarise or re-export the provenance graph of an existing report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from prov_cli import options as opt
from prov_cli.errors import handle_errors, setup_logging
from prov_cli.no_pandas import without_pandas


@handle_errors
@without_pandas
def graph(
    report: Annotated[Path, typer.Argument(help="A report folder written by `prov scan`.", show_default=False)],
    graphml: Annotated[Path | None, typer.Option(help="Write the graph as GraphML to this file.")] = None,
    gexf: Annotated[Path | None, typer.Option(help="Write the graph as GEXF (Gephi) to this file.")] = None,
    top: Annotated[int, typer.Option(help="Rows in each summary table.")] = 10,
    quiet: opt.Quiet = False,
) -> None:
    """Summarise the provenance graph of a report (agencies, outlets, who copied whom) and
    optionally export it for Gephi, networkx or igraph.

    Example: prov graph prov-report/ --gexf mosul.gexf
    """
    from prov_cli.summary import print_graph

    from provenance.graph import write_gexf, write_graphml
    from provenance.report import read_graph

    setup_logging(quiet)
    nodes, edges = read_graph(report)
    if graphml:
        write_graphml(nodes, edges, graphml)
    if gexf:
        write_gexf(nodes, edges, gexf)
    if not quiet:
        print_graph(nodes, edges, top, [path for path in (graphml, gexf) if path])
