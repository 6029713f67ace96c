"""News articles served as web pages and web archives, with the chrome real news sites wrap them in.

``Site.draw`` gives an outlet its site: a domain, one of three page layouts seen on news sites
(semantic HTML5 ``<article>``, a CMS's nested ``div``s, a WordPress theme), a section menu, a
cookie banner, share buttons, a "related stories" box, a newsletter box and a footer, worded
from ``noise.py``'s pools. ``Site.page`` renders one article: each line of the text a ``<p>``,
the page's metadata in the meta tags news-please and trafilatura read (``og:*``,
``article:published_time``, ``author``, ``link rel=canonical``; JSON-LD in one layout).
``write_warc`` writes pages as WARC ``response`` records with warcio; ``write_web`` writes a
generated corpus both ways. ``generate.py --html / --warc``, ``html_bench.py`` and the tests
(the seeds as pages) use them.
"""

from __future__ import annotations

import html
import io
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.noise import COOKIE_BANNERS, COPYRIGHTS, NEWSLETTERS, RELATED_HEADINGS, REPORTERS, SECTIONS, SKIP_LINKS

LAYOUTS = ("article", "divs", "wordpress")


@dataclass(frozen=True, slots=True)
class WebPage:
    """One page as a crawler fetched it: where, when (``WARC-Date``), its bytes and HTTP status."""

    url: str
    captured: str
    body: bytes
    status: str = "200 OK"
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Site:
    """One outlet's web site: fixed chrome, drawn once (``draw``)."""

    outlet: str
    domain: str
    layout: str
    sections: tuple[str, ...]
    skip: str
    cookie: str
    related: str
    newsletter: str | None
    copyright: str

    @classmethod
    def draw(cls, outlet: str, rnd: random.Random) -> Site:
        """The site of ``outlet``, its choices drawn from ``rnd``."""
        return cls(
            outlet=outlet,
            domain="www." + outlet.lower().replace(" ", "") + ".example",
            layout=rnd.choice(LAYOUTS),
            sections=("Home", *rnd.sample(SECTIONS, rnd.randint(5, 9))),
            skip=rnd.choice(SKIP_LINKS),
            cookie=rnd.choice(COOKIE_BANNERS),
            related=rnd.choice(RELATED_HEADINGS).format(site=outlet),
            newsletter=rnd.choice(NEWSLETTERS).format(site=outlet) if rnd.random() < 0.8 else None,
            copyright=rnd.choice(COPYRIGHTS).format(outlet=outlet),
        )

    def url(self, slug: str) -> str:
        """The address of the article ``slug`` on this site."""
        return f"https://{self.domain}/news/{slug}"

    def page(
        self, text: str, title: str, slug: str, date: str | None, author: str | None, related: Iterable[str] = ()
    ) -> str:
        """The HTML page of one article: ``text`` (one paragraph a line) under ``title``, with
        ``related`` headlines in the related-stories box."""
        e = html.escape
        url = self.url(slug)
        meta = [
            f'<meta property="og:title" content="{e(title)}">',
            f'<meta property="og:site_name" content="{e(self.outlet)}">',
            f'<meta property="og:url" content="{e(url)}">',
            '<meta property="og:type" content="article">',
            f'<link rel="canonical" href="{e(url)}">',
        ]
        if date:
            meta.append(f'<meta property="article:published_time" content="{e(date)}">')
        if author:
            meta.append(f'<meta name="author" content="{e(author)}">')
        if self.layout == "divs":
            ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "datePublished": date}
            meta.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
        paragraphs = "\n".join(f"<p>{e(line.strip())}</p>" for line in text.split("\n") if line.strip())
        byline = f'<p class="byline">By <a href="/authors/{slug}">{e(author)}</a></p>' if author else ""
        share = (
            '<div class="share-buttons"><a href="#" class="fb">Share on Facebook</a> '
            '<a href="#" class="tw">Share on Twitter</a> <a href="#" class="mail">Email this story</a></div>'
        )
        menu = "".join(f'<li><a href="/{s.lower()}">{e(s)}</a></li>' for s in self.sections)
        links = "".join(f'<li><a href="/news/related-{i}">{e(t)}</a></li>' for i, t in enumerate(related))
        related_box = f"<h2>{e(self.related)}</h2><ul>{links}</ul>"
        newsletter = (
            f'<form class="newsletter"><p>{e(self.newsletter)}</p><input type="email"><button>Sign up</button></form>'
            if self.newsletter
            else ""
        )
        cookie = f'<div id="cookie-notice" class="cookie-banner" role="dialog"><p>{e(self.cookie)}</p></div>'
        footer_links = (
            '<ul class="footer-links"><li><a href="/about">About us</a></li><li><a href="/contact">Contact us</a>'
            '</li><li><a href="/privacy">Privacy Policy</a></li><li><a href="/terms">Terms of Use</a></li></ul>'
        )
        head = f"<h1>{e(title)}</h1>"
        if self.layout == "article":
            body = (
                f'<a class="skip-link" href="#main">{e(self.skip)}</a>{cookie}'
                f'<header class="site-header"><a class="logo" href="/">{e(self.outlet)}</a>'
                f'<nav class="main-menu"><ul>{menu}</ul></nav></header>'
                f'<main id="main"><article class="story">{head}{byline}{share}\n{paragraphs}\n</article>'
                f'<aside class="related-stories">{related_box}</aside></main>'
                f'<footer class="site-footer">{newsletter}{footer_links}<p>{e(self.copyright)}</p></footer>'
            )
        elif self.layout == "divs":
            body = (
                f'<div id="page"><div class="top-bar"><div class="nav"><ul>{menu}</ul></div></div>{cookie}'
                f'<div class="container"><div class="col-main"><div class="story-header">{head}{byline}</div>'
                f'{share}<div class="story-body">\n{paragraphs}\n</div></div>'
                f'<div class="col-side"><div class="most-read">{related_box}</div>{newsletter}</div></div>'
                f'<div class="bottom"><div class="links">{footer_links}</div><div class="copy">'
                f"{e(self.copyright)}</div></div></div>"
            )
        else:
            body = (
                f'<div id="page" class="site"><header id="masthead" class="site-header"><p class="site-title">'
                f'<a href="/">{e(self.outlet)}</a></p><nav id="site-navigation"><ul id="primary-menu">{menu}'
                f'</ul></nav></header><div id="content" class="site-content"><div id="primary">'
                f'<article class="post type-post"><header class="entry-header">{head}<div class="entry-meta">'
                f'{byline}</div></header><div class="entry-content">\n{paragraphs}\n{share}</div></article>'
                f'<div id="jp-relatedposts" class="jp-relatedposts">{related_box}</div></div>'
                f'<aside id="secondary" class="widget-area">{newsletter}</aside></div>'
                f'<footer id="colophon" class="site-footer">{footer_links}<div class="site-info">'
                f"{e(self.copyright)}</div></footer>{cookie}</div>"
            )
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<title>{e(title)} | {e(self.outlet)}'
            f"</title>\n" + "\n".join(meta) + f"\n</head>\n<body>{body}</body></html>\n"
        )


