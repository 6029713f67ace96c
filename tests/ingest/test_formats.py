"""Every input format prov reads, and the metadata each one carries into a Document."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.config import FieldNames
from provenance.ingest import date_from_header, read_documents
from provenance.records import Document, Skipped

SEED_IDS = [
    "000_1d5ac4fc6d25f897.txt",
    "001_3e4bb9b7a2474284.txt",
    "002_8c94dd9fdb0e72cb.txt",
    "003_687d2cf08bd21f35.txt",
    "004_b0fe4d8c11b7b64b.txt",
]
FOLDER_IDS = ["coastal-gazette.txt", "harbour-news.md", "sub/valley-times.txt"]
WIRE_IDS = ["wire-0001", "wire-0002", "wire-0003"]


@pytest.fixture
def inputs(fixtures_dir: Path) -> Path:
    return fixtures_dir / "inputs"


def read(paths: list[Path], fields: FieldNames | None = None) -> tuple[list[Document], list[Skipped]]:
    items = list(read_documents(paths, fields))
    docs = [item for item in items if isinstance(item, Document)]
    return docs, [item for item in items if isinstance(item, Skipped)]


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {doc.doc_id: doc for doc in docs}


# Folders of plain-text documents


def test_folder_is_read_recursively_with_posix_ids_relative_to_the_folder(inputs: Path) -> None:
    folder = inputs / "articles"
    docs, skipped = read([folder])
    # metadata.csv, sub/metadata.jsonl (sidecars) and editor-notes.rtf (not a document type) are not documents
    assert [d.doc_id for d in docs] == FOLDER_IDS
    assert [d.index for d in docs] == [0, 1, 2]
    assert [d.source for d in docs] == [str(folder / doc_id) for doc_id in FOLDER_IDS]
    assert skipped == [Skipped(str(folder / "editor-notes.rtf"), "type not supported")]


def test_folder_documents_keep_their_text_exactly(inputs: Path) -> None:
    folder = inputs / "articles"
    docs, _ = read([folder])
    for doc in docs:
        assert doc.text == (folder / doc.doc_id).read_text(encoding="utf-8")


def test_seed_ids_are_file_names_and_the_date_header_of_seed_004_is_read(seeds_dir: Path) -> None:
    docs, skipped = read([seeds_dir])
    assert [d.doc_id for d in docs] == SEED_IDS
    assert [d.date for d in docs] == [None, None, None, None, "2017-05-20"]
    assert skipped == []


def test_sidecar_csv_gives_metadata_by_file_name_and_passes_other_columns_through(inputs: Path) -> None:
    docs = by_id(read([inputs / "articles"])[0])
    gazette = docs["coastal-gazette.txt"]
    assert gazette.outlet == "Coastal Gazette"
    assert gazette.title == "Storm Maren batters the coast as harbour shuts"
    assert gazette.url == "https://gazette.example.org/2024/02/12/storm-maren"
    assert gazette.extra == (("section", "News"),)
    harbour = docs["harbour-news.md"]
    assert (harbour.outlet, harbour.date) == ("Harbour News", "2024-02-14")
    assert harbour.extra == (("section", "Local"),)


def test_sidecar_jsonl_in_a_subfolder_describes_the_files_beside_it(inputs: Path) -> None:
    valley = by_id(read([inputs / "articles"])[0])["sub/valley-times.txt"]
    assert (valley.outlet, valley.date, valley.url) == ("Valley Times", "2024-02-13", None)
    assert valley.title == "Valley rail line reopens after storm damage"
    # the key column ("file") names the document; it is not a pass-through field
    assert valley.extra == (("byline", "Staff reporter"),)


def test_date_header_fills_the_date_when_the_sidecar_has_none(inputs: Path) -> None:
    gazette = by_id(read([inputs / "articles"])[0])["coastal-gazette.txt"]
    assert gazette.date == "2024-02-12"
    assert gazette.text.startswith("date 2024-02-12\n")  # the header stays part of the original text


def test_hidden_files_are_passed_over_and_other_types_listed_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "story.txt").write_text("Fishing crews returned to the north pier on Friday.", encoding="utf-8")
    (tmp_path / ".draft.txt").write_text("An unfinished draft the editor has not seen.", encoding="utf-8")
    (tmp_path / "layout.indd").write_text("page layout", encoding="utf-8")
    for n in range(50):
        (tmp_path / f"scan-{n:02d}.pdf").write_bytes(b"%PDF-1.4")
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs, skipped = read([tmp_path])
    assert [d.doc_id for d in docs] == ["story.txt"]
    assert [s.source for s in skipped] == sorted(str(p) for p in tmp_path.glob("[ls]*.*") if p.suffix != ".txt")
    assert {s.reason for s in skipped} == {"type not supported"}
    assert caplog.messages == [
        f"{tmp_path}: 51 files of a type prov does not read (.pdf 50, .indd 1) passed over, listed as skipped"
    ]


def test_a_single_text_file_is_a_document_named_after_the_file(inputs: Path) -> None:
    docs, skipped = read([inputs / "articles" / "sub" / "valley-times.txt"])
    assert [d.doc_id for d in docs] == ["valley-times.txt"]
    assert skipped == []


def test_a_single_text_file_takes_metadata_from_the_sidecar_beside_it(inputs: Path) -> None:
    # README: "Plain-text documents take metadata from a sidecar metadata.csv or metadata.jsonl
    # beside them" -- also when the file is given on its own rather than through its folder.
    (doc,), _ = read([inputs / "articles" / "harbour-news.md"])
    assert (doc.outlet, doc.date, doc.title) == (
        "Harbour News",
        "2024-02-14",
        "Council approves emergency harbour repairs",
    )


@pytest.mark.parametrize(
    ("text", "date"),
    [
        (" date 2017-05-20 Iraq's special forces have declared their mission complete", "2017-05-20"),
        ("date 2024-02-12\nStorm Maren batters the coast", "2024-02-12"),
        ("Date: 2023-11-30\n\nCouncil tax to rise", "2023-11-30"),
        ("DATED 2021-02-09 From the archive", "2021-02-09"),
        ("The date 2017-05-20 was chosen for the vote", None),
        ("Storm Maren batters the coast\ndate 2024-02-12", None),
        ("date 20 May 2017 Iraq's special forces", None),
    ],
)
def test_date_header_is_only_an_iso_date_opening_the_text(text: str, date: str | None) -> None:
    assert date_from_header(text) == date


# One document per row: JSONL (plain and gzipped), CSV, Parquet


def test_jsonl_rows_carry_metadata_and_extra_fields_as_text(inputs: Path) -> None:
    path = inputs / "wire.jsonl"
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == WIRE_IDS
    assert [d.source for d in docs] == [f"{path}:1", f"{path}:2", f"{path}:3"]
    assert skipped == []
    first = docs[0]
    assert (first.outlet, first.date, first.title, first.url) == (
        "Northern Wire",
        "2024-02-12",
        "Storm cuts power to thousands on the coast",
        "https://wire.example.com/stories/0001",
    )
    assert first.text == json.loads(path.read_text(encoding="utf-8").splitlines()[0])["text"]
    # lists and numbers become JSON text, in the field order of the row
    assert first.extra == (("section", "Weather"), ("tags", '["storm", "power cuts"]'), ("word_count", "112"))
    assert docs[2].extra == (("section", "Business"), ("tags", "[]"), ("word_count", "51"))


def test_gzipped_jsonl_reads_like_the_plain_file(inputs: Path, tmp_path: Path) -> None:
    plain = inputs / "wire.jsonl"
    packed = tmp_path / "wire.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    plain_docs, _ = read([plain])
    packed_docs, skipped = read([packed])
    assert skipped == []
    assert [(d.doc_id, d.text, d.outlet, d.date, d.extra) for d in packed_docs] == [
        (d.doc_id, d.text, d.outlet, d.date, d.extra) for d in plain_docs
    ]
    assert [d.source for d in packed_docs] == [f"{packed}:1", f"{packed}:2", f"{packed}:3"]


def test_gzipped_jsonl_fixture(inputs: Path) -> None:
    docs, skipped = read([inputs / "archive.jsonl.gz"])
    assert [d.doc_id for d in docs] == ["archive-2011-0042", "archive-2024-0007"]
    assert [d.extra for d in docs] == [(("edition", "weekend"),), (("edition", "weekend"),)]
    assert docs[1].date == "2024-02-16"
    assert skipped == []


@pytest.mark.parametrize("name", ["feed.ndjson", "feed.ndjson.gz", "FEED.JSONL"])
def test_ndjson_suffixes_and_upper_case_names_are_jsonl(inputs: Path, tmp_path: Path, name: str) -> None:
    data = (inputs / "wire.jsonl").read_bytes()
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    docs, skipped = read([tmp_path / name])
    assert [d.doc_id for d in docs] == WIRE_IDS
    assert skipped == []


def test_csv_rows_keep_multi_line_text_and_number_rows_by_their_first_line(inputs: Path) -> None:
    path = inputs / "regional.csv"
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["rg-101", "rg-102"]
    # rg-101's quoted text spans lines 2-6, so rg-102 starts on line 7
    assert [d.source for d in docs] == [f"{path}:2", f"{path}:7"]
    assert docs[0].text.startswith("Storm Maren: what we know so far\n\nThe storm brought gusts")
    assert docs[0].text.count("\n\n") == 2
    assert (docs[0].outlet, docs[0].date, docs[0].url) == (
        "Regional Herald",
        "2024-02-12",
        "https://herald.example.org/storm-maren-live",
    )
    assert [d.extra for d in docs] == [(("edition", "evening"),), (("edition", "morning"),)]
    assert skipped == []


def test_csv_with_a_utf8_bom_keeps_its_first_column_name(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbfid,text\nx-1,Harbour traders count the cost of the storm.\n")
    (doc,), skipped = read([path])
    assert (doc.doc_id, doc.text) == ("x-1", "Harbour traders count the cost of the storm.")
    assert skipped == []


def test_parquet_rows_with_metadata_and_extra_fields(tmp_path: Path) -> None:
    path = tmp_path / "archive.parquet"
    table = pa.table(
        {
            "id": ["pq-1", "pq-2"],
            "text": ["Lifeboat volunteers answered four calls before dawn.", "The north pier will stay closed."],
            "outlet": ["Coastal Gazette", None],
            "date": ["2024-02-12", "2024-02-14"],
            "page": pa.array([4, 11], pa.int32()),
            "section": ["News", None],
        }
    )
    pq.write_table(table, path)
    docs, skipped = read([path])
    assert [(d.doc_id, d.outlet, d.date, d.source) for d in docs] == [
        ("pq-1", "Coastal Gazette", "2024-02-12", f"{path}:1"),
        ("pq-2", None, "2024-02-14", f"{path}:2"),
    ]
    assert docs[0].extra == (("page", "4"), ("section", "News"))
    assert skipped == []


def test_parquet_date_and_timestamp_columns_become_plain_iso_text(tmp_path: Path) -> None:
    # Parquet files usually store dates as date32/timestamp columns, not strings. Their values must
    # reach the report as the date itself, not as a JSON-quoted string such as '"2024-02-12"'.
    path = tmp_path / "typed.parquet"
    table = pa.table(
        {
            "id": ["pq-1"],
            "text": ["Ferry services were suspended until at least Wednesday."],
            "date": pa.array([dt.date(2024, 2, 12)], pa.date32()),
            "published_at": pa.array([dt.datetime(2024, 2, 12, 6, 30)], pa.timestamp("s")),
        }
    )
    pq.write_table(table, path)
    (doc,), _ = read([path])
    assert doc.date == "2024-02-12"
    assert dict(doc.extra)["published_at"] in ("2024-02-12T06:30:00", "2024-02-12 06:30:00")


def test_field_names_can_be_renamed(tmp_path: Path) -> None:
    path = tmp_path / "cms-export.jsonl"
    row = {
        "uid": "cms-77",
        "body": "Sandbags were still piled against cafe doors on Quay Street on Monday morning.",
        "publisher": "Harbour News",
        "published": "2024-02-13",
        "headline": "Quay Street cleans up",
        "link": "https://harbournews.example.net/quay-street",
        "desk": "City",
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    fields = FieldNames(id="uid", text="body", outlet="publisher", date="published", title="headline", url="link")
    (doc,), skipped = read([path], fields)
    assert (doc.doc_id, doc.text, doc.outlet, doc.date, doc.title, doc.url) == (
        "cms-77",
        row["body"],
        "Harbour News",
        "2024-02-13",
        "Quay Street cleans up",
        "https://harbournews.example.net/quay-street",
    )
    assert doc.extra == (("desk", "City"),)
    assert skipped == []


def test_rows_without_an_id_are_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a-1", "text": "Ferry sailings resume on Thursday."}\n'
        '{"text": "Schools reopen on Tuesday if the power is back."}\n',
        encoding="utf-8",
    )
    docs, _ = read([path])
    assert [d.doc_id for d in docs] == ["a-1", "feed.jsonl:2"]


def test_several_paths_are_read_in_the_order_given_with_dense_indexes(inputs: Path) -> None:
    paths = [inputs / "wire.jsonl", inputs / "articles", inputs / "regional.csv", inputs / "archive.jsonl.gz"]
    docs, skipped = read(paths)
    assert [d.doc_id for d in docs] == [
        *WIRE_IDS,
        *FOLDER_IDS,
        "rg-101",
        "rg-102",
        "archive-2011-0042",
        "archive-2024-0007",
    ]
    assert [d.index for d in docs] == list(range(10))
    assert skipped == [Skipped(str(inputs / "articles" / "editor-notes.rtf"), "type not supported")]
