"""Helpers shared by the Spark tests: comparing a report with the local engine's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from provenance.records import Cluster
from provenance.report import TABLES, read_graph, read_table


def _report_rows(out: Path) -> dict[str, list[dict]]:
    return {name: read_table(out, name).to_pylist() for name in TABLES}


def _assert_same_report(got: Path, expected: Path) -> None:
    rows, expected_rows = _report_rows(got), _report_rows(expected)
    for name in TABLES:
        assert rows[name] == expected_rows[name], f"{name} differs between {got} and {expected}"
    assert read_graph(got) == read_graph(expected)


@pytest.fixture
def report_rows() -> Callable[[Path], dict[str, list[dict]]]:
    """Every table of a report (a file or a folder of parts), as rows."""
    return _report_rows


@pytest.fixture
def same_report() -> Callable[[Path, Path], None]:
    """Asserts that two reports hold the same tables, row for row, and the same graph."""
    return _assert_same_report


def _categorized_frame(spark: Any, clusters: list[Cluster]) -> Any:
    """``clusters`` as the Spark engine's categorized cluster frame holds them (a ``FrameSeq``)."""
    from provenance.engines import spark_ops as ops
    from provenance.engines.spark import FrameSeq, _collect_clusters

    categories = pa.table(
        {
            "cluster_no": pa.array([int(c.cluster_id[1:]) for c in clusters], pa.int64()),
            "category": pa.array([c.category for c in clusters], pa.string()),
            "category_reason": pa.array([c.category_reason for c in clusters], pa.string()),
            "boilerplate": pa.array([c.boilerplate for c in clusters], pa.bool_()),
        }
    )
    frame = spark._cluster_frame(clusters).join(spark._frame_of(categories, ops.ddl(categories.schema)), "cluster_no")
    return FrameSeq(frame, _collect_clusters, lambda _: len(clusters))


@pytest.fixture(scope="session")
def categorized_frame() -> Callable[[Any, list[Cluster]], Any]:
    """Makes a Spark engine's categorized cluster frame of clusters held here."""
    return _categorized_frame
