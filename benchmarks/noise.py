"""Real-world noise for the generated corpus: what scraped news pages carry besides the news.

Five kinds, each switched on or off by ``generate.py --noise`` (``web``, the default, is all
five; ``none`` is the clean corpus of generator version 1, byte for byte):

- ``chrome``: per-outlet site header (site name, "Skip to content", a section menu
  "Home | World | Business | ...", the page date, a cookie banner) and footer ("Read or Share
  this story: <url>", "Related stories" with the titles of other documents, a newsletter box,
  "© 2017 <Outlet>. All rights reserved.") on most, not all, of an outlet's pages. Each outlet
  has its own wording; dates, counters, links and related titles change from page to page;
  the chrome sits right above and below the story, sometimes with no blank line between.
- ``stock``: formulaic phrases of 8-20 words ("did not immediately respond to a request for
  comment", "said in a statement on Tuesday") planted into the outlets' own paragraphs of
  every outlet, each time among different words. Some wire stories carry one too; there it
  is copied with the story, so it is news, not noise (and a trap for chaining).
- ``bylines``: "Reporting by X; Editing by Y" and the like, from a small pool of names, right
  after wire stories (the same line on the copies of one story) and after outlets' own articles.
- ``archive``: web-archive and scraper notices ("The Wayback Machine has not archived that
  URL.", "Media playback is unsupported on your device", "Go Back to Top. Skip To: Start of
  Article.", tweet widget text) at the top, between paragraphs or at the end of pages.
- ``roundups``: a roundup quoting a paragraph of one agency's story and a paragraph of another
  agency's story back to back, printed by two outlets (``generate.py`` plants them; the quoted
  paragraphs are occurrences of their stories' groups).

Every noise span is labelled in ``truth_noise.jsonl`` with its category: ``boilerplate``
(chrome, archive notices, a roundup's heading), ``stock`` or ``credit`` (bylines).

The noise draws from its own random streams, so switching it off leaves every other byte of
the corpus as it was.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass

NOISE_KINDS = ("chrome", "stock", "bylines", "archive", "roundups")
PROFILES: dict[str, tuple[str, ...]] = {"web": NOISE_KINDS, "none": ()}
CATEGORIES = ("boilerplate", "stock", "credit")

# the category of each kind of span in truth_noise.jsonl
SPAN_CATEGORY = {
    "header": "boilerplate",
    "footer": "boilerplate",
    "archive": "boilerplate",
    "roundup_heading": "boilerplate",
    "stock": "stock",
    "byline": "credit",
}


def parse_noise(value: str) -> tuple[str, ...]:
    """The noise kinds a ``--noise`` value names: a profile (``web``, ``none``) or a
    comma-separated list of kinds, returned in canonical order.

    Raises:
        ValueError: an unknown profile or kind.
    """
    key = value.strip().lower()
    if key in PROFILES:
        return PROFILES[key]
    kinds = {k.strip() for k in key.split(",") if k.strip()}
    unknown = sorted(kinds - set(NOISE_KINDS))
    if unknown or not kinds:
        raise ValueError(
            f"--noise {value!r}: use a profile ({', '.join(PROFILES)}) or a comma-separated list of "
            f"{', '.join(NOISE_KINDS)}"
        )
    return tuple(k for k in NOISE_KINDS if k in kinds)


def profile_name(kinds: tuple[str, ...]) -> str:
    """The ``--noise`` value that gives ``kinds``: a profile name when one matches."""
    for name, members in PROFILES.items():
        if tuple(kinds) == members:
            return name
    return ",".join(kinds)


@dataclass(frozen=True, slots=True)
class NoiseConfig:
    """Which noise to plant, and how much (all recorded in truth.json)."""

    kinds: tuple[str, ...] = NOISE_KINDS
    chrome_pages: tuple[float, float] = (0.75, 0.95)  # per outlet: share of its pages with header, footer
    stock_paragraph_prob: float = 0.15  # an outlet's own paragraph carries a stock phrase
    stock_story_prob: float = 0.2  # a wire story carries one (copied with it: news)
    byline_story_prob: float = 0.5  # a wire story ends with a byline line
    byline_copy_prob: float = 0.7  # ... which a copy of it keeps
    byline_article_prob: float = 0.15  # an outlet's own article ends with a byline line
    archive_prob: float = 0.1  # a page carries a scraper or archive notice
    roundup_rate: float = 0.005  # roundups per document, each printed by two outlets

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in NOISE_KINDS]
        if unknown:
            raise ValueError(f"unknown noise kinds {unknown}; known: {', '.join(NOISE_KINDS)}")
        probs = [getattr(self, name) for name in self.__dataclass_fields__ if name.endswith("_prob")]
        if not all(0.0 <= p <= 1.0 for p in [*probs, *self.chrome_pages]):
            raise ValueError("noise probabilities must lie in [0, 1]")
        if self.roundup_rate < 0:
            raise ValueError("roundup_rate must not be negative")

    def on(self, kind: str) -> bool:
        return kind in self.kinds


# --- wording ----------------------------------------------------------------------------------------

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
TOWNS = ("Paris", "London", "Washington", "Beijing", "Sydney", "Tokyo", "Berlin", "Cairo", "Geneva", "Seoul")

# Appended to a sentence after a comma ("..., according to a person familiar with the matter.").
STOCK_CLAUSES = (
    "a spokesman did not immediately respond to a request for comment",
    "the company said in a statement on {day}",
    "according to a person familiar with the matter",
    "who spoke on condition of anonymity because they were not authorized to speak publicly",
    "according to people familiar with the matter who asked not to be identified",
    "the ministry said in a statement on its website on {day}",
    "a spokeswoman said in an emailed statement on {day}",
    "officials said on {day} without giving further details",
)
# A sentence of their own.
STOCK_SENTENCES = (
    "Representatives for the company did not immediately respond to a request for comment",
    "A spokeswoman for the ministry declined to comment on the report",
    "The company declined to comment on the matter when contacted on {day}",
    "Officials did not immediately return calls seeking comment outside regular business hours",
    "Financial terms of the deal were not disclosed",
    "It was not immediately clear how many people had been affected",
    "Further details of the incident were not immediately available",
    "The matter is expected to be discussed when the board meets later this month",
)

REPORTERS = (
    "Anna Keller", "Tom Hargreaves", "Priya Nair", "Lucas Moreau", "Mei Tanaka", "Jonas Berg",
    "Sara Okafor", "Daniel Ruiz", "Elif Demir", "Marcus Webb", "Helen Park", "Omar Haddad",
)  # fmt: skip
EDITORS = ("Ruth Pitchford", "Graham Selby", "Nadia Castell", "Martin Lowe", "Irene Vasquez", "Simon Achterberg")
BYLINE_LINES = 24  # distinct byline lines in one corpus
BYLINES = (
    "Reporting by {r1}; Editing by {e1}",
    "Reporting by {r1} and {r2}; Editing by {e1}",
    "Reporting by {r1} in {town}; Additional reporting by {r2}; Editing by {e1} and {e2}",
    "Writing by {r1}; Editing by {e1}",
    "Additional reporting by {r1}; Writing by {r2}; Editing by {e1}",
)

ARCHIVE_TOP = (
    "Hrm. The Wayback Machine has not archived that URL.",
    "The Wayback Machine has not archived that URL. Click here to search for all archived pages under {url}.",
    "Go Back to Top. Skip To: Start of Article.",
)
ARCHIVE_INLINE = (
    "Media playback is unsupported on your device",
    "Advertisement Continue reading the main story",
    "View image on Twitter View image on Twitter",
    "{n} Retweets {m} likes Twitter Ads info and privacy",
    "pic.twitter.com/{code} — {name} (@{handle}) {month} {d}, 2017",
)
ARCHIVE_END = ("Go Back to Top. Skip To: Start of Article.", "Hrm. The Wayback Machine has not archived that URL.")

ROUNDUP_HEADINGS = ("World news in brief", "The day's top stories", "In brief", "News roundup", "Around the world")

SECTIONS = (
    "World", "Business", "Sport", "Politics", "Opinion", "Culture", "Science", "Tech", "Health",
    "Travel", "Lifestyle", "Weather", "Video", "Money", "Entertainment", "Local",
)  # fmt: skip
SKIP_LINKS = ("Skip to content", "Skip to main content", "Skip to navigation", "Jump to main content")
COOKIE_BANNERS = (
    "We use cookies to give you the best experience on our website. By continuing to browse the site you "
    "agree to our use of cookies. Accept",
    "This website uses cookies to improve your experience. We'll assume you're ok with this, but you can "
    "opt-out if you wish. Accept Read More",
    "By using this site, you agree to our Privacy Policy and our Terms of Use. Close",
    "Cookies help us deliver our services. By using our services, you agree to our use of cookies. Learn more Got it",
)
PAGE_DATES = (
    "{weekday}, {month} {d}, 2017",
    "{weekday} {d} {month} 2017",
    "Updated {h}:{mm} {ampm} ET",
    "Last updated {n} minutes ago",
)
COUNTERS = ("{n} comments", "Share {n}", "{n} shares", None, None)
SHARE_LINES = (
    "Read or Share this story: https://{short}/{code}",
    "Share this story Facebook Twitter Email {n} shares",
    "Share on Facebook Share on Twitter Share via Email {n} comments",
)
RELATED_HEADINGS = ("Related stories", "More from {site}", "You may also like", "Recommended for you")
NEWSLETTERS = (
    "Newsletter Sign up for the {site} morning briefing and get the day's top stories in your inbox. "
    "Enter your email address Subscribe",
    "Get the news that matters to you. Sign up to our daily newsletter. Email address Sign up",
    "Never miss a story: sign up for {site} newsletters. Subscribe now",
)
COPYRIGHTS = (
    "© 2017 {outlet}. All rights reserved.",
    "Copyright © 2017 {outlet}. All rights reserved.",
    "© 2017 {outlet} Ltd. All rights reserved. Terms of Use | Privacy Policy | Contact Us",
)

_CODE = string.ascii_letters + string.digits


def _code(rnd: random.Random, n: int = 7) -> str:
    return "".join(rnd.choices(_CODE, k=n))


def template_regex(template: str) -> re.Pattern[str]:
    """A regex matching any text ``template`` can produce (each ``{field}`` matches ``.+?``)."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL)


