"""Build the HTML report of a scan: a static site that opens from ``file://``.

The pages are one small app (``assets/app.js``, ``assets/style.css``, no library, no network)
and data files it loads with ``<script>`` tags as it needs them (``fetch`` of ``file://``
URLs is refused by browsers, a script tag is not). Nothing grows into one huge page: the
overview is one small file; the cluster list comes in chunks of ``LIST_CHUNK`` rows; a
cluster's occurrences with their context, and a document's text with its passages and
credits, come in chunks of ``DETAIL_CHUNK`` clusters or documents.

Everything is built from the report's tables (``prov html REPORT`` rebuilds it from a
finished report), so the site shows exactly what the Parquet files hold.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from provenance.dates import parse_date
from provenance.memory import release_free_memory
from provenance.report.html.graph_svg import graph_svg
from provenance.report.writer import TableRows, existing_table, iter_table, read_table, table_path

SITE_DIR = "html"  # beside index.html in the report folder
INDEX = "index.html"
LIST_CHUNK = 2000  # cluster-list rows per data file
PAGE_SIZE = 50  # cluster-list rows per page
DETAIL_CHUNK = 100  # clusters (or documents) per data file
CONTEXT_CHARS = 300  # text shown before and after each copy
MAX_SHOWN = 200  # occurrences a cluster page carries (all are in passages.parquet)
SNIPPET = 160
SITE_TABLES = ("documents", "passages", "clusters", "credits", "wire_share", "texts")  # what the pages read
MAX_UNITS = 1000  # outlets (or documents) in the share tables: the most copy first; all in wire_share.parquet
LAG_BINS = (  # the reprint-lag histogram's bins, in hours (upper bounds)
    (0, "same time"),
    (1, "< 1 hour"),
    (6, "1-6 hours"),
    (24, "6-24 hours"),
    (48, "1-2 days"),
    (24 * 7, "2-7 days"),
    (24 * 30, "1-4 weeks"),
    (float("inf"), "> 4 weeks"),
)


@dataclass(slots=True)
class _Doc:
    doc_id: str
    outlet: str | None
    date: str | None
    when: datetime | None
    title: str | None
    url: str | None
    n_chars: int
    passages: list[list[Any]] = field(default_factory=list)  # [start, end, cluster no., category]
    credits: list[list[Any]] = field(default_factory=list)  # [start, end, agency, kind]


class Columns:
    """A table given as sequences by column name, instead of an Arrow table: a scan hands the
    pages its texts this way (``corpus.TextColumn``, each text read when its page is written)."""

    def __init__(self, data: dict[str, Sequence[Any]]) -> None:
        self.num_rows = len(next(iter(data.values()), []))
        self.data = data


_UTC_MICROS = pa.timestamp("us", tz="UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _values(column: pa.ChunkedArray) -> list[Any]:
    """A column's values as Python objects; UTC timestamps made here from their microseconds,
    five times faster than Arrow makes them (0.36 s for the dates of 100,000 documents)."""
    if column.type != _UTC_MICROS:
        return column.to_pylist()
    # ``view``, not ``cast``: the same bits read as integers, without importing pyarrow.compute
    # (35 ms of a seeds scan).
    micros = [v for chunk in column.chunks for v in chunk.view(pa.int64()).to_pylist()]
    return [None if v is None else _EPOCH + timedelta(microseconds=v) for v in micros]


class Slices:
    """A report table read a slice at a time each time it is gone through (``writer.iter_table``),
    never whole: the ``documents`` and ``texts`` tables, a row per document of the corpus, and
    ``credits``, about as many."""

    def __init__(self, report: Path, name: str, columns: Sequence[str], rows: int | None = None) -> None:
        self.report, self.name, self.columns, self.rows = report, name, columns, rows

    def __iter__(self) -> Iterator[pa.Table]:
        return iter_table(self.report, self.name, self.columns, self.rows or _ROWS)


@dataclass(frozen=True, slots=True)
class ByRow:
    """A report table the pages read in two parts: its small columns whole (``whole``), and its
    text columns only at the rows a page shows (``rows``): at a million documents the passages'
    texts were 200 MB of Arrow memory held while the pages were written."""

    whole: pa.Table
    rows: TableRows
    report: Path
    name: str

    def slices(self, *columns: str) -> Slices:
        return Slices(self.report, self.name, columns)

    def values(self, name: str, rows: list[int]) -> list[Any]:
        """Column ``name`` at ``rows`` ("" each in a report without the column)."""
        return self.rows.values(name, rows) if name in self.rows.names else [""] * len(rows)


Tables = dict[str, "pa.Table | Columns | Slices | ByRow"]
_BY_ROW = {"passages": ("passage_id", "text"), "clusters": ("representative",)}  # the columns read by row
_DOC_FIELDS = ("doc_id", "outlet", "date", "date_text", "title", "url", "n_chars")  # what the pages read
_CREDIT_FIELDS = ("doc_id", "start", "end", "agency", "kind")


def site_tables(report: Path, texts: Columns | None = None) -> Tables:
    """The tables the pages read, from a report folder (or one being written): ``texts`` stands
    for its texts table; without it, the folder's own is read when it has one. The documents
    and credits are read a slice at a time when the pages are made."""
    sliced = ("texts", "documents", "credits")  # a row per document, or nearly: never read whole
    tables: Tables = {}
    for name in SITE_TABLES:
        if name in _BY_ROW:
            rows = TableRows(report, name)
            small = [c for c in sorted(rows.names) if c not in _BY_ROW[name]]
            tables[name] = ByRow(read_table(report, name, small), rows, report, name)
        elif name not in sliced:
            tables[name] = read_table(report, name)
    release_free_memory()  # the readers' buffers, which Arrow's pool would keep
    for name in ("documents", "credits"):
        existing_table(report, name)  # a missing table said now, as a whole table read here would
    tables["documents"] = Slices(report, "documents", _DOC_FIELDS)
    tables["credits"] = Slices(report, "credits", _CREDIT_FIELDS)
    if texts is not None:
        tables["texts"] = texts
    elif table_path(report, "texts").exists():
        tables["texts"] = Slices(report, "texts", ("doc_id", "text"), _TEXT_ROWS)
    return tables


def _column(table: pa.Table | Columns | None, name: str) -> Sequence[Any]:
    if table is None:
        return []
    if isinstance(table, Columns):
        return table.data.get(name) or [None] * table.num_rows
    if name not in table.column_names:
        return [None] * table.num_rows
    return _values(table.column(name))


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.date().isoformat() if (when.hour, when.minute, when.second) == (0, 0, 0) else when.isoformat()


class _Writer:
    """Writes data files as ``PROV.put(key, value)`` scripts under ``html/data``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0

    def put(self, key: str, value: Any) -> None:
        path = self.root / "data" / f"{key}.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        # orjson: the same compact UTF-8 JSON as json.dumps(ensure_ascii=False), ten times faster
        # (Reuters-21578: 33 MB of page data in 0.04 s against 0.42 s).
        payload = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
        path.write_bytes(b"PROV.put(" + orjson.dumps(key) + b"," + payload + b");\n")
        self.files += 1