def write_warc(path: Path, pages: Iterable[WebPage], gzip: bool = True) -> int:
    """Write ``pages`` as WARC ``response`` records (each record its own gzip member when
    ``gzip``), with warcio; returns the number written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    n = 0
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for page in pages:
            headers = StatusAndHeaders(page.status, [("Content-Type", page.content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                page.url,
                "response",
                payload=io.BytesIO(page.body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": page.captured},
            )
            writer.write_record(record)
            n += 1
    return n


PAGES = "pages"  # folder of a generated corpus's pages, one sub-folder per outlet
WARC = "pages.warc.gz"


def corpus_pages(rows: Iterable[dict], seed: int = 1) -> Iterator[tuple[str, WebPage]]:
    """The documents of a generated corpus (``corpus.jsonl`` rows: id, text, outlet, date,
    title) as pages of their outlets' sites: (path of the page file, the page as crawled).
    Each page's related-stories box lists the titles of its outlet's three previous documents."""
    rnd = random.Random(seed)
    sites: dict[str, Site] = {}
    recent: dict[str, list[str]] = {}
    for row in rows:
        outlet = row.get("outlet") or "Unknown Outlet"
        site = sites.get(outlet) or sites.setdefault(outlet, Site.draw(outlet, rnd))
        title = row.get("title") or row["id"]
        date = row.get("date")
        author = rnd.choice(REPORTERS) if rnd.random() < 0.6 else None
        body = site.page(row["text"], title, row["id"], date, author, recent.get(outlet, [])[-3:])
        recent.setdefault(outlet, []).append(title)
        captured = f"{date or '2024-01-01'}T{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:00Z"
        slug = site.domain.removeprefix("www.").split(".")[0]
        yield f"{slug}/{row['id']}.html", WebPage(site.url(row["id"]), captured, body.encode("utf-8"))


def write_web(out: Path, rows: Iterable[dict], html_pages: bool = True, warc: bool = True, seed: int = 1) -> int:
    """Write the corpus ``rows`` as pages under ``out/pages/`` and/or as ``out/pages.warc.gz``;
    returns the number of pages."""
    if not (html_pages or warc):
        return 0
    folder = out / PAGES

    def pages() -> Iterator[WebPage]:
        for rel, page in corpus_pages(rows, seed):
            if html_pages:
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_bytes(page.body)
            yield page

    if warc:
        return write_warc(out / WARC, pages())
    return sum(1 for _ in pages())