# --- per-outlet chrome -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chrome:
    """One outlet's site header and footer: fixed wording, with per-page variations."""

    outlet: str
    site: str
    short: str  # short-link domain
    skip: str
    skip_first: bool
    menu: str
    date: str
    counter: str | None
    cookie: str
    cookie_first: bool
    share: str
    related: str
    newsletter: str | None
    copyright: str
    pages: float  # share of the outlet's pages carrying the chrome

    @classmethod
    def draw(cls, outlet: str, rnd: random.Random, pages: tuple[float, float]) -> Chrome:
        site = rnd.choice((outlet, f"The {outlet}", outlet.upper(), outlet.replace(" ", "") + ".com"))
        sections = ["Home", *rnd.sample(SECTIONS, rnd.randint(5, 9))]
        joiner = rnd.choice((" | ", " | ", " · ", "\n"))
        # outlets of one newspaper group share their footer's share line
        share = SHARE_LINES[0] if rnd.random() < 0.4 else rnd.choice(SHARE_LINES[1:])
        return cls(
            outlet=outlet,
            site=site,
            short=f"{''.join(w[0] for w in outlet.split()).lower()}.st",
            skip=rnd.choice(SKIP_LINKS),
            skip_first=rnd.random() < 0.5,
            menu=joiner.join(sections),
            date=rnd.choice(PAGE_DATES),
            counter=rnd.choice(COUNTERS),
            cookie=rnd.choice(COOKIE_BANNERS),
            cookie_first=rnd.random() < 0.3,
            share=share,
            related=rnd.choice(RELATED_HEADINGS).format(site=site),
            newsletter=rnd.choice(NEWSLETTERS).format(site=site) if rnd.random() < 0.8 else None,
            copyright=rnd.choice(COPYRIGHTS).format(outlet=outlet),
            pages=rnd.uniform(*pages),
        )

    def header(self, rnd: random.Random) -> str:
        """The header of one page (its date and counters drawn for the page)."""
        lines = [self.skip, self.site] if self.skip_first else [self.site, self.skip]
        lines.append(self.menu)
        lines.append(
            self.date.format(
                weekday=rnd.choice(WEEKDAYS),
                month=rnd.choice(MONTHS),
                d=rnd.randint(1, 28),
                h=rnd.randint(1, 12),
                mm=f"{rnd.randrange(60):02d}",
                ampm=rnd.choice(("a.m.", "p.m.")),
                n=rnd.randint(2, 59),
            )
        )
        if self.counter is not None:
            lines.append(self.counter.format(n=rnd.randint(0, 480)))
        if rnd.random() < 0.7:  # the banner is gone once a reader accepted it
            lines.insert(0, self.cookie) if self.cookie_first else lines.append(self.cookie)
        return "\n".join(lines)

    def footer(self, rnd: random.Random, titles: list[str]) -> str:
        """The footer of one page, listing ``titles`` as related stories."""
        lines = [self.share.format(short=self.short, code=_code(rnd), n=rnd.randint(0, 900))]
        lines += [self.related, *titles]
        if self.newsletter is not None:
            lines.append(self.newsletter)
        lines.append(self.copyright)
        return "\n".join(lines)


