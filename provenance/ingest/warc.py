"""Web archives (.warc, .warc.gz): every HTML page captured, as a ``PageTask`` (``html.py``).

Read with warcio, the reader of the Webrecorder and Common Crawl tools, one record at a time:
an archive of any size is streamed, and at most one page (``limits.max_doc_bytes``) is held.
A ``.warc.gz`` is decompressed by ``open_gzip`` before warcio sees it, so an archive gzipped
whole (not record by record, as ``gzip crawl.warc`` makes it) reads too, and a damaged one
keeps every record before the damage. Record offsets are therefore into the decompressed
archive.

A ``response`` record with HTTP status 200 and an HTML payload (``text/html``,
``application/xhtml+xml``) is a page: its id is the target URI (``URI@WARC-Date`` when the URI
was captured before in the read), its outlet the host name without ``www.``, its date the
page's own, else the ``WARC-Date``. Skipped and listed, with the record number as the line:
``revisit`` records, other HTTP statuses, other payload types, truncated records (a
``WARC-Truncated`` header, or a payload that ends early) and records over the size limit.
``warcinfo``, ``request``, ``metadata`` and other records describe captures rather than being
pages, and are passed over.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from provenance.config import InputLimits
from provenance.ingest.decode import over_limit
from provenance.ingest.gzipped import open_gzip
from provenance.ingest.html import PageTask
from provenance.records import Skipped

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# What a damaged archive raises besides warcio's ArchiveLoadFailed: a damaged gzip stream's
# OSError, EOFError or zlib.error, and ValueError from a header warcio cannot parse.
_STREAM_ERRORS = (OSError, EOFError, zlib.error, ValueError)


def warc_pages(path: Path, limits: InputLimits | None = None) -> Iterator[PageTask | Skipped]:
    """Every HTML page captured in the archive at ``path``, in record order, and a ``Skipped``
    for each record that is not one (see the module docstring). Damage ends the archive there,
    with a ``Skipped`` naming the record where reading stopped; the pages before it are kept."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    limits = limits or InputLimits()
    number = 0
    try:
        with _open(path) as handle:
            records = ArchiveIterator(handle)
            for number, record in enumerate(records, start=1):
                if record.format != "warc":  # warcio reads any line as an old ARC header
                    yield Skipped(str(path), "not a WARC archive (no WARC/1.x record header)", number)
                    return
                page = _page(path, number, records.offset, record, limits)
                if page is not None:
                    yield page
    except (*_STREAM_ERRORS, ArchiveLoadFailed) as err:
        yield Skipped(str(path), f"archive damaged, the rest is not read: {err}".strip(), number + 1)
        return
    if number == 0:
        yield Skipped(str(path), "no WARC records")


def _open(path: Path) -> IO[bytes]:
    return open_gzip(path) if path.name.lower().endswith(".gz") else path.open("rb")


def _page(path: Path, number: int, offset: int, record: Any, limits: InputLimits) -> PageTask | Skipped | None:
    """The page of one record, why it is not one, or None for a record that describes a capture
    (request, warcinfo, metadata): listing those would list every page twice."""
    headers = record.rec_headers
    where = f"(record at byte {offset})"

    def skip(reason: str) -> Skipped:
        return Skipped(str(path), f"{reason} {where}", number)

    if record.rec_type == "revisit":
        return skip("revisit record, no page of its own")
    if record.rec_type != "response":
        return None
    truncated = headers.get_header("WARC-Truncated")
    if truncated:
        return skip(f"truncated record (WARC-Truncated: {truncated})")
    http = record.http_headers
    if http is None:
        return skip("response without HTTP headers, not a web page")
    status = http.get_statuscode()
    if status != "200":
        return skip(f"HTTP status {status}")
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        return skip(f"not an HTML page (Content-Type {content_type or 'missing'})")
    try:
        stream = record.content_stream()
        html = stream.read(limits.max_doc_bytes + 1)
    except Exception as err:  # a damaged chunked or compressed body raises warcio's own kinds
        return skip(f"truncated record, payload cannot be read: {err}")
    if len(html) > limits.max_doc_bytes:
        return skip(over_limit("page", None, limits.max_doc_bytes))
    if getattr(record.raw_stream, "limit", 0) > 0:  # the archive ended before Content-Length did
        return skip("truncated record, the archive ends inside it")
    if not html.strip():
        return skip("empty page")
    uri = headers.get_header("WARC-Target-URI") or None
    captured = headers.get_header("WARC-Date") or None
    return PageTask(
        source=str(path),
        line=number,
        doc_id=uri,
        html=html,
        url=uri,
        outlet=outlet_of(uri),
        date=captured,
        capture=captured,
        extra=(("warc_date", captured),),
    )


def outlet_of(url: str | None) -> str | None:
    """The outlet of a page's URL: its host name, lower case, without a leading ``www.``."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host
