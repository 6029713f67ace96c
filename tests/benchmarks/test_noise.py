"""The benchmark's real-world noise (issue 9): the generator plants it with exact truth, and the
evaluator's news metrics, noise share, purity and coherence give the expected figures."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks import evaluate, generate, noise, run, textbase

# --- the generator ------------------------------------------------------------------------------


def rows(corpus: Path, name: str) -> list[dict]:
    return evaluate.read_jsonl(corpus / name)


def _any(templates: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [noise.template_regex(t) for t in templates]


PATTERNS = {
    "stock": _any(noise.STOCK_CLAUSES + noise.STOCK_SENTENCES),
    "byline": _any(noise.BYLINES),
    "archive": _any(noise.ARCHIVE_TOP + noise.ARCHIVE_INLINE + noise.ARCHIVE_END),
    "roundup_heading": _any(noise.ROUNDUP_HEADINGS),
}


def test_noise_spans_slice_the_planted_text(
    corpus: Path, corpus_docs: dict[str, dict], corpus_config: generate.GenConfig
) -> None:
    spans = rows(corpus, generate.TRUTH_NOISE)
    assert {s["kind"] for s in spans} == set(noise.SPAN_CATEGORY)
    assert {s["category"] for s in spans} == set(noise.CATEGORIES)
    # the chrome of each outlet, drawn again from the noise's own stream
    chrome = noise.Noise(corpus_config.noise, corpus_config.seed, generate.OUTLETS).chrome
    for s in spans:
        doc = corpus_docs[s["doc_id"]]
        text = doc["text"][s["start"] : s["end"]]
        assert s["category"] == noise.SPAN_CATEGORY[s["kind"]]
        assert text and text == text.strip(), s
        if s["kind"] == "header":
            site = chrome[doc["outlet"]]
            assert site.site in text and site.skip in text and site.menu in text, (s, text)
        elif s["kind"] == "footer":
            site = chrome[doc["outlet"]]
            assert text.endswith(site.copyright) and site.related in text, (s, text)
        else:
            assert any(p.fullmatch(text) for p in PATTERNS[s["kind"]]), (s, text)
        if s["kind"] in ("stock", "byline"):
            assert 8 <= len(re.findall(r"\w+", text)) <= 20, text


def test_noise_never_overlaps_planted_reuse_or_credits(corpus: Path) -> None:
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for name in (generate.TRUTH_PASSAGES, generate.TRUTH_CREDITS, generate.TRUTH_NOISE):
        for r in rows(corpus, name):
            spans[r["doc_id"]].append((r["start"], r["end"]))
    for doc_spans in spans.values():
        doc_spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(doc_spans, doc_spans[1:], strict=False))


def test_chrome_is_on_most_but_not_all_outlet_pages(corpus: Path, corpus_docs: dict[str, dict]) -> None:
    outlet_docs = {d for d, row in corpus_docs.items() if row["outlet"] in generate.OUTLETS}
    headers = {s["doc_id"]: s for s in rows(corpus, generate.TRUTH_NOISE) if s["kind"] == "header"}
    assert 0.6 < len(headers) / len(outlet_docs) < 0.99
    assert set(headers) <= outlet_docs  # agencies' own copy carries no site chrome
    # the chrome sits right above the story: after a blank line, a line break, or on the same line
    gaps = {corpus_docs[d]["text"][s["end"] : s["end"] + 2].replace("\n", "N")[:2] for d, s in headers.items()}
    assert "NN" in gaps and any(g[0] == "N" and g[1:] != "N" for g in gaps) and any(g[0] == " " for g in gaps)


def test_stock_phrases_and_bylines_repeat_across_unrelated_documents(
    corpus: Path, corpus_docs: dict[str, dict]
) -> None:
    groups_of: dict[str, set[str]] = defaultdict(set)
    for p in rows(corpus, generate.TRUTH_PASSAGES):
        groups_of[p["doc_id"]].add(p["group"])
    seen: dict[str, dict[str, list[tuple[str, str]]]] = {"stock": defaultdict(list), "byline": defaultdict(list)}
    for s in rows(corpus, generate.TRUTH_NOISE):
        if s["kind"] in seen:
            text = corpus_docs[s["doc_id"]]["text"]
            before = text[max(0, s["start"] - 30) : s["start"]]
            seen[s["kind"]][text[s["start"] : s["end"]]].append((s["doc_id"], before))
    # a stock phrase recurs, each time among different words
    stock = max(seen["stock"].values(), key=len)
    assert len(stock) >= 5 and len({before for _, before in stock}) == len(stock)
    # a byline recurs in documents that share no planted text
    unrelated = [
        (a, b)
        for places in seen["byline"].values()
        for (a, _), (b, _) in zip(places, places[1:], strict=False)
        if a != b and not groups_of[a] & groups_of[b]
    ]
    assert unrelated


def test_roundups_quote_two_agencies_stories_in_two_outlets(corpus: Path, corpus_docs: dict[str, dict]) -> None:
    passages = rows(corpus, generate.TRUTH_PASSAGES)
    origin = {p["group"]: p["origin"] for p in passages}
    quotes: dict[str, list[dict]] = defaultdict(list)
    for p in passages:
        if p["kind"] == "roundup":
            quotes[p["doc_id"]].append(p)
    assert len(quotes) >= 4  # at least two roundups, each printed twice
    printings: dict[tuple[str, str], list[str]] = defaultdict(list)
    for doc_id, pair in quotes.items():
        assert len(pair) == 2
        a, b = sorted(pair, key=lambda p: p["start"])
        assert a["group"] != b["group"] and origin[a["group"]] != origin[b["group"]]
        assert a["n_words"] >= 25 and b["n_words"] >= 25
        gap = corpus_docs[doc_id]["text"][a["end"] : b["start"]]
        assert gap.strip() == ""  # back to back
        printings[(a["group"], b["group"])].append(doc_id)
    for (ga, gb), docs in printings.items():
        assert len(docs) == 2
        assert corpus_docs[docs[0]]["outlet"] != corpus_docs[docs[1]]["outlet"]
        # both printings quote the same paragraphs; each is its own group's occurrence
        texts = [
            tuple(corpus_docs[d]["text"][p["start"] : p["end"]] for p in sorted(quotes[d], key=lambda p: p["start"]))
            for d in docs
        ]
        assert texts[0] == texts[1]
        assert sum(1 for p in passages if p["group"] == ga and p["kind"] != "roundup") >= 1
        assert sum(1 for p in passages if p["group"] == gb and p["kind"] != "roundup") >= 1


def test_truth_json_counts_the_noise(corpus: Path) -> None:
    truth = json.loads((corpus / generate.TRUTH).read_text())
    spans = rows(corpus, generate.TRUTH_NOISE)
    assert truth["version"] == generate.GENERATOR_VERSION >= 2
    assert truth["noise"] == "web"
    assert sum(truth["counts"]["noise"]["spans_by_kind"].values()) == len(spans)
    headings = [p for p in spans if p["kind"] == "roundup_heading"]
    assert truth["counts"]["noise"]["roundups"] * 2 == len(headings)


# The clean corpus of generator version 1 (3 Reuters files, 300 documents, seed 7): noise draws
# from its own random streams, so `--noise none` must keep giving these bytes. If the base text
# or numpy's generator changed on purpose, regenerate and update them.
VERSION_1_SHA256 = {
    generate.CORPUS: "3eaeffe62a3b0d5c18a5c3de20792e1d00529806a11cee8d9a8f1f47468bed33",
    generate.TRUTH_PASSAGES: "074d50173f8e8836f383c44f04eee249474c3eae0e37110507c02ed96dc1f759",
    generate.TRUTH_CREDITS: "09d2b56c8e9f8a7587a2a09407ec45c5f990f8f95531b573051163d64e2ce15b",
}


def test_noise_none_is_the_version_1_corpus(base: textbase.Base, tmp_path: Path) -> None:
    cfg = generate.GenConfig(docs=300, seed=7, noise=noise.NoiseConfig(kinds=()))
    truth = generate.generate(cfg, tmp_path, base)
    assert truth["noise"] == "none"
    assert (tmp_path / generate.TRUTH_NOISE).read_text() == ""
    for name, digest in VERSION_1_SHA256.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, name


def test_one_noise_kind_alone(base: textbase.Base, tmp_path: Path) -> None:
    cfg = generate.GenConfig(docs=300, seed=7, noise=noise.NoiseConfig(kinds=("bylines",)))
    generate.generate(cfg, tmp_path, base)
    assert {s["kind"] for s in rows(tmp_path, generate.TRUTH_NOISE)} == {"byline"}
    assert "roundup" not in {p["kind"] for p in rows(tmp_path, generate.TRUTH_PASSAGES)}


@pytest.mark.parametrize(
    ("value", "kinds"),
    [("web", noise.NOISE_KINDS), ("none", ()), ("stock,chrome", ("chrome", "stock")), ("NONE", ())],
)
def test_parse_noise(value: str, kinds: tuple[str, ...]) -> None:
    assert noise.parse_noise(value) == kinds


def test_parse_noise_rejects_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="chrome, stock, bylines, archive, roundups"):
        noise.parse_noise("chrome,ads")


def test_plant_phrase_keeps_the_text_around_it() -> None:
    text = "First one here. Second one here. Third one here."
    clause = noise.plant_phrase(text, "according to a person familiar with the matter", True, 0.0)
    assert clause.before + clause.phrase + clause.after == (
        "First one here, according to a person familiar with the matter. Second one here. Third one here."
    )
    inner = noise.plant_phrase(text, "It was not clear", False, 0.99, inner=True)
    planted = inner.before + inner.phrase + inner.after
    assert planted == "First one here. Second one here. It was not clear. Third one here."
    end = noise.plant_phrase(text, "It was not clear", False, 0.99)
    assert end.before + end.phrase + end.after == text + " It was not clear."


# --- the evaluator's new metrics on hand-built truth and reports ---------------------------------

TEXT = "x" * 300  # word characters only: every character counts


def hand_truth(tmp_path: Path) -> evaluate.Truth:
    """Two documents: a story of group g1 at 0-100, one of g2 at 100-200, and noise at 200-300
    (boilerplate in a, a stock phrase in b)."""
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": d, "text": TEXT}) + "\n" for d in ("a", "b")))
    passages = [
        {"group": g, "doc_id": d, "start": s, "end": s + 100, "n_words": 30, "kind": "story"}
        for d in ("a", "b")
        for g, s in (("g1", 0), ("g2", 100))
    ]
    noise_rows = [
        {"doc_id": "a", "start": 200, "end": 300, "category": "boilerplate"},
        {"doc_id": "b", "start": 200, "end": 300, "category": "stock"},
    ]
    return evaluate.Truth([corpus], passages, [], noise_rows)


# c1 holds g1 alone (pure); c2 holds g2 in a, but in b runs from inside g1 across g2 into the stock
# phrase (impure, and 50 noise characters as news); c3 is the boilerplate at the end of a.
HAND_PASSAGES = [
    {"cluster_id": "c1", "doc_id": "a", "start": 0, "end": 100},
    {"cluster_id": "c1", "doc_id": "b", "start": 0, "end": 100},
    {"cluster_id": "c2", "doc_id": "a", "start": 100, "end": 200},
    {"cluster_id": "c2", "doc_id": "b", "start": 50, "end": 250},
    {"cluster_id": "c3", "doc_id": "a", "start": 200, "end": 300},
]
HAND_CATEGORIES = {"c1": "news", "c2": "news", "c3": "boilerplate"}


def write_report(folder: Path, clusters: dict[str, list]) -> Path:
    folder.mkdir()
    columns = {k: [r[k] for r in HAND_PASSAGES] for k in ("cluster_id", "doc_id", "start", "end")}
    columns["text"] = [TEXT[r["start"] : r["end"]] for r in HAND_PASSAGES]
    pq.write_table(pa.table(columns), folder / "passages.parquet")
    pq.write_table(pa.table({"cluster_id": ["c1", "c2", "c3"], **clusters}), folder / "clusters.parquet")
    return folder


def test_news_metrics_count_only_what_the_report_calls_news(tmp_path: Path) -> None:
    report = write_report(tmp_path / "r", {"category": ["news", "news", "boilerplate"]})
    m = evaluate.evaluate(hand_truth(tmp_path), evaluate.load_found(report))
    # news: a 0-200, b 0-250 found; 400 planted characters, all found
    assert m["news"]["chars"]["precision"] == pytest.approx(400 / 450)
    assert m["news"]["chars"]["recall"] == 1.0
    assert m["news"]["chars"]["f1"] == pytest.approx(16 / 17)
    # every reported passage, flagged or not: a 0-300 as well
    assert m["chars"]["precision"] == pytest.approx(400 / 550)
    # noise: 200 characters; 50 of the stock phrase inside news c2; the boilerplate flagged
    assert m["noise"]["chars"] == 200
    assert m["noise"]["share_as_news"] == pytest.approx(0.25)
    assert m["noise"]["share_reported"] == pytest.approx(0.75)
    assert m["noise"]["by_category"]["boilerplate"]["share_as_news"] == 0.0
    assert m["noise"]["by_category"]["boilerplate"]["share_same_category"] == 1.0
    assert m["noise"]["by_category"]["stock"]["share_as_news"] == pytest.approx(0.5)
    assert m["noise"]["by_category"]["stock"]["share_same_category"] == 0.0
    # purity: c1 pure, c2 touches g1 and g2; c3 touches no planted passage
    assert m["purity"]["clusters"] == 2 and m["purity"]["impure"] == 1
    assert m["purity"]["purity"] == 0.5
    assert m["purity"]["purity_chars"] == pytest.approx(200 / 450)
    assert m["purity"]["impure_examples"] == [{"cluster_id": "c2", "news": True, "groups": {"g1": 50, "g2": 200}}]


def test_boilerplate_column_flags_when_there_is_no_category(tmp_path: Path) -> None:
    report = write_report(tmp_path / "r", {"boilerplate": [False, False, True]})
    m = evaluate.evaluate(hand_truth(tmp_path), evaluate.load_found(report))
    assert m["news"]["chars"]["f1"] == pytest.approx(16 / 17)
    assert m["noise"]["share_as_news"] == pytest.approx(0.25)
    assert "share_same_category" not in m["noise"]  # no categories to compare


def test_a_report_without_flags_calls_everything_news(tmp_path: Path) -> None:
    report = write_report(tmp_path / "r", {"n_documents": [2, 2, 1]})
    m = evaluate.evaluate(hand_truth(tmp_path), evaluate.load_found(report))
    assert m["noise"]["share_as_news"] == pytest.approx(0.75)
    assert m["news"]["chars"] == m["chars"]


def test_perfect_news_report(tmp_path: Path) -> None:
    found = evaluate.Found(
        [
            {"cluster_id": g, "doc_id": d, "start": s, "end": s + 100}
            for d in ("a", "b")
            for g, s in (("g1", 0), ("g2", 100))
        ]
        + [{"cluster_id": "chrome", "doc_id": d, "start": 200, "end": 300} for d in ("a", "b")],
        categories={"g1": "news", "g2": "news", "chrome": "boilerplate"},
        news={"g1": True, "g2": True, "chrome": False},
    )
    m = evaluate.evaluate(hand_truth(tmp_path), found)
    assert m["news"]["chars"]["f1"] == 1.0
    assert m["noise"]["share_as_news"] == 0.0
    assert m["purity"]["purity"] == m["purity"]["purity_chars"] == 1.0


# --- coherence, without truth ----------------------------------------------------------------------

STORY = "Oil prices rose on Tuesday after the cartel agreed to cut output by two million barrels a day"


def coherence_report(tmp_path: Path) -> Path:
    members = [
        ("k1", "d1", STORY),
        ("k1", "d2", "Oil prices rose on Tuesday after the cartel agreed to cut output"),  # a part: alike
        ("k1", "d3", STORY.upper()),  # case: alike
        ("k1", "d4", "Reporting by Anna Keller; Editing by Ruth Pitchford"),  # chained in: unlike
        ("k2", "d1", "Skip to content Home | World | Business | Sport"),  # flagged: not scored
        ("k2", "d5", "Reporting by Anna Keller; Editing by Ruth Pitchford"),
        ("k3", "d6", "Shares closed higher in quiet trade on the exchange"),  # no representative: the longest
        ("k3", "d7", "Shares closed higher in quiet trade"),
    ]
    folder = tmp_path / "report"
    folder.mkdir()
    pq.write_table(
        pa.table({k: [m[j] for m in members] for j, k in enumerate(("cluster_id", "doc_id", "text"))}),
        folder / "passages.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "cluster_id": ["k1", "k2", "k3"],
                "category": ["news", "boilerplate", "news"],
                "representative": [STORY, "Skip to content", ""],
            }
        ),
        folder / "clusters.parquet",
    )
    return folder


def test_coherence_scores_members_against_the_representative(tmp_path: Path) -> None:
    c = evaluate.coherence(coherence_report(tmp_path), big_docs=3)
    assert c["news_clusters"] == 2 and c["news_occurrences"] == 6
    assert c["flagged_clusters"] == 1 and c["flagged_occurrences"] == 2
    assert c["alike_share"] == pytest.approx(5 / 6)
    assert c["news_clusters_with_unalike_member"] == 1
    assert c["big_news_clusters"] == 1 and c["big_news_clusters_unalike"] == 1  # k1: 4 documents
    assert c["largest"][0]["cluster_id"] == "k1" and c["largest"][0]["alike_share"] == 0.75


def test_coherence_on_the_command_line_needs_no_truth(tmp_path: Path, capsys) -> None:
    out = tmp_path / "m.json"
    assert evaluate.main(["--report", str(coherence_report(tmp_path)), "--coherence", "--json", str(out)]) == 0
    assert "news occurrences alike representative" in capsys.readouterr().out
    assert json.loads(out.read_text())["coherence"]["news_occurrences"] == 6


# --- the runner's targets ----------------------------------------------------------------------------


def test_targets_with_noise_use_news_figures(tmp_path: Path) -> None:
    report = write_report(tmp_path / "r", {"category": ["news", "news", "boilerplate"]})
    metrics = evaluate.evaluate(hand_truth(tmp_path), evaluate.load_found(report))
    checks = run.check_targets("smoke", {"prov": {"metrics": metrics}})
    assert "char_f1" not in checks  # with noise, flagged boilerplate is not a false positive
    assert checks["news_char_f1"] == {"value": pytest.approx(16 / 17), "target": ">= 0.97", "met": False}
    assert checks["noise_as_news"]["value"] == pytest.approx(0.25) and checks["noise_as_news"]["met"] is False
    assert checks["cluster_purity"]["value"] == 0.5 and checks["cluster_purity"]["met"] is False


def test_reuters_targets_use_coherence(tmp_path: Path) -> None:
    c = evaluate.coherence(coherence_report(tmp_path), big_docs=3)
    checks = run.check_targets("reuters", {"prov": {"coherence": c}})
    assert checks["news_alike_share"]["met"] is False
    assert checks["news_clusters_over_3_docs_unalike"] == {"value": 1, "target": "<= 0", "met": False}
