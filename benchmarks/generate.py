"""Generate a labelled benchmark corpus from real news text, with planted reuse and ground truth.

Every generated text (filler paragraphs, wire stories, captions, titles) is fresh text spliced
from the cleaned Reuters-21578 bodies (see ``textbase``: real vocabulary and phrasing, no run of
8+ words shared between two texts except by rare chance, which ``--check`` measures). Documents
are assembled from it, and reuse is planted into them.

Planted reuse, as it happens in news:

- ``story``: a wire story of 100-350 words by one agency, reprinted whole by 2-8 outlets (some
  copies lightly edited: dropped or swapped words, changed case or punctuation, a middle sentence
  removed), with or without the agency's own original in the corpus, credited by a dateline
  ("PARIS (AFP) - "), a footer ("Additional reporting by AP", "Source: AAP") or not at all;
- ``excerpt``: 2-4 consecutive sentences (at least 25 words) of a story inside another article;
- ``caption``: a 10-20-word photo caption reused by 2-5 outlets (sometimes twice in one article)
  with a credit line ("Photo / AP", "Source: AAP", "... Reuters" at line end) or none.

Unrelated credits (a unique caption, a footer on an article that reprints nothing) are planted
too, so that credit precision is measured on more than reprints.

Real-world noise (``noise.py``; ``--noise web``, the default, plants all of it, ``--noise none``
none): per-outlet site chrome, stock phrases, bylines, web-archive and scraper notices, and
syndicated roundups that quote two agencies' stories back to back (``roundup`` occurrences of
both stories' groups). Every noise span is labelled with its category in ``truth_noise.jsonl``.

Output folder: ``corpus.jsonl`` (id, text, outlet, date, title), ``truth_passages.jsonl`` (one
row per planted occurrence: group, doc_id, start, end [character offsets, end exclusive],
n_words, kind, edited, origin, origin_known, original), ``truth_credits.jsonl`` (doc_id, agency,
start, end, kind, scope, text), ``truth_noise.jsonl`` (doc_id, start, end, category, kind) and
``truth.json`` (parameters, seed, counts, timings, checks). Offsets are verified as documents are
written: every credit and noise span slices exactly the text planted, and no two spans overlap.
``--html`` also writes each document as a web page of its outlet's site (``pages/<site>/<id>.html``,
with menus, cookie banner, share buttons, related stories and footer: ``webpages.py``), ``--warc``
the same pages as one web archive (``pages.warc.gz``); use them with ``--noise none``, as the
pages carry their chrome in HTML.

Usage: python benchmarks/generate.py --docs 10000 --out benchmarks/data/gen-10k --seed 1 [--noise none]
       [--html] [--warc]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.noise import (  # noqa: E402
    SPAN_CATEGORY,
    Noise,
    NoiseConfig,
    parse_noise,
    plant_phrase,
    profile_name,
)
from benchmarks.textbase import (  # noqa: E402
    CACHE_DIR,
    HASH_MULT,
    REUTERS_DIR,
    Base,
    Text,
    caption_edit,
    light_edit,
    load_base,
    ngram_hashes,
    render,
    render_one,
    shared_keys,
    splice,
)
from benchmarks.webpages import write_web  # noqa: E402

# 2: real-world noise (noise.py) and truth_noise.jsonl; with --noise none the other files are
# byte for byte those of version 1
GENERATOR_VERSION = 2

CORPUS = "corpus.jsonl"
TRUTH_PASSAGES = "truth_passages.jsonl"
TRUTH_CREDITS = "truth_credits.jsonl"
TRUTH_NOISE = "truth_noise.jsonl"
TRUTH = "truth.json"

# --- who publishes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agency:
    """A wire agency: its canonical id (as in truth files), the names it is credited under."""

    id: str
    short: str
    long: str
    weight: float


AGENCIES = (
    Agency("AP", "AP", "Associated Press", 0.30),
    Agency("Reuters", "Reuters", "Reuters", 0.25),
    Agency("AFP", "AFP", "Agence France-Presse", 0.20),
    Agency("Xinhua", "Xinhua", "Xinhua", 0.15),
    Agency("AAP", "AAP", "Australian Associated Press", 0.10),
)

OUTLETS = tuple(
    f"{a} {b}"
    for a, b in [
        ("Northern", "Herald"), ("Coastal", "Courier"), ("Capital", "Times"), ("Valley", "Gazette"),
        ("Harbour", "Post"), ("Midland", "Chronicle"), ("Lakeside", "Observer"), ("Highland", "Record"),
        ("Eastern", "Star"), ("Western", "Mail"), ("Southern", "Cross"), ("River", "Examiner"),
        ("City", "Ledger"), ("Prairie", "Sentinel"), ("Island", "Tribune"), ("Mountain", "Echo"),
        ("Bay", "Bulletin"), ("Metro", "Daily"), ("County", "Press"), ("Frontier", "Journal"),
        ("Union", "Register"), ("Atlantic", "Despatch"), ("Pacific", "Monitor"), ("Central", "Advocate"),
        ("Harbor", "News"), ("Delta", "Review"), ("Summit", "Leader"), ("Riverside", "Argus"),
        ("Bridge", "Clarion"), ("Port", "Standard"), ("Forest", "Age"), ("Plains", "Reporter"),
        ("Granite", "Beacon"), ("Orchard", "Times"), ("Canyon", "Voice"), ("Meadow", "Mercury"),
        ("Cape", "Independent"), ("Glen", "Guardian"), ("Ridge", "Dispatch"), ("Hill", "Courant"),
        ("Market", "Telegraph"), ("Station", "Weekly"), ("Crown", "Citizen"), ("Anchor", "Pilot"),
        ("Lantern", "Review"), ("Compass", "Post"), ("Beacon", "Herald"), ("Meridian", "Journal"),
        ("Horizon", "Daily"), ("Tidewater", "Gazette"),
    ]
)  # fmt: skip

CITIES = (
    "PARIS", "LONDON", "WASHINGTON", "BEIJING", "SYDNEY", "NEW YORK", "TOKYO", "BERLIN", "MOSCOW",
    "NEW DELHI", "CAIRO", "NAIROBI", "BRUSSELS", "GENEVA", "MADRID", "ROME", "OTTAWA", "CANBERRA",
    "WELLINGTON", "JAKARTA", "MANILA", "SEOUL", "BAGHDAD", "ISTANBUL", "JOHANNESBURG", "LIMA",
)  # fmt: skip


# --- the plan: groups, occurrences and documents -------------------------------------------------


@dataclass(frozen=True, slots=True)
class GenConfig:
    """Generation parameters (all recorded in truth.json)."""

    docs: int
    seed: int = 1
    story_rate: float = 0.04  # wire story groups per document
    caption_rate: float = 0.03  # reused caption groups per document
    original_prob: float = 0.5  # the agency's own copy is in the corpus
    edit_prob: float = 0.3  # a reprint, excerpt or caption copy is lightly edited
    excerpt_prob: float = 0.3  # a story is also excerpted (1-2 times)
    twice_prob: float = 0.15  # a caption group appears twice in one of its documents
    unique_caption_prob: float = 0.08  # a document carries a credited caption nobody else uses
    unrelated_footer_prob: float = 0.03  # a document credits an agency without reprinting anything
    story_words: tuple[int, int] = (100, 350)
    caption_words: tuple[int, int] = (10, 20)
    paragraph_words: tuple[int, int] = (25, 80)
    batch_docs: int = 20000
    noise: NoiseConfig = field(default_factory=NoiseConfig)

    def __post_init__(self) -> None:
        if self.docs < 20:
            raise ValueError(f"--docs must be at least 20, got {self.docs}")


STORY_CREDIT = (("dateline", 0.35), ("footer", 0.15), ("source", 0.20), (None, 0.30))
EXCERPT_CREDIT = (("footer", 0.40), ("source", 0.30), (None, 0.30))
CAPTION_CREDIT = (("photo", 0.30), ("source", 0.25), ("line_end", 0.25), (None, 0.20))


@dataclass(slots=True)
class Occ:
    """One planned occurrence of a group in a document."""

    group: int
    kind: str  # story, excerpt, caption
    credit: str | None
    original: bool = False


@dataclass(slots=True)
class Group:
    gid: str
    kind: str  # story or caption
    agency: Agency
    date: int  # day of 2024
    text: Text | None = None
    origin_known: bool = False
    stock: tuple[str, bool, float] | None = None  # a stock phrase inside the story (noise.story_stock)
    byline: str | None = None  # the byline line after the story


@dataclass(slots=True)
class Roundup:
    """A roundup quoting a paragraph of two stories by different agencies, printed by two outlets."""

    quotes: tuple[tuple[int, Text], tuple[int, Text]]  # (group index, the quoted sentences)
    docs: tuple[int, int]
    heading: str
    outlet: str | None = None  # the first printing's outlet, so that the second is another one


def _weighted(rnd: random.Random, options) -> object:
    return rnd.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def plan(cfg: GenConfig, rnd: random.Random) -> tuple[list[Group], list[Agency | None], dict[int, list[Occ]]]:
    """Groups, each document's agency (originals) or None (outlet articles), and the planted
    occurrences by document."""
    n = cfg.docs
    agencies = list(AGENCIES)
    weights = [a.weight for a in agencies]
    groups: list[Group] = []
    n_story = max(2, round(n * cfg.story_rate))
    n_caption = max(2, round(n * cfg.caption_rate))
    stories = []
    for _ in range(n_story):
        reprints = rnd.choice((2, 2, 3, 3, 3, 4, 4, 5, 6, 8))
        has_original = rnd.random() < cfg.original_prob
        excerpts = (1 if rnd.random() < 0.7 else 2) if rnd.random() < cfg.excerpt_prob else 0
        stories.append((reprints, has_original, excerpts))
    # tiny corpora: scale the plan down until every story copy has its own outlet article
    while sum(r + e + o for r, o, e in stories) > 0.6 * n and len(stories) > 2:
        stories.pop()
    n_orig = sum(o for _, o, _ in stories)
    doc_agency: list[Agency | None] = [None] * n
    slots = list(range(n))
    rnd.shuffle(slots)
    originals, outlets = slots[:n_orig], slots[n_orig:]
    host = iter(outlets[: sum(r + e for r, _, e in stories)])
    by_doc: dict[int, list[Occ]] = {}
    orig_iter = iter(originals)
    for reprints, has_original, excerpts in stories:
        g = len(groups)
        agency = rnd.choices(agencies, weights)[0]
        group = Group(f"S{g:07d}", "story", agency, rnd.randrange(365))
        groups.append(group)
        if has_original:
            d = next(orig_iter)
            doc_agency[d] = agency
            by_doc[d] = [Occ(g, "story", "dateline", original=True)]
        credited = has_original
        for _ in range(reprints):
            credit = _weighted(rnd, STORY_CREDIT)
            credited |= credit is not None
            by_doc[next(host)] = [Occ(g, "story", credit)]
        for _ in range(excerpts):
            credit = _weighted(rnd, EXCERPT_CREDIT)
            credited |= credit is not None
            by_doc[next(host)] = [Occ(g, "excerpt", credit)]
        group.origin_known = credited
    for _ in range(n_caption):
        g = len(groups)
        group = Group(f"C{g:07d}", "caption", rnd.choices(agencies, weights)[0], rnd.randrange(365))
        groups.append(group)
        k = rnd.choice((2, 2, 2, 3, 3, 4, 5))
        docs: list[int] = []
        while len(docs) < k:
            d = outlets[rnd.randrange(len(outlets))]
            if d not in docs:
                docs.append(d)
        if rnd.random() < cfg.twice_prob:
            docs.append(docs[0])
        credited = False
        for d in docs:
            credit = _weighted(rnd, CAPTION_CREDIT)
            credited |= credit is not None
            by_doc.setdefault(d, []).append(Occ(g, "caption", credit))
        group.origin_known = credited
    return groups, doc_agency, by_doc


# --- assembling documents -------------------------------------------------------------------------


class _Doc:
    """A document being assembled: its parts, and the planted spans in it."""

    __slots__ = ("parts", "pos", "passages", "credits", "noise")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.passages: list[tuple[int, int, Occ, int, bool]] = []
        self.credits: list[tuple[int, int, str, str, str, str]] = []
        self.noise: list[tuple[int, int, str, str]] = []  # start, end, kind, text

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def passage(self, text: str, occ: Occ, n_words: int, edited: bool) -> None:
        start = self.pos
        self.add(text)
        self.passages.append((start, self.pos, occ, n_words, edited))

    def credit(self, text: str, agency: Agency, kind: str, scope: str) -> None:
        start = self.pos
        self.add(text)
        self.credits.append((start, self.pos, agency.id, kind, scope, text))

    def noise_span(self, text: str, kind: str) -> None:
        start = self.pos
        self.add(text)
        self.noise.append((start, self.pos, kind, text))

    def extend(self, other: _Doc) -> None:
        """Append ``other`` (its text and its spans, shifted)."""
        n = self.pos
        self.parts += other.parts
        self.pos += other.pos
        self.passages += [(s + n, e + n, *rest) for s, e, *rest in other.passages]
        self.credits += [(s + n, e + n, *rest) for s, e, *rest in other.credits]
        self.noise += [(s + n, e + n, *rest) for s, e, *rest in other.noise]

    def verify(self, doc_id: str, text: str) -> None:
        """Every credit and noise span slices exactly the text planted, and no two planted spans
        (occurrences, credits, noise) overlap.

        Raises:
            RuntimeError: an offset is wrong (a bug in the generator).
        """
        for s, e, *_, planted in self.credits + self.noise:
            if text[s:e] != planted or not planted or planted != planted.strip():
                raise RuntimeError(f"{doc_id}: span {s}-{e} holds {text[s:e]!r}, planted {planted!r}")
        spans = sorted([(s, e) for s, e, *_ in self.passages + self.credits + self.noise])
        for (s1, e1), (s2, e2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise RuntimeError(f"{doc_id}: planted spans {s1}-{e1} and {s2}-{e2} overlap")


def _caption_credit(doc: _Doc, form: str | None, agency: Agency, rnd: random.Random) -> None:
    if form == "photo":
        doc.add(". ")
        doc.credit(
            f"Photo / {agency.short}" if rnd.random() < 0.7 else f"Photo: {agency.short}", agency, "caption", "line"
        )
    elif form == "source":
        doc.add(". ")
        doc.credit(f"Source: {agency.short}", agency, "caption", "line")
    elif form == "line_end":
        doc.add(" ")
        doc.credit(agency.short, agency, "caption", "line")
    else:
        doc.add(".")


def _footer(doc: _Doc, form: str, agency: Agency, rnd: random.Random) -> None:
    doc.add("\n\n")
    if form == "footer":
        name = agency.long if rnd.random() < 0.3 else agency.short
        doc.credit(f"Additional reporting by {name}", agency, "footer", "document")
    else:
        doc.credit(f"{'Source' if rnd.random() < 0.5 else 'source'}: {agency.short}", agency, "source", "document")


class Generator:
    """Writes one corpus: plan, splice group texts, then assemble and write documents in batches."""

    def __init__(self, cfg: GenConfig, base: Base) -> None:
        self.cfg = cfg
        self.base = base
        self.rnd = random.Random(cfg.seed)
        self.rng = np.random.default_rng(cfg.seed)
        self.noise = Noise(cfg.noise, cfg.seed, OUTLETS) if cfg.noise.kinds else None
        self.roundups: list[Roundup] = []
        self.roundup_of: dict[int, Roundup] = {}  # host document -> its roundup
        self.noise_counts: dict[str, dict[str, int]] = {"spans": {}, "chars": {}}

    def _texts(self, lengths: list[int], para_prob: float, end: str) -> list[Text]:
        if not lengths:
            return []
        sp = splice(self.base, self.rng, np.array(lengths), para_prob, end)
        starts = np.flatnonzero(sp.sentence_start)
        out = []
        cut = np.searchsorted(starts, sp.bounds)
        for j, (lo, hi) in enumerate(zip(sp.bounds[:-1].tolist(), sp.bounds[1:].tolist(), strict=True)):
            out.append(Text(sp.words[lo:hi], sp.seps[lo:hi], starts[cut[j] : cut[j + 1]] - lo))
        return out

    def run(self, out: Path) -> dict:
        cfg, rnd = self.cfg, self.rnd
        t0 = time.perf_counter()
        groups, doc_agency, by_doc = plan(cfg, rnd)
        stories = [g for g in groups if g.kind == "story"]
        captions = [g for g in groups if g.kind == "caption"]
        for g, text in zip(
            stories, self._texts([rnd.randint(*cfg.story_words) for _ in stories], 0.35, "end"), strict=True
        ):
            g.text = text
        for g, text in zip(
            captions, self._texts([rnd.randint(*cfg.caption_words) for _ in captions], 0.0, "none"), strict=True
        ):
            g.text = text
        plain = {id(g): render_one(self.base, g.text.words, g.text.seps) for g in groups}
        if self.noise is not None:
            for g in stories:
                g.stock = self.noise.story_stock()
                g.byline = self.noise.story_byline()
            if cfg.noise.on("roundups"):
                self._plan_roundups(groups, doc_agency, by_doc)
        t_plan = time.perf_counter() - t0

        out.mkdir(parents=True, exist_ok=True)
        counts = {"documents": 0, "characters": 0, "words": 0, "originals": 0, "passages": 0, "credits": 0}
        kinds: dict[str, int] = {}
        credit_kinds: dict[str, int] = {}
        edited = 0
        with (
            (out / CORPUS).open("w", encoding="utf-8", buffering=1 << 20) as corpus,
            (out / TRUTH_PASSAGES).open("w", encoding="utf-8", buffering=1 << 20) as tp,
            (out / TRUTH_CREDITS).open("w", encoding="utf-8", buffering=1 << 20) as tc,
            (out / TRUTH_NOISE).open("w", encoding="utf-8", buffering=1 << 20) as tn,
        ):
            for lo in range(0, cfg.docs, cfg.batch_docs):
                hi = min(cfg.docs, lo + cfg.batch_docs)
                docs, texts, words = self._batch(lo, hi, groups, doc_agency, by_doc, plain)
                corpus_lines, passage_lines, credit_lines, noise_lines = [], [], [], []
                for i, (doc, meta) in zip(range(lo, hi), docs, strict=True):
                    doc_id = f"doc-{i:07d}"
                    text = texts[i - lo]
                    doc.verify(doc_id, text)
                    corpus_lines.append(json.dumps({"id": doc_id, "text": text, **meta}, ensure_ascii=False))
                    counts["characters"] += len(text)
                    for start, end, occ, n_words, was_edited in doc.passages:
                        g = groups[occ.group]
                        passage_lines.append(
                            json.dumps(
                                {
                                    "group": g.gid,
                                    "doc_id": doc_id,
                                    "start": start,
                                    "end": end,
                                    "n_words": n_words,
                                    "kind": occ.kind,
                                    "edited": was_edited,
                                    "origin": g.agency.id,
                                    "origin_known": g.origin_known,
                                    "original": occ.original,
                                }
                            )
                        )
                        kinds[occ.kind] = kinds.get(occ.kind, 0) + 1
                        edited += was_edited
                    for start, end, agency, kind, scope, ctext in doc.credits:
                        credit_lines.append(
                            json.dumps(
                                {
                                    "doc_id": doc_id,
                                    "agency": agency,
                                    "start": start,
                                    "end": end,
                                    "kind": kind,
                                    "scope": scope,
                                    "text": ctext,
                                },
                                ensure_ascii=False,
                            )
                        )
                        credit_kinds[kind] = credit_kinds.get(kind, 0) + 1
                    noise_lines += self._noise_lines(doc_id, doc)
                    counts["originals"] += doc_agency[i] is not None
                corpus.write("\n".join(corpus_lines) + "\n")
                if passage_lines:
                    tp.write("\n".join(passage_lines) + "\n")
                if credit_lines:
                    tc.write("\n".join(credit_lines) + "\n")
                if noise_lines:
                    tn.write("\n".join(noise_lines) + "\n")
                counts["documents"] += hi - lo
                counts["passages"] += len(passage_lines)
                counts["credits"] += len(credit_lines)
                counts["words"] += words
        counts["story_groups"] = len(stories)
        counts["caption_groups"] = len(captions)
        counts["groups_origin_known"] = sum(g.origin_known for g in groups)
        counts["passages_by_kind"] = kinds
        counts["passages_edited"] = edited
        counts["credits_by_kind"] = credit_kinds
        counts["noise"] = {
            "spans_by_kind": self.noise_counts["spans"],
            "chars_by_category": self.noise_counts["chars"],
            "roundups": len(self.roundups),
            "stories_with_stock_phrase": sum(g.stock is not None for g in stories),
            "stories_with_byline": sum(g.byline is not None for g in stories),
        }
        counts["text_bytes"] = (out / CORPUS).stat().st_size
        truth = {
            "generator": "benchmarks/generate.py",
            "version": GENERATOR_VERSION,
            "seed": cfg.seed,
            "docs": cfg.docs,
            "noise": profile_name(cfg.noise.kinds),
            "parameters": asdict(cfg),
            "base": self.base.stats,
            "agencies": [asdict(a) for a in AGENCIES],
            "outlets": list(OUTLETS),
            "counts": counts,
            "seconds": {"plan": round(t_plan, 2), "total": round(time.perf_counter() - t0, 2)},
        }
        (out / TRUTH).write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
        return truth

    def _noise_lines(self, doc_id: str, doc: _Doc) -> list[str]:
        lines = []
        spans, chars = self.noise_counts["spans"], self.noise_counts["chars"]
        for start, end, kind, _ in doc.noise:
            category = SPAN_CATEGORY[kind]
            lines.append(json.dumps({"doc_id": doc_id, "start": start, "end": end, "category": category, "kind": kind}))
            spans[kind] = spans.get(kind, 0) + 1
            chars[category] = chars.get(category, 0) + end - start
        return lines

    def _plan_roundups(self, groups: list[Group], doc_agency: list[Agency | None], by_doc: dict[int, list[Occ]]):
        """Pick the roundups: two stories by different agencies, the sentences quoted from each,
        and two of the outlets' own articles (no story or excerpt in them) to print it."""
        nrnd = self.noise.rnd
        stories = [j for j, g in enumerate(groups) if g.kind == "story"]
        hosts = [
            d
            for d in range(self.cfg.docs)
            if doc_agency[d] is None and not any(o.kind != "caption" for o in by_doc.get(d, ()))
        ]
        n = max(2, round(self.cfg.docs * self.cfg.noise.roundup_rate))
        nrnd.shuffle(hosts)
        for r in range(min(n, len(hosts) // 2)):
            a = nrnd.choice(stories)
            others = [j for j in stories if groups[j].agency.id != groups[a].agency.id]
            if not others:
                break
            b = nrnd.choice(others)
            quotes = ((a, excerpt(self.base, groups[a].text, nrnd)), (b, excerpt(self.base, groups[b].text, nrnd)))
            docs = tuple(sorted(hosts[2 * r : 2 * r + 2]))
            roundup = Roundup(quotes, docs, self.noise.roundup_heading())
            self.roundups.append(roundup)
            for d in docs:
                self.roundup_of[d] = roundup

    def _batch(self, lo, hi, groups, doc_agency, by_doc, plain):
        """Assemble documents ``lo..hi-1``: lay each out, splice all its fresh text at once, join."""
        cfg, rnd, noise = self.cfg, self.rnd, self.noise
        layouts = []
        para_lengths: list[int] = []
        cap_lengths: list[int] = []
        title_lengths: list[int] = []

        def para() -> int:
            para_lengths.append(rnd.randint(*cfg.paragraph_words))
            return len(para_lengths) - 1

        for i in range(lo, hi):
            occs = by_doc.get(i, [])
            main = next((o for o in occs if o.kind != "caption"), None)
            blocks: list[tuple] = []
            if doc_agency[i] is not None:
                blocks.append(("main", main))
            elif main is not None and main.kind == "story":
                if main.credit != "dateline":
                    blocks += [("filler", para()) for _ in range(rnd.choice((0, 0, 0, 1, 1, 2)))]
                blocks.append(("main", main))
                blocks += [("filler", para()) for _ in range(rnd.choice((0, 0, 1, 1, 2)))]
            elif main is not None:
                blocks += [("filler", para()) for _ in range(rnd.randint(1, 2))]
                blocks.append(("main", main))
                blocks += [("filler", para()) for _ in range(rnd.randint(0, 2))]
            else:
                blocks += [("filler", para()) for _ in range(rnd.randint(1, 5))]
            caps = [o for o in occs if o.kind == "caption"]
            if doc_agency[i] is None and rnd.random() < cfg.unique_caption_prob:
                cap_lengths.append(rnd.randint(*cfg.caption_words))
                caps.append(("unique", len(cap_lengths) - 1, _weighted(rnd, CAPTION_CREDIT[:-1])))
            first = 1 if blocks and blocks[0][0] == "main" else 0
            for cap in caps:
                blocks.insert(rnd.randint(first, len(blocks)), ("caption", cap))
            footer = None
            if main is not None and main.credit in ("footer", "source"):
                footer = (main.credit, groups[main.group].agency)
            elif doc_agency[i] is None and rnd.random() < cfg.unrelated_footer_prob:
                footer = (rnd.choice(("footer", "source")), rnd.choices(AGENCIES, [a.weight for a in AGENCIES])[0])
            title_lengths.append(rnd.randint(4, 9))
            edge = None
            if noise is not None:  # after every draw of the clean layout, from the noise's own stream
                if i in self.roundup_of:
                    blocks.insert(noise.rnd.randint(1, len(blocks)), ("roundup", self.roundup_of[i]))
                notice = noise.archive()
                if notice is not None and notice[0] == "inline":
                    blocks.insert(noise.rnd.randint(0, len(blocks)), ("archive", notice[1]))
                elif notice is not None:
                    edge = notice
            layouts.append((blocks, footer, edge))

        paras = self._render_fresh(para_lengths, "end")
        uniq = self._texts(cap_lengths, 0.0, "none") if cap_lengths else []
        titles = self._render_fresh(title_lengths, "none")
        docs, texts = [], []
        for i, (blocks, footer, edge) in zip(range(lo, hi), layouts, strict=True):
            doc = _Doc()
            date = None
            byline = False
            for b, (what, item) in enumerate(blocks):
                if b:
                    doc.add("\n\n")
                if what == "filler":
                    self._filler(doc, paras[item])
                elif what == "main":
                    date = self._main(doc, item, groups[item.group], plain)
                    byline = self._story_byline(doc, item, groups[item.group])
                elif what == "roundup":
                    self._roundup(doc, item)
                elif what == "archive":
                    doc.noise_span(item, "archive")
                else:
                    self._caption(doc, item, groups, uniq, plain)
            if noise is not None and not byline and doc_agency[i] is None:
                line = noise.article_byline()
                if line is not None:
                    doc.add(noise.line_gap())
                    doc.noise_span(line, "byline")
            if footer is not None:
                _footer(doc, footer[0], footer[1], rnd)
            agency = doc_agency[i]
            day = date if date is not None else rnd.randrange(365)
            meta = {
                "outlet": agency.id if agency is not None else OUTLETS[rnd.randrange(len(OUTLETS))],
                "date": _iso_day(day),
                "title": titles[i - lo],
            }
            if noise is not None:
                meta["outlet"] = self._roundup_outlet(i, meta["outlet"])
                doc = self._page(doc, meta["outlet"], edge, titles, i - lo)
            text = "".join(doc.parts)
            docs.append((doc, meta))
            texts.append(text)
        words = sum(para_lengths) + sum(cap_lengths) + sum(p[3] for d, _ in docs for p in d.passages)
        return docs, texts, words

    def _render_fresh(self, lengths: list[int], end: str) -> list[str]:
        if not lengths:
            return []
        sp = splice(self.base, self.rng, np.array(lengths), 0.0, end)
        return render(self.base, sp.words, sp.seps, sp.bounds)

    def _filler(self, doc: _Doc, paragraph: str) -> None:
        """An outlet's own paragraph, with a stock phrase planted in it now and then."""
        planted = self.noise.paragraph_stock(paragraph) if self.noise is not None else None
        if planted is None:
            doc.add(paragraph)
            return
        doc.add(planted.before)
        doc.noise_span(planted.phrase, "stock")
        doc.add(planted.after)

    def _main(self, doc: _Doc, occ: Occ, group: Group, plain: dict) -> int:
        """Add a story copy or an excerpt; return the document's day."""
        rnd, base, agency = self.rnd, self.base, group.agency
        text = group.text
        if occ.kind == "excerpt":
            text = excerpt(base, text, rnd)
        edited = False
        if not occ.original and rnd.random() < self.cfg.edit_prob:
            text, _ = light_edit(base, text, rnd, allow_cut=occ.kind == "story")
            edited = True
        if occ.original or occ.credit == "dateline":
            doc.credit(f"{rnd.choice(CITIES)} ({agency.short}) -", agency, "dateline", "document")
            doc.add(" ")
        rendered = plain[id(group)] if occ.kind == "story" and not edited else render_one(base, text.words, text.seps)
        n_words = int(text.words.shape[0])
        if occ.kind == "story" and group.stock is not None:  # copied with the story: news, not noise
            phrase, clause, where = group.stock
            planted = plant_phrase(rendered, phrase, clause, where, inner=True)
            rendered = planted.before + phrase + planted.after
            n_words += len(_WORD.findall(phrase))
        doc.passage(rendered, occ, n_words, edited)
        return group.date + (0 if occ.original else rnd.randint(0, 2))

    def _story_byline(self, doc: _Doc, occ: Occ, group: Group) -> bool:
        """The story's byline right after a copy of it (most copies keep it); whether one was added."""
        if self.noise is None or occ.kind != "story" or group.byline is None or not self.noise.keeps_byline():
            return False
        doc.add(self.noise.line_gap())
        doc.noise_span(group.byline, "byline")
        return True

    def _roundup(self, doc: _Doc, roundup: Roundup) -> None:
        """A roundup's heading, then the two quoted paragraphs back to back."""
        doc.noise_span(roundup.heading, "roundup_heading")
        doc.add("\n")
        for k, (g, text) in enumerate(roundup.quotes):
            if k:
                doc.add(self.noise.line_gap())
            rendered = render_one(self.base, text.words, text.seps)
            doc.passage(rendered, Occ(g, "roundup", None), int(text.words.shape[0]), False)

    def _roundup_outlet(self, i: int, outlet: str) -> str:
        """Two outlets print a roundup: the second printing moves to another outlet if need be."""
        roundup = self.roundup_of.get(i)
        if roundup is None:
            return outlet
        if roundup.outlet is None:
            roundup.outlet = outlet
        elif outlet == roundup.outlet:
            outlet = self.noise.rnd.choice([o for o in OUTLETS if o != roundup.outlet])
        return outlet

    def _page(self, body: _Doc, outlet: str, edge: tuple[str, str] | None, titles: list[str], own: int) -> _Doc:
        """The page around a document's text: the outlet's chrome, and a notice at the top or end."""
        noise = self.noise
        header = noise.header(outlet)
        footer = noise.footer(outlet, titles, own)
        page = _Doc()
        if edge is not None and edge[0] == "top":
            page.noise_span(edge[1], "archive")
            page.add("\n")
        if header is not None:
            page.noise_span(header, "header")
            page.add(noise.chrome_gap())
        page.extend(body)
        if footer is not None:
            page.add(noise.chrome_gap())
            page.noise_span(footer, "footer")
        if edge is not None and edge[0] == "end":
            page.add("\n")
            page.noise_span(edge[1], "archive")
        return page

    def _caption(self, doc: _Doc, item, groups: list[Group], uniq: list[Text], plain: dict) -> None:
        rnd, base = self.rnd, self.base
        if isinstance(item, tuple):  # a caption nobody else uses: a credit, but no planted reuse
            _, k, form = item
            agency = rnd.choices(AGENCIES, [a.weight for a in AGENCIES])[0]
            doc.add(render_one(base, uniq[k].words, uniq[k].seps))
            _caption_credit(doc, form, agency, rnd)
            return
        group = groups[item.group]
        text, edited = group.text, False
        if rnd.random() < self.cfg.edit_prob:
            text, _ = caption_edit(base, text, rnd)
            edited = True
        rendered = render_one(base, text.words, text.seps) if edited else plain[id(group)]
        doc.passage(rendered, item, int(text.words.shape[0]), edited)
        _caption_credit(doc, item.credit, group.agency, rnd)


_WORD = re.compile(r"\w+")


def excerpt(base: Base, text: Text, rnd: random.Random) -> Text:
    """2-4 consecutive sentences of a story (at least 25 words), as one paragraph ending in a full stop."""
    sents = text.sentences.tolist() + [text.words.shape[0]]
    n_s = len(sents) - 1
    a = rnd.randrange(max(1, n_s - 1))
    b = min(n_s, a + rnd.randint(2, 4))
    while b < n_s and sents[b] - sents[a] < 25:
        b += 1
    while a > 0 and sents[b] - sents[a] < 25:
        a -= 1
    lo, hi = sents[a], sents[b]
    seps = text.seps[lo:hi].copy()
    seps[-1] = base.special["end"]
    seps[seps == base.special["paragraph"]] = base.special["sentence"]
    return Text(text.words[lo:hi], seps, np.array(sents[a:b]) - lo)


def _iso_day(day: int) -> str:
    return str(np.datetime64("2024-01-01") + np.timedelta64(int(day), "D"))


def generate(cfg: GenConfig, out: Path, base: Base | None = None, check: bool = False) -> dict:
    """Write a labelled corpus into ``out`` and return its truth.json content.

    Raises:
        FileNotFoundError: no Reuters files (see ``reuters_files``).
        ValueError: invalid parameters.
    """
    base = base or load_base()
    truth = Generator(cfg, base).run(Path(out))
    if check:
        truth["check"] = check_overlap(Path(out))
        (Path(out) / TRUTH).write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return truth


# --- verifying that only planted text is shared --------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    """Every row of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def check_overlap(out: Path) -> dict:
    """How much text the generated documents share that was not planted.

    Counts word 8-grams (case-folded) lying wholly outside planted passages, credits and noise
    spans that occur in two documents (or twice in one): each is accidental reuse a detector would rightly
    find but the truth does not list. Also the share of such 5-grams occurring elsewhere, next to
    the same figure for the cleaned Reuters bodies (``base.reuters_shared_5gram_rate``).
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    planted = read_jsonl(out / TRUTH_PASSAGES) + read_jsonl(out / TRUTH_CREDITS)
    if (out / TRUTH_NOISE).exists():
        planted += read_jsonl(out / TRUTH_NOISE)
    for row in planted:
        spans.setdefault(row["doc_id"], []).append((row["start"], row["end"]))
    word = re.compile(r"\w+")
    vocab: dict[str, int] = {}
    keys8, docs8, keys5, docs5 = [], [], [], []
    n_docs = 0
    with (out / CORPUS).open(encoding="utf-8") as handle:
        for d, line in enumerate(handle):
            row = json.loads(line)
            text = row["text"]
            n_docs += 1
            found = [(m.start(), m.group().lower()) for m in word.finditer(text)]
            if len(found) < 5:
                continue
            starts = np.array([s for s, _ in found], dtype=np.int64)
            ids = np.array([vocab.setdefault(w, len(vocab)) for _, w in found], dtype=np.uint64)
            hashed = (ids + np.uint64(1)) * HASH_MULT
            cover = np.zeros(len(text) + 1, dtype=np.int32)
            for s, e in spans.get(row["id"], ()):
                cover[s] += 1
                cover[e] -= 1
            planted = (np.cumsum(cover)[starts] > 0).astype(np.int64)
            pc = np.concatenate([[0], np.cumsum(planted)])
            for k, keys, docs in ((8, keys8, docs8), (5, keys5, docs5)):
                grams = ngram_hashes(hashed, k)
                clean = (pc[k:] - pc[:-k]) == 0
                keys.append(grams[clean])
                docs.append(np.full(int(clean.sum()), d, dtype=np.int64))
    k8, d8 = np.concatenate(keys8 or [np.empty(0, np.uint64)]), np.concatenate(docs8 or [np.empty(0, np.int64)])
    # twice in one document also counts: make each position its own group
    shared8 = shared_keys(k8, np.arange(k8.shape[0]))
    k5, d5 = np.concatenate(keys5 or [np.empty(0, np.uint64)]), np.concatenate(docs5 or [np.empty(0, np.int64)])
    shared5 = shared_keys(k5, d5)
    return {
        "unplanted_8grams": int(k8.shape[0]),
        "unplanted_8grams_shared": int(shared8.sum()),
        "docs_with_unplanted_shared_8gram": int(np.unique(d8[shared8]).shape[0]),
        "docs": n_docs,
        "unplanted_shared_5gram_rate": round(float(shared5.mean()) if shared5.shape[0] else 0.0, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True, help="documents to generate (20 .. 1,000,000+)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuters", type=Path, default=REUTERS_DIR, help="folder of Reuters-21578 .sgm files")
    parser.add_argument("--reuters-files", type=int, default=None, help="read only the first N .sgm files")
    parser.add_argument("--no-cache", action="store_true", help=f"rebuild the cleaned base (cache: {CACHE_DIR})")
    parser.add_argument("--check", action="store_true", help="measure unplanted shared text afterwards (slow at 1M)")
    parser.add_argument(
        "--noise",
        default="web",
        help="real-world noise: web (default: all kinds), none (the clean corpus), or a comma-separated "
        "list of chrome, stock, bylines, archive, roundups",
    )
    parser.add_argument("--html", action="store_true", help="also write the documents as web pages (pages/)")
    parser.add_argument("--warc", action="store_true", help="also write the pages as a web archive (pages.warc.gz)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    t0 = time.perf_counter()
    try:
        cfg = GenConfig(docs=args.docs, seed=args.seed, noise=NoiseConfig(kinds=parse_noise(args.noise)))
        base = load_base(args.reuters, args.reuters_files, None if args.no_cache else CACHE_DIR)
        truth = generate(cfg, args.out, base, check=args.check)
        if args.html or args.warc:
            write_web(args.out, read_jsonl(args.out / CORPUS), args.html, args.warc, args.seed)
    except (FileNotFoundError, ValueError) as err:
        print(f"generate: error: {err}", file=sys.stderr)
        return 2
    c = truth["counts"]
    print(
        f"{c['documents']:,} documents ({c['text_bytes'] / 1e6:.1f} MB), {c['passages']:,} planted occurrences "
        f"in {c['story_groups'] + c['caption_groups']:,} groups, {c['credits']:,} credits, "
        f"{sum(c['noise']['spans_by_kind'].values()):,} noise spans (noise: {truth['noise']}) -> {args.out} "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    if "check" in truth:
        print("check:", json.dumps(truth["check"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
