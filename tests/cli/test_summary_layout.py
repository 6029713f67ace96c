"""The summaries of scan, query and dedup in a pipe at 60 and 80 columns: every document they
name is shown by its whole id (never cut with an ellipsis, never split across lines), with its
outlet and date where it has them, and every snippet takes at most two lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from prov_cli.display import clip, flow
from rich.cells import cell_len

SEEDS = sorted((Path(__file__).parents[2] / "seeds").glob("*.txt"))
LONG = "000_" + "a-file-name-from-a-scraper-that-keeps-the-whole-headline-" * 2 + ".txt"  # 122 characters
# Ids as different corpora write them (none a prefix of another), each with an outlet or a date
# or both or neither; two copies, so that a scan clusters them, dedup removes them and a query
# finds them.
ORIGINALS = [
    {"id": "reut2-000.sgm#123", "seed": 0, "outlet": "Reuters", "date": "1987-02-26"},
    {"id": "s001 with spaces.txt", "seed": 1},
    {"id": "s002-ap", "seed": 2, "outlet": "AP"},
    {"id": "s004", "seed": 4, "date": "2017-05-20"},
]
COPIES = [
    {"id": LONG, "seed": 0, "outlet": "The Evening Post and Chronicle", "date": "2024-03-03"},
    {"id": "copy-of-s002", "seed": 2, "date": "2024-03-01"},
]


def write_corpus(path: Path, rows: list[dict]) -> Path:
    lines = [{**row, "text": SEEDS[row["seed"]].read_text(encoding="utf-8")} for row in rows]
    path.write_text("".join(json.dumps(row) + "\n" for row in lines), encoding="utf-8")
    return path


pytestmark = pytest.mark.usefixtures("in_tmp")


def run(runner, columns: int, *args: object) -> str:
    result = runner(*args, env={"COLUMNS": str(columns)})  # not a terminal: a pipe
    assert result.exit_code == 0, result.output
    return result.stdout


def known(row: dict) -> str:
    # documents.parquet rows hold the date as written in date_text; input rows in date
    date = row["date_text"] if "date_text" in row else row.get("date")
    return ", ".join(value for value in (row.get("outlet"), date) if value)


def assert_named_whole(output: str, width: int, rows: list[dict]) -> None:
    """Each document of ``rows`` appears by its whole id, followed by its outlet and date where
    it has them; a line is wider than ``width`` only to keep an id whole."""
    assert rows
    for row in rows:
        doc_id = row["doc_id"]
        assert doc_id in output, f"{doc_id!r} is not shown whole"
        cut = [doc_id[:k] + "…" for k in range(1, len(doc_id)) if doc_id[:k] + "…" in output]
        assert not cut, f"{doc_id!r} cut short: {cut}"
        if known(row):  # beside the id, or on the next line when both do not fit
            pattern = re.escape(doc_id) + r"(?: \(new\))?\s+" + re.escape(f"({known(row)})")
            assert re.search(pattern, output), f"{known(row)!r} not shown for {doc_id!r}"
    for line in output.splitlines():
        assert cell_len(line) <= width or LONG in line, f"line wider than {width}: {line!r}"


def assert_snippets_fit(output: str, width: int, texts: list[str]) -> None:
    """Snippets are the lines indented by four spaces: at most two in a row, none wider than
    ``width``; each of ``texts`` is shown, from its start, and a text too long is cut with ``…``."""
    runs: list[list[str]] = []
    for previous, line in zip(["", *output.splitlines()], output.splitlines(), strict=False):
        if re.match(r" {4}\S", line):
            if not re.match(r" {4}\S", previous):
                runs.append([])
            runs[-1].append(line)
    assert runs and all(len(run) <= 2 for run in runs), runs
    assert all(cell_len(line) <= width for run in runs for line in run)
    shown = " ".join(" ".join(line for run in runs for line in run).split())
    for text in texts:
        assert " ".join(text.split()[:3]) in shown, text[:60]
    assert any(run[-1].endswith(" …") for run in runs)


@pytest.mark.parametrize("width", [60, 80])
def test_scan_names_every_listed_document_whole_with_its_outlet_and_date(runner, width: int) -> None:
    corpus = write_corpus(Path("corpus.jsonl"), ORIGINALS + COPIES)
    output = run(runner, width, "scan", corpus, "--out", "report")
    clusters = [c for c in pq.read_table("report/clusters.parquet").to_pylist() if c["category"] == "news"]
    assert len(clusters) <= 10 and all(c["n_documents"] <= 3 for c in clusters)  # so all are listed
    listed = {p["doc_id"] for p in pq.read_table("report/passages.parquet").to_pylist() if p["category"] == "news"}
    documents = pq.read_table("report/documents.parquet").to_pylist()
    assert LONG in listed and len(listed) >= 4
    assert_named_whole(output, width, [d for d in documents if d["doc_id"] in listed])
    assert_snippets_fit(output, width, [c["representative"] for c in clusters])


@pytest.mark.parametrize("width", [60, 80])
def test_query_names_both_sides_whole_with_their_outlets_and_dates(runner, width: int) -> None:
    run(runner, width, "index", "add", write_corpus(Path("old.jsonl"), ORIGINALS), "--index", "ix")
    new = write_corpus(Path("new.jsonl"), COPIES)
    output = run(runner, width, "query", new, "--index", "ix", "--out", "q", "--top", "1000")
    documents = pq.read_table("q/documents.parquet").to_pylist()
    assert {d["doc_id"] for d in documents} >= {LONG, "reut2-000.sgm#123", "copy-of-s002", "s002-ap"}
    assert_named_whole(output, width, documents)
    passages = pq.read_table("q/passages.parquet").to_pylist()
    assert_snippets_fit(output, width, [p["text"] for p in passages if p["doc_id"] in (LONG, "copy-of-s002")])


@pytest.mark.parametrize("width", [60, 80])
def test_dedup_names_removed_and_kept_documents_whole_with_their_outlets_and_dates(runner, width: int) -> None:
    rows = ORIGINALS + COPIES
    output = run(runner, width, "dedup", write_corpus(Path("corpus.jsonl"), rows), "--out", "clean.jsonl")
    removed = [json.loads(line) for line in Path("clean.removed.jsonl").read_text(encoding="utf-8").splitlines()]
    named = {r["doc_id"] for r in removed} | {r["kept_doc_id"] for r in removed}
    assert named == {LONG, "reut2-000.sgm#123", "copy-of-s002", "s002-ap"}
    assert_named_whole(output, width, [{**row, "doc_id": row["id"]} for row in rows if row["id"] in named])


def test_clip_keeps_two_lines_cut_after_a_word_with_controls_escaped() -> None:
    text = "Iraqi\x1b[2J forces\n\nsaid on Tuesday they had seized the main government offices in Mosul"
    lines = clip(text, 30, indent=4)
    assert lines == ["    Iraqi\\x1b[2J forces said", "    on Tuesday they had …"]  # 26 cells at most
    assert clip("a few words", 30, indent=4) == ["    a few words"]
    assert clip(" \n\t", 30) == []
    assert all(cell_len(line) <= 12 for line in clip("x" * 100 + " y", 12))  # a long word is cut


def test_flow_never_splits_a_part_and_sets_one_too_wide_on_its_own_line() -> None:
    assert flow(["- " + LONG, "(AP, 2024-03-01)"], 60, indent=2, hang=4) == ["  - " + LONG, "    (AP, 2024-03-01)"]
    assert flow(["c000001 ", "internal,", "1 document"], 20, hang=9) == ["c000001  internal,", "         1 document"]
    assert flow(["id\x1b[31m"], 60) == ["id\\x1b[31m"]
