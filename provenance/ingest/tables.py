"""One document per row: JSON Lines (optionally gzipped), JSON, CSV and Parquet files.

Every reader streams ``(line, row or record number, fields)`` records and notes what it cannot
use in the ``skipped`` list it is given, so one bad line, row or byte range never stops the rest
of a file; ``table_row`` makes a record a ``Row``. Sizes are bounded by ``InputLimits``
(docs/limits.md).

JSON and JSON Lines are what scrapers write: news-please's and trafilatura's field names are
recognised (``SCRAPER_FIELDS``) for every field the user did not name.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import logging
import re
import sys
import zlib
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol

from provenance.config import FieldNames, InputLimits
from provenance.ingest.decode import SNIFF_BYTES, decode_bytes, looks_binary, over_limit, read_capped
from provenance.ingest.gzipped import open_gzip
from provenance.ingest.policy import NUL
from provenance.ingest.rows import Row
from provenance.records import Skipped

log = logging.getLogger(__name__)

Record = tuple[int, dict[str, Any]]  # (1-based line or row number, fields)

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
JSON_SUFFIXES = (".json",)
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)

# What a damaged gzip stream raises: zlib.error for a bad deflate body, EOFError for a truncated
# one, OSError (gzip.BadGzipFile) for a bad header or checksum.
_STREAM_ERRORS = (OSError, EOFError, zlib.error)
_CHUNK = 1 << 20  # bytes read at a time while passing over an oversized line


# JSON Lines


def jsonl_rows(path: Path, skipped: list[Skipped], limits: InputLimits | None = None) -> Iterator[Record]:
    """Rows of a JSON Lines file (gzipped when its name ends in .gz), streamed line by line.

    Malformed lines, lines that are not objects or not valid Unicode, and lines over
    ``limits.max_doc_bytes`` are recorded in ``skipped`` and passed over. A file whose first
    8 KiB hold a NUL byte is binary and skipped whole. Damage in a gzip stream, or more than
    ``limits.max_file_bytes`` of decompressed data, ends the file there: the lines before are
    kept and the line where reading stopped is named.
    """
    limits = limits or InputLimits()
    compressed = path.name.lower().endswith(".gz")
    opener = open_gzip if compressed else _open_plain
    head = _head(path, opener)
    try:
        with opener(path) as handle:
            yield from jsonl_stream(handle, head, str(path), skipped, limits, compressed)
    except _STREAM_ERRORS as err:  # the file cannot be opened
        skipped.append(Skipped(str(path), f"cannot read: {err}"))


def jsonl_stream(
    handle: IO[bytes], head: bytes, source: str, skipped: list[Skipped], limits: InputLimits, compressed: bool
) -> Iterator[Record]:
    """Rows of JSON Lines read from an open ``handle`` whose first bytes are ``head`` (for the
    binary check), named ``source``; see ``jsonl_rows``. ``compressed``: the handle decompresses,
    so ``limits.max_file_bytes`` bounds what is read."""
    if looks_binary(head):
        skipped.append(Skipped(source, "binary file (contains NUL bytes)"))
        return
    lines = _LineReader(limits.max_doc_bytes, limits.max_file_bytes if compressed else None)
    try:
        seen_text = yield from _json_lines(source, lines.read(handle), skipped, limits.max_doc_bytes)
    except _STREAM_ERRORS as err:
        # No line read at all: the file as a whole is unreadable, so no line is named.
        skipped.append(Skipped(source, f"cannot read: {err}", lines.line_no + 1 if lines.line_no else None))
        return
    if lines.stopped:
        reason = over_limit("decompressed file", None, limits.max_file_bytes) + "; the rest is not read"
        skipped.append(Skipped(source, reason, lines.line_no))
    elif not seen_text:
        skipped.append(Skipped(source, "empty file"))


def _open_plain(path: Path) -> IO[bytes]:
    return path.open("rb")


def _head(path: Path, opener: Callable[[Path], IO[bytes]]) -> bytes:
    """The first bytes of a file's content, for the binary check. A file that cannot be read
    is left for the line reader to meet again, as it can name the line it reached."""
    try:
        with opener(path) as handle:
            return handle.read(SNIFF_BYTES)
    except _STREAM_ERRORS:
        return b""


class LineSource(Protocol):
    """What the line reader asks of a binary stream."""

    def readline(self, size: int = -1, /) -> bytes: ...


class _LineReader:
    """Lines of a binary stream, none held longer than ``max_line`` bytes: a longer line is passed
    over in chunks, so a 2 GB line costs no more memory than a short one. With ``max_total``,
    reading stops once that many bytes have been read (a decompression bomb ends there)."""

    def __init__(self, max_line: int, max_total: int | None) -> None:
        self.max_line = max_line
        self.max_total = max_total
        self.line_no = 0
        self.total = 0
        self.stopped = False

    def read(self, handle: LineSource) -> Iterator[tuple[int, bytes | None]]:
        """(line number, bytes) for each line; bytes None for a line over ``max_line``."""
        while True:
            raw = handle.readline(self.max_line + 2)  # room for the line end, "\r\n" at most
            if not raw:
                return
            self.line_no += 1
            self.total += len(raw)
            oversized = len(raw) > self.max_line and len(raw) - _line_end(raw) > self.max_line
            if oversized and not raw.endswith(b"\n"):
                self._pass_over(handle)
            if self.max_total is not None and self.total > self.max_total:
                self.stopped = True
                return
            yield self.line_no, None if oversized else raw

    def _pass_over(self, handle: LineSource) -> None:
        while True:
            chunk = handle.readline(_CHUNK)
            self.total += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                return
            if self.max_total is not None and self.total > self.max_total:
                return


def not_utf8(source: str, line: int, encoding: str) -> str:
    """The one warning about a file of lines that is not UTF-8, from its first such line."""
    return f"{source}:{line}: not UTF-8, read as {encoding}"


def _line_end(raw: bytes) -> int:
    return 2 if raw.endswith(b"\r\n") else 1 if raw.endswith(b"\n") else 0


class JsonLinesPart:
    """The records of the bytes of a plain JSON Lines file from a line end to a line end, read
    from ``handle`` (positioned there) as ``jsonl_rows`` reads the whole file, its lines numbered
    from ``first_line``. The checks made once per file are left to the caller: after
    ``records``, ``seen_text`` tells whether a line held more than white space, and
    ``encoding`` names the first line not in UTF-8 and how it was read (not warned about)."""

    def __init__(self, handle: LineSource, first_line: int, limits: InputLimits) -> None:
        self.handle = handle
        self.lines = _LineReader(limits.max_doc_bytes, None)
        self.lines.line_no = first_line - 1
        self.max_bytes = limits.max_doc_bytes
        self.seen_text = False
        self.encoding: tuple[int, str] | None = None

    def records(self, source: str, skipped: list[Skipped]) -> Iterator[Record]:
        encodings: list[tuple[int, str]] = []
        lines = self.lines.read(self.handle)
        self.seen_text = yield from _json_lines(source, lines, skipped, self.max_bytes, encodings)
        self.encoding = encodings[0] if encodings else None


def _json_lines(
    source: str,
    lines: Iterator[tuple[int, bytes | None]],
    skipped: list[Skipped],
    max_bytes: int,
    encodings: list[tuple[int, str]] | None = None,
) -> Generator[Record, None, bool]:
    """The JSON objects of numbered lines; returns whether any line held more than white space.
    The first line not in UTF-8 is warned about, or with ``encodings`` noted there."""
    seen_text = False
    warned_encoding = False
    for line_no, raw in lines:
        if raw is None:
            seen_text = True
            skipped.append(Skipped(source, over_limit("line", None, max_bytes), line_no))
            continue
        if not raw.strip():
            continue
        seen_text = True
        decoded = decode_bytes(raw)
        if decoded.text is None:
            skipped.append(Skipped(source, decoded.problem or "undecodable", line_no))
            continue
        if decoded.encoding not in ("utf-8", "utf-8-sig") and not warned_encoding:
            if encodings is None:
                log.warning("%s", not_utf8(source, line_no, str(decoded.encoding)))
            else:
                encodings.append((line_no, str(decoded.encoding)))
            warned_encoding = True
        row, problem = parse_json_object(decoded.text)
        if row is None:
            skipped.append(Skipped(source, problem or "unreadable JSON", line_no))
            continue
        yield line_no, row
    return seen_text


# JSON


def json_rows(path: Path, skipped: list[Skipped], limits: InputLimits | None = None) -> Iterator[Record]:
    """Articles of a JSON file holding one object, or an array of objects (what news-please and
    trafilatura write), numbered 1, 2, ... in the file.

    The json module reads a file whole, so a file over ``limits.max_file_bytes`` is skipped
    unread (give big collections as JSON Lines, which are streamed). Array items that are not
    objects are recorded in ``skipped`` under their number.
    """
    limits = limits or InputLimits()
    data, problem = read_capped(path, limits.max_file_bytes, "file")
    if data is None:
        skipped.append(Skipped(str(path), problem or "cannot read"))
        return
    yield from json_records(data, str(path), skipped)


def json_records(data: bytes, source: str, skipped: list[Skipped]) -> Iterator[Record]:
    """The objects of a JSON text (one object, or an array of objects), numbered from 1."""
    if not data.strip():
        skipped.append(Skipped(source, "empty file"))
        return
    if looks_binary(data):
        skipped.append(Skipped(source, "binary file (contains NUL bytes)"))
        return
    decoded = decode_bytes(data)
    if decoded.text is None:
        skipped.append(Skipped(source, decoded.problem or "undecodable", decoded.line))
        return
    value, problem = parse_json(decoded.text)
    if isinstance(value, dict):
        yield 1, value
        return
    if not isinstance(value, list):
        skipped.append(Skipped(source, problem or "not a JSON object or an array of objects"))
        return
    for number, item in enumerate(value, start=1):
        if isinstance(item, dict):
            yield number, item
        else:
            skipped.append(Skipped(source, "array item is not a JSON object", number))


# A JSON escape of a UTF-16 surrogate (\ud800-\udfff): valid Unicode only as half of a pair.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_json_object(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """One JSON object from one line, or the reason it is unusable (``parse_json``'s, or a value
    that is not an object). Never raises."""
    value, problem = parse_json(line)
    if problem is not None:
        return None, problem
    if not isinstance(value, dict):
        return None, "line is not a JSON object"
    return value, None


def parse_json(line: str) -> tuple[Any, str | None]:
    """One JSON value from a text, or None and the reason it is unusable.

    Unusable: malformed JSON, nesting deeper than the parser's recursion limit, or a lone
    surrogate escape (text that UTF-8, and so Parquet, cannot hold). An integer too long for
    Python to convert (``sys.get_int_max_str_digits``) is kept as text. Never raises.
    """
    try:
        value = _loads(line)
        if "\\" in line and _SURROGATE_ESCAPE.search(line):  # "in" is a memchr: lines without escapes pay ~nothing
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except json.JSONDecodeError as err:
        return None, f"malformed JSON: {err.msg}"
    except RecursionError:
        return None, "JSON nested too deeply"
    except UnicodeEncodeError:
        return None, "lone surrogate escape (\\ud800-\\udfff without its pair): not valid Unicode"
    except ValueError as err:
        return None, f"unreadable JSON: {err}"
    return value, None


def _loads(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        raise
    except ValueError:
        # Only an integer past the int-string limit raises a plain ValueError: parse it again,
        # keeping such integers as text (the slower hook is paid only by these rare lines).
        return json.loads(line, parse_int=_int_or_text)


def _int_or_text(digits: str) -> int | str:
    limit = sys.get_int_max_str_digits()
    return digits if limit and len(digits.lstrip("-")) > limit else int(digits)


# CSV


def csv_rows(path: Path, skipped: list[Skipped], limits: InputLimits | None = None) -> Iterator[Record]:
    """Rows of a CSV file with a header; rows with the wrong number of fields are skipped.

    The file is read whole, so one over ``limits.max_file_bytes`` is skipped unread. Rows are
    read by ``csv_records``: an oversized row or a runaway quoted field costs one listed row.
    """
    limits = limits or InputLimits()
    text = _csv_text(path, skipped, limits.max_file_bytes)
    if text is None:
        return
    records = csv_records(text, str(path), skipped, limits.max_doc_bytes)
    header = next(records, None)
    if header is None:
        skipped.append(Skipped(str(path), "empty CSV (no header row)"))
        return
    names = header[1]
    for line_no, values in records:
        if all(not v.strip() for v in values):
            continue
        if len(values) != len(names):
            skipped.append(Skipped(str(path), f"row has {len(values)} fields, header has {len(names)}", line_no))
            continue
        yield line_no, dict(zip(names, values, strict=True))


def _csv_text(path: Path, skipped: list[Skipped], max_file_bytes: int) -> str | None:
    data, problem = read_capped(path, max_file_bytes, "file")
    if data is None:
        skipped.append(Skipped(str(path), problem or "cannot read"))
        return None
    if looks_binary(data):
        skipped.append(Skipped(str(path), "binary file (contains NUL bytes)"))
        return None
    decoded = decode_bytes(data)
    if decoded.text is None:
        skipped.append(Skipped(str(path), decoded.problem or "undecodable", decoded.line))
        return None
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        log.warning("%s: not UTF-8, read as %s", path, decoded.encoding)
    return decoded.text


# A line ends at "\r\n", "\r" or "\n", as io.StringIO(newline="") splits lines for the csv reader.
_LINE_END = re.compile(r"\r\n|\r|\n")


def csv_records(text: str, source: str, skipped: list[Skipped], max_chars: int) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV text as (first line, values); blank lines are left out.

    A record over ``max_chars`` characters, and a record over several lines that is not
    well-formed CSV (a quote left open swallows every line after it), are recorded in
    ``skipped`` under their first line; the lines after that first line are then read again as
    records of their own, so one stray quote costs one row instead of the rest of the file.
    """
    # The csv module's field limit (process-wide, 128 KiB by default) is what stops a runaway
    # field from growing past max_chars in memory; the previous limit is put back at the end.
    previous = csv.field_size_limit(max_chars + 1)
    try:
        yield from _csv_records(text, source, skipped, max_chars)
    finally:
        csv.field_size_limit(previous)


