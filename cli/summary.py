"""The terminal summary of a scan: counts, then the largest clusters with a snippet."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from prov_cli.display import cell, inline, printable
from rich.console import Console
from rich.table import Table

from provenance.records import ScanResult
from provenance.report.tables import representative


def _snippet(text: str, width: int = 70) -> str:
    flat = printable(" ".join(text.split()))  # escaped before cutting, so the width holds
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def print_summary(console: Console, result: ScanResult, out: Path, top: int = 10) -> None:
    """Print what a scan found and where the report is; ids and snippets from the corpus are
    shown with their control characters escaped (see ``prov_cli.display``)."""
    c = result.counts
    seconds = sum(t.seconds for t in result.timings)
    console.print(
        f"[bold]{c['documents']}[/] documents read"
        + (f", [yellow]{c['skipped_inputs']} skipped[/]" if c["skipped_inputs"] else "")
        + f" in {seconds:.1f}s: [bold]{c['passages']}[/] reused passages in [bold]{c['clusters']}[/] clusters"
        f" ({c['alignments']} verified alignments from {c['candidate_pairs']} candidate pairs)."
    )
    if c["boilerplate_buckets"]:
        console.print(
            f"[yellow]{c['boilerplate_buckets']} boilerplate buckets[/] were capped "
            f"({c['pairs_avoided_by_bucket_cap']} pair checks avoided); see manifest.json."
        )
    docs = result.documents
    origins = {o.cluster_id: o for o in result.origins}
    if result.origins:
        by_agency = Counter(o.agency or "unknown" for o in result.origins)
        named = ", ".join(f"{inline(a)} {n}" for a, n in by_agency.most_common() if a != "unknown")
        console.print(
            f"Likely origins: {named or 'none named'}"
            + (f"; unknown {by_agency['unknown']}" if by_agency["unknown"] else "")
            + f". {len(result.credits)} agency credits found."
        )
    ranked = sorted(result.clusters, key=lambda cl: (-len(cl.docs), -len(cl.occurrences), cl.cluster_id))[: max(top, 0)]
    if ranked:
        table = Table(title=f"Largest clusters (of {len(result.clusters)})", title_justify="left", expand=False)
        table.add_column("cluster")
        table.add_column("kind")
        table.add_column("docs", justify="right")
        table.add_column("occ.", justify="right")
        table.add_column("origin")
        table.add_column("snippet")
        table.add_column("documents")
        for cl in ranked:
            first = cl.occurrences[0]
            text, _ = representative(cl, docs)
            origin = origins.get(cl.cluster_id)
            origin_text = f"{origin.agency} ({origin.confidence:.2f})" if origin and origin.agency else "?"
            names = [docs[d].doc_id for d in cl.docs]
            shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
            kind = first.kind + (" (boilerplate)" if cl.boilerplate else "")
            table.add_row(
                cell(cl.cluster_id),
                cell(kind),
                str(len(cl.docs)),
                str(len(cl.occurrences)),
                cell(origin_text),
                cell(_snippet(text)),
                cell(shown),
            )
        console.print(table)
    console.print(f"Report: [bold]{inline(out)}[/]")
