"""Ids and text from a corpus reach the terminal escaped: an ESC, NUL, C1 or bidi control in a
document id or a snippet shows as ``\\x1b``-style text in every table, and rich markup in an id
prints as written instead of styling the output or stopping the command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prov_cli.display import cell, inline, printable

SEEDS = sorted((Path(__file__).parents[2] / "seeds").glob("*.txt"))
# Everything a terminal may act on, except the newlines of the layout itself.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Ingest may skip the NUL id as a bad record; if it reads it, it must show escaped too.
IDS = ["e\x1b[2Jx", "n\x00l", "b\x07\x08s", "c\x9b1m", "r\u202ed"]
COPY = "[/bold]d\x1b[5m"  # rich markup that does not close anything stopped the command


def hostile_corpus(path: Path) -> Path:
    """The seed articles under hostile ids, a title-setting escape in their text, and an exact
    copy of the first (so that dedup removes something and query finds it)."""
    rows = [
        {"id": doc_id, "text": "\x1b]0;pwned\x07 " + seed.read_text(encoding="utf-8"), "outlet": "o\x1bp"}
        for doc_id, seed in zip(IDS, SEEDS, strict=True)
    ]
    rows.append({**rows[0], "id": COPY})
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return hostile_corpus(tmp_path / "hostile.jsonl")


def run(runner, *args: object):
    # Wide enough that the short ids are not cut by the table layout.
    result = runner(*args, env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def assert_escaped(output: str, *shown: str) -> None:
    raw = sorted({hex(ord(c)) for c in RAW_CONTROL.findall(output)})
    assert not raw, f"raw control characters on the terminal: {raw}"
    for text in shown:
        assert text in output, text


def test_scan_summary_escapes_ids_and_snippets(runner, corpus: Path) -> None:
    result = run(runner, "scan", corpus, "--out", "report")
    assert_escaped(result.output, r"e\x1b[2Jx", r"[/bold]d\x1b[5m", r"\x07")


def test_dedup_table_escapes_ids(runner, corpus: Path) -> None:
    result = run(runner, "dedup", corpus, "--out", "dedup.jsonl")
    assert_escaped(result.output, r"e\x1b[2Jx", r"[/bold]d\x1b[5m")


def test_query_table_escapes_ids_and_snippets(runner, corpus: Path) -> None:
    run(runner, "index", "add", corpus, "--index", "ix")
    result = run(runner, "query", corpus, "--index", "ix", "--out", "query", "--top", "100")
    assert_escaped(result.output, r"e\x1b[2Jx", r"b\x07\x08s", r"c\x9b1m", r"r\u202ed", r"[/bold]d\x1b[5m", r"\x07")


def test_index_delete_escapes_the_ids_it_did_not_find(runner, corpus: Path) -> None:
    run(runner, "index", "add", corpus, "--index", "ix")
    result = run(runner, "index", "delete", "--index", "ix", "gone\x1b[31m", "[/red]")
    assert_escaped(result.output, r"gone\x1b[31m", "[/red]")


def test_printable_escapes_controls_as_python_writes_them() -> None:
    assert printable("a\x1b[2Jb\x00c\td\u202ee\x9bf\x7f") == r"a\x1b[2Jb\x00c\td\u202ee\x9bf\x7f"
    assert printable("Mosul — 'Iraq' \\ ü") == "Mosul — 'Iraq' \\ ü"  # the rest is kept as it is
    assert printable(17) == "17"


def test_cell_and_inline_keep_markup_literal() -> None:
    assert cell("[/bold]\x1b").plain == r"[/bold]\x1b"
    assert inline("[red]x") == r"\[red]x"
