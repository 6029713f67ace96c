"""Score a prov report (or the baseline's) against the ground truth of a benchmark corpus.

Truth is either a folder written by ``generate.py`` (``truth_passages.jsonl``,
``truth_credits.jsonl``, ``truth_noise.jsonl`` beside ``corpus.jsonl``) or a hand-written JSON
file such as ``benchmarks/seeds_truth.json`` (``{"corpus": <path>, "passages": [...],
"credits": [...], "noise": [...]}``). The report folder needs ``passages.parquet``;
``clusters.parquet`` (``origin``, ``category`` or ``boilerplate``, ``representative``) and
``credits.parquet`` are used when present. A report cluster is *news* when its ``category`` is
``news`` (when the column exists), else when ``boilerplate`` is false, else always.

What counts: characters are scored only where they are word characters (``\\w``) outside the
truth's credit spans. So whether a passage includes its closing full stop or the credit line
beside it ("... Mosul. Photo / AP") neither helps nor hurts; every other character does.

Metrics (see benchmarks/README.md for the definitions):

- ``chars``: precision, recall and F1 of reused characters (reused = inside any occurrence);
- ``plagdet``: PAN's macro precision and recall over cases, granularity, and
  plagdet = F1 / log2(1 + granularity) (Potthast et al., 2010), with cases = truth occurrences
  and detections = reported occurrences;
- ``recall_by_length``: recall of passages of 25+ words, and of 10-20-word passages (captions);
  ``recall_by_kind`` and ``recall_by_edit`` likewise;
- ``clusters``: adjusted Rand index between truth groups and reported clusters, over the
  characters both call reused, and over truth occurrences;
- ``credits``: precision and recall of credits (same document, same agency, overlapping spans;
  credits of kind ``mention`` are ignored);
- ``origin``: per truth group with a known origin, whether the origin of the cluster covering
  most of the group's characters is the group's agency;
- ``news``: character precision, recall and F1 (and recall by length) counting only the
  passages of news clusters;
- ``noise``: the share of the truth's noise characters (``truth_noise.jsonl``: boilerplate,
  stock, credit) inside passages of news clusters, overall and by category;
- ``purity``: the share of news clusters touching planted passages (sharing a scored character
  with one) whose occurrences touch one truth group only (``purity_all``: over every cluster,
  flagged ones too).

``coherence`` needs no truth: for every news cluster, whether each occurrence is alike the
cluster's representative (rapidfuzz ``fuzz.partial_ratio`` >= 60 on case-folded texts), and
which news clusters of more than 100 documents hold members unlike it.

Usage: python benchmarks/evaluate.py --truth benchmarks/data/gen-10k --report benchmarks/work/gen-10k/prov
       python benchmarks/evaluate.py --report benchmarks/work/reuters/prov --coherence
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from rapidfuzz import fuzz

from provenance.ingest import read_documents
from provenance.records import Document

LONG_WORDS = 25  # "passages": at least this many words
CAPTION_WORDS = (10, 20)  # "captions": this many words
ALIKE_MIN_RATIO = 60.0  # coherence: an occurrence is alike its representative at this partial_ratio
BIG_CLUSTER_DOCS = 100  # coherence: a news cluster over this many documents must hold alike members only
NOISE_CATEGORIES = ("boilerplate", "stock", "credit")


# --- inputs -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Truth:
    """Planted occurrences and credits, and where the corpus is."""

    corpus: list[Path]
    passages: list[dict]  # group, doc_id, start, end, n_words, kind, edited, origin, origin_known
    credits: list[dict]  # doc_id, agency, start, end, kind
    noise: list[dict] = field(default_factory=list)  # doc_id, start, end, category (boilerplate, stock, credit)


@dataclass(slots=True)
class Found:
    """What a report claims: occurrences, and optionally credits and cluster origins."""

    passages: list[dict]  # cluster_id, doc_id, start, end
    credits: list[dict] | None = None  # doc_id, agency, start, end, kind
    origins: dict[str, str | None] | None = None  # cluster_id -> origin
    categories: dict[str, str] | None = None  # cluster_id -> news, boilerplate, stock, credit
    news: dict[str, bool] | None = None  # cluster_id -> the report calls it news (None: no flags, all news)

    def is_news(self, cluster_id: str) -> bool:
        """Whether the report counts this cluster as news (a cluster it does not list: yes)."""
        return True if self.news is None else self.news.get(cluster_id, True)


def read_jsonl(path: Path) -> list[dict]:
    """Every row of a JSON Lines file (none if the file is missing)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_truth(path: Path) -> Truth:
    """Truth from a generated folder or a truth JSON file.

    Raises:
        FileNotFoundError: neither a generated folder nor a truth file.
    """
    path = Path(path)
    if path.is_dir():
        if not (path / "truth_passages.jsonl").exists():
            raise FileNotFoundError(f"{path}: no truth_passages.jsonl; generate the corpus with benchmarks/generate.py")
        return Truth(
            [path / "corpus.jsonl"],
            read_jsonl(path / "truth_passages.jsonl"),
            read_jsonl(path / "truth_credits.jsonl"),
            read_jsonl(path / "truth_noise.jsonl"),
        )
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such truth file or folder")
    data = json.loads(path.read_text(encoding="utf-8"))
    corpus = [
        (path.parent / c).resolve() for c in ([data["corpus"]] if isinstance(data["corpus"], str) else data["corpus"])
    ]
    return Truth(corpus, data.get("passages", []), data.get("credits", []), data.get("noise", []))


