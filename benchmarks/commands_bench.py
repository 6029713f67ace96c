"""Benchmark prov's corpus commands beside the scan: ``prov dedup`` of a generated corpus, and
``prov index add`` of it into a new index, then ``prov index compact`` of that index less a few
deleted documents. Wall and CPU seconds and peak memory of each, measured as ``run.py``
measures a scan (the whole process tree; see ``run.Measured``).

    python benchmarks/commands_bench.py [--scale 100k] [--seed 3] [--noise none] [--workers 2]
                                        [--only dedup|index]

The corpus is ``run.py``'s generated corpus of that scale (made once in ``benchmarks/data/``).
Results: ``benchmarks/results/commands-<scale>-<date>.json`` (or ``--json PATH``) with the git
commit, the machine, each command line and its figures, and what the command reported
(documents kept and removed; documents and keys indexed). The outputs go to
``benchmarks/work/commands-<scale>/`` and are removed afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import SCALES, corpus_for, git_commit, machine, measure  # noqa: E402

HERE = Path(__file__).resolve().parent
PROV = str(Path(sys.executable).parent / "prov")
DELETED = 100  # documents deleted before the compaction, so that it has something to purge


def _run(name: str, cmd: list[str], work: Path) -> dict:
    """One measured command; exits with its log's path when it fails."""
    measured = measure(cmd, work / f"{name}.log")
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed (exit {measured.returncode}), see {work / f'{name}.log'}")
    return {"command": cmd, **asdict(measured), "peak_mb": measured.peak_mb}


def bench_dedup(corpus: Path, work: Path, workers: int) -> dict:
    out = work / "dedup" / "clean.jsonl"
    got = _run("dedup", [PROV, "dedup", str(corpus), "--out", str(out), "--workers", str(workers), "-q"], work)
    record = json.loads((work / "dedup" / "clean.dedup.json").read_text(encoding="utf-8"))
    got["counts"] = {k: record["counts"][k] for k in ("documents", "kept", "removed", "groups", "candidate_pairs")}
    got["stages"] = {t["stage"]: t["seconds"] for t in record["timings"]}
    return got


def bench_index(corpus: Path, work: Path, workers: int) -> dict:
    index = work / "index"
    add = _run(
        "index_add", [PROV, "index", "add", str(corpus), "--index", str(index), "--workers", str(workers), "-q"], work
    )
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    add["index"] = {
        "documents": manifest["next_doc"],
        "segments": len(manifest["segments"]),
        "keys": sum(s["keys"] for s in manifest["segments"]),
    }
    ids = []
    with corpus.open(encoding="utf-8") as rows:
        for line in rows:
            ids.append(json.loads(line)["id"])
            if len(ids) == DELETED:
                break
    deleted = _run("index_delete", [PROV, "index", "delete", *ids, "--index", str(index), "-q"], work)
    compact = _run("index_compact", [PROV, "index", "compact", "--index", str(index), "-q"], work)
    return {"add": add, "delete": deleted, "compact": compact}


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; returns the results (also written as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=[s for s in SCALES if s != "reuters"], default="100k")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--noise", default="none", help="noise of the generated corpus, as run.py takes it")
    parser.add_argument("--workers", type=int, default=2, help="prov --workers (default 2)")
    parser.add_argument("--only", choices=["dedup", "index"], default=None)
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where generated corpora are kept")
    parser.add_argument(
        "--json", type=Path, default=None, help="results file (default results/commands-<scale>-<date>.json)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the outputs in benchmarks/work/")
    args = parser.parse_args(argv)

    work = HERE / "work" / f"commands-{args.scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    folder, _, _ = corpus_for(args.scale, args.seed, args.data, False, work, args.noise)
    corpus = folder / "corpus.jsonl"
    load_before = os.getloadavg()[0]
    runs: dict[str, dict] = {}
    if args.only in (None, "dedup"):
        runs["dedup"] = bench_dedup(corpus, work, args.workers)
    if args.only in (None, "index"):
        runs["index"] = bench_index(corpus, work, args.workers)
    results = {
        "benchmark": "commands",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": ["commands_bench.py", *(argv if argv is not None else sys.argv[1:])],
        "git": git_commit(),
        "machine": machine(),
        "parameters": {
            "scale": args.scale,
            "docs": SCALES[args.scale],
            "seed": args.seed,
            "noise": args.noise,
            "workers": args.workers,
        },
        "runs": runs,
        # other work on the machine slows every figure; the 1-minute load average around the runs
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    path = args.json or HERE / "results" / f"commands-{args.scale}-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    flat = {"dedup": runs.get("dedup"), **{f"index {k}": v for k, v in runs.get("index", {}).items()}}
    print(f"{'command':<16} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, r in flat.items():
        if r is not None:
            print(f"{name:<16} {r['wall_s']:>8.2f} {r['user_s'] + r['sys_s']:>8.2f} {r['peak_mb']:>8.1f}")
    print(f"-> {path}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
