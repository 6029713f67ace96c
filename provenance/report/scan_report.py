"""Write the whole report of a scan: tables, graph files and manifest, atomically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from provenance.config import ScanConfig
from provenance.graph import write_gexf, write_graphml
from provenance.records import GraphEdge, GraphNode, ScanResult
from provenance.report.html import INDEX, SITE_DIR, write_index, write_site
from provenance.report.html.site import Columns, plain_tables
from provenance.report.manifest import build_manifest
from provenance.report.schemas import SCHEMA_VERSION
from provenance.report.tables import report_tables, texts_table
from provenance.report.writer import read_manifest, read_table, write_report

GRAPHML = "graph.graphml"
GEXF = "graph.gexf"


def write_scan_report(
    out: Path,
    result: ScanResult,
    config: ScanConfig,
    inputs: list[Path],
    force: bool = False,
    engine: str = "local",
    texts: bool = True,
) -> Path:
    """Write every report file of ``result`` into ``out``; see ``writer.write_report``.

    With ``texts`` (the default) the documents' full texts are stored (``texts.parquet``), so
    the report and its HTML pages need no inputs; leave them out when texts may not be
    redistributed.

    Raises:
        ReportError: ``out`` holds something that must not be replaced, or cannot be written.
    """
    tables = report_tables(result)
    if texts:
        tables["texts"] = texts_table(result.documents)
    manifest = build_manifest(result, config, inputs, engine) | {"texts": texts}
    extra: dict[str, Callable[[Path], None]] = {
        GRAPHML: lambda path: write_graphml(result.nodes, result.edges, path),
        GEXF: lambda path: write_gexf(result.nodes, result.edges, path),
        INDEX: write_index,
    }
    # Arrow stays in this process; the pages are built in another, from plain columns (the
    # texts are the documents' own strings, not a copy read back from Arrow).
    own = Columns({"doc_id": [d.doc_id for d in result.documents], "text": [d.text for d in result.documents]})
    pages = plain_tables(tables, texts=own if texts else None)
    background = {SITE_DIR: lambda path: write_site(pages, manifest | {"schema_version": SCHEMA_VERSION}, path)}
    return write_report(out, tables, manifest, force=force, extra_files=extra, background=background)


def read_graph(report_dir: Path) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The provenance graph of a finished report (tables written as files or part folders).

    Raises:
        ReportError: not a report, or its graph tables are missing or unreadable.
    """
    read_manifest(report_dir)
    nodes = [GraphNode(r["node_id"], r["kind"], r["label"]) for r in read_table(report_dir, "nodes").to_pylist()]
    edges = [
        GraphEdge(r["source"], r["target"], r["kind"], r["weight"], r["directed"], r["evidence"])
        for r in read_table(report_dir, "edges").to_pylist()
    ]
    return nodes, edges
