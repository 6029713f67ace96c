"""The HTML report's data files hold what the Parquet tables hold, and ``prov html`` rebuilds
them safely. (What a person sees is tested in a browser: ``test_html_browser.py``.)"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from prov_cli.main import app
from typer.testing import CliRunner

from provenance.corpus import TextColumn, corpus_of
from provenance.records import Document
from provenance.report import read_manifest, read_table, tables

FEED = Path(__file__).resolve().parents[2] / "fixtures" / "newswire" / "feed.jsonl"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def feed_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feed") / "report"
    assert run("scan", str(FEED), "--out", str(out), "-q").exit_code == 0
    return out


def data(report: Path, key: str) -> Any:
    text = (report / "html" / "data" / f"{key}.js").read_text(encoding="utf-8")
    prefix = f"PROV.put({json.dumps(key)},"
    assert text.startswith(prefix) and text.endswith(");\n")
    return json.loads(text[len(prefix) : -3])


def rows(report: Path, table: str) -> list[dict[str, Any]]:
    return read_table(report, table).to_pylist()


def test_the_share_tables_are_the_wire_share_table_and_the_clusters(feed_report: Path) -> None:
    shares = data(feed_report, "overview")["shares"]
    assert shares["level"] == "outlet"
    expected = defaultdict(dict)
    totals = {}
    for r in rows(feed_report, "wire_share"):
        if r["level"] == "outlet":
            expected[r["id"]][r["origin"]] = r["reused_chars"]
            totals[r["id"]] = r["total_chars"]
    assert {u["unit"]: u["chars"] for u in shares["units"]} == expected
    assert {u["unit"]: u["total_chars"] for u in shares["units"]} == totals

    # the other direction, counted again from clusters, passages and documents
    outlet = {d["doc_id"]: d["outlet"] for d in rows(feed_report, "documents")}
    docs_of = defaultdict(set)
    for p in rows(feed_report, "passages"):
        docs_of[p["cluster_id"]].add(p["doc_id"])
    per_origin: Counter[str] = Counter()
    printed: dict[str, Counter[str]] = defaultdict(Counter)
    for c in rows(feed_report, "clusters"):
        if c["category"] == "news" and c["n_documents"] >= 2:
            origin = c["origin"] or "unknown"
            per_origin[origin] += 1
            for o in {outlet[d] for d in docs_of[c["cluster_id"]]}:
                printed[o][origin] += 1
    assert shares["clusters_per_origin"] == dict(per_origin)
    assert shares["printed"] == {k: dict(v) for k, v in printed.items()}


def test_the_share_tables_keep_the_units_with_most_copy_and_count_them_all(
    feed_report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the ``MAX_UNITS`` outlets with most copy are shown (ties by name); the count and
    the origins are of them all, read from the wire share a few rows at a time."""
    from provenance.report.html import site

    out = tmp_path / "report"
    shutil.copytree(feed_report, out)
    outlets = defaultdict(dict)
    for r in rows(out, "wire_share"):
        if r["level"] == "outlet":
            outlets[r["id"]][r["origin"]] = r["reused_chars"]
    assert len(outlets) >= 3
    monkeypatch.setattr(site, "MAX_UNITS", 2)
    monkeypatch.setattr(site, "_ROWS", 3)  # slices that cut an outlet's rows apart
    assert run("html", str(out), "-q").exit_code == 0
    shares = data(out, "overview")["shares"]
    ranked = sorted(outlets, key=lambda o: (-outlets[o]["all"], o))
    assert [u["unit"] for u in shares["units"]] == ranked[:2]
    assert [u["chars"] for u in shares["units"]] == [outlets[o] for o in ranked[:2]]
    assert shares["units_total"] == len(outlets)
    assert shares["origins"] == sorted({o for chars in outlets.values() for o in chars} - {"all"})


