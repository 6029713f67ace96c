"""Benchmark reading a folder of text files, one document each (how many scrapes are kept):
documents per second and peak memory of reading them, files found, opened, read and decoded.

    python benchmarks/files_bench.py [--scale 100k] [--seed 3] [--noise none] [--workers 2]

The files are ``run.py``'s generated corpus of that scale written out once as ``<id>.txt`` in
100 sub-folders, in ``benchmarks/data/<corpus>-files/``. The read is ``html_bench.py``'s measured
child (``provenance.ingest.read_documents`` in a process of its own, keeping no document), with
one worker and with ``--workers``. Results: ``benchmarks/results/files-<date>.json`` (or
``--json PATH``) with the git commit and the machine, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.html_bench import run_read, write_results  # noqa: E402
from benchmarks.run import SCALES, corpus_for  # noqa: E402

HERE = Path(__file__).resolve().parent
DONE = ".complete"  # written last: a folder without it was cut short and is made again


def write_files(corpus: Path, folder: Path) -> int:
    """Each row of the JSONL ``corpus`` as ``folder/NN/<id>.txt`` (NN: row number mod 100), made
    in a temporary folder renamed into place when complete; the number of files."""
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    count = 0
    with corpus.open(encoding="utf-8") as rows:
        for count, line in enumerate(rows, start=1):
            row = json.loads(line)
            sub = tmp / f"{(count - 1) % 100:02d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
    (tmp / DONE).write_text(f"{count}\n", encoding="ascii")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return count


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; returns the results (also written as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=[s for s in SCALES if s != "reuters"], default="100k")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--noise", default="none", help="noise of the generated corpus, as run.py takes it")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--json", type=Path, default=None, help="results file (default results/files-<date>.json)")
    args = parser.parse_args(argv)

    work = HERE / "work" / f"files-{args.scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    source, _, _ = corpus_for(args.scale, args.seed, HERE / "data", False, work, args.noise)
    folder = source.with_name(source.name + "-files")
    if not (folder / DONE).exists():
        print(f"writing {source / 'corpus.jsonl'} as one file per document into {folder}", flush=True)
        write_files(source / "corpus.jsonl", folder)
    load_before = os.getloadavg()[0]
    runs = {f"files_w{w}": run_read(f"files_w{w}", folder, w, work) for w in sorted({1, args.workers})}
    parameters = {"scale": args.scale, "seed": args.seed, "noise": args.noise, "workers": args.workers}
    command = ["files_bench.py", *(argv if argv is not None else sys.argv[1:])]
    return write_results("files", command, parameters, runs, load_before, args.json, "files")


if __name__ == "__main__":
    main()
