"""Write the whole report of a scan: tables, graph files and manifest, atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

from provenance.config import ScanConfig
from provenance.corpus import TextColumn, column
from provenance.errors import ReportError
from provenance.graph import write_gexf, write_graphml
from provenance.records import CreditsElsewhere, GraphEdge, GraphNode, ScanResult, TableElsewhere
from provenance.report.html import INDEX, SITE_DIR, write_index, write_site
from provenance.report.html.site import Columns, site_tables
from provenance.report.manifest import build_manifest
from provenance.report.schemas import SCHEMA_VERSION, TABLES
from provenance.report.tables import report_table_builders, texts_batches
from provenance.report.writer import AnyTable, iter_table, read_manifest, table_path, write_report

R = TypeVar("R", GraphNode, GraphEdge)

GRAPHML = "graph.graphml"
GEXF = "graph.gexf"
ASIDE_FROM: int | None = 1000
"""Documents from which the graph exports and texts are written by a forked child (about 20 µs
a document together on Reuters-21578; a fork and its wait cost 6-10 ms); None: never. The
child records itself in the partial folder's marker, so a killed run's folder is removed only
once the child is gone too (``ownership.mark_partial``; ``tests/test_kill.py``)."""


@runtime_checkable
class DocumentsElsewhere(Protocol):
    """A result's documents that this process holds only in part (the Spark engine's, for a
    Parquet dataset: ids and outlets, and the whole documents with a passage): the engine holding
    them all writes their ``documents`` table, where they are, while it is open."""

    def write_documents_table(self, path: Path) -> None:
        """Write the ``documents`` table at ``path`` (a file or a folder of part files)."""


def write_scan_report(
    out: Path,
    result: ScanResult,
    config: ScanConfig,
    inputs: list[Path],
    force: bool = False,
    engine: str = "local",
    texts: bool = True,
    writers: Mapping[str, Callable[[Path], None]] | None = None,
) -> Path:
    """Write every report file of ``result`` into ``out``; see ``writer.write_report``.

    With ``texts`` (the default) the documents' full texts are stored (``texts.parquet``), so
    the report and its HTML pages need no inputs; leave them out when texts may not be
    redistributed. ``writers`` (the engine's ``table_writers``) write the tables they name where
    the engine holds their data: the texts, when they stayed where the engine read them
    (``result.texts_elsewhere``), and the derivation table computed there; when the
    documents did (``DocumentsElsewhere``), they write their own ``documents`` table, credits
    kept by the engine (``CreditsElsewhere``) their ``credits`` table, and a graph kept by it
    (``TableElsewhere``) its ``nodes`` and ``edges`` tables, from which the GraphML and GEXF
    files are then streamed.

    Raises:
        ReportError: ``out`` holds something that must not be replaced, or cannot be written;
            or the texts are to be stored, the result does not hold them and ``writers`` has no
            ``texts``.
    """
    writers = {name: w for name, w in (writers or {}).items() if texts or name != "texts"}
    if texts and result.texts_elsewhere is not None and "texts" not in writers:
        raise ReportError(
            "the documents' texts stayed with the engine that read them: write the report while the "
            "engine is open, with its table_writers, or leave the texts out (--no-texts)"
        )
    manifest = build_manifest(result, config, inputs, engine) | {"texts": texts}
    # Each table is built when it is written and let go after (one held at a time).
    tables: dict[str, AnyTable] = dict(report_table_builders(result))
    # Tables the engine kept where it made them are written there, before the files read from them.
    extra: dict[str, Callable[[Path], None]] = {}
    elsewhere = {
        "documents": result.documents.write_documents_table
        if isinstance(result.documents, DocumentsElsewhere)
        else None,
        "credits": result.credits.write_credits_table if isinstance(result.credits, CreditsElsewhere) else None,
        "nodes": result.nodes.write_table if isinstance(result.nodes, TableElsewhere) else None,
        "edges": result.edges.write_table if isinstance(result.edges, TableElsewhere) else None,
    }
    for name, writer in elsewhere.items():
        if writer is not None:
            del tables[name]
            extra[table_path(Path(), name).name] = writer
    if elsewhere["nodes"] or elsewhere["edges"]:  # the exports stream the graph back from its tables
        extra[GRAPHML] = lambda path: write_graphml(*graph_records(path.parent), path)
        extra[GEXF] = lambda path: write_gexf(*graph_records(path.parent), path)
    else:
        extra[GRAPHML] = lambda path: write_graphml(result.nodes, result.edges, path)
        extra[GEXF] = lambda path: write_gexf(result.nodes, result.edges, path)
    extra[INDEX] = write_index
    if texts and "texts" not in writers:
        tables["texts"] = texts_batches(result.documents)
    for name, write in writers.items():  # folders of part files, written by the engine
        tables.pop(name, None)
        extra[table_path(Path(), name).name] = write
    # The pages last, from the tables just written (read back from the folder being written),
    # and each shown text read from the documents when its page is written.
    page_texts = Columns({"doc_id": column(result.documents, "doc_id"), "text": TextColumn(result.documents)})
    site_manifest = manifest | {"schema_version": SCHEMA_VERSION}
    extra[SITE_DIR] = lambda path: write_site(
        site_tables(path.parent, page_texts if texts else None), site_manifest, path
    )
    # The graph exports and the texts read nothing of the report: on the local engine a forked
    # child writes them beside the rest, once they cost more than the fork (6-10 ms). Not on a
    # Spark driver: its threads (py4j's) may hold locks a forked child would wait on for ever.
    big = ASIDE_FROM is not None and len(result.documents) >= ASIDE_FROM
    aside = {GRAPHML, GEXF, "texts"} if engine == "local" and big else set()
    if elsewhere["nodes"] or elsewhere["edges"]:
        aside -= {GRAPHML, GEXF}  # they read the graph's tables, written first
    return write_report(out, tables, manifest, force=force, extra_files=extra, aside=aside)


def read_graph(report_dir: Path) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The provenance graph of a finished report (tables written as files or part folders).

    Raises:
        ReportError: not a report, or its graph tables are missing or unreadable.
    """
    read_manifest(report_dir)
    nodes, edges = graph_records(report_dir)
    return list(nodes), list(edges)


def graph_records(report_dir: Path) -> tuple[Iterator[GraphNode], Iterator[GraphEdge]]:
    """The nodes and the edges of the graph tables in ``report_dir`` (a report, or one being
    written), each read as a stream, a slice of rows at a time: never the whole graph held.

    Raises:
        ReportError: a graph table is missing or unreadable (when read).
    """
    return _records(report_dir, "nodes", GraphNode), _records(report_dir, "edges", GraphEdge)


_GRAPH_ROWS = 8_192
"""Graph rows read into records at a time (65,536 at a time, the exports of 100,000 generated
documents' graph took the driver 40 MB up)."""


def _records(report_dir: Path, name: str, kind: type[R]) -> Iterator[R]:
    for table in iter_table(report_dir, name, TABLES[name].names, rows=_GRAPH_ROWS):
        yield from map(kind, *(table.column(i).to_pylist() for i in range(table.num_columns)))