def test_the_time_view_counts_copy_per_day_and_the_reprint_lags(feed_report: Path) -> None:
    time = data(feed_report, "overview")["time"]
    day = {d["doc_id"]: d["date"].date() for d in rows(feed_report, "documents")}
    news = {c["cluster_id"]: c["origin"] or "unknown" for c in rows(feed_report, "clusters") if c["category"] == "news"}
    copies = defaultdict(list)
    for p in rows(feed_report, "passages"):
        if p["cluster_id"] in news:
            copies[p["cluster_id"]].append((day[p["doc_id"]], p["end"] - p["start"]))
    series: dict[str, Counter[str]] = defaultdict(Counter)
    lags = Counter()
    for cid, found in copies.items():
        if len({d for d in docs_of(feed_report, cid)}) < 2:
            continue
        for when, chars in found:
            series[when.isoformat()][news[cid]] += chars
        first = min(when for when, _ in found)
        for when, _ in sorted(found)[1:]:
            lags[(when - first).days] += 1
    assert time["period"] == "day" and time["dated"] == time["documents"] == 12
    assert {p["period"]: p["chars"] for p in time["series"]} == {k: dict(v) for k, v in series.items()}
    by_label = dict(zip(time["lag_bins"], time["lags"], strict=True))
    assert by_label["same time"] == lags[0]
    assert by_label["6-24 hours"] == lags[1] and by_label["1-2 days"] == lags[2]
    assert time["lag_count"] == sum(lags.values())


def docs_of(report: Path, cluster_id: str) -> set[str]:
    return {p["doc_id"] for p in rows(report, "passages") if p["cluster_id"] == cluster_id}


def test_every_cluster_is_listed_once_and_every_copy_and_document_slices_the_text(feed_report: Path) -> None:
    overview = data(feed_report, "overview")
    listed = [r for i in range(overview["list_chunks"]) for r in data(feed_report, f"list/{i:05d}")]
    clusters = rows(feed_report, "clusters")
    assert sorted(r[1] for r in listed) == sorted(c["cluster_id"] for c in clusters)
    assert [r[3] for r in listed] == sorted((r[3] for r in listed), reverse=True)  # most documents first

    texts = {t["doc_id"]: t["text"] for t in rows(feed_report, "texts")}
    passages = rows(feed_report, "passages")
    details = data(feed_report, "c/00000")
    for number, c in enumerate(clusters):
        detail = details[str(number)]
        assert detail["id"] == c["cluster_id"]
        mine = {(p["doc_id"], p["start"], p["end"]) for p in passages if p["cluster_id"] == c["cluster_id"]}
        assert {(o["doc_id"], o["start"], o["end"]) for o in detail["occurrences"]} == mine
        for o in detail["occurrences"]:
            text = texts[o["doc_id"]]
            assert o["text"] == text[o["start"] : o["end"]]
            assert text[: o["start"]].endswith(o["before"]) and text[o["end"] :].startswith(o["after"])
    documents = data(feed_report, "d/00000")
    with_passages = {p["doc_id"] for p in passages}
    assert {d["id"] for d in documents.values()} == with_passages
    for d in documents.values():
        assert d["text"] == texts[d["id"]]
        for start, end, _, cluster_id, _ in d["passages"]:
            assert (d["id"], start, end) in {
                (p["doc_id"], p["start"], p["end"]) for p in passages if p["cluster_id"] == cluster_id
            }


