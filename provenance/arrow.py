"""Records <-> Arrow: one schema per record type, and one generic conversion each way.

A record's Arrow schema comes from its ``dataclasses.fields`` and type hints:

- ``int`` -> ``int64``, ``float`` -> ``float64``, ``bool`` -> ``bool``, ``str`` and string
  ``Literal`` types -> ``string``, ``datetime`` -> ``timestamp[us, tz=UTC]``; ``X | None`` is
  the same type, nullable, and every other field is not nullable;
- ``tuple[tuple[str, str], ...]`` (``Document.extra``) -> ``map<string, string>`` (values
  nullable: tabular inputs give nulls);
- ``tuple[R, ...]`` of a record ``R`` -> ``list<struct>`` of ``R``'s fields.

``to_table`` and ``from_table`` work against any schema whose columns are the record's fields
(renamed with ``names``, in any order): the index, the Spark engine and the report each keep
their own layout. Where a layout stores a field in another Arrow type, the conversion follows
the column's type: pairs stored in a ``string`` column are JSON (how Spark carries ``extra``), a
datetime stored in an ``int64`` column is microseconds since 1970 UTC (how Spark carries
``Document.when``, untouched by its session time zone). Datetimes read back are in UTC.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

from provenance.corpus import ListLike
from provenance.records import Alignment, Credit, Document, Occurrence

R = TypeVar("R")

_PAIRS = tuple[tuple[str, str], ...]
_SCALARS: dict[Any, pa.DataType] = {
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    str: pa.string(),
    datetime: pa.timestamp("us", tz="UTC"),
}


def _split_optional(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, ``(hint, False)`` otherwise."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _record_of(hint: Any) -> type | None:
    """``R`` when ``hint`` is ``tuple[R, ...]`` of a dataclass ``R``."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is not tuple or len(args) != 2 or args[1] is not Ellipsis:
        return None
    return args[0] if dataclasses.is_dataclass(args[0]) and isinstance(args[0], type) else None


def _arrow_type(hint: Any, owner: type, name: str) -> tuple[pa.DataType, bool]:
    hint, nullable = _split_optional(hint)
    if hint == _PAIRS:
        return pa.map_(pa.string(), pa.string()), True
    if hint in _SCALARS:
        return _SCALARS[hint], nullable
    if typing.get_origin(hint) is typing.Literal and all(isinstance(a, str) for a in typing.get_args(hint)):
        return pa.string(), nullable
    nested = _record_of(hint)
    if nested is not None:
        return pa.list_(pa.struct(list(schema_of(nested)))), nullable
    raise TypeError(f"{owner.__name__}.{name}: no Arrow type for {hint!r}; add one to provenance.arrow")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def schema_of(
    cls: type,
    *,
    names: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    stored_as: Mapping[str, pa.DataType] | None = None,
    metadata: Mapping[bytes, bytes] | None = None,
) -> pa.Schema:
    """The Arrow schema of record type ``cls`` (a dataclass), derived from its type hints.

    ``names`` renames fields (field -> column); ``order`` lists the columns (after renaming) in
    the order wanted, and defaults to the fields' order; ``stored_as`` replaces a field's Arrow type
    (keyed by field name, nullable then). Raises ``TypeError`` for a hint with no Arrow type.
    """
    names = names or {}
    fields = []
    for f in dataclasses.fields(cls):
        kind, nullable = _arrow_type(_hints(cls)[f.name], cls, f.name)
        if stored_as and f.name in stored_as:
            kind, nullable = stored_as[f.name], True
        fields.append(pa.field(names.get(f.name, f.name), kind, nullable=nullable))
    if order is not None:
        by_name = {f.name: f for f in fields}
        fields = [by_name[n] for n in order]
    return pa.schema(fields, metadata=metadata)


# --- value conversions that depend on the field and the column type -------------------------


def pairs_json(pairs: tuple[tuple[str, str], ...]) -> str | None:
    """Pass-through pairs as the JSON a ``string`` column holds (null when there are none)."""
    return json.dumps([list(pair) for pair in pairs], ensure_ascii=False) if pairs else None


