"""The Spark engine beside the local engine: wall time, peak memory and per-stage times, and
whether both wrote the same report.

    python benchmarks/spark_bench.py [--corpus reuters] [--corpus 100k] [--master local[2]]
                                     [--partitions 4] [--workers 2] [--conf key=value]...
                                     [--dataset] [--seed 3] [--filler N]

``reuters`` scans the 22 Reuters-21578 ``.sgm`` files; ``100k`` (or ``smoke``, ``10k``) the
generated corpus of that scale, generated first by ``generate.py`` unless cached under
benchmarks/data/. Each engine runs as ``prov scan`` in a child process (so peak memory counts
the JVM and the Python workers of the Spark run), one after the other, on the same input.
``--dataset`` gives Spark a generated corpus as a Parquet dataset (a folder named
``dataset.parquet`` of 25,000-row parts, written once beside the corpus), which the executors
read and the driver never does: the run checks it (the documents' sources are the URIs Spark
read) and records the Python driver's own peak (``peak_rss_mb``) apart from the whole tree's
(``peak_tree_pss_mb``, the JVM's too). ``--filler N`` adds N documents that share nothing to a
generated corpus: the corpus grows and the reuse does not (see ``with_filler``).

Results: ``benchmarks/results/spark-<date>.json`` with the git commit, the machine, the exact
commands and every figure; a second run on the same day replaces the corpora it ran again and
keeps the others. Reports go to benchmarks/work/spark/<corpus>/<engine>/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import textbase  # noqa: E402
from benchmarks.run import SCALES, corpus_for, git_commit, machine, prov_command, run_tool  # noqa: E402

HERE = Path(__file__).resolve().parent
COMPARED = {  # report table -> columns that order its rows
    "documents": ("doc_id",),
    "passages": ("doc_id", "start", "end"),
    "alignments": ("doc_a", "a_start", "doc_b", "b_start", "a_end", "b_end"),
    "clusters": ("cluster_id",),
    "credits": ("doc_id", "start", "agency"),
    "edges": ("source", "target", "kind"),
}


def inputs_for(corpus: str, args: argparse.Namespace, logs: Path) -> list[Path]:
    """The input paths of a corpus (generating a generated one if it is not cached), with
    ``--filler`` documents after it."""
    if corpus == "reuters":
        try:
            return textbase.reuters_files(args.reuters)
        except FileNotFoundError as err:
            raise SystemExit(str(err)) from None
    folder, _, _ = corpus_for(corpus, args.seed, args.data, False, logs, args.noise)
    if args.filler:
        return [with_filler(folder / "corpus.jsonl", args.filler)]
    return [folder / "corpus.jsonl"]


FILLER_WORDS = 240  # words of a filler document (about the generated articles' length)
FILLER_VOCABULARY = 200_000  # pseudo-words a filler word is drawn from


def with_filler(jsonl: Path, n: int) -> Path:
    """``jsonl`` followed by ``n`` documents that share no passage with anything: words drawn at
    random from a large vocabulary of pseudo-words (seeded), from 50 outlets, dated. They grow
    the corpus and leave the reuse as it is, which is what tells a driver's memory that follows
    the corpus from one that follows what the scan found (``--filler``). Written once, beside
    the corpus, in a folder of its own."""
    import numpy as np

    folder = jsonl.parent.with_name(f"{jsonl.parent.name}-filler-{n}")
    out = folder / "corpus.jsonl"
    if (folder / "_complete").exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(13)
    vocabulary = [np.base_repr(int(v), 36).lower() for v in rng.integers(36**4, 36**7, FILLER_VOCABULARY)]
    with out.open("w", encoding="utf-8") as sink:
        with jsonl.open(encoding="utf-8") as corpus:
            shutil.copyfileobj(corpus, sink)
        for i in range(n):
            words = rng.integers(0, FILLER_VOCABULARY, FILLER_WORDS).tolist()
            record = {
                "id": f"filler-{i:07d}",
                "text": " ".join(vocabulary[w] for w in words) + ".",
                "outlet": f"Filler Outlet {i % 50}",
                "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "title": f"Filler {i}",
            }
            sink.write(json.dumps(record) + "\n")
    (folder / "_complete").touch()  # a folder cut short by a crash is written again
    return out


DATASET_ROWS = 25_000  # rows per part file of ``--dataset``


def dataset_of(jsonl: Path) -> Path:
    """The generated corpus ``jsonl`` as a Parquet dataset (a folder of part files beside it,
    written once): the input the Spark engine reads on its executors. Its name ends in
    ``.parquet``: any other folder is local input, read on the driver (``spark.is_dataset``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = jsonl.with_name("dataset.parquet")
    if (folder / "_complete").exists():
        return folder
    folder.mkdir(exist_ok=True)
    names = ("id", "text", "outlet", "date", "title")
    rows: dict[str, list] = {name: [] for name in names}
    part = 0
    with jsonl.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for name in names:
                rows[name].append(record.get(name))
            if len(rows["id"]) == DATASET_ROWS:
                pq.write_table(pa.table(rows), folder / f"part-{part:05d}.parquet")
                rows, part = {name: [] for name in names}, part + 1
    if rows["id"]:
        pq.write_table(pa.table(rows), folder / f"part-{part:05d}.parquet")
    (folder / "_complete").touch()  # a folder cut short by a crash is written again
    return folder


def same_report(a: Path, b: Path, ignore: dict[str, tuple[str, ...]] | None = None) -> dict[str, bool]:
    """Per compared table: do the two reports hold the same rows (in a stable order)? Columns
    named in ``ignore`` (per table) are left out."""
    from provenance.report import read_table

    out = {}
    for name, key in COMPARED.items():
        tables = [read_table(r, name) for r in (a, b)]
        dropped = [c for c in (ignore or {}).get(name, ()) if c in tables[0].column_names]
        rows = [sorted(t.drop_columns(dropped).to_pylist(), key=lambda x: tuple(x[k] for k in key)) for t in tables]  # noqa: B023
        out[name] = rows[0] == rows[1]
    return out


def read_by_spark(report: Path) -> bool:
    """Whether Spark read the documents of ``report`` itself: their sources are the URIs of the
    part files it read (``file:/...``), where the driver's own reading names paths."""
    from provenance.report import read_table

    sources = read_table(report, "documents").column("source").to_pylist()
    return bool(sources) and all(s.startswith("file:") for s in sources)


def run_corpus(corpus: str, args: argparse.Namespace) -> dict:
    work = HERE / "work" / "spark" / (f"{corpus}-filler-{args.filler}" if args.filler else corpus)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    inputs = inputs_for(corpus, args, logs)
    spark_inputs = [dataset_of(inputs[0])] if args.dataset and corpus != "reuters" else inputs
    local_out, spark_out = work / "local", work / "spark"
    local_cmd = prov_command(inputs, local_out, args.workers)
    spark_cmd = prov_command(spark_inputs, spark_out, args.workers)
    spark_cmd += ["--engine", "spark", "--spark-master", args.master]
    spark_cmd += ["--conf", f"spark.sql.shuffle.partitions={args.partitions}"]
    for item in args.conf:
        spark_cmd += ["--conf", item]
    result = {
        "git": git_commit(),  # each corpus's own: a later run on the same day keeps the others' results
        "inputs": [str(p) for p in inputs],
        "spark_inputs": [str(p) for p in spark_inputs],
        "master": args.master,
        "shuffle_partitions": args.partitions,
    }
    # Other work on the machine skews wall times: the 1-minute load average before each run says how much.
    result["load_before_local"] = round(os.getloadavg()[0], 2)
    result["local"] = run_tool(f"{corpus}-local", local_cmd, local_out, logs, args.timeout)
    result["load_before_spark"] = round(os.getloadavg()[0], 2)
    result["spark"] = run_tool(f"{corpus}-spark", spark_cmd, spark_out, logs, args.timeout)
    # A dataset's documents name their part file as their source; everything else must agree.
    ignore = {"documents": ("source",)} if spark_inputs != inputs else None
    if spark_inputs != inputs:
        result["read_by_spark"] = read_by_spark(spark_out)
        if not result["read_by_spark"]:
            raise RuntimeError(f"{spark_inputs[0]} was read on the driver, not by Spark: not a dataset")
    result["same_report"] = same_report(local_out, spark_out, ignore)
    result["spark_over_local"] = round(result["spark"]["wall_s"] / result["local"]["wall_s"], 2)
    return result


def print_summary(results: dict) -> None:
    for corpus, r in results["corpora"].items():
        print(f"\n{corpus}: {r['local'].get('documents')} documents")
        for engine in ("local", "spark"):
            t = r[engine]
            stages = ", ".join(f"{k} {v:.1f}" for k, v in t["stages"].items())
            print(
                f"  {engine:5} {t['wall_s']:8.1f} s  peak {t['peak_mb']:7.0f} MB"
                f" (main process {t['peak_rss_mb']:.0f} MB)  ({stages})"
            )
        same = "same report" if all(r["same_report"].values()) else f"REPORTS DIFFER: {r['same_report']}"
        print(f"  spark / local: {r['spark_over_local']}x; {same}")
        print(f"  load average before: local {r['load_before_local']}, spark {r['load_before_spark']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        action="append",
        choices=["reuters", *[s for s in SCALES if s != "reuters"]],
        help="reuters or a generated scale (repeatable; default: reuters)",
    )
    parser.add_argument("--master", default="local[2]", help="Spark master (default: local[2])")
    parser.add_argument("--partitions", type=int, default=4, help="spark.sql.shuffle.partitions (default: 4)")
    parser.add_argument("--conf", action="append", default=[], help="more Spark settings, key=value")
    parser.add_argument("--workers", type=int, default=2, help="local engine processes (default: 2)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument("--dataset", action="store_true", help="give Spark a generated corpus as a Parquet dataset")
    parser.add_argument("--noise", default="web", help="noise of a generated corpus, as run.py takes it (default: web)")
    parser.add_argument(
        "--filler",
        type=int,
        default=0,
        help="add this many documents that share nothing to a generated corpus (the reuse stays, the corpus grows)",
    )
    parser.add_argument("--timeout", type=float, default=None, help="seconds allowed per scan")
    parser.add_argument("--reuters", type=Path, default=textbase.REUTERS_DIR, help="Reuters-21578 folder")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="generated corpora (cache)")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="where the JSON goes")
    args = parser.parse_args(argv)
    date = dt.date.today().isoformat()
    path = args.results / f"spark-{date}.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results = {
        "date": date,
        "git": git_commit(),
        "machine": machine(),
        "master": args.master,
        "shuffle_partitions": args.partitions,
        "local_workers": args.workers,
        "corpora": previous.get("corpora", {}),
    }
    for corpus in args.corpus or ["reuters"]:
        name = f"{corpus}+filler-{args.filler}" if args.filler and corpus != "reuters" else corpus
        results["corpora"][name] = run_corpus(corpus, args) | {"filler": args.filler if name != corpus else 0}
        args.results.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_summary(results)
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
