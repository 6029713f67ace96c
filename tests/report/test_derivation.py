"""``derivation.parquet``: for each pair of documents sharing news copy, how much of each comes
from the other, in characters and tokens, and its METER-style class.

The corpus is built from the newswire fixture's AP cyclone story and unrelated stories of the
same feed, so every shared span is known: a reprint of the whole story with a story of its own
added, a trimmed reprint, an excerpt of two paragraphs, and a long page quoting one paragraph.
Passages end on the last word of the shared text (not its closing full stop).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.config import ScanConfig
from provenance.passages import token_spans, words
from provenance.pipeline import scan
from provenance.records import Alignment, Cluster, Document, Occurrence, ScanResult
from provenance.report import TABLES, derivation, write_scan_report
from provenance.report.derivation import PARTIALLY, WHOLLY, alignment_clusters, derivation_class, derivation_table
from provenance.report.writer import read_table

from ..align.unicode_article import NFC

ROOT = Path(__file__).parents[2]
FEED = {row["id"]: row for row in map(json.loads, (ROOT / "fixtures/newswire/feed.jsonl").read_text().splitlines())}
WIRE = FEED["ap-2024-05-27-cyclone"]["text"]
FERRIES = FEED["courier-2024-05-29-ferries"]["text"]
COUNCIL = FEED["courier-2024-05-30-council"]["text"]
ELECTION = FEED["ledger-2024-05-30-election"]["text"]
PARAS = WIRE.split("\n\n")
EXCERPT = "\n\n".join(PARAS[1:3])

CORPUS = {
    "wire": ("2024-05-27", WIRE),
    "extended": ("2024-05-28", WIRE + "\n\n" + FERRIES),
    "trimmed": ("2024-05-28", "\n\n".join(PARAS[:4])),
    "excerpt": (None, COUNCIL + "\n\n" + EXCERPT),
    "quote": ("2024-05-29", ELECTION[:700] + "\n\n" + PARAS[3] + "\n\n" + FERRIES),
}


def write_jsonl(path: Path, docs: dict[str, tuple[str | None, str]]) -> Path:
    rows = [{"id": i, "date": d, "text": t} for i, (d, t) in docs.items()]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


class Scanned:
    """A scan of ``docs`` and its derivation rows, keyed by ``(doc_a, doc_b)``."""

    def __init__(self, path: Path, docs: dict[str, tuple[str | None, str]]) -> None:
        self.texts = {name: t for name, (_, t) in docs.items()}
        self.result = scan([write_jsonl(path, docs)], ScanConfig(workers=1))
        self.rows = {(r["doc_a"], r["doc_b"]): r for r in derivation_table(self.result).to_pylist()}

    def covered(self, doc: str, other: str) -> set[int]:
        """Characters of ``doc`` inside the alignments of ``doc`` with ``other``."""
        ids = [d.doc_id for d in self.result.documents]
        me, them = ids.index(doc), ids.index(other)
        at: set[int] = set()
        for al in self.result.alignments:
            if (al.doc_a, al.doc_b) == (me, them):
                at.update(range(al.a_start, al.a_end))
            elif (al.doc_a, al.doc_b) == (them, me):
                at.update(range(al.b_start, al.b_end))
        return at

    def expect(self, doc: str, other: str, *shared: str) -> dict:
        """Check the figures of ``doc``'s side of its row with ``other``, whose shared texts are
        ``shared`` (each aligned to within a character: a passage may stop at a full stop)."""
        row = self.rows[(doc, other) if (doc, other) in self.rows else (other, doc)]
        side = "a" if row["doc_a"] == doc else "b"
        doc_text, covered = self.texts[doc], self.covered(doc, other)
        starts, _ = token_spans(doc_text)
        tokens = sum(1 for s in starts.tolist() if s in covered)
        assert row[f"{side}_chars"] == len(covered)
        assert abs(sum(map(shared_chars, shared)) - len(covered)) <= len(shared)
        assert row[f"{side}_containment_chars"] == round(len(covered) / len(doc_text), 6)
        assert row[f"{side}_tokens"] == tokens == sum(len(words(piece)) for piece in shared)
        assert row[f"{side}_containment_tokens"] == round(tokens / len(words(doc_text)), 6)
        assert row[f"{side}_class"] == derivation_class(len(covered) / len(doc_text))
        return row


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    return Scanned(tmp_path_factory.mktemp("derivation") / "feed.jsonl", CORPUS)


def shared_chars(text: str) -> int:
    return len(text.rstrip().rstrip("."))


def text(doc: str) -> str:
    return CORPUS[doc][1]


def test_the_wire_story_is_wholly_in_a_reprint_that_adds_a_story_of_its_own(feed: Scanned) -> None:
    # The quoting page cuts paragraph 4 out as a cluster of its own: two shared clusters, and
    # one alignment over both, which belongs to the cluster of its start (as in alignments.parquet).
    feed.expect("wire", "extended", WIRE)
    row = feed.expect("extended", "wire", WIRE)
    assert (row["a_class"], row["b_class"]) == ("wholly", "partially")
    assert row["a_containment_tokens"] == 1.0
    assert (row["earlier"], row["shared_clusters"], row["aligned_clusters"]) == ("wire", 2, 1)


def test_a_trimmed_reprint_is_wholly_derived_and_holds_most_of_the_wire(feed: Scanned) -> None:
    pieces = ("\n\n".join(PARAS[:3]), PARAS[3])
    feed.expect("wire", "trimmed", *pieces)
    row = feed.expect("trimmed", "wire", *pieces)
    assert row["b_containment_chars"] >= WHOLLY and row["b_class"] == "wholly"
    assert row["a_containment_chars"] >= WHOLLY and row["earlier"] == "wire"


def test_two_paragraphs_make_an_excerpt_partially_derived(feed: Scanned) -> None:
    feed.expect("wire", "excerpt", EXCERPT)
    row = feed.expect("excerpt", "wire", EXCERPT)
    assert (row["a_class"], row["b_class"]) == ("partially", "partially")
    assert row["earlier"] is None  # the excerpt has no date
    # the excerpt met the extended reprint through its own alignment too: same figures
    assert feed.expect("excerpt", "extended", EXCERPT)["a_chars"] == row["a_chars"]


def test_one_quoted_paragraph_in_a_long_page_is_non_derived(feed: Scanned) -> None:
    row = feed.expect("quote", "wire", PARAS[3])
    assert row["b_class"] == "non-derived" and row["b_containment_chars"] < PARTIALLY
    assert feed.expect("quote", "extended", PARAS[3], FERRIES)["b_class"] == "partially"


def test_documents_sharing_no_news_make_no_row(feed: Scanned) -> None:
    assert ("excerpt", "quote") not in feed.rows
    order = list(CORPUS)  # doc_a is the document first in the run
    assert all(order.index(a) < order.index(b) for a, b in feed.rows)
    assert len(feed.rows) == 9


def test_an_internal_repeat_makes_no_row(tmp_path: Path) -> None:
    # the election story repeats its "WHAT TO KNOW" box: an internal cluster, one document
    inputs = write_jsonl(tmp_path / "one.jsonl", {"election": (None, ELECTION), "ferries": (None, FERRIES)})
    result = scan([inputs], ScanConfig(workers=1))
    assert any(c.occurrences[0].kind == "internal" for c in result.clusters)
    assert derivation_table(result).num_rows == 0


def one_cluster_result(category: str) -> ScanResult:
    docs = tuple(Document(i, f"d{i}", WIRE, "test") for i in range(3))
    occurrences = tuple(Occurrence(f"p{i}", "c000001", i, 0, 100, "cross-document") for i in range(3))
    cluster = Cluster("c000001", occurrences, category != "news", category)  # type: ignore[arg-type]
    return ScanResult(docs, (), (cluster,), (), (), ())


@pytest.mark.parametrize("category", ["boilerplate", "stock", "credit"])
def test_a_pair_sharing_only_text_that_is_not_news_makes_no_row(category: str) -> None:
    assert derivation_table(one_cluster_result(category)).num_rows == 0
    assert derivation_table(one_cluster_result("news")).num_rows == 3


def test_without_an_alignment_of_their_own_a_pair_counts_the_smaller_copy() -> None:
    """Two documents in one cluster through a third (no alignment between them): each side
    counts the smaller of the two copies, never more than the document holds."""
    docs = tuple(Document(i, f"d{i}", WIRE, "test") for i in range(3))
    spans = [(0, 0, 1000), (1, 0, 400), (2, 100, 600)]
    occurrences = tuple(Occurrence(f"p{d}", "c000001", d, s, e, "cross-document") for d, s, e in spans)
    result = ScanResult(docs, (), (Cluster("c000001", occurrences),), (), (), ())
    rows = {(r["doc_a"], r["doc_b"]): r for r in derivation_table(result).to_pylist()}
    assert [(rows[p]["a_chars"], rows[p]["b_chars"]) for p in sorted(rows)] == [(400, 400), (500, 500), (400, 400)]
    assert all(r["aligned_clusters"] == 0 for r in rows.values())


def test_an_alignment_counts_for_the_cluster_alignments_parquet_gives_it() -> None:
    """Copies of two clusters overlap in ``d0``: the alignment of ``d0`` and ``d1`` starts inside
    both, and ``alignments.parquet`` gives it the first cluster holding its start, ``c000001``,
    which ``d0`` and ``d1`` share. ``derivation`` counts it there too (the last copy starting
    before it is ``c000002``'s, which ``d1`` does not hold), so the two tables join."""
    docs = tuple(Document(i, f"d{i}", WIRE, "test") for i in range(3))
    first = Cluster(
        "c000001",
        (
            Occurrence("p0", "c000001", 0, 0, 300, "cross-document"),
            Occurrence("p1", "c000001", 1, 0, 300, "cross-document"),
        ),
    )
    second = Cluster(
        "c000002",
        (
            Occurrence("p2", "c000002", 0, 100, 200, "cross-document"),
            Occurrence("p3", "c000002", 2, 0, 100, "cross-document"),
        ),
    )
    alignment = Alignment(0, 150, 300, 1, 150, 300, 1.0, 150, 25)
    result = ScanResult(docs, (alignment,), (first, second), (), (), ())
    assert alignment_clusters(result.alignments, result.clusters).tolist() == [0]
    row = {(r["doc_a"], r["doc_b"]): r for r in derivation_table(result).to_pylist()}[("d0", "d1")]
    assert (row["aligned_clusters"], row["a_chars"], row["b_chars"]) == (1, 150, 150)


def test_unicode_copies_are_measured_in_code_points_and_folded_tokens(tmp_path: Path) -> None:
    page = NFC + "\n\n" + COUNCIL
    scanned = Scanned(tmp_path / "unicode.jsonl", {"afp": ("2024-03-07", NFC), "page": ("2024-03-08", page)})
    scanned.expect("afp", "page", NFC)
    row = scanned.expect("page", "afp", NFC)
    assert (row["a_class"], row["b_class"], row["earlier"]) == ("wholly", "partially", "afp")


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (1.0, "wholly"),
        (WHOLLY, "wholly"),
        (0.799999, "partially"),
        (PARTIALLY, "partially"),
        (0.199999, "non-derived"),
        (0.0, "non-derived"),
    ],
)
def test_class_cut_offs(share: float, expected: str) -> None:
    assert derivation_class(share) == expected


