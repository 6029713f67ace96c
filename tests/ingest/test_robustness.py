"""Issue 10, ingest: one odd item never loses the run, and sizes stay bounded.

Each case asserts what the user gets: the bad item becomes a ``Skipped`` naming its file and line,
a warning is logged, and every good document around it is still read.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import logging
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.config import MAX_DOC_BYTES, InputLimits
from provenance.errors import ConfigError
from provenance.ingest import read_documents
from provenance.records import Document, Skipped

STORIES = [
    "Ferry sailings to the islands resume on Thursday morning.",
    "Council leader Tomas Hendry said repairs would begin within a fortnight.",
    "Lifeboat volunteers answered four calls before dawn.",
    "The north pier will stay closed until engineers sign it off.",
]
SMALL = InputLimits(max_doc_bytes=1000, max_file_bytes=100_000)


def read(paths: list[Path], limits: InputLimits | None = None) -> tuple[list[Document], list[Skipped]]:
    items = list(read_documents(paths, limits=limits))
    docs = [item for item in items if isinstance(item, Document)]
    return docs, [item for item in items if isinstance(item, Skipped)]


def row(doc_id: str, text: str, **extra: object) -> str:
    return json.dumps({"id": doc_id, "text": text, **extra}) + "\n"


def assert_warned(caplog: pytest.LogCaptureFixture, skipped: list[Skipped]) -> None:
    for skip in skipped:
        assert f"skipped {skip}" in caplog.messages


# JSON values Python or UTF-8 cannot hold


def test_a_lone_surrogate_in_a_jsonl_id_or_text_skips_that_row(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        row("ok-1", STORIES[0])
        + '{"id": "bad-\\ud800", "text": "An id with half a character."}\n'
        + '{"id": "bad-3", "text": "A text with half \\udc00 a character."}\n'
        + '{"id": "ok-4", "text": "A whole pair \\ud83d\\ude00 is fine."}\n'
        + '{"id": "ok-5", "text": "An escaped backslash \\\\ud800 is plain text."}\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["ok-1", "ok-4", "ok-5"]
    assert docs[1].text == "A whole pair \U0001f600 is fine."
    assert docs[2].text == "An escaped backslash \\ud800 is plain text."
    reason = "lone surrogate escape (\\ud800-\\udfff without its pair): not valid Unicode"
    assert skipped == [Skipped(str(path), reason, 2), Skipped(str(path), reason, 3)]
    assert_warned(caplog, skipped)
    for doc in docs:  # what reaches the report can be written as UTF-8 (and so to Parquet)
        (doc.doc_id + doc.text).encode("utf-8")


def test_json_nested_100000_deep_in_a_row_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "feed.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(
        row("ok-1", STORIES[0]) + f'{{"id": "deep", "text": "x", "tags": {deep}}}\n' + row("ok-3", STORIES[1]),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["ok-1", "ok-3"]
    assert skipped == [Skipped(str(path), "JSON nested too deeply", 2)]
    assert_warned(caplog, skipped)


def test_json_nested_100000_deep_in_a_sidecar_is_skipped_and_the_other_rows_apply(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.txt").write_text(STORIES[0], encoding="utf-8")
    (tmp_path / "b.txt").write_text(STORIES[1], encoding="utf-8")
    sidecar = tmp_path / "metadata.jsonl"
    deep = "{" + '"x": {' * 100_000 + "}" * 100_001
    sidecar.write_text(
        f'{{"file": "a.txt", "outlet": "Valley Times", "notes": {deep}}}\n'
        '{"file": "b.txt", "outlet": "Harbour News"}\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([tmp_path])
    assert [(d.doc_id, d.outlet) for d in docs] == [("a.txt", None), ("b.txt", "Harbour News")]
    assert skipped == [Skipped(str(sidecar), "JSON nested too deeply", 1)]
    assert_warned(caplog, skipped)


def test_a_5000_digit_integer_id_is_kept_as_its_text(tmp_path: Path) -> None:
    # Python refuses to convert integers over 4,300 digits (a ValueError from json.loads).
    path = tmp_path / "feed.jsonl"
    digits = "9" * 5000
    path.write_text(
        row("ok-1", STORIES[0]) + f'{{"id": {digits}, "text": "{STORIES[1]}", "words": 12}}\n', encoding="utf-8"
    )
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["ok-1", digits]
    assert docs[1].extra == (("words", "12"),)  # other integers on the line are still numbers
    assert skipped == []


def test_a_parquet_timestamp_past_the_year_9999_is_read_as_text_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "archive.parquet"
    year_10000 = int((dt.datetime(9999, 12, 31) - dt.datetime(1970, 1, 1)).total_seconds() * 1e6) + 86_400 * 10**6
    micros = pa.array([0, year_10000, 1_707_721_800 * 10**6], pa.int64())
    table = pa.table({"id": ["p-1", "p-2", "p-3"], "text": STORIES[:3], "published": micros.cast(pa.timestamp("us"))})
    pq.write_table(table, path)
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["p-1", "p-2", "p-3"]
    published = [dict(d.extra)["published"] for d in docs]
    # values Python can hold keep their usual form; the one it cannot is Arrow's text for it
    assert published == ["1970-01-01T00:00:00", "10000-01-01 00:00:00.000000", "2024-02-12T07:10:00"]
    assert skipped == []
    assert any(str(path) in m and "'published'" in m and "read as text" in m for m in caplog.messages)


# gzip damage and sizes


def damaged_gzip(before: str, after: str) -> bytes:
    """A gzip stream whose deflate body turns invalid between ``before`` and ``after``: a full
    flush ends a block on a byte boundary, and 0xFF bytes then start a block of reserved type."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    good = packer.compress(before.encode()) + packer.flush(zlib.Z_FULL_FLUSH)
    return good + b"\xff" * 16 + packer.compress(after.encode()) + packer.flush()


