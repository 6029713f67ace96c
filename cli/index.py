"""``prov index add|delete|compact|info`` and ``prov query``: monitor new articles against an index."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from prov_cli import options as opt
from prov_cli.errors import handle_errors, setup_logging
from prov_cli.no_pandas import without_pandas

from provenance.config import ScanConfig
from provenance.errors import InputError

index_app = typer.Typer(
    name="index",
    help="Keep a persistent index of documents to query new articles against (add, delete, compact, info).",
    no_args_is_help=True,
)

DEFAULT_QUERY_OUT = Path("prov-query")
IndexDir = Annotated[Path, typer.Option("--index", "-i", help="The index folder.", show_default=False)]
Wait = Annotated[float, typer.Option(help="Seconds to wait for another writer to finish.")]


@index_app.command("add")
@handle_errors
@without_pandas
@opt.grouped
def add(
    paths: opt.Paths,
    index: IndexDir,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace indexed documents with the same id (default: skip them).")
    ] = False,
    wait: Wait = 0.0,
    workers: opt.Workers = 0,
    quiet: opt.Quiet = False,
    dayfirst: opt.DayFirst = False,
    *,
    keys: opt.IndexKeys,
    fields: opt.Fields,
) -> None:
    """Add documents to an index (created when missing), in one all-or-nothing commit.

    Example: prov index add wire/2024-06-01/ --index wire-index/
    """
    from provenance.index import add_documents, resolve_detect  # imported here: 30 ms at every start
    from provenance.ingest import check_paths
    from provenance.pipeline import load

    setup_logging(quiet)
    detect = resolve_detect(index, **keys)
    inputs = check_paths(paths)
    workers = workers or os.cpu_count() or 1
    docs, skipped = load(inputs, ScanConfig(detect=detect, fields=fields, dayfirst=dayfirst, workers=workers))
    result = add_documents(
        index, docs, detect, replace_existing=replace, skipped_inputs=skipped, lock_timeout=wait, workers=workers
    )
    if not quiet:
        from prov_cli.summary import print_added

        print_added(index, result, skipped)


@index_app.command("delete")
@handle_errors
@without_pandas
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
    from provenance.index import delete_documents  # imported here: 30 ms at every start

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
    if not quiet:
        from prov_cli.summary import print_deleted

        print_deleted(result)


@index_app.command("compact")
@handle_errors
@without_pandas
def compact_cmd(index: IndexDir, wait: Wait = 0.0, quiet: opt.Quiet = False) -> None:
    """Merge an index's segments into one and purge deleted documents.

    Example: prov index compact --index wire-index/
    """
    from provenance.index import compact, disk_usage  # imported here: 30 ms at every start

    setup_logging(quiet)
    result = compact(index, lock_timeout=wait)
    if not quiet:
        from prov_cli.summary import print_compacted

        print_compacted(result, disk_usage(index))


@index_app.command("info")
@handle_errors
@without_pandas
def info(index: IndexDir) -> None:
    """Show an index's parameters, documents, segments and size.

    Example: prov index info --index wire-index/
    """
    from prov_cli.summary import print_index_info

    from provenance.index import disk_usage, open_index, unreferenced_files  # imported here: 30 ms at every start

    manifest = open_index(index).manifest
    print_index_info(index, manifest, disk_usage(index), len(unreferenced_files(index, manifest)))


@handle_errors
@without_pandas
@opt.grouped
def query(
    paths: opt.Paths,
    index: IndexDir,
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = DEFAULT_QUERY_OUT,
    force: Annotated[bool, typer.Option(help="Replace a report of a different run in --out.")] = False,
    workers: opt.Workers = 0,
    top: Annotated[int, typer.Option(help="Rows of the terminal table.")] = 20,
    quiet: opt.Quiet = False,
    agencies: opt.Agencies = None,
    boilerplate_patterns: opt.BoilerplatePatterns = None,
    dayfirst: opt.DayFirst = False,
    *,
    passages: opt.Passages,
    keys: opt.IndexKeys,
    fields: opt.Fields,
) -> None:
    """Report which indexed documents and passages new documents reuse, with spans and likely origins.

    Example: prov query today.jsonl --index wire-index/ --out today-report/
    """
    from provenance.index import (  # imported here: 30 ms at every start
        open_index,
        query_identity,
        query_index,
        resolve_detect,
        write_query_report,
    )
    from provenance.ingest import check_paths
    from provenance.pipeline import load
    from provenance.report.writer import check_destination

    setup_logging(quiet)
    open_index(index)  # a clear error before any work when there is no index
    config = ScanConfig(
        detect=resolve_detect(index, passages, **keys),
        fields=fields,
        dayfirst=dayfirst,
        workers=workers or os.cpu_count() or 1,
        agencies=str(agencies) if agencies else None,
        categories=opt.category_config(boilerplate_patterns),
    )
    inputs = check_paths(paths)
    check_destination(out, query_identity(config, inputs, index), force)  # fail before a long run
    docs, skipped = load(inputs, config)
    result = query_index(index, docs, config, skipped=skipped)
    write_query_report(out, result, config, inputs, index, force=force)
    if not quiet:
        from prov_cli.summary import print_query

        print_query(result, out, top)
