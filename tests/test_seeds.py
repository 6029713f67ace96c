"""`prov scan seeds/` against the hand-made truth, ``benchmarks/seeds_truth.json``, exactly.

Each truth occurrence, each truth group and each seed document is its own test case. Where
today's scan is known to differ from the truth, that case is a strict ``xfail`` whose reason
says what the scan reports instead: it shows until the detector is fixed, and turns red the
day it passes so that the mark comes off. Nothing here restates the scan's own output.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).parents[1]
TRUTH_FILE = ROOT / "benchmarks" / "seeds_truth.json"
TRUTH = json.loads(TRUTH_FILE.read_text(encoding="utf-8"))
SEEDS = (TRUTH_FILE.parent / TRUTH["corpus"]).resolve()  # the truth names its corpus relative to itself
DOCS = sorted(p.name for p in SEEDS.glob("*.txt"))

Occurrence = tuple[str, int, int]  # doc_id, start, end (characters, end exclusive)

GROUPS: dict[str, list[Occurrence]] = defaultdict(list)
for _row in TRUTH["passages"]:
    GROUPS[_row["group"]].append((_row["doc_id"], _row["start"], _row["end"]))
TRUTH_BY_DOC: dict[str, set[tuple[int, int]]] = {doc: set() for doc in DOCS}
for _doc, _start, _end in (occ for occs in GROUPS.values() for occ in occs):
    TRUTH_BY_DOC[_doc].add((_start, _end))

# Known misses of today's scan, one reason each; keys as the test ids below.
# Cases today's scan gets wrong, as strict xfails with the reason (none at present: the
# aligner now cuts edge fragments across breaks, issue 9). Keep the shape for the next miss.
KNOWN_MISSES: dict[str, dict[str, str]] = {"occurrence": {}, "group": {}, "document": {}}


def case(kind: str, case_id: str, *values: object) -> object:
    """One parameter set, marked strict xfail when ``KNOWN_MISSES`` lists it.

    Only a failed assertion counts as the known miss: a scan that crashes is an error.
    """
    reason = KNOWN_MISSES[kind].get(case_id)
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)] if reason else []
    return pytest.param(*values, id=case_id, marks=marks)


def file_text(doc_id: str) -> str:
    """A seed file as UTF-8 text, read without prov and without newline translation."""
    return (SEEDS / doc_id).read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def passages(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    from prov_cli.main import app
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(app, ["scan", str(SEEDS), "--out", str(out), "--quiet"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code != 0:
        pytest.fail(f"prov scan seeds/ exited with {result.exit_code}: {result.output}")  # not an xfail
    return pq.read_table(out / "passages.parquet").to_pylist()


def reported_in(passages: list[dict], doc_id: str, start: int, end: int) -> list[tuple[int, int]]:
    """The reported spans of ``doc_id`` that overlap ``[start, end)``."""
    return sorted(
        (p["start"], p["end"]) for p in passages if p["doc_id"] == doc_id and p["start"] < end and start < p["end"]
    )


def test_the_truth_is_the_text_of_the_seed_files() -> None:
    assert TRUTH["passages"], "the seeds truth lists no passages"
    for row in TRUTH["passages"]:
        assert file_text(row["doc_id"])[row["start"] : row["end"]] == row["text"], row


def test_every_reported_text_is_the_seed_file_at_its_offsets(passages: list[dict]) -> None:
    assert passages
    for p in passages:
        assert file_text(p["doc_id"])[p["start"] : p["end"]] == p["text"], p


@pytest.mark.parametrize(
    ("doc_id", "start", "end"),
    [case("occurrence", f"{g}/{d[:3]}@{s}", d, s, e) for g, occs in GROUPS.items() for d, s, e in occs],
)
def test_each_truth_occurrence_is_reported_with_its_exact_offsets(
    passages: list[dict], doc_id: str, start: int, end: int
) -> None:
    assert reported_in(passages, doc_id, start, end) == [(start, end)]


@pytest.mark.parametrize("group", [case("group", g, g) for g in GROUPS])
def test_each_truth_group_is_one_cluster_of_exactly_its_occurrences(passages: list[dict], group: str) -> None:
    truth = sorted(GROUPS[group])
    clusters = {
        p["cluster_id"]
        for p in passages
        for doc_id, start, end in truth
        if p["doc_id"] == doc_id and p["start"] < end and start < p["end"]
    }
    assert len(clusters) == 1, clusters
    members = [p for p in passages if p["cluster_id"] in clusters]
    assert sorted((p["doc_id"], p["start"], p["end"]) for p in members) == truth
    # A group found in several documents is cross-document reuse; one found in a single
    # document is that document repeating itself.
    expected_kind = "cross-document" if len({doc for doc, _, _ in truth}) > 1 else "internal"
    assert {p["kind"] for p in members} == {expected_kind}


@pytest.mark.parametrize("doc_id", [case("document", d[:3], d) for d in DOCS])
def test_nothing_is_reported_outside_the_truth(passages: list[dict], doc_id: str) -> None:
    # 002 and 003 share only stock phrases ("said in a statement", "according to") with the
    # others, and the truth lists nothing in them: any passage there is a false positive.
    reported = {(p["start"], p["end"]) for p in passages if p["doc_id"] == doc_id}
    assert reported - TRUTH_BY_DOC[doc_id] == set()