def test_a_corrupted_deflate_body_keeps_the_rows_before_it_and_names_the_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "wire.jsonl.gz"
    rows = [row(f"w-{i}", STORIES[i % 4]) for i in range(1, 7)]
    path.write_bytes(damaged_gzip("".join(rows[:3]), "".join(rows[3:])))
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["w-1", "w-2", "w-3"]
    reason = "cannot read: Error -3 while decompressing data: invalid block type"
    assert skipped == [Skipped(str(path), reason, 4)]
    assert_warned(caplog, skipped)


def test_damage_in_the_middle_of_a_line_loses_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl.gz"
    rows = "".join(row(f"w-{i}", STORIES[i % 4]) for i in range(1, 201))
    cut = rows.index('{"id": "w-150"') + 20  # the damage falls inside line 150
    path.write_bytes(damaged_gzip(rows[:cut], rows[cut:]))
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == [f"w-{i}" for i in range(1, 150)]
    assert [(s.source, s.line) for s in skipped] == [(str(path), 150)]


def test_a_bad_gzip_checksum_keeps_every_row_and_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl.gz"
    data = bytearray(gzip.compress("".join(row(f"w-{i}", STORIES[i]) for i in range(3)).encode()))
    data[-8] ^= 0xFF  # the CRC-32 of the trailer
    path.write_bytes(bytes(data))
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["w-0", "w-1", "w-2"]
    reason = "cannot read: checksum failed: the lines read before this point may be damaged"
    assert skipped == [Skipped(str(path), reason, 4)]


def test_concatenated_gzip_members_read_as_one_file(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl.gz"
    path.write_bytes(gzip.compress(row("w-1", STORIES[0]).encode()) + gzip.compress(row("w-2", STORIES[1]).encode()))
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["w-1", "w-2"]
    assert skipped == []


def test_an_oversized_line_in_a_gzip_is_passed_over_and_listed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The case is a 9 MB .jsonl.gz holding one 2 GB line; the same path with a small limit.
    path = tmp_path / "wire.jsonl.gz"
    huge = row("huge", "storm " * 200_000)  # 1.2 MB, over a 1000-byte limit
    path.write_bytes(gzip.compress((row("w-1", STORIES[0]) + huge + row("w-3", STORIES[1])).encode()))
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path], InputLimits(max_doc_bytes=1000))
    assert [d.doc_id for d in docs] == ["w-1", "w-3"]
    assert skipped == [Skipped(str(path), "line is over the 1000 bytes limit", 2)]
    assert_warned(caplog, skipped)