# --- the noise of one corpus ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    """A stock phrase planted into a text: the text is ``before + phrase + after``."""

    before: str
    phrase: str
    after: str


_SENTENCE_END = re.compile(r"\.(?=\s|\Z)")  # the generator's sentences end in ". ", ".\n\n" or "."


def plant_phrase(text: str, phrase: str, clause: bool, where: float, inner: bool = False) -> Planted:
    """``text`` with ``phrase`` planted at a sentence boundary: as a clause before the full stop
    ending a sentence (``clause``), else as a sentence of its own before a sentence or at the
    end. ``where`` in [0, 1) picks the place among those there are; ``inner`` leaves out the
    text's first and last places (a phrase copied inside a story, never at its edges)."""
    if clause:
        places = [m.start() for m in _SENTENCE_END.finditer(text)] or [len(text)]
        if inner and len(places) > 1:
            places = places[:-1]
    else:
        places = [0] + [m.end() for m in re.finditer(r"\.\s+(?=\S)", text)] + [len(text)]
        if inner and len(places) > 2:
            places = places[1:-1]
    p = places[min(len(places) - 1, int(where * len(places)))]
    if clause:
        return Planted(text[:p] + ", ", phrase, text[p:])
    if p == len(text):
        return Planted(text + " ", phrase, ".")
    return Planted(text[:p], phrase, ". " + text[p:])