def _table_rows(path: Path, columns: list[str]) -> list[dict] | None:
    if not path.exists():
        return None
    table = pq.read_table(path)
    present = [c for c in columns if c in table.column_names]
    return table.select(present).to_pylist()


def load_found(report: Path) -> Found:
    """Occurrences, credits and origins of a report folder.

    Raises:
        FileNotFoundError: the folder has no ``passages.parquet``.
    """
    report = Path(report)
    passages = _table_rows(report / "passages.parquet", ["cluster_id", "doc_id", "start", "end"])
    if passages is None:
        raise FileNotFoundError(f"{report}: no passages.parquet; run `prov scan ... --out {report}` first")
    credits = _table_rows(report / "credits.parquet", ["doc_id", "agency", "start", "end", "kind"])
    clusters = _table_rows(report / "clusters.parquet", ["cluster_id", "origin", "category", "boilerplate"])
    origins = categories = None
    if clusters and "origin" in clusters[0]:
        origins = {row["cluster_id"]: row["origin"] for row in clusters}
    if clusters and "category" in clusters[0]:
        categories = {row["cluster_id"]: row["category"] for row in clusters}
    return Found(passages, credits, origins, categories, news_flags(clusters or []))


def news_flags(clusters: list[dict]) -> dict[str, bool] | None:
    """cluster_id -> whether the report calls it news: ``category == "news"`` when the rows have a
    category, else ``not boilerplate``; None when they have neither (everything is news)."""
    if not clusters:
        return None
    if "category" in clusters[0]:
        return {row["cluster_id"]: row["category"] == "news" for row in clusters}
    if "boilerplate" in clusters[0]:
        return {row["cluster_id"]: not row["boilerplate"] for row in clusters}
    return None


def load_texts(corpus: list[Path], wanted: set[str] | None = None) -> dict[str, Document]:
    """The documents of the corpus (only ``wanted`` ids when given), read as prov reads them."""
    docs = {}
    for item in read_documents(corpus):
        if isinstance(item, Document) and (wanted is None or item.doc_id in wanted):
            docs[item.doc_id] = item
    return docs


# --- scoring helpers ----------------------------------------------------------------------------

_ASCII_WORD = np.array([chr(c).isalnum() or chr(c) == "_" for c in range(128)], dtype=bool)


