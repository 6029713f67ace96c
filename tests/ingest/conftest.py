"""Web inputs for the HTML and WARC tests: the seed articles served as pages of three news sites,
and how to compare the passages of two scans of the seeds.

The pages are built with ``benchmarks/webpages.py`` (the generator's site chrome: menus, a cookie
banner, share buttons, related stories, a newsletter box, a footer), one site per page layout.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.webpages import LAYOUTS, Site, WebPage  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
TITLES = {
    "000_1d5ac4fc6d25f897": "Iraqi forces take Mosul government offices and museum",
    "001_3e4bb9b7a2474284": "Police units seize government compound in western Mosul",
    "002_8c94dd9fdb0e72cb": "Displaced families leave the city as fighting moves west",
    "003_687d2cf08bd21f35": "Coalition says grip of militants on the city is crumbling",
    "004_b0fe4d8c11b7b64b": "Special forces declare their mission in the old city complete",
}
# Where the seeds read from pages give other passages than the .txt seeds, and why: a strict
# xfail, shown until fixed.
DOUBLED_CAPTION = (
    "seed 001 prints a caption line twice in a row (a scraping artifact of the .txt); trafilatura "
    "drops a paragraph repeating the one before it, so the page has one copy, matched on the words "
    "it shares with seed 000's caption"
)
SEED_CASES = [
    pytest.param(stem, marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=DOUBLED_CAPTION)])
    if stem.startswith("001")
    else stem
    for stem in TITLES
]
"""The seeds, each a test case of the passage comparisons."""
# Chrome of every page, in the wording the sites use; none of it may reach a document's text.
CHROME = ("Share on Facebook", "Email this story", "Privacy Policy", "Terms of Use", "About us", "Contact us")


def seed_sites() -> list[Site]:
    """Three sites, one per page layout, drawn with a fixed seed."""
    rnd = random.Random(12)
    outlets = ("Valley Times", "Harbour Post", "Meridian Journal")
    return [dataclasses.replace(Site.draw(o, rnd), layout=layout) for o, layout in zip(outlets, LAYOUTS, strict=True)]


def seed_pages() -> list[tuple[str, Site, WebPage]]:
    """Each seed as a page of one of ``seed_sites`` (stem, site, page); its related-stories box
    lists the other seeds' titles. Seed 001 states no date, so a WARC's date is its capture's."""
    sites = seed_sites()
    pages = []
    for i, path in enumerate(SEEDS):
        site = sites[i % len(sites)]
        stem = path.stem
        date = None if stem.startswith("001") else f"2017-03-0{i + 1}T09:00:00+00:00"
        related = [t for s, t in TITLES.items() if s != stem]
        html = site.page(path.read_text(encoding="utf-8"), TITLES[stem], stem, date, "Staff reporter", related)
        pages.append((stem, site, WebPage(site.url(stem), f"2017-03-1{i}T12:00:00Z", html.encode("utf-8"))))
    return pages


def chrome_of(site: Site) -> list[str]:
    """The chrome strings of ``site``'s pages, beside ``CHROME``."""
    strings = [site.cookie, site.related, site.copyright, site.skip, *CHROME]
    return [*strings, site.newsletter] if site.newsletter else strings


def squash(text: str) -> str:
    """``text`` with every run of white space made one space."""
    return re.sub(r"\s+", " ", text).strip()


def seed_passages(report: Path, stem_of: Callable[[str], str]) -> dict[str, Counter[tuple[str, frozenset[str]]]]:
    """Per seed (named by ``stem_of(doc_id)``), its passages as (text with white space squashed,
    the seeds of its cluster): what two scans of the seeds must agree on, whatever their ids and
    offsets."""
    passages = pq.read_table(report / "passages.parquet").to_pylist()
    members: dict[str, set[str]] = {}
    for p in passages:
        members.setdefault(p["cluster_id"], set()).add(stem_of(p["doc_id"]))
    found: dict[str, Counter[tuple[str, frozenset[str]]]] = {path.stem: Counter() for path in SEEDS}
    for p in passages:
        found[stem_of(p["doc_id"])][(squash(p["text"]), frozenset(members[p["cluster_id"]]))] += 1
    return found


def manifest_skipped(report: Path) -> list[dict]:
    """The ``skipped`` list of a report's manifest."""
    return json.loads((report / "manifest.json").read_text(encoding="utf-8"))["skipped"]


@pytest.fixture(scope="session")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``prov scan seeds/``, once for the session."""
    from prov_cli.main import app
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("seeds-report") / "report"
    result = CliRunner().invoke(app, ["scan", str(ROOT / "seeds"), "--out", str(out), "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out
