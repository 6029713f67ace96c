"""Records <-> Arrow (provenance.arrow): every record type round-trips, and the index and Spark
layouts built on it keep their columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance import arrow
from provenance.arrow import Rows, rows_of
from provenance.engines import spark_ops as ops
from provenance.index import segments
from provenance.records import Alignment, Cluster, Credit, Document, Occurrence

DOCS = [
    Document(0, "r-1", "Reuters - Grain prices rose.", "a.sgm"),
    Document(
        1,
        "lemonde-7",
        "Élysée : « déclaration » — 東京 🌍",
        "b.jsonl:3",
        outlet="Le Monde",
        date="2 March 1987, 15:01:01.79",
        when=datetime(1987, 3, 2, 15, 1, 1, 790000, tzinfo=UTC),
    ),
    Document(2, "x", "t", "c.csv:2", title="T", url="http://x", extra=(("section", "world"), ("byline", None))),  # type: ignore[arg-type]
]


def test_document_schema_follows_the_type_hints() -> None:
    schema = arrow.DOCUMENT
    assert schema.names == ["index", "doc_id", "text", "source", "outlet", "date", "title", "url", "extra", "when"]
    assert schema.field("index").type == pa.int64() and not schema.field("index").nullable
    assert not schema.field("text").nullable
    assert schema.field("outlet").nullable
    assert schema.field("extra").type == pa.map_(pa.string(), pa.string())
    assert schema.field("when").type == pa.timestamp("us", tz="UTC") and schema.field("when").nullable


@pytest.mark.parametrize("schema", [arrow.DOCUMENT, ops.DOCUMENT_SCHEMA])
def test_documents_round_trip_with_none_metadata_empty_extra_and_non_ascii(schema: pa.Schema) -> None:
    table = arrow.to_table(DOCS, schema)
    assert table.schema == schema
    assert arrow.from_table(table, Document) == DOCS


def test_index_docs_layout_is_unchanged() -> None:
    # The on-disk DOCS schema of index version 3, written out by hand: a change needs a version bump.
    before = pa.schema(
        [
            pa.field("doc", pa.int64(), nullable=False),
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("text", pa.string(), nullable=False),
            pa.field("outlet", pa.string()),
            pa.field("date", pa.string()),
            pa.field("when", pa.timestamp("us", tz="UTC")),
            pa.field("title", pa.string()),
            pa.field("url", pa.string()),
            pa.field("source", pa.string(), nullable=False),
            pa.field("extra", pa.map_(pa.string(), pa.string())),
        ],
        metadata=segments.DOCS.metadata,
    )
    assert segments.DOCS.equals(before, check_metadata=True)
    rows = arrow.to_table(DOCS, segments.DOCS, names={"index": "doc"}).to_pylist()
    assert [segments.document_from_row(r, d.index) for r, d in zip(rows, DOCS, strict=True)] == DOCS


def test_spark_ddl_is_derived_from_the_document_schema() -> None:
    assert ops.ddl(ops.DOCUMENT_SCHEMA) == (
        "`index` bigint, `doc_id` string, `text` string, `source` string, `outlet` string, `date` string, "
        "`title` string, `url` string, `extra` string, `when` bigint"
    )


def test_documents_of_fills_missing_ids_and_sorts_by_index() -> None:
    table = pa.table({"index": [2, 0], "text": ["b", "a"]})
    assert ops.documents_of(table) == [Document(0, "", "a", ""), Document(2, "", "b", "")]


def test_alignments_occurrences_credits_and_clusters_round_trip() -> None:
    alignments = [Alignment(0, 1, 9, 2, 3, 11, 0.875, 8, 2), Alignment(1, 0, 4, 1, 10, 14, 1.0, 4, 1)]
    occurrences = [
        Occurrence("p000001", "c000001", 0, 1, 9, "cross-document"),
        Occurrence("p2", "c2", 1, 0, 4, "internal"),
    ]
    credits = [Credit(0, "AP", 0, 2, "dateline", "document", 0, 30), Credit(1, "UNNAMED", 5, 9, "footer", "line", 4, 9)]
    clusters = [Cluster("c000001", tuple(occurrences), boilerplate=True, category="stock", category_reason="é")]
    cases: list[tuple[type, Sequence[Any], pa.Schema]] = [
        (Alignment, alignments, arrow.ALIGNMENT),
        (Occurrence, occurrences, arrow.OCCURRENCE),
        (Credit, credits, arrow.CREDIT),
        (Cluster, clusters, arrow.schema_of(Cluster)),
    ]
    for cls, records, schema in cases:
        assert arrow.from_table(arrow.to_table(records, schema), cls) == records
        assert arrow.from_table(arrow.to_table([], schema), cls) == []


def test_a_hint_without_an_arrow_type_is_refused() -> None:
    from dataclasses import dataclass

    @dataclass
    class Odd:
        values: list[int]

    with pytest.raises(TypeError, match="Odd.values"):
        arrow.schema_of(Odd)


_text = st.text(st.characters(codec="utf-8"), max_size=40)
_maybe = st.none() | _text
_documents = st.builds(
    Document,
    index=st.integers(0, 2**62),
    doc_id=_text,
    text=_text,
    source=_text,
    outlet=_maybe,
    date=_maybe,
    title=_maybe,
    url=_maybe,
    extra=st.lists(st.tuples(_text, _maybe), max_size=4, unique_by=lambda p: p[0]).map(tuple),
    when=st.none() | st.datetimes(timezones=st.just(UTC)),
)


@given(st.lists(_documents, max_size=8))
def test_any_documents_round_trip(docs: list[Document]) -> None:
    for schema in (arrow.DOCUMENT, ops.DOCUMENT_SCHEMA):
        assert arrow.from_table(arrow.to_table(docs, schema), Document) == docs


# Rows: records held in columns, built when read


def test_rows_read_like_the_list_of_records_they_hold() -> None:
    records = [Alignment(d, d, d + 10, d + 1, 0, 10, 0.5 + d / 100, 10, 2) for d in range(20_000)]
    rows = rows_of(records, Alignment)
    assert isinstance(rows, Rows) and len(rows) == 20_000
    assert rows == records and records == rows and rows == tuple(records)  # noqa: SIM300 - both ways
    assert list(rows) == records  # iterated a slice at a time, over more than one slice
    assert rows[0] == records[0] and rows[-1] == records[-1] and rows[12_345] == records[12_345]
    assert rows[8_190:8_200] == records[8_190:8_200] and rows[::7_000] == records[::7_000]
    assert rows.column("doc_a").tolist() == [r.doc_a for r in records]
    assert list(rows.values(["doc_b", "similarity"])) == [(r.doc_b, r.similarity) for r in records]
    assert rows_of(rows, Alignment) is rows
    assert rows != records[:-1] and rows != [*records[:-1], records[0]]
    with pytest.raises(IndexError, match="row 20000 out of range"):
        rows[20_000]


def test_no_rows_are_an_empty_sequence() -> None:
    rows = rows_of([], Alignment)
    assert len(rows) == 0 and list(rows) == [] and rows == () and not rows
