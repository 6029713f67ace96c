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

import heapq
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from provenance.corpus import TextFile
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


class Columns:
    """A table given as sequences by column name, instead of an Arrow table: a scan hands the
    pages its texts this way (``corpus.TextColumn``, each text read when its page is written)."""

    def __init__(self, data: dict[str, Sequence[Any]]) -> None:
        self.num_rows = len(next(iter(data.values()), []))
        self.data = data


_UTC_MICROS = pa.timestamp("us", tz="UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
_SHARE_FIELDS = ("level", "id", "origin", "reused_chars", "total_chars")


def site_tables(report: Path, texts: Columns | None = None) -> Tables:
    """The tables the pages read, from a report folder (or one being written): ``texts`` stands
    for its texts table; without it, the folder's own is read when it has one. The documents
    and credits (and the wire share, a row per document with copy) are read a slice at a time
    when the pages are made."""
    sliced = ("texts", "documents", "credits", "wire_share")  # a row per document, or nearly: never read whole
    tables: Tables = {}
    for name in SITE_TABLES:
        if name in _BY_ROW:
            rows = TableRows(report, name)
            small = [c for c in sorted(rows.names) if c not in _BY_ROW[name]]
            tables[name] = ByRow(read_table(report, name, small), rows, report, name)
        elif name not in sliced:
            tables[name] = read_table(report, name)
    release_free_memory()  # the readers' buffers, which Arrow's pool would keep
    for name in ("documents", "credits", "wire_share"):
        existing_table(report, name)  # a missing table said now, as a whole table read here would
    tables["documents"] = Slices(report, "documents", _DOC_FIELDS)
    tables["credits"] = Slices(report, "credits", _CREDIT_FIELDS)
    tables["wire_share"] = Slices(report, "wire_share", _SHARE_FIELDS)
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
    return table.column(name).to_pylist()  # the documents' dates are read by ``_moments``


def _shown(when: datetime | None) -> str | None:
    """A date as a person reads it, and as the pages sort and filter it (as text): the day,
    and the time of day in UTC to the minute when it has one (``2017-07-10 14:05 UTC``)."""
    if when is None:
        return None
    if (when.hour, when.minute, when.second) == (0, 0, 0):
        return when.date().isoformat()
    return when.strftime("%Y-%m-%d %H:%M UTC")


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


_NO_TIME = -(2**63)  # ``when`` of a document without a date


def _micros(when: datetime | None) -> int:
    """``when`` as µs since 1970 UTC (a time without a zone, which prov never writes, read as UTC)."""
    if when is None:
        return _NO_TIME
    return ((when if when.tzinfo else when.replace(tzinfo=UTC)) - _EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime | None:
    return None if micros == _NO_TIME else _EPOCH + timedelta(microseconds=int(micros))


def _ints(values: array[int]) -> np.ndarray:
    """An ``array("q")`` as a numpy array (no copy)."""
    return np.frombuffer(values, dtype=np.int64)


def _offsets(keys: np.ndarray, n: int) -> np.ndarray:
    """Where each key's group starts (and the last ends) once rows are ordered by their key in
    ``0..n - 1``."""
    at = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=at[1:])
    return at


def _grouped(keys: np.ndarray, n: int, *columns: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rows of ``columns`` grouped by their key in ``0..n - 1``, each group in the rows' order:
    the offsets of the groups (``n + 1``) and the columns in that order."""
    order = np.argsort(keys, kind="stable")
    return _offsets(keys, n), [c[order] for c in columns]


class _Names:
    """Strings given many times (outlets, dates, agencies, categories) kept once each."""

    def __init__(self) -> None:
        self.seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        return self.seen.setdefault(value, value)


@dataclass(slots=True)
class _Docs:
    """What the pages need of the documents: of those they show (the documents with a passage),
    their fields in columns by position (``rows`` gives each one's row in the ``documents`` table,
    its number on the pages) and their credits and passages in arrays; and counts over all of
    them. An object per document (and lists per passage and credit) made most of the pages'
    memory: 58 MB of Python objects at 100,000 documents, against 23 MB now."""

    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # ascending
    ids: list[str] = field(default_factory=list)
    outlets: list[str | None] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)  # as the pages show them
    when: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # µs, or _NO_TIME
    details: pa.Table | None = None  # title, url and n_chars, by position
    number: dict[str, int] = field(default_factory=dict)  # id -> position
    credit_at: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    credits: list[np.ndarray] = field(default_factory=list)  # start, end, agency, kind (names' numbers)
    credit_names: list[str | None] = field(default_factory=list)
    credited: list[bool] = field(default_factory=list)  # whether the document has a credit
    passage_at: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    passages: list[np.ndarray] = field(default_factory=list)  # start, end, cluster number
    with_passages: list[bool] = field(default_factory=list)
    total: int = 0
    outlets_named: int = 0  # distinct outlets named
    dated: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def credits_of(self, p: int) -> list[list[Any]]:
        """``[start, end, agency, kind]`` of the credits of the document at position ``p``, in
        the credits table's order."""
        if not self.credited[p]:
            return []
        lo, hi = int(self.credit_at[p]), int(self.credit_at[p + 1])
        names = self.credit_names
        starts, ends, agencies, kinds = (c[lo:hi].tolist() for c in self.credits)
        return [[s, e, names[a], names[k]] for s, e, a, k in zip(starts, ends, agencies, kinds, strict=True)]

    def has_passages(self, p: int) -> bool:
        return self.with_passages[p]

    def passages_of(self, p: int) -> list[list[int]]:
        """``[start, end, cluster number]`` of the passages of the document at position ``p``."""
        lo, hi = int(self.passage_at[p]), int(self.passage_at[p + 1])
        return [list(row) for row in zip(*(c[lo:hi].tolist() for c in self.passages), strict=True)]


@dataclass(slots=True)
class _Clusters:
    """What the pages need of the clusters, in columns by number (the ``clusters`` table's
    rows): the columns every page reads as lists and arrays, the others (``whole``) read a chunk
    of clusters at a time; and their copies, grouped by cluster (``at``), each cluster's dated
    copies first, earliest first (the likely source leads)."""

    whole: pa.Table
    ids: list[str]
    category: list[str]
    origin: list[str | None]
    n_docs: np.ndarray
    n_outlets: np.ndarray
    snippet: list[str]  # the representative's start, for the list (its whole text is read for a page)
    representative_chars: np.ndarray
    at: np.ndarray  # each cluster's first copy in the arrays below (and their length last)
    doc: np.ndarray  # the copy's document (its position in ``_Docs``)
    start: np.ndarray
    end: np.ndarray
    row: np.ndarray  # its row in the passages table, where its id and text are read for a page

    def __len__(self) -> int:
        return len(self.ids)

    def copies(self, c: int) -> range:
        return range(int(self.at[c]), int(self.at[c + 1]))

    def shown(self, c: int) -> range:
        """The copies of cluster ``c`` its page carries."""
        lo, hi = int(self.at[c]), int(self.at[c + 1])
        return range(lo, min(hi, lo + MAX_SHOWN))

    def of(self, copies: range, values: np.ndarray) -> np.ndarray:
        """``values`` (``doc``, ``start``...) of ``copies`` (``copies(c)`` or ``shown(c)``)."""
        return values[copies.start : copies.stop]

    def news(self) -> Iterator[int]:
        """The news clusters of more than one document (those origins and shares count)."""
        for c, category in enumerate(self.category):
            if category == "news" and self.n_docs[c] >= 2:
                yield c


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


_DETAILS = {"title": pa.string(), "url": pa.string(), "n_chars": pa.int64()}  # kept in Arrow, read per page


def _moments(part: pa.Table) -> np.ndarray:
    """The ``date`` column of a slice of ``documents`` as µs since 1970 UTC (``_NO_TIME`` where
    none), read from the timestamps' buffers rather than as a ``datetime`` per row. A report of
    an older schema holds the date as written there, which is read as ingest reads it."""
    if "date" not in part.column_names:
        return np.full(part.num_rows, _NO_TIME, dtype=np.int64)
    column = part.column("date")
    if column.type != _UTC_MICROS:
        moments = (parse_date(v) if isinstance(v, str) else v for v in column.to_pylist())
        return np.array([_micros(m) for m in moments], dtype=np.int64)
    out = [np.empty(0, dtype=np.int64)]
    for chunk in column.chunks:
        if not len(chunk):
            continue
        lo, hi = chunk.offset, chunk.offset + len(chunk)
        validity, data = chunk.buffers()
        values = np.frombuffer(data, dtype=np.int64)[lo:hi]
        if chunk.null_count:
            valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")[lo:hi]
            values = np.where(valid.astype(bool), values, _NO_TIME)
        out.append(values)
    return np.concatenate(out)


def _load_docs(tables: Tables) -> _Docs:
    """The documents the pages show, and counts over all (the ``documents`` table a slice at a
    time), with their credits; ``_load_clusters`` adds their passages."""
    wanted = _shown_ids(tables)
    docs = _Docs()
    name = _Names()
    outlets: set[str] = set()
    rows, when, details = array("q"), array("q"), []
    first = last = None
    for at, part in _slices(tables["documents"]):
        docs.total += part.num_rows
        moments = _moments(part)
        dated = moments[moments != _NO_TIME]
        if dated.shape[0]:
            docs.dated += dated.shape[0]
            first = int(dated.min()) if first is None else min(first, int(dated.min()))
            last = int(dated.max()) if last is None else max(last, int(dated.max()))
        values = {n: _column(part, n) for n in ("doc_id", "outlet")}
        outlets.update(o for o in values["outlet"] if o)
        taken = [k for k, doc_id in enumerate(values["doc_id"]) if doc_id in wanted]
        if not taken:
            continue
        # The shown rows' values, picked from the slice's (Arrow's ``take`` would import its
        # compute functions, 35 ms of a small scan). ``date`` is a UTC timestamp and
        # ``date_text`` the date as written (schema 3.0); a report of an older schema holds the
        # text in ``date``.
        values |= {n: _column(part, n) for n in ("date_text", *_DETAILS)}
        old = "date" in part.column_names and part.schema.field("date").type != _UTC_MICROS
        written = _column(part, "date") if old else None
        for k in taken:
            doc_id, moment = values["doc_id"][k], _moment(int(moments[k]))
            text = values["date_text"][k] or (written[k] if written and isinstance(written[k], str) else None)
            docs.number[doc_id] = len(docs.ids)
            docs.ids.append(doc_id)
            docs.outlets.append(name(values["outlet"][k]))
            docs.dates.append(name(_shown(moment) or text))
            rows.append(at + k)
            when.append(int(moments[k]))
        details.append(pa.table({n: pa.array([values[n][k] for k in taken], t) for n, t in _DETAILS.items()}))
    docs.first, docs.last = _moment(first) if first is not None else None, _moment(last) if last is not None else None
    docs.outlets_named = len(outlets)
    docs.rows, docs.when = _ints(rows), _ints(when)
    docs.details = pa.concat_tables(details) if details else None
    which, starts, ends, agencies, kinds = array("q"), array("q"), array("q"), array("q"), array("q")
    numbers: dict[str | None, int] = {}
    for _, part in _slices(tables.get("credits")):
        for doc_id, start, end, agency, kind in zip(*(_column(part, n) for n in _CREDIT_FIELDS), strict=True):
            p = docs.number.get(doc_id)
            if p is not None:
                which.append(p)
                starts.append(start)
                ends.append(end)
                agencies.append(numbers.setdefault(agency, len(numbers)))
                kinds.append(numbers.setdefault(kind, len(numbers)))
    docs.credit_names = list(numbers)
    docs.credit_at, docs.credits = _grouped(_ints(which), len(docs), *map(_ints, (starts, ends, agencies, kinds)))
    docs.credited = (np.diff(docs.credit_at) > 0).tolist()
    return docs


def _load_clusters(tables: Tables, docs: _Docs) -> _Clusters:
    """The clusters and their copies, from the ``clusters`` and ``passages`` tables; the same
    copies, grouped by document, become ``docs``'s passages."""
    table = _by_row(tables["clusters"])
    whole, name = table.whole, _Names()
    ids = list(_column(whole, "cluster_id"))
    n = len(ids)
    snippets, lengths = [""] * n, np.zeros(n, dtype=np.int64)
    for at, part in _slices(table.slices("representative")):  # a slice at a time, kept as snippets
        for k, text in enumerate(_column(part, "representative")):
            snippets[at + k], lengths[at + k] = _snippet(text or ""), len(text or "")
    number = {cid: i for i, cid in enumerate(ids)}
    which, doc, starts, ends, rows = array("q"), array("q"), array("q"), array("q"), array("q")
    for at, part in _slices(_by_row(tables["passages"]).whole):
        for row, (cid, doc_id, start, end) in enumerate(
            zip(*(_column(part, n) for n in ("cluster_id", "doc_id", "start", "end")), strict=True), start=at
        ):
            c, p = number.get(cid), docs.number.get(doc_id)
            if c is None or p is None:
                continue
            which.append(c)
            doc.append(p)
            starts.append(start)
            ends.append(end)
            rows.append(row)
    del number
    docs.passage_at, docs.passages = _grouped(_ints(doc), len(docs), _ints(starts), _ints(ends), _ints(which))
    docs.with_passages = (np.diff(docs.passage_at) > 0).tolist()
    # Each cluster's copies, dated first, earliest first, then by document and start (the sort
    # is stable: copies alike in all of these keep the table's order).
    owner, copy_doc = _ints(which), _ints(doc)
    when = docs.when[copy_doc]
    undated = when == _NO_TIME
    keys = (_ints(starts), docs.rows[copy_doc], np.where(undated, 0, when), undated, owner)
    order = np.lexsort(keys)
    return _Clusters(
        whole=whole,
        ids=ids,
        category=[name(v) for v in _column(whole, "category")],
        origin=[name(v) for v in _column(whole, "origin")],
        n_docs=np.array(_column(whole, "n_documents"), dtype=np.int64),
        n_outlets=np.array(_column(whole, "n_outlets"), dtype=np.int64),
        snippet=snippets,
        representative_chars=lengths,
        at=_offsets(owner, n),
        doc=copy_doc[order],
        start=_ints(starts)[order],
        end=_ints(ends)[order],
        row=_ints(rows)[order],
    )


def _shown_texts(tables: Tables, docs: _Docs) -> Iterator[tuple[int, str | None]]:
    """``(document, text)`` of every shown document with a passage (``document``: its position
    in ``docs``), in the order of the texts, each read once: from the scan's documents when given
    as columns, else from the report's ``texts`` table a slice at a time. Only these texts become
    Python strings, and only one at a time."""
    texts = tables.get("texts")
    if texts is None:
        return
    if isinstance(texts, Columns):
        column = texts.data["text"]
        for row, doc_id in enumerate(texts.data["doc_id"]):
            p = docs.number.get(doc_id)
            if p is not None and docs.has_passages(p):
                yield p, column[row]
        return
    for _, part in _slices(texts):
        cells = part.column("text")
        for k, doc_id in enumerate(_column(part, "doc_id")):
            p = docs.number.get(doc_id)
            if p is not None and docs.has_passages(p):
                yield p, cells[k].as_py()


def _dated(clusters: _Clusters, docs: _Docs, c: int) -> np.ndarray:
    """The dates (µs) of cluster ``c``'s dated copies, earliest first."""
    when = docs.when[clusters.of(clusters.copies(c), clusters.doc)]
    return when[when != _NO_TIME]  # the copies come dated first, earliest first


def _snippet(text: str) -> str:
    snippet = " ".join(text.split())
    return snippet if len(snippet) <= SNIPPET else snippet[: SNIPPET - 1] + "…"


def _list_row(c: int, clusters: _Clusters, docs: _Docs) -> list[Any]:
    dates = _dated(clusters, docs, c)
    return [
        c,
        clusters.ids[c],
        clusters.category[c],
        int(clusters.n_docs[c]),
        int(clusters.n_outlets[c]),
        len(clusters.copies(c)),
        clusters.origin[c],
        _shown(_moment(dates[0])) if dates.shape[0] else None,
        _shown(_moment(dates[-1])) if dates.shape[0] else None,
        int(clusters.representative_chars[c]),
        clusters.snippet[c],
    ]


Context = tuple[str, str, bool, bool]  # text before and after a copy, and whether the text goes on past them


class _Contexts:
    """The text round each copy the cluster pages show, by the copy's place in ``_Clusters``,
    in a temporary file (``corpus.TextFile``): as Python strings in a dict they were 35 MB at
    100,000 documents, and ten times that at a million."""

    def __init__(self, n: int) -> None:
        self.texts = TextFile()
        self.at = np.full(n, -1, dtype=np.int64)  # its text before and after, one text in ``texts``
        self.before = np.zeros(n, dtype=np.int64)  # the characters of that text before the copy
        self.cut = np.zeros((n, 2), dtype=bool)  # whether the text goes on before it, after it

    def put(self, k: int, text: str, start: int, end: int) -> None:
        lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        before = text[lo:start]  # shorter than start - lo in a text shorter than the copy's report says
        self.at[k], self.before[k] = len(self.texts), len(before)
        self.texts.append(before + text[end:hi])
        self.cut[k] = (lo > 0, hi < len(text))

    def get(self, k: int) -> Context | None:
        at = int(self.at[k])
        if at < 0:
            return None
        self.texts.seal()
        text, split = self.texts.text(at), int(self.before[k])
        before, after = self.cut[k].tolist()
        return text[:split], text[split:], before, after


def _cluster_detail(
    c: int,
    clusters: _Clusters,
    docs: _Docs,
    info: dict[str, Any],
    passages: dict[int, tuple[str, str]],
    contexts: _Contexts,
) -> dict[str, Any]:
    """Cluster ``c``'s page: ``info`` holds its ``clusters`` columns only a page reads,
    ``passages`` the id and text of each copy it shows, by row, and ``contexts`` the text
    round each."""
    occurrences = []
    shown = clusters.shown(c)
    copies = (clusters.of(shown, a).tolist() for a in (clusters.doc, clusters.start, clusters.end, clusters.row))
    for k, p, start, end, row in zip(shown, *copies, strict=True):
        pid, text = passages[row]
        context = contexts.get(k)  # none without the document's text
        before, after, cut_before, cut_after = context or ("", "", False, False)
        lo, hi = start - len(before), end + len(after)  # the credits in that window, from ``start``
        credits = (
            [[s - start, e - start, a, kd] for s, e, a, kd in docs.credits_of(p) if s < hi and e > lo]
            if context
            else []
        )
        occurrences.append(
            {
                "passage": pid,
                "doc": int(docs.rows[p]),
                "doc_id": docs.ids[p],
                "outlet": docs.outlets[p],
                "date": docs.dates[p],
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
        "id": clusters.ids[c],
        "number": c,
        "category": clusters.category[c],
        "reason": info["category_reason"],
        "n_docs": int(clusters.n_docs[c]),
        "n_outlets": int(clusters.n_outlets[c]),
        "n_occurrences": len(clusters.copies(c)),
        "origin": clusters.origin[c],
        "confidence": info["origin_confidence"],
        "evidence": info["origin_evidence"],
        "representative": info["representative"],
        "representative_doc": info["representative_doc"],
        "occurrences": occurrences,
    }


def _share_tables(tables: Tables, docs: _Docs, clusters: _Clusters) -> dict[str, Any]:
    """The outlets x origins tables, both directions (documents stand for outlets when the
    corpus names none), each of the ``MAX_UNITS`` units with most copy (then most news clusters
    printed), with the count of all. The ``wire_share`` table is gone through a slice at a
    time, and only the units shown are kept: its rows as Python objects, all at once, were
    30 MB at 200,000 documents."""
    share = tables.get("wire_share")
    level = "outlet" if any("outlet" in _column(part, "level") for _, part in _slices(share)) else "document"
    found = _ShareUnits(share, level)
    units = heapq.nsmallest(MAX_UNITS, found, key=lambda u: (-u["chars"].get("all", 0), u["unit"]))
    # The other direction: of each origin's news clusters, the share each unit printed.
    names = docs.outlets if level == "outlet" else docs.ids
    per_origin: Counter[str] = Counter()
    printed: dict[str, Counter[str]] = defaultdict(Counter)
    for c in clusters.news():
        origin = clusters.origin[c] or "unknown"
        per_origin[origin] += 1
        for name in {names[p] for p in clusters.of(clusters.copies(c), clusters.doc).tolist()}:
            if name:
                printed[name][origin] += 1
    # The ``MAX_UNITS`` units that printed most news clusters (a corpus without outlets has a
    # unit per document: a table of every one was a page no one could read, and megabytes).
    shown = heapq.nsmallest(MAX_UNITS, printed, key=lambda u: (-sum(printed[u].values()), u))
    return {
        "level": level,
        "origins": sorted(found.origins),
        "units": units,
        "units_total": found.n,
        "clusters_per_origin": dict(per_origin),
        "printed": {unit: dict(printed[unit]) for unit in sorted(shown)},  # in one order, run after run
        "printed_total": len(printed),
    }


class _ShareUnits:
    """The units (outlets or documents, by ``level``) of the ``wire_share`` table, each with
    its characters by origin, in the table's order (a unit's rows are together there), read a
    slice at a time; once gone through, ``n`` counts them and ``origins`` holds their origins."""

    def __init__(self, share: pa.Table | Slices | None, level: str) -> None:
        self.share, self.level = share, level
        self.n = 0
        self.origins: set[str] = set()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        unit: dict[str, Any] | None = None
        for _, part in _slices(self.share):
            for lvl, ident, origin, reused, total in zip(*(_column(part, n) for n in _SHARE_FIELDS), strict=True):
                if lvl != self.level:
                    continue
                if unit is None or unit["unit"] != ident:
                    if unit is not None:
                        yield unit
                    unit = {"unit": ident, "total_chars": total, "chars": {}}
                    self.n += 1
                unit["chars"][origin] = reused
                if origin != "all":
                    self.origins.add(origin)
        if unit is not None:
            yield unit


def _time(docs: _Docs, clusters: _Clusters) -> dict[str, Any]:
    """News copy per period and origin, and the lag from each news cluster's earliest dated
    copy to every later one."""
    if docs.first is None or docs.last is None:
        return {"dated": 0, "documents": docs.total}
    span = docs.last - docs.first
    weekly = span > timedelta(days=120)
    periods: dict[int, str] = {}  # by day since 1970

    def period(micros: int) -> str:
        day = micros // (86_400 * 10**6)
        if day not in periods:
            when = _moment(micros)
            assert when is not None
            on = when.date()
            periods[day] = (on - timedelta(days=on.weekday())).isoformat() if weekly else on.isoformat()
        return periods[day]

    series: dict[str, Counter[str]] = defaultdict(Counter)
    lags = [0] * len(LAG_BINS)
    lag_count = 0
    for c in clusters.news():
        origin = clusters.origin[c] or "unknown"
        copies = clusters.copies(c)
        when = docs.when[clusters.of(copies, clusters.doc)].tolist()
        chars = (clusters.of(copies, clusters.end) - clusters.of(copies, clusters.start)).tolist()
        dated = [w for w in when if w != _NO_TIME]
        for w, n in zip(when, chars, strict=True):
            if w != _NO_TIME:
                series[period(w)][origin] += n
        if len(dated) < 2:
            continue
        first = min(dated)
        dated.remove(first)
        for w in dated:
            hours = (w - first) / 10**6 / 3600  # as ``timedelta.total_seconds() / 3600``
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


def _overview(manifest: dict[str, Any], docs: _Docs, clusters: _Clusters, has_texts: bool) -> dict[str, Any]:
    categories = Counter(clusters.category)
    origins: dict[str, dict[str, int]] = {}
    for c in clusters.news():
        entry = origins.setdefault(clusters.origin[c] or "unknown", {"clusters": 0, "copies": 0, "chars": 0})
        copies = clusters.copies(c)
        entry["clusters"] += 1
        entry["copies"] += len(copies)
        entry["chars"] += int((clusters.of(copies, clusters.end) - clusters.of(copies, clusters.start)).sum())
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
        "outlets": docs.outlets_named,
        "clusters": len(clusters),
        "categories": dict(categories),
        "origins": sorted(
            ({"origin": k, **v} for k, v in origins.items()), key=lambda o: (-o["clusters"], o["origin"])
        ),
        "cluster_origins": sorted({origin or "unknown" for origin in clusters.origin}),
        "has_texts": has_texts,
        "list_chunks": (len(clusters) + LIST_CHUNK - 1) // LIST_CHUNK,
        "list_chunk": LIST_CHUNK,
        "page_size": PAGE_SIZE,
        "detail_chunk": DETAIL_CHUNK,
    }


_DETAIL_FIELDS = ("category_reason", "representative_doc", "origin_confidence", "origin_evidence")


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
    contexts = _Contexts(clusters.doc.shape[0])
    try:
        _write_documents(out, docs, clusters, _shown_texts(tables, docs), contexts)
        _write_clusters(out, tables, manifest, site, docs, clusters, contexts)
    finally:
        contexts.texts.close()  # the temporary file of the contexts


def _write_clusters(
    out: _Writer,
    tables: Tables,
    manifest: dict[str, Any],
    site: Path,
    docs: _Docs,
    clusters: _Clusters,
    contexts: _Contexts,
) -> None:
    """Write the overview, the picture, the cluster list and the clusters' pages."""
    overview = _overview(manifest, docs, clusters, "texts" in tables)
    overview["shares"] = _share_tables(tables, docs, clusters)
    overview["time"] = _time(docs, clusters)
    out.put("overview", overview)
    picture = graph_svg(overview["shares"])
    (site / "graph.svg").write_text(picture, encoding="utf-8")  # to open or print on its own
    out.put("graph", picture)  # the page puts it inline, so that its bands keep their tooltips
    n = len(clusters)
    copies = np.diff(clusters.at)
    ordered = np.lexsort((np.arange(n), -copies, -clusters.n_docs)).tolist()  # most documents first
    for chunk in range(0, n, LIST_CHUNK):
        rows = [_list_row(c, clusters, docs) for c in ordered[chunk : chunk + LIST_CHUNK]]
        out.put(f"list/{chunk // LIST_CHUNK:05d}", rows)
    by_row = _by_row(tables["clusters"])
    for chunk in range(0, n, DETAIL_CHUNK):
        part = list(range(chunk, min(n, chunk + DETAIL_CHUNK)))
        info = clusters.whole.slice(chunk, len(part))
        columns = {name: _column(info, name) for name in _DETAIL_FIELDS}
        columns["representative"] = by_row.values("representative", part)
        shown = [r for c in part for r in clusters.of(clusters.shown(c), clusters.row).tolist()]
        pids, texts = (_by_row(tables["passages"]).values(name, shown) for name in ("passage_id", "text"))
        passages = dict(zip(shown, zip(pids, texts, strict=True), strict=True))
        details = {
            str(c): _cluster_detail(c, clusters, docs, {k: v[i] for k, v in columns.items()}, passages, contexts)
            for i, c in enumerate(part)
        }
        out.put(f"c/{chunk // DETAIL_CHUNK:05d}", details)


def write_index(path: Path) -> None:
    """Write a report's ``index.html`` (the same page for every report; it loads ``html/``)."""
    template = resources.files("provenance.report.html") / "assets" / "index.html"
    path.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")


class _Details:
    """The shown documents' ``title``, ``url`` and ``n_chars`` by position, read from their
    Arrow table a block at a time (the pages ask for them in order)."""

    BLOCK = 1024

    def __init__(self, table: pa.Table | None) -> None:
        self.table, self.block = table, -1
        self.values: list[list[Any]] = [[], [], []]

    def at(self, p: int) -> tuple[Any, Any, Any]:
        if self.table is None:
            return None, None, None
        block, k = divmod(p, self.BLOCK)
        if block != self.block:
            part = self.table.slice(block * self.BLOCK, self.BLOCK)
            self.block, self.values = block, [part.column(n).to_pylist() for n in ("title", "url", "n_chars")]
        return self.values[0][k], self.values[1][k], self.values[2][k]


def _write_documents(
    out: _Writer, docs: _Docs, clusters: _Clusters, texts: Iterator[tuple[int, str | None]], contexts: _Contexts
) -> None:
    """Write the pages of the documents with a passage, in chunks by document number, from
    ``texts``, ``(document, text)`` in any order: a chunk is written as soon as its last text came
    (texts come in document order, so one chunk is held at a time), and the chunks of documents
    with no text are written at the end without it. Puts in ``contexts`` the text round each
    copy the cluster pages show."""
    n = clusters.doc.shape[0]
    rank = np.arange(n) - np.repeat(clusters.at[:-1], np.diff(clusters.at))  # each copy's place in its cluster
    slots = np.flatnonzero(rank < MAX_SHOWN)  # the copies the cluster pages show (``_Clusters.shown``)
    wanted_at, (wanted,) = _grouped(clusters.doc[slots], len(docs), slots)

    def chunk_of(p: int) -> int:
        return int(docs.rows[p]) // DETAIL_CHUNK

    pending: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    missing = Counter(chunk_of(p) for p in range(len(docs)) if docs.has_passages(p))
    details = _Details(docs.details)

    def page(p: int, text: str | None) -> dict[str, Any]:
        title, url, n_chars = details.at(p)
        return {
            "id": docs.ids[p],
            "outlet": docs.outlets[p],
            "date": docs.dates[p],
            "title": title,
            "url": url,
            "n_chars": n_chars or 0,
            "text": text,
            "passages": sorted([s, e, n, clusters.ids[n], clusters.category[n]] for s, e, n in docs.passages_of(p)),
            "credits": sorted(docs.credits_of(p)),
        }

    def put(at: int) -> None:
        chunk = pending.pop(at)
        out.put(f"d/{at:05d}", {str(int(docs.rows[p])): chunk[p] for p in sorted(chunk)})

    for p, text in texts:
        at = chunk_of(p)
        if not missing[at] or p in pending[at]:
            continue  # a document twice in the texts (its chunk written, or waiting): its first text stands
        pending[at][p] = page(p, text)
        if text is not None:
            for k in wanted[wanted_at[p] : wanted_at[p + 1]].tolist():
                contexts.put(k, text, int(clusters.start[k]), int(clusters.end[k]))
        missing[at] -= 1
        if not missing[at]:
            put(at)
    for p in range(len(docs)):  # documents the texts did not hold
        at = chunk_of(p)
        if docs.has_passages(p) and missing[at] > 0 and p not in pending[at]:
            pending[at][p] = page(p, None)
    for at in sorted(k for k, chunk in pending.items() if chunk):
        put(at)
