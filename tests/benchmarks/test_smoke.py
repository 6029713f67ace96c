"""A seconds-long smoke of the benchmark harness: generate, scan, evaluate, and the metrics themselves.

The corpus is built from the first Reuters-21578 files only, so that it takes a second or two.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks import baseline, evaluate, generate, noise, run, textbase
from provenance.ingest import read_documents

# The corpus fixtures (``base``, ``corpus``: 300 documents, seed 7, with the web noise) are in
# conftest.py, shared with test_noise.py.


def texts(folder: Path) -> dict[str, str]:
    return {d.doc_id: d.text for d in read_documents([folder / generate.CORPUS])}


# --- the generator --------------------------------------------------------------------------------


def test_generated_truth_is_consistent(corpus: Path) -> None:
    docs = texts(corpus)
    truth = json.loads((corpus / generate.TRUTH).read_text())
    passages = evaluate.read_jsonl(corpus / generate.TRUTH_PASSAGES)
    credits = evaluate.read_jsonl(corpus / generate.TRUTH_CREDITS)
    assert len(docs) == truth["counts"]["documents"] == 300
    assert {p["kind"] for p in passages} == {"story", "excerpt", "caption", "roundup"}
    assert any(p["edited"] for p in passages) and any(not p["edited"] for p in passages)
    assert any(p["original"] for p in passages)
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for p in passages:
        text = docs[p["doc_id"]][p["start"] : p["end"]]
        assert len(re.findall(r"\w+", text)) == p["n_words"]
        if p["kind"] == "caption":
            assert 10 <= p["n_words"] <= 20
        else:
            assert p["n_words"] >= 25
        by_doc.setdefault(p["doc_id"], []).append((p["start"], p["end"]))
    for spans in by_doc.values():  # occurrences never overlap
        spans.sort()
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
    agencies = {a.id for a in generate.AGENCIES}
    for c in credits:
        assert docs[c["doc_id"]][c["start"] : c["end"]] == c["text"]
        assert c["agency"] in agencies
    # every copy of a group is the same text (up to light edits): verbatim copies are identical
    verbatim: dict[str, set[str]] = {}
    for p in passages:
        if not p["edited"] and p["kind"] in ("story", "caption"):
            verbatim.setdefault(p["group"], set()).add(docs[p["doc_id"]][p["start"] : p["end"]])
    assert all(len(v) == 1 for v in verbatim.values())
    # only planted text is shared
    assert truth["check"]["unplanted_8grams_shared"] == 0


def test_generator_is_deterministic(base: textbase.Base, corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate.generate(generate.GenConfig(docs=300, seed=7), again, base)
    for name in (generate.CORPUS, generate.TRUTH_PASSAGES, generate.TRUTH_CREDITS, generate.TRUTH_NOISE):
        assert (again / name).read_bytes() == (corpus / name).read_bytes(), name


def test_base_is_clean(base: textbase.Base) -> None:
    vocab = {w.lower() for w in base.vocab[base.words].tolist()}
    assert not vocab & {"reuter", "reuters", "afp", "xinhua"}
    assert base.stats["dropped_shared_8gram"] > 0


# --- scan, baseline and evaluation ---------------------------------------------------------------


@pytest.fixture(scope="module")
def prov_report(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from prov_cli.main import app
    from typer.testing import CliRunner

    report = tmp_path_factory.mktemp("scan") / "prov"
    args = ["scan", str(corpus / generate.CORPUS), "--out", str(report), "--quiet", "--workers", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return report


def test_scan_and_evaluate(corpus: Path, prov_report: Path) -> None:
    metrics = evaluate.evaluate(evaluate.load_truth(corpus), evaluate.load_found(prov_report))
    for key in ("chars", "plagdet", "recall_by_length", "recall_by_kind", "clusters", "credits", "origin"):
        assert key in metrics
    for key in ("news", "noise", "purity"):
        assert key in metrics
    assert metrics["recall_by_kind"]["story"]["char_recall"] > 0.9
    assert metrics["plagdet"]["granularity"] >= 1.0
    assert -1.0 <= metrics["clusters"]["ari_chars"] <= 1.0
    assert metrics["noise"]["chars"] > 0
    coherence = evaluate.coherence(prov_report)
    assert coherence["news_occurrences"] > 0 and 0.0 <= coherence["alike_share"] <= 1.0


def test_scan_of_the_clean_corpus(base: textbase.Base, tmp_path: Path, runner) -> None:
    clean = tmp_path / "clean"
    generate.generate(generate.GenConfig(docs=300, seed=7, noise=noise.NoiseConfig(kinds=())), clean, base)
    result = runner("scan", clean / generate.CORPUS, "--out", tmp_path / "prov", "--quiet", "--workers", 1)
    assert result.exit_code == 0, result.output
    metrics = evaluate.evaluate(evaluate.load_truth(clean), evaluate.load_found(tmp_path / "prov"))
    assert metrics["noise"]["chars"] == 0
    assert metrics["chars"]["f1"] > 0.9
    assert metrics["news"]["chars"]["f1"] > 0.9
    assert metrics["purity"]["purity"] > 0.9


def test_issue_9_targets_on_the_noisy_corpus(corpus: Path, prov_report: Path) -> None:
    metrics = evaluate.evaluate(evaluate.load_truth(corpus), evaluate.load_found(prov_report))
    assert metrics["news"]["chars"]["f1"] >= run.TARGETS["news_char_f1_min"]
    assert metrics["noise"]["share_as_news"] <= run.TARGETS["noise_as_news_max"]
    assert metrics["purity"]["purity"] >= run.TARGETS["purity_min"]


def test_baseline_is_scored_the_same_way(corpus: Path, tmp_path: Path) -> None:
    baseline.run([corpus / generate.CORPUS], tmp_path / "baseline")
    metrics = evaluate.evaluate(evaluate.load_truth(corpus), evaluate.load_found(tmp_path / "baseline"))
    assert metrics["recall_by_kind"]["story"]["char_recall"] > 0.8
    assert metrics["credits"] is None and metrics["origin"] is None  # the baseline reports neither


def truth_as_report(corpus: Path, out: Path, keep=lambda row: True) -> Path:
    """A report folder claiming exactly the truth (or the rows ``keep`` selects)."""
    docs = texts(corpus)
    rows = [r for r in evaluate.read_jsonl(corpus / generate.TRUTH_PASSAGES) if keep(r)]
    out.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "passage_id": pa.array([f"t{i}" for i in range(len(rows))], pa.string()),
                "cluster_id": pa.array([r["group"] for r in rows], pa.string()),
                "doc_id": pa.array([r["doc_id"] for r in rows], pa.string()),
                "start": pa.array([r["start"] for r in rows], pa.int64()),
                "end": pa.array([r["end"] for r in rows], pa.int64()),
                "text": pa.array([docs[r["doc_id"]][r["start"] : r["end"]] for r in rows], pa.string()),
                "kind": pa.array([r["kind"] for r in rows], pa.string()),
            }
        ),
        out / "passages.parquet",
    )
    origins = {r["group"]: r["origin"] for r in rows}
    pq.write_table(pa.table({"cluster_id": list(origins), "origin": list(origins.values())}), out / "clusters.parquet")
    credits = evaluate.read_jsonl(corpus / generate.TRUTH_CREDITS)
    columns = ["doc_id", "agency", "start", "end", "text", "kind", "scope"]
    pq.write_table(pa.table({c: [r[c] for r in credits] for c in columns}), out / "credits.parquet")
    return out


def test_perfect_report_scores_one(corpus: Path, tmp_path: Path) -> None:
    metrics = evaluate.evaluate(
        evaluate.load_truth(corpus), evaluate.load_found(truth_as_report(corpus, tmp_path / "r"))
    )
    assert metrics["chars"]["f1"] == 1.0
    assert metrics["plagdet"]["plagdet"] == 1.0
    assert metrics["clusters"]["ari_chars"] == 1.0
    assert metrics["clusters"]["ari_occurrences"] == 1.0
    assert metrics["credits"]["precision"] == metrics["credits"]["recall"] == 1.0
    assert metrics["origin"]["accuracy"] == 1.0


def test_empty_report_scores_zero(corpus: Path, tmp_path: Path) -> None:
    report = truth_as_report(corpus, tmp_path / "r", keep=lambda row: False)
    metrics = evaluate.evaluate(evaluate.load_truth(corpus), evaluate.load_found(report))
    assert metrics["chars"]["recall"] == 0.0
    assert metrics["plagdet"]["recall"] == 0.0
    assert metrics["plagdet"]["plagdet"] == 0.0
    assert all(b["char_recall"] == 0.0 for b in metrics["recall_by_kind"].values())


def test_seeds_truth_offsets_match_the_seeds() -> None:
    truth = evaluate.load_truth(run.SEEDS_TRUTH)
    docs = {d.doc_id: d.text for d in read_documents(truth.corpus)}
    assert len(truth.passages) == 10
    for p in truth.passages:
        assert docs[p["doc_id"]][p["start"] : p["end"]] == p["text"]


# --- the metrics on hand examples ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("true", "pred", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),
        ([0, 0, 1, 2], [0, 0, 1, 1], 4 / 7),
        ([0, 0, 0, 0], [0, 0, 0, 0], 1.0),
    ],
)
def test_adjusted_rand_index(true, pred, expected) -> None:
    assert evaluate.adjusted_rand_index(true, pred) == pytest.approx(expected)


def test_weighted_ari_equals_repeated_items() -> None:
    weighted = evaluate.adjusted_rand_index(["a", "a", "b"], ["x", "y", "y"], [3, 1, 2])
    expanded = evaluate.adjusted_rand_index(list("aaaabb"), list("xxxyyy"))
    assert weighted == pytest.approx(expanded)


def tiny(tmp_path: Path, truth: list[tuple[int, int]], found: list[tuple[int, int, str]]) -> dict:
    """Metrics of one 200-character document of word characters only (every character counts)."""
    (tmp_path / "corpus.jsonl").write_text(json.dumps({"id": "d", "text": "x" * 200}) + "\n")
    t = evaluate.Truth(
        [tmp_path / "corpus.jsonl"],
        [{"group": "g", "doc_id": "d", "start": s, "end": e, "n_words": 30, "kind": "story"} for s, e in truth],
        [],
    )
    f = evaluate.Found([{"cluster_id": c, "doc_id": "d", "start": s, "end": e} for s, e, c in found])
    return evaluate.evaluate(t, f)


def test_plagdet_split_detection(tmp_path: Path) -> None:
    m = tiny(tmp_path, [(0, 100)], [(0, 50, "c1"), (50, 100, "c2")])
    assert m["plagdet"]["precision"] == m["plagdet"]["recall"] == 1.0
    assert m["plagdet"]["granularity"] == 2.0
    assert m["plagdet"]["plagdet"] == pytest.approx(1 / math.log2(3))
    assert m["chars"]["f1"] == 1.0


def test_plagdet_shifted_detection(tmp_path: Path) -> None:
    m = tiny(tmp_path, [(0, 100)], [(50, 150, "c")])
    assert m["plagdet"]["precision"] == m["plagdet"]["recall"] == 0.5
    assert m["plagdet"]["granularity"] == 1.0
    assert m["plagdet"]["plagdet"] == pytest.approx(0.5)
    assert m["chars"]["precision"] == m["chars"]["recall"] == 0.5


def test_plagdet_macro_averages_cases(tmp_path: Path) -> None:
    # two cases, one found whole, one missed: recall is their mean, not the character share
    m = tiny(tmp_path, [(0, 20), (100, 180)], [(0, 20, "c")])
    assert m["plagdet"]["recall"] == pytest.approx(0.5)
    assert m["chars"]["recall"] == pytest.approx(20 / 100)


def test_credit_and_punctuation_characters_are_not_scored(tmp_path: Path) -> None:
    text = "A boy walks among the debris. Photo / AP"
    (tmp_path / "corpus.jsonl").write_text(json.dumps({"id": "d", "text": text}) + "\n")
    credit = text.index("Photo")
    t = evaluate.Truth(
        [tmp_path / "corpus.jsonl"],
        [{"group": "g", "doc_id": "d", "start": 0, "end": text.index("."), "n_words": 6, "kind": "caption"}],
        [{"doc_id": "d", "agency": "AP", "start": credit, "end": len(text), "kind": "caption"}],
    )
    whole_line = evaluate.Found([{"cluster_id": "c", "doc_id": "d", "start": 0, "end": len(text)}])
    m = evaluate.evaluate(t, whole_line)
    assert m["chars"]["precision"] == m["chars"]["recall"] == 1.0


def test_credit_matching(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text(json.dumps({"id": "d", "text": "PARIS (AFP) - Text. Photo / AP"}) + "\n")
    t = evaluate.Truth(
        [tmp_path / "corpus.jsonl"],
        [],
        [
            {"doc_id": "d", "agency": "AFP", "start": 0, "end": 13, "kind": "dateline"},
            {"doc_id": "d", "agency": "AP", "start": 20, "end": 30, "kind": "caption"},
        ],
    )
    found = [
        {"doc_id": "d", "agency": "Agence France-Presse", "start": 7, "end": 10, "kind": "dateline"},  # alias
        {"doc_id": "d", "agency": "Reuters", "start": 20, "end": 30, "kind": "caption"},  # wrong agency
        {"doc_id": "d", "agency": "AP", "start": 0, "end": 5, "kind": "mention"},  # ignored
    ]
    m = evaluate.evaluate(t, evaluate.Found([], credits=found))["credits"]
    assert m["precision"] == 0.5 and m["recall"] == 0.5


# --- the runner's measurement --------------------------------------------------------------------


def test_measure_a_child_process(tmp_path: Path) -> None:
    code = "x = bytearray(64 * 1024 * 1024); import time; time.sleep(0.6)"
    m = run.measure([sys.executable, "-c", code], tmp_path / "log")
    assert m.returncode == 0 and m.wall_s >= 0.5
    assert m.peak_rss_mb >= 64 and m.peak_tree_pss_mb >= 64
    assert run.machine()["cores"] == os.cpu_count()


# --- spark_bench's filler ---------------------------------------------------------------------------


def test_filler_grows_the_corpus_and_leaves_its_reuse_as_it_is(corpus: Path, tmp_path: Path) -> None:
    """``spark_bench --filler``: the generated corpus, then documents that share no passage with
    anything, so that a scan finds exactly the corpus's own reuse in a larger corpus."""
    from benchmarks.spark_bench import with_filler
    from provenance.pipeline import scan

    given = tmp_path / "gen" / generate.CORPUS
    given.parent.mkdir()
    given.write_bytes((corpus / generate.CORPUS).read_bytes())
    filled = with_filler(given, 400)
    assert filled.parent.name == "gen-filler-400" and with_filler(given, 400) == filled  # written once
    docs = list(read_documents([filled]))
    assert len(docs) == 300 + 400 and len({d.doc_id for d in docs}) == 700
    assert [d.text for d in docs[:300]] == list(texts(corpus).values())
    plain, grown = scan([given]), scan([filled])
    assert [(a.doc_a, a.a_start, a.a_end, a.doc_b, a.b_start, a.b_end) for a in grown.alignments] == [
        (a.doc_a, a.a_start, a.a_end, a.doc_b, a.b_start, a.b_end) for a in plain.alignments
    ]
    assert grown.counts["passages"] == plain.counts["passages"] > 0