@dataclass(slots=True)
class _Docs:
    """What the pages need of the documents: the whole record of those they show (the documents
    with a passage), by row number in the ``documents`` table, and counts over all of them. A page
    object per document of the corpus was most of a large report's page-writing memory."""

    shown: dict[int, _Doc]  # row number -> document
    number: dict[str, int]  # the shown documents' ids -> row number
    total: int = 0
    outlets: int = 0  # distinct outlets named
    dated: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def __getitem__(self, row: int) -> _Doc:
        return self.shown[row]


_ROWS = 16_384  # documents read into Python objects at a time
_TEXT_ROWS = 2_048  # texts read at a time (65,536 texts at once were 70 MB of strings at 100k)


def _slices(table: pa.Table | Slices | None) -> Iterator[tuple[int, pa.Table]]:
    """``table`` in slices of ``_ROWS`` rows at most with the row number each starts at: an
    Arrow table's columns become Python objects a slice at a time, not a million values at once."""
    if table is None:
        return
    if isinstance(table, Slices):
        at = 0
        for part in table:
            yield at, part
            at += part.num_rows
        return
    for at in range(0, table.num_rows, _ROWS):
        yield at, table.slice(at, _ROWS)


def _by_row(table: pa.Table | Columns | Slices | ByRow) -> ByRow:
    """The ``passages`` or ``clusters`` table, as ``site_tables`` reads it."""
    if not isinstance(table, ByRow):
        raise TypeError(f"the pages read this table by row, not as {type(table).__name__}")
    return table