def test_a_gzip_that_expands_past_the_file_limit_stops_there(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl.gz"
    rows = [row(f"w-{i:04d}", STORIES[i % 4]) for i in range(2000)]  # about 150 KB
    path.write_bytes(gzip.compress("".join(rows).encode()))
    docs, skipped = read([path], SMALL)
    kept = len(docs)
    assert 0 < kept < 2000
    assert [d.doc_id for d in docs] == [f"w-{i:04d}" for i in range(kept)]
    assert sum(len(r) for r in rows[:kept]) <= SMALL.max_file_bytes
    reason = "decompressed file is over the 100000 bytes limit; the rest is not read"
    assert skipped == [Skipped(str(path), reason, kept + 1)]


def test_an_oversized_plain_jsonl_line_is_skipped_and_the_next_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(row("w-1", STORIES[0]) + row("huge", "storm " * 1000) + row("w-3", STORIES[1]), encoding="utf-8")
    docs, skipped = read([path], SMALL)
    assert [d.doc_id for d in docs] == ["w-1", "w-3"]
    assert skipped == [Skipped(str(path), "line is over the 1000 bytes limit", 2)]


def test_a_200_mb_text_file_is_skipped_on_its_size_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024**2)  # sparse: 200 MB on paper, nothing on disk
    (tmp_path / "story.txt").write_text(STORIES[0], encoding="utf-8")
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: object, **kwargs: object):
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    docs, skipped = read([huge, tmp_path / "story.txt"])
    assert [d.doc_id for d in docs] == ["story.txt"]
    assert skipped == [Skipped(str(huge), "document of 200.0 MB is over the 20.0 MB limit")]
    assert huge not in opened


@pytest.mark.parametrize("kind", ["txt", "jsonl", "csv", "parquet", "sgm"])
def test_the_document_size_limit_applies_to_every_format(tmp_path: Path, kind: str) -> None:
    big = " ".join(["storm"] * 480)  # 2,879 bytes, over a 1000-byte limit
    texts = [STORIES[0], big, STORIES[1]]
    if kind == "txt":
        paths = [tmp_path / f"{i}.txt" for i in range(3)]
        for path, text in zip(paths, texts, strict=True):
            path.write_text(text, encoding="utf-8")
        expected = ["0.txt", "2.txt"], [Skipped(str(paths[1]), "document of 2879 bytes is over the 1000 bytes limit")]
    else:
        path = tmp_path / f"feed.{kind}"
        write_rows(path, [(f"d-{i}", text) for i, text in enumerate(texts, start=1)])
        paths = [path]
        reasons = {
            "jsonl": "line is over the 1000 bytes limit",
            "csv": "row is over the 1000 bytes limit",
            "parquet": "document of 2879 bytes is over the 1000 bytes limit",
            "sgm": "document of 2879 bytes is over the 1000 bytes limit",
        }
        ids = ["reuters-1", "reuters-3"] if kind == "sgm" else ["d-1", "d-3"]
        line = {"jsonl": 2, "csv": 3, "parquet": 2, "sgm": 2}[kind]
        expected = ids, [Skipped(str(path), reasons[kind], line)]
    docs, skipped = read(paths, SMALL)
    assert ([d.doc_id for d in docs], skipped) == expected


def write_rows(path: Path, rows: list[tuple[str, str]]) -> None:
    """The same (id, text) rows as JSONL, CSV, Parquet or Reuters SGML (one record per line)."""
    kind = path.suffix
    if kind == ".jsonl":
        path.write_text("".join(row(doc_id, text) for doc_id, text in rows), encoding="utf-8")
    elif kind == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text"])
            writer.writerows(rows)
    elif kind == ".parquet":
        pq.write_table(pa.table({"id": [r[0] for r in rows], "text": [r[1] for r in rows]}), path)
    else:
        path.write_text("".join(reuters(int(doc_id.split("-")[1]), text) + "\n" for doc_id, text in rows))


def reuters(newid: int, body: str, title: str = "STORM CLOSES HARBOUR") -> str:
    return (
        f'<REUTERS TOPICS="NO" NEWID="{newid}"><DATE>26-FEB-1987 15:01:01.79</DATE>'
        f"<TEXT><TITLE>{title}</TITLE><BODY>{body}</BODY></TEXT></REUTERS>"
    )


def test_input_limits_are_validated() -> None:
    assert InputLimits().max_doc_bytes == MAX_DOC_BYTES == 20 * 1024**2
    with pytest.raises(ConfigError, match="maximum document size must be positive"):
        InputLimits(max_doc_bytes=0)
    with pytest.raises(ConfigError, match="must be at least the maximum document size"):
        InputLimits(max_doc_bytes=1000, max_file_bytes=999)


# CSV


def test_a_sidecar_csv_field_over_128_kib_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORIES[0], encoding="utf-8")
    notes = "n" * 200_000
    (tmp_path / "metadata.csv").write_text(f"file,outlet,notes\na.txt,Valley Times,{notes}\n", encoding="utf-8")
    previous = csv.field_size_limit(131_072)  # Python's default, whatever ran before this test
    try:
        (doc,), skipped = read([tmp_path])
    finally:
        csv.field_size_limit(previous)
    assert (doc.outlet, dict(doc.extra)["notes"]) == ("Valley Times", notes)
    assert skipped == []


