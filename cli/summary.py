"""What each command prints when it is done: counts, then a table of what it found.

Every id, title, name, snippet and path shown here comes from files prov did not write or
from the user, so each passes through ``cell`` or ``inline`` (see ``prov_cli.display``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from prov_cli.display import cell, inline, printable
from rich.console import Console
from rich.table import Table
from rich.text import Text

from provenance.report.tables import representative

if TYPE_CHECKING:
    from provenance.dedup import DedupConfig, DedupOutputs, DedupResult
    from provenance.index import AddResult, CompactResult, DeleteResult, IndexManifest, QueryResult
    from provenance.records import GraphEdge, GraphNode, Origin, ScanResult, Skipped


def _console() -> Console:
    return Console(highlight=False)


def _snippet(text: str, width: int) -> str:
    flat = printable(" ".join(text.split()))  # escaped before cutting, so the width holds
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _origin(origin: Origin | None) -> str:
    return f"{origin.agency} ({origin.confidence:.2f})" if origin and origin.agency else "?"


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _room(width: int, widths: Sequence[int]) -> int:
    """Characters a terminal ``width`` wide leaves for one more column of a rich table (box
    borders and one space of padding each side) whose other columns have ``widths``."""
    return width - (3 * (len(widths) + 1) + 1) - sum(widths)


def print_scan(result: ScanResult, out: Path, top: int = 10) -> None:
    """Print what a scan found (counts, what the clusters are, likely origins of the news, the
    ``top`` largest news clusters with a snippet) and where the report is."""
    console = _console()
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
    news = [cl for cl in result.clusters if cl.category == "news"]
    others = Counter(cl.category for cl in result.clusters if cl.category != "news")
    if others:
        console.print(
            f"[bold]{len(news)}[/] news cluster{'' if len(news) == 1 else 's'}; not news: "
            + ", ".join(f"{n} {name}" for name, n in sorted(others.items(), key=lambda kv: (-kv[1], kv[0])))
            + " (the category columns of clusters.parquet say why)."
        )
    news_ids = {cl.cluster_id for cl in news}
    origins = {o.cluster_id: o for o in result.origins if o.cluster_id in news_ids}
    if origins:
        by_agency = Counter(o.agency or "unknown" for o in origins.values())
        named = ", ".join(f"{inline(a)} {n}" for a, n in by_agency.most_common() if a != "unknown")
        console.print(
            f"Likely origins: {named or 'none named'}"
            + (f"; unknown {by_agency['unknown']}" if by_agency["unknown"] else "")
            + f". {len(result.credits)} agency credits found."
        )
    ranked = sorted(news, key=lambda cl: (-len(cl.docs), -len(cl.occurrences), cl.cluster_id))[: max(top, 0)]
    if ranked:
        table = Table(title=f"Largest news clusters (of {len(news)})", title_justify="left", expand=False)
        # One line per cluster at any terminal width: the figures keep their width, the snippet
        # takes the rest (cut with an ellipsis), and the documents column shows only when there
        # is room for it (every document is in passages.parquet).
        fixed = {"cluster": 7, "kind": 9, "docs": 4, "occ.": 4, "origin": 14}
        with_docs = console.width >= 110
        room = _room(console.width, [*fixed.values(), *([26] if with_docs else [])])
        for name, width in fixed.items():
            right = name in ("docs", "occ.")
            table.add_column(name, justify="right" if right else "left", no_wrap=True, overflow="ellipsis", width=width)
        table.add_column("snippet", no_wrap=True, overflow="ellipsis", width=max(room, 10))
        if with_docs:
            table.add_column("documents", no_wrap=True, overflow="ellipsis", width=26)
        for cl in ranked:
            text, _ = representative(cl, docs)
            names = [docs[d].doc_id for d in cl.docs]
            shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
            row: list[Text | str] = [
                cell(cl.cluster_id),
                cell({"cross-document": "cross-doc"}.get(cl.occurrences[0].kind, cl.occurrences[0].kind)),
                str(len(cl.docs)),
                str(len(cl.occurrences)),
                cell(_origin(origins.get(cl.cluster_id))),
                cell(_snippet(text, 200)),
            ]
            table.add_row(*row, *([cell(shown)] if with_docs else []))
        console.print(table)
    console.print(f"Report: [bold]{inline(out)}[/]")


def print_dedup(result: DedupResult, config: DedupConfig, outputs: DedupOutputs) -> None:
    """Print what a deduplication removed (and cut, with --strip-boilerplate), the first ten
    removals with the document kept, and where the files are."""
    console = _console()
    c = result.counts
    console.print(
        f"[bold]{c['documents']}[/] documents read"
        + (f", [yellow]{c['skipped_inputs']} skipped[/]" if c["skipped_inputs"] else "")
        + f": [bold]{c['removed']}[/] near-duplicates removed in {c['groups']} groups "
        f"({c['verified_pairs']} of {c['candidate_pairs']} candidate pairs verified at Jaccard >= "
        f"{config.threshold:g}), [bold]{c['kept']}[/] kept by policy {config.policy}."
    )
    if config.strip_boilerplate:
        console.print(
            f"{c['stripped_passages']} boilerplate passages ({c['stripped_chars']:,} characters) cut"
            + (
                f"; {c['emptied_by_stripping']} documents held nothing else and were dropped."
                if c["emptied_by_stripping"]
                else "."
            )
        )
    docs = result.documents
    shown = [(r, docs[r.kept]) for r in result.removals if r.kept is not None][:10]
    if shown:
        table = Table(title=f"Removed (first {len(shown)} of {c['removed']})", title_justify="left")
        for col in ("removed", "kept", "similarity", "kept because"):
            table.add_column(col, justify="right" if col == "similarity" else "left")
        for r, kept in shown:
            table.add_row(cell(docs[r.doc].doc_id), cell(kept.doc_id), f"{r.similarity:.3f}", cell(r.kept_because))
        console.print(table)
    console.print(f"Corpus: [bold]{inline(outputs.corpus)}[/]; removed: [bold]{inline(outputs.removed)}[/]")


def print_added(index: Path, result: AddResult, skipped: Sequence[Skipped]) -> None:
    """Print what ``index add`` added, replaced and skipped, and what the index now holds."""
    m = result.manifest
    _console().print(
        f"Added [bold]{result.added}[/] documents to {inline(index)} in {result.seconds:.1f}s"
        + (f" ({len(result.replaced_ids)} replaced)" if result.replaced_ids else "")
        + (f"; [yellow]{len(result.skipped_ids)} already indexed, skipped[/]" if result.skipped_ids else "")
        + (
            f"; [yellow]{len(skipped)} inputs skipped[/] (listed in {inline(index / 'manifest.json')})"
            if skipped
            else ""
        )
        + f". The index holds [bold]{m.documents}[/] documents in {len(m.segments)} segments"
        f" (generation {m.generation})."
    )


def print_deleted(result: DeleteResult) -> None:
    """Print what ``index delete`` deleted, the first ids it did not find, and what is left."""
    _console().print(
        f"Deleted [bold]{len(result.deleted)}[/] documents"
        + (
            f"; [yellow]{len(result.missing)} not in the index[/] ({inline(', '.join(result.missing[:5]))})"
            if result.missing
            else ""
        )
        + f". The index holds [bold]{result.manifest.documents}[/] documents."
    )


def print_compacted(result: CompactResult, size: int) -> None:
    """Print what ``index compact`` merged, purged and removed; ``size`` is the index's bytes."""
    _console().print(
        f"Compacted {result.segments_before} segments into {len(result.manifest.segments)}, "
        f"purged {result.purged} deleted documents, removed {result.removed_files} old files. "
        f"The index holds [bold]{result.manifest.documents}[/] documents ({_mb(size)})."
    )