def _shown_ids(tables: Tables) -> set[str]:
    """The ids of the documents a page shows: those holding a passage of a listed cluster."""
    clusters = set(_column(_by_row(tables["clusters"]).whole, "cluster_id"))
    return {
        doc_id
        for _, part in _slices(_by_row(tables["passages"]).whole)
        for doc_id, cid in zip(_column(part, "doc_id"), _column(part, "cluster_id"), strict=True)
        if cid in clusters
    }


def _load_docs(tables: Tables) -> _Docs:
    wanted = _shown_ids(tables)
    docs = _Docs({}, {})
    outlets: set[str] = set()
    for at, part in _slices(tables["documents"]):
        for row, (doc_id, outlet, written, text, title, url, n_chars) in enumerate(
            zip(*(_column(part, name) for name in _DOC_FIELDS), strict=True), start=at
        ):
            docs.total += 1
            if outlet:
                outlets.add(outlet)
            # ``date`` is a UTC timestamp and ``date_text`` the date as written (schema 3.0); a
            # report of an older schema holds the text in ``date``.
            when = parse_date(written) if isinstance(written, str) else written
            if when is not None:
                docs.dated += 1
                docs.first = when if docs.first is None else min(docs.first, when)
                docs.last = when if docs.last is None else max(docs.last, when)
            if doc_id in wanted:
                text = text or (written if isinstance(written, str) else None)
                docs.shown[row] = _Doc(doc_id, outlet, text, when, title, url, n_chars or 0)
                docs.number[doc_id] = row
    docs.outlets = len(outlets)
    for _, part in _slices(tables.get("credits")):
        for doc_id, start, end, agency, kind in zip(
            *(_column(part, name) for name in ("doc_id", "start", "end", "agency", "kind")), strict=True
        ):
            shown = docs.number.get(doc_id)
            if shown is not None:
                docs.shown[shown].credits.append([start, end, agency, kind])
    return docs


@dataclass(slots=True)
class _Cluster:
    number: int
    cluster_id: str
    category: str
    reason: str
    n_docs: int
    n_outlets: int
    representative_doc: str | None
    origin: str | None
    confidence: float
    evidence: str
    snippet: str = ""  # the representative's start, for the list (its whole text is read for a page)
    representative_chars: int = 0
    # Document, start, end, and row in the passages table: the passage's id and text are read
    # from the table for the copies a page shows (at a million documents, every passage's text
    # as a Python string was 300 MB of the pages' memory). ``number`` is its clusters-table row.
    occurrences: list[tuple[int, int, int, int]] = field(default_factory=list)


