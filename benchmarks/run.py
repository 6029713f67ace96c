"""Run the benchmark suite at one scale and print a table; write the figures as JSON.

    python benchmarks/run.py --scale smoke|10k|100k|1m|reuters [--skip-baseline] [--workers N]

For a generated scale: generate the labelled corpus with real-world noise (``--noise``, default
``web``; or reuse the one cached under benchmarks/data/), run ``prov scan`` on it in a child
process (wall time, peak memory of the process tree, throughput, per-stage timings from its
manifest), score its report with ``evaluate.py``, and do the same for the baseline when it runs
at that scale. ``reuters`` scans the 19,043 Reuters-21578 bodies as they are (no truth: speed and
memory against the baseline, and how alike each news cluster's members are). Every run also
scores the five seed articles against ``benchmarks/seeds_truth.json``.

Results: ``benchmarks/results/<scale>-<date>.json`` with the git commit, the machine and every
figure. Reports are written under benchmarks/work/ (git-ignored, like benchmarks/data/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow.parquet as pq

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import evaluate, generate, noise, textbase  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "seeds"
SEEDS_TRUTH = HERE / "seeds_truth.json"

SCALES = {"smoke": 300, "10k": 10_000, "100k": 100_000, "1m": 1_000_000, "reuters": None}
# The baseline is quadratic-ish in memory and slow in pure Python: by default it runs where it
# finishes in minutes (and where the speed target compares it).
BASELINE_BY_DEFAULT = {"smoke": True, "10k": True, "100k": False, "1m": False, "reuters": True}

TARGETS = {
    # issue 13
    "reuters_speedup_min": 10.0,  # baseline wall / prov wall
    "reuters_memory_ratio_max": 0.3,  # prov peak / baseline peak
    "1m_wall_max_s": 15 * 60,
    "1m_peak_max_mb": 4 * 1024,
    "1m_per_doc_vs_100k_max": 1.3,  # ms per document at 1M / at 100k (same seed and noise)
    "seeds_wall_max_s": 0.5,  # prov scan seeds/: start-up and report writing
    "char_f1_min": 0.97,
    "recall_25_plus_min": 0.98,
    "recall_captions_min": 0.95,
    "credit_precision_min": 0.95,
    "credit_recall_min": 0.95,
    # issue 9: news apart from boilerplate, clusters that hold one text
    "news_char_f1_min": 0.97,
    "noise_as_news_max": 0.02,
    "purity_min": 0.99,
    "reuters_alike_share_min": 0.98,  # news occurrences alike their cluster's representative
    "reuters_big_unalike_max": 0,  # news clusters over 100 documents holding an unalike member
}


# --- measuring a child process -------------------------------------------------------------------


@dataclass(slots=True)
class Measured:
    """How a child process ran: exit code, wall and CPU seconds, and peak memory.

    ``peak_rss_mb`` is the largest resident set of any one process of the tree (from
    ``wait4``); Linux carries the launcher's resident set at fork time into it, so it is never
    below the launcher's (``launcher_rss_mb`` in the results, kept small on purpose).
    ``peak_tree_pss_mb`` is the largest sum, over the process tree, of the proportional set
    sizes polled from /proc every ``poll_s`` (shared pages split between the processes sharing
    them), so forked workers are neither missed nor counted twice. ``peak_mb`` is the larger.
    """

    returncode: int
    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    peak_tree_pss_mb: float

    @property
    def peak_mb(self) -> float:
        return max(self.peak_rss_mb, self.peak_tree_pss_mb)


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    for name, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(name) as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def _tree_pss_kb(root: int) -> int:
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _pss_kb(pid)
        todo += _children(pid)
    return total


def measure(cmd: list[str], log: Path, timeout: float | None = None, poll_s: float = 0.25) -> Measured:
    """Run ``cmd`` (stdout and stderr to ``log``) and measure it.

    Raises:
        TimeoutError: it ran longer than ``timeout`` seconds (it is killed first).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        t0 = time.perf_counter()
        # its own process group, so that a timeout also stops the workers it forked
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        # A thread waits for the exit, so the wall time is exact rather than rounded up to the
        # next poll (a 0.44 s run read as 0.50 s); this thread polls memory meanwhile.
        ended: dict = {}
        done = threading.Event()

        def wait() -> None:
            ended["result"] = os.wait4(proc.pid, 0)
            ended["at"] = time.perf_counter()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        peak_pss = 0
        while not done.is_set():
            peak_pss = max(peak_pss, _tree_pss_kb(proc.pid))
            if timeout is not None and time.perf_counter() - t0 > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                done.wait()
                proc.returncode = -9
                raise TimeoutError(f"{' '.join(cmd)}: still running after {timeout:g}s; killed (log: {log})")
            done.wait(poll_s)
        _pid, status, usage = ended["result"]
        wall = ended["at"] - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        returncode=proc.returncode,
        wall_s=round(wall, 3),
        user_s=round(usage.ru_utime, 3),
        sys_s=round(usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        peak_tree_pss_mb=round(peak_pss / 1024, 1),
    )


