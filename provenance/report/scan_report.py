"""Write the whole report of a scan: tables, graph files and manifest, atomically."""

from __future__ import annotations

from pathlib import Path

from provenance.config import ScanConfig
from provenance.graph import write_gexf, write_graphml
from provenance.records import GraphEdge, GraphNode, ScanResult
from provenance.report.manifest import build_manifest
from provenance.report.tables import report_tables
from provenance.report.writer import read_manifest, read_table, write_report

GRAPHML = "graph.graphml"
GEXF = "graph.gexf"


def write_scan_report(
    out: Path, result: ScanResult, config: ScanConfig, inputs: list[Path], force: bool = False, engine: str = "local"
) -> Path:
    """Write every report file of ``result`` into ``out``; see ``writer.write_report``.

    Raises:
        ReportError: ``out`` holds something that must not be replaced, or cannot be written.
    """
    extra = {
        GRAPHML: lambda path: write_graphml(result.nodes, result.edges, path),
        GEXF: lambda path: write_gexf(result.nodes, result.edges, path),
    }
    manifest = build_manifest(result, config, inputs, engine)
    return write_report(out, report_tables(result), manifest, force=force, extra_files=extra)


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
