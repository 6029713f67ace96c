"""Bad input never stops a run: each unusable file, line or row becomes a Skipped record that names
the file (and line), a warning is logged, and every good document around it is still read."""

from __future__ import annotations

import gzip
import logging
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.config import FieldNames
from provenance.errors import InputError
from provenance.ingest import check_paths, read_documents
from provenance.records import Document, Skipped

GOOD_ARTICLE = "Trains returned to the Kestrel Valley line on Tuesday after engineers cleared three fallen trees.\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def read(paths: list[Path], fields: FieldNames | None = None) -> tuple[list[Document], list[Skipped]]:
    items = list(read_documents(paths, fields))
    docs = [item for item in items if isinstance(item, Document)]
    return docs, [item for item in items if isinstance(item, Skipped)]


# Paths that cannot be read at all: an error before any work starts


def test_a_missing_path_is_an_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    with pytest.raises(InputError) as err:
        check_paths([missing])
    assert str(err.value) == f"{missing}: no such file or folder"


def test_a_missing_path_fails_before_any_document_is_read(fixtures_dir: Path, tmp_path: Path) -> None:
    documents = read_documents([fixtures_dir / "inputs" / "articles", tmp_path / "typo.jsonl"])
    with pytest.raises(InputError, match="typo.jsonl: no such file or folder"):
        next(documents)


def test_an_unsupported_file_type_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "story.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match=r"story\.docx: unsupported file type"):
        check_paths([path])


def test_no_paths_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no input paths given"):
        check_paths([])


# Unusable text files in a folder


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n\t\r\n", "empty file"),
        ("photo.txt", PNG_BYTES, "binary file (contains NUL bytes)"),
    ],
)
def test_unusable_text_file_is_skipped_and_its_neighbours_are_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, data: bytes, reason: str
) -> None:
    (tmp_path / "a-story.txt").write_text(GOOD_ARTICLE, encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    (tmp_path / "z-story.txt").write_text(GOOD_ARTICLE.replace("Tuesday", "Wednesday"), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([tmp_path])
    assert [d.doc_id for d in docs] == ["a-story.txt", "z-story.txt"]
    assert skipped == [Skipped(str(tmp_path / name), reason)]
    assert f"skipped {tmp_path / name}: {reason}" in caplog.messages


def test_text_file_given_directly_is_skipped_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert read([path]) == ([], [Skipped(str(path), "empty file")])


# JSON Lines


def test_bad_jsonl_lines_are_skipped_with_their_line_and_good_lines_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        '{"id": "ok-1", "text": "Ferry sailings to the islands resume on Thursday morning."}',
        '{"id": "x-2", "text": "The pier stays closed"',
        '["not", "an", "object"]',
        '{"id": "x-4", "title": "Headline only"}',
        '{"id": "x-5", "text": "   "}',
        '{"id": "x-6", "text": 42}',
        "",
        '{"id": "ok-8", "text": "Council leader Tomas Hendry said repairs would begin within a fortnight."}',
        "{'id': 'x-9'}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["ok-1", "ok-8"]
    assert [d.source for d in docs] == [f"{path}:1", f"{path}:8"]
    src = str(path)
    assert skipped == [
        Skipped(src, "malformed JSON: Expecting ',' delimiter", 2),
        Skipped(src, "line is not a JSON object", 3),
        Skipped(src, "row has no text in field 'text'", 4),
        Skipped(src, "row has no text in field 'text'", 5),
        Skipped(src, "row has no text in field 'text'", 6),
        Skipped(src, "malformed JSON: Expecting property name enclosed in double quotes", 9),
    ]
    assert f"skipped {path}:3: line is not a JSON object" in caplog.messages


def test_missing_text_names_the_renamed_text_field(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "x-1"}\n{"id": "x-2", "body": ""}\n', encoding="utf-8")
    docs, skipped = read([path], FieldNames(text="body"))
    assert docs == []
    assert skipped == [Skipped(str(path), "row has no text in field 'body'", n) for n in (1, 2)]


def test_a_renamed_text_field_no_row_has_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "x-1", "text": "Not the body field."}\n', encoding="utf-8")
    with pytest.raises(InputError, match="no row has the field 'body' named by --text-field; its fields are id, text"):
        read([path], FieldNames(text="body"))


def test_a_file_that_is_not_gzip_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    path.write_text('{"id": "x-1", "text": "Plain JSON behind a .gz name."}\n', encoding="utf-8")
    docs, (skip,) = read([path])
    assert docs == []
    assert (skip.source, skip.line) == (str(path), None)
    assert skip.reason.startswith("cannot read: Not a gzipped file")


def test_a_truncated_gzip_keeps_the_complete_lines_and_reports_the_file(fixtures_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl.gz"
    data = gzip.compress((fixtures_dir / "inputs" / "wire.jsonl").read_bytes())
    path.write_bytes(data[:-8])  # the CRC and length trailer are lost, as in an interrupted download
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["wire-0001", "wire-0002", "wire-0003"]
    # the line where reading stopped is named (issue 10): here the one after the last complete line
    assert skipped == [
        Skipped(str(path), "cannot read: Compressed file ended before the end-of-stream marker was reached", 4)
    ]


@pytest.mark.parametrize("name", ["empty.jsonl", "empty.jsonl.gz"])
def test_an_empty_jsonl_file_is_skipped_as_empty(tmp_path: Path, name: str) -> None:
    # Issue 2: "Empty files ... are skipped with a warning that names the file, and are listed in
    # manifest.json skipped". An empty .txt is; an empty .jsonl is currently silently ignored.
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
    assert read([path]) == ([], [Skipped(str(path), "empty file")])


# CSV


def test_bad_csv_rows_are_skipped_with_their_line_and_good_rows_read(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "id,text,outlet\n"
        'c-1,"Storm Maren cut power to\ntens of thousands of homes.",Northern Wire\n'
        "c-2,Ferry services resumed,Regional Herald,evening\n"
        "c-3,,Regional Herald\n"
        "c-4,   ,Regional Herald\n"
        "\n"
        "c-6,The pier stays closed until engineers sign it off.\n"
        "c-7,The heritage fund opens on Monday.,Regional Herald\n",
        encoding="utf-8",
    )
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["c-1", "c-7"]
    assert [d.source for d in docs] == [f"{path}:2", f"{path}:9"]
    src = str(path)
    assert skipped == [
        Skipped(src, "row has 4 fields, header has 3", 4),
        Skipped(src, "row has no text in field 'text'", 5),
        Skipped(src, "row has no text in field 'text'", 6),
        Skipped(src, "row has 2 fields, header has 3", 8),
    ]


def test_an_empty_csv_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"")
    assert read([path]) == ([], [Skipped(str(path), "empty CSV (no header row)")])


def test_a_csv_with_nul_bytes_is_skipped_as_binary(tmp_path: Path) -> None:
    # A .txt file with NUL bytes is skipped as binary; the same bytes named .csv currently become
    # a document whose text holds NUL characters.
    path = tmp_path / "export.csv"
    path.write_bytes(b"id,text\nc-1,Storm closes harbour\x00\x00\x00\x00\n")
    assert read([path]) == ([], [Skipped(str(path), "binary file (contains NUL bytes)")])


# Parquet


def test_a_corrupt_parquet_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "archive.parquet"
    path.write_bytes(b"PAR1 this is not really a parquet file PAR1")
    docs, (skip,) = read([path])
    assert docs == []
    assert (skip.source, skip.line) == (str(path), None)
    assert skip.reason.startswith("cannot read Parquet: ")


def test_parquet_rows_without_text_are_skipped_by_row_number(tmp_path: Path) -> None:
    path = tmp_path / "archive.parquet"
    texts = ["Lifeboat volunteers answered four calls.", None, "", "Ferry sailings resume on Thursday."]
    pq.write_table(pa.table({"id": ["p-1", "p-2", "p-3", "p-4"], "text": texts}), path)
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["p-1", "p-4"]
    assert skipped == [
        Skipped(str(path), "row has no text in field 'text'", 2),
        Skipped(str(path), "row has no text in field 'text'", 3),
    ]


# Duplicate ids and sidecars


def test_a_duplicate_row_id_is_skipped_with_its_file_and_line(tmp_path: Path) -> None:
    # manifest.json lists skipped inputs as (source, line, reason): the line belongs in `line`, not
    # glued onto `source` as "feed.jsonl:3" with line null as it is today.
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a", "text": "First copy of the story."}\n'
        '{"id": "b", "text": "Another story."}\n'
        '{"id": "a", "text": "A second story under the same id."}\n',
        encoding="utf-8",
    )
    docs, skipped = read([path])
    assert [d.text for d in docs] == ["First copy of the story.", "Another story."]
    assert skipped == [Skipped(str(path), "duplicate document id 'a' (first one kept)", 3)]