def _csv_records(text: str, source: str, skipped: list[Skipped], max_chars: int) -> Iterator[tuple[int, list[str]]]:
    # The C reader does the work; the buffer's position tells where each record lies in the text.
    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer)
    strict = _StrictCheck()
    lines_before = 0  # lines before the current reader's first line
    while True:
        start, first = buffer.tell(), lines_before + reader.line_num + 1
        try:
            values = next(reader)
            span, lines = (start, buffer.tell()), (first, lines_before + reader.line_num)
            problem = _record_problem(text, span, lines, max_chars, strict)
        except StopIteration:
            return
        except csv.Error as err:
            big = "field larger than field limit" in str(err)
            problem = over_limit("row", None, max_chars) if big else f"malformed CSV: {err}"
        if problem is None:
            if values:
                yield first, values
            continue
        skipped.append(Skipped(source, problem, first))
        # Read again from the line after the bad record's first line, with a fresh reader.
        line_end = _LINE_END.search(text, start)
        buffer.seek(line_end.end() if line_end else len(text))
        reader = csv.reader(buffer)
        lines_before = first


def _record_problem(
    text: str, span: tuple[int, int], lines: tuple[int, int], max_chars: int, strict: _StrictCheck
) -> str | None:
    """Why the record ``text[start:end]`` on lines ``first..last`` must not be used, or None.

    Over several lines, it must also be well-formed read strictly: the lenient reader accepts a
    quote that is never closed (it runs to the end of the file) and text after a closing quote,
    the marks of a quote that swallowed the rows after it. Single-line records keep the lenient
    reading: a stray quote there cannot swallow other rows.
    """
    (start, end), (first, last) = span, lines
    if end - start > max_chars:
        return over_limit("row", None, max_chars)
    if last == first or strict.well_formed(text[start:end]):
        return None
    return f"malformed quoting: a quoted field opened here runs to line {last}; lines from {first + 1} read again"