class Noise:
    """Draws the noise of one corpus, in document order, from its own random stream."""

    def __init__(self, cfg: NoiseConfig, seed: int, outlets: tuple[str, ...]) -> None:
        self.cfg = cfg
        # a stream of its own: the clean corpus does not change when noise is added
        self.rnd = random.Random(seed * 7919 + 104729)
        self.chrome = {o: Chrome.draw(o, self.rnd, cfg.chrome_pages) for o in outlets} if cfg.on("chrome") else {}
        # reporters and editors work in teams: a few dozen byline lines, some much more frequent
        self.bylines = [self._byline() for _ in range(BYLINE_LINES)] if cfg.on("bylines") else []
        self.byline_weights = [1 / (k + 1) for k in range(len(self.bylines))]

    # -- stock phrases
    def _stock(self, clause: bool) -> str:
        template = self.rnd.choice(STOCK_CLAUSES if clause else STOCK_SENTENCES)
        return template.format(day=self.rnd.choice(WEEKDAYS))

    def paragraph_stock(self, paragraph: str) -> Planted | None:
        """A stock phrase in an outlet's own paragraph, or None (most paragraphs have none)."""
        if not self.cfg.on("stock") or self.rnd.random() >= self.cfg.stock_paragraph_prob:
            return None
        clause = self.rnd.random() < 0.5
        return plant_phrase(paragraph, self._stock(clause), clause, self.rnd.random())

    def story_stock(self) -> tuple[str, bool, float] | None:
        """For a wire story: (phrase, clause, where) to plant inside every copy of it
        (``plant_phrase(..., inner=True)``), or None."""
        if not self.cfg.on("stock") or self.rnd.random() >= self.cfg.stock_story_prob:
            return None
        clause = self.rnd.random() < 0.5
        return self._stock(clause), clause, self.rnd.random()

    # -- bylines
    def _byline(self) -> str:
        r1, r2 = self.rnd.sample(REPORTERS, 2)
        e1, e2 = self.rnd.sample(EDITORS, 2)
        return self.rnd.choice(BYLINES).format(r1=r1, r2=r2, e1=e1, e2=e2, town=self.rnd.choice(TOWNS))

    def story_byline(self) -> str | None:
        """A wire story's byline line (its copies keep it, most of them), or None."""
        if not self.cfg.on("bylines") or self.rnd.random() >= self.cfg.byline_story_prob:
            return None
        return self.rnd.choices(self.bylines, self.byline_weights)[0]

    def keeps_byline(self) -> bool:
        return self.rnd.random() < self.cfg.byline_copy_prob

    def article_byline(self) -> str | None:
        """A byline line ending an outlet's own article, or None."""
        if not self.cfg.on("bylines") or self.rnd.random() >= self.cfg.byline_article_prob:
            return None
        return self.rnd.choices(self.bylines, self.byline_weights)[0]

    # -- archive and scraper notices
    def archive(self) -> tuple[str, str] | None:
        """(where: top, inline or end; text) of a scraper or archive notice, or None."""
        if not self.cfg.on("archive") or self.rnd.random() >= self.cfg.archive_prob:
            return None
        rnd = self.rnd
        where = rnd.choice(("top", "inline", "inline", "end"))
        template = rnd.choice({"top": ARCHIVE_TOP, "inline": ARCHIVE_INLINE, "end": ARCHIVE_END}[where])
        name = rnd.choice(REPORTERS)
        text = template.format(
            url=f"http://www.{_code(rnd, 6).lower()}.com/news/{rnd.randint(1000, 99999)}",
            n=rnd.randint(1, 900),
            m=rnd.randint(1, 2000),
            code=_code(rnd, 10),
            name=name,
            handle=name.replace(" ", "").lower()[: rnd.randint(6, 12)],
            month=rnd.choice(MONTHS),
            d=rnd.randint(1, 28),
        )
        return where, text

    # -- page chrome
    def header(self, outlet: str) -> str | None:
        chrome = self.chrome.get(outlet)
        if chrome is None or self.rnd.random() >= chrome.pages:
            return None
        return chrome.header(self.rnd)

    def footer(self, outlet: str, titles: list[str], own: int) -> str | None:
        """The page footer of ``outlet``, with related titles picked from ``titles`` (not ``own``)."""
        chrome = self.chrome.get(outlet)
        if chrome is None or self.rnd.random() >= chrome.pages:
            return None
        others = [j for j in self.rnd.sample(range(len(titles)), min(len(titles), 5)) if j != own]
        return chrome.footer(self.rnd, [titles[j] for j in others[: self.rnd.randint(2, 4)]])

    def chrome_gap(self) -> str:
        """Between chrome and story: a blank line, a line break, or (scraped flat) a space."""
        return self.rnd.choices(("\n\n", "\n", " "), weights=(0.55, 0.35, 0.10))[0]

    def line_gap(self) -> str:
        """Between a story and its byline, or a roundup's two quotes."""
        return self.rnd.choices(("\n\n", "\n", " "), weights=(0.5, 0.4, 0.1))[0]

    def roundup_heading(self) -> str:
        return self.rnd.choice(ROUNDUP_HEADINGS)
