"""--since, --until and --outlet: the documents kept after reading, recorded in the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from provenance.errors import ConfigError
from provenance.filters import FilterConfig, keep_documents
from provenance.records import Document

FEED = Path(__file__).parents[2] / "fixtures" / "newswire" / "feed.jsonl"


pytestmark = pytest.mark.usefixtures("in_tmp")


def scan(runner, *options: str, out: str = "report"):
    return runner("scan", FEED, "--out", out, "-q", *options)


def kept(out: str = "report") -> list[str]:
    return [row["doc_id"] for row in pq.read_table(Path(out) / "documents.parquet").to_pylist()]


def manifest(out: str = "report") -> dict:
    return json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))


def test_since_and_until_are_inclusive_days(runner) -> None:
    result = scan(runner, "--since", "2024-05-28", "--until", "2024-05-28")
    assert result.exit_code == 0, result.output
    assert kept() == [
        "herald-2024-05-28-cyclone",
        "sentinel-2024-05-28-cyclone",
        "tribune-2024-05-28-camps",
        "post-2024-05-28-kolkata",
        "ap-2024-05-28-toll",
    ]
    run = manifest()
    assert run["parameters"]["filters"] == {"since": "2024-05-28", "until": "2024-05-28", "outlets": []}
    assert (run["counts"]["documents"], run["counts"]["filtered_out"]) == (5, 7)


def test_a_date_time_bound_is_an_instant(runner) -> None:
    # Dates without a time are midnight UTC: an instant after it leaves that day's documents out.
    assert scan(runner, "--since", "2024-05-29T00:00:01Z").exit_code == 0
    assert all(doc_id.split("-")[1:4] >= ["2024", "05", "29"] for doc_id in kept())
    assert "gazette-2024-05-29-cyclone" not in kept()
    assert scan(runner, "--until", "2024-05-27T00:00", out="r2").exit_code == 0
    assert kept("r2") == ["ap-2024-05-27-cyclone", "reuters-2024-05-27-kolkata"]


def test_outlet_is_repeatable_and_case_insensitive(runner) -> None:
    assert scan(runner, "--outlet", "ap", "--outlet", "HARBOUR COURIER").exit_code == 0
    assert kept() == [
        "ap-2024-05-27-cyclone",
        "ap-2024-05-28-toll",
        "courier-2024-05-29-ferries",
        "courier-2024-05-30-council",
    ]
    assert manifest()["parameters"]["filters"]["outlets"] == ["ap", "HARBOUR COURIER"]


def test_kept_documents_are_indexed_densely() -> None:
    docs = [Document(i, f"d{i}", "text", "s", outlet=o) for i, o in enumerate(["A", "B", "A", None, "a"])]
    result, dropped = keep_documents(docs, FilterConfig(outlets=("A",)))
    assert [(d.index, d.doc_id) for d in result] == [(0, "d0"), (1, "d2"), (2, "d4")] and dropped == 2


def test_undated_documents_are_left_out_by_a_date_filter() -> None:
    docs = [Document(0, "d0", "text", "s")]
    assert keep_documents(docs, FilterConfig(since="2024-01-01")) == ([], 1)
    assert keep_documents(docs, FilterConfig()) == (docs, 0)


def test_a_rerun_with_other_filters_is_refused_without_force(runner) -> None:
    assert scan(runner, "--outlet", "AP").exit_code == 0
    refused = scan(runner, "--outlet", "Reuters")
    assert refused.exit_code != 0 and "--force" in refused.stderr
    assert kept() == ["ap-2024-05-27-cyclone", "ap-2024-05-28-toll"]
    assert scan(runner, "--outlet", "Reuters", "--force").exit_code == 0
    assert kept() == ["reuters-2024-05-27-kolkata"]


def test_filters_that_keep_nothing_are_a_one_line_error(runner) -> None:
    result = scan(runner, "--outlet", "The Onion")
    assert result.exit_code == 2
    assert result.stderr == (
        f"prov: error: no document left after --since/--until/--outlet: 12 read from {FEED}, all filtered out\n"
    )
    assert not Path("report").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--since", "last week"],
            "prov: error: --since 'last week' is not a date; give an ISO date (2017-03-07) or date-time "
            "(2017-03-07T09:30)\n",
        ),
        (
            ["--since", "2024-05-30", "--until", "2024-05-28"],
            "prov: error: --since 2024-05-30 is after --until 2024-05-28; nothing could be kept\n",
        ),
        (["--outlet", " "], "prov: error: --outlet must name an outlet, got an empty one\n"),
    ],
)
def test_bad_filters_are_one_line_errors(runner, options: list[str], message: str) -> None:
    result = scan(runner, *options)
    assert (result.exit_code, result.stderr) == (2, message)
    assert not Path("report").exists()


def test_filter_config_checks_its_bounds() -> None:
    with pytest.raises(ConfigError, match="is not a date"):
        FilterConfig(until="30/05/2024")