def test_the_report_holds_the_table(tmp_path: Path) -> None:
    inputs = write_jsonl(tmp_path / "feed.jsonl", CORPUS)
    config = ScanConfig(workers=1)
    out = write_scan_report(tmp_path / "report", scan([inputs], config), config, [inputs])
    got = read_table(out, "derivation")
    assert "derivation" in TABLES and got.schema.equals(TABLES["derivation"], check_metadata=False)
    assert got.num_rows == 9


def test_a_news_cluster_over_fifty_documents_pairs_each_with_its_longest_copy_only() -> None:
    docs = tuple(Document(i, f"d{i:02d}", WIRE, "test") for i in range(60))
    occurrences = tuple(
        Occurrence(f"p{i}", "c000001", i, 0, 900 if i == 7 else 100, "cross-document") for i in range(60)
    )
    rows = derivation_table(ScanResult(docs, (), (Cluster("c000001", occurrences),), (), (), ())).to_pylist()
    assert len(rows) == 59 and all("d07" in (r["doc_a"], r["doc_b"]) for r in rows)


def test_the_documents_are_tokenized_a_batch_at_a_time_with_the_same_figures(
    feed: Scanned, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = derivation_table(feed.result)
    monkeypatch.setattr(derivation, "_TOKENIZE_BATCH", 2)  # five documents: batches of 2, 2 and 1
    assert derivation_table(feed.result).equals(whole)
    assert whole.num_rows > 1


def test_the_lengths_come_from_the_engine_when_it_kept_the_texts(feed: Scanned) -> None:
    """A Spark result whose texts stayed on the executors gives every document's length in
    ``texts_elsewhere``: the table is the same, and no length is measured from a text (which
    would read every text the driver holds)."""
    import dataclasses

    from provenance.corpus import Columnar
    from provenance.records import TextsElsewhere

    class Kept(list, Columnar):  # type: ignore[type-arg]
        def column(self, name: str) -> list:  # type: ignore[type-arg]
            assert name != "n_chars", "a length measured from the texts"
            return [getattr(d, name) for d in self]

        def text(self, i: int) -> str:
            return str(self[i].text)

    docs = feed.result.documents
    kept = dataclasses.replace(
        feed.result, documents=Kept(docs), texts_elsewhere=TextsElsewhere([len(d.text) for d in docs])
    )
    assert derivation_table(kept).equals(derivation_table(feed.result))
