"""``prov graph REPORT``: the summary of a report's provenance graph, its GraphML and GEXF
exports, and one-line errors for folders that are not reports."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest

NEWSWIRE = Path(__file__).parents[2] / "fixtures" / "newswire" / "feed.jsonl"


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def seeds_report(runner, seeds_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "seeds-report"
    result = runner("scan", seeds_dir, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def newswire_report(runner, tmp_path: Path) -> Path:
    out = tmp_path / "newswire-report"
    result = runner("scan", NEWSWIRE, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    return out


def one_line_error(result, *parts: str) -> None:
    """A failed command: non-zero exit, one line on stderr naming ``parts``, no traceback."""
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith("prov: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    for part in parts:
        assert part in result.stderr


# The summary


def test_the_summary_counts_nodes_and_edges_and_names_the_agencies(runner, seeds_report: Path) -> None:
    result = runner("graph", seeds_report)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    nodes = pq.read_table(seeds_report / "nodes.parquet").num_rows
    edges = pq.read_table(seeds_report / "edges.parquet").num_rows
    flat = " ".join(result.stdout.split())  # rich wraps lines at the terminal width
    assert flat.startswith(f"{nodes} nodes (")
    assert f"{edges} edges (" in flat
    assert "Agencies by attributed reused copy" in result.stdout
    assert "AP" in result.stdout
    assert "Wrote" not in result.stdout  # nothing was asked to be written


def test_the_summary_lists_who_likely_copied_whom(runner, newswire_report: Path) -> None:
    result = runner("graph", newswire_report)
    assert result.exit_code == 0, result.output
    assert "Likely copied from (earlier -> later)" in result.stdout
    assert "reuters-2024-05-27-kolkata" in result.stdout
    for agency in ("AP", "Reuters", "AFP"):
        assert agency in result.stdout


def test_top_limits_the_summary_tables(runner, newswire_report: Path) -> None:
    full = runner("graph", newswire_report)
    short = runner("graph", newswire_report, "--top", "1")
    assert short.exit_code == 0
    assert "AFP" in full.stdout and "AFP" not in short.stdout  # AP supplied the most, then Reuters, then AFP
    assert len(short.stdout.splitlines()) < len(full.stdout.splitlines())


# Exports


@pytest.mark.parametrize("quiet", [False, True], ids=["summary", "quiet"])
def test_graphml_and_gexf_are_written_and_load_in_networkx(runner, seeds_report: Path, quiet: bool) -> None:
    args = ["--graphml", "mosul.graphml", "--gexf", "mosul.gexf"] + (["--quiet"] if quiet else [])
    result = runner("graph", seeds_report, *args)
    assert result.exit_code == 0, result.output
    if quiet:
        assert result.output == ""
    else:
        assert "Wrote mosul.graphml" in result.stdout
        assert "Wrote mosul.gexf" in result.stdout
    nodes = pq.read_table(seeds_report / "nodes.parquet").to_pylist()
    edges = pq.read_table(seeds_report / "edges.parquet").to_pylist()
    for graph in (nx.read_graphml("mosul.graphml"), nx.read_gexf("mosul.gexf")):
        assert set(graph.nodes) == {n["node_id"] for n in nodes}
        assert graph.number_of_edges() == len(edges)
        assert graph.nodes["agency:AP"]["kind"] == "agency"
        assert {d["kind"] for _, _, d in graph.edges(data=True)} == {e["kind"] for e in edges}


def test_the_exports_equal_the_scans_own_graph_files(runner, seeds_report: Path) -> None:
    result = runner("graph", seeds_report, "--graphml", "again.graphml", "--gexf", "again.gexf", "--quiet")
    assert result.exit_code == 0, result.output
    assert Path("again.graphml").read_bytes() == (seeds_report / "graph.graphml").read_bytes()
    assert Path("again.gexf").read_bytes() == (seeds_report / "graph.gexf").read_bytes()


# Errors


def test_a_folder_that_is_not_a_report_is_a_one_line_error(runner, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "story.txt").write_text("Not a report.", encoding="utf-8")
    result = runner("graph", folder, "--graphml", "out.graphml")
    one_line_error(result, str(folder), "not a prov report")
    assert not Path("out.graphml").exists()


def test_a_missing_folder_is_a_one_line_error(runner, tmp_path: Path) -> None:
    result = runner("graph", tmp_path / "no-such-report")
    one_line_error(result, "no-such-report")


def test_a_file_instead_of_a_folder_is_a_one_line_error(runner, seeds_report: Path) -> None:
    result = runner("graph", seeds_report / "edges.parquet")
    one_line_error(result, "edges.parquet")


def test_a_report_without_its_graph_tables_is_a_one_line_error(runner, seeds_report: Path) -> None:
    (seeds_report / "edges.parquet").unlink()
    result = runner("graph", seeds_report)
    one_line_error(result, "edges.parquet")


@pytest.mark.parametrize("option", ["--graphml", "--gexf"])
def test_an_export_into_a_missing_folder_is_a_one_line_error(runner, seeds_report: Path, option: str) -> None:
    # The writer's FileNotFoundError must become a one-line error, not a traceback.
    result = runner("graph", seeds_report, option, Path("no-such-folder") / "graph.xml")
    one_line_error(result, "no-such-folder")
