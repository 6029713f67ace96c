"""The input rules: which rows become documents, and under which id.

Stated once, here, and applied on two paths: ``read_documents`` runs every reader's rows
through ``IngestPolicy.documents``; the Spark engine, which reads Parquet datasets itself,
builds its Spark SQL from this module's constants and takes its reasons from the same
``IngestPolicy`` (``SparkEngine._read_datasets``). Both give the same documents and skips.

1. A row whose text is missing or only white space is skipped (``BLANK_TEXT``).
2. A row whose text is over ``limits.max_doc_bytes`` in UTF-8 is skipped. A document that is a
   whole file was judged by its size on disk, by its reader, which never reads past the limit.
3. A row with a NUL character in a field is skipped (docs/limits.md).
4. A row without an id (none, or empty) is named ``<file name>:<line>`` (``FALLBACK_ID``); in a
   folder, the file's path inside it stands for its name (``sub/feed.jsonl:3``).
5. Of two documents with one id, the first in reading order is kept and the other skipped. A row
   skipped by rules 1-3 claims no id.

Every document's date is read once, here (``Document.when``, by ``provenance.dates.parse_date``
with the policy's ``dayfirst``). A date that cannot be read counts as unknown; they are warned
about once per input (``unread_dates``), never per row.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from provenance.config import FieldNames, InputLimits
from provenance.dates import parse_date
from provenance.ingest.decode import over_limit
from provenance.ingest.rows import Row
from provenance.ingest.walk import printable_path
from provenance.records import Document, Skipped

log = logging.getLogger(__name__)

# Every character str.isspace (and so str.strip) takes for white space.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
BLANK_TEXT = "[" + "".join(f"\\u{ord(c):04x}" for c in WHITESPACE) + "]*"
"""A regular expression for text that is only white space, written with ``\\uXXXX`` escapes that
Python's ``re`` and Java's ``Pattern`` (Spark's ``rlike``) read alike. Match it whole."""
_BLANK = re.compile(BLANK_TEXT)

NUL = "\x00"
"""The character that keeps a row out (rule 3)."""

UNSUPPORTED = "type not supported"
"""The reason a folder's file of a type prov does not read is skipped; such files are summed up
in one warning per folder, not warned about one by one."""

FALLBACK_ID = "%s:%d"
"""The id of a row that gives none, from its file's name and its line: ``%`` formatting in
Python, ``format_string`` in Spark."""


def is_blank(text: str) -> bool:
    """Whether ``text`` is empty or only white space (as ``not text.strip()``, without a copy)."""
    return _BLANK.fullmatch(text) is not None


_SHARED_LIMIT = 100_000  # distinct outlets and dates remembered while reading (bounds the memory)


def fallback_id(file_name: str, line: int) -> str:
    """The id of row ``line`` of the file named ``file_name``, when it gives none (rule 4)."""
    return FALLBACK_ID % (file_name, line)


def unread_dates(where: str, count: int, example: str) -> str:
    """The one warning about the ``count`` dates of input ``where`` that could not be read, with
    the first of them, ``example``."""
    if count == 1:
        return f"{where}: 1 date could not be read ({example!r}); it counts as unknown"
    return f"{where}: {count} dates could not be read (e.g. {example!r}); they count as unknown"


def utf8_size_over(text: str, limit: int) -> int | None:
    """The UTF-8 size of ``text`` when it is over ``limit`` bytes, else None (cheap for short
    texts: no character takes more than 4 bytes)."""
    if len(text) * 4 <= limit:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


@dataclass(frozen=True, slots=True)
class IngestPolicy:
    """The input rules (module docstring) for one read: ``fields`` names the text field in the
    reasons, ``limits`` bounds a document's size, ``dayfirst`` reads ambiguous numeric dates
    (07/03/2017) day first."""

    fields: FieldNames = field(default_factory=FieldNames)
    limits: InputLimits = field(default_factory=InputLimits)
    dayfirst: bool = False

    def when(self, date: str | None) -> datetime | None:
        """The instant a document's date as written stands for (UTC), None when unknown."""
        return parse_date(date, self.dayfirst)

    def problem(self, row: Row) -> str | None:
        """Why ``row`` cannot be a document (rules 1 to 3), or None when it can."""
        blank = is_blank(row.text)
        size = None if blank or row.line is None else utf8_size_over(row.text, self.limits.max_doc_bytes)
        return self.reason(blank, size, row.nul_field)

    def reason(self, blank: bool, size: int | None, nul_field: str | None) -> str | None:
        """The reason for the first of rules 1 to 3 a row breaks, given whether its text is
        blank, its text's UTF-8 size (None: not measured, as it is under the limit) and the first
        field holding a NUL; None when it breaks none."""
        if blank:
            return f"row has no text in field {self.fields.text!r}"
        if size is not None and size > self.limits.max_doc_bytes:
            return over_limit("document", size, self.limits.max_doc_bytes)
        if nul_field is not None:
            return f"NUL character in field {nul_field!r}"
        return None

    @staticmethod
    def doc_id(row: Row) -> str:
        """The id of ``row``: its own, or ``<file name>:<line>`` (rule 4)."""
        if row.doc_id:
            return row.doc_id
        # the file's path in the folder read, else its Path.name (without a Path per row)
        name = row.name or os.path.basename(row.source)
        return name if row.line is None else fallback_id(name, row.line)

    @staticmethod
    def duplicate(doc_id: str) -> str:
        """The reason a second document with ``doc_id`` is skipped (rule 5)."""
        return f"duplicate document id {doc_id!r} (first one kept)"

    def documents(self, items: Iterable[Row | Skipped]) -> Iterator[Document | Skipped]:
        """The documents of the rows that keep every rule, indexed ``0..n-1`` in reading order,
        and a ``Skipped`` for each row that breaks one. The readers' own ``Skipped`` records
        pass through. Every ``Skipped`` is logged as a warning, and every source made printable
        (a non-UTF-8 file name must not reach Parquet raw). The dates that cannot be read are
        warned about at the end, once per input: a file of rows, or the folder of whole-file
        documents."""
        seen: set[str] = set()
        unread: dict[str, tuple[int, str]] = {}  # input -> how many dates could not be read, the first
        # A corpus names few outlets and dates for many documents: one string (and one parsed
        # instant) per distinct value instead of one per document (~170 bytes a document).
        shared: dict[str | None, str | None] = {}
        instants: dict[str, datetime | None] = {}
        for item in items:
            if isinstance(item, Skipped):
                skip = dataclasses.replace(item, source=printable_path(item.source))
            else:
                source = printable_path(item.source)
                doc_id = self.doc_id(item)
                reason = self.problem(item) or (self.duplicate(doc_id) if doc_id in seen else None)
                if reason is None:
                    if len(shared) > _SHARED_LIMIT:
                        shared.clear()
                        instants.clear()
                    outlet = shared.setdefault(item.outlet, item.outlet)
                    date = shared.setdefault(item.date, item.date)
                    if date is None:
                        when = None
                    elif date in instants:
                        when = instants[date]
                    else:
                        when = instants[date] = self.when(date)
                    if when is None and item.date and not is_blank(item.date):
                        where = source if item.line is not None else (os.path.dirname(source) or ".")
                        count, example = unread.get(where, (0, item.date.strip()))
                        unread[where] = (count + 1, example)
                    yield Document(
                        index=len(seen),  # every document kept adds one id
                        doc_id=doc_id,
                        text=item.text,
                        source=source if item.line is None else f"{source}:{item.line}",
                        outlet=outlet,
                        date=date,
                        title=item.title,
                        url=item.url,
                        # Document declares its extra values str, but an empty field has always
                        # passed through as None (records.py).
                        extra=cast("tuple[tuple[str, str], ...]", item.extra),
                        when=when,
                    )
                    seen.add(doc_id)
                    continue
                skip = Skipped(source, reason, item.line)
            if skip.reason != UNSUPPORTED:
                log.warning("skipped %s", skip)
            yield skip
        for where, (count, example) in unread.items():
            log.warning("%s", unread_dates(where, count, example))
