"""The input rules (``IngestPolicy``) on rows as every reader yields them: no text, size, NUL,
the id of a row that gives none, and the first of two documents with one id. The Spark engine
builds its Spark SQL from the same constants; tests/engines checks that both paths agree."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from provenance import ingest, pipeline
from provenance.config import FieldNames, InputLimits, ScanConfig
from provenance.engines.local import LocalEngine
from provenance.ingest import IngestPolicy, Row
from provenance.ingest.policy import BLANK_TEXT, FALLBACK_ID, WHITESPACE, is_blank
from provenance.records import Document, Skipped

STORY = "Trains returned to the Kestrel Valley line on Tuesday after engineers cleared three fallen trees."


def test_blank_text_is_what_str_strip_takes_away() -> None:
    assert "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()) == WHITESPACE
    for text in ["", " ", "\t\r\n", "\u00a0\u2003\u3000", "\u200b", "x", " x ", "\x00"]:
        assert is_blank(text) == (not text.strip()), repr(text)


def test_the_blank_pattern_is_written_in_escapes_java_reads_alike() -> None:
    # Spark's rlike is Java's Pattern: ASCII \uXXXX escapes mean the same there as in Python.
    assert BLANK_TEXT.isascii()
    assert re.fullmatch(r"\[(\\u[0-9a-f]{4})+\]\*", BLANK_TEXT)
    assert FALLBACK_ID % ("feed.jsonl", 7) == "feed.jsonl:7"


def row(line: int | None, doc_id: str | None, text: str, **fields: Any) -> Row:
    return Row(source="corpus/feed.jsonl", line=line, doc_id=doc_id, text=text, **fields)


def test_rows_become_documents_under_the_rules_in_order() -> None:
    policy = IngestPolicy(FieldNames(text="body"), InputLimits(max_doc_bytes=200))
    rows: list[Row | Skipped] = [
        row(1, "a", STORY, outlet="Courier", extra=(("tag", "rail"), ("note", None))),
        row(2, None, STORY),  # no id
        row(3, "", STORY),  # an empty id is no id either
        row(4, "b", " \u00a0\n", nul_field="title"),  # no text comes first
        row(5, "c", "x" * 201, nul_field="title"),  # then the size
        row(6, "d", STORY, nul_field="title"),  # then the NUL
        Skipped("corpus/feed.jsonl", "malformed JSON: Expecting value", 7),  # a reader's own skip
        row(8, "a", STORY),  # the first "a" wins
        row(9, "b", STORY),  # b's row 4 was skipped, so its id is free
        row(None, "whole.txt", "é" * 150),  # a whole file was judged by its size on disk
    ]
    items = list(policy.documents(rows))
    docs = [i for i in items if isinstance(i, Document)]
    assert [(d.index, d.doc_id, d.source) for d in docs] == [
        (0, "a", "corpus/feed.jsonl:1"),
        (1, "feed.jsonl:2", "corpus/feed.jsonl:2"),
        (2, "feed.jsonl:3", "corpus/feed.jsonl:3"),
        (3, "b", "corpus/feed.jsonl:9"),
        (4, "whole.txt", "corpus/feed.jsonl"),
    ]
    assert (docs[0].outlet, docs[0].extra) == ("Courier", (("tag", "rail"), ("note", None)))
    assert [i for i in items if isinstance(i, Skipped)] == [
        Skipped("corpus/feed.jsonl", "row has no text in field 'body'", 4),
        Skipped("corpus/feed.jsonl", "document of 201 bytes is over the 200 bytes limit", 5),
        Skipped("corpus/feed.jsonl", "NUL character in field 'title'", 6),
        Skipped("corpus/feed.jsonl", "malformed JSON: Expecting value", 7),
        Skipped("corpus/feed.jsonl", "duplicate document id 'a' (first one kept)", 8),
    ]


def test_a_file_name_that_is_not_utf8_is_made_printable() -> None:
    source = "corpus/caf\udce9.jsonl"  # how Python names the file b"caf\xe9.jsonl"
    items = list(IngestPolicy().documents([Row(source, 1, "a", STORY), Skipped(source, "empty file")]))
    assert items == [
        Document(0, "a", STORY, "corpus/caf\\xe9.jsonl:1"),
        Skipped("corpus/caf\\xe9.jsonl", "empty file"),
    ]


def test_there_is_one_loader(fixtures_dir: Path) -> None:
    assert pipeline.load is ingest.load
    config = ScanConfig()
    paths = [fixtures_dir / "inputs"]
    assert LocalEngine().load(paths, config) == ingest.load(paths, config)


def test_rows_without_ids_in_same_named_files_of_two_sub_folders_are_all_read(tmp_path: Path) -> None:
    # Scrapers write one feed.jsonl per site or per day: named after their file alone, the rows
    # of the second would all be dropped as duplicates of the first's.
    for site in ("courier", "herald"):
        (tmp_path / site).mkdir()
        (tmp_path / site / "feed.jsonl").write_text(
            "".join(f'{{"text": "{STORY} ({site} {i})"}}\n' for i in (1, 2)), encoding="utf-8"
        )
    (tmp_path / "top.jsonl").write_text(f'{{"text": "{STORY}"}}\n', encoding="utf-8")
    docs, skipped = ingest.load([tmp_path], ScanConfig())
    assert skipped == []
    assert [d.doc_id for d in docs] == [
        "courier/feed.jsonl:1",
        "courier/feed.jsonl:2",
        "herald/feed.jsonl:1",
        "herald/feed.jsonl:2",
        "top.jsonl:1",  # a file at the top of the folder is named as before
    ]
