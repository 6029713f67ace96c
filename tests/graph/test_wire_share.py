"""``wire_share.parquet``: per document and per outlet, the share of characters that are reused
copy, by origin. A character two copies cover counts once: the ``all`` row is at most the
per-origin rows' sum (and the unit's text), and every share is reused characters over total
characters."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.config import ScanConfig
from provenance.pipeline import scan
from provenance.records import Cluster, Document, Occurrence, Origin, ScanResult
from provenance.report import tables, write_scan_report
from provenance.report.tables import wire_share_table

ROOT = Path(__file__).parents[2]
CORPORA = {"seeds": ROOT / "seeds", "newswire": ROOT / "fixtures" / "newswire" / "feed.jsonl"}


@pytest.fixture(scope="module", params=sorted(CORPORA))
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = CORPORA[request.param]
    out = tmp_path_factory.mktemp(request.param) / "report"
    config = ScanConfig(workers=1)
    write_scan_report(out, scan([inputs], config), config, [inputs])
    return out


def rows(report: Path, table: str) -> list[dict]:
    return pq.read_table(report / f"{table}.parquet").to_pylist()


def grouped(share_rows: list[dict]) -> dict[tuple[str, str], dict[str, dict]]:
    """(level, id) -> origin -> row."""
    groups: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for row in share_rows:
        key = (row["level"], row["id"])
        assert row["origin"] not in groups[key], f"two {row['origin']!r} rows for {key}"
        groups[key][row["origin"]] = row
    return dict(groups)


def check_shares(share_rows: list[dict]) -> dict[tuple[str, str], dict[str, dict]]:
    """The invariants of any wire_share table; returns it grouped."""
    groups = grouped(share_rows)
    for key, by_origin in groups.items():
        assert key[0] in ("document", "outlet")
        assert "all" in by_origin, key
        parts = [r for origin, r in by_origin.items() if origin != "all"]
        assert parts, key
        reused = [r["reused_chars"] for r in parts]
        assert max(reused) <= by_origin["all"]["reused_chars"] <= sum(reused), key
        assert len({r["total_chars"] for r in by_origin.values()}) == 1, key
        for row in by_origin.values():
            assert 0 < row["reused_chars"] <= row["total_chars"], row
            assert row["share"] == pytest.approx(row["reused_chars"] / row["total_chars"], abs=1e-6), row
    return groups


# Whole scans


def test_shares_add_up_and_are_reused_over_total_characters(report: Path) -> None:
    groups = check_shares(rows(report, "wire_share"))
    assert groups, "the corpus has reused copy"


def test_document_shares_are_the_cross_document_passages_by_cluster_origin(report: Path) -> None:
    origin = {c["cluster_id"]: c["origin"] or "unknown" for c in rows(report, "clusters")}
    covered: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))  # the characters
    for p in rows(report, "passages"):
        if p["kind"] == "cross-document":
            chars = range(p["start"], p["end"])
            covered[p["doc_id"]][origin[p["cluster_id"]]].update(chars)
            covered[p["doc_id"]]["all"].update(chars)
    expected = {doc: {o: len(chars) for o, chars in by.items()} for doc, by in covered.items()}
    n_chars = {d["doc_id"]: d["n_chars"] for d in rows(report, "documents")}
    groups = grouped(rows(report, "wire_share"))
    found = {ident: by_origin for (level, ident), by_origin in groups.items() if level == "document"}
    assert set(found) == set(expected)
    for doc_id, by_origin in found.items():
        assert {o: r["reused_chars"] for o, r in by_origin.items()} == expected[doc_id], doc_id
        assert {r["total_chars"] for r in by_origin.values()} == {n_chars[doc_id]}


def test_outlet_shares_sum_their_documents(report: Path) -> None:
    documents = rows(report, "documents")
    groups = grouped(rows(report, "wire_share"))
    outlets = {ident for level, ident in groups if level == "outlet"}
    assert outlets == {d["outlet"] for d in documents if d["outlet"] and ("document", d["doc_id"]) in groups}, (
        "an outlet has rows when one of its documents has"
    )
    for outlet in outlets:
        docs = [d for d in documents if d["outlet"] == outlet]
        by_origin = groups[("outlet", outlet)]
        # Every document of the outlet counts in its total, whether it reused copy or not.
        assert by_origin["all"]["total_chars"] == sum(d["n_chars"] for d in docs)
        for origin, row in by_origin.items():
            assert row["reused_chars"] == sum(
                groups.get(("document", d["doc_id"]), {}).get(origin, {"reused_chars": 0})["reused_chars"] for d in docs
            ), (outlet, origin)


# Hand-built scans


def make_doc(index: int, outlet: str | None, n_chars: int = 1000) -> Document:
    return Document(index, f"doc-{index}", "x" * n_chars, "test", outlet=outlet)


def occ(cluster_id: str, doc: int, start: int, end: int, kind: str = "cross-document") -> Occurrence:
    return Occurrence(f"p-{cluster_id}-{doc}-{start}", cluster_id, doc, start, end, kind)  # type: ignore[arg-type]


def result(docs: list[Document], clusters: list[Cluster], origins: list[Origin]) -> ScanResult:
    return ScanResult(
        documents=tuple(docs),
        alignments=(),
        clusters=tuple(clusters),
        skipped=(),
        boilerplate=(),
        timings=(),
        origins=tuple(origins),
    )


def test_hand_built_shares() -> None:
    docs = [make_doc(0, "AP"), make_doc(1, "Herald", 500), make_doc(2, "Herald", 1500), make_doc(3, None, 400)]
    clusters = [
        Cluster("c000001", (occ("c000001", 0, 0, 300), occ("c000001", 1, 0, 250), occ("c000001", 3, 0, 100))),
        Cluster("c000002", (occ("c000002", 0, 400, 500), occ("c000002", 1, 300, 400))),
        # repeated inside one article: not copy
        Cluster("c000003", (occ("c000003", 2, 0, 200, "internal"), occ("c000003", 2, 500, 700, "internal"))),
    ]
    origins = [Origin("c000001", "AP", 1.0, "own"), Origin("c000002", None, 0.0, "no credits")]
    share_rows = wire_share_table(result(docs, clusters, origins)).to_pylist()
    groups = check_shares(share_rows)
    table = {key: {o: (r["reused_chars"], r["total_chars"]) for o, r in by.items()} for key, by in groups.items()}
    assert table == {
        ("document", "doc-0"): {"all": (400, 1000), "AP": (300, 1000), "unknown": (100, 1000)},
        ("document", "doc-1"): {"all": (350, 500), "AP": (250, 500), "unknown": (100, 500)},
        ("document", "doc-3"): {"all": (100, 400), "AP": (100, 400)},  # no outlet: document level only
        ("outlet", "AP"): {"all": (400, 1000), "AP": (300, 1000), "unknown": (100, 1000)},
        # doc-2 has only an internal repeat, yet its characters count in the Herald's total
        ("outlet", "Herald"): {"all": (350, 2000), "AP": (250, 2000), "unknown": (100, 2000)},
    }
    assert ("document", "doc-2") not in groups


def test_a_character_two_copies_cover_counts_once() -> None:
    """Copies of two clusters overlap in one document (a story's copy, and a paragraph of it
    another story reprints): their characters count once, for each origin and for all; a
    share never goes over the whole text."""
    docs = [make_doc(0, "Herald", 500), make_doc(1, "AP"), make_doc(2, "AP"), make_doc(3, "AP")]
    clusters = [
        Cluster("c000001", (occ("c000001", 0, 0, 450), occ("c000001", 1, 0, 450))),
        Cluster("c000002", (occ("c000002", 0, 100, 300), occ("c000002", 2, 0, 200))),  # inside the first
        Cluster("c000003", (occ("c000003", 0, 400, 500), occ("c000003", 3, 0, 100))),  # across its end
    ]
    origins = [Origin("c000001", "AP", 1.0, ""), Origin("c000002", "AP", 1.0, ""), Origin("c000003", "AFP", 1.0, "")]
    groups = check_shares(wire_share_table(result(docs, clusters, origins)).to_pylist())
    doc = {o: (r["reused_chars"], r["total_chars"]) for o, r in groups["document", "doc-0"].items()}
    assert doc == {"all": (500, 500), "AP": (450, 500), "AFP": (100, 500)}
    assert groups["document", "doc-0"]["all"]["share"] == 1.0
    outlet = {o: r["reused_chars"] for o, r in groups["outlet", "Herald"].items()}
    assert outlet == {"all": 500, "AP": 450, "AFP": 100}


def test_the_shares_are_the_same_made_a_few_rows_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are made a slice at a time (``SLICE_ROWS``): the same rows, in the same order,
    whatever the slice, with a document's copies found in clusters far apart."""
    docs = [make_doc(i, ("AP", "Herald", None)[i % 3], 1000 + i) for i in range(9)]
    clusters = [
        Cluster(f"c{k:06d}", tuple(occ(f"c{k:06d}", d, 10 * k, 10 * k + 5 + d) for d in members))
        for k, members in enumerate([(0, 4, 8), (1, 2), (0, 3, 8), (5, 7), (0, 8)], start=1)
    ]
    agencies = ["Xinhua", "AP", None, "AFP", "AP"]
    origins = [Origin(c.cluster_id, a, 1.0 if a else 0.0, "") for c, a in zip(clusters, agencies, strict=True)]
    whole = wire_share_table(result(docs, clusters, origins))
    monkeypatch.setattr(tables, "SLICE_ROWS", 2)
    batches = list(tables.wire_share_batches(result(docs, clusters, origins)).batches())
    assert len(batches) > 3
    assert pa.Table.from_batches(batches).to_pylist() == whole.to_pylist()
    assert whole.slice(0, 4).to_pylist() == [  # doc-0: all, then each origin by name
        {"level": "document", "id": "doc-0", "origin": o, "reused_chars": n, "total_chars": 1000, "share": n / 1000}
        for o, n in [("all", 15), ("AP", 5), ("Xinhua", 5), ("unknown", 5)]
    ]


def test_a_scan_without_reuse_has_no_shares() -> None:
    assert wire_share_table(result([make_doc(0, "AP")], [], [])).num_rows == 0
