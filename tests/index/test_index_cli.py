"""``prov index`` and ``prov query`` end to end: agreement with ``prov scan``, a writer killed
mid-add, readers during a write, and what the user sees."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from prov_cli.index import index_app
from typer.main import get_command

from provenance.index import PAUSE_ENV, open_index
from provenance.index.manifest import MANIFEST, SEGMENTS
from provenance.index.segments import segment_files
from provenance.report import TABLES

from .conftest import SEED_IDS, SEEDS, many_rows

ALIGNMENT_COLUMNS = ["doc_a", "a_start", "a_end", "doc_b", "b_start", "b_end", "similarity", "matched_chars"]
F = "followup.txt"


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def index(runner) -> Path:
    result = runner("index", "add", SEEDS, "--index", "ix")
    assert result.exit_code == 0, result.output
    return Path("ix")


def alignments_with(report: Path, doc_id: str) -> list[tuple]:
    rows = pq.read_table(report / "alignments.parquet").to_pylist()
    return sorted(tuple(r[c] for c in ALIGNMENT_COLUMNS) for r in rows if doc_id in (r["doc_a"], r["doc_b"]))


def passages_of(report: Path, doc_id: str) -> list[tuple]:
    rows = pq.read_table(report / "passages.parquet").to_pylist()
    return sorted((r["start"], r["end"], r["text"], r["kind"]) for r in rows if r["doc_id"] == doc_id)


def committed_files(root: Path) -> set[str]:
    snap = open_index(root)
    return {p.name for s in snap.manifest.segments for p in segment_files(root, s.name)}


# --- agreement with prov scan -------------------------------------------------------------------


@pytest.mark.parametrize("bucket", [[], ["--max-bucket", "2"]], ids=["default", "capped-buckets"])
def test_a_query_agrees_with_a_scan_of_the_index_and_the_new_document_together(
    runner, index, followup, bucket: list[str]
) -> None:
    # With --max-bucket 2 many buckets overflow and are chained: the chains must match too.
    query = runner("query", followup, "--index", index, "--out", "q", "--quiet", *bucket)
    assert query.exit_code == 0, query.output
    scan = runner("scan", SEEDS, followup, "--out", "s", "--quiet", "--workers", "1", *bucket)
    assert scan.exit_code == 0, scan.output
    in_query, in_scan = alignments_with(Path("q"), F), alignments_with(Path("s"), F)
    assert in_query == in_scan
    assert {r[0] for r in in_query} == {SEED_IDS[0], SEED_IDS[1], SEED_IDS[3], F}  # three sources and itself
    assert passages_of(Path("q"), F) == passages_of(Path("s"), F)
    # its own paragraph of 000, the caption of 000 twice, the edited paragraph of 001, a paragraph
    # of 003; and inside each caption copy the 10 words it shares with 001's caption (that
    # shared text is a cluster of its own, as benchmarks/seeds_truth.json groups it)
    assert len(passages_of(Path("q"), F)) == 7


def test_the_query_report_has_the_scan_schema_and_marks_new_and_indexed_documents(runner, index, followup) -> None:
    assert runner("query", followup, "--index", index, "--out", "q", "--quiet").exit_code == 0
    report = Path("q")
    for name, schema in TABLES.items():
        table = pq.read_table(report / f"{name}.parquet")
        assert table.schema.names[: len(schema.names)] == schema.names
    docs = pq.read_table(report / "documents.parquet").to_pylist()
    assert [(d["doc_id"], d["query_role"]) for d in docs] == [
        (SEED_IDS[0], "indexed"), (SEED_IDS[1], "indexed"), (SEED_IDS[3], "indexed"), (F, "new"),
    ]  # fmt: skip
    manifest = json.loads((report / "manifest.json").read_text())
    assert manifest["query"]["index_documents"] == 5 and manifest["query"]["new_documents"] == 1
    assert manifest["parameters"]["detect"]["bands"] == 3
    texts = {d.name: d.read_text(encoding="utf-8") for d in SEEDS.glob("*.txt")} | {F: Path("new", F).read_text()}
    for p in pq.read_table(report / "passages.parquet").to_pylist():
        assert texts[p["doc_id"]][p["start"] : p["end"]] == p["text"]


def test_querying_documents_the_index_holds_gives_each_node_once(runner, index) -> None:
    # The indexed seeds and the same seeds queried again share their ids: one node each, in
    # the nodes table and in the graph files (GraphML allows a node id once).
    assert runner("query", SEEDS, "--index", index, "--out", "q", "--quiet").exit_code == 0
    nodes = pq.read_table(Path("q", "nodes.parquet")).column("node_id").to_pylist()
    assert len(nodes) == len(set(nodes)) and {f"doc:{i}" for i in SEED_IDS} <= set(nodes)
    graphml = Path("q", "graph.graphml").read_text(encoding="utf-8")
    assert graphml.count("<node ") == len(nodes)
    edges = pq.read_table(Path("q", "edges.parquet")).to_pylist()
    assert edges and all(e["source"] in nodes and e["target"] in nodes for e in edges)


def test_the_terminal_table_shows_both_spans_similarity_and_origin(runner, index, followup) -> None:
    result = runner("query", followup, "--index", index, "--out", "q", env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1 new documents queried against 5 indexed: 1 reuse text of 3 indexed documents" in out
    assert "143-670" in out and "1076-1603" in out and "1.00" in out
    assert f"{F} (new)" in out  # the caption it repeats inside itself
    assert "Report: q" in out


def test_querying_again_replaces_the_report_and_another_run_needs_force(runner, index, followup) -> None:
    assert runner("query", followup, "--index", index, "--out", "q", "--quiet").exit_code == 0
    assert runner("query", followup, "--index", index, "--out", "q", "--quiet").exit_code == 0
    other = runner("query", followup, "--index", index, "--out", "q", "--min-words", "20", "--quiet")
    assert other.exit_code == 1 and "--force" in other.stderr


# --- incremental add, deletion, parameters ----------------------------------------------------------


def test_index_add_is_incremental_and_skips_what_it_has(runner, index, followup) -> None:
    first = committed_files(index)
    result = runner("index", "add", followup, SEEDS, "--index", index)
    assert result.exit_code == 0, result.output
    assert "Added 1 document " in result.stdout and "5 already indexed, skipped" in result.stdout
    assert first < committed_files(index)
    assert open_index(index).manifest.documents == 6


def test_index_delete_then_query_no_longer_reports_the_document(runner, index, followup) -> None:
    result = runner("index", "delete", "--index", index, SEED_IDS[0], "missing.txt")
    assert result.exit_code == 0, result.output
    assert "Deleted 1 document; 1 not in the index (missing.txt)" in result.stdout
    assert runner("query", followup, "--index", index, "--out", "q", "--quiet").exit_code == 0
    assert SEED_IDS[0] not in {r[0] for r in alignments_with(Path("q"), F)}
    Path("ids.txt").write_text(f"{SEED_IDS[1]}\n\n{SEED_IDS[3]}\n")
    assert runner("index", "delete", "--index", index, "--ids-from", "ids.txt", "-q").exit_code == 0
    compacted = runner("index", "compact", "--index", index)
    assert "purged 3 deleted documents" in compacted.stdout
    assert runner("query", followup, "--index", index, "--out", "q2", "--quiet").exit_code == 0
    assert {r[0] for r in alignments_with(Path("q2"), F)} == {F}


def test_index_delete_needs_ids(runner, index) -> None:
    result = runner("index", "delete", "--index", index)
    assert result.exit_code == 2
    assert result.stderr == "prov: error: no document ids given; name them or pass --ids-from FILE\n"


def test_incompatible_parameters_are_a_one_line_error_and_change_nothing(runner, index, followup) -> None:
    before = (index / MANIFEST).read_bytes()
    result = runner("index", "add", followup, "--index", index, "--window", "10")
    assert result.exit_code == 1
    assert result.stderr == (
        "prov: error: ix: index built with other sketching parameters: window_words 8 (given 10); "
        "omit those options to use the index's, or build a new index\n"
    )
    result = runner("query", followup, "--index", index, "--seed", "9", "--out", "q")
    assert result.exit_code == 1 and "seed 1 (given 9)" in result.stderr
    assert (index / MANIFEST).read_bytes() == before and not Path("q").exists()
    # the index's own parameters, given explicitly, are fine
    assert (
        runner("index", "add", followup, "--index", index, "--window", "8", "--bands", "3", "--rows", "5").exit_code
        == 0
    )


def test_a_new_index_takes_the_parameters_given(runner, followup) -> None:
    result = runner("index", "add", SEEDS, "--index", "wide", "--window", "12", "--num-perm", "32", "-q")
    assert result.exit_code == 0, result.output
    params = open_index(Path("wide")).parameters
    assert (params.window_words, params.num_perm) == (12, 32)
    assert runner("query", followup, "--index", "wide", "--out", "q", "-q").exit_code == 0


def test_query_and_info_on_a_folder_that_is_no_index(runner, followup) -> None:
    for args in (["query", followup, "--index", "nowhere"], ["index", "info", "--index", "nowhere"]):
        result = runner(*args)
        assert result.exit_code == 1
        assert result.stderr == (
            "prov: error: nowhere: not a prov index (no such folder); "
            "create it with `prov index add PATH... --index nowhere`\n"
        )


def test_index_info_shows_parameters_and_counts(runner, index) -> None:
    result = runner("index", "info", "--index", index, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ix: 5 documents (0 deleted, not yet compacted), 1 segment, " in result.stdout
    assert "shingle size 3, window 8, 16 permutations, seed 1, 3 bands x 5 rows" in result.stdout


def test_a_busy_index_is_a_clear_error(runner, index, followup) -> None:
    from provenance.index.store import write_lock

    with write_lock(index):
        result = runner("index", "add", followup, "--index", index)
    assert result.exit_code == 1
    assert "another process is writing to this index; wait for it to finish (or pass --wait SECONDS)" in result.stderr


@pytest.mark.parametrize("name", ["add", "delete", "compact", "info"])
def test_every_index_command_has_help_naming_its_options(runner, name: str) -> None:
    command = get_command(index_app).commands[name]
    assert command.help and command.help.strip()
    result = runner("index", name, "--help")
    assert result.exit_code == 0
    assert f"Usage: prov index {name} [OPTIONS]" in result.stdout
    for param in command.params:
        assert (getattr(param, "help", None) or "").strip(), f"{name}: {param.name} has no help"
        for opt in param.opts:
            if opt.startswith("--"):
                assert opt in result.stdout


# --- a writer killed mid-add -----------------------------------------------------------------------


def spawn_add(paths: list[Path], root: Path, pause: float | None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop(PAUSE_ENV, None)
    if pause is not None:
        env[PAUSE_ENV] = str(pause)
    code = "import sys; from prov_cli.main import app; sys.argv[0] = 'prov'; app()"
    args = [sys.executable, "-c", code, "index", "add", *map(str, paths), "--index", str(root), "--quiet"]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_uncommitted_segment(root: Path, proc: subprocess.Popen, timeout: float = 60.0) -> set[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the add ended before pausing: {proc.communicate()}")
        extra = {p.name for p in (root / SEGMENTS).iterdir() if not p.name.startswith(".")} - committed_files(root)
        if len(extra) == 2:  # both files of the new segment, complete, renamed into place
            return extra
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the add never reached its commit")


def test_an_add_killed_before_its_commit_leaves_the_previous_index_readable(runner, index, followup, bulk) -> None:
    manifest_before = (index / MANIFEST).read_bytes()
    assert runner("query", followup, "--index", index, "--out", "before", "-q").exit_code == 0
    proc = spawn_add([bulk, followup], index, pause=120)
    try:
        orphans = wait_for_uncommitted_segment(index, proc)
        # While the writer sits on its lock: readers work and see the previous state; writers wait.
        during = runner("query", followup, "--index", index, "--out", "during", "-q")
        assert during.exit_code == 0, during.output
        busy = runner("index", "add", followup, "--index", index)
        assert busy.exit_code == 1 and "another process is writing" in busy.stderr
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert (index / MANIFEST).read_bytes() == manifest_before
    snap = open_index(index)
    assert snap.manifest.documents == 5 and sorted(snap.ids()) == SEED_IDS
    assert not orphans & committed_files(index)  # the killed add's files are not part of the index
    assert orphans <= {p.name for p in (index / SEGMENTS).iterdir()}
    after = runner("query", followup, "--index", index, "--out", "after", "-q")
    assert after.exit_code == 0, after.output
    before, during_, after_ = (alignments_with(Path(d), F) for d in ("before", "during", "after"))
    assert before == during_ == after_ and before
    # The next add cleans up and commits.
    again = runner("index", "add", bulk, followup, "--index", index, "-q")
    assert again.exit_code == 0, again.output
    assert open_index(index).manifest.documents == 5 + 600 + 1
    assert {p.name for p in (index / SEGMENTS).iterdir()} == committed_files(index)


@pytest.mark.parametrize("delay", [0.5, 0.9, 1.3])
def test_an_add_killed_at_any_moment_leaves_the_old_state_or_the_new_one(index, tmp_path: Path, delay: float) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps(r) + "\n" for r in many_rows(5000)), encoding="utf-8")
    proc = spawn_add([big], index, pause=None)
    time.sleep(delay)  # start-up, reading, sketching, writing or committing: any of them
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    snap = open_index(index)
    assert snap.manifest.documents in (5, 5005)
    assert committed_files(index) <= {p.name for p in (index / SEGMENTS).iterdir()}
    assert len(snap.ids()) == snap.manifest.documents
