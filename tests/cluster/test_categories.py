"""Categories: what each cluster's shared text is, decided from the corpus itself.

``fixtures/scraped/articles.jsonl`` is twelve scraped news pages from three outlets (Harbour
Courier, Valley Times, Metro Ledger). Planted in it:

- each outlet's site menu at the head and its footer at the tail of every one of its pages;
- an Internet Archive notice opening four pages of all three outlets;
- two stock phrases inside unrelated stories of all three outlets ("did not immediately respond
  to a request for comment", "who spoke on condition of anonymity ...");
- a credit line "(Reporting by Maya Lindqvist and Tomas Berg; Editing by Peter Halloran)"
  closing three unrelated stories;
- one Reuters wire story (the Croatia earthquake) reprinted by Harbour Courier and Valley
  Times, the second without its last paragraph, so that its own credit line stands apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.cluster.categories import categorize, category_counts, load_patterns
from provenance.config import CategoryConfig, ScanConfig
from provenance.errors import ConfigError
from provenance.pipeline import scan
from provenance.records import Cluster, Credit, Document, Occurrence, ScanResult
from provenance.report.tables import wire_share_table

ROOT = Path(__file__).parents[2]
SCRAPED = ROOT / "fixtures" / "scraped" / "articles.jsonl"
OUTLETS = ("Harbour Courier", "Valley Times", "Metro Ledger")
MENUS = {
    "Harbour Courier": "Harbour Courier | Home | Local",
    "Valley Times": "VALLEY TIMES  Menu  News",
    "Metro Ledger": "Skip to main content. Metro Ledger",
}
FOOTERS = {
    "Harbour Courier": "Harbour Courier Media Ltd. All rights reserved",
    "Valley Times": "Valley Times is published by Valley Publishing Co.",
    "Metro Ledger": "The Metro Ledger is a nonprofit newsroom",
}
ARCHIVE = "archived copy of a page saved by the Internet Archive"
STOCK = ("did not immediately respond to a request for comment", "spoke on condition of anonymity")
CREDITS = ("Reporting by Maya Lindqvist and Tomas Berg; Editing by Peter Halloran", "Reporting by Ana Kovac in Zagreb")
WIRE = "ZAGREB (Reuters) - A magnitude 6.2 earthquake struck central Croatia"

EXPECTED = (
    [(MENUS[o], "boilerplate") for o in OUTLETS]
    + [(FOOTERS[o], "boilerplate") for o in OUTLETS]
    + [(ARCHIVE, "boilerplate")]
    + [(phrase, "stock") for phrase in STOCK]
    + [(line, "credit") for line in CREDITS]
    + [(WIRE, "news")]
)


@pytest.fixture(scope="module")
def scanned() -> ScanResult:
    return scan([SCRAPED], ScanConfig(workers=1))


@pytest.fixture(scope="module")
def without_outlets(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    rows = [json.loads(line) for line in SCRAPED.read_text(encoding="utf-8").splitlines() if line.strip()]
    bare = tmp_path_factory.mktemp("bare") / SCRAPED.name
    bare.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "outlet"}) + "\n" for r in rows))
    result = scan([bare], ScanConfig(workers=1))
    assert not any(d.outlet for d in result.documents)
    return result


def copies(result: ScanResult, cluster: Cluster) -> list[str]:
    return [result.documents[o.doc].text[o.start : o.end] for o in cluster.occurrences]


def cluster_holding(result: ScanResult, phrase: str) -> Cluster:
    """The one cluster whose every copy holds ``phrase``."""
    found = [c for c in result.clusters if all(phrase in text for text in copies(result, c))]
    assert len(found) == 1, f"{len(found)} clusters hold {phrase!r}"
    return found[0]


@pytest.mark.parametrize(("phrase", "category"), EXPECTED, ids=[p[:30] for p, _ in EXPECTED])
def test_each_planted_text_gets_its_category(scanned: ScanResult, phrase: str, category: str) -> None:
    cluster = cluster_holding(scanned, phrase)
    assert cluster.category == category, cluster.category_reason
    assert cluster.category_reason
    assert cluster.boilerplate == (category != "news")


@pytest.mark.parametrize(("phrase", "category"), EXPECTED, ids=[p[:30] for p, _ in EXPECTED])
def test_categories_hold_without_outlet_metadata(without_outlets: ScanResult, phrase: str, category: str) -> None:
    cluster = cluster_holding(without_outlets, phrase)
    assert cluster.category == category, cluster.category_reason
    assert "outlet" not in cluster.category_reason


def test_nothing_else_is_found(scanned: ScanResult) -> None:
    assert len(scanned.clusters) == len(EXPECTED)
    assert category_counts(scanned.clusters) == {"news": 1, "boilerplate": 7, "stock": 2, "credit": 2}


def test_reasons_name_the_signal_and_its_figures(scanned: ScanResult) -> None:
    menu = cluster_holding(scanned, MENUS["Valley Times"]).category_reason
    assert menu.startswith("in 4 documents, 100% of them in one outlet (Valley Times)"), menu
    assert "at page head" in menu
    assert "at page tail" in cluster_holding(scanned, FOOTERS["Metro Ledger"]).category_reason
    archive = cluster_holding(scanned, ARCHIVE).category_reason
    assert archive.startswith("in 4 documents of 3 outlets, at page head in 100% of copies"), archive
    stock = cluster_holding(scanned, STOCK[0]).category_reason
    assert stock.startswith("a 9-word phrase in 4 documents of 3 outlets, inside a different story each time"), stock
    assert "names after 'by'" in cluster_holding(scanned, CREDITS[0]).category_reason
    assert cluster_holding(scanned, WIRE).category_reason.startswith("110 words in 2 documents of 2 outlets")


def test_only_news_clusters_have_an_origin(scanned: ScanResult) -> None:
    origins = {o.cluster_id: o for o in scanned.origins}
    assert len(origins) == len(scanned.clusters)
    for cluster in scanned.clusters:
        origin = origins[cluster.cluster_id]
        if cluster.category == "news":
            assert origin.agency == "Reuters", origin
        else:
            assert (origin.agency, origin.confidence) == (None, 0.0)
            assert origin.evidence == f"not news ({cluster.category})"
    assert scanned.counts["clusters_with_origin"] == 1


def test_the_graph_holds_news_clusters_only(scanned: ScanResult) -> None:
    news = {f"cluster:{c.cluster_id}" for c in scanned.clusters if c.category == "news"}
    assert {n.id for n in scanned.nodes if n.kind == "cluster"} == news
    assert {e.target for e in scanned.edges if e.kind == "contains"} == news
    docs = {n.label for n in scanned.nodes if n.kind == "doc"}
    assert docs == {"Deadly earthquake hits Croatia", "At least seven dead as quake strikes Croatia"}
    assert [e.kind for e in scanned.edges if e.kind in ("copied_from", "shares_wire_copy")] == ["shares_wire_copy"]


def test_wire_share_counts_news_only(scanned: ScanResult) -> None:
    rows = wire_share_table(scanned).to_pylist()
    wire = cluster_holding(scanned, WIRE)
    chars = {scanned.documents[o.doc].doc_id: o.end - o.start for o in wire.occurrences}
    shares = {(r["id"], r["origin"]): r["reused_chars"] for r in rows if r["level"] == "document"}
    assert shares == {(doc_id, origin): n for doc_id, n in chars.items() for origin in ("all", "Reuters")}
    assert {r["id"] for r in rows if r["level"] == "outlet"} == {"Harbour Courier", "Valley Times"}


def test_categorize_keeps_the_clusters_and_their_order(scanned: ScanResult) -> None:
    plain = [Cluster(c.cluster_id, c.occurrences) for c in reversed(scanned.clusters)]
    again = categorize(plain, scanned.documents, scanned.credits, CategoryConfig(), 100)
    assert [(c.cluster_id, c.occurrences) for c in again] == [(c.cluster_id, c.occurrences) for c in plain]
    assert again == list(reversed(scanned.clusters))


# --- hand-built cases ------------------------------------------------------------------------

STORIES = [
    "Flood waters rose through the night along the lower river, and farmers moved cattle to the ridge pastures.",
    "The city orchestra opened its season with a programme of Sibelius and a new piece by a local composer.",
    "Wheat futures slipped for a third day as traders weighed rain forecasts across the southern plains.",
    "A new footbridge over the canal will close for repairs after inspectors found cracks in two of its piers.",
]


def docs_with(line: str, where: str = "tail", n: int = 4) -> list[Document]:
    """``n`` documents, each an unrelated story with ``line`` standing at its head or tail."""
    out = []
    for i in range(n):
        first, second = STORIES[i % len(STORIES)], STORIES[(i + 1) % len(STORIES)]
        story = f"{first} Officials gave no figures on Tuesday {i}.\n\n{second}"
        text = f"{line}\n\n{story}\n" if where == "head" else f"{story}\n\n{line}\n"
        out.append(Document(index=i, doc_id=f"d{i}", text=text, source="test"))
    return out


def cluster_of(docs: list[Document], line: str) -> Cluster:
    occurrences = []
    for d in docs:
        start = d.text.index(line)
        occurrences.append(Occurrence(f"p{d.index}", "c000001", d.index, start, start + len(line), "cross-document"))
    return Cluster("c000001", tuple(occurrences))


def test_a_line_the_credits_stage_credits_is_a_credit() -> None:
    line = "Material from the Associated Press wire was used in this report"
    docs = docs_with(line)

    def footer(doc: Document) -> Credit:  # as the credit extractor records an agency footer
        at = doc.text.index("Associated Press")
        return Credit(doc.index, "AP", at, at + len("Associated Press"), "footer", "document", 0, len(doc.text))

    (plain,) = categorize([cluster_of(docs, line)], docs, [])
    assert plain.category != "credit"
    (credited,) = categorize([cluster_of(docs, line)], docs, [footer(d) for d in docs])
    assert credited.category == "credit"
    assert "footer credit to AP" in credited.category_reason


def test_known_boilerplate_patterns_add_to_the_signals() -> None:
    line = "Sign up for the weekend edition and get our best long reads every Saturday morning, with our editors' picks"
    docs = docs_with(line, n=2)  # two documents, a line too long for a link list: position alone does not decide
    assert categorize([cluster_of(docs, line)], docs, [])[0].category == "news"
    for pattern in ("sign up for the WEEKEND edition", r"re:get our best \w+ reads", r"re:(?i)GET OUR BEST \w+"):
        (found,) = categorize([cluster_of(docs, line)], docs, [], CategoryConfig(patterns=(pattern,)))
        assert found.category == "boilerplate"
        assert found.category_reason.startswith("matches known boilerplate")


def test_a_pattern_inside_a_long_news_copy_mid_page_does_not_make_it_boilerplate() -> None:
    story = " ".join(STORIES)
    docs = [
        Document(i, f"d{i}", f"Headline number {i} of the day\n\nOpening words {i}. {story} Closing words {i}.\n", "t")
        for i in range(3)
    ]
    (found,) = categorize([cluster_of(docs, story)], docs, [], CategoryConfig(patterns=("orchestra",)))
    assert found.category == "news", found.category_reason


def test_a_cluster_over_the_boilerplate_limit_is_boilerplate() -> None:
    line = "The river authority said the bridge would reopen once engineers had checked it"
    docs = docs_with(line, where="tail", n=4)
    (found,) = categorize([cluster_of(docs, line)], docs, [], boilerplate_docs=3)
    assert found.category == "boilerplate"
    assert found.category_reason == "in 4 documents, more than the boilerplate limit (3)"


def test_a_passage_repeated_inside_one_document_is_news() -> None:
    text = f"{STORIES[0]}\n\n{STORIES[1]}\n\n{STORIES[0]}\n"
    doc = Document(0, "d0", text, "t")
    second = text.index(STORIES[0], 1)
    occurrences = (
        Occurrence("p1", "c000001", 0, 0, len(STORIES[0]), "internal"),
        Occurrence("p2", "c000001", 0, second, second + len(STORIES[0]), "internal"),
    )
    (found,) = categorize([Cluster("c000001", occurrences)], [doc], [])
    assert found.category == "news"
    assert "inside one document" in found.category_reason


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"edge_share": 0.0},
        {"outlet_share": 1.5},
        {"min_docs": 1},
        {"diverse_context": 1.0},
        {"stock_words": 0},
        {"sample": 1},
        {"patterns": ("re:(unclosed",)},
        {"patterns": ("re:a*",)},
        {"patterns": ("   ",)},
    ],
)
def test_bad_category_parameters_are_refused(bad: dict) -> None:
    with pytest.raises(ConfigError):
        CategoryConfig(**bad)


def test_pattern_files_skip_blanks_and_comments_and_name_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "chrome.txt"
    path.write_text("# site chrome\n\nRead or Share this story\nre:^Go Back to Top\n", encoding="utf-8")
    assert load_patterns(path) == ("Read or Share this story", "re:^Go Back to Top")
    path.write_text("Read or Share this story\nre:[unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"chrome\.txt:2: "):
        load_patterns(path)


def test_a_short_line_at_the_page_edge_of_its_two_copies_is_a_link_list_headline() -> None:
    line = "Harbour dredging contract goes to local firm"
    docs = docs_with(line, where="tail", n=2)
    (found,) = categorize([cluster_of(docs, line)], docs, [])
    assert found.category == "boilerplate"
    assert found.category_reason == "a 7-word line of its own at the page edge of both copies (a link list)"
    inline = [Document(d.index, d.doc_id, d.text.replace("\n\n" + line, " " + line), "t") for d in docs]
    assert categorize([cluster_of(inline, line)], inline, [])[0].category == "news"  # inside a paragraph


def test_a_short_line_on_twenty_pages_is_a_template_line_even_among_repeated_template() -> None:
    line = "All rights reserved. Terms of Use | Privacy Policy | Contact Us"
    docs = docs_with(line + "\nNewsletter: sign up", where="tail", n=20)  # the text after it repeats too
    (found,) = categorize([cluster_of(docs, line)], docs, [])
    assert found.category == "boilerplate"
    assert found.category_reason == "a 12-word template line in 20 documents, at page tail in 100% of copies"


def test_a_credit_line_may_open_with_two_words_before_by() -> None:
    line = "Additional reporting by Lucas Moreau; Writing by Mei Tanaka; Editing by Graham Selby"
    docs = docs_with(line, n=3)
    (found,) = categorize([cluster_of(docs, line)], docs, [])
    assert found.category == "credit", found.category_reason