def test_a_duplicate_file_id_across_folders_keeps_the_first(fixtures_dir: Path, tmp_path: Path) -> None:
    # Both folders hold "coastal-gazette.txt"; ids are relative to their folder, so they collide.
    copy = tmp_path / "copy"
    shutil.copytree(fixtures_dir / "inputs" / "articles", copy)
    docs, skipped = read([fixtures_dir / "inputs" / "articles", copy])
    assert [d.doc_id for d in docs] == ["coastal-gazette.txt", "harbour-news.md", "sub/valley-times.txt"]
    assert skipped == [
        Skipped(str(fixtures_dir / "inputs" / "articles" / "editor-notes.rtf"), "type not supported"),
        Skipped(str(copy / "coastal-gazette.txt"), "duplicate document id 'coastal-gazette.txt' (first one kept)"),
        Skipped(str(copy / "editor-notes.rtf"), "type not supported"),
        Skipped(str(copy / "harbour-news.md"), "duplicate document id 'harbour-news.md' (first one kept)"),
        Skipped(str(copy / "sub/valley-times.txt"), "duplicate document id 'sub/valley-times.txt' (first one kept)"),
    ]


def test_bad_sidecar_rows_are_skipped_and_the_documents_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD_ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(GOOD_ARTICLE.replace("Tuesday", "Friday"), encoding="utf-8")
    (tmp_path / "metadata.jsonl").write_text(
        '{"file": "a.txt", "outlet": "Valley Times"}\n{"file": "b.txt", "outlet": \n{"outlet": "Nobody"}\n',
        encoding="utf-8",
    )
    docs, skipped = read([tmp_path])
    assert [(d.doc_id, d.outlet) for d in docs] == [("a.txt", "Valley Times"), ("b.txt", None)]
    sidecar = str(tmp_path / "metadata.jsonl")
    assert skipped == [
        Skipped(sidecar, "malformed JSON: Expecting value", 2),
        Skipped(sidecar, "no file/filename/path/doc_id/id column", 3),
    ]
