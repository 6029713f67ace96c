"""Benchmark reading web pages: article extraction in pages per second, from a folder of HTML
pages and from a web archive of the same pages, and the memory a streamed archive takes.

    python benchmarks/html_bench.py [--docs 10000] [--workers 2] [--seed 1] [--big-copies 4]

The pages are the generated corpus (``generate.py --noise none --html --warc``: real news text
from Reuters-21578, each document a page of its outlet's site with menus, cookie banner, share
buttons, related stories and footer), in ``benchmarks/data/gen-web-<docs>-s<seed>/``, made once.
Each read is ``provenance.ingest.read_documents`` in a child process, measured like ``run.py``'s
tools (wall, CPU, peak memory of the process tree): the folder and the archive with one worker
and with ``--workers``, then an archive of ``--big-copies`` copies of the pages (concatenated
gzip members: the same records again) with ``--workers``, to show that memory does not grow
with the archive. The child keeps no document, so its memory is the reader's.

Results: ``benchmarks/results/html-<date>.json`` (or ``--json PATH``) with the git commit and
the machine, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import git_commit, machine, measure  # noqa: E402
from benchmarks.webpages import PAGES, WARC  # noqa: E402

HERE = Path(__file__).resolve().parent


def read_child(path: Path, workers: int, out: Path) -> None:
    """Read ``path`` with ``workers`` (in this process, the measured child) and write what was
    read and how long it took to ``out``; keeps no document."""
    from provenance.ingest import read_documents
    from provenance.records import Document

    docs = skipped = chars = 0
    t0 = time.perf_counter()
    for item in read_documents([path], workers=workers):
        if isinstance(item, Document):
            docs += 1
            chars += len(item.text)
        else:
            skipped += 1
    seconds = time.perf_counter() - t0
    out.write_text(json.dumps({"documents": docs, "skipped": skipped, "chars": chars, "read_s": round(seconds, 3)}))


def corpus(docs: int, seed: int, regenerate: bool) -> Path:
    """The generated pages (made when missing)."""
    folder = HERE / "data" / f"gen-web-{docs}-s{seed}"
    if regenerate or not (folder / WARC).exists() or not (folder / PAGES).is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        cmd = [sys.executable, str(HERE / "generate.py"), "--docs", str(docs), "--seed", str(seed)]
        subprocess.run([*cmd, "--out", str(folder), "--noise", "none", "--html", "--warc"], check=True)
    return folder


def run_read(name: str, path: Path, workers: int, work: Path) -> dict:
    """One measured read of ``path``."""
    out = work / f"{name}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--read", str(path), "--workers", str(workers)]
    measured = measure([*cmd, "--result", str(out)], work / f"{name}.log")
    if measured.returncode != 0:
        raise SystemExit(f"{name}: the read failed, see {work / f'{name}.log'}")
    got = json.loads(out.read_text())
    pages = got["documents"] + got["skipped"]
    return {
        "input": str(path.relative_to(HERE.parent)) if path.is_relative_to(HERE.parent) else str(path),
        "input_mb": round(_size(path) / 1e6, 1),
        "workers": workers,
        **got,
        "pages_per_s": round(pages / got["read_s"], 1),
        # CPU seconds of the whole process tree: the figure other work on the machine does not skew
        "pages_per_cpu_s": round(pages / (measured.user_s + measured.sys_s), 1),
        "wall_s": measured.wall_s,
        "user_s": measured.user_s,
        "sys_s": measured.sys_s,
        "peak_mb": measured.peak_mb,
        "peak_rss_mb": measured.peak_rss_mb,
        "peak_tree_pss_mb": measured.peak_tree_pss_mb,
    }


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def main(argv: list[str] | None = None) -> dict | None:
    """Run the benchmark; returns the results (also written as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="pages (default 10000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--big-copies", type=int, default=4, help="copies of the pages in the big archive")
    parser.add_argument("--regenerate", action="store_true", help="generate the pages again")
    parser.add_argument("--json", type=Path, default=None, help="results file (default results/html-<date>.json)")
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)  # the measured child
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.read is not None:
        read_child(args.read, args.workers, args.result)
        return None

    folder = corpus(args.docs, args.seed, args.regenerate)
    work = HERE / "work" / f"html-{args.docs}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    big = work / "big.warc.gz"
    with big.open("wb") as out:
        for _ in range(args.big_copies):
            with (folder / WARC).open("rb") as handle:
                shutil.copyfileobj(handle, out)
    runs = {}
    load_before = os.getloadavg()
    for workers in sorted({1, args.workers}):
        runs[f"folder_w{workers}"] = run_read(f"folder_w{workers}", folder / PAGES, workers, work)
        runs[f"warc_w{workers}"] = run_read(f"warc_w{workers}", folder / WARC, workers, work)
    runs[f"big_warc_w{args.workers}"] = run_read(f"big_warc_w{args.workers}", big, args.workers, work)
    big.unlink()
    parameters = {"docs": args.docs, "seed": args.seed, "workers": args.workers, "big_copies": args.big_copies}
    command = ["html_bench.py", *(argv if argv is not None else sys.argv[1:])]
    return write_results("html", command, parameters, runs, load_before[0], args.json, "pages")


def write_results(
    benchmark: str,
    command: list[str],
    parameters: dict,
    runs: dict[str, dict],
    load_before: float,
    path: Path | None,
    unit: str,
) -> dict:
    """Write a read benchmark's results (``results/<benchmark>-<date>.json`` unless ``path``),
    print them as a table of ``unit`` (pages, files) and return them."""
    results = {
        "benchmark": benchmark,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "git": git_commit(),
        "machine": machine(),
        "parameters": parameters,
        "runs": runs,
        # other work on the machine slows every figure; the 1-minute load average around the runs
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    path = path or HERE / "results" / f"{benchmark}-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{'run':<16} {unit:>7} {'MB in':>7} {'read s':>8} {unit[:5] + '/s':>8} {'/CPU s':>8} {'peak MB':>8}")
    for name, r in runs.items():
        count = r["documents"] + r["skipped"]
        rates = f"{r['pages_per_s']:>8} {r['pages_per_cpu_s']:>8}"
        print(f"{name:<16} {count:>7} {r['input_mb']:>7} {r['read_s']:>8} {rates} {r['peak_mb']:>8}")
    print(f"-> {path}")
    return results


if __name__ == "__main__":
    main()
