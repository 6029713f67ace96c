"""Reuters-21578 SGML files (``reut2-NNN.sgm``): one document per ``<REUTERS>`` record with a body."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from provenance.records import Skipped

SGML_SUFFIXES = (".sgm",)

_RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL)
_NEWID = re.compile(r'NEWID="(\d+)"')
_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.DOTALL) for name in ("DATE", "TITLE", "BODY")}


def sgml_rows(path: Path, skipped: list[Skipped]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows ``{id, text, title, date, outlet}`` of one Reuters-21578 file (Latin-1, SGML entities).

    Records without a body are skipped silently: a third of the corpus is headline-only by design.
    """
    try:
        data = path.read_bytes().decode("latin-1")
    except OSError as err:
        skipped.append(Skipped(str(path), f"cannot read: {err.strerror or err}"))
        return
    line_no, counted = 1, 0
    for match in _RECORD.finditer(data):
        attrs, inner = match.group(1), match.group(2)
        line_no += data.count("\n", counted, match.start())  # incremental: files are 1 MB
        counted = match.start()
        body = _FIELD["BODY"].search(inner)
        if body is None:
            continue
        newid = _NEWID.search(attrs)
        if newid is None:
            skipped.append(Skipped(str(path), "record without NEWID", line_no))
            continue
        title = _FIELD["TITLE"].search(inner)
        date = _FIELD["DATE"].search(inner)
        yield (
            line_no,
            {
                "id": f"reuters-{newid.group(1)}",
                "text": _clean(body.group(1)),
                "title": _clean(title.group(1)) if title else None,
                "date": _iso_date(date.group(1)) if date else None,
                "outlet": "Reuters",
            },
        )


# Bodies carry SGML character references (&lt; &#3;) that decode to control characters.
_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"}


def _clean(text: str) -> str:
    return html.unescape(text).translate(_CONTROL).strip()


def _iso_date(raw: str) -> str | None:
    try:
        return datetime.strptime(raw.strip()[:20], "%d-%b-%Y %H:%M:%S").date().isoformat()
    except ValueError:
        return None