def word_mask(text: str) -> np.ndarray:
    """Boolean per character: a word character (as regex ``\\w``)."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    out = np.zeros(cps.shape[0], dtype=bool)
    ascii_ = cps < 128
    out[ascii_] = _ASCII_WORD[cps[ascii_]]
    if not ascii_.all():
        idx = np.flatnonzero(~ascii_)
        out[idx] = [re.match(r"\w", chr(c)) is not None for c in cps[idx].tolist()]
    return out


def _cover(n: int, spans: list[tuple[int, int]]) -> np.ndarray:
    diff = np.zeros(n + 1, dtype=np.int32)
    for s, e in spans:
        s, e = max(0, min(n, s)), max(0, min(n, e))
        if e > s:
            diff[s] += 1
            diff[e] -= 1
    return np.cumsum(diff[:-1]) > 0


def _prefix(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(values, dtype=np.int64)])


def adjusted_rand_index(labels_true, labels_pred, weights=None) -> float:
    """Adjusted Rand index of two labellings of the same items (Hubert & Arabie, 1985), with
    optional integer-like item weights (an item of weight w counts as w items).

    Both labellings identical up to renaming give 1.0; random ones about 0.0. As scikit-learn
    does, the degenerate case where the index cannot be adjusted (one cluster each, or all
    singletons) gives 1.0.
    """
    t = np.unique(np.asarray(labels_true), return_inverse=True)[1].ravel()
    p = np.unique(np.asarray(labels_pred), return_inverse=True)[1].ravel()
    if t.shape[0] != p.shape[0]:
        raise ValueError("label arrays differ in length")
    w = np.ones(t.shape[0], dtype=np.float64) if weights is None else np.asarray(weights, dtype=np.float64)
    if t.shape[0] == 0:
        return 1.0
    cells = np.unique(t.astype(np.int64) * (int(p.max()) + 1) + p, return_inverse=True)[1].ravel()

    def pairs(x: np.ndarray) -> float:
        return float(np.sum(x * (x - 1.0) / 2.0))

    index = pairs(np.bincount(cells, weights=w))
    rows = pairs(np.bincount(t, weights=w))
    cols = pairs(np.bincount(p, weights=w))
    n = float(w.sum())
    expected = rows * cols / (n * (n - 1.0) / 2.0) if n > 1 else 0.0
    maximum = (rows + cols) / 2.0
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def canonical_agency(name: str | None) -> str | None:
    """An agency name or id folded for comparison: "Associated Press", "AP" and "ap" agree."""
    if not name:
        return None
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return _ALIASES.get(key, key)


_ALIASES = {
    "associatedpress": "ap",
    "theassociatedpress": "ap",
    "agencefrancepresse": "afp",
    "reuter": "reuters",
    "thomsonreuters": "reuters",
    "australianassociatedpress": "aap",
    "xinhuanewsagency": "xinhua",
}


# --- the evaluation -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Acc:
    """Running sums over documents."""

    truth_chars: int = 0
    found_chars: int = 0
    both_chars: int = 0
    case_len: list[int] = field(default_factory=list)  # per truth occurrence (truth order)
    case_found: list[int] = field(default_factory=list)
    case_detections: list[int] = field(default_factory=list)
    det_len: list[int] = field(default_factory=list)  # per reported occurrence
    det_correct: list[int] = field(default_factory=list)
    cells: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))  # (truth occ, cluster)


@dataclass(slots=True)
class _Noise:
    """Running sums over the truth's noise characters, by category."""

    chars: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reported: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # in any reported passage
    as_news: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # in a passage of a news cluster
    same_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # in a cluster of its category


def evaluate(truth: Truth, found: Found) -> dict:
    """All metrics of ``found`` against ``truth`` (a JSON-ready dict).

    Raises:
        ValueError: a reported or truth document is not in the corpus.
    """
    by_doc_t: dict[str, list[int]] = defaultdict(list)
    by_doc_f: dict[str, list[int]] = defaultdict(list)
    credit_spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    noise_spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for i, row in enumerate(truth.passages):
        by_doc_t[row["doc_id"]].append(i)
    for i, row in enumerate(found.passages):
        by_doc_f[row["doc_id"]].append(i)
    for row in truth.credits:
        credit_spans[row["doc_id"]].append((row["start"], row["end"]))
    for row in truth.noise:
        noise_spans[row["doc_id"]].append((row["start"], row["end"], row["category"]))
    wanted = set(by_doc_t) | set(by_doc_f) | set(noise_spans)
    docs = load_texts(truth.corpus, wanted)
    missing = wanted - set(docs)
    if missing:
        raise ValueError(
            f"{len(missing)} documents of the truth or report are not in the corpus {truth.corpus} "
            f"(e.g. {sorted(missing)[:3]}); is the report from another corpus?"
        )

    acc, news, noise = _Acc(), _Acc(), _Noise()
    case_index = {}  # truth occurrence -> position in acc.case_* lists (news.case_* alike)
    for doc_id in sorted(wanted):
        text = docs[doc_id].text
        n = len(text)
        weight = word_mask(text)
        weight &= ~_cover(n, credit_spans.get(doc_id, []))
        t_idx = by_doc_t.get(doc_id, [])
        case_index.update((i, len(acc.case_len) + k) for k, i in enumerate(t_idx))
        t_spans = [(truth.passages[i]["start"], truth.passages[i]["end"]) for i in t_idx]
        f_rows = [found.passages[i] for i in by_doc_f.get(doc_id, [])]
        news_rows = [r for r in f_rows if found.is_news(r["cluster_id"])]
        doc = _DocScore(weight, _cover(n, t_spans), t_idx, t_spans)
        cov_f = doc.score(acc, f_rows, cells=True)
        cov_news = doc.score(news, news_rows)
        if doc_id in noise_spans:
            _score_noise(noise, doc, noise_spans[doc_id], f_rows, cov_f, cov_news, found.categories)

    result = {
        "truth_occurrences": len(truth.passages),
        "found_occurrences": len(found.passages),
        "chars": _chars(acc),
        "plagdet": _plagdet(acc),
    }
    result.update(_recalls(truth, acc, case_index))
    result["clusters"] = _clusters(truth, acc, case_index)
    result["credits"] = _credits(truth, found)
    result["origin"] = _origins(truth, found, acc, docs)
    result["news"] = {
        "chars": _chars(news),
        "recall_by_length": _recalls(truth, news, case_index)["recall_by_length"],
        "found_occurrences": sum(1 for r in found.passages if found.is_news(r["cluster_id"])),
    }
    result["noise"] = _noise(noise, found.categories is not None)
    result["purity"] = _purity(truth, found, acc)
    return result


