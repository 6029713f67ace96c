"""Web pages (.html, .htm, optionally .gz): the article's text and metadata, without the site.

A saved news page is mostly not the article: menus, cookie banners, share buttons, "related
stories", footers. The article is extracted with trafilatura, the main-text extractor used for
news in research corpora: it scored best or near best in the published comparisons of
extractors (Barbaresi 2021, ACL demo; Bevendorff et al. 2023, SIGIR), is maintained, keeps the
paragraphs as lines, and reads the page's metadata (title, date by htmldate, site name, author,
canonical URL) in the same pass. The alternatives are worse on news or no longer kept up:
readability-lxml (no metadata, drops short paragraphs such as captions), newspaper3k
(unmaintained since 2020), jusText (boilerplate removal only; trafilatura uses it as a fallback).
Comments are left out and precision is favoured: on pages with little text, trafilatura's
default falls back to the cookie banner or the menu, and the precise mode keeps every paragraph
of the seeds served as pages (tests/ingest/test_html.py).

Readers do not extract: they yield a ``PageTask`` (the page's bytes and what the reader knows of
it) in reading order, and ``extract_pages`` replaces each with its ``Row`` (or a ``Skipped``:
"no article text found"), running the extraction on ``workers`` processes. The WARC reader
(``warc.py``) yields ``PageTask``s too.
"""

from __future__ import annotations

import logging
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from provenance.config import InputLimits
from provenance.ingest.decode import looks_binary, over_limit, read_capped
from provenance.ingest.gzipped import open_gzip
from provenance.ingest.policy import NUL
from provenance.ingest.pool import ForkPool, can_fork, result
from provenance.ingest.rows import Row
from provenance.records import Skipped

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
NO_TEXT = "no article text found"

# Pages handed to a worker at a time, and the most bytes of pages one batch holds: large enough
# that pickling and scheduling cost little beside extraction (a few ms a page), small enough
# that the batches in flight stay a few MB.
_BATCH_PAGES = 32
_BATCH_BYTES = 16 * 1024**2
_BATCH_ITEMS = 512  # rows of other inputs waiting behind a batch before it is cut anyway


@dataclass(frozen=True, slots=True)
class PageTask:
    """A page to extract, as its reader found it.

    - ``source``, ``line``: as ``Row``'s (the file; the WARC record number, None for a page file);
    - ``doc_id``: the id (a page file's relative path, a WARC record's target URI);
    - ``html``: the page's bytes, in any encoding the page declares;
    - ``url``: where it was fetched, when known (a WARC's target URI);
    - ``outlet``: the outlet when the reader knows it (a WARC's host name); else the page's
      site name is taken;
    - ``date``: the date when the page gives none (a WARC's ``WARC-Date``);
    - ``capture``: when given, a ``doc_id`` seen before in the read is made ``doc_id@capture``
      (the same URL captured twice is two documents);
    - ``extra``: fields passed through to the row.
    """

    source: str
    line: int | None
    doc_id: str | None
    html: bytes
    url: str | None = None
    outlet: str | None = None
    date: str | None = None
    capture: str | None = None
    extra: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """What extraction found in a page: the article's text (paragraphs on their own lines) and
    its metadata as the page states it (None when it does not)."""

    text: str
    title: str | None = None
    date: str | None = None
    sitename: str | None = None
    author: str | None = None
    url: str | None = None


def extract_page(html: bytes, url: str | None = None) -> Page | str:
    """The article of one page, or the reason there is none (never raises for what the page
    holds). ``url`` is where the page was fetched, if known.

    Photo captions (``<figcaption>``) are kept as paragraphs: trafilatura drops figures whole,
    and captions carry the photo credits ("Photo / AP") the credits stage reads. A page whose
    text is only its title (a "Page not found" page) has no article.
    """
    import trafilatura  # imported here: a scan without web pages never pays for it
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)  # decodes as the page declares, else as detected
        if tree is None:
            return NO_TEXT
        for caption in tree.iter("figcaption"):
            caption.tag = "p"
        for figure in tree.iter("figure"):
            figure.tag = "div"
        found = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            favor_precision=True,
            # The date the page says it was published, not one guessed from its text.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as err:  # lxml and trafilatura raise many kinds on broken markup
        return f"page cannot be parsed: {type(err).__name__}: {err}"
    if found is None:
        return NO_TEXT
    meta = found if isinstance(found, dict) else found.as_dict()
    text, title = meta.get("text"), meta.get("title") or None
    if not isinstance(text, str) or all(line.strip() in ("", title) for line in text.split("\n")):
        return NO_TEXT
    return Page(
        text=text,
        title=title,
        date=meta.get("date") or None,
        sitename=meta.get("sitename") or None,
        author=meta.get("author") or None,
        url=meta.get("url") or None,
    )


