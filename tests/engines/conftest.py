"""Helpers shared by the Spark tests: comparing a report with the local engine's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