def test_prov_html_rebuilds_the_same_pages_and_lists_them_in_an_older_manifest(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert run("scan", str(SEEDS), "--out", str(out), "-q").exit_code == 0
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    manifest = read_manifest(out)
    # a report written before the pages existed: no html, not listed
    for name in ("index.html", "html"):
        manifest["files"].remove(name)
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "index.html").unlink()
    shutil.rmtree(out / "html")
    result = run("html", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"HTML report: {out / 'index.html'}"
    after = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }
    assert {"index.html", "html"} <= set(read_manifest(out)["files"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # nothing left beside it


def test_each_copy_on_a_page_gets_its_own_passage_id_and_text_whatever_the_row_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages read a shown copy's id and text from its passages-table row: with the table's
    rows in reverse (clusters far apart, a cluster's passages backwards), the pages are the same."""
    from provenance.report.html import site

    monkeypatch.setattr(site, "DETAIL_CHUNK", 2)  # pages of two clusters: most start past row 0
    out = tmp_path / "report"
    assert run("scan", str(FEED), "--out", str(out), "-q").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in (out / "html").rglob("*") if p.is_file()}
    passages = pq.read_table(out / "passages.parquet")
    assert passages.num_rows > 10
    pq.write_table(passages.take(list(reversed(range(passages.num_rows)))), out / "passages.parquet")
    assert run("html", str(out), "-q").exit_code == 0
    after = {p.relative_to(out): p.read_bytes() for p in (out / "html").rglob("*") if p.is_file()}
    assert after == before
    detail = data(out, "c/00001")["3"]["occurrences"][0]
    row = next(r for r in rows(out, "passages") if r["passage_id"] == detail["passage"])
    assert (row["doc_id"], row["start"], row["end"], row["text"]) == (
        detail["doc_id"],
        detail["start"],
        detail["end"],
        detail["text"],
    )


def test_the_pages_are_the_same_whatever_the_order_of_the_texts_and_without_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The texts are gone through once, in the ``texts`` table's order, for the documents' pages
    and the cluster pages' contexts: with the table's rows reversed (a chunk of document pages
    waits for its last text), the pages are the same; a document missing from the table, or
    there twice, gets its page without its text, or with its first."""
    from provenance.report.html import site

    monkeypatch.setattr(site, "DETAIL_CHUNK", 3)  # many chunks of documents, each waiting
    monkeypatch.setattr(site, "_TEXT_ROWS", 4)
    out = tmp_path / "report"
    assert run("scan", str(FEED), "--out", str(out), "-q").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in (out / "html").rglob("*") if p.is_file()}
    texts = pq.read_table(out / "texts.parquet")
    pq.write_table(texts.take(list(reversed(range(texts.num_rows)))), out / "texts.parquet")
    assert run("html", str(out), "-q").exit_code == 0
    assert {p.relative_to(out): p.read_bytes() for p in (out / "html").rglob("*") if p.is_file()} == before

    shown = {p["doc_id"] for p in rows(out, "passages")}
    gone = sorted(shown)[0]
    kept = [r for r in texts.to_pylist() if r["doc_id"] != gone]
    twice = next(r for r in kept if r["doc_id"] in shown)
    pq.write_table(
        pq.read_table(out / "texts.parquet").from_pylist(kept + [twice | {"text": "x"}]), out / "texts.parquet"
    )
    assert run("html", str(out), "-q").exit_code == 0
    pages = {}
    for chunk in (out / "html" / "data" / "d").glob("*.js"):
        pages.update({page["id"]: page for page in data(out, f"d/{chunk.stem}").values()})
    assert set(pages) == shown
    assert pages[gone]["text"] is None and pages[twice["doc_id"]]["text"] == twice["text"]
    copies = [o for c in data(out, "c/00000").values() for o in c["occurrences"]]
    assert all(o["before"] == o["after"] == "" and o["credits"] == [] for o in copies if o["doc_id"] == gone)
    assert any(o["doc_id"] != gone and (o["before"] or o["after"]) for o in copies)


def test_prov_html_never_replaces_pages_the_report_does_not_list(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert run("scan", str(SEEDS), "--out", str(out), "-q").exit_code == 0
    manifest = read_manifest(out)
    manifest["files"].remove("html")
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "html" / "notes.txt").write_text("mine", encoding="utf-8")
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = run("html", str(out))
    assert result.exit_code == 1
    assert "not written by prov" in result.output and "\n" not in result.output.strip()
    assert {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_prov_html_of_a_folder_that_is_no_report_is_one_line(tmp_path: Path) -> None:
    result = run("html", str(tmp_path))
    assert result.exit_code == 1
    assert result.output.strip().startswith("prov: error:") and "not a prov report" in result.output


def test_the_time_series_keeps_the_empty_periods_between_its_first_and_last() -> None:
    from provenance.report.html.site import _periods

    assert _periods(["2024-05-27", "2024-05-30"], weekly=False) == [
        "2024-05-27",
        "2024-05-28",
        "2024-05-29",
        "2024-05-30",
    ]
    assert _periods(["1987-06-29", "1987-07-20"], weekly=True) == [
        "1987-06-29",
        "1987-07-06",
        "1987-07-13",
        "1987-07-20",
    ]
    assert _periods([], weekly=True) == []


def test_the_documents_dates_are_read_from_the_timestamps_buffers_as_arrow_gives_them() -> None:
    """The pages read the ``date`` column of each slice of documents from its buffers: with
    nulls, chunks and slices that start inside a byte of the validity bitmap, each date is the
    one Arrow gives, and a report of an older schema (the date as written) is read as ingest
    reads it."""
    import random
    from datetime import UTC, datetime

    import pyarrow as pa

    from provenance.dates import parse_date
    from provenance.report.html.site import _micros, _moments

    rng = random.Random(7)
    values = [
        None
        if rng.random() < 0.3
        else datetime(1900 + rng.randrange(200), 1, 1, tzinfo=UTC).replace(microsecond=rng.randrange(10**6))
        for _ in range(203)
    ]
    column = pa.chunked_array(
        [pa.array(values[:77], pa.timestamp("us", tz="UTC")), pa.array(values[77:], pa.timestamp("us", tz="UTC"))]
    )
    table = pa.table({"date": column})
    for lo, n in [(0, 203), (3, 100), (77, 126), (13, 1), (200, 3), (5, 0)]:
        assert _moments(table.slice(lo, n)).tolist() == [_micros(v) for v in values[lo : lo + n]], (lo, n)
    written = ["2017-07-10", None, "10 July 2017 14:05", "no date at all"]
    assert _moments(pa.table({"date": written})).tolist() == [_micros(parse_date(w) if w else None) for w in written]
    assert _moments(pa.table({"doc_id": ["a"]})).tolist() == [_micros(None)]


def test_page_texts_read_back_as_given() -> None:
    texts = ["", "plain", "Zürich – 東京 🚀", "a lone \ud800 surrogate", "last"]
    docs = [Document(index=i, doc_id=str(i), text=t, source="s") for i, t in enumerate(texts)]
    for given in (docs, corpus_of(docs)):  # any documents, and a corpus reading its file
        column = TextColumn(given)
        assert len(column) == len(texts)
        assert [column[i] for i in range(len(texts))] == list(column) == texts
        assert column[-1] == "last" and column[1:3] == texts[1:3]
        with pytest.raises(IndexError):
            column[len(texts)]


def test_the_texts_table_is_written_in_row_groups_of_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "TEXTS_BATCH", 4)
    out = tmp_path / "report"
    assert run("scan", str(SEEDS), "--out", str(out), "-q").exit_code == 0
    docs = rows(out, "documents")
    texts = rows(out, "texts")
    assert [t["doc_id"] for t in texts] == [d["doc_id"] for d in docs]
    assert [len(t["text"]) for t in texts] == [d["n_chars"] for d in docs]
    assert pq.ParquetFile(out / "texts.parquet").metadata.num_row_groups == -(-len(docs) // 4) > 1


def test_the_pages_hold_only_the_documents_they_show_and_count_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large corpus where few documents hold a passage: every document is counted (documents,
    outlets, dated, the time span), but page objects are made only for the documents shown, and
    their texts are read from a texts table of many row groups, each the document's own."""
    from provenance.report.html import site

    monkeypatch.setattr(site, "_ROWS", 16)  # documents read in slices: a slice edge falls anywhere
    monkeypatch.setattr(site, "_TEXT_ROWS", 5)  # and texts
    monkeypatch.setattr(tables, "TEXTS_BATCH", 7)  # the texts table comes in many row groups
    lines = FEED.read_text(encoding="utf-8").splitlines()
    words = [
        "harbour",
        "ledger",
        "quarry",
        "lantern",
        "meadow",
        "cobalt",
        "falcon",
        "orchard",
        "pylon",
        "tundra",
        "willow",
        "zephyr",
    ]
    for i in range(150):  # documents no other shares a passage with, from 30 outlets over 75 days
        text = " ".join(words[(i * 7 + k * (i % 5 + 1)) % len(words)] + str(i * 31 + k) for k in range(60))
        day = f"2023-{1 + i % 75 // 28:02d}-{1 + i % 75 % 28:02d}" if i % 3 else ""
        lines.append(json.dumps({"id": f"filler-{i}", "outlet": f"Outlet {i % 30}", "date": day, "text": text}))
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    assert run("scan", str(corpus), "--out", str(out), "-q").exit_code == 0

    held: list[Any] = []
    real = site._load_docs

    def kept(tables: Any) -> Any:
        held.append(real(tables))
        return held[-1]

    monkeypatch.setattr(site, "_load_docs", kept)
    assert run("html", str(out)).exit_code == 0
    docs = rows(out, "documents")
    shown = {p["doc_id"] for p in rows(out, "passages")}
    assert len(docs) == 162 and 0 < len(shown) < 12
    assert sorted(held[0].ids) == sorted(shown)  # nothing kept of a document without a passage
    assert [docs[r]["doc_id"] for r in held[0].rows] == held[0].ids

    overview = data(out, "overview")
    assert overview["documents"] == overview["time"]["documents"] == 162
    assert overview["outlets"] == len({d["outlet"] for d in docs if d["outlet"]})
    assert overview["time"]["dated"] == sum(d["date"] is not None for d in docs)
    assert overview["time"]["period"] == "week"  # the span runs from 2023 to the feed's 2024
    texts = {t["doc_id"]: t["text"] for t in rows(out, "texts")}
    pages = {}
    for chunk in sorted((out / "html" / "data" / "d").glob("*.js")):
        pages.update(data(out, f"d/{chunk.stem}"))
    assert {p["id"] for p in pages.values()} == shown
    for number, page in pages.items():
        assert docs[int(number)]["doc_id"] == page["id"] and page["text"] == texts[page["id"]]


def test_rows_are_read_from_a_table_of_many_row_groups_near_together_or_far_apart(tmp_path: Path) -> None:
    """The pages read a shown copy's text from its table by row (``site.ByRow``), from a table of
    many row groups, whatever the rows; "" each from an older report without the column."""
    import pyarrow as pa

    from provenance.report.html import site

    values = [f"v{i}" for i in range(1000)]
    pq.write_table(pa.table({"cluster_id": values, "text": values}), tmp_path / "passages.parquet", row_group_size=64)
    rows_of = site.TableRows(tmp_path, "passages")
    by_row = site._by_row(site.ByRow(read_table(tmp_path, "passages", ["cluster_id"]), rows_of, tmp_path, "passages"))
    for rows in ([10, 12, 11, 10], [5, 900, 3], [999], []):  # a slice, one by one, the last, none
        assert by_row.values("text", rows) == [values[r] for r in rows]
    assert by_row.values("passage_id", [1, 2]) == ["", ""]  # an older report's missing column
    with pytest.raises(TypeError):
        site._by_row(site.Columns({"text": values}))


@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_a_report_of_an_older_schema_shows_its_dates_as_written(feed_report: Path, tmp_path: Path, kind: str) -> None:
    """Schema 2 held the date as written in ``date``: the pages read it as ingest reads it, and
    show one they cannot read as it is written, whatever Arrow string type holds it."""
    import pyarrow as pa

    out = tmp_path / "report"
    shutil.copytree(feed_report, out)
    documents = pq.read_table(out / "documents.parquet")
    written = documents.column("date_text").to_pylist()
    shown = {p["doc_id"] for p in rows(out, "passages")}
    odd = next(i for i, d in enumerate(documents.column("doc_id").to_pylist()) if d in shown)
    written[odd] = "sometime in May"
    older = documents.drop_columns(["date", "date_text"]).append_column("date", pa.array(written, getattr(pa, kind)()))
    pq.write_table(older, out / "documents.parquet")
    assert run("html", str(out), "-q").exit_code == 0
    pages = {}
    for chunk in (out / "html" / "data" / "d").glob("*.js"):
        pages.update({page["id"]: page for page in data(out, f"d/{chunk.stem}").values()})
    ids = documents.column("doc_id").to_pylist()
    assert pages[ids[odd]]["date"] == "sometime in May"
    for i, doc_id in enumerate(ids):
        if doc_id in pages and i != odd and written[i]:
            assert pages[doc_id]["date"].startswith(written[i][:10]), (doc_id, written[i])


def test_dates_show_the_day_and_the_time_of_day_in_utc_to_the_minute(tmp_path: Path) -> None:
    """A person reads ``1987-02-26 16:26 UTC``, not ``1987-02-26T16:26:09.460000+00:00``; a date
    without a time of day stays the day; the cluster list still sorts and filters on the text."""
    story = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(encoding="utf-8")
    dates = {"a": "26-FEB-1987 16:26:09.46", "b": "2017-07-10", "c": "2017-07-10T14:05:00+03:00"}
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": k, "date": v, "text": story}) + "\n" for k, v in dates.items()))
    out = tmp_path / "report"
    assert run("scan", str(feed), "--out", str(out), "-q").exit_code == 0
    pages = {}
    for chunk in (out / "html" / "data" / "d").glob("*.js"):
        pages.update({page["id"]: page for page in data(out, f"d/{chunk.stem}").values()})
    assert {k: pages[k]["date"] for k in dates} == {
        "a": "1987-02-26 16:26 UTC",
        "b": "2017-07-10",
        "c": "2017-07-10 11:05 UTC",
    }
    listed = data(out, "list/00000")
    assert listed and all(r[7] == "1987-02-26 16:26 UTC" and r[8] == "2017-07-10 11:05 UTC" for r in listed)


def test_the_printed_table_keeps_the_units_that_printed_most_news_and_counts_them_all(
    feed_report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second share table (of each origin's news clusters, the share each outlet printed)
    shows the ``MAX_UNITS`` outlets that printed most news clusters (ties by name), and counts
    them all: with a unit per document, a table of every one was unreadable."""
    from provenance.report.html import site

    out = tmp_path / "report"
    shutil.copytree(feed_report, out)
    outlet = {r["doc_id"]: r["outlet"] for r in rows(out, "documents")}
    news = {c["cluster_id"] for c in rows(out, "clusters") if c["category"] == "news" and c["n_documents"] > 1}
    printed = defaultdict(set)
    for p in rows(out, "passages"):
        if p["cluster_id"] in news and outlet[p["doc_id"]]:
            printed[outlet[p["doc_id"]]].add(p["cluster_id"])
    assert len(printed) >= 3 and len({len(c) for c in printed.values()}) > 1  # outlets that printed more, and less
    monkeypatch.setattr(site, "MAX_UNITS", 2)
    assert run("html", str(out), "-q").exit_code == 0
    shares = data(out, "overview")["shares"]
    ranked = sorted(printed, key=lambda o: (-len(printed[o]), o))
    assert sorted(shares["printed"]) == sorted(ranked[:2])
    assert {u: sum(c.values()) for u, c in shares["printed"].items()} == {o: len(printed[o]) for o in ranked[:2]}
    assert shares["printed_total"] == len(printed)
