"""Score a prov report (or the baseline's) against the ground truth of a benchmark corpus.

Truth is either a folder written by ``generate.py`` (``truth_passages.jsonl``,
``truth_credits.jsonl`` beside ``corpus.jsonl``) or a hand-written JSON file such as
``benchmarks/seeds_truth.json`` (``{"corpus": <path>, "passages": [...], "credits": [...]}``).
The report folder needs ``passages.parquet``; ``clusters.parquet`` (with ``origin``) and
``credits.parquet`` are scored when present.

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
  most of the group's characters is the group's agency.

Usage: python benchmarks/evaluate.py --truth benchmarks/data/gen-10k --report benchmarks/work/gen-10k/prov
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

from provenance.ingest import read_documents
from provenance.records import Document

LONG_WORDS = 25  # "passages": at least this many words
CAPTION_WORDS = (10, 20)  # "captions": this many words


# --- inputs -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Truth:
    """Planted occurrences and credits, and where the corpus is."""

    corpus: list[Path]
    passages: list[dict]  # group, doc_id, start, end, n_words, kind, edited, origin, origin_known
    credits: list[dict]  # doc_id, agency, start, end, kind


@dataclass(slots=True)
class Found:
    """What a report claims: occurrences, and optionally credits and cluster origins."""

    passages: list[dict]  # cluster_id, doc_id, start, end
    credits: list[dict] | None = None  # doc_id, agency, start, end, kind
    origins: dict[str, str | None] | None = None  # cluster_id -> origin


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
            [path / "corpus.jsonl"], read_jsonl(path / "truth_passages.jsonl"), read_jsonl(path / "truth_credits.jsonl")
        )
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such truth file or folder")
    data = json.loads(path.read_text(encoding="utf-8"))
    corpus = [
        (path.parent / c).resolve() for c in ([data["corpus"]] if isinstance(data["corpus"], str) else data["corpus"])
    ]
    return Truth(corpus, data.get("passages", []), data.get("credits", []))


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
    clusters = _table_rows(report / "clusters.parquet", ["cluster_id", "origin"])
    origins = None
    if clusters and "origin" in clusters[0]:
        origins = {row["cluster_id"]: row["origin"] for row in clusters}
    return Found(passages, credits, origins)


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


def evaluate(truth: Truth, found: Found) -> dict:
    """All metrics of ``found`` against ``truth`` (a JSON-ready dict).

    Raises:
        ValueError: a reported or truth document is not in the corpus.
    """
    by_doc_t: dict[str, list[int]] = defaultdict(list)
    by_doc_f: dict[str, list[int]] = defaultdict(list)
    credit_spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, row in enumerate(truth.passages):
        by_doc_t[row["doc_id"]].append(i)
    for i, row in enumerate(found.passages):
        by_doc_f[row["doc_id"]].append(i)
    for row in truth.credits:
        credit_spans[row["doc_id"]].append((row["start"], row["end"]))
    wanted = set(by_doc_t) | set(by_doc_f)
    docs = load_texts(truth.corpus, wanted)
    missing = wanted - set(docs)
    if missing:
        raise ValueError(
            f"{len(missing)} documents of the truth or report are not in the corpus {truth.corpus} "
            f"(e.g. {sorted(missing)[:3]}); is the report from another corpus?"
        )

    acc = _Acc()
    case_index = {}  # truth occurrence -> position in acc.case_* lists
    for doc_id in sorted(wanted):
        text = docs[doc_id].text
        n = len(text)
        weight = word_mask(text)
        weight &= ~_cover(n, credit_spans.get(doc_id, []))
        t_spans = [(truth.passages[i]["start"], truth.passages[i]["end"]) for i in by_doc_t.get(doc_id, [])]
        f_rows = [found.passages[i] for i in by_doc_f.get(doc_id, [])]
        f_spans = [(r["start"], r["end"]) for r in f_rows]
        cov_t, cov_f = _cover(n, t_spans), _cover(n, f_spans)
        w_all, w_t, w_f = _prefix(weight), _prefix(weight & cov_t), _prefix(weight & cov_f)
        acc.truth_chars += int(w_t[-1])
        acc.found_chars += int(w_f[-1])
        acc.both_chars += int((weight & cov_t & cov_f).sum())

        def wsum(prefix: np.ndarray, s: int, e: int, n: int = n) -> int:
            s, e = max(0, min(n, s)), max(0, min(n, e))
            return int(prefix[e] - prefix[s]) if e > s else 0

        for i, (s, e) in zip(by_doc_t.get(doc_id, []), t_spans, strict=True):
            case_index[i] = len(acc.case_len)
            acc.case_len.append(wsum(w_all, s, e))
            acc.case_found.append(wsum(w_f, s, e))
            acc.case_detections.append(sum(1 for fs, fe in f_spans if fs < e and fe > s))
        for s, e in f_spans:
            acc.det_len.append(wsum(w_all, s, e))
            acc.det_correct.append(wsum(w_t, s, e))
        for i, (s, e) in zip(by_doc_t.get(doc_id, []), t_spans, strict=True):
            for row, (fs, fe) in zip(f_rows, f_spans, strict=True):
                if fs < e and fe > s:
                    acc.cells[(i, row["cluster_id"])] += wsum(w_all, max(s, fs), min(e, fe))

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
    return result


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
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True, help="generated corpus folder or truth JSON file")
    parser.add_argument("--report", type=Path, required=True, help="report folder (passages.parquet ...)")
    parser.add_argument("--json", type=Path, help="also write all metrics to this file")
    args = parser.parse_args(argv)
    try:
        metrics = evaluate(load_truth(args.truth), load_found(args.report))
    except (FileNotFoundError, ValueError) as err:
        print(f"evaluate: error: {err}", file=sys.stderr)
        return 2
    width = max(len(name) for name, _ in summary_rows(metrics))
    for name, value in summary_rows(metrics):
        print(f"{name:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
