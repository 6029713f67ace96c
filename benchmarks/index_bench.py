"""Benchmark the persistent index: add and query throughput against an index of N documents.

    python benchmarks/index_bench.py [--docs 100000] [--add 1000] [--queries 1000] [--single 50]

The documents are the Reuters-21578 bodies (``--reuters DIR``, read with
``provenance.ingest.read_documents``; nothing is copied into the repository), repeated with
light, seeded variation until there are enough: copy ``r`` of a story gets another id, outlet
and date, one sentence dropped and about one word in forty changed, the way a reprint differs
from the wire copy. Measured, in this process, single-threaded:

1. ``build``: one ``add_documents`` of the first N documents into a new index (docs/s);
2. ``add``: one ``add_documents`` of ``--add`` more documents into that index (docs/s): the
   incremental case, a new segment beside the existing one;
3. ``query_batch``: ``query_index`` of ``--queries`` new reprints (of stories spread over the
   corpus) in one call, opening the index cold (docs/s, and the per-stage timings);
4. ``query_single``: ``--single`` one-document queries against an already open index (the
   latency a monitoring loop sees; docs/s and milliseconds per document);
5. ``open_and_query_one``: opening the index and querying one document, as ``prov query`` does
   after start-up; ``cli_query_one``: the whole ``prov query`` command for one document (a
   child process: start-up, reading, query, report writing).

Results: ``benchmarks/results/index-<date>.json`` (or ``--json PATH``) with the git commit, the
machine, the parameters, sizes on disk and every figure. The index is built under
``benchmarks/work/index-<N>/`` (git-ignored) and removed afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import xxhash

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import git_commit, machine  # noqa: E402
from benchmarks.textbase import REUTERS_DIR  # noqa: E402
from provenance.config import DetectConfig, FieldNames, ScanConfig  # noqa: E402
from provenance.index import add_documents, disk_usage, open_index, query_index  # noqa: E402
from provenance.ingest import read_documents  # noqa: E402
from provenance.records import Document  # noqa: E402

HERE = Path(__file__).resolve().parent
REUTERS = REUTERS_DIR  # PROV_REUTERS, PROV_REUTERS_DIR or ../shared (textbase.reuters_folder)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SWAPS = ["said", "added", "reported", "stated", "noted", "told", "announced", "estimated"]


def reuters_documents(folder: Path) -> list[Document]:
    """The Reuters-21578 bodies, in file order."""
    files = sorted(folder.glob("*.sgm"))
    if not files:
        raise SystemExit(f"{folder}: no Reuters-21578 .sgm files; pass --reuters DIR")
    return [d for d in read_documents(files, FieldNames()) if isinstance(d, Document)]


def reprint(doc: Document, copy: int) -> Document:
    """Copy ``copy`` of a story (0 = the story itself): another id, outlet and date, one
    sentence dropped, about one word in forty changed; seeded by the id and the copy number."""
    if copy == 0:
        return doc
    rng = random.Random(xxhash.xxh64_intdigest(f"{doc.doc_id}~{copy}".encode()))
    sentences = _SENTENCE.split(doc.text)
    if len(sentences) > 2:
        del sentences[rng.randrange(len(sentences))]
    words = " ".join(sentences).split(" ")
    for _ in range(max(1, len(words) // 40)):
        words[rng.randrange(len(words))] = rng.choice(_SWAPS)
    day = (dt.date(1987, 3, 1) + dt.timedelta(days=copy % 300)).isoformat()
    return dataclasses.replace(
        doc, doc_id=f"{doc.doc_id}~{copy}", text=" ".join(words), outlet=f"Outlet {copy % 50}", date=day
    )


def stream(base: Sequence[Document], start_copy: int = 0) -> Iterator[Document]:
    """Every story once per copy number, copy after copy, from ``start_copy`` on."""
    copy = start_copy
    while True:
        for doc in base:
            yield reprint(doc, copy)
        copy += 1


def take(it: Iterator[Document], n: int) -> list[Document]:
    """The next ``n`` documents, indexed from 0."""
    return [dataclasses.replace(next(it), index=i) for i in range(n)]


def rss_mb() -> float:
    """Peak resident set of this process so far (Linux: kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rate(n: int, seconds: float) -> float:
    """Items per second, rounded."""
    return round(n / seconds, 1) if seconds > 0 else float("inf")


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; returns the results (also written as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the index (default 100000)")
    parser.add_argument("--add", type=int, default=1000, help="documents added incrementally (default 1000)")
    parser.add_argument("--queries", type=int, default=1000, help="documents queried in one batch (default 1000)")
    parser.add_argument("--single", type=int, default=50, help="one-document queries timed (default 50)")
    parser.add_argument("--reuters", type=Path, default=REUTERS, help="the Reuters-21578 folder")
    parser.add_argument("--work", type=Path, default=None, help="where to build the index")
    parser.add_argument("--json", type=Path, default=None, help="results file (default results/index-<date>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the index afterwards")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    base = reuters_documents(args.reuters)
    read_s = time.perf_counter() - t0
    docs_it = stream(base)
    initial = take(docs_it, args.docs)
    more = take(docs_it, args.add)
    # Queries: a fresh reprint (a copy number never indexed) of indexed stories, spread out.
    pool = min(len(base), args.docs)
    n_fresh = args.queries + args.single + 1
    step = max(1, pool // n_fresh)
    fresh = [reprint(base[(i * step) % pool], 10_000 + i) for i in range(n_fresh)]
    fresh = [dataclasses.replace(d, index=i) for i, d in enumerate(fresh)]
    batch, singles, last = fresh[: args.queries], fresh[args.queries : -1], fresh[-1]

    work = args.work or HERE / "work" / f"index-{args.docs}"
    shutil.rmtree(work, ignore_errors=True)
    detect = DetectConfig()
    config = ScanConfig(detect=detect)
    results: dict = {
        "benchmark": "index",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": [sys.executable, *sys.argv] if argv is None else ["index_bench.py", *argv],
        "git": git_commit(),
        "machine": machine(),
        "corpus": {"path": str(args.reuters), "stories": len(base), "read_s": round(read_s, 3)},
        "parameters": {
            "detect": dataclasses.asdict(detect),
            "docs": args.docs,
            "add": args.add,
            "queries": args.queries,
            "single": args.single,
        },
        "workers": 1,
    }
    try:
        t0 = time.perf_counter()
        built = add_documents(work, initial, detect)
        build_s = time.perf_counter() - t0
        size_built = disk_usage(work)
        t0 = time.perf_counter()
        added = add_documents(work, more, detect)
        add_s = time.perf_counter() - t0
        manifest = added.manifest

        t0 = time.perf_counter()
        answer = query_index(work, batch, config)
        batch_s = time.perf_counter() - t0

        snapshot = open_index(work)
        query_index(snapshot, singles[:1], config)  # warm: map the keys, load the gazetteer
        latencies = []
        found_single = 0
        for doc in singles:
            t1 = time.perf_counter()
            one = query_index(snapshot, [dataclasses.replace(doc, index=0)], config)
            latencies.append(time.perf_counter() - t1)
            found_single += bool(one.scan.alignments)
        t0 = time.perf_counter()
        query_index(work, [dataclasses.replace(last, index=0)], config)
        cold_s = time.perf_counter() - t0
        one = work / "one.jsonl"
        one.write_text(json.dumps({"id": last.doc_id, "text": last.text, "outlet": last.outlet}) + "\n")
        cli = [sys.executable, "-c", "import sys; from prov_cli.main import app; sys.argv[0] = 'prov'; app()"]
        cli += ["query", str(one), "--index", str(work), "--out", str(work / "report"), "--quiet"]
        t0 = time.perf_counter()
        done = subprocess.run(cli, capture_output=True, text=True)
        cli_s = time.perf_counter() - t0
        if done.returncode != 0:
            raise SystemExit(f"prov query failed: {done.stderr}")

        latencies.sort()
        counts = answer.scan.counts
        results.update(
            {
                "index": {
                    "documents": manifest.documents,
                    "segments": len(manifest.segments),
                    "band_keys": sum(s.keys for s in manifest.segments),
                    "disk_mb_after_build": round(size_built / 1e6, 1),
                    "disk_mb": round(disk_usage(work) / 1e6, 1),
                    "bands": manifest.parameters.bands,
                    "rows": manifest.parameters.rows,
                },
                "build": {"docs": built.added, "seconds": round(build_s, 3), "docs_per_s": rate(built.added, build_s)},
                "add": {
                    "docs": added.added,
                    "seconds": round(add_s, 3),
                    "docs_per_s": rate(added.added, add_s),
                    "existing_segments_rewritten": 0 if manifest.segments[0] == built.manifest.segments[0] else 1,
                },
                "query_batch": {
                    "docs": len(batch),
                    "seconds": round(batch_s, 3),
                    "docs_per_s": rate(len(batch), batch_s),
                    "docs_with_reuse": len({al.doc_b for al in answer.scan.alignments if al.doc_a < answer.first_new}),
                    "indexed_candidates": counts["indexed_candidates"],
                    "candidate_pairs": counts["candidate_pairs"],
                    "alignments": counts["alignments"],
                    "stages": {t.stage: t.seconds for t in answer.scan.timings},
                },
                "query_single": {
                    "docs": len(singles),
                    "seconds": round(sum(latencies), 3),
                    "docs_per_s": rate(len(singles), sum(latencies)),
                    "ms_p50": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
                    "ms_max": round(1000 * latencies[-1], 1) if latencies else None,
                    "docs_with_reuse": found_single,
                },
                "open_and_query_one": {"seconds": round(cold_s, 3)},
                "cli_query_one": {"seconds": round(cli_s, 3)},
                "peak_rss_mb": rss_mb(),
            }
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    out = args.json or HERE / "results" / f"index-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    b, a, q, s = results["build"], results["add"], results["query_batch"], results["query_single"]
    print(
        f"index of {results['index']['documents']:,} documents ({results['index']['disk_mb']} MB): "
        f"build {b['docs_per_s']:,} docs/s ({b['seconds']} s); add {a['docs']} in {a['seconds']} s "
        f"({a['docs_per_s']:,} docs/s); query {q['docs']} in {q['seconds']} s ({q['docs_per_s']:,} docs/s, "
        f"{q['docs_with_reuse']} with reuse); single query p50 {s['ms_p50']} ms; "
        f"open+query one {results['open_and_query_one']['seconds']} s "
        f"(prov query: {results['cli_query_one']['seconds']} s); peak {results['peak_rss_mb']} MB -> {out}"
    )
    return results


if __name__ == "__main__":
    main()
