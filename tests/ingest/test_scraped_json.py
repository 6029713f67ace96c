"""news-please and trafilatura output: .json files (one article, or an array) and JSON Lines rows
with those tools' field names, read without any --*-field option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.config import FieldNames
from provenance.ingest import read_documents
from provenance.records import Document, Skipped

SCRAPED = Path(__file__).parents[2] / "fixtures" / "scraped"


def read(paths: list[Path], fields: FieldNames | None = None) -> tuple[list[Document], list[Skipped]]:
    items = list(read_documents(paths, fields))
    return [d for d in items if isinstance(d, Document)], [s for s in items if isinstance(s, Skipped)]


def test_news_please_files_give_text_date_outlet_and_the_url_as_id() -> None:
    docs, skipped = read([SCRAPED / "news-please"])
    assert skipped == []
    first = docs[0]
    article = json.loads((SCRAPED / "news-please" / "harbourcourier-trawler-sinks.json").read_text(encoding="utf-8"))
    assert first.doc_id == first.url == article["url"]
    assert first.text == article["maintext"]
    assert (first.outlet, first.date, first.title) == (
        "www.harbourcourier.example",
        "2017-03-07 22:40:00",
        "Two fishermen missing after trawler sinks",
    )
    extra = dict(first.extra)
    assert extra["authors"] == '["Maria Keane"]' and extra["language"] == "en"
    assert extra["description"].startswith("Two fishermen are missing")
    assert "text" not in extra and "maintext" not in extra  # the empty "text": null is not passed on


def test_a_trafilatura_array_gives_one_document_per_article() -> None:
    docs, skipped = read([SCRAPED / "trafilatura.json"])
    assert skipped == []
    assert [(d.doc_id, d.outlet, d.date, d.source) for d in docs] == [
        (
            "https://coastpost.example/world/trawler-sinks-cape-rendell",
            "The Coast Post",
            "2017-03-08",
            f"{SCRAPED / 'trafilatura.json'}:1",
        ),
        (
            "https://northernstar.example/2017/03/09/life-raft",
            "Northern Star",
            "2017-03-09",
            f"{SCRAPED / 'trafilatura.json'}:2",
        ),
    ]
    assert docs[0].text.startswith("By Coast Post staff and AP\n\n")
    assert "raw_text" not in dict(docs[0].extra) and dict(docs[0].extra)["hostname"] == "coastpost.example"


def test_jsonl_rows_with_news_please_names_are_read_too(tmp_path: Path) -> None:
    row = {"maintext": "Ferry sailings resume on Thursday.", "source_domain": "x.example", "url": "https://x.example/1"}
    (tmp_path / "feed.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (doc,), _ = read([tmp_path / "feed.jsonl"])
    assert (doc.doc_id, doc.text, doc.outlet) == ("https://x.example/1", row["maintext"], "x.example")


def test_a_named_field_turns_the_fallbacks_for_it_off(tmp_path: Path) -> None:
    row = {"maintext": "Not this.", "body": "Ferry sailings resume on Thursday.", "url": "https://x.example/1"}
    (tmp_path / "feed.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (doc,), _ = read([tmp_path / "feed.jsonl"], FieldNames(text="body"))
    assert doc.text == row["body"] and dict(doc.extra)["maintext"] == "Not this."


def test_a_source_that_is_not_a_url_is_not_taken_for_one(tmp_path: Path) -> None:
    row = {"id": "a-1", "text": "Ferry sailings resume on Thursday.", "source": "Reuters"}
    (tmp_path / "feed.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (doc,), _ = read([tmp_path / "feed.jsonl"])
    assert doc.url is None and dict(doc.extra)["source"] == "Reuters"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", [("empty file", None)]),
        (
            '[1, {"title": "t"}]',
            [
                ("array item is not a JSON object", 1),
                (
                    "no row has a text field ('text' or 'maintext'); name it with --text-field (its fields are title)",
                    None,
                ),
            ],
        ),
        ('"just text"', [("not a JSON object or an array of objects", None)]),
        ("[{", [("malformed JSON: Expecting property name enclosed in double quotes", None)]),
    ],
)
def test_bad_json_files_are_skipped_with_a_reason(tmp_path: Path, content: str, expected: list) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    docs, skipped = read([path])
    assert docs == [] and [(s.reason, s.line) for s in skipped] == expected
