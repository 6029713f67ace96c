"""One file of rows (JSON Lines, JSON, CSV, Parquet, Reuters SGML, or a stream) read as
``Row`` records, with its field names checked against what the rows hold.

A field the user named (``--text-field body`` ...) that no row of a file has is a mistake, not
bad data: it raises ``InputError`` naming the file, the option and the fields the rows do have,
instead of one warning per row. The rows before the first one holding the text field are held
back (their line numbers only) until such a row comes, so a file without it costs one line, not
one per row. A file with no field of the default text names is one ``Skipped``, as a file that
holds no document.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from provenance.config import FieldNames, InputLimits
from provenance.errors import InputError
from provenance.ingest.policy import IngestPolicy
from provenance.ingest.reuters import sgml_rows
from provenance.ingest.rows import Row
from provenance.ingest.streams import stream_name, stream_rows
from provenance.ingest.tables import (
    Fallbacks,
    Record,
    csv_rows,
    json_rows,
    jsonl_rows,
    named_fields,
    parquet_rows,
    scraper_fallbacks,
    table_row,
)
from provenance.records import Skipped

Reader = Callable[[Path, list[Skipped], InputLimits], Iterator[Record]]
READERS: Mapping[str, Reader] = {
    "jsonl": jsonl_rows,
    "json": json_rows,
    "csv": csv_rows,
    "parquet": parquet_rows,
    "sgml": sgml_rows,
    "stream": stream_rows,
}
"""The reader of each kind of file of rows (``provenance.ingest._kind``)."""
_SCRAPED = frozenset({"jsonl", "json", "stream"})  # kinds scrapers write: their field names are read too
_KEYS_KEPT = 50  # field names remembered for an error message
_KEYS_SHOWN = 8


def read_table(path: Path, kind: str, policy: IngestPolicy, name: str | None = None) -> Iterator[Row | Skipped]:
    """The rows of the file (or stream) ``path`` of ``kind``, and what was skipped, under
    ``policy``'s field names (news-please's and trafilatura's too for JSON, JSON Lines and
    streams: ``tables.SCRAPER_FIELDS``). ``name`` (the file's path in the folder read) names
    its rows that have no id.

    Raises:
        InputError: a field the user named is in no row of the file.
    """
    skipped: list[Skipped] = []
    # Reuters SGML rows carry the default field names whatever the user mapped.
    fields = FieldNames() if kind == "sgml" else policy.fields
    fallbacks = scraper_fallbacks(fields) if kind in _SCRAPED else None
    source = stream_name(path) if kind == "stream" else str(path)
    check = None if kind == "sgml" else FieldCheck(fields, fallbacks)
    held = array("q")  # lines of the rows read before the first one with a text field
    for line_no, record in READERS[kind](path, skipped, policy.limits):
        yield from _drain(skipped)
        if check is not None and check.pending:
            check.see(record)
            if not check.text_seen:
                held.append(line_no)
                continue
            no_text = policy.reason(True, None, None) or ""
            yield from (Skipped(source, no_text, line) for line in held)
            held = array("q")
        yield table_row(record, fields, source, line_no, fallbacks, name)
    yield from _drain(skipped)
    problem = check.finish(source) if check is not None else None
    if problem is not None:
        yield Skipped(source, problem)


class FieldCheck:
    """Which of the fields that must be somewhere in a file the rows seen so far hold: each
    field the user named, and a text field (the named one, or one of the default names)."""

    def __init__(self, fields: FieldNames, fallbacks: Fallbacks | None) -> None:
        self.text_names = (fields.text, *(fallbacks or {}).get("text", ()))
        self.unseen = named_fields(fields)  # attribute -> field name, in no row yet
        self.text_seen = False
        self.rows = 0
        self.keys: dict[str, None] = {}  # the rows' field names, in order of appearance

    @property
    def pending(self) -> bool:
        """Whether a field is still to be found (else rows need not be looked at)."""
        return bool(self.unseen) or not self.text_seen

    def see(self, record: dict[str, Any]) -> None:
        """Note the fields of one row."""
        self.rows += 1
        if not self.text_seen:
            self.text_seen = any(name in record for name in self.text_names)
        for attr in [attr for attr, name in self.unseen.items() if name in record]:
            del self.unseen[attr]
        for key in record:
            if len(self.keys) >= _KEYS_KEPT:
                break
            self.keys.setdefault(str(key), None)

    def merge(self, later: FieldCheck) -> None:
        """Add what ``later`` saw of the rows that follow these (the next part of the same file,
        read on another worker: ``provenance.ingest.parts``)."""
        self.rows += later.rows
        self.text_seen = self.text_seen or later.text_seen
        self.unseen = {attr: name for attr, name in self.unseen.items() if attr in later.unseen}
        for key in later.keys:
            if len(self.keys) >= _KEYS_KEPT:
                break
            self.keys.setdefault(key, None)

    def finish(self, source: str) -> str | None:
        """After the last row: why the file holds no document (no text field of the default
        names), or None.

        Raises:
            InputError: a named field is in no row (the text field first).
        """
        if not self.rows:
            return None  # an empty or unreadable file, already listed
        if self.unseen:
            attr = "text" if "text" in self.unseen else next(iter(self.unseen))
            raise InputError(
                f"{source}: no row has the field {self.unseen[attr]!r} named by --{attr}-field; "
                f"its fields are {self._listing()}"
            )
        if not self.text_seen:
            names = " or ".join(repr(n) for n in self.text_names)
            return f"no row has a text field ({names}); name it with --text-field (its fields are {self._listing()})"
        return None

    def _listing(self) -> str:
        names = list(self.keys)
        more = ", ..." if len(names) > _KEYS_SHOWN else ""
        return ", ".join(names[:_KEYS_SHOWN]) + more if names else "none"


def _drain(skipped: list[Skipped]) -> Iterator[Skipped]:
    # Swap the list out rather than pop(0) item by item, which is quadratic when a reader
    # reports thousands of problems before its next row.
    items = skipped[:]
    skipped.clear()
    yield from items