def _score_noise(
    noise: _Noise,
    doc: _DocScore,
    spans: list[tuple[int, int, str]],
    f_rows: list[dict],
    cov_f: np.ndarray,
    cov_news: np.ndarray,
    categories: dict[str, str] | None,
) -> None:
    """Add one document's noise characters: all, reported, reported as news, reported in a
    cluster of the noise's own category."""
    w_f, w_news = _prefix(doc.weight & cov_f), _prefix(doc.weight & cov_news)
    same: dict[str, np.ndarray] = {}
    for s, e, category in spans:
        noise.chars[category] += doc.wsum(doc.w_all, s, e)
        noise.reported[category] += doc.wsum(w_f, s, e)
        noise.as_news[category] += doc.wsum(w_news, s, e)
        if categories is not None:
            if category not in same:
                rows = [(r["start"], r["end"]) for r in f_rows if categories.get(r["cluster_id"]) == category]
                same[category] = _prefix(doc.weight & _cover(doc.n, rows))
            noise.same_category[category] += doc.wsum(same[category], s, e)


class _DocScore:
    """One document's weights and truth coverage, scoring the reported spans against them."""

    __slots__ = ("weight", "cov_t", "w_all", "w_t", "t_idx", "t_spans", "n")

    def __init__(self, weight: np.ndarray, cov_t: np.ndarray, t_idx: list[int], t_spans: list[tuple[int, int]]):
        self.weight, self.cov_t, self.t_idx, self.t_spans = weight, cov_t, t_idx, t_spans
        self.n = weight.shape[0]
        self.w_all, self.w_t = _prefix(weight), _prefix(weight & cov_t)

    def wsum(self, prefix: np.ndarray, s: int, e: int) -> int:
        s, e = max(0, min(self.n, s)), max(0, min(self.n, e))
        return int(prefix[e] - prefix[s]) if e > s else 0

    def score(self, acc: _Acc, f_rows: list[dict], cells: bool = False) -> np.ndarray:
        """Add this document's figures for the reported ``f_rows`` to ``acc``; return their coverage."""
        f_spans = [(r["start"], r["end"]) for r in f_rows]
        cov_f = _cover(self.n, f_spans)
        w_f = _prefix(self.weight & cov_f)
        acc.truth_chars += int(self.w_t[-1])
        acc.found_chars += int(w_f[-1])
        acc.both_chars += int((self.weight & self.cov_t & cov_f).sum())
        for s, e in self.t_spans:
            acc.case_len.append(self.wsum(self.w_all, s, e))
            acc.case_found.append(self.wsum(w_f, s, e))
            acc.case_detections.append(sum(1 for fs, fe in f_spans if fs < e and fe > s))
        for s, e in f_spans:
            acc.det_len.append(self.wsum(self.w_all, s, e))
            acc.det_correct.append(self.wsum(self.w_t, s, e))
        if cells:
            for i, (s, e) in zip(self.t_idx, self.t_spans, strict=True):
                for row, (fs, fe) in zip(f_rows, f_spans, strict=True):
                    if fs < e and fe > s:
                        acc.cells[(i, row["cluster_id"])] += self.wsum(self.w_all, max(s, fs), min(e, fe))
        return cov_f


