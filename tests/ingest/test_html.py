"""Web pages (.html, .htm, .gz): the article's text and metadata, never the site around it."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from provenance.config import InputLimits
from provenance.ingest import html as html_module
from provenance.ingest import read_documents
from provenance.ingest.html import NO_TEXT, Page, extract_page
from provenance.records import Document, Skipped

from .conftest import SEED_CASES, TITLES, chrome_of, manifest_skipped, seed_pages, seed_passages, squash

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "fixtures" / "web"
SEEDS = ROOT / "seeds"
BRIDGE = WEB / "valley-times-bridge.html"
# The chrome of the fixture pages, word for word.
FIXTURE_CHROME = (
    "We use cookies",
    "Accept all cookies",
    "Manage cookie preferences",
    "Skip to main content",
    "Subscribe for 99p a week",
    "Share on Facebook",
    "Email this story",
    "Related stories",
    "New rail timetable brings earlier trains",
    "Market hall traders vote",
    "morning briefing",
    "Contact the newsroom",
    "All rights reserved",
    "Most read",
    "Ferry fares to rise",
    "WhatsApp",
    "uses cookies to improve your experience",
    "Advertise with us",
    "14 comments",
)


def read(
    paths: list[Path], workers: int = 1, limits: InputLimits | None = None
) -> tuple[list[Document], list[Skipped]]:
    items = list(read_documents(paths, limits=limits, workers=workers))
    return [d for d in items if isinstance(d, Document)], [s for s in items if isinstance(s, Skipped)]


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {d.doc_id: d for d in docs}


def test_article_text_without_the_site() -> None:
    docs, _ = read([WEB])
    for doc in docs:
        for chrome in FIXTURE_CHROME:
            assert chrome not in doc.text, (doc.doc_id, chrome)
    bridge = by_id(docs)["valley-times-bridge.html"]
    lines = bridge.text.split("\n")
    assert lines[0] == "Storm closes Old Mill Bridge as river rises"  # the headline opens the article
    assert lines[1].startswith("The county council closed the Old Mill Bridge to all traffic on Tuesday")
    assert lines[-1].endswith("without it counting as an absence.")
    # a photo caption is part of the article (captions carry photo credits)
    assert "Flood water under the Old Mill Bridge on Tuesday morning." in lines


def test_metadata_from_meta_tags_and_json_ld() -> None:
    docs = by_id(read([WEB])[0])
    bridge = docs["valley-times-bridge.html"]
    assert (bridge.title, bridge.outlet, bridge.date) == (
        "Storm closes Old Mill Bridge as river rises",
        "Valley Times",
        "2024-05-27",  # article:published_time, not the modified time
    )
    assert bridge.url == "https://www.valleytimes.example/news/2024/05/27/old-mill-bridge-closed"
    assert dict(bridge.extra)["author"] == "Megan Holloway"
    assert bridge.source == str(BRIDGE)  # the file stays the source; offsets refer to the extracted text

    port = docs["harbour-post/port-pay-deal.htm"]  # JSON-LD NewsArticle, no meta tags; Windows-1252
    assert (port.title, port.outlet, port.date) == (
        "Dock workers accept pay deal, ending strike threat",
        "Harbour Post",
        "2024-05-29",
    )
    assert dict(port.extra)["author"] == "Tomas Grieve"
    assert port.url == "https://harbourpost.example/business/dock-pay-deal"
    assert "The café owners and hauliers" in port.text


def test_page_without_an_article_is_skipped_and_listed(runner, tmp_path: Path) -> None:
    docs, skipped = read([WEB])
    assert "page-not-found.html" not in by_id(docs)
    assert [(Path(s.source).name, s.reason) for s in skipped] == [("page-not-found.html", NO_TEXT)]

    result = runner("scan", WEB, "--out", tmp_path / "report", "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    listed = manifest_skipped(tmp_path / "report")
    assert [(Path(s["source"]).name, s["reason"]) for s in listed] == [("page-not-found.html", NO_TEXT)]


def test_gzipped_page_reads_as_the_page(tmp_path: Path) -> None:
    (tmp_path / "bridge.html.gz").write_bytes(gzip.compress(BRIDGE.read_bytes()))
    shutil.copy(BRIDGE, tmp_path / "bridge.HTM")
    docs = by_id(read([tmp_path])[0])
    plain, packed = docs["bridge.HTM"], docs["bridge.html.gz"]
    assert (packed.text, packed.title, packed.date, packed.url) == (plain.text, plain.title, plain.date, plain.url)


def test_single_page_file_is_named_by_its_file_name() -> None:
    docs, skipped = read([BRIDGE])
    assert [d.doc_id for d in docs] == ["valley-times-bridge.html"] and not skipped


def test_unreadable_pages_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"  \n")
    (tmp_path / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "damaged.html.gz").write_bytes(gzip.compress(BRIDGE.read_bytes())[:200])
    (tmp_path / "script.html").write_bytes(b"<html><head><script>var a = 1;</script></head><body><div></div>")
    shutil.copy(BRIDGE, tmp_path / "large.html")
    docs, skipped = read([tmp_path], limits=InputLimits(max_doc_bytes=4000))
    assert docs == []
    reasons = {Path(s.source).name: s.reason for s in skipped}
    assert reasons["empty.html"] == "empty file"
    assert reasons["binary.html"] == "binary file (contains NUL bytes)"
    assert reasons["damaged.html.gz"].startswith("cannot read: ")
    assert reasons["script.html"] == NO_TEXT
    assert reasons["large.html"].startswith("page of ") and "is over the 4000 bytes limit" in reasons["large.html"]


def test_extract_page_never_raises() -> None:
    for junk in (b"", b"\xff\xfe\x00", b"<html>", b"<!-- -->" * 1000, "<p>Ünïcödé</p>".encode("utf-16")):
        assert isinstance(extract_page(junk), Page | str)


def test_seed_pages_have_no_chrome_and_keep_the_seed_text(tmp_path: Path) -> None:
    """Each page's text is its seed's, white space aside, under the headline where the layout
    puts it in the article, and no chrome of its site comes with it. A line repeated right after
    itself is printed once (see ``conftest.DOUBLED_CAPTION``)."""
    for stem, _, page in seed_pages():
        (tmp_path / f"{stem}.html").write_bytes(page.body)
    docs = by_id(read([tmp_path])[0])
    assert len(docs) == 5
    for stem, site, _ in seed_pages():
        text = docs[f"{stem}.html"].text
        lines = [line for line in (SEEDS / f"{stem}.txt").read_text(encoding="utf-8").split("\n") if line.strip()]
        once = [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]
        assert squash(text).removeprefix(TITLES[stem]).strip() == squash("\n".join(once)), stem
        for chrome in chrome_of(site):
            assert chrome not in text, (stem, chrome)
        for other, title in TITLES.items():  # the related-stories box lists the other seeds
            assert other == stem or title not in text, (stem, title)


def _seed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for stem, _, page in seed_pages():
        (folder / f"{stem}.html").write_bytes(page.body)
    return folder


@pytest.fixture(scope="module")
def pages_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from prov_cli.main import app
    from typer.testing import CliRunner

    folder = _seed_folder(tmp_path_factory.mktemp("seed-pages"))
    out = folder.parent / "report"
    result = CliRunner().invoke(app, ["scan", str(folder), "--out", str(out), "--quiet", "--workers", "2"])
    assert result.exit_code == 0, result.output
    return out


def _stem(doc_id: str) -> str:
    return Path(doc_id).stem


@pytest.mark.parametrize("stem", SEED_CASES)
def test_seed_pages_give_the_seed_passages(stem: str, seeds_report: Path, pages_report: Path) -> None:
    """Each seed's passages, as text (white space squashed: paragraphs come out one a line, where
    the .txt may hold blank lines) and the seeds sharing them, are those of the .txt scan."""
    assert seed_passages(pages_report, _stem)[stem] == seed_passages(seeds_report, _stem)[stem]


def test_seed_pages_give_the_seed_clusters(seeds_report: Path, pages_report: Path) -> None:
    """Every cluster of the .txt scan holds the same seeds when they are read as pages."""
    clusters = {
        members for found in seed_passages(seeds_report, _stem).values() for (_, members) in found
    }  # fmt: skip
    from_pages = {members for found in seed_passages(pages_report, _stem).values() for (_, members) in found}
    assert from_pages == clusters


def test_extraction_runs_on_the_workers_in_reading_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder of pages and text files read with two workers gives what one process gives, and
    the pages were extracted in other processes."""
    page = BRIDGE.read_bytes()
    for i in range(150):
        (tmp_path / f"p{i:03d}.html").write_bytes(page.replace(b"Storm closes", f"Storm {i} closes".encode()))
        if i % 7 == 0:
            (tmp_path / f"p{i:03d}.txt").write_text(f"A text file between the pages, number {i}.\n")
    one = read([tmp_path], workers=1)
    two = read([tmp_path], workers=2)
    assert [d.doc_id for d in two[0]] == [d.doc_id for d in one[0]] == sorted(d.doc_id for d in one[0])
    assert two == one

    real = html_module.extract_page

    def tagged(html: bytes, url: str | None = None) -> Page | str:  # runs in the forked workers
        page = real(html, url)
        return Page(str(os.getpid())) if isinstance(page, Page) else page

    monkeypatch.setattr(html_module, "extract_page", tagged)
    pids = {d.text for d in read([tmp_path], workers=2)[0] if d.doc_id.endswith(".html")}
    assert pids - {str(os.getpid())}, "no page was extracted in a worker"
