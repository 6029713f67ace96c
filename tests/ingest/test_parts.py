"""Files of rows read on the workers (``provenance/ingest/parts.py``) give what a one-process read
gives: the same documents (ids, fallback ids with their line numbers, dates), the same skipped
rows with the same lines, the same warnings, and the same errors, however a JSON Lines file is
cut into parts."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.config import FieldNames, InputLimits
from provenance.errors import InputError
from provenance.ingest import parts as parts_module
from provenance.ingest import read_documents
from provenance.ingest.parts import TablePart, read_parts, table_parts
from provenance.ingest.policy import IngestPolicy
from provenance.records import Document, Skipped

LIMITS = InputLimits(max_doc_bytes=300)


def messy_lines() -> list[bytes]:
    """Lines of a scraped feed at its worst: rows held back before the first with a text field,
    malformed JSON, blank lines, a row with no id (named by its line), a duplicate id, a NUL in a
    field, a line over the size limit, a Latin-1 line, CRLF ends, a nested value."""
    lines = [
        json.dumps({"id": "meta", "kind": "header"}),  # no text field yet: held back
        "{not json",
        "",
        json.dumps({"id": "m2", "note": "still no text"}),
        json.dumps({"id": "a1", "text": "Ferry sailings resume on Thursday", "date": "2017-07-03"}),
        json.dumps({"id": "no-text-after", "note": "no text"}),
        json.dumps({"text": "A row with no id is named by its line", "outlet": "Herald"}),
        json.dumps({"id": "a1", "text": "duplicate id, first one kept"}),
        json.dumps({"id": "nul", "text": "bad\u0000byte"}),
        json.dumps({"id": "big", "text": "x" * 400}),
        "   ",
        json.dumps({"id": "nested", "text": "Talks go on", "tags": {"a": [1, 2]}, "date": "sometime"}),
        "[1, 2]",
    ]
    out = [line.encode() for line in lines]
    out.append(json.dumps({"id": "latin", "text": "Café opens"}, ensure_ascii=False).encode("latin-1"))
    out.append(json.dumps({"id": "crlf", "text": "Windows line end"}).encode() + b"\r")
    return out


def write_lines(path: Path, lines: list[bytes], repeat: int = 1, final_newline: bool = True) -> Path:
    body = []
    for k in range(repeat):
        for line in lines:
            body.append(line.replace(b'"id": "', f'"id": "{k}-'.encode()) if k else line)
    data = b"\n".join(body) + (b"\n" if final_newline else b"")
    path.write_bytes(data)
    return path


def sequential(paths: list[Path], **kw) -> list[Document | Skipped]:
    return list(read_documents(paths, workers=1, **kw))


def in_parts(paths: list[Path], part_bytes: int, workers: int = 1, fields: FieldNames | None = None) -> list:
    policy = IngestPolicy(fields or FieldNames(), LIMITS)
    items = (part for path in paths for part in table_parts(path, "jsonl", None, True, part_bytes))
    return list(policy.documents(read_parts(items, policy, workers)))


@pytest.mark.parametrize("part_bytes", [1, 7, 64, 200, 10_000])
def test_a_file_cut_in_parts_reads_as_a_whole(tmp_path: Path, part_bytes: int, caplog) -> None:
    path = write_lines(tmp_path / "feed.jsonl", messy_lines(), repeat=3, final_newline=False)
    with caplog.at_level(logging.WARNING, logger="provenance"):
        whole = sequential([path], limits=LIMITS)
    whole_logs = [r.getMessage() for r in caplog.records]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="provenance"):
        cut = in_parts([path], part_bytes)
    assert cut == whole
    assert sorted(r.getMessage() for r in caplog.records) == sorted(whole_logs)
    docs = [d for d in whole if isinstance(d, Document)]
    assert any(d.doc_id == "feed.jsonl:7" for d in docs)  # the fallback id names the line
    assert sum("not UTF-8" in m for m in whole_logs) == 1  # once per file, however many parts
    assert any(isinstance(s, Skipped) and s.line == 1 for s in whole)  # the held-back header row


def test_small_inputs_are_read_here_and_big_ones_on_the_workers(tmp_path: Path, monkeypatch) -> None:
    pools: list[int] = []
    real_pool = parts_module.ForkPool
    monkeypatch.setattr(parts_module, "ForkPool", lambda n: pools.append(n) or real_pool(n))
    small = [write_lines(tmp_path / f"{k}.jsonl", messy_lines()) for k in range(3)]
    assert list(read_documents(small, limits=LIMITS, workers=2)) == sequential(small, limits=LIMITS)
    assert pools == []
    monkeypatch.setattr(parts_module, "POOL_FROM", 2 * len(small[0].read_bytes()))
    assert list(read_documents(small, limits=LIMITS, workers=2)) == sequential(small, limits=LIMITS)
    assert pools == [2]  # started at the third file


def test_parts_on_two_workers_read_as_one_process(tmp_path: Path) -> None:
    a = write_lines(tmp_path / "a.jsonl", messy_lines(), repeat=40)
    b = write_lines(tmp_path / "b.jsonl", messy_lines(), repeat=5)
    parts = list(table_parts(a, "jsonl", None, True, 500))
    assert len(parts) > 4 and parts[-1].last and not parts[0].last
    assert in_parts([a, b], 500, workers=2) == sequential([a, b], limits=LIMITS)


def test_part_line_numbers_count_the_line_ends_before_them(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "f.jsonl", messy_lines(), repeat=20)
    data = path.read_bytes()
    parts = list(table_parts(path, "jsonl", None, True, 300))
    assert parts[0].start == 0 and parts[-1].end == len(data)
    for before, after in zip(parts, parts[1:], strict=False):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"
        assert after.first_line == data[: after.start].count(b"\n") + 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_named_field_in_no_row_is_the_same_error(tmp_path: Path, workers: int) -> None:
    path = write_lines(tmp_path / "f.jsonl", messy_lines(), repeat=10)
    fields = FieldNames(title="headline")
    with pytest.raises(InputError) as whole:
        sequential([path], fields=fields, limits=LIMITS)
    with pytest.raises(InputError) as cut:
        in_parts([path], 200, workers, fields)
    assert str(cut.value) == str(whole.value)
    assert "no row has the field 'headline'" in str(cut.value)


def test_a_file_without_a_text_field_or_text_is_one_skip(tmp_path: Path) -> None:
    no_text = tmp_path / "no_text.jsonl"
    no_text.write_text("\n".join(json.dumps({"id": str(i), "body": "words"}) for i in range(300)) + "\n")
    blank = tmp_path / "blank.jsonl"
    blank.write_text(" \n\n \t\n" * 2000)
    for path in (no_text, blank):
        whole = sequential([path], limits=LIMITS)
        assert in_parts([path], 100) == whole
        assert len(whole) == 1 and isinstance(whole[0], Skipped)
    assert "empty file" in sequential([blank])[0].reason


def test_binary_utf16_gzipped_and_small_files_are_one_part(tmp_path: Path) -> None:
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\x00" * 5000)
    utf16 = tmp_path / "u.jsonl"  # its line ends are two bytes: cut at b"\n" it would not decode
    utf16.write_text('{"id": "x", "text": "y"}\n' * 300, encoding="utf-16")
    gz = tmp_path / "g.jsonl.gz"
    gz.write_bytes(b"\x1f\x8b" + b"\n" * 5000)
    small = write_lines(tmp_path / "s.jsonl", messy_lines())
    for path, part_bytes in ((binary, 100), (utf16, 100), (gz, 100), (small, len(small.read_bytes()) // 2 + 1)):
        assert [p.whole for p in table_parts(path, "jsonl", None, True, part_bytes)] == [True]
        assert in_parts([path], part_bytes) == sequential([path], limits=LIMITS)


def test_a_folder_of_row_files_reads_alike_on_two_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[int] = []
    real_pool = parts_module.ForkPool

    def counted(workers: int):
        pools.append(workers)
        return real_pool(workers)

    monkeypatch.setattr(parts_module, "POOL_FROM", 0)  # every file on the workers, however small
    monkeypatch.setattr(parts_module, "ForkPool", counted)
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write_lines(folder / "a.jsonl", messy_lines(), repeat=30)
    write_lines(folder / "sub" / "a.jsonl", messy_lines(), repeat=2)  # ids by path: sub/a.jsonl:7
    (folder / "c.csv").write_text("id,text,outlet\nc1,Rain in the north,Herald\n,Row without id,Post\nc1,dup,X\n")
    (folder / "note.txt").write_text("A plain text file among them.")
    (folder / "broken.json").write_text("{")
    whole = list(read_documents([folder], limits=LIMITS, workers=1))
    parallel = list(read_documents([folder], limits=LIMITS, workers=2))
    assert parallel == whole
    assert pools == [2]
    assert {d.doc_id for d in whole if isinstance(d, Document)} >= {"sub/a.jsonl:7", "c.csv:3", "note.txt"}


def test_a_big_file_is_cut_when_read_on_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import provenance.ingest as ingest

    made: list[TablePart] = []

    def small_parts(path: Path, kind: str, name: str | None, split: bool) -> list[TablePart]:
        parts = list(table_parts(path, kind, name, split, 1000))
        made.extend(parts)
        return parts

    monkeypatch.setattr(ingest, "table_parts", small_parts)
    path = write_lines(tmp_path / "f.jsonl", messy_lines(), repeat=10)
    whole = list(read_documents([path], limits=LIMITS, workers=1))
    assert [p.whole for p in made] == [True]  # one process reads the file whole, uncut
    made.clear()
    assert list(read_documents([path], limits=LIMITS, workers=2)) == whole
    assert len(made) > 3 and all(not p.whole for p in made)


JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12))
FIELDS = {"id": st.sampled_from(["a", "b", "", "c"]), "text": JSON_VALUES, "date": JSON_VALUES, "x": JSON_VALUES}
ROW = st.fixed_dictionaries({}, optional=FIELDS)
LINE = st.one_of(ROW.map(lambda r: json.dumps(r).encode()), st.sampled_from([b"", b"{", b"  ", b"[]", b"\xff\xfe{}"]))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, max_size=40), part_bytes=st.integers(1, 120), end=st.booleans())
def test_any_cut_of_any_lines_reads_as_the_whole_file(tmp_path: Path, lines: list[bytes], part_bytes: int, end: bool):
    path = write_lines(tmp_path / "p.jsonl", lines, final_newline=end)
    assert in_parts([path], part_bytes) == sequential([path], limits=LIMITS)


def test_a_file_that_shrinks_while_cut_ends_the_parts(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "f.jsonl", messy_lines(), repeat=20)
    cut = table_parts(path, "jsonl", None, True, 500)
    first = next(cut)
    path.write_text(json.dumps({"id": "x", "text": "short"}) + "\n")  # rotated under the scan
    rest = list(cut)  # ends: no endless empty parts
    assert not first.last and rest[-1].last and len(rest) < 10  # what was buffered, then the end


def test_a_file_replaced_while_read_stops_with_one_skip(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "f.jsonl", messy_lines(), repeat=20)
    parts = list(table_parts(path, "jsonl", None, True, 500))
    path.write_bytes(path.read_bytes())  # the same bytes, a new file's time
    policy = IngestPolicy(FieldNames(), LIMITS)
    out = list(read_parts(iter(parts[:1] + [parts[1]] + parts[2:]), policy))
    stops = [s for s in out if isinstance(s, Skipped) and s.reason == parts_module.CHANGED]
    assert len(stops) == 1 and stops[0].line == parts[0].first_line
    assert not any(isinstance(s, Skipped) and s.reason == "empty file" for s in out)


@pytest.mark.parametrize("workers", [1, 2])
def test_rows_before_a_named_field_error_come_first(tmp_path: Path, monkeypatch, workers: int) -> None:
    monkeypatch.setattr(parts_module, "POOL_FROM", 0)
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("id,text\n" + "".join(f"r{i},Text number {i}\n" for i in range(50)))
    other = tmp_path / "b.csv"
    other.write_text("id,text,headline\nb1,more,Headline\n")
    seen: list = []
    with pytest.raises(InputError, match="headline"):
        policy = IngestPolicy(FieldNames(title="headline"), LIMITS)
        for item in read_parts(
            (part for p in (other, csv_file) for part in table_parts(p, "csv", None, True)), policy, workers
        ):
            seen.append(item)
    assert len(seen) == 51  # b.csv's row, then a.csv's 50 rows, and then its error


def test_big_gzipped_and_parquet_files_are_streamed_here(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (2 * parts_module.PART_BYTES + 1))
    for path, kind in ((big, "csv"), (tmp_path / "s.jsonl.gz", "jsonl"), (tmp_path / "s.parquet", "parquet")):
        (part,) = table_parts(path, kind, None, True)
        assert not parts_module._for_workers(part)
    small = write_lines(tmp_path / "s.jsonl", messy_lines())
    assert all(parts_module._for_workers(part) for part in table_parts(small, "jsonl", None, True))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_named_field_first_seen_in_a_later_part_is_no_error(tmp_path: Path, workers: int) -> None:
    rows = [{"id": f"r{i}", "text": f"Story number {i}"} for i in range(60)]
    rows[-1]["headline"] = "Only the last row has one"
    path = tmp_path / "f.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    fields = FieldNames(title="headline")
    assert len(list(table_parts(path, "jsonl", None, True, 300))) > 3
    whole = sequential([path], fields=fields, limits=LIMITS)
    assert in_parts([path], 300, workers, fields) == whole
    assert [d.title for d in whole if isinstance(d, Document)][-1] == "Only the last row has one"