class _StrictCheck:
    """One strict csv reader, fed one record text at a time: building a reader for each record
    would cost more than reading the record."""

    def __init__(self) -> None:
        self._text: str | None = None
        self._reader = csv.reader(self, strict=True)

    def __iter__(self) -> _StrictCheck:
        return self

    def __next__(self) -> str:
        # The text of one record, then the end of input: a record still open there is an error.
        text, self._text = self._text, None
        if text is None:
            raise StopIteration
        return text

    def well_formed(self, record: str) -> bool:
        """Whether ``record`` (one record, line ends included) reads as one strict CSV record."""
        self._text = record
        try:
            next(self._reader)
        except (csv.Error, StopIteration):
            return False
        return True


# Parquet


@functools.cache
def _conversion_errors() -> tuple[type[Exception], ...]:
    """What turning Arrow values into Python ones raises: OverflowError for a date past 9999,
    ArrowException for a type it cannot convert (pyarrow is imported only when needed)."""
    import pyarrow as pa

    return (ValueError, OverflowError, pa.ArrowException)


def parquet_rows(path: Path, skipped: list[Skipped], limits: InputLimits | None = None) -> Iterator[Record]:
    """Rows of a Parquet file (or a folder of Parquet part files), read in batches.

    A value Python cannot hold (a timestamp past the year 9999) is read as Arrow's text for it,
    with a warning per column. A file that cannot be read keeps the rows read before the damage.
    ``limits`` is accepted for a uniform reader signature; document size is checked by the caller.
    """
    import pyarrow.dataset as ds

    row_no = 0
    warned: set[str] = set()
    try:
        dataset = ds.dataset(str(path), format="parquet")
        for batch in dataset.to_batches(batch_size=8192):
            for row in _batch_rows(batch, path, warned):
                row_no += 1
                yield row_no, row
    except _conversion_errors() + (OSError,) as err:
        skipped.append(Skipped(str(path), f"cannot read Parquet: {err}", row_no + 1 if row_no else None))


