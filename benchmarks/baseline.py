"""The baseline: near-duplicate passages found the way a user would without prov.

datasketch ``MinHash.bulk`` + ``MinHashLSH`` over passage windows of 50 words (stride 25, plus
one window flush with the end of each longer document; a document shorter than 50 words is one
window), word 5-gram shingles, 128 permutations, LSH threshold 0.5; every candidate pair of
windows (from different documents, or from one document without overlapping) is checked with
rapidfuzz ``fuzz.ratio`` >= 80 on the two windows' texts. Matched windows that overlap inside
one document merge into one occurrence; matches and overlaps join occurrences into clusters
(connected components).

Output: a report folder with the columns the evaluator reads, ``passages.parquet`` (passage_id,
cluster_id, doc_id, start, end, text, kind) and ``clusters.parquet`` (cluster_id,
n_occurrences, n_documents), plus ``manifest.json`` with counts and per-stage timings. Inputs
are read with prov's own reader so that document ids and character offsets agree.

Usage: python benchmarks/baseline.py benchmarks/data/gen-10k/corpus.jsonl --out benchmarks/work/gen-10k/baseline
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

from provenance.ingest import read_documents
from provenance.records import Document

WINDOW, STRIDE, SHINGLE = 50, 25, 5
NUM_PERM, THRESHOLD, MIN_RATIO = 128, 0.5, 80.0
_WORD = re.compile(r"\w+")


def windows(text: str) -> list[tuple[int, int, list[bytes]]]:
    """Windows of a text: (start char, end char, word 5-gram shingles as bytes)."""
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    n = len(tokens)
    if n < SHINGLE:
        return []
    firsts = list(range(0, max(n - WINDOW, 0) + 1, STRIDE))
    if n > WINDOW and firsts[-1] != n - WINDOW:
        firsts.append(n - WINDOW)
    out = []
    for i in firsts:
        j = min(n, i + WINDOW)
        words = [t[2] for t in tokens[i:j]]
        shingles = list({" ".join(words[k : k + SHINGLE]).encode("utf-8") for k in range(len(words) - SHINGLE + 1)})
        out.append((tokens[i][0], tokens[j - 1][1], shingles))
    return out


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


PASSAGES = pa.schema(
    [
        ("passage_id", pa.string()),
        ("cluster_id", pa.string()),
        ("doc_id", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("kind", pa.string()),
    ]
)


def write_report(
    out: Path, docs: list[Document], occurrences: list[tuple[str, int, int, int]], docs_of: dict[str, set[int]]
) -> None:
    """``passages.parquet`` and ``clusters.parquet`` in the columns of prov's report."""
    out.mkdir(parents=True, exist_ok=True)
    kind = {cid: "cross-document" if len(d) > 1 else "internal" for cid, d in docs_of.items()}
    passages = {
        "passage_id": [f"{cid}-{i + 1}" for i, (cid, *_) in enumerate(occurrences)],
        "cluster_id": [cid for cid, *_ in occurrences],
        "doc_id": [docs[doc].doc_id for _, doc, _, _ in occurrences],
        "start": [s for *_, s, _ in occurrences],
        "end": [e for *_, e in occurrences],
        "text": [docs[doc].text[s:e] for _, doc, s, e in occurrences],
        "kind": [kind[cid] for cid, *_ in occurrences],
    }
    pq.write_table(pa.Table.from_pydict(passages, schema=PASSAGES), out / "passages.parquet")
    n_occ: dict[str, int] = defaultdict(int)
    for cid, *_ in occurrences:
        n_occ[cid] += 1
    clusters = sorted(docs_of)
    table = pa.table(
        {
            "cluster_id": pa.array(clusters, pa.string()),
            "n_occurrences": pa.array([n_occ[c] for c in clusters], pa.int64()),
            "n_documents": pa.array([len(docs_of[c]) for c in clusters], pa.int64()),
        }
    )
    pq.write_table(table, out / "clusters.parquet")