def _load_clusters(tables: Tables, docs: _Docs) -> list[_Cluster]:
    table = _by_row(tables["clusters"])
    clusters = [
        _Cluster(i, *row)
        for i, row in enumerate(
            zip(
                _column(table.whole, "cluster_id"),
                _column(table.whole, "category"),
                _column(table.whole, "category_reason"),
                _column(table.whole, "n_documents"),
                _column(table.whole, "n_outlets"),
                _column(table.whole, "representative_doc"),
                _column(table.whole, "origin"),
                _column(table.whole, "origin_confidence"),
                _column(table.whole, "origin_evidence"),
                strict=True,
            )
        )
    ]
    for at, part in _slices(table.slices("representative")):  # a slice at a time, kept as snippets
        for k, text in enumerate(_column(part, "representative")):
            clusters[at + k].snippet, clusters[at + k].representative_chars = _snippet(text or ""), len(text or "")
    by_id = {c.cluster_id: c for c in clusters}
    for at, part in _slices(_by_row(tables["passages"]).whole):
        for row, (cid, doc_id, start, end) in enumerate(
            zip(*(_column(part, name) for name in ("cluster_id", "doc_id", "start", "end")), strict=True), start=at
        ):
            cluster, doc = by_id.get(cid), docs.number.get(doc_id)
            if cluster is None or doc is None:
                continue
            cluster.occurrences.append((doc, start, end, row))
            docs[doc].passages.append([start, end, cluster.number, cluster.category])
    for cluster in clusters:  # dated copies first, earliest first: the likely source leads
        cluster.occurrences.sort(key=lambda o: _time_order(docs[o[0]].when) + (o[0], o[1]))
    return clusters


def _shown_texts(tables: Tables, docs: _Docs) -> Iterator[tuple[int, str | None]]:
    """``(document, text)`` of every shown document with a passage (``document``: its row in
    ``documents``), in the order of the texts, each read once: from the scan's documents when
    given as columns, else from the report's ``texts`` table a slice at a time. Only these texts
    become Python strings, and only one at a time."""
    texts = tables.get("texts")
    if texts is None:
        return
    if isinstance(texts, Columns):
        column = texts.data["text"]
        for row, doc_id in enumerate(texts.data["doc_id"]):
            doc = docs.number.get(doc_id)
            if doc is not None and docs[doc].passages:
                yield doc, column[row]
        return
    for _, part in _slices(texts):
        cells = part.column("text")
        for k, doc_id in enumerate(_column(part, "doc_id")):
            doc = docs.number.get(doc_id)
            if doc is not None and docs[doc].passages:
                yield doc, cells[k].as_py()


def _time_order(when: datetime | None) -> tuple[int, float]:
    return (0, when.timestamp()) if when is not None else (1, 0.0)


def _dates(cluster: _Cluster, docs: _Docs) -> list[datetime]:
    return sorted(w for w in (docs[o[0]].when for o in cluster.occurrences) if w is not None)


def _snippet(text: str) -> str:
    snippet = " ".join(text.split())
    return snippet if len(snippet) <= SNIPPET else snippet[: SNIPPET - 1] + "…"


def _list_row(cluster: _Cluster, docs: _Docs) -> list[Any]:
    dates = _dates(cluster, docs)
    return [
        cluster.number,
        cluster.cluster_id,
        cluster.category,
        cluster.n_docs,
        cluster.n_outlets,
        len(cluster.occurrences),
        cluster.origin,
        _iso(dates[0]) if dates else None,
        _iso(dates[-1]) if dates else None,
        cluster.representative_chars,
        cluster.snippet,
    ]


Context = tuple[str, str, bool, bool]  # text before and after a copy, and whether the text goes on past them


def _context(text: str, start: int, end: int) -> Context:
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    return text[lo:start], text[end:hi], lo > 0, hi < len(text)