def _batch_rows(batch: Any, path: Path, warned: set[str]) -> list[dict[str, Any]]:
    try:
        return batch.to_pylist()
    except _conversion_errors():
        pass
    names = batch.schema.names
    columns = [_column_values(batch.column(i), name, path, warned) for i, name in enumerate(names)]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _column_values(column: Any, name: str, path: Path, warned: set[str]) -> list[Any]:
    try:
        return column.to_pylist()
    except _conversion_errors():
        pass
    if name not in warned:
        warned.add(name)
        log.warning("%s: column %r holds values Python cannot hold (such as years past 9999); read as text", path, name)
    return [_scalar_value(column[i]) for i in range(len(column))]


def _scalar_value(scalar: Any) -> Any:
    import pyarrow as pa

    try:
        return scalar.as_py()
    except _conversion_errors():
        pass
    try:
        return scalar.cast(pa.string()).as_py()  # Arrow prints what Python cannot hold
    except _conversion_errors():
        return None


# Rows to document fields


def stringify(value: Any) -> str | None:
    """A field value as text for the report: strings as is, other values as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.time):  # Parquet date/timestamp columns
        return value.isoformat()
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return str(value)


SCRAPER_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("maintext",),  # news-please (trafilatura writes "text")
    "date": ("date_publish",),  # news-please (trafilatura writes "date")
    "outlet": ("source_domain", "source-hostname", "sitename", "hostname"),  # news-please, trafilatura
    "url": ("source",),  # trafilatura's JSON names the page's URL "source"
}
"""Where news-please and trafilatura keep what prov's default field names hold: a field the
user did not name (``--text-field`` ...) is read from these when its default name has no value
in a row, the first with a value winning (``source`` only when it holds a URL). A row with no
id then takes its URL as its id. The empty default fields passed over (news-please's ``"text":
null``) and trafilatura's ``raw_text`` (the text again, without its line breaks) are not passed
through to the report."""
_REPEATS_TEXT = "raw_text"


class _Names(NamedTuple):
    """The field each document attribute is read from in one row."""

    id: str
    text: str
    outlet: str
    date: str
    title: str
    url: str


Fallbacks = Mapping[str, tuple[str, ...]]
"""Per document attribute the user did not name, the other field names to read it from
(``scraper_fallbacks``); ``id`` maps to () when the URL may stand in for a missing id."""


def scraper_fallbacks(fields: FieldNames) -> Fallbacks:
    """``SCRAPER_FIELDS`` for the attributes ``fields`` leaves at their default names, without
    the names the user gave to other attributes."""
    default, named = FieldNames(), set(named_fields(fields).values())
    fallbacks = {
        attr: tuple(n for n in names if n not in named)
        for attr, names in SCRAPER_FIELDS.items()
        if getattr(fields, attr) == getattr(default, attr)
    }
    if fields.id == default.id:
        fallbacks["id"] = ()
    return fallbacks


def named_fields(fields: FieldNames) -> dict[str, str]:
    """The fields the user named (``--id-field`` ...): attribute -> field name, for every
    attribute whose field name is not the default one."""
    default = FieldNames()
    return {attr: getattr(fields, attr) for attr in _Names._fields if getattr(fields, attr) != getattr(default, attr)}


def _resolve(record: dict[str, Any], fields: FieldNames, fallbacks: Fallbacks) -> tuple[_Names, set[str]]:
    """The field each attribute is read from in ``record``, and the fields left out of it."""
    names = {attr: getattr(fields, attr) for attr in _Names._fields}
    dropped = {_REPEATS_TEXT}
    for attr, alternates in fallbacks.items():
        if record.get(names[attr]) is not None:
            continue
        for name in alternates:
            value = record.get(name)
            if value is not None and (attr != "url" or name != "source" or "://" in str(value)):
                dropped.add(names[attr])  # the default field, empty
                names[attr] = name
                break
    if "id" in fallbacks and record.get(names["id"]) in (None, ""):
        dropped.add(names["id"])
        names["id"] = names["url"]
    return _Names(**names), dropped


def table_row(
    record: dict[str, Any],
    fields: FieldNames,
    source: str,
    line: int | None,
    fallbacks: Fallbacks | None = None,
    name: str | None = None,
) -> Row:
    """A record as a ``Row``: the fields ``fields`` maps as text (``stringify``; a text that is
    not a string is no text), the other fields passed through in their order, and the first
    field holding a NUL character. With ``fallbacks`` (``scraper_fallbacks``), an attribute
    whose field has no value is read from the first of its fallback fields that has one."""
    names: FieldNames | _Names = fields
    dropped: set[str] = set()
    if fallbacks:
        names, dropped = _resolve(record, fields, fallbacks)
    text = record.get(names.text)
    reserved = {names.id, names.text, names.outlet, names.date, names.title, names.url, *dropped}
    return Row(
        source=source,
        line=line,
        doc_id=stringify(record.get(names.id)),
        text=text if isinstance(text, str) else "",
        outlet=stringify(record.get(names.outlet)),
        date=stringify(record.get(names.date)),
        title=stringify(record.get(names.title)),
        url=stringify(record.get(names.url)),
        extra=tuple((str(k), stringify(v)) for k, v in record.items() if k not in reserved),
        nul_field=nul_field(record),
        name=name,
    )


def nul_field(row: dict[str, Any]) -> str | None:
    """The name of the first text field of a row that holds a NUL character, if any.

    Such a row is skipped (docs/limits.md). Nested values need no check: they become JSON text,
    in which a NUL is written as the escape ``\\u0000``.
    """
    for name, value in row.items():
        if isinstance(value, str) and NUL in value:
            return str(name)
    return None
