"""``prov index add|delete|compact|info`` and ``prov query``: monitor new articles against an index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from prov_cli import options as opt
from prov_cli.display import cell, inline, printable
from prov_cli.errors import handle_errors, setup_logging
from rich.console import Console
from rich.table import Table

from provenance.config import DetectConfig, ScanConfig
from provenance.errors import InputError
from provenance.index import (
    add_documents,
    compact,
    delete_documents,
    disk_usage,
    open_index,
    query_identity,
    query_index,
    resolve_detect,
    unreferenced_files,
    write_query_report,
)
from provenance.ingest import check_paths
from provenance.pipeline import load
from provenance.report.writer import check_destination

index_app = typer.Typer(
    name="index",
    help="Keep a persistent index of documents to query new articles against (add, delete, compact, info).",
    no_args_is_help=True,
)

DEFAULT_QUERY_OUT = Path("prov-query")
KEYS = "Sketching (default: the index's)"

IndexDir = Annotated[Path, typer.Option("--index", "-i", help="The index folder.", show_default=False)]
Wait = Annotated[float, typer.Option(help="Seconds to wait for another writer to finish.")]
ShingleSize = Annotated[int | None, typer.Option(help="Words per shingle.", rich_help_panel=KEYS)]
Window = Annotated[int | None, typer.Option("--window", help="Words per MinHash window.", rich_help_panel=KEYS)]
NumPerm = Annotated[int | None, typer.Option(help="MinHash permutations.", rich_help_panel=KEYS)]
Seed = Annotated[int | None, typer.Option(help="MinHash seed.", rich_help_panel=KEYS)]
Threshold = Annotated[
    float | None, typer.Option(help="Window Jaccard similarity the LSH bands target.", rich_help_panel=KEYS)
]
Bands = Annotated[int | None, typer.Option(help="LSH bands (with --rows).", rich_help_panel=KEYS)]
Rows = Annotated[int | None, typer.Option(help="LSH rows per band (with --bands).", rich_help_panel=KEYS)]


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


@index_app.command("add")
@handle_errors
def add(
    paths: opt.Paths,
    index: IndexDir,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace indexed documents with the same id (default: skip them).")
    ] = False,
    wait: Wait = 0.0,
    quiet: opt.Quiet = False,
    shingle_size: ShingleSize = None,
    window: Window = None,
    num_perm: NumPerm = None,
    seed: Seed = None,
    threshold: Threshold = None,
    bands: Bands = None,
    rows: Rows = None,
    id_field: opt.IdField = "id",
    text_field: opt.TextField = "text",
    outlet_field: opt.OutletField = "outlet",
    date_field: opt.DateField = "date",
    title_field: opt.TitleField = "title",
    url_field: opt.UrlField = "url",
) -> None:
    """Add documents to an index (created when missing), in one all-or-nothing commit.

    Example: prov index add wire/2024-06-01/ --index wire-index/
    """
    setup_logging(quiet)
    detect = resolve_detect(
        index,
        shingle_size=shingle_size,
        window_words=window,
        num_perm=num_perm,
        seed=seed,
        threshold=threshold,
        bands=bands,
        rows=rows,
    )
    fields = opt.field_names(id_field, text_field, outlet_field, date_field, title_field, url_field)
    inputs = check_paths(paths)
    docs, skipped = load(inputs, ScanConfig(detect=detect, fields=fields))
    result = add_documents(index, docs, detect, replace_existing=replace, skipped_inputs=skipped, lock_timeout=wait)
    if quiet:
        return
    m = result.manifest
    Console(highlight=False).print(
        f"Added [bold]{result.added}[/] documents to {index} in {result.seconds:.1f}s"
        + (f" ({len(result.replaced_ids)} replaced)" if result.replaced_ids else "")
        + (f"; [yellow]{len(result.skipped_ids)} already indexed, skipped[/]" if result.skipped_ids else "")
        + (f"; [yellow]{len(skipped)} inputs skipped[/] (listed in {index / 'manifest.json'})" if skipped else "")
        + f". The index holds [bold]{m.documents}[/] documents in {len(m.segments)} segments"
        f" (generation {m.generation})."
    )


@index_app.command("delete")
@handle_errors
def delete(
    index: IndexDir,
    doc_ids: Annotated[
        list[str] | None, typer.Argument(help="Ids of the documents to delete.", show_default=False)
    ] = None,
    ids_from: Annotated[
        Path | None, typer.Option("--ids-from", help="A file of document ids to delete, one a line.")
    ] = None,
    wait: Wait = 0.0,
    quiet: opt.Quiet = False,
) -> None:
    """Delete documents from an index by id; queries stop seeing them at once.

    Example: prov index delete --index wire-index/ reuters-17 reuters-18
    """
    setup_logging(quiet)
    ids = list(doc_ids or [])
    if ids_from is not None:
        try:
            ids += [line.strip() for line in ids_from.read_text(encoding="utf-8").splitlines() if line.strip()]
        except OSError as err:
            raise InputError(f"{ids_from}: cannot read ({err.strerror or err})") from None
    if not ids:
        raise InputError("no document ids given; name them or pass --ids-from FILE")
    result = delete_documents(index, ids, lock_timeout=wait)
    if quiet:
        return
    Console(highlight=False).print(
        f"Deleted [bold]{len(result.deleted)}[/] documents"
        + (
            f"; [yellow]{len(result.missing)} not in the index[/] ({inline(', '.join(result.missing[:5]))})"
            if result.missing
            else ""
        )
        + f". The index holds [bold]{result.manifest.documents}[/] documents."
    )


@index_app.command("compact")
@handle_errors
def compact_cmd(index: IndexDir, wait: Wait = 0.0, quiet: opt.Quiet = False) -> None:
    """Merge an index's segments into one and purge deleted documents.

    Example: prov index compact --index wire-index/
    """
    setup_logging(quiet)
    result = compact(index, lock_timeout=wait)
    if not quiet:
        Console(highlight=False).print(
            f"Compacted {result.segments_before} segments into {len(result.manifest.segments)}, "
            f"purged {result.purged} deleted documents, removed {result.removed_files} old files. "
            f"The index holds [bold]{result.manifest.documents}[/] documents ({_mb(disk_usage(index))})."
        )


@index_app.command("info")
@handle_errors
def info(index: IndexDir) -> None:
    """Show an index's parameters, documents, segments and size.

    Example: prov index info --index wire-index/
    """
    m = open_index(index).manifest
    console = Console(highlight=False)
    p = m.parameters
    console.print(
        f"[bold]{inline(index)}[/]: {m.documents} documents ({len(m.tombstones)} deleted, not yet compacted), "
        f"{len(m.segments)} segments, {sum(s.keys for s in m.segments):,} band keys, {_mb(disk_usage(index))}; "
        f"generation {m.generation}, schema {m.schema_version}, updated {m.updated or m.created}."
    )
    console.print(
        f"Parameters: shingle size {p.shingle_size}, window {p.window_words}, {p.num_perm} permutations, "
        f"seed {p.seed}, {p.bands} bands x {p.rows} rows."
    )
    unreferenced = len(unreferenced_files(index, m))
    if unreferenced:
        console.print(f"{unreferenced} files not in the current state ({len(m.retired)} retired segments).")
    if len(m.segments) > 32:
        console.print(f"[yellow]{len(m.segments)} segments: run `prov index compact --index {inline(index)}`[/]")


def _snippet(text: str, width: int = 60) -> str:
    flat = printable(" ".join(text.split()))  # escaped before cutting, so the width holds
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@handle_errors
def query(
    paths: opt.Paths,
    index: IndexDir,
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = DEFAULT_QUERY_OUT,
    force: Annotated[bool, typer.Option(help="Replace a report of a different run in --out.")] = False,
    top: Annotated[int, typer.Option(help="Rows of the terminal table.")] = 20,
    quiet: opt.Quiet = False,
    agencies: opt.Agencies = None,
    min_words: opt.MinWords = opt._D.min_words,
    min_similarity: opt.MinSimilarity = opt._D.min_similarity,
    max_gap: opt.MaxGap = opt._D.max_gap,
    max_bucket: opt.MaxBucket = opt._D.max_bucket,
    boilerplate_docs: opt.BoilerplateDocs = opt._D.boilerplate_docs,
    shingle_size: ShingleSize = None,
    window: Window = None,
    num_perm: NumPerm = None,
    seed: Seed = None,
    threshold: Threshold = None,
    bands: Bands = None,
    rows: Rows = None,
    id_field: opt.IdField = "id",
    text_field: opt.TextField = "text",
    outlet_field: opt.OutletField = "outlet",
    date_field: opt.DateField = "date",
    title_field: opt.TitleField = "title",
    url_field: opt.UrlField = "url",
) -> None:
    """Report which indexed documents and passages new documents reuse, with spans and likely origins.

    Example: prov query today.jsonl --index wire-index/ --out today-report/
    """
    setup_logging(quiet)
    open_index(index)  # a clear error before any work when there is no index
    base = DetectConfig(
        min_words=min_words,
        min_similarity=min_similarity,
        max_gap=max_gap,
        max_bucket=max_bucket,
        boilerplate_docs=boilerplate_docs,
    )
    detect = resolve_detect(
        index,
        base,
        shingle_size=shingle_size,
        window_words=window,
        num_perm=num_perm,
        seed=seed,
        threshold=threshold,
        bands=bands,
        rows=rows,
    )
    config = ScanConfig(
        detect=detect,
        fields=opt.field_names(id_field, text_field, outlet_field, date_field, title_field, url_field),
        agencies=str(agencies) if agencies else None,
    )
    inputs = check_paths(paths)
    check_destination(out, query_identity(config, inputs, index), force)  # fail before a long run
    docs, skipped = load(inputs, config)
    result = query_index(index, docs, config, skipped=skipped)
    write_query_report(out, result, config, inputs, index, force=force)
    if quiet:
        return
    console = Console(highlight=False)
    scan = result.scan
    c = scan.counts
    docs_ = scan.documents
    first_new = result.first_new
    reusing = {max(al.doc_a, al.doc_b) for al in scan.alignments if min(al.doc_a, al.doc_b) < first_new}
    console.print(
        f"[bold]{c['new_documents']}[/] new documents queried against {c['index_documents']} indexed"
        + (f", [yellow]{c['skipped_inputs']} inputs skipped[/]" if c["skipped_inputs"] else "")
        + f": [bold]{len(reusing)}[/] reuse text of [bold]{c['indexed_documents']}[/] indexed documents "
        f"({c['passages']} passages in {c['clusters']} clusters, {c['alignments']} verified alignments)."
    )
    origin_of = {o.cluster_id: o for o in scan.origins}
    cluster_of = {}
    for cluster in scan.clusters:
        for occ in cluster.occurrences:
            cluster_of.setdefault(occ.doc, []).append((occ.start, occ.end, cluster.cluster_id))
    rows_ = []
    for al in scan.alignments:
        new_side, old_side = (al.doc_b, al.doc_a) if al.doc_b >= first_new else (al.doc_a, al.doc_b)
        if new_side == al.doc_b:
            new_span, old_span = (al.b_start, al.b_end), (al.a_start, al.a_end)
        else:
            new_span, old_span = (al.a_start, al.a_end), (al.b_start, al.b_end)
        cid = next((cid for s, e, cid in cluster_of.get(al.doc_a, []) if s <= al.a_start < e), "")
        origin = origin_of.get(cid)
        rows_.append((new_side, new_span, old_side, old_span, al.similarity, origin))
    rows_.sort(key=lambda r: (r[0], r[1], r[2]))
    shown = rows_[: max(top, 0)]
    if shown:
        table = Table(title=f"Reused passages (first {len(shown)} of {len(rows_)})", title_justify="left")
        for col in ("new document", "span", "reuses", "span", "sim.", "origin", "text"):
            table.add_column(col, justify="right" if col in ("span", "sim.") else "left")
        for new_side, new_span, old_side, old_span, similarity, origin in shown:
            old = docs_[old_side]
            label = old.doc_id + (" (new)" if old_side >= first_new else "")
            origin_text = f"{origin.agency} ({origin.confidence:.2f})" if origin and origin.agency else "?"
            table.add_row(
                cell(docs_[new_side].doc_id),
                f"{new_span[0]}-{new_span[1]}",
                cell(label),
                f"{old_span[0]}-{old_span[1]}",
                f"{similarity:.2f}",
                cell(origin_text),
                cell(_snippet(docs_[new_side].text[new_span[0] : new_span[1]])),
            )
        console.print(table)
    console.print(f"Report: [bold]{inline(out)}[/]")