def _cluster_detail(
    cluster: _Cluster,
    docs: _Docs,
    representative: str,
    passages: dict[int, tuple[str, str]],
    contexts: Mapping[tuple[int, int, int], Context],
) -> dict[str, Any]:
    """A cluster's page: ``passages`` holds the id and text of each copy it shows, by row, and
    ``contexts`` the text round each, by ``(document row, start, end)``."""
    shown = cluster.occurrences[:MAX_SHOWN]
    occurrences = []
    for doc_no, start, end, row in shown:
        pid, text = passages[row]
        doc = docs[doc_no]
        context = contexts.get((doc_no, start, end))  # none without the document's text
        before, after, cut_before, cut_after = context or ("", "", False, False)
        lo, hi = start - len(before), end + len(after)  # the credits in that window, from ``start``
        credits = [[s - start, e - start, a, k] for s, e, a, k in doc.credits if s < hi and e > lo] if context else []
        occurrences.append(
            {
                "passage": pid,
                "doc": doc_no,
                "doc_id": doc.doc_id,
                "outlet": doc.outlet,
                "date": _iso(doc.when) or doc.date,
                "start": start,
                "end": end,
                "text": text,
                "before": before,
                "after": after,
                "credits": credits,
                "cut_before": cut_before,
                "cut_after": cut_after,
            }
        )
    return {
        "id": cluster.cluster_id,
        "number": cluster.number,
        "category": cluster.category,
        "reason": cluster.reason,
        "n_docs": cluster.n_docs,
        "n_outlets": cluster.n_outlets,
        "n_occurrences": len(cluster.occurrences),
        "origin": cluster.origin,
        "confidence": cluster.confidence,
        "evidence": cluster.evidence,
        "representative": representative,
        "representative_doc": cluster.representative_doc,
        "occurrences": occurrences,
    }


def _share_tables(tables: Tables, docs: _Docs, clusters: list[_Cluster]) -> dict[str, Any]:
    """The outlets x origins tables, both directions (documents stand for outlets when the
    corpus names none)."""
    share = tables.get("wire_share")
    rows = list(
        zip(
            _column(share, "level"),
            _column(share, "id"),
            _column(share, "origin"),
            _column(share, "reused_chars"),
            _column(share, "total_chars"),
            strict=True,
        )
    )
    level = "outlet" if any(r[0] == "outlet" for r in rows) else "document"
    origins = sorted({r[2] for r in rows if r[0] == level and r[2] != "all"})
    by_unit: dict[str, dict[str, Any]] = {}
    for lvl, ident, origin, reused, total in rows:
        if lvl != level:
            continue
        unit = by_unit.setdefault(ident, {"unit": ident, "total_chars": total, "chars": {}})
        unit["chars"][origin] = reused
    # The other direction: of each origin's news clusters, the share each unit printed.
    unit_of = (lambda d: docs[d].outlet) if level == "outlet" else (lambda d: docs[d].doc_id)
    per_origin: Counter[str] = Counter()
    printed: dict[str, Counter[str]] = defaultdict(Counter)
    for cluster in clusters:
        if cluster.category != "news" or cluster.n_docs < 2:
            continue
        origin = cluster.origin or "unknown"
        per_origin[origin] += 1
        for name in {unit_of(o[0]) for o in cluster.occurrences}:
            if name:
                printed[name][origin] += 1
    return {
        "level": level,
        "origins": origins,
        "units": sorted(by_unit.values(), key=lambda u: (-u["chars"].get("all", 0), u["unit"]))[:MAX_UNITS],
        "units_total": len(by_unit),
        "clusters_per_origin": dict(per_origin),
        "printed": {unit: dict(c) for unit, c in sorted(printed.items())},  # in one order, run after run
    }


def _time(docs: _Docs, clusters: list[_Cluster]) -> dict[str, Any]:
    """News copy per period and origin, and the lag from each news cluster's earliest dated
    copy to every later one."""
    if docs.first is None or docs.last is None:
        return {"dated": 0, "documents": docs.total}
    span = docs.last - docs.first
    weekly = span > timedelta(days=120)

    def period(when: datetime) -> str:
        day = when.date()
        return (day - timedelta(days=day.weekday())).isoformat() if weekly else day.isoformat()

    series: dict[str, Counter[str]] = defaultdict(Counter)
    lags = [0] * len(LAG_BINS)
    lag_count = 0
    for cluster in clusters:
        if cluster.category != "news" or cluster.n_docs < 2:
            continue
        origin = cluster.origin or "unknown"
        copies: list[tuple[datetime, int]] = []
        for doc, start, end, _ in cluster.occurrences:
            when = docs[doc].when
            if when is not None:
                copies.append((when, end - start))
                series[period(when)][origin] += end - start
        if len(copies) < 2:
            continue
        copies.sort()
        first = copies[0][0]
        for when, _ in copies[1:]:
            hours = (when - first).total_seconds() / 3600
            lags[next(i for i, (top, _) in enumerate(LAG_BINS) if hours <= top)] += 1
            lag_count += 1
    return {
        "dated": docs.dated,
        "documents": docs.total,
        "period": "week" if weekly else "day",
        "series": [{"period": p, "chars": dict(series.get(p, {}))} for p in _periods(sorted(series), weekly)],
        "lag_bins": [label for _, label in LAG_BINS],
        "lags": lags,
        "lag_count": lag_count,
    }