def run(inputs: list[Path], out: Path) -> dict:
    """Find matched windows in the inputs and write the report folder; return the manifest."""
    timings = {}
    t = time.perf_counter()
    docs = [d for d in read_documents(inputs) if isinstance(d, Document)]
    timings["read"] = time.perf_counter() - t

    t = time.perf_counter()
    win_doc, win_start, win_end, shingles = [], [], [], []
    for d in docs:
        for s, e, sh in windows(d.text):
            win_doc.append(d.index)
            win_start.append(s)
            win_end.append(e)
            shingles.append(sh)
    minhashes = MinHash.bulk(shingles, num_perm=NUM_PERM)
    del shingles
    timings["minhash"] = time.perf_counter() - t

    t = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, m in enumerate(minhashes):
            session.insert(key, m, check_duplication=False)
    candidates = set()
    for key, m in enumerate(minhashes):
        for other in lsh.query(m):
            if other > key:
                candidates.add((key, other))
    del lsh, minhashes
    timings["lsh"] = time.perf_counter() - t

    t = time.perf_counter()
    uf = _UnionFind()
    matched = 0
    for a, b in candidates:
        if win_doc[a] == win_doc[b] and win_start[b] < win_end[a] and win_start[a] < win_end[b]:
            continue  # overlapping windows of one document
        ta = docs[win_doc[a]].text[win_start[a] : win_end[a]]
        tb = docs[win_doc[b]].text[win_start[b] : win_end[b]]
        if fuzz.ratio(ta, tb) >= MIN_RATIO:
            uf.union(a, b)
            matched += 1
    # Matched windows that overlap inside one document are one passage: join their clusters.
    by_doc: dict[int, list[int]] = defaultdict(list)
    for w in uf.parent:
        by_doc[win_doc[w]].append(w)
    for ws in by_doc.values():
        ws.sort(key=lambda w: win_start[w])
        reach, last = -1, -1
        for w in ws:
            if win_start[w] < reach:
                uf.union(last, w)
            if win_end[w] > reach:
                reach, last = win_end[w], w
    timings["verify"] = time.perf_counter() - t

    t = time.perf_counter()
    spans: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (root, doc) -> windows
    for w in list(uf.parent):
        spans[(uf.find(w), win_doc[w])].append((win_start[w], win_end[w]))
    roots = sorted({root for root, _ in spans})
    cluster_ids = {root: f"b{i + 1:06d}" for i, root in enumerate(roots)}
    occurrences: list[tuple[str, int, int, int]] = []  # cluster, doc, start, end
    docs_of: dict[str, set[int]] = defaultdict(set)
    for (root, doc), ws in sorted(spans.items()):
        cid = cluster_ids[root]
        merged: list[list[int]] = []
        for s, e in sorted(ws):
            if merged and s < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        occurrences += [(cid, doc, s, e) for s, e in merged]
        docs_of[cid].add(doc)
    write_report(out, docs, occurrences, docs_of)
    timings["write"] = time.perf_counter() - t
    manifest = {
        "tool": "baseline (datasketch MinHashLSH + rapidfuzz)",
        "parameters": {
            "window_words": WINDOW,
            "stride_words": STRIDE,
            "shingle_words": SHINGLE,
            "num_perm": NUM_PERM,
            "threshold": THRESHOLD,
            "min_ratio": MIN_RATIO,
        },
        "inputs": [str(p) for p in inputs],
        "counts": {
            "documents": len(docs),
            "windows": len(win_doc),
            "candidate_pairs": len(candidates),
            "matched_pairs": matched,
            "clusters": len(docs_of),
            "passages": len(occurrences),
        },
        "timings": [{"stage": k, "seconds": round(v, 4)} for k, v in timings.items()],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", type=Path, nargs="+", help="inputs, as for `prov scan`")
    parser.add_argument("--out", type=Path, required=True, help="report folder to write")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    manifest = run(args.inputs, args.out)
    c = manifest["counts"]
    print(
        f"baseline: {c['documents']:,} documents, {c['windows']:,} windows, {c['candidate_pairs']:,} candidate pairs, "
        f"{c['matched_pairs']:,} matched, {c['passages']:,} passages in {time.perf_counter() - t0:.1f}s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
