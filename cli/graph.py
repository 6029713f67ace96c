"""``prov graph``: summarise or re-export the provenance graph of an existing report."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated

import typer
from prov_cli.errors import handle_errors, setup_logging
from rich.console import Console
from rich.table import Table

from provenance.graph import write_gexf, write_graphml
from provenance.report import read_graph


@handle_errors
def graph(
    report: Annotated[Path, typer.Argument(help="A report folder written by `prov scan`.", show_default=False)],
    graphml: Annotated[Path | None, typer.Option(help="Write the graph as GraphML to this file.")] = None,
    gexf: Annotated[Path | None, typer.Option(help="Write the graph as GEXF (Gephi) to this file.")] = None,
    top: Annotated[int, typer.Option(help="Rows in each summary table.")] = 10,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Summarise the provenance graph of a report (agencies, outlets, who copied whom) and
    optionally export it for Gephi, networkx or igraph.

    Example: prov graph prov-report/ --gexf mosul.gexf
    """
    setup_logging(quiet)
    nodes, edges = read_graph(report)
    if graphml:
        write_graphml(nodes, edges, graphml)
    if gexf:
        write_gexf(nodes, edges, gexf)
    if quiet:
        return
    console = Console(highlight=False)
    kinds = Counter(n.kind for n in nodes)
    console.print(
        f"[bold]{len(nodes)}[/] nodes ("
        + ", ".join(f"{kinds[k]} {k}" for k in ("agency", "outlet", "doc", "cluster") if kinds[k])
        + f"), [bold]{len(edges)}[/] edges ("
        + ", ".join(f"{n} {k}" for k, n in sorted(Counter(e.kind for e in edges).items()))
        + ")."
    )
    supplied: dict[str, float] = defaultdict(float)
    reached: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.kind == "supplied":
            supplied[e.source] += e.weight
            reached[e.source].add(e.target)
    if supplied:
        table = Table(title="Agencies by attributed reused copy", title_justify="left")
        for col in ("agency", "characters", "documents"):
            table.add_column(col, justify="left" if col == "agency" else "right")
        for agency, chars in sorted(supplied.items(), key=lambda kv: -kv[1])[:top]:
            table.add_row(agency.split(":", 1)[1], f"{chars:,.0f}", str(len(reached[agency])))
        console.print(table)
    copies = sorted((e for e in edges if e.kind == "copied_from"), key=lambda e: -e.weight)[:top]
    if copies:
        table = Table(title="Likely copied from (earlier -> later)", title_justify="left")
        for col in ("from", "to", "characters"):
            table.add_column(col)
        for e in copies:
            table.add_row(e.source.split(":", 1)[1], e.target.split(":", 1)[1], f"{e.weight:,.0f}")
        console.print(table)
    for path in (graphml, gexf):
        if path:
            console.print(f"Wrote {path}")
