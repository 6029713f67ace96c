"""Categories end to end: ``prov scan`` and ``prov query`` on the scraped fixture say what each
shared text is, count only news in their findings, and keep the rest in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).parents[2]
SCRAPED = ROOT / "fixtures" / "scraped" / "articles.jsonl"
WIRE = "ZAGREB (Reuters)"
STOCK = "did not immediately respond to a request for comment"


pytestmark = pytest.mark.usefixtures("in_tmp")


def rows(out: Path, table: str) -> list[dict]:
    return pq.read_table(out / f"{table}.parquet").to_pylist()


def test_scan_reports_every_category_and_counts_each_in_the_manifest(runner, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = runner("scan", SCRAPED, "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert {k: counts[k] for k in counts if k.startswith("clusters_")} == {
        "clusters_news": 1,
        "clusters_boilerplate": 7,
        "clusters_stock": 2,
        "clusters_credit": 2,
        "clusters_with_origin": 1,
    }
    assert counts["clusters"] == 12
    stages = [t["stage"] for t in manifest["timings"]]
    assert stages.index("credits") < stages.index("categories") < stages.index("origins")
    assert manifest["parameters"]["categories"]["patterns"] == []

    clusters = rows(out, "clusters")
    assert {c["category"] for c in clusters} == {"news", "boilerplate", "stock", "credit"}
    for c in clusters:
        assert c["category_reason"]
        assert c["boilerplate"] == (c["category"] != "news")
        assert (c["origin"] is not None) == (c["category"] == "news"), c
    (news,) = [c for c in clusters if c["category"] == "news"]
    assert WIRE in news["representative"]
    category_of = {c["cluster_id"]: c["category"] for c in clusters}
    passages = rows(out, "passages")
    assert len(passages) == counts["passages"]  # boilerplate stays in the report
    assert all(p["category"] == category_of[p["cluster_id"]] for p in passages)
    assert {e["target"] for e in rows(out, "edges") if e["kind"] == "contains"} == {f"cluster:{news['cluster_id']}"}

    # The summary lists news clusters and counts the rest on one line.
    output = " ".join(result.output.split())
    assert "1 news cluster; not news: 7 boilerplate, 2 credit, 2 stock" in output
    assert "Largest news clusters (1 of 1)" in output
    assert "Likely origins of news copy across documents: Reuters 1." in output


def test_known_boilerplate_from_a_patterns_file(runner, tmp_path: Path) -> None:
    patterns = tmp_path / "known.txt"
    patterns.write_text(f"# our own list\n{STOCK}\n", encoding="utf-8")
    out = tmp_path / "report"
    result = runner("scan", SCRAPED, "--out", out, "--quiet", "--boilerplate-patterns", patterns)
    assert result.exit_code == 0, result.output
    (stock,) = [c for c in rows(out, "clusters") if STOCK in c["representative"]]
    assert stock["category"] == "boilerplate"
    assert stock["category_reason"].startswith("matches known boilerplate")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["categories"]["patterns"] == [STOCK]


def test_a_bad_pattern_is_a_one_line_error_naming_its_line(runner, tmp_path: Path) -> None:
    patterns = tmp_path / "known.txt"
    patterns.write_text("Read or Share this story\nre:(unclosed\n", encoding="utf-8")
    result = runner("scan", SCRAPED, "--out", tmp_path / "report", "--boilerplate-patterns", patterns)
    assert result.exit_code != 0
    assert "known.txt:2:" in result.output
    assert len(result.output.strip().splitlines()) <= 2
    assert not (tmp_path / "report").exists()


def test_query_categorizes_its_clusters_too(runner, tmp_path: Path) -> None:
    lines = SCRAPED.read_text(encoding="utf-8").splitlines()
    new_ids = {"vt-2016-03-09-quake", "vt-2016-03-10-school-closure", "ml-2016-03-10-courthouse"}
    indexed, new = tmp_path / "indexed.jsonl", tmp_path / "new.jsonl"
    indexed.write_text("".join(f"{x}\n" for x in lines if json.loads(x)["id"] not in new_ids), encoding="utf-8")
    new.write_text("".join(f"{x}\n" for x in lines if json.loads(x)["id"] in new_ids), encoding="utf-8")
    assert runner("index", "add", indexed, "--index", tmp_path / "index", "--quiet").exit_code == 0
    out = tmp_path / "query"
    result = runner("query", new, "--index", tmp_path / "index", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    clusters = rows(out, "clusters")
    by_text = {c["representative"][:40]: c["category"] for c in clusters}
    assert [cat for text, cat in by_text.items() if WIRE in text] == ["news"]
    assert [cat for text, cat in by_text.items() if text.startswith(STOCK[:40])] == ["stock"]
    assert {c["category"] for c in clusters if c["category"] != "news"} >= {"boilerplate", "stock", "credit"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["clusters_news"] == 1
