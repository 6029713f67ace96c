"""Report: the Parquet tables, the manifest, and reading them back."""

from provenance.report.scan_report import GEXF, GRAPHML, read_graph, write_scan_report
from provenance.report.schemas import SCHEMA_VERSION, TABLES
from provenance.report.tables import report_tables
from provenance.report.writer import MANIFEST, read_manifest, read_table, table_path, write_report

__all__ = [
    "read_graph",
    "GRAPHML",
    "GEXF",
    "write_scan_report",
    "SCHEMA_VERSION",
    "TABLES",
    "MANIFEST",
    "report_tables",
    "write_report",
    "read_manifest",
    "read_table",
    "table_path",
]
