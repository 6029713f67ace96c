"""Bytes to text: UTF-8 (with or without BOM), a Windows-1252 fallback with a warning, and
corrupt bytes reported with the line they are on."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from provenance.ingest import decode, read_documents
from provenance.ingest.decode import Decoded, decode_bytes, looks_binary, read_capped
from provenance.records import Document, Skipped

# Typographic quotes, a dash and the euro sign are where cp1252 and Latin-1 differ.
LEGACY = "Caf\u00e9 owners\u2019 \u201cfair\u201d price \u2014 \u20ac5 a bowl, said Ms Brody in Z\u00fcrich."
# Valid UTF-8 on line 1, a stray Latin-1 byte on line 3: corrupt, not a legacy file.
CORRUPT = "Z\u00fcrich caf\u00e9 owners said\nthe storm had passed\nbut the pier was ".encode() + b"\xe9troit\n"


def read(paths: list[Path]) -> tuple[list[Document], list[Skipped]]:
    items = list(read_documents(paths))
    docs = [item for item in items if isinstance(item, Document)]
    return docs, [item for item in items if isinstance(item, Skipped)]


# decode_bytes


def test_utf8_is_taken_as_is() -> None:
    text = "Z\u00fcrich \u2014 \u201cquoted\u201d \u65e5\u672c"
    assert decode_bytes(text.encode()) == Decoded(text, "utf-8")


def test_a_utf8_bom_is_removed() -> None:
    assert decode_bytes(b"\xef\xbb\xbfdate 2024-02-12 Storm Maren") == Decoded(
        "date 2024-02-12 Storm Maren", "utf-8-sig"
    )


def test_utf16_with_a_bom_is_decoded() -> None:
    decoded = decode_bytes("Z\u00fcrich harbour\n".encode("utf-16"))
    assert (decoded.text, decoded.encoding) == ("Z\u00fcrich harbour\n", "utf-16")


def test_bytes_without_any_utf8_sequence_are_read_as_cp1252() -> None:
    assert decode_bytes(LEGACY.encode("cp1252")) == Decoded(LEGACY, "cp1252")


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    # 0x81 has no cp1252 character; Latin-1 maps every byte
    assert decode_bytes(b"caf\xe9 \x81") == Decoded("caf\xe9 \x81", "latin-1")


def test_mixed_valid_and_invalid_utf8_is_corrupt_and_names_the_line_and_byte() -> None:
    offset = CORRUPT.index(b"\xe9troit")
    assert decode_bytes(CORRUPT) == Decoded(None, None, f"undecodable bytes (not utf-8) at byte {offset}", 3)


def test_a_bad_byte_on_the_first_line_is_line_1() -> None:
    data = "\u00fcber ".encode() + b"\xff"
    assert decode_bytes(data).line == 1


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True),
        (b"plain text\n", False),
        ("Z\u00fcrich".encode("utf-16-le"), True),  # no BOM: indistinguishable from binary
        ("Z\u00fcrich".encode("utf-16"), False),  # with a BOM it is text
    ],
)
def test_looks_binary(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary


# Through read_documents: what the user sees


def test_a_utf8_bom_file_has_no_bom_in_its_text_and_its_date_header_is_read(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(b"\xef\xbb\xbfdate 2024-02-12\nStorm Maren batters the coast.\n")
    (doc,), skipped = read([path])
    assert doc.text == "date 2024-02-12\nStorm Maren batters the coast.\n"
    assert doc.date == "2024-02-12"
    assert skipped == []


def test_a_cp1252_text_file_is_read_with_a_warning_naming_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(LEGACY.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="provenance"):
        (doc,), skipped = read([path])
    assert doc.text == LEGACY
    assert skipped == []
    assert caplog.messages == [f"{path}: not UTF-8, read as cp1252"]


def test_a_utf8_text_file_logs_no_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "modern.txt"
    path.write_text(LEGACY, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="provenance"):
        (doc,), _ = read([path])
    assert doc.text == LEGACY
    assert caplog.messages == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("legacy.csv", f'id,text\nl-1,"{LEGACY}"\n'.encode("cp1252")),
        ("legacy.jsonl", f'{{"id": "l-1", "text": "{LEGACY}"}}\n'.encode("cp1252")),
    ],
    ids=["csv", "jsonl"],
)
def test_a_cp1252_table_is_read_with_a_warning_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, data: bytes
) -> None:
    # README: "files ... that are not valid UTF-8 are read as Windows-1252 with a warning" --
    # today only .txt/.md files warn; CSV and JSONL fall back silently.
    path = tmp_path / name
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="provenance"):
        (doc,), skipped = read([path])
    assert doc.text == LEGACY
    assert skipped == []
    assert any(str(path) in message and "cp1252" in message for message in caplog.messages), caplog.messages


def test_a_corrupt_text_file_is_skipped_with_its_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "corrupt.txt"
    path.write_bytes(CORRUPT)
    (tmp_path / "fine.txt").write_text(LEGACY, encoding="utf-8")
    offset = CORRUPT.index(b"\xe9troit")
    reason = f"undecodable bytes (not utf-8) at byte {offset}"
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([tmp_path])
    assert [d.doc_id for d in docs] == ["fine.txt"]
    assert skipped == [Skipped(str(path), reason, 3)]
    assert f"skipped {path}:3: {reason}" in caplog.messages


def test_a_corrupt_jsonl_line_is_skipped_and_the_other_lines_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    good = '{"id": "ok-%d", "text": "Z\u00fcrich harbour reopens."}\n'
    bad = '{"id": "bad", "text": "Z\u00fcrich caf'.encode() + b'\xe9"}\n'
    path.write_bytes((good % 1).encode() + bad + (good % 3).encode())
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["ok-1", "ok-3"]
    offset = bad.index(b"\xe9")  # the offset is counted within the line
    assert skipped == [Skipped(str(path), f"undecodable bytes (not utf-8) at byte {offset}", 2)]


def test_a_corrupt_csv_is_skipped_with_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    data = "id,text\nc-1,Z\u00fcrich harbour reopens.\nc-2,caf".encode() + b"\xe9 owners\n"
    path.write_bytes(data)
    docs, skipped = read([path])
    assert docs == []
    offset = data.index(b"\xe9")
    assert skipped == [Skipped(str(path), f"undecodable bytes (not utf-8) at byte {offset}", 3)]


def test_a_file_is_read_whole_up_to_its_limit_and_refused_past_it(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert read_capped(path, 100, "document") == (b"x" * 100, None)
    data, problem = read_capped(path, 99, "document")
    assert data is None and problem is not None and "99" in problem


def test_a_file_larger_than_its_size_said_is_read_whole_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grew after it was opened (its size said 10 bytes): read on past the size, in
    pieces, up to the limit and no further."""
    path = tmp_path / "growing.txt"
    body = bytes(range(256)) * 800  # 204,800 bytes: several pieces of 64 KiB
    path.write_bytes(body)
    real_fstat = os.fstat
    monkeypatch.setattr(decode.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))
    assert read_capped(path, len(body), "document") == (body, None)
    data, problem = read_capped(path, 150_000, "document")
    assert data is None and problem is not None


def test_a_file_whose_size_is_unknown_is_read(tmp_path: Path) -> None:
    """Files in /proc say they hold 0 bytes."""
    data, problem = read_capped(Path("/proc/self/status"), 1 << 20, "document")
    assert problem is None and data is not None and b"Name:" in data
