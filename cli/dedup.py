"""``prov dedup``: write the corpus back without its near-duplicates, and what was removed."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from prov_cli import options as opt
from prov_cli.errors import handle_errors, setup_logging
from prov_cli.no_pandas import without_pandas
from prov_cli.progress import stage_progress

from provenance.config import ScanConfig
from provenance.dedup import DedupConfig

DEDUP = "Deduplication"
_D = DedupConfig()


class PolicyChoice(StrEnum):
    """Which document of a near-duplicate group is kept."""

    earliest = "earliest"
    longest = "longest"
    credited = "credited"


@handle_errors
@without_pandas
@opt.grouped
def dedup(
    paths: opt.Paths,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Deduplicated corpus: a .jsonl, .jsonl.gz or .parquet file.", show_default=False
        ),
    ],
    removed: Annotated[
        Path | None, typer.Option(help="Where to list removed documents (default: <out>.removed.<ext>).")
    ] = None,
    policy: Annotated[
        PolicyChoice,
        typer.Option(
            help="Document kept per group: earliest (date, then id), longest, or credited (the agency's "
            "own or credited copy, then earliest).",
            rich_help_panel=DEDUP,
        ),
    ] = PolicyChoice.earliest,
    threshold: Annotated[
        float,
        typer.Option(
            help="Jaccard similarity of shingle sets from which documents are duplicates.", rich_help_panel=DEDUP
        ),
    ] = _D.threshold,
    num_perm: Annotated[int, typer.Option(help="MinHash permutations.", rich_help_panel=DEDUP)] = _D.num_perm,
    seed: Annotated[int, typer.Option(help="MinHash seed (same seed, same output).", rich_help_panel=DEDUP)] = _D.seed,
    shingle_size: Annotated[int, typer.Option(help="Words per shingle.", rich_help_panel=DEDUP)] = _D.shingle_size,
    strip_boilerplate: Annotated[
        bool,
        typer.Option(
            "--strip-boilerplate",
            help="Also cut reused boilerplate passages out of the kept documents.",
            rich_help_panel=DEDUP,
        ),
    ] = False,
    boilerplate_docs: Annotated[
        int,
        typer.Option(
            help="With --strip-boilerplate: passages in more than this many kept documents are cut.",
            rich_help_panel=DEDUP,
        ),
    ] = _D.boilerplate_docs,
    force: Annotated[bool, typer.Option(help="Replace existing output files.")] = False,
    workers: Annotated[
        int,
        typer.Option(help="Processes that sketch and verify, and run --strip-boilerplate's scan (default: all cores)."),
    ] = 0,
    agencies: opt.Agencies = None,
    quiet: opt.Quiet = False,
    dayfirst: opt.DayFirst = False,
    *,
    fields: opt.Fields,
) -> None:
    """Write the corpus back without near-duplicate documents, and list what was removed and why.

    Example: prov dedup wire/ --out wire-dedup.jsonl --policy credited
    """
    # Imported here, not at the top: `prov --help` and the other commands need none of it.
    from prov_cli.summary import print_dedup

    from provenance.dedup import check_outputs, dedup_outputs, write_dedup
    from provenance.dedup import dedup as run_dedup
    from provenance.ingest import check_paths
    from provenance.pipeline import load

    setup_logging(quiet)
    config = DedupConfig(
        threshold=threshold,
        num_perm=num_perm,
        seed=seed,
        shingle_size=shingle_size,
        policy=policy.value,
        strip_boilerplate=strip_boilerplate,
        boilerplate_docs=boilerplate_docs,
    )
    scan_config = ScanConfig(
        fields=fields,
        dayfirst=dayfirst,
        workers=workers or os.cpu_count() or 1,
        agencies=str(agencies) if agencies else None,
    )
    inputs = check_paths(paths)
    outputs = dedup_outputs(out, removed)
    check_outputs(outputs, inputs, force, strip_boilerplate)  # fail before a long run, not after
    docs, skipped = load(inputs, scan_config)
    with stage_progress(not quiet) as progress:
        result = run_dedup(docs, config, scan_config, skipped=skipped, progress=progress)
    write_dedup(outputs, result, config, scan_config.fields, inputs, force=force)
    if not quiet:
        print_dedup(result, config, outputs)
