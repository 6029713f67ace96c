"""What each command prints when it is done: counts, then what it found.

Every id, title, name, snippet and path shown here comes from files prov did not write or
from the user, so each passes through ``cell``, ``inline``, ``flow`` or ``clip`` (see
``prov_cli.display``). What scan, query and dedup found is laid out in blocks, not tables, so
that at any width and in a pipe a document id is printed whole, with its outlet and date.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from prov_cli.display import cell, clip, flow, inline
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from provenance.dedup import DedupConfig, DedupOutputs, DedupResult
    from provenance.index import AddResult, CompactResult, DeleteResult, IndexManifest, QueryResult
    from provenance.records import Document, GraphEdge, GraphNode, Origin, ScanResult, Skipped


DOCUMENTS_SHOWN = 3  # per cluster; the rest are in passages.parquet


def _console() -> Console:
    return Console(highlight=False)


def _say(console: Console, lines: Sequence[str], style: str = "") -> None:
    """Print ``lines`` (escaped already, by ``flow`` or ``clip``) as they are: no markup, no
    wrapping by rich, so an id longer than the terminal is wrapped by the terminal, never cut."""
    for line in lines:
        console.print(Text(line, style=style), soft_wrap=True)


def _count(n: int, noun: str, bold: bool = False) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1 ("1 segment", "3 segments"); the number
    in bold with ``bold``."""
    number = f"[bold]{n}[/]" if bold else str(n)
    return f"{number} {noun}{'' if n == 1 else 's'}"


def _document(doc: Document, lead: str = "", suffix: str = "", end: str = "") -> list[str]:
    """Parts for ``flow``: a document's id (between ``lead`` and ``suffix``), then its outlet and
    date in brackets where known; ``end`` closes the last part."""
    known = ", ".join(value for value in (doc.outlet, doc.date) if value)
    parts = [lead + doc.doc_id + suffix, *([f"({known})"] if known else [])]
    parts[-1] += end
    return parts