def print_index_info(index: Path, m: IndexManifest, size: int, unreferenced: int) -> None:
    """Print an index's state and parameters; ``size`` is its bytes, ``unreferenced`` the files
    no current state uses. Suggests a compaction past 32 segments."""
    console = _console()
    p = m.parameters
    console.print(
        f"[bold]{inline(index)}[/]: {m.documents} documents ({len(m.tombstones)} deleted, not yet compacted), "
        f"{len(m.segments)} segments, {sum(s.keys for s in m.segments):,} band keys, {_mb(size)}; "
        f"generation {m.generation}, schema {m.schema_version}, updated {m.updated or m.created}."
    )
    console.print(
        f"Parameters: shingle size {p.shingle_size}, window {p.window_words}, {p.num_perm} permutations, "
        f"seed {p.seed}, {p.bands} bands x {p.rows} rows."
    )
    if unreferenced:
        console.print(f"{unreferenced} files not in the current state ({len(m.retired)} retired segments).")
    if len(m.segments) > 32:
        console.print(f"[yellow]{len(m.segments)} segments: run `prov index compact --index {inline(index)}`[/]")


def print_query(result: QueryResult, out: Path, top: int = 20) -> None:
    """Print how many new documents reuse indexed ones, the ``top`` reused passages (new span,
    indexed span, similarity, likely origin, text), and where the report is."""
    console = _console()
    scan = result.scan
    c = scan.counts
    docs = scan.documents
    first_new = result.first_new
    reusing = {max(al.doc_a, al.doc_b) for al in scan.alignments if min(al.doc_a, al.doc_b) < first_new}
    console.print(
        f"[bold]{c['new_documents']}[/] new documents queried against {c['index_documents']} indexed"
        + (f", [yellow]{c['skipped_inputs']} inputs skipped[/]" if c["skipped_inputs"] else "")
        + f": [bold]{len(reusing)}[/] reuse text of [bold]{c['indexed_documents']}[/] indexed documents "
        f"({c['passages']} passages in {c['clusters']} clusters, {c['alignments']} verified alignments)."
    )
    origin_of = {o.cluster_id: o for o in scan.origins}
    cluster_of: dict[int, list[tuple[int, int, str]]] = {}
    for cluster in scan.clusters:
        for occ in cluster.occurrences:
            cluster_of.setdefault(occ.doc, []).append((occ.start, occ.end, cluster.cluster_id))
    rows = []
    for al in scan.alignments:
        new_side, old_side = (al.doc_b, al.doc_a) if al.doc_b >= first_new else (al.doc_a, al.doc_b)
        if new_side == al.doc_b:
            new_span, old_span = (al.b_start, al.b_end), (al.a_start, al.a_end)
        else:
            new_span, old_span = (al.a_start, al.a_end), (al.b_start, al.b_end)
        cid = next((cid for s, e, cid in cluster_of.get(al.doc_a, []) if s <= al.a_start < e), "")
        rows.append((new_side, new_span, old_side, old_span, al.similarity, origin_of.get(cid)))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    shown = rows[: max(top, 0)]
    if shown:
        table = Table(title=f"Reused passages (first {len(shown)} of {len(rows)})", title_justify="left")
        cells = []
        for new_side, new_span, old_side, old_span, similarity, origin in shown:
            label = docs[old_side].doc_id + (" (new)" if old_side >= first_new else "")
            cells.append(
                [
                    cell(docs[new_side].doc_id),
                    cell(f"{new_span[0]}-{new_span[1]}"),
                    cell(label),
                    cell(f"{old_span[0]}-{old_span[1]}"),
                    cell(f"{similarity:.2f}"),
                    cell(_origin(origin)),
                ]
            )
        # One line per passage at any width: each column as wide as its longest cell (ids at most
        # 28), ids shortened with an ellipsis when the terminal is narrow, and the text column
        # only when there is room for it (every passage is in passages.parquet).
        names = ["new document", "span", "reuses", "span", "sim.", "origin"]
        widths = [max(len(names[i]), *(c[i].cell_len for c in cells)) for i in range(len(names))]
        widths[0], widths[2] = min(widths[0], 28), min(widths[2], 28)
        while _room(console.width, widths) < 12 and max(widths[0], widths[2]) > 8:  # ids give way
            widths[0 if widths[0] >= widths[2] else 2] -= 1
        spare = _room(console.width, widths)
        with_text = spare >= 12
        for i, name in enumerate(names):
            justify: Literal["left", "right"] = "right" if name in ("span", "sim.") else "left"
            table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis", width=widths[i])
        if with_text:
            table.add_column("text", no_wrap=True, overflow="ellipsis", width=spare)
        for row, (new_side, new_span, *_) in zip(cells, shown, strict=True):
            text = cell(_snippet(docs[new_side].text[new_span[0] : new_span[1]], 200))
            table.add_row(*row, *([text] if with_text else []))
        console.print(table)
    console.print(f"Report: [bold]{inline(out)}[/]")