def _chars(acc: _Acc) -> dict:
    p, r = _ratio(acc.both_chars, acc.found_chars), _ratio(acc.both_chars, acc.truth_chars)
    return {
        "precision": p,
        "recall": r,
        "f1": _f1(p, r),
        "truth_chars": acc.truth_chars,
        "found_chars": acc.found_chars,
        "correct_chars": acc.both_chars,
    }


def _plagdet(acc: _Acc) -> dict:
    case_len, case_found = np.array(acc.case_len, float), np.array(acc.case_found, float)
    det_len, det_correct = np.array(acc.det_len, float), np.array(acc.det_correct, float)
    cases = case_len > 0
    dets = det_len > 0  # a detection made only of punctuation or credit text is neither right nor wrong
    recall = float(np.mean(case_found[cases] / case_len[cases])) if cases.any() else None
    precision = float(np.mean(det_correct[dets] / det_len[dets])) if dets.any() else None
    detected = cases & (case_found > 0)
    n_det = np.array(acc.case_detections, float)
    granularity = float(np.mean(n_det[detected])) if detected.any() else 1.0
    f1 = _f1(precision, recall)
    plagdet = None if f1 is None else f1 / math.log2(1 + granularity)
    if precision is None and recall is not None:  # nothing reported: PAN scores it 0
        precision, f1, plagdet = 0.0, 0.0, 0.0
    return {
        "precision": precision,
        "recall": recall,
        "granularity": granularity,
        "plagdet": plagdet,
        "cases": int(cases.sum()),
        "detections": int(dets.sum()),
    }


def _bucket(acc: _Acc, members: list[int]) -> dict:
    length = sum(acc.case_len[i] for i in members)
    found = sum(acc.case_found[i] for i in members)
    half = sum(1 for i in members if acc.case_len[i] and acc.case_found[i] >= acc.case_len[i] / 2)
    return {
        "char_recall": _ratio(found, length),
        "cases": len(members),
        "cases_found": _ratio(half, len(members)),  # at least half of the case's characters found
    }


def _recalls(truth: Truth, acc: _Acc, case_index: dict[int, int]) -> dict:
    groups: dict[str, dict[str, list[int]]] = {"recall_by_length": {}, "recall_by_kind": {}, "recall_by_edit": {}}
    lo, hi = CAPTION_WORDS
    for i, row in enumerate(truth.passages):
        k = case_index[i]
        words = row.get("n_words", 0)
        if words >= LONG_WORDS:
            groups["recall_by_length"].setdefault(f"passages_{LONG_WORDS}_plus_words", []).append(k)
        elif lo <= words <= hi:
            groups["recall_by_length"].setdefault(f"passages_{lo}_{hi}_words", []).append(k)
        groups["recall_by_kind"].setdefault(row.get("kind", "passage"), []).append(k)
        groups["recall_by_edit"].setdefault("edited" if row.get("edited") else "verbatim", []).append(k)
    return {name: {key: _bucket(acc, m) for key, m in sorted(b.items())} for name, b in groups.items()}


def _clusters(truth: Truth, acc: _Acc, case_index: dict[int, int]) -> dict:
    if not acc.cells:
        return {"ari_chars": None, "ari_occurrences": None}
    keys = list(acc.cells)
    weights = np.array([acc.cells[k] for k in keys], dtype=np.float64)
    t_labels = [truth.passages[i]["group"] for i, _ in keys]
    f_labels = [c for _, c in keys]
    keep = weights > 0
    ari_chars = adjusted_rand_index(
        np.array(t_labels, dtype=object)[keep].astype(str),
        np.array(f_labels, dtype=object)[keep].astype(str),
        weights[keep],
    )
    best: dict[int, tuple[int, str]] = {}
    for (i, cluster), w in acc.cells.items():
        if w > best.get(i, (-1, ""))[0]:
            best[i] = (w, cluster)
    occ_true = [row["group"] for row in truth.passages]
    occ_pred = [best[i][1] if i in best else f"missed:{i}" for i in range(len(truth.passages))]
    return {
        "ari_chars": ari_chars,
        "ari_occurrences": adjusted_rand_index(np.array(occ_true), np.array(occ_pred)),
        "truth_groups": len(set(occ_true)),
        "clusters_matched": len({c for _, c in keys}),
    }