def test_a_sidecar_csv_row_over_the_document_limit_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORIES[0], encoding="utf-8")
    (tmp_path / "b.txt").write_text(STORIES[1], encoding="utf-8")
    sidecar = tmp_path / "metadata.csv"
    sidecar.write_text(f"file,outlet,notes\na.txt,Valley Times,{'n' * 5000}\nb.txt,Harbour News,\n", encoding="utf-8")
    docs, skipped = read([tmp_path / "a.txt", tmp_path / "b.txt"], SMALL)
    assert [(d.doc_id, d.outlet) for d in docs] == [("a.txt", None), ("b.txt", "Harbour News")]
    # the sidecar is read for each file given on its own, so its bad row is listed twice
    assert set(skipped) == {Skipped(str(sidecar), "row is over the 1000 bytes limit", 2)}


def test_an_unterminated_quote_costs_one_row_and_the_rows_after_it_are_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "id,text,outlet\n"
        f'c-1,"{STORIES[0]}",Northern Wire\n'
        'c-2,"Ferry services resumed,Regional Herald\n'  # the quote is never closed
        f"c-3,{STORIES[1]},Regional Herald\n"
        f'c-4,"{STORIES[2]}\n\nA second paragraph.",Coastal Gazette\n'
        f"c-5,{STORIES[3]},Regional Herald\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["c-1", "c-3", "c-4", "c-5"]
    assert [d.source for d in docs] == [f"{path}:{n}" for n in (2, 4, 5, 8)]
    assert docs[2].text == f"{STORIES[2]}\n\nA second paragraph."
    reason = "malformed quoting: a quoted field opened here runs to line 5; lines from 4 read again"
    assert skipped == [Skipped(str(path), reason, 3)]
    assert_warned(caplog, skipped)


def test_a_stray_quote_closed_by_the_next_rows_quote_is_caught(tmp_path: Path) -> None:
    # Read leniently, c-2's open quote ends at c-3's opening quote and the two rows become one
    # text with the right number of fields: silent corruption, unless the record is read strictly.
    path = tmp_path / "export.csv"
    path.write_text(
        f'id,text,outlet\nc-1,"{STORIES[0]},Northern Wire\nc-2,"{STORIES[1]}",Regional Herald\n', encoding="utf-8"
    )
    docs, skipped = read([path])
    assert [(d.doc_id, d.text) for d in docs] == [("c-2", STORIES[1])]
    assert [(s.line, s.reason.split(":")[0]) for s in skipped] == [(2, "malformed quoting")]


def test_no_csv_row_grows_past_the_document_limit(tmp_path: Path) -> None:
    # An open quote near the top of a large file would make one text of everything after it.
    path = tmp_path / "export.csv"
    rows = "".join(f"c-{i},{STORIES[i % 4]}\n" for i in range(3, 400))
    path.write_text(f'id,text\nc-1,{STORIES[0]}\nc-2,"{STORIES[1]}\n{rows}', encoding="utf-8")
    docs, skipped = read([path], SMALL)
    assert [d.doc_id for d in docs] == ["c-1"] + [f"c-{i}" for i in range(3, 400)]
    assert max(len(d.text) for d in docs) < 100
    assert skipped == [Skipped(str(path), "row is over the 1000 bytes limit", 3)]


# The NUL rule (docs/limits.md): early NUL -> binary file skipped; later NUL -> its document skipped

PAD = "Filler paragraph about the weather on the coast. " * 200  # 10 KB: past the 8 KiB sniff


@pytest.mark.parametrize("kind", ["txt", "csv", "jsonl", "jsonl.gz", "sgm"])
def test_a_nul_byte_in_the_first_8_kib_makes_the_file_binary(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"input.{kind}"
    path.write_bytes(nul_file(kind, early=True))
    assert read([path]) == ([], [Skipped(str(path), "binary file (contains NUL bytes)")])


@pytest.mark.parametrize("kind", ["txt", "csv", "jsonl", "jsonl.gz", "sgm"])
def test_a_nul_byte_after_the_first_8_kib_skips_only_its_document(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    path = tmp_path / f"input.{kind}"
    path.write_bytes(nul_file(kind, early=False))
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path])
    if kind == "txt":
        assert (docs, skipped) == ([], [Skipped(str(path), "NUL character in the text", 3)])
    else:
        field, line = ("text", 4 if kind == "csv" else 3)
        assert [d.doc_id.split("-")[-1] for d in docs] == ["1", "2", "4"]
        assert skipped == [Skipped(str(path), f"NUL character in field {field!r}", line)]
    assert_warned(caplog, skipped)


