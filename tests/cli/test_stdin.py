"""Reading from a pipe: ``prov scan -``, ``/dev/stdin`` and a FIFO (as ``<(...)`` gives)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).parents[2]
PROV = [str(Path(sys.executable).parent / "prov")]  # the installed command, in a process of its own
FEED = (ROOT / "fixtures" / "inputs" / "wire.jsonl").read_text(encoding="utf-8")


def run(*args: object, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PROV, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=120)


def doc_ids(report: Path) -> list[str]:
    return [row["doc_id"] for row in pq.read_table(report / "documents.parquet").to_pylist()]


def test_dash_reads_json_lines_from_standard_input(tmp_path: Path) -> None:
    result = run("scan", "-", "--out", tmp_path / "report", "-q", stdin=FEED)
    assert result.returncode == 0, result.stderr
    assert doc_ids(tmp_path / "report") == ["wire-0001", "wire-0002", "wire-0003"]
    manifest = json.loads((tmp_path / "report" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"] == ["<stdin>"]
    # the same run again is the same run: it may replace its own report
    assert run("scan", "-", "--out", tmp_path / "report", "-q", stdin=FEED).returncode == 0


def test_rows_without_an_id_are_named_after_stdin(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in FEED.splitlines()]
    feed = "".join(json.dumps({"text": r["text"]}) + "\n" for r in rows)
    result = run("scan", "-", "--out", tmp_path / "report", "-q", stdin=feed)
    assert result.returncode == 0, result.stderr
    assert doc_ids(tmp_path / "report") == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]


def test_a_json_array_on_standard_input_is_read_as_json(tmp_path: Path) -> None:
    articles = (ROOT / "fixtures" / "scraped" / "trafilatura.json").read_text(encoding="utf-8")
    result = run("scan", "-", "--out", tmp_path / "report", "-q", stdin=articles)
    assert result.returncode == 0, result.stderr
    assert doc_ids(tmp_path / "report") == [
        "https://coastpost.example/world/trawler-sinks-cape-rendell",
        "https://northernstar.example/2017/03/09/life-raft",
    ]


def test_dev_stdin_is_read_as_a_stream(tmp_path: Path) -> None:
    result = run("scan", "/dev/stdin", "--out", tmp_path / "report", "-q", stdin=FEED)
    assert result.returncode == 0, result.stderr
    assert doc_ids(tmp_path / "report") == ["wire-0001", "wire-0002", "wire-0003"]
    manifest = json.loads((tmp_path / "report" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"] == ["/dev/stdin"]


def test_empty_standard_input_is_a_one_line_error(tmp_path: Path) -> None:
    result = run("scan", "-", "--out", tmp_path / "report", stdin="")
    assert result.returncode == 2
    assert result.stderr == (
        "prov: warning: skipped <stdin>: empty file\n"
        "prov: error: no document read from <stdin> (1 input skipped: 1 empty file)\n"
    )
    assert not (tmp_path / "report").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_written_by_another_thread_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.pipe"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w", encoding="utf-8") as handle:  # blocks until prov opens the other end
            handle.write(FEED)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = run("scan", fifo, "--out", tmp_path / "report", "-q")
    writer.join(timeout=10)
    assert result.returncode == 0, result.stderr
    assert doc_ids(tmp_path / "report") == ["wire-0001", "wire-0002", "wire-0003"]
    manifest = json.loads((tmp_path / "report" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"] == [str(fifo)]
