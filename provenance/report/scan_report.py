"""Write the whole report of a scan: tables, graph files and manifest, atomically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from provenance.config import ScanConfig
from provenance.graph import write_gexf, write_graphml
from provenance.records import GraphEdge, GraphNode, ScanResult
from provenance.report.html import INDEX, SITE_DIR, write_index, write_site
from provenance.report.html.site import Columns, PackedTexts, plain_tables
from provenance.report.manifest import build_manifest
from provenance.report.schemas import SCHEMA_VERSION
from provenance.report.tables import report_tables, texts_batches
from provenance.report.writer import TableBatches, read_manifest, read_table, write_report

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
    report = report_tables(result)
    manifest = build_manifest(result, config, inputs, engine) | {"texts": texts}
    extra: dict[str, Callable[[Path], None]] = {
        GRAPHML: lambda path: write_graphml(result.nodes, result.edges, path),
        GEXF: lambda path: write_gexf(result.nodes, result.edges, path),
        INDEX: write_index,
    }
    # Arrow stays in this process; the pages are built in another, from plain columns (the
    # texts those of the documents with a passage, the only ones the pages show, packed).
    docs = result.documents
    shown = sorted({o.doc for cluster in result.clusters for o in cluster.occurrences})
    own = Columns({"doc_id": [docs[d].doc_id for d in shown], "text": PackedTexts(docs[d].text for d in shown)})
    pages = plain_tables(report, texts=own if texts else None)
    tables: dict[str, pa.Table | TableBatches] = dict(report)
    if texts:
        tables["texts"] = texts_batches(result.documents)
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