def _origin(origin: Origin | None) -> str:
    return f"{origin.agency} ({origin.confidence:.2f})" if origin and origin.agency else "unknown"


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def print_scan(result: ScanResult, out: Path, top: int = 10) -> None:
    """Print what a scan found (counts, what the clusters are, likely origins of the news, the
    ``top`` largest news clusters with a snippet) and where the report is."""
    from provenance.report.tables import representative  # imported here: not needed by --quiet runs

    console = _console()
    c = result.counts
    seconds = sum(t.seconds for t in result.timings)
    console.print(
        f"[bold]{c['documents']}[/] documents read"
        + (f", {c['filtered_out']} filtered out" if c.get("filtered_out") else "")
        + (f", [yellow]{c['skipped_inputs']} skipped[/]" if c["skipped_inputs"] else "")
        + (f" ({c['skipped_unsupported']} not a supported type)" if c.get("skipped_unsupported") else "")
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
    # Counted as the report's overview counts them: copy shared by two documents or more (a
    # passage repeated inside one article is nobody's reprint).
    shared = {cl.cluster_id for cl in news if len(cl.docs) >= 2}
    if origins:
        by_agency = Counter(o.agency or "unknown" for cid, o in origins.items() if cid in shared)
        named = ", ".join(f"{inline(a)} {n}" for a, n in by_agency.most_common() if a != "unknown")
        inside = len(news) - len(shared)
        console.print(
            f"Likely origins of news copy across documents: {named or 'none named'}"
            + (f"; unknown {by_agency['unknown']}" if by_agency["unknown"] else "")
            + (f" ({_count(inside, 'news cluster')} inside one document not counted)" if inside else "")
            + f". {len(result.credits)} agency credits found."
        )
    ranked = sorted(news, key=lambda cl: (-len(cl.docs), -len(cl.occurrences), cl.cluster_id))[: max(top, 0)]
    if ranked:
        # A block per cluster, not a table: every id whole (a pipe or a narrow terminal cut them
        # short), the snippet on at most two lines, a document's outlet and date beside it.
        width = console.width
        console.print(f"\n[bold]Largest news clusters[/] ({len(ranked)} of {len(news)})")
        for cl in ranked:
            text, _ = representative(cl, docs)
            kind = cl.occurrences[0].kind
            head = [
                f"{cl.cluster_id} ",  # its own space and the separator's: two after the id
                f"{kind},",
                f"{_count(len(cl.docs), 'document')},",
                f"{_count(len(cl.occurrences), 'occurrence')},",
                f"origin {_origin(origins.get(cl.cluster_id))}",
            ]
            _say(console, ["", *flow(head, width, hang=9)], style="bold")
            _say(console, clip(text, width, indent=4), style="italic")
            for d in cl.docs[:DOCUMENTS_SHOWN]:
                _say(console, flow(_document(docs[d], lead="- "), width, indent=2, hang=4))
            if len(cl.docs) > DOCUMENTS_SHOWN:
                more = len(cl.docs) - DOCUMENTS_SHOWN
                _say(console, flow([f"- and {more} more, in passages.parquet"], width, indent=2))
    _say(console, ["", *flow(["Report:", out], console.width)])
    _say(console, flow(["Read it in a browser:", out / "index.html"], console.width))


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
    replaced = ((r, r.kept) for r in result.removals if r.kept is not None)
    shown = [(r, docs[kept]) for r, kept in itertools.islice(replaced, 10)]
    if shown:
        width = console.width
        console.print(f"\n[bold]Removed[/] ({len(shown)} of {c['removed']})")
        for r, kept in shown:
            _say(console, ["", *flow(_document(docs[r.doc]), width, hang=2)], style="bold")
            line = ["kept", *_document(kept, end=","), f"similarity {r.similarity:.3f}:", r.kept_because]
            _say(console, flow(line, width, indent=2, hang=6))
    _say(console, ["", *flow(["Corpus:", f"{outputs.corpus};", "removed:", outputs.removed], console.width)])


def print_added(index: Path, result: AddResult, skipped: Sequence[Skipped]) -> None:
    """Print what ``index add`` added, replaced and skipped, and what the index now holds."""
    m = result.manifest
    _console().print(
        f"Added {_count(result.added, 'document', bold=True)} to {inline(index)} in {result.seconds:.1f}s"
        + (f" ({len(result.replaced_ids)} replaced)" if result.replaced_ids else "")
        + (f"; [yellow]{len(result.skipped_ids)} already indexed, skipped[/]" if result.skipped_ids else "")
        + (
            f"; [yellow]{_count(len(skipped), 'input')} skipped[/] (listed in {inline(index / 'manifest.json')})"
            if skipped
            else ""
        )
        + f". The index holds {_count(m.documents, 'document', bold=True)} in {_count(len(m.segments), 'segment')}"
        f" (generation {m.generation})."
    )


def print_deleted(result: DeleteResult) -> None:
    """Print what ``index delete`` deleted, the first ids it did not find, and what is left."""
    _console().print(
        f"Deleted {_count(len(result.deleted), 'document', bold=True)}"
        + (
            f"; [yellow]{len(result.missing)} not in the index[/] ({inline(', '.join(result.missing[:5]))})"
            if result.missing
            else ""
        )
        + f". The index holds {_count(result.manifest.documents, 'document', bold=True)}."
    )


def print_compacted(result: CompactResult, size: int) -> None:
    """Print what ``index compact`` merged, purged and removed; ``size`` is the index's bytes."""
    _console().print(
        f"Compacted {_count(result.segments_before, 'segment')} into {len(result.manifest.segments)}, "
        f"purged {_count(result.purged, 'deleted document')}, removed {_count(result.removed_files, 'old file')}. "
        f"The index holds {_count(result.manifest.documents, 'document', bold=True)} ({_mb(size)})."
    )


def print_index_info(index: Path, m: IndexManifest, size: int, unreferenced: int) -> None:
    """Print an index's state and parameters; ``size`` is its bytes, ``unreferenced`` the files
    no current state uses. Suggests a compaction past 32 segments."""
    console = _console()
    p = m.parameters
    console.print(
        f"[bold]{inline(index)}[/]: {_count(m.documents, 'document')} "
        f"({len(m.tombstones)} deleted, not yet compacted), "
        f"{_count(len(m.segments), 'segment')}, {sum(s.keys for s in m.segments):,} band keys, {_mb(size)}; "
        f"generation {m.generation}, schema {m.schema_version}, updated {m.updated or m.created}."
    )
    console.print(
        f"Parameters: shingle size {p.shingle_size}, window {p.window_words}, {p.num_perm} permutations, "
        f"seed {p.seed}, {p.bands} bands x {p.rows} rows."
    )
    if unreferenced:
        console.print(
            f"{_count(unreferenced, 'file')} not in the current state ({_count(len(m.retired), 'retired segment')})."
        )
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
        # A block per new document, a line per passage: ids whole, outlets and dates beside them,
        # the reused text on at most two lines (every passage is in passages.parquet).
        width = console.width
        console.print(f"\n[bold]Reused passages[/] ({len(shown)} of {len(rows)})")
        for i, (new_side, new_span, old_side, old_span, similarity, origin) in enumerate(shown):
            if i == 0 or shown[i - 1][0] != new_side:
                _say(console, ["", *flow(_document(docs[new_side]), width, hang=2)], style="bold")
            old = _document(docs[old_side], suffix=" (new)" if old_side >= first_new else "", end=";")
            line = [f"{new_span[0]}-{new_span[1]} reuses {old_span[0]}-{old_span[1]} of", *old]
            _say(console, flow([*line, f"similarity {similarity:.2f},", f"origin {_origin(origin)}"], width, 2, 6))
            _say(console, clip(docs[new_side].text[new_span[0] : new_span[1]], width, indent=4), style="italic")
    _say(console, ["", *flow(["Report:", out], console.width)])


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
