"""The Spark engine's cluster stage holds the alignments in columns on the driver: the helpers
that collect and replace them keep the local engine's order (no JVM needed here)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from provenance.arrow import rows_of
from provenance.engines import spark_ops as ops
from provenance.engines.spark import _alignment_rows, _replaced
from provenance.records import Alignment


def al(a: int, b: int, start: int) -> Alignment:
    return Alignment(a, start, start + 50, b, start + 10, start + 60, 0.9, 50, 9)


def test_a_list_of_alignments_becomes_its_rows_in_order() -> None:
    alignments = [al(1, 2, 0), al(0, 3, 5), al(1, 2, 100)]
    assert list(_alignment_rows(alignments)) == alignments


def _pieces(found: dict[int, list[Alignment]]) -> pa.Table:
    rows = [(i, p, x) for i in sorted(found) for p, x in enumerate(found[i])]
    table = rows_of([x for _, _, x in rows], Alignment).table
    return (
        table.add_column(0, "piece", pa.array([p for _, p, _ in rows], pa.int32()))
        .add_column(0, "i", pa.array([i for i, _, _ in rows], pa.int64()))
        .select(ops.RETEXT_SCHEMA.names)
    )


@given(st.data())
def test_replaced_puts_each_rows_pieces_in_its_place(data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 12))
    alignments = [al(i % 3, 3 + i % 2, 100 * i) for i in range(n)]
    positions = data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=n)) if n else set()
    found = {
        i: [al(9, 10, 1000 * i + k) for k in range(data.draw(st.integers(0, 3), label=f"pieces of {i}"))]
        for i in sorted(positions)
    }
    got = list(_replaced(rows_of(alignments, Alignment), _pieces({i: f for i, f in found.items() if f}), positions))
    expected = [x for i, a in enumerate(alignments) for x in (found[i] if i in positions else [a])]
    assert got == expected
