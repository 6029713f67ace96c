"""The generator's web pages and web archive (``generate.py --html --warc``), and the reading the
HTML benchmark measures, on a few rows: seconds, no Reuters corpus needed."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import html_bench, webpages
from provenance.ingest import read_documents
from provenance.records import Document

ROWS = [
    {
        "id": f"doc-{i}",
        "outlet": outlet,
        "date": f"2024-03-0{i + 1}",
        "title": f"Harbour board meeting number {i}",
        "text": f"The harbour board met on day {i} and agreed to dredge the eastern channel before the summer.\n"
        "Shipping lines had asked for deeper water for two years, the board's chairman said after the vote.",
    }
    for i, outlet in enumerate(["Valley Times", "Harbour Post", "Valley Times", "Harbour Post"])
]


def test_pages_and_archive_read_as_the_corpus(tmp_path: Path) -> None:
    assert webpages.write_web(tmp_path, ROWS) == 4
    pages = sorted((tmp_path / webpages.PAGES).rglob("*.html"))
    assert [p.relative_to(tmp_path / webpages.PAGES).as_posix() for p in pages] == [
        "harbourpost/doc-1.html",
        "harbourpost/doc-3.html",
        "valleytimes/doc-0.html",
        "valleytimes/doc-2.html",
    ]
    from_pages = {
        Path(d.doc_id).stem: d for d in read_documents([tmp_path / webpages.PAGES]) if isinstance(d, Document)
    }
    from_warc = {
        d.doc_id.rsplit("/", 1)[-1]: d for d in read_documents([tmp_path / webpages.WARC]) if isinstance(d, Document)
    }
    for row in ROWS:
        for doc in (from_pages[row["id"]], from_warc[row["id"]]):
            assert doc.text.endswith(row["text"])  # the headline, then the article: no chrome
            assert (doc.title, doc.date) == (row["title"], row["date"])
        assert from_pages[row["id"]].outlet == row["outlet"]
        assert from_warc[row["id"]].outlet == row["outlet"].lower().replace(" ", "") + ".example"


def test_bench_child_counts_what_it_read(tmp_path: Path) -> None:
    webpages.write_web(tmp_path, ROWS, html_pages=False)
    html_bench.read_child(tmp_path / webpages.WARC, 2, tmp_path / "out.json")
    got = json.loads((tmp_path / "out.json").read_text())
    assert (got["documents"], got["skipped"]) == (4, 0) and got["read_s"] > 0