def _periods(found: list[str], weekly: bool) -> list[str]:
    """Every period from the first to the last of ``found`` (ISO days, or Mondays of weeks), the
    empty ones too: a chart that skipped them would draw a quiet month as no time at all."""
    if not found:
        return []
    step = timedelta(days=7 if weekly else 1)
    day, last = date.fromisoformat(found[0]), date.fromisoformat(found[-1])
    out = []
    while day <= last:
        out.append(day.isoformat())
        day += step
    return out


def _overview(manifest: dict[str, Any], docs: _Docs, clusters: list[_Cluster], has_texts: bool) -> dict[str, Any]:
    categories = Counter(c.category for c in clusters)
    origins: dict[str, dict[str, int]] = {}
    for cluster in clusters:
        if cluster.category != "news" or cluster.n_docs < 2:
            continue
        entry = origins.setdefault(cluster.origin or "unknown", {"clusters": 0, "copies": 0, "chars": 0})
        entry["clusters"] += 1
        entry["copies"] += len(cluster.occurrences)
        entry["chars"] += sum(o[2] - o[1] for o in cluster.occurrences)
    params = manifest.get("parameters", {})
    return {
        "tool": manifest.get("tool", "prov"),
        "version": manifest.get("version"),
        "created": manifest.get("created"),
        "engine": manifest.get("engine"),
        "schema_version": manifest.get("schema_version"),
        "inputs": manifest.get("inputs", []),
        "detect": params.get("detect", {}),
        "counts": manifest.get("counts", {}),
        "timings": manifest.get("timings", []),
        "skipped": len(manifest.get("skipped", [])),
        "documents": docs.total,
        "outlets": docs.outlets,
        "clusters": len(clusters),
        "categories": dict(categories),
        "origins": sorted(
            ({"origin": k, **v} for k, v in origins.items()), key=lambda o: (-o["clusters"], o["origin"])
        ),
        "cluster_origins": sorted({c.origin or "unknown" for c in clusters}),
        "has_texts": has_texts,
        "list_chunks": (len(clusters) + LIST_CHUNK - 1) // LIST_CHUNK,
        "list_chunk": LIST_CHUNK,
        "page_size": PAGE_SIZE,
        "detail_chunk": DETAIL_CHUNK,
    }