def _noise(noise: _Noise, has_categories: bool) -> dict:
    """Shares of the truth's noise characters reported at all, reported as news, and (when the
    report has categories) reported in a cluster of the noise's own category."""

    def shares(cats: list[str]) -> dict:
        total = sum(noise.chars[c] for c in cats)
        out = {
            "chars": total,
            "share_as_news": _ratio(sum(noise.as_news[c] for c in cats), total),
            "share_reported": _ratio(sum(noise.reported[c] for c in cats), total),
        }
        if has_categories:
            out["share_same_category"] = _ratio(sum(noise.same_category[c] for c in cats), total)
        return out

    present = sorted(noise.chars, key=lambda c: (NOISE_CATEGORIES + (c,)).index(c))
    return {**shares(present), "by_category": {c: shares([c]) for c in present}}


def _purity(truth: Truth, found: Found, acc: _Acc) -> dict:
    """Cluster purity: among the report's news clusters touching planted passages (sharing a
    scored character with one), the share whose occurrences touch one truth group only. Also
    over every such cluster (``purity_all``), weighted by planted characters, and the impure
    clusters touching the most groups."""
    groups_of: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (i, cluster), w in acc.cells.items():
        if w > 0:
            groups_of[cluster][truth.passages[i]["group"]] += w
    pure = {c: len(g) == 1 for c, g in groups_of.items()}
    news = [c for c in pure if found.is_news(c)]
    chars = sum(sum(g.values()) for g in groups_of.values())
    impure = sorted((c for c, ok in pure.items() if not ok), key=lambda c: (-len(groups_of[c]), c))
    news_pure = sum(pure[c] for c in news)
    return {
        # issue 9's definition: the share of *news* clusters that hold one story
        "purity": _ratio(news_pure, len(news)),
        "clusters": len(news),
        "impure": len(news) - news_pure,
        # every cluster touching planted text, flagged ones too (a flagged cluster that holds a
        # stock phrase planted inside several stories counts as impure here)
        "purity_all": _ratio(sum(pure.values()), len(pure)),
        "clusters_all": len(pure),
        # weighted by the planted characters each cluster covers: one giant chained cluster weighs
        # as much as the stories it swallowed
        "purity_chars": _ratio(sum(sum(g.values()) for c, g in groups_of.items() if pure[c]), chars),
        "impure_examples": [
            {"cluster_id": c, "news": found.is_news(c), "groups": dict(sorted(groups_of[c].items()))}
            for c in impure[:10]
        ],
    }


def _credits(truth: Truth, found: Found) -> dict | None:
    if found.credits is None:
        return None
    index: dict[tuple[str, str | None], list[tuple[int, int, int]]] = defaultdict(list)
    for j, row in enumerate(truth.credits):
        index[(row["doc_id"], canonical_agency(row["agency"]))].append((row["start"], row["end"], j))
    hit = np.zeros(len(truth.credits), dtype=bool)
    scored = correct = 0
    for row in found.credits:
        if row.get("kind") == "mention":
            continue
        scored += 1
        ok = False
        for s, e, j in index.get((row["doc_id"], canonical_agency(row["agency"])), []):
            if row["start"] < e and row["end"] > s:
                hit[j] = ok = True
        correct += ok
    p, r = _ratio(correct, scored), _ratio(int(hit.sum()), len(truth.credits))
    by_kind = {}
    for kind in sorted({row["kind"] for row in truth.credits}):
        idx = [j for j, row in enumerate(truth.credits) if row["kind"] == kind]
        by_kind[kind] = _ratio(int(hit[idx].sum()), len(idx))
    return {
        "precision": p,
        "recall": r,
        "f1": _f1(p, r),
        "truth": len(truth.credits),
        "found": scored,
        "recall_by_kind": by_kind,
    }


def _origins(truth: Truth, found: Found, acc: _Acc, docs: dict[str, Document]) -> dict | None:
    if found.origins is None:
        return None
    per_group: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (i, cluster), w in acc.cells.items():
        per_group[truth.passages[i]["group"]][cluster] += w
    groups: dict[str, dict] = {}
    for row in truth.passages:
        if row.get("origin"):
            groups.setdefault(row["group"], row)
    known = right_known = right_all = 0
    for gid, row in groups.items():
        clusters = per_group.get(gid)
        ok = False
        if clusters:
            cluster = max(clusters.items(), key=lambda kv: (kv[1], kv[0]))[0]
            origin = found.origins.get(cluster)
            if origin in docs:  # an origin given as a document: its outlet
                origin = docs[origin].outlet
            ok = canonical_agency(origin) == canonical_agency(row["origin"])
        right_all += ok
        if row.get("origin_known", True):
            known += 1
            right_known += ok
    return {
        "accuracy": _ratio(right_known, known),
        "groups": known,
        "accuracy_all_groups": _ratio(right_all, len(groups)),
        "groups_all": len(groups),
    }