# --- the machine and the code ---------------------------------------------------------------------


def machine() -> dict:
    """CPU model, cores, RAM, Python and OS of this machine."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def git_commit() -> dict:
    """The commit checked out, and whether tracked files differ from it (read-only git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


# --- the suite ------------------------------------------------------------------------------------


def prov_command(inputs: list[Path], out: Path, workers: int) -> list[str]:
    """``prov scan`` as a command line, with the installed script when there is one."""
    script = Path(sys.executable).with_name("prov")
    head = [str(script)] if script.exists() else [sys.executable, "-c", "from prov_cli.main import run; run()"]
    return head + ["scan", *map(str, inputs), "--out", str(out), "--force", "--quiet", "--workers", str(workers)]


def baseline_command(inputs: list[Path], out: Path) -> list[str]:
    return [sys.executable, str(HERE / "baseline.py"), *map(str, inputs), "--out", str(out)]


def corpus_folder(data: Path, scale: str, seed: int, noise_profile: str) -> Path:
    """Where a generated scale lives: ``gen-<scale>-s<seed>`` with the default noise (web),
    ``gen-<scale>-s<seed>-noise-<profile>`` with another."""
    suffix = "" if noise_profile == "web" else f"-noise-{noise_profile.replace(',', '+')}"
    return data / f"gen-{scale}-s{seed}{suffix}"


def corpus_for(
    scale: str, seed: int, data: Path, regenerate: bool, logs: Path, noise_profile: str = "web"
) -> tuple[Path, dict, dict | None]:
    """The generated corpus of a scale, its truth.json, and how its generation ran (None when
    reused from the cache: same docs, seed, noise and generator version)."""
    docs = SCALES[scale]
    noise_profile = noise.profile_name(noise.parse_noise(noise_profile))
    folder = corpus_folder(data, scale, seed, noise_profile)
    truth_file = folder / generate.TRUTH
    if truth_file.exists() and not regenerate:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        if (
            truth.get("version") == generate.GENERATOR_VERSION
            and truth.get("docs") == docs
            and truth.get("seed") == seed
            and truth.get("noise") == noise_profile
        ):
            return folder, truth, None
    # in a child process: this one stays small, so the tools it starts next inherit no large
    # resident set into their peak-memory figures (see Measured)
    cmd = [sys.executable, str(HERE / "generate.py"), "--docs", str(docs), "--out", str(folder), "--seed", str(seed)]
    cmd += ["--noise", noise_profile]
    print(f"generating {docs:,} documents: {' '.join(cmd)}", flush=True)
    m = measure(cmd, logs / "generate.log")
    if m.returncode != 0:
        raise RuntimeError(f"generation failed (exit {m.returncode}); see {logs / 'generate.log'}")
    return folder, json.loads(truth_file.read_text(encoding="utf-8")), asdict(m)


def run_tool(name: str, cmd: list[str], report: Path, logs: Path, timeout: float | None) -> dict:
    """Run one tool, measure it, and gather its manifest's counts and stage timings.

    The output of an earlier run at ``report`` is moved aside before and deleted after: a timed
    run writes its report afresh and never pays for deleting the one before (1.3 s at 100k).
    """
    print(f"running {name}: {' '.join(cmd)}", flush=True)
    aside = report.with_name(report.name + ".previous")
    if aside.exists():  # left by a run that was stopped: this benchmark's own
        shutil.rmtree(aside)
    if report.exists():
        report.rename(aside)
    try:
        m = measure(cmd, logs / f"{name}.log", timeout)
    finally:
        if aside.exists():
            shutil.rmtree(aside)
    result = {"command": cmd, **asdict(m), "peak_mb": m.peak_mb}
    if m.returncode != 0:
        tail = (logs / f"{name}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{name} failed with exit code {m.returncode}:\n{tail}")
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    result["stages"] = {t["stage"]: t["seconds"] for t in manifest.get("timings", [])}
    result["counts"] = manifest.get("counts", {})
    docs_table = report / "documents.parquet"
    if docs_table.exists():
        t = pq.read_table(docs_table, columns=["n_chars"])
        result["documents"] = t.num_rows
        result["text_mb"] = round(sum(t.column("n_chars").to_pylist()) / 1e6, 3)
    else:
        result["documents"] = manifest.get("counts", {}).get("documents")
    return result


def _own_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _throughput(tool: dict, docs: int, text_mb: float) -> None:
    tool["docs_per_s"] = round(docs / tool["wall_s"], 1) if tool["wall_s"] else None
    tool["mb_per_s"] = round(text_mb / tool["wall_s"], 3) if tool["wall_s"] else None
    tool["ms_per_doc"] = round(1000 * tool["wall_s"] / docs, 4) if docs else None


def newest_result(folder: Path, scale: str, corpus: dict) -> dict | None:
    """The newest results JSON of ``scale`` in ``folder`` made on a corpus of the same seed and
    noise as ``corpus``, with its path as ``_path``; None when there is none."""
    for path in sorted(folder.glob(f"{scale}-*.json"), reverse=True):
        found = json.loads(path.read_text(encoding="utf-8"))
        theirs = found.get("corpus", {})
        if theirs.get("seed") == corpus.get("seed") and theirs.get("noise") == corpus.get("noise"):
            found["_path"] = path.name
            return found
    return None


def check_targets(scale: str, results: dict, reference_100k: dict | None = None) -> dict:
    """Each applicable target: its value, the bound, and whether it is met. ``reference_100k``
    is the newest 100k result of the same seed and noise, for the 1M cost per document."""
    checks = {}
    prov, base = results.get("prov", {}), results.get("baseline")

    def add(name: str, value, bound, ok) -> None:
        checks[name] = {"value": value, "target": bound, "met": None if value is None else bool(ok)}

    if scale == "reuters" and base:
        speedup = base["wall_s"] / prov["wall_s"]
        ratio = prov["peak_mb"] / base["peak_mb"]
        bound = TARGETS["reuters_speedup_min"]
        add("speedup_vs_baseline", round(speedup, 2), f">= {bound}", speedup >= bound)
        bound = TARGETS["reuters_memory_ratio_max"]
        add("memory_vs_baseline", round(ratio, 3), f"<= {bound}", ratio <= bound)
    if scale == "1m":
        add("wall_s", prov["wall_s"], f"< {TARGETS['1m_wall_max_s']}", prov["wall_s"] < TARGETS["1m_wall_max_s"])
        add("peak_mb", prov["peak_mb"], f"< {TARGETS['1m_peak_max_mb']}", prov["peak_mb"] < TARGETS["1m_peak_max_mb"])
        if reference_100k and prov.get("ms_per_doc") and reference_100k["prov"].get("ms_per_doc"):
            ratio = prov["ms_per_doc"] / reference_100k["prov"]["ms_per_doc"]
            bound = TARGETS["1m_per_doc_vs_100k_max"]
            add("per_doc_vs_100k", round(ratio, 3), f"<= {bound} ({reference_100k['_path']})", ratio <= bound)
    seeds = results.get("seeds")
    if seeds and seeds.get("wall_s") is not None:
        bound = TARGETS["seeds_wall_max_s"]
        add("seeds_wall_s", seeds["wall_s"], f"< {bound}", seeds["wall_s"] < bound)
    metrics = prov.get("metrics")
    if metrics:
        noisy = metrics["noise"]["chars"] > 0
        if not noisy:  # with noise, reporting (and flagging) boilerplate is right: news F1 below
            f1 = metrics["chars"]["f1"]
            add("char_f1", f1, f">= {TARGETS['char_f1_min']}", f1 is not None and f1 >= TARGETS["char_f1_min"])
        f1 = metrics["news"]["chars"]["f1"]
        bound = TARGETS["news_char_f1_min"]
        add("news_char_f1", f1, f">= {bound}", f1 is not None and f1 >= bound)
        if noisy:
            share = metrics["noise"]["share_as_news"]
            bound = TARGETS["noise_as_news_max"]
            add("noise_as_news", share, f"<= {bound}", share is not None and share <= bound)
        purity = metrics["purity"]["purity"]
        bound = TARGETS["purity_min"]
        add("cluster_purity", purity, f">= {bound}", purity is not None and purity >= bound)
        # findings count news only: recall of what the report calls news
        buckets = metrics["news"]["recall_by_length"]
        for key, bound in (
            ("passages_25_plus_words", "recall_25_plus_min"),
            ("passages_10_20_words", "recall_captions_min"),
        ):
            value = buckets.get(key, {}).get("char_recall")
            add(f"recall_{key}", value, f">= {TARGETS[bound]}", value is not None and value >= TARGETS[bound])
        credits = metrics.get("credits")
        for key in ("precision", "recall"):
            value = credits[key] if credits else None
            bound = TARGETS[f"credit_{key}_min"]
            add(f"credit_{key}", value, f">= {bound}", value is not None and value >= bound)
    coherence = prov.get("coherence")
    if scale == "reuters" and coherence:
        share = coherence["alike_share"]
        bound = TARGETS["reuters_alike_share_min"]
        add("news_alike_share", share, f">= {bound}", share is not None and share >= bound)
        big = coherence["big_news_clusters_unalike"]
        bound = TARGETS["reuters_big_unalike_max"]
        add(f"news_clusters_over_{coherence['big_docs']}_docs_unalike", big, f"<= {bound}", big <= bound)
    return checks


def run_suite(args: argparse.Namespace) -> dict:
    """Run everything for ``args.scale``; return the results (also written as JSON)."""
    scale = args.scale
    profile = noise.profile_name(noise.parse_noise(args.noise))
    work = args.work / (scale if scale == "reuters" else corpus_folder(args.work, scale, args.seed, profile).name)
    logs = work / "logs"
    results: dict = {
        "scale": scale,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": machine(),
        "workers": args.workers,
    }
    if scale == "reuters":
        # the .sgm files, not the folder: prov would also read the folder's README.md as a document
        inputs = textbase.reuters_files(args.reuters)
        corpus = {"path": str(args.reuters), "files": len(inputs)}
        truth_path = None
    else:
        folder, truth, generation = corpus_for(scale, args.seed, args.data, args.regenerate, logs, profile)
        inputs = [folder / generate.CORPUS]
        corpus = {
            "path": str(folder),
            "seed": args.seed,
            "noise": truth["noise"],
            "counts": truth["counts"],
            "generation": generation,
        }
        truth_path = folder
    results["corpus"] = corpus
    results["launcher_rss_mb"] = _own_rss_mb()

    # Every tool runs before any evaluation, while this process is still small.
    prov = run_tool("prov", prov_command(inputs, work / "prov", args.workers), work / "prov", logs, args.timeout)
    docs, text_mb = prov.get("documents") or 0, prov.get("text_mb") or 0.0
    _throughput(prov, docs, text_mb)
    results["corpus"].update({"documents": docs, "text_mb": text_mb})
    results["prov"] = prov
    run_baseline = BASELINE_BY_DEFAULT[scale] if args.baseline is None else args.baseline
    if run_baseline:
        base = run_tool("baseline", baseline_command(inputs, work / "baseline"), work / "baseline", logs, args.timeout)
        _throughput(base, docs, text_mb)
        results["baseline"] = base
    seeds = run_tool("seeds", prov_command([SEEDS], work / "seeds", 1), work / "seeds", logs, args.timeout)
    results["seeds"] = seeds

    if truth_path is not None:
        truth = evaluate.load_truth(truth_path)
        prov["metrics"] = evaluate.evaluate(truth, evaluate.load_found(work / "prov"))
        if run_baseline:
            results["baseline"]["metrics"] = evaluate.evaluate(truth, evaluate.load_found(work / "baseline"))
    prov["coherence"] = evaluate.coherence(work / "prov")
    if run_baseline:
        results["baseline"]["coherence"] = evaluate.coherence(work / "baseline")
    seeds["metrics"] = evaluate.evaluate(evaluate.load_truth(SEEDS_TRUTH), evaluate.load_found(work / "seeds"))
    reference = newest_result(args.results, "100k", results["corpus"]) if scale == "1m" else None
    results["targets"] = check_targets(scale, results, reference)

    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"{scale}-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    results["_path"] = str(path)
    return results


# --- the table ------------------------------------------------------------------------------------


def _fmt(x, digits: int = 4) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{digits}f}" if abs(x) < 1000 else f"{x:,.0f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def table_rows(results: dict) -> list[tuple[str, str, str]]:
    """(figure, prov, baseline) rows of the printed table."""
    prov, base = results["prov"], results.get("baseline") or {}
    cpu_base = base["user_s"] + base["sys_s"] if base else None
    rows = [
        ("documents", _fmt(results["corpus"].get("documents")), ""),
        ("text (million chars)", _fmt(results["corpus"].get("text_mb"), 2), ""),
        ("wall time (s)", _fmt(prov["wall_s"], 2), _fmt(base.get("wall_s"), 2)),
        ("CPU time user+sys (s)", _fmt(prov["user_s"] + prov["sys_s"], 2), _fmt(cpu_base, 2)),
        ("peak memory (MB)", _fmt(prov["peak_mb"], 0), _fmt(base.get("peak_mb"), 0)),
        ("docs/s", _fmt(prov["docs_per_s"], 0), _fmt(base.get("docs_per_s"), 0)),
        ("MB/s", _fmt(prov["mb_per_s"], 3), _fmt(base.get("mb_per_s"), 3)),
        ("ms per doc", _fmt(prov["ms_per_doc"], 3), _fmt(base.get("ms_per_doc"), 3)),
    ]
    for stage, seconds in prov.get("stages", {}).items():
        rows.append((f"  prov stage {stage} (s)", _fmt(seconds, 2), ""))
    if "metrics" in prov:
        p_rows = dict(evaluate.summary_rows(prov["metrics"]))
        b_rows = dict(evaluate.summary_rows(base["metrics"])) if "metrics" in base else {}
        rows += [(name, value, b_rows.get(name, "")) for name, value in p_rows.items()]
    if "coherence" in prov:
        p_rows = dict(evaluate.coherence_rows(prov["coherence"]))
        b_rows = dict(evaluate.coherence_rows(base["coherence"])) if "coherence" in base else {}
        rows += [(name, value, b_rows.get(name, "")) for name, value in p_rows.items()]
    seeds = results["seeds"]["metrics"]
    rows.append(
        (
            "seeds: char precision / recall",
            f"{_fmt(seeds['chars']['precision'])} / {_fmt(seeds['chars']['recall'])}",
            "",
        )
    )
    for name, check in results["targets"].items():
        verdict = {True: "met", False: "NOT met", None: "n/a"}[check["met"]]
        rows.append((f"target {name} {check['target']}", f"{_fmt(check['value'])} ({verdict})", ""))
    return rows


def print_table(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"prov benchmark: {results['scale']} ({results['git'].get('commit') or 'no commit'})")
    table.add_column("figure")
    table.add_column("prov", justify="right")
    table.add_column("baseline", justify="right")
    for row in table_rows(results):
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(f"results: {results['_path']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), required=True)
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--skip-baseline", dest="baseline", action="store_false", default=None, help="do not run the baseline"
    )
    group.add_argument("--baseline", dest="baseline", action="store_true", help="run the baseline even at 100k/1m")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="prov scan --workers (default: all cores)"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument(
        "--noise",
        default="web",
        help="generator noise: web (default: all kinds), none (the clean corpus), or a comma-separated list",
    )
    parser.add_argument("--regenerate", action="store_true", help="generate the corpus again even if cached")
    parser.add_argument("--timeout", type=float, default=None, help="kill a tool that runs longer (seconds)")
    parser.add_argument("--reuters", type=Path, default=textbase.REUTERS_DIR, help="Reuters-21578 folder")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="generated corpora (cache)")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="reports and logs")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="results JSON folder")
    args = parser.parse_args(argv)
    try:
        results = run_suite(args)
    except (FileNotFoundError, RuntimeError, TimeoutError, ValueError) as err:
        print(f"run: error: {err}", file=sys.stderr)
        return 1
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
