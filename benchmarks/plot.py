"""Draw prov's wall time and peak memory against corpus size from the results JSONs.

    python benchmarks/plot.py [--results benchmarks/results] [--out benchmarks/results/scaling.png]

Reads every ``<scale>-<date>.json`` written by ``run.py`` (the newest per scale), plots wall
time, peak memory and time per document against the number of documents on log axes, for prov
and for the baseline where it ran (generated corpora as lines, the Reuters corpus as stars),
and prints the same figures as a table. Needs matplotlib (``pip install matplotlib``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def latest_results(folder: Path) -> list[dict]:
    """The newest result of each scale in ``folder``, ordered by corpus size."""
    newest: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(data, dict) or "scale" not in data or "prov" not in data:
            continue
        if data["scale"] not in newest or data["date"] >= newest[data["scale"]]["date"]:
            newest[data["scale"]] = data | {"_file": path.name}
    return sorted(newest.values(), key=lambda d: d["corpus"].get("documents") or 0)


def points(results: list[dict], tool: str) -> list[tuple[int, float, float, str, str]]:
    """(documents, wall seconds, peak MB, scale, corpus kind) of one tool over the results; the
    kind is ``reuters`` or the generated corpus's noise (``noise none``, ``noise web``...): only
    corpora of one kind are comparable along a line."""
    out = []
    for r in results:
        t = r.get(tool)
        docs = r["corpus"].get("documents")
        if t and docs:
            kind = "reuters" if r["scale"] == "reuters" else f"noise {r['corpus'].get('noise', 'web')}"
            out.append((docs, t["wall_s"], t["peak_mb"], r["scale"], kind))
    return out


def plot(results: list[dict], out: Path) -> None:
    """Write the scaling figure.

    Raises:
        ImportError: matplotlib is not installed.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    lines = ("o-", "s--", "^:", "d-.")  # one per kind of generated corpus
    for tool, color in (("prov", "tab:blue"), ("baseline", "tab:orange")):
        pts = points(results, tool)
        kinds = sorted({p[4] for p in pts if p[4] != "reuters"}) + ["reuters"]
        for k, kind in enumerate(kinds):  # generated scales as lines, the real Reuters corpus as a star
            sel = [p for p in pts if p[4] == kind]
            if not sel:
                continue
            generated = kind != "reuters"
            docs = [p[0] for p in sel]
            series = ([p[1] for p in sel], [p[2] for p in sel], [1000 * p[1] / p[0] for p in sel])
            label = f"{tool} (generated, {kind})" if generated else f"{tool} (Reuters-21578)"
            style = lines[k % len(lines)] if generated else "*"
            for ax, ys in zip(axes, series, strict=True):
                ax.plot(docs, ys, style, color=color, label=label, markersize=6 if generated else 12)
                for (d, _, _, scale, _), y in zip(sel, ys, strict=True):
                    ax.annotate(scale, (d, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    titles = ("wall time (s)", "peak memory (MB)", "time per document (ms)")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("documents")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    machine = results[-1]["machine"] if results else {}
    fig.suptitle(f"prov scaling ({machine.get('cpu', '?')}, {machine.get('cores', '?')} cores)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=HERE / "results", help="folder of run.py results")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scaling.png")
    args = parser.parse_args(argv)
    results = latest_results(args.results)
    if not results:
        print(f"plot: error: no results in {args.results}; run benchmarks/run.py first", file=sys.stderr)
        return 2
    print(f"{'scale':<8} {'tool':<9} {'docs':>10} {'wall s':>9} {'peak MB':>9} {'ms/doc':>8}  file")
    for r in results:
        for tool in ("prov", "baseline"):
            t = r.get(tool)
            docs = r["corpus"].get("documents")
            if t and docs:
                print(
                    f"{r['scale']:<8} {tool:<9} {docs:>10,} {t['wall_s']:>9.2f} {t['peak_mb']:>9.0f} "
                    f"{1000 * t['wall_s'] / docs:>8.3f}  {r['_file']}"
                )
    try:
        plot(results, args.out)
    except ImportError:
        print("plot: error: matplotlib is not installed; pip install matplotlib", file=sys.stderr)
        return 2
    print(f"figure: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