def write_site(tables: Tables, manifest: dict[str, Any], site: Path) -> None:
    """Write the ``html`` folder of a report (the app, its styles and its data files).

    Args:
        tables: the report's tables by name (``documents``, ``passages``, ``clusters``,
            ``credits``, ``wire_share``; ``texts`` when the report stores texts).
        manifest: the report's manifest (the run's inputs, parameters, counts, timings).
        site: the folder to create (``REPORT/html``, or its stand-in in a temporary folder).
    """
    site.mkdir(parents=True, exist_ok=True)
    assets = resources.files("provenance.report.html") / "assets"
    for name in ("app.js", "style.css"):
        (site / name).write_text(assets.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
    docs = _load_docs(tables)
    clusters = _load_clusters(tables, docs)
    out = _Writer(site)
    # The texts are gone through once, in their order: each document's page is written, and
    # the context of each copy a cluster page shows is cut (a window round a copy, not the
    # shown documents' texts, which were 100 MB at 100,000 documents read from a report).
    contexts = _write_documents(out, docs, clusters, _shown_texts(tables, docs))
    overview = _overview(manifest, docs, clusters, "texts" in tables)
    overview["shares"] = _share_tables(tables, docs, clusters)
    overview["time"] = _time(docs, clusters)
    out.put("overview", overview)
    picture = graph_svg(overview["shares"])
    (site / "graph.svg").write_text(picture, encoding="utf-8")  # to open or print on its own
    out.put("graph", picture)  # the page puts it inline, so that its bands keep their tooltips
    ordered = sorted(clusters, key=lambda c: (-c.n_docs, -len(c.occurrences), c.number))
    for chunk in range(0, len(ordered), LIST_CHUNK):
        out.put(f"list/{chunk // LIST_CHUNK:05d}", [_list_row(c, docs) for c in ordered[chunk : chunk + LIST_CHUNK]])
    for chunk in range(0, len(clusters), DETAIL_CHUNK):
        part = clusters[chunk : chunk + DETAIL_CHUNK]
        representatives = _by_row(tables["clusters"]).values("representative", [c.number for c in part])
        shown = [o[3] for c in part for o in c.occurrences[:MAX_SHOWN]]
        pids, texts = (_by_row(tables["passages"]).values(name, shown) for name in ("passage_id", "text"))
        passages = dict(zip(shown, zip(pids, texts, strict=True), strict=True))
        details = {
            str(c.number): _cluster_detail(c, docs, rep, passages, contexts)
            for c, rep in zip(part, representatives, strict=True)
        }
        out.put(f"c/{chunk // DETAIL_CHUNK:05d}", details)


def write_index(path: Path) -> None:
    """Write a report's ``index.html`` (the same page for every report; it loads ``html/``)."""
    template = resources.files("provenance.report.html") / "assets" / "index.html"
    path.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")


def _write_documents(
    out: _Writer, docs: _Docs, clusters: list[_Cluster], texts: Iterator[tuple[int, str | None]]
) -> dict[tuple[int, int, int], Context]:
    """Write the pages of the documents with a passage, in chunks by document number, from
    ``texts``, ``(document, text)`` in any order: a chunk is written as soon as its last text came
    (texts come in document order, so one chunk is held at a time), and the chunks of documents
    with no text are written at the end without it. Gives the contexts of the copies the cluster
    pages show, by ``(document, start, end)``."""
    ids = {c.number: c.cluster_id for c in clusters}
    wanted: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for cluster in clusters:
        for doc_no, start, end, _ in cluster.occurrences[:MAX_SHOWN]:
            wanted[doc_no].append((start, end))
    pending: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    missing = Counter(i // DETAIL_CHUNK for i, doc in docs.shown.items() if doc.passages)
    contexts: dict[tuple[int, int, int], Context] = {}

    def page(i: int, text: str | None) -> dict[str, Any]:
        doc = docs[i]
        return {
            "id": doc.doc_id,
            "outlet": doc.outlet,
            "date": _iso(doc.when) or doc.date,
            "title": doc.title,
            "url": doc.url,
            "n_chars": doc.n_chars,
            "text": text,
            "passages": sorted([s, e, n, ids[n], cat] for s, e, n, cat in doc.passages),
            "credits": sorted(doc.credits),
        }

    def put(at: int) -> None:
        chunk = pending.pop(at)
        out.put(f"d/{at:05d}", {str(i): chunk[i] for i in sorted(chunk)})

    for i, text in texts:
        at = i // DETAIL_CHUNK
        if not missing[at] or i in pending[at]:
            continue  # a document twice in the texts (its chunk written, or waiting): its first text stands
        pending[at][i] = page(i, text)
        if text is not None:
            for start, end in wanted.get(i, ()):
                contexts[(i, start, end)] = _context(text, start, end)
        missing[at] -= 1
        if not missing[at]:
            put(at)
    for i, doc in sorted(docs.shown.items()):  # documents the texts did not hold
        at = i // DETAIL_CHUNK
        if doc.passages and missing[at] > 0 and i not in pending[at]:
            pending[at][i] = page(i, None)
    for at in sorted(k for k, chunk in pending.items() if chunk):
        put(at)
    return contexts
