"""Screenshots of every view of a report's HTML pages, with the system Chromium.

    python scripts/screenshots.py REPORT OUT_DIR [--prefix seeds] [--cluster N] [--doc N]

Used to refresh docs/screenshots/ (a picture of what users get) and to look at the pages
as a person would before calling a change done.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no Chromium found: run scripts/install-browser.sh")


def largest_news_cluster(report: Path) -> int:
    """The number of the first news cluster of the list (most documents first)."""
    text = (report / "html" / "data" / "list" / "00000.js").read_text(encoding="utf-8")
    rows = json.loads(text[text.index(",") + 1 : text.rindex(")")])
    return next((row[0] for row in rows if row[2] == "news" and row[3] > 1), 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--prefix", default="report")
    parser.add_argument(
        "--cluster", type=int, default=None, help="cluster number for the cluster view [the largest news cluster]"
    )
    parser.add_argument("--doc", type=int, default=None, help="document number for the document view")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.cluster is None:
        args.cluster = largest_news_cluster(args.report)
    index = (args.report / "index.html").resolve().as_uri()
    views = {
        "overview": "#/",
        "shares": "#/shares",
        "time": "#/time",
        "graph": "#/graph",
        "clusters": "#/clusters",
        "cluster": f"#/cluster/{args.cluster}",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path())
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, hash_ in views.items():
            page.goto(index + hash_)
            page.wait_for_selector("body[data-ready]", state="attached")
            page.wait_for_timeout(300)
            page.screenshot(path=str(args.out / f"{args.prefix}-{name}.png"), full_page=False)
            if name == "cluster" and args.doc is None:
                link = page.query_selector("a.doc-link")
                args.doc = int(link.get_attribute("href").rsplit("/", 1)[1]) if link else 0
        page.goto(index + f"#/doc/{args.doc}")
        page.wait_for_timeout(500)
        page.screenshot(path=str(args.out / f"{args.prefix}-document.png"), full_page=False)
        browser.close()


if __name__ == "__main__":
    main()