# --- coherence: any report, no truth ------------------------------------------------------------


def coherence(report: Path, min_ratio: float = ALIKE_MIN_RATIO, big_docs: int = BIG_CLUSTER_DOCS) -> dict:
    """How alike the members of the report's news clusters are to their cluster's representative.

    An occurrence is *alike* when rapidfuzz ``fuzz.partial_ratio`` of its case-folded text and
    the case-folded representative is at least ``min_ratio`` (a member may be a part of the
    representative, such as an excerpt). The representative is the cluster's
    ``representative`` in ``clusters.parquet`` when there is one, else its longest occurrence.
    News clusters as in ``news_flags``. Needs no truth, so it scores Reuters-21578.

    Returns the share of news occurrences alike their representative, the news clusters of
    more than ``big_docs`` documents and how many of them hold an unalike member, and the ten
    largest news clusters.

    Raises:
        FileNotFoundError: no ``passages.parquet`` in ``report``.
        ValueError: ``passages.parquet`` has no ``text`` column.
    """
    report = Path(report)
    if not (report / "passages.parquet").exists():
        raise FileNotFoundError(f"{report}: no passages.parquet; run `prov scan ... --out {report}` first")
    table = pq.read_table(report / "passages.parquet")
    if "text" not in table.column_names:
        raise ValueError(f"{report / 'passages.parquet'}: no text column; coherence compares occurrence texts")
    rows = table.select(["cluster_id", "doc_id", "text"]).to_pydict()
    clusters = _table_rows(report / "clusters.parquet", ["cluster_id", "category", "boilerplate", "representative"])
    flags = news_flags(clusters or [])
    reps = {r["cluster_id"]: r["representative"] for r in clusters or [] if r.get("representative")}
    members: dict[str, list[int]] = defaultdict(list)
    for j, cluster in enumerate(rows["cluster_id"]):
        members[cluster].append(j)
    per_cluster = []
    flagged = flagged_occurrences = 0
    for cluster, idx in members.items():
        if flags is not None and not flags.get(cluster, True):
            # flagging everything would meet the targets: say how much was set aside
            flagged += 1
            flagged_occurrences += len(idx)
            continue
        texts = [rows["text"][j] for j in idx]
        rep = reps.get(cluster) or max(texts, key=len)
        folded = rep.casefold()
        seen: dict[str, bool] = {}
        alike = 0
        for text in texts:
            key = text.casefold()
            if key not in seen:
                seen[key] = key == folded or fuzz.partial_ratio(key, folded, score_cutoff=min_ratio) >= min_ratio
            alike += seen[key]
        per_cluster.append((cluster, len({rows["doc_id"][j] for j in idx}), len(idx), alike, rep))
    occurrences = sum(c[2] for c in per_cluster)
    big = [c for c in per_cluster if c[1] > big_docs]
    largest = sorted(per_cluster, key=lambda c: (-c[1], -c[2], c[0]))[:10]
    return {
        "min_ratio": min_ratio,
        "big_docs": big_docs,
        "news_clusters": len(per_cluster),
        "news_occurrences": occurrences,
        "alike_share": _ratio(sum(c[3] for c in per_cluster), occurrences),
        "news_clusters_with_unalike_member": sum(1 for c in per_cluster if c[3] < c[2]),
        "big_news_clusters": len(big),
        "big_news_clusters_unalike": sum(1 for c in big if c[3] < c[2]),
        "flagged_clusters": flagged,
        "flagged_occurrences": flagged_occurrences,
        "largest": [
            {
                "cluster_id": c[0],
                "n_documents": c[1],
                "n_occurrences": c[2],
                "alike_share": c[3] / c[2],
                "representative": c[4][:120],
            }
            for c in largest
        ],
    }


# --- command line -------------------------------------------------------------------------------