def print_graph(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], top: int, written: Sequence[Path]) -> None:
    """Print a report's graph: node and edge counts, the ``top`` agencies by attributed reused
    copy and the ``top`` likely copies, then the files ``written``."""
    console = _console()
    kinds = Counter(n.kind for n in nodes)
    console.print(
        f"[bold]{len(nodes)}[/] nodes ("
        + ", ".join(f"{kinds[k]} {k}" for k in ("agency", "outlet", "doc", "cluster") if kinds[k])
        + f"), [bold]{len(edges)}[/] edges ("
        + ", ".join(f"{n} {inline(k)}" for k, n in sorted(Counter(e.kind for e in edges).items()))
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
            table.add_row(cell(_name(agency)), f"{chars:,.0f}", str(len(reached[agency])))
        console.print(table)
    copies = sorted((e for e in edges if e.kind == "copied_from"), key=lambda e: -e.weight)[:top]
    if copies:
        table = Table(title="Likely copied from (earlier -> later)", title_justify="left")
        for col in ("from", "to", "characters"):
            table.add_column(col)
        for e in copies:
            table.add_row(cell(_name(e.source)), cell(_name(e.target)), f"{e.weight:,.0f}")
        console.print(table)
    for path in written:
        console.print(f"Wrote {inline(path)}")


def _name(node_id: str) -> str:
    """A graph node's name: its id without the ``kind:`` prefix."""
    return node_id.split(":", 1)[1]