def page_file(path: Path, doc_id: str, limits: InputLimits) -> PageTask | Skipped:
    """The ``PageTask`` of one page file (gzipped when its name ends in .gz), or why it was
    skipped: unreadable, empty, binary, or over ``limits.max_doc_bytes`` (on disk, or once
    decompressed; never read past it)."""
    if path.name.lower().endswith(".gz"):
        data, problem = _read_gzip_capped(path, limits.max_doc_bytes)
    else:
        data, problem = read_capped(path, limits.max_doc_bytes, "page")
    if data is None:
        return Skipped(str(path), problem or "cannot read")
    if not data.strip():
        return Skipped(str(path), "empty file")
    if looks_binary(data):
        return Skipped(str(path), "binary file (contains NUL bytes)")
    return PageTask(str(path), None, doc_id, data)


def _read_gzip_capped(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    try:
        with open_gzip(path) as handle:
            data = handle.read(limit + 1)
    except (OSError, EOFError, zlib.error) as err:
        return None, f"cannot read: {err}"
    if len(data) > limit:
        return None, over_limit("decompressed page", None, limit)
    return data, None


def extract_pages(items: Iterable[Row | Skipped | PageTask], workers: int = 1) -> Iterator[Row | Skipped]:
    """``items`` with every ``PageTask`` replaced by its ``Row``, or by a ``Skipped`` when the
    page holds no article, in the order given. Pages are extracted on ``workers`` processes.

    The ingest has its own pool: the engine's pools are forked per stage once the documents
    are read, to share them, so none is running yet. It is a ``pool.ForkPool`` (a worker that
    dies is one ``EngineError``, not a hang), started only once a second batch of pages shows up
    (a folder of text files, or three pages, never pays for it), fed a few batches ahead, and
    its results taken in submission order, so the documents and their ids come out as a
    one-process read gives them. Holding few batches keeps a WARC streamed.
    """
    pages = _Pages()
    pool: ForkPool | None = None
    flight: deque[tuple[list[Row | Skipped | PageTask], Future[list[Page | str]] | None]] = deque()
    batches_seen = 0
    finished = False
    try:
        for batch in _batches(items):
            tasks = [(t.html, t.url) for t in batch if isinstance(t, PageTask)]
            if tasks:
                batches_seen += 1
                if pool is None and batches_seen > 1 and workers > 1 and can_fork():
                    pool = ForkPool(workers)
            if pool is None:
                yield from pages.emit(batch, _extract_batch(tasks))
                continue
            flight.append((batch, pool.submit(_extract_batch, tasks) if tasks else None))
            while len(flight) > 2 * workers:
                yield from pages.emit_done(flight.popleft(), pool)
        while flight:
            yield from pages.emit_done(flight.popleft(), pool)
        finished = True
    finally:
        if pool is not None:
            pool.finish(finished)  # a failure or an interrupt does not wait for the pages in flight


def _batches(items: Iterable[Row | Skipped | PageTask]) -> Iterator[list[Row | Skipped | PageTask]]:
    """``items`` cut in order into lists of at most ``_BATCH_PAGES`` pages (``_BATCH_BYTES``)."""
    batch: list[Row | Skipped | PageTask] = []
    n_pages = n_bytes = 0
    for item in items:
        batch.append(item)
        if isinstance(item, PageTask):
            n_pages += 1
            n_bytes += len(item.html)
        if n_pages >= _BATCH_PAGES or n_bytes >= _BATCH_BYTES or len(batch) >= _BATCH_ITEMS:
            yield batch
            batch, n_pages, n_bytes = [], 0, 0
    if batch:
        yield batch


def _extract_batch(tasks: list[tuple[bytes, str | None]]) -> list[Page | str]:
    return [extract_page(html, url) for html, url in tasks]


class _Pages:
    """Makes extracted pages rows, in order: the one place that knows the ids already given."""

    def __init__(self) -> None:
        self._ids: set[str] = set()

    def emit_done(
        self, entry: tuple[list[Row | Skipped | PageTask], Future[list[Page | str]] | None], pool: ForkPool | None
    ) -> Iterator[Row | Skipped]:
        batch, future = entry
        if future is None:
            return self.emit(batch, [])
        first = next(item for item in batch if isinstance(item, PageTask))  # a batch with a task has a future
        return self.emit(batch, result(pool, future, first.source))

    def emit(self, batch: list[Row | Skipped | PageTask], found: list[Page | str]) -> Iterator[Row | Skipped]:
        results = iter(found)
        for item in batch:
            yield self.row(item, next(results)) if isinstance(item, PageTask) else item

    def row(self, task: PageTask, page: Page | str) -> Row | Skipped:
        if isinstance(page, str):
            return Skipped(task.source, page, task.line)
        doc_id = task.doc_id
        if doc_id is not None and task.capture is not None:
            if doc_id in self._ids:
                doc_id = f"{doc_id}@{task.capture}"
            self._ids.add(doc_id)
        named = {"text": page.text, "title": page.title, "author": page.author}
        return Row(
            source=task.source,
            line=task.line,
            doc_id=doc_id,
            text=page.text,
            outlet=task.outlet or page.sitename,
            date=page.date or task.date,
            title=page.title,
            url=page.url or task.url,
            extra=(("author", page.author), *task.extra),
            nul_field=next((name for name, value in named.items() if value and NUL in value), None),
        )