def nul_file(kind: str, early: bool) -> bytes:
    """Four documents (or one text of 4 lines), the third holding a NUL: within the first 8 KiB
    when ``early``, past it otherwise (the first two documents are 10 KB each)."""
    pad = "" if early else PAD
    texts = ["Story one. " + pad, "Story two. " + pad, "Story three \x00 ends.", "Story four."]
    if kind == "txt":
        return "\n".join(texts).encode()
    if kind == "csv":
        body = "".join(f"c-{i},{text}\n" for i, text in enumerate(texts, start=1))
        return f"id,text\n{body}".encode()
    if kind == "sgm":
        return "".join(reuters(i, text) + "\n" for i, text in enumerate(texts, start=1)).encode()
    lines = "".join(row(f"j-{i}", text) for i, text in enumerate(texts, start=1)).encode()
    if early:  # a raw NUL byte: JSON escapes the character, but a binary file is bytes
        lines = b'{"id": "j-0", "text": "\x00"}\n' + lines
    return gzip.compress(lines) if kind == "jsonl.gz" else lines


def test_a_nul_character_in_a_parquet_row_skips_that_row(tmp_path: Path) -> None:
    path = tmp_path / "archive.parquet"
    write_rows(path, [("p-1", STORIES[0]), ("p-2", "Half \x00 a story."), ("p-3", STORIES[1])])
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["p-1", "p-3"]
    assert skipped == [Skipped(str(path), "NUL character in field 'text'", 2)]


def test_a_nul_character_in_a_sidecar_row_skips_that_row(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORIES[0], encoding="utf-8")
    (tmp_path / "b.txt").write_text(STORIES[1], encoding="utf-8")
    sidecar = tmp_path / "metadata.jsonl"
    sidecar.write_text(
        '{"file": "a.txt", "outlet": "Valley\\u0000 Times"}\n{"file": "b.txt", "outlet": "Harbour News"}\n',
        encoding="utf-8",
    )
    docs, skipped = read([tmp_path])
    assert [(d.doc_id, d.outlet) for d in docs] == [("a.txt", None), ("b.txt", "Harbour News")]
    assert skipped == [Skipped(str(sidecar), "NUL character in a field", 1)]


# Reuters SGML


def test_an_sgml_file_without_records_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "reut2-999.sgm"
    path.write_text('<!DOCTYPE lewis SYSTEM "lewis.dtd">\nNo records here.\n', encoding="latin-1")
    assert read([path]) == ([], [Skipped(str(path), "no Reuters records (no <REUTERS> tag)")])


def test_an_unclosed_sgml_record_is_skipped_and_the_next_one_read(tmp_path: Path) -> None:
    path = tmp_path / "reut2-001.sgm"
    broken = reuters(2, STORIES[1]).replace("</REUTERS>", "")
    path.write_text("\n".join([reuters(1, STORIES[0]), broken, reuters(3, STORIES[2])]) + "\n", encoding="latin-1")
    docs, skipped = read([path])
    assert [(d.doc_id, d.text, d.title, d.date) for d in docs] == [
        ("reuters-1", STORIES[0], "STORM CLOSES HARBOUR", "26-FEB-1987 15:01:01.79"),
        ("reuters-3", STORIES[2], "STORM CLOSES HARBOUR", "26-FEB-1987 15:01:01.79"),
    ]
    assert skipped == [Skipped(str(path), "record without a closing </REUTERS> tag", 2)]


def test_a_pathological_sgml_file_parses_in_linear_time(tmp_path: Path) -> None:
    # 20,000 unclosed openings (400 KB) took 34 s with a regex scanning to the end of the file
    # from each one; a 400 KB body of "<" characters was as slow. Both must take well under a
    # second, and the good records around them must come out intact.
    path = tmp_path / "reut2-666.sgm"
    openings = '<REUTERS NEWID="9">\n' * 20_000
    angles = reuters(3, "1 < 2 <" * 60_000)
    path.write_text("\n".join([reuters(1, STORIES[0]), openings + angles, reuters(4, STORIES[3])]) + "\n")
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["reuters-1", "reuters-3", "reuters-4"]
    assert docs[1].text == ("1 < 2 <" * 60_000).strip()
    assert len(skipped) == 20_000
    assert {s.reason for s in skipped} == {"record without a closing </REUTERS> tag"}
    assert [s.line for s in skipped[:3]] == [2, 3, 4]