def _pairs_from_json(text: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in json.loads(text)) if text else ()


def _pairs_from_map(items: list[tuple[str, str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple(items or ())


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(when: datetime | None) -> int | None:
    """A datetime as microseconds since 1970 UTC (a naive one taken as UTC), as an ``int64``
    column holds it; None stays None."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(microseconds=1)


def from_micros(value: int | None) -> datetime | None:
    """The UTC datetime of microseconds since 1970 (``micros``' inverse); None stays None."""
    return None if value is None else _EPOCH + timedelta(microseconds=value)


def _in_utc(value: datetime | None) -> datetime | None:
    # Arrow gives the column's zone (Spark: the session's; none: UTC already); records hold UTC.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _converters(hint: Any, kind: pa.DataType) -> tuple[Callable | None, Callable | None]:
    """``(to Arrow, from Arrow)`` value converters of a field stored as ``kind`` (None: as is)."""
    hint, _ = _split_optional(hint)
    if hint is datetime:
        if pa.types.is_integer(kind):
            return micros, from_micros
        return None, _in_utc
    if hint == _PAIRS:
        if pa.types.is_string(kind):
            return pairs_json, _pairs_from_json
        return list, _pairs_from_map
    nested = _record_of(hint)
    if nested is not None:
        getters = [(f.name, attrgetter(f.name)) for f in dataclasses.fields(nested)]

        def to_rows(records: tuple) -> list[dict]:
            return [{name: get(r) for name, get in getters} for r in records]

        def from_rows(rows: list[dict] | None, cls: type = nested) -> tuple:
            return tuple(cls(**row) for row in rows or ())

        return to_rows, from_rows
    return None, None


def to_table(
    records: Sequence[Any],
    schema: pa.Schema,
    *,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> pa.Table:
    """The records as a table of ``schema``: each column is the record field of that name
    (``names`` maps field -> column), or the column given in ``values`` (a list or an array,
    one value per record), which wins over the field.

    Raises ``KeyError`` for a column that is neither a field nor in ``values``.
    """
    values = values or {}
    field_of = {column: field for field, column in (names or {}).items()}
    columns = []
    cls = type(records[0]) if records else None
    for target in schema:
        if target.name in values:
            columns.append(pa.array(values[target.name], target.type))
            continue
        name = field_of.get(target.name, target.name)
        if cls is None:
            columns.append(pa.array([], target.type))
            continue
        to_arrow, _ = _converters(_hints(cls)[name], target.type)
        get = attrgetter(name)
        column = [get(r) for r in records]
        if to_arrow is not None:
            column = [to_arrow(v) for v in column]
        columns.append(pa.array(column, target.type))
    return pa.Table.from_arrays(columns, schema=schema)


def from_table(
    table: pa.Table | pa.RecordBatch,
    cls: type[R],
    *,
    names: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> list[R]:
    """Records of type ``cls`` from the rows of ``table``, in row order.

    Each field is read from its column (``names`` maps field -> column); a field whose column
    is missing takes ``defaults[field]`` or the dataclass default, and a null in a column named
    in ``defaults`` takes that default too. Raises ``KeyError`` for a required field with no
    column and no default.
    """
    names = names or {}
    defaults = defaults or {}
    n = table.num_rows
    present = set(table.schema.names)
    columns: list[list[Any]] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        column_name = names.get(f.name, f.name)
        if column_name not in present:
            if f.name in defaults:
                columns.append([defaults[f.name]] * n)
            elif f.default is not dataclasses.MISSING:
                columns.append([f.default] * n)
            else:
                raise KeyError(f"{cls.__name__}.{f.name}: no column {column_name!r} and no default")
            continue
        column = table.column(column_name)
        column_values = column.to_pylist()
        _, from_arrow = _converters(_hints(cls)[f.name], column.type)
        if from_arrow is not None:
            column_values = [from_arrow(v) for v in column_values]
        if f.name in defaults:
            fill = defaults[f.name]
            column_values = [fill if v is None else v for v in column_values]
        columns.append(column_values)
    return [cls(*row) for row in zip(*columns, strict=True)]


class Rows(ListLike[R]):
    """Records of one type held as the rows of an Arrow table of their own schema
    (``schema_of(cls)``), each built when read: a ``Sequence`` of ``cls`` that holds no record
    (an ``Alignment`` is 300 bytes as an object, 72 in columns; a graph edge 235 and about 60).
    ``table`` is the table itself; ``column`` a numeric field of every row as an array, and
    ``values`` some fields of each row as Arrow gives them. Compares like a list of its records.
    """

    what = "row"
    _SLICE = 8_192  # rows made records at once when iterating

    def __init__(self, table: pa.Table, cls: type[R]) -> None:
        self.table, self.cls = table, cls

    def __len__(self) -> int:
        return self.table.num_rows

    def _item(self, i: int) -> R:
        return from_table(self.table.slice(i, 1), self.cls)[0]

    def _items(self, start: int, stop: int, step: int) -> list[R]:
        if step != 1:
            return super()._items(start, stop, step)
        return from_table(self.table.slice(start, max(stop - start, 0)), self.cls)

    def __iter__(self) -> Iterator[R]:
        for at in range(0, len(self), self._SLICE):
            yield from from_table(self.table.slice(at, self._SLICE), self.cls)

    def values(self, fields: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Fields ``fields`` of each row, in order, as Arrow gives them (no record built, no
        conversion: for fields held as they are, strings, numbers and booleans): a third of the
        time of reading the records for a graph's edges."""
        for at in range(0, len(self), self._SLICE):
            part = self.table.slice(at, self._SLICE)
            yield from zip(*(part.column(f).to_pylist() for f in fields), strict=True)

    def column(self, field: str) -> np.ndarray:
        """Field ``field`` of every row, as a numpy array (numbers without nulls)."""
        return self.table.column(field).to_numpy()

    def __repr__(self) -> str:
        return f"Rows({self.cls.__name__}, {len(self)} rows)"


def rows_of(records: Sequence[R], kind: type[R]) -> Rows[R]:
    """``records`` as ``Rows`` of ``kind`` (as they are when they already are)."""
    if isinstance(records, Rows) and records.cls is kind:
        return records
    return Rows(to_table(records, schema_of(kind)), kind)


_PLANS: dict[tuple, list[tuple[str, str, Callable | None]]] = {}


def _row_plan(
    cls: type, schema: pa.Schema, names: tuple[tuple[str, str], ...]
) -> list[tuple[str, str, Callable | None]]:
    key = (cls, schema, names)
    if key in _PLANS:
        return _PLANS[key]
    renamed = dict(names)
    plan = []
    for f in dataclasses.fields(cls):
        column = renamed.get(f.name, f.name)
        _, from_arrow = _converters(_hints(cls)[f.name], schema.field(column).type)
        plan.append((f.name, column, from_arrow))
    _PLANS[key] = plan
    return plan


def from_row(row: Mapping[str, Any], cls: type[R], schema: pa.Schema, *, names: Mapping[str, str] | None = None) -> R:
    """One record of type ``cls`` from a row of ``schema`` as ``Table.to_pylist`` gives it
    (``names`` maps field -> column). Raises ``KeyError`` for a field with no column."""
    values = {}
    for name, column, from_arrow in _row_plan(cls, schema, tuple(sorted((names or {}).items()))):
        value = row[column]
        values[name] = from_arrow(value) if from_arrow is not None else value
    return cls(**values)


DOCUMENT = schema_of(Document)
"""A ``Document`` per row, its fields as columns (``extra`` a map)."""

ALIGNMENT = schema_of(Alignment)
"""An ``Alignment`` per row."""

OCCURRENCE = schema_of(Occurrence)
"""An ``Occurrence`` per row."""

CREDIT = schema_of(Credit)
"""A ``Credit`` per row."""