def summary_rows(metrics: dict) -> list[tuple[str, str]]:
    """(name, value) rows of the headline figures, for printing."""

    def fmt(x) -> str:
        return "-" if x is None else f"{x:.4f}" if isinstance(x, float) else str(x)

    rows = [
        ("char precision", fmt(metrics["chars"]["precision"])),
        ("char recall", fmt(metrics["chars"]["recall"])),
        ("char F1", fmt(metrics["chars"]["f1"])),
        ("plagdet", fmt(metrics["plagdet"]["plagdet"])),
        ("granularity", fmt(metrics["plagdet"]["granularity"])),
    ]
    for key, bucket in metrics["recall_by_length"].items():
        rows.append((f"recall {key}", fmt(bucket["char_recall"])))
    for key, bucket in metrics["recall_by_kind"].items():
        rows.append((f"recall {key}", fmt(bucket["char_recall"])))
    rows.append(("ARI (chars)", fmt(metrics["clusters"]["ari_chars"])))
    rows.append(("ARI (occurrences)", fmt(metrics["clusters"]["ari_occurrences"])))
    credits = metrics["credits"]
    rows.append(("credit precision", fmt(credits["precision"]) if credits else "no credits.parquet"))
    rows.append(("credit recall", fmt(credits["recall"]) if credits else "no credits.parquet"))
    origin = metrics["origin"]
    rows.append(("origin accuracy", fmt(origin["accuracy"]) if origin else "no origin column"))
    news = metrics["news"]["chars"]
    rows.append(("news char precision", fmt(news["precision"])))
    rows.append(("news char recall", fmt(news["recall"])))
    rows.append(("news char F1", fmt(news["f1"])))
    for key, bucket in metrics["news"]["recall_by_length"].items():
        rows.append((f"news recall {key}", fmt(bucket["char_recall"])))
    noise = metrics["noise"]
    rows.append(("noise reported as news", fmt(noise["share_as_news"]) if noise["chars"] else "no noise in truth"))
    for category, shares in noise["by_category"].items():
        rows.append((f"  {category} reported as news", fmt(shares["share_as_news"])))
    rows.append(("noise reported at all", fmt(noise["share_reported"]) if noise["chars"] else "-"))
    purity = metrics["purity"]
    rows.append(("cluster purity", f"{fmt(purity['purity'])} ({purity['impure']} of {purity['clusters']} impure)"))
    rows.append(("cluster purity by planted chars", fmt(purity["purity_chars"])))
    rows.append(("cluster purity, flagged clusters too", fmt(purity["purity_all"])))
    return rows


def coherence_rows(c: dict) -> list[tuple[str, str]]:
    """(name, value) rows of a ``coherence`` result, for printing."""
    share = "-" if c["alike_share"] is None else f"{c['alike_share']:.4f}"
    rows = [
        ("news clusters", f"{c['news_clusters']:,} ({c['news_occurrences']:,} occurrences)"),
        ("flagged (not news) clusters", f"{c['flagged_clusters']:,} ({c['flagged_occurrences']:,} occurrences)"),
        ("news occurrences alike representative", share),
        ("news clusters with an unalike member", f"{c['news_clusters_with_unalike_member']:,}"),
        (
            f"news clusters over {c['big_docs']} docs, unalike / all",
            f"{c['big_news_clusters_unalike']} / {c['big_news_clusters']}",
        ),
    ]
    if c["largest"]:
        top = c["largest"][0]
        rows.append(("largest news cluster (docs, alike)", f"{top['n_documents']:,}, {top['alike_share']:.3f}"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, help="generated corpus folder or truth JSON file")
    parser.add_argument("--report", type=Path, required=True, help="report folder (passages.parquet ...)")
    parser.add_argument(
        "--coherence",
        action="store_true",
        help="also (or, without --truth, only) score how alike news clusters' members are to their representative",
    )
    parser.add_argument("--json", type=Path, help="also write all metrics to this file")
    args = parser.parse_args(argv)
    if args.truth is None and not args.coherence:
        parser.error("give --truth, or --coherence to score a report without truth (such as Reuters-21578)")
    metrics: dict = {}
    rows: list[tuple[str, str]] = []
    try:
        if args.truth is not None:
            metrics = evaluate(load_truth(args.truth), load_found(args.report))
            rows += summary_rows(metrics)
        if args.coherence:
            metrics["coherence"] = coherence(args.report)
            rows += coherence_rows(metrics["coherence"])
    except (FileNotFoundError, ValueError) as err:
        print(f"evaluate: error: {err}", file=sys.stderr)
        return 2
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
