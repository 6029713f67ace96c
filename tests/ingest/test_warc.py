"""Web archives (.warc, .warc.gz): every HTML page captured is a document; the rest is listed."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from provenance.config import InputLimits
from provenance.ingest import read_documents
from provenance.ingest.html import NO_TEXT
from provenance.ingest.warc import outlet_of
from provenance.records import Document, Skipped

from .conftest import SEED_CASES, chrome_of, manifest_skipped, seed_pages, seed_passages
from .test_html import FIXTURE_CHROME, WEB

BRIDGE_URL = "https://www.valleytimes.example/news/2024/05/27/old-mill-bridge-closed"
PORT_URL = "https://harbourpost.example/business/dock-pay-deal"
UNDATED_URL = "https://www.valleytimes.example/news/undated"
UNDATED = (
    "<html><head><title>Ferry timetable changes for the summer</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><p>The ferry company will add a late sailing on Fridays and Saturdays from the first week of June, "
    "it said on Monday, after a winter in which the last boat regularly left passengers behind.</p>"
    "<p>Fares will not change before September, when the company expects to announce its new prices.</p>"
    "</article><footer>All rights reserved.</footer></body></html>"
)
FIRST_CAPTURES = (
    (BRIDGE_URL, "2024-05-27T10:00:00Z"),
    (PORT_URL, "2024-05-29T15:00:00Z"),
    (UNDATED_URL, "2024-06-01T08:30:00Z"),
)


def read(paths: list[Path], limits: InputLimits | None = None) -> tuple[list[Document], list[Skipped]]:
    items = list(read_documents(paths, limits=limits))
    return [d for d in items if isinstance(d, Document)], [s for s in items if isinstance(s, Skipped)]


def write_crawl(path: Path, gzipped: bool = True) -> None:
    """A small crawl, record by record (numbers as the reader counts them):

    1 warcinfo, 2 request, 3 the bridge page, 4 the same URL again a day later, 5 a revisit of it,
    6 a 404 page, 7 a PNG, 8 a redirect, 9 a truncated capture, 10 the port page (Windows-1252),
    11 a page that is not an article, 12 a page that states no date, 13 a metadata record.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    bridge = (WEB / "valley-times-bridge.html").read_bytes()
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzipped)

        def response(url: str, date: str, body: bytes, status: str = "200 OK", kind: str = "text/html", **warc):
            http = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            headers = {"WARC-Date": date, **warc}
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
            )
            writer.write_record(record)

        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test helper"}))
        request = StatusAndHeaders("GET /news HTTP/1.1", [("Host", "www.valleytimes.example")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record(BRIDGE_URL, "request", http_headers=request, payload=io.BytesIO(b""))
        )
        response(BRIDGE_URL, "2024-05-27T10:00:00Z", bridge)
        response(BRIDGE_URL, "2024-05-28T10:00:00Z", bridge.replace(b"twelve-mile", b"fourteen-mile"))
        writer.write_record(
            writer.create_revisit_record(
                BRIDGE_URL, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", BRIDGE_URL, "2024-05-27T10:00:00Z"
            )
        )
        response("https://www.valleytimes.example/gone", "2024-05-27T10:01:00Z", bridge, "404 Not Found")
        response("https://www.valleytimes.example/logo.png", "2024-05-27T10:02:00Z", b"\x89PNG\r\n", kind="image/png")
        response("http://valleytimes.example/old", "2024-05-27T10:03:00Z", b"", "301 Moved Permanently")
        response(
            "https://www.valleytimes.example/big", "2024-05-27T10:04:00Z", bridge[:900], **{"WARC-Truncated": "length"}
        )
        port = (WEB / "harbour-post" / "port-pay-deal.htm").read_bytes()
        response(PORT_URL, "2024-05-29T15:00:00Z", port, kind="text/html; charset=windows-1252")
        response(
            "https://www.valleytimes.example/missing",
            "2024-05-27T10:05:00Z",
            (WEB / "page-not-found.html").read_bytes(),
            kind="application/xhtml+xml",
        )
        response(UNDATED_URL, "2024-06-01T08:30:00Z", UNDATED.encode())
        writer.write_record(writer.create_warc_record(BRIDGE_URL, "metadata", payload=io.BytesIO(b"outlinks: none")))


@pytest.fixture(params=[True, False], ids=["warc.gz", "warc"])
def crawl(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / ("crawl.warc.gz" if request.param else "crawl.warc")
    write_crawl(path, gzipped=request.param)
    return path


def test_pages_become_documents(crawl: Path) -> None:
    docs, _ = read([crawl])
    assert [d.doc_id for d in docs] == [BRIDGE_URL, f"{BRIDGE_URL}@2024-05-28T10:00:00Z", PORT_URL, UNDATED_URL]
    bridge, again, port, undated = docs
    assert "fourteen-mile diversion" in again.text and "twelve-mile diversion" in bridge.text
    for doc in docs:
        for chrome in FIXTURE_CHROME:
            assert chrome not in doc.text, (doc.doc_id, chrome)
    assert [d.outlet for d in docs] == ["valleytimes.example", "valleytimes.example", "harbourpost.example"] * 1 + [
        "valleytimes.example"
    ]
    # the page's own date, else the capture's
    assert [d.date for d in docs] == ["2024-05-27", "2024-05-27", "2024-05-29", "2024-06-01T08:30:00Z"]
    assert bridge.title == "Storm closes Old Mill Bridge as river rises"
    assert dict(bridge.extra) == {"author": "Megan Holloway", "warc_date": "2024-05-27T10:00:00Z"}
    assert bridge.url == BRIDGE_URL and undated.url == UNDATED_URL
    assert "The café owners" in port.text
    assert [d.source for d in docs] == [f"{crawl}:{n}" for n in (3, 4, 10, 12)]  # the record


def test_records_that_are_not_pages_are_listed(crawl: Path) -> None:
    _, skipped = read([crawl])
    got = [(s.line, s.reason.split(" (record at byte")[0]) for s in skipped]
    assert got == [
        (5, "revisit record, no page of its own"),
        (6, "HTTP status 404"),
        (7, "not an HTML page (Content-Type image/png)"),
        (8, "HTTP status 301"),
        (9, "truncated record (WARC-Truncated: length)"),
        (11, NO_TEXT),
    ]
    assert all(s.source == str(crawl) for s in skipped)
    assert all(" (record at byte " in s.reason for s in skipped[:-1])


def test_listed_in_the_manifest(crawl: Path, runner, tmp_path: Path) -> None:
    result = runner("scan", crawl, "--out", tmp_path / "report", "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    listed = manifest_skipped(tmp_path / "report")
    assert [(s["line"], s["reason"].split(" (")[0]) for s in listed] == [
        (5, "revisit record, no page of its own"),
        (6, "HTTP status 404"),
        (7, "not an HTML page"),
        (8, "HTTP status 301"),
        (9, "truncated record"),
        (11, NO_TEXT),
    ]


def test_a_folder_of_archives_gives_repeated_urls_unique_ids(tmp_path: Path) -> None:
    """A URL captured before, in this archive or another, is named with its capture date."""
    write_crawl(tmp_path / "a.warc.gz")
    write_crawl(tmp_path / "b.warc")
    docs, skipped = read([tmp_path])
    ids = [d.doc_id for d in docs]
    assert ids[:4] == [BRIDGE_URL, f"{BRIDGE_URL}@2024-05-28T10:00:00Z", PORT_URL, UNDATED_URL]
    assert ids[4:] == [f"{url}@{date}" for url, date in FIRST_CAPTURES]
    # a capture whose URL and date were both seen is the same id: the first one is kept
    assert f"duplicate document id '{BRIDGE_URL}@2024-05-28T10:00:00Z' (first one kept)" in [s.reason for s in skipped]


def test_archive_cut_short_keeps_the_records_before(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc"
    write_crawl(whole, gzipped=False)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: data.index(b"Dock workers at the container terminal") + 100])
    docs, skipped = read([cut])
    assert [d.doc_id for d in docs] == [BRIDGE_URL, f"{BRIDGE_URL}@2024-05-28T10:00:00Z"]
    assert skipped[-1].line == 10 and "truncated record, the archive ends inside it" in skipped[-1].reason


def test_damaged_gzip_keeps_the_records_before(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_crawl(whole)
    data = bytearray(whole.read_bytes())
    at = len(data) * 3 // 4  # inside a later record's gzip member
    data[at : at + 64] = bytes(64)
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(bytes(data))
    docs, skipped = read([damaged])
    assert [d.doc_id for d in docs][:2] == [BRIDGE_URL, f"{BRIDGE_URL}@2024-05-28T10:00:00Z"]
    assert "archive damaged, the rest is not read" in skipped[-1].reason


def test_archive_gzipped_whole_reads_like_one_gzipped_per_record(tmp_path: Path) -> None:
    plain = tmp_path / "crawl.warc"
    write_crawl(plain, gzipped=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))  # as `gzip crawl.warc` makes it
    assert [d.text for d in read([whole])[0]] == [d.text for d in read([plain])[0]]


def test_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "empty.warc").write_bytes(b"")
    (tmp_path / "text.warc").write_text("this is not a web archive\n")
    docs, skipped = read([tmp_path])
    assert docs == []
    reasons = {Path(s.source).name: s.reason for s in skipped}
    assert reasons["empty.warc"] == "no WARC records"
    assert reasons["text.warc"] == "not a WARC archive (no WARC/1.x record header)"


def test_oversized_page_is_skipped(crawl: Path) -> None:
    docs, skipped = read([crawl], limits=InputLimits(max_doc_bytes=3000))
    assert [d.doc_id for d in docs] == [UNDATED_URL]
    assert [s.line for s in skipped if "is over the 3000 bytes limit" in s.reason] == [3, 4, 10]


def test_outlet_of() -> None:
    assert outlet_of("https://www.Example.co.uk:8080/a") == "example.co.uk"
    assert outlet_of("http://news.example.org/") == "news.example.org"
    assert outlet_of("dns:example.org") is None
    assert outlet_of("http://[::1") is None
    assert outlet_of(None) is None


# --- the seeds captured in a web archive -------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.webpages import write_warc

    path = tmp_path_factory.mktemp("seeds-warc") / "seeds.warc.gz"
    write_warc(path, (page for _, _, page in seed_pages()))
    return path


@pytest.fixture(scope="module")
def warc_report(seeds_warc: Path) -> Path:
    from prov_cli.main import app
    from typer.testing import CliRunner

    out = seeds_warc.parent / "report"
    result = CliRunner().invoke(app, ["scan", str(seeds_warc), "--out", str(out), "--quiet", "--workers", "2"])
    assert result.exit_code == 0, result.output
    return out


def _stem(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_seeds_in_a_warc_read_as_their_sites(seeds_warc: Path) -> None:
    docs = read([seeds_warc])[0]
    pages = seed_pages()
    assert [d.doc_id for d in docs] == [page.url for _, _, page in pages]
    assert {d.outlet for d in docs} == {"valleytimes.example", "harbourpost.example", "meridianjournal.example"}
    dates = {_stem(d.doc_id): d.date for d in docs}
    assert dates["001_3e4bb9b7a2474284"] == "2017-03-11T12:00:00Z"  # the page states none: the capture's
    assert dates["000_1d5ac4fc6d25f897"] == "2017-03-01"
    for doc, (_, site, _) in zip(docs, pages, strict=True):
        for chrome in chrome_of(site):
            assert chrome not in doc.text


@pytest.mark.parametrize("stem", SEED_CASES)
def test_seeds_in_a_warc_give_the_seed_passages(stem: str, seeds_report: Path, warc_report: Path) -> None:
    """As ``test_html.test_seed_pages_give_the_seed_passages``, for the pages in an archive."""
    assert seed_passages(warc_report, _stem)[stem] == seed_passages(seeds_report, lambda d: Path(d).stem)[stem]


def test_seeds_in_a_warc_give_the_seed_clusters(seeds_report: Path, warc_report: Path) -> None:
    clusters = {m for found in seed_passages(seeds_report, lambda d: Path(d).stem).values() for (_, m) in found}
    assert {m for found in seed_passages(warc_report, _stem).values() for (_, m) in found} == clusters


def test_gzip_of_many_small_members_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .warc.gz is one gzip member per record: the reader never gathers them into one buffer."""
    from provenance.ingest import gzipped

    members = [f"record {i}: {'x' * (i % 300)}\n".encode() for i in range(5000)]
    path = tmp_path / "many.gz"
    path.write_bytes(b"".join(gzip.compress(m) for m in members) + bytes(64))  # and zero padding
    sizes: list[int] = []
    real = gzipped._SalvagingReader._next_input

    def spy(self: gzipped._SalvagingReader) -> bytes | None:
        data = real(self)
        sizes.append(len(data or b""))
        return data

    monkeypatch.setattr(gzipped._SalvagingReader, "_next_input", spy)
    with gzipped.open_gzip(path) as handle:
        assert handle.read() == b"".join(members)
    assert max(sizes) <= 2 * gzipped._IN_CHUNK
