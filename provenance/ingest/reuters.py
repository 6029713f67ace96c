"""Reuters-21578 SGML files (``reut2-NNN.sgm``): one document per ``<REUTERS>`` record with a body.

Records are found with ``str.find`` between one ``<REUTERS`` opening and the next, never with a
pattern that may scan to the end of the file from every opening: a file of unclosed openings or
of bodies full of ``<`` is read in time linear in its size.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from provenance.config import InputLimits
from provenance.ingest.decode import looks_binary, read_capped
from provenance.records import Skipped

SGML_SUFFIXES = (".sgm",)

_OPEN, _CLOSE = "<REUTERS", "</REUTERS>"
_NEWID = re.compile(r'NEWID="(\d+)"')


def sgml_rows(
    path: Path, skipped: list[Skipped], limits: InputLimits | None = None
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Rows ``{id, text, title, date, outlet}`` of one Reuters-21578 file (Latin-1, SGML entities).

    Records without a body are passed over silently: a third of the corpus is headline-only by
    design. A record without its closing tag or a NEWID, and a file without any record, are
    recorded in ``skipped``. The file is read whole, so one over ``limits.max_file_bytes`` is
    skipped unread.
    """
    limits = limits or InputLimits()
    data, problem = read_capped(path, limits.max_file_bytes, "file")
    if data is None:
        skipped.append(Skipped(str(path), problem or "cannot read"))
        return
    if looks_binary(data):
        skipped.append(Skipped(str(path), "binary file (contains NUL bytes)"))
        return
    text = data.decode("latin-1")
    starts = _record_starts(text)
    if not starts:
        skipped.append(Skipped(str(path), "no Reuters records (no <REUTERS> tag)"))
        return
    line_no, counted = 1, 0
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        line_no += text.count("\n", counted, start)  # incremental, so linear in the file
        counted = start
        row, problem = _record(text, start, end)
        if problem is not None:
            skipped.append(Skipped(str(path), problem, line_no))
        elif row is not None:
            yield line_no, row


def _record_starts(text: str) -> list[int]:
    """Offsets of every ``<REUTERS`` opening tag (``<REUTERSX`` is not one)."""
    starts = []
    at = text.find(_OPEN)
    while at >= 0:
        after = text[at + len(_OPEN) : at + len(_OPEN) + 1]
        if not (after.isalnum() or after == "_"):  # the \b of the old <REUTERS\b pattern
            starts.append(at)
        at = text.find(_OPEN, at + len(_OPEN))
    return starts


def _record(text: str, start: int, end: int) -> tuple[dict[str, str | None] | None, str | None]:
    """The row of the record opening at ``start``, which must close before ``end`` (the next
    opening); None and no problem for a record without a body."""
    attrs_end = text.find(">", start, end)
    close = text.find(_CLOSE, attrs_end, end) if attrs_end >= 0 else -1
    if close < 0:
        return None, "record without a closing </REUTERS> tag"
    body = _element(text, "BODY", attrs_end, close)
    if body is None:
        return None, None
    newid = _NEWID.search(text, start, attrs_end)
    if newid is None:
        return None, "record without NEWID"
    title = _element(text, "TITLE", attrs_end, close)
    date = _element(text, "DATE", attrs_end, close)
    return {
        "id": f"reuters-{newid.group(1)}",
        "text": _clean(body),
        "title": _clean(title) if title is not None else None,
        "date": _date_text(date) if date is not None else None,
        "outlet": "Reuters",
    }, None


def _element(text: str, name: str, lo: int, hi: int) -> str | None:
    """The content of the first ``<name>...</name>`` within ``text[lo:hi]``."""
    opening = f"<{name}>"
    at = text.find(opening, lo, hi)
    if at < 0:
        return None
    closing = text.find(f"</{name}>", at + len(opening), hi)
    return None if closing < 0 else text[at + len(opening) : closing]


# Bodies carry SGML character references (&lt; &#3;) that decode to control characters. NUL is
# kept, so that the NUL rule of docs/limits.md applies to SGML as to every other format.
_CONTROL = {c: None for c in range(1, 32) if chr(c) not in "\n\t"}


def _clean(text: str) -> str:
    return html.unescape(text).translate(_CONTROL).strip()


def _date_text(raw: str) -> str | None:
    """The date as the record writes it ("26-FEB-1987 15:01:01.79", read with its time by
    ``provenance.dates.parse_date``), without the wire routing codes that follow it in some
    records ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM")."""
    return raw.split("&", 1)[0].strip() or None
