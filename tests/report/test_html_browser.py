"""The HTML report in a real browser: headless Chromium (the Debian package) driven by Playwright.

Nothing here is mocked: a report is written by ``prov scan`` and its ``index.html`` opened from
``file://`` as a user would open it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prov_cli.main import app
from typer.testing import CliRunner

from provenance.report import read_manifest, read_table

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
REUTERS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "reuters21578"
CAPTION = "A boy walks among the debris of a damaged"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("no Chromium on this machine: run scripts/install-browser.sh (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium())
        yield b
        b.close()


def scan(tmp: Path, *args: str) -> Path:
    out = tmp / "report"
    result = CliRunner().invoke(app, ["scan", *args, "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scan(tmp_path_factory.mktemp("seeds"), str(SEEDS))


class Visit:
    """A page that records every request and every script error."""

    def __init__(self, browser: sync_api.Browser, report: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.index = (report / "index.html").resolve().as_uri()

    def open(self, hash_: str = "#/") -> sync_api.Page:
        self.page.goto(self.index + hash_)
        self.ready()
        return self.page

    def ready(self) -> None:
        self.page.wait_for_selector("body[data-ready]", state="attached", timeout=10_000)


def test_the_overview_opens_from_file_and_shows_the_run(browser: sync_api.Browser, seeds_report: Path) -> None:
    visit = Visit(browser, seeds_report)
    page = visit.open()
    assert page.inner_text("h1") == "Overview"
    stats = page.inner_text(".cards-grid")
    assert "5\ndocuments" in stats and "4\nnews clusters" in stats
    assert "AP" in page.inner_text("table")  # the top origins
    assert str(SEEDS) in page.inner_text(".kv")
    assert visit.errors == []


def test_links_lead_to_the_caption_cluster_with_copies_side_by_side_and_the_diff(
    browser: sync_api.Browser, seeds_report: Path
) -> None:
    visit = Visit(browser, seeds_report)
    page = visit.open()
    page.click("header nav >> text=Clusters")
    page.wait_for_selector("table.clusters")
    row = page.locator("table.clusters tr", has_text=CAPTION)
    row.locator("a").first.click()
    page.wait_for_selector(".cards .card")
    assert page.inner_text("h1").startswith("Cluster ")

    cards = {
        doc: page.locator(".card", has=page.locator("h3", has_text=doc)).first
        for doc in ("000_1d5ac4fc6d25f897.txt", "001_3e4bb9b7a2474284.txt")
    }
    boxes = {doc: card.bounding_box() for doc, card in cards.items()}
    (a, b) = boxes.values()
    assert a and b
    assert abs(a["y"] - b["y"]) < 4 and abs(a["x"] - b["x"]) > a["width"] * 0.9  # side by side, not stacked
    for card in cards.values():
        assert CAPTION in card.locator(".pass").inner_text()
        assert card.locator(".ctx").first.inner_text().strip()  # text before the copy
        assert len(card.locator(".ctx").all()) >= 2  # ... and after it
    # 000 prints the caption without "of Mosul. Photo / AP": the diff marks those words dropped
    dropped = " ".join(cards["000_1d5ac4fc6d25f897.txt"].locator(".drop").all_inner_texts())
    assert "Photo" in dropped and "AP" in dropped
    assert cards["001_3e4bb9b7a2474284.txt"].locator("mark.credit", has_text="AP").count() >= 1
    assert visit.errors == []


def test_no_request_leaves_file_in_any_view(browser: sync_api.Browser, seeds_report: Path) -> None:
    visit = Visit(browser, seeds_report)
    for hash_ in ("#/", "#/shares", "#/time", "#/graph", "#/clusters", "#/clusters?category=news&sort=chars"):
        visit.open(hash_)
        if hash_ == "#/graph":
            assert visit.page.locator(".graph svg path").count() >= 1  # bands from AP to the seeds
    visit.page.click("table.clusters a")
    visit.page.wait_for_selector(".card")
    visit.page.click(".card a.doc-link")
    visit.page.wait_for_selector(".doc-text")
    visit.page.wait_for_timeout(300)  # the graph's <object> loads its SVG
    assert visit.requests and all(url.startswith("file://") for url in visit.requests), visit.requests
    assert any(url.endswith("data/graph.js") for url in visit.requests)
    assert visit.errors == []


def test_a_document_page_shows_its_text_with_passages_linked_and_credits_marked(
    browser: sync_api.Browser, seeds_report: Path
) -> None:
    visit = Visit(browser, seeds_report)
    page = visit.open("#/clusters")
    page.locator("table.clusters tr", has_text=CAPTION).locator("a").first.click()
    page.wait_for_selector(".card")
    page.locator(".card h3 a", has_text="001_3e4bb9b7a2474284.txt").first.click()
    page.wait_for_selector(".doc-text")
    text = page.inner_text(".doc-text")
    assert text.replace("\n", "") == (SEEDS / "001_3e4bb9b7a2474284.txt").read_text(encoding="utf-8").replace("\n", "")
    passages = page.locator(".doc-text a.pass")
    assert passages.count() >= 2
    assert all(CAPTION in t for t in passages.all_inner_texts()[:2])
    credits = read_table(seeds_report, "credits").to_pylist()
    marked = page.locator(".doc-text mark.credit").all_inner_texts()
    assert marked == [
        c["text"] for c in sorted(credits, key=lambda c: c["start"]) if c["doc_id"] == "001_3e4bb9b7a2474284.txt"
    ]
    passages.first.click()
    page.wait_for_selector(".card")
    assert visit.errors == []


def test_sorting_and_filtering_the_cluster_list(browser: sync_api.Browser, seeds_report: Path) -> None:
    visit = Visit(browser, seeds_report)
    page = visit.open("#/clusters")
    page.select_option("select[name=origin]", "Reuters")
    page.click("form.controls button")
    page.wait_for_url("**origin=Reuters**")
    visit.ready()
    page.wait_for_selector("table.clusters tbody tr")
    rows = page.locator("table.clusters tbody tr")
    assert rows.count() == 1 and "Reuters" in rows.first.inner_text()
    page.goto(visit.index + "#/clusters?sort=chars&dir=asc")
    page.wait_for_selector("table.clusters tbody tr")
    chars = [int(t.replace(",", "")) for t in page.locator("table.clusters tbody tr td:nth-child(8)").all_inner_texts()]
    assert chars == sorted(chars) and len(chars) == 4


def test_chunked_data_pages_the_list_and_loads_details_by_chunk(
    browser: sync_api.Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What keeps a million-document report from being one huge page: the list and the
    details come in chunks, loaded as a page needs them."""
    from provenance.report.html import site

    monkeypatch.setattr(site, "LIST_CHUNK", 2)
    monkeypatch.setattr(site, "PAGE_SIZE", 2)
    monkeypatch.setattr(site, "DETAIL_CHUNK", 1)
    report = scan(tmp_path, str(SEEDS))
    assert len(list((report / "html" / "data" / "list").iterdir())) == 2
    assert len(list((report / "html" / "data" / "c").iterdir())) == 4
    visit = Visit(browser, report)
    page = visit.open("#/clusters")
    assert page.locator("table.clusters tbody tr").count() == 2
    assert "page 1 of 2 · 4 clusters" in page.inner_text(".pager")
    lists = lambda: [u.rsplit("/", 1)[-1] for u in visit.requests if "/data/list/" in u]  # noqa: E731
    assert lists() == ["00000.js"]  # only the part the page shows
    page.locator(".pager button", has_text="next").first.click()
    page.wait_for_url("**page=2**")
    visit.ready()
    page.wait_for_selector("table.clusters tbody tr")
    assert lists() == ["00000.js", "00001.js"]
    first_page_ids = set(page.locator("table.clusters tbody td:first-child").all_inner_texts())
    assert len(first_page_ids) == 2
    page.goto(visit.index + "#/clusters?sort=copies")  # another order needs every part
    page.wait_for_selector("table.clusters tbody tr:nth-child(2)")
    page.goto(visit.index + "#/cluster/3")
    page.wait_for_selector(".card")
    assert [u.rsplit("/", 1)[-1] for u in visit.requests if "/data/c/" in u] == ["00003.js"]
    assert visit.errors == []


def test_without_texts_the_pages_show_passages_and_say_why_there_is_no_context(
    browser: sync_api.Browser, tmp_path: Path
) -> None:
    report = scan(tmp_path, str(SEEDS), "--no-texts")
    assert not (report / "texts.parquet").exists()
    assert read_manifest(report)["texts"] is False
    visit = Visit(browser, report)
    page = visit.open("#/")
    assert "left out of the report" in page.inner_text(".kv")
    page = visit.open("#/cluster/0")
    assert CAPTION in page.inner_text(".card .pass")
    assert all(not t.strip() for t in page.locator(".card .ctx").all_inner_texts())
    assert "written with --no-texts" in page.inner_text("main")
    assert visit.errors == []


@pytest.mark.slow
def test_the_reuters_report_opens_its_first_page_in_under_two_seconds(
    browser: sync_api.Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    report = scan(tmp_path_factory.mktemp("reuters"), str(REUTERS))
    visit = Visit(browser, report)
    visit.open()  # a first visit warms the browser process, as a user's open browser is
    page = browser.new_page()
    started = time.perf_counter()
    page.goto(visit.index + "#/")
    page.wait_for_selector("body[data-ready='overview']", state="attached")
    overview = time.perf_counter() - started
    started = time.perf_counter()
    page.goto(visit.index + "#/clusters")
    page.wait_for_selector("body[data-ready='clusters']", state="attached")
    listing = time.perf_counter() - started
    print(f"Reuters report: overview {overview:.2f} s, cluster list {listing:.2f} s")
    assert overview < 2.0 and listing < 2.0
    assert page.locator("table.clusters tbody tr").count() == 50
