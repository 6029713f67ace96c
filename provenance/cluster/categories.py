"""Say what each cluster's shared text is: news, boilerplate, a stock phrase or a credit line.

The decision reads the corpus, not a list of phrases. For every cluster it measures, over its
copies (occurrences) and their documents:

- **spread**: how many documents and outlets hold the text;
- **outlet concentration** (passim's ``pboiler``): the share of its documents in one outlet,
  only when the corpus names two outlets or more;
- **position**: the share of copies at the page head or tail (``CategoryConfig.edge_share``),
  and of those with no word at all between them and the page edge;
- **context**: the words just before and after each copy, compared between copies in
  different documents (mean Jaccard of words of four letters or more, so that "the" and
  "said" do not make two unrelated stories look alike): a stock phrase or a site header
  stands in a different story each time, a reprinted story among the same words;
- **inline**: whether a copy shares its line with other text, or its sentence goes on after
  it on the next line (a phrase inside a sentence), or it stands on lines of its own (a menu,
  a notice);
- **length**: the median copy's words;
- **credit lines**: the share of copies made mostly of credit lines: the line of a byline,
  footer or source credit found by the credits stage, or a short line of names after "by"
  ("Reporting by Jane Doe; Editing by Tom Brown", which names no agency);
- **known boilerplate**: the user's own patterns (``CategoryConfig.patterns``).

The first rule that holds decides (figures are ``CategoryConfig`` fields):

1. ``boilerplate``: a known pattern marks at least half of the copies;
2. ``credit``: at least ``credit_copies`` of the copies are credit lines;
3. ``boilerplate``: the text is in more than ``boilerplate_docs`` documents (the scan's rule);
4. ``boilerplate``: at least ``outlet_share`` of its documents are one outlet's, and its
   copies sit at the page edge or in a different story each time (site chrome);
5. ``boilerplate``: in ``template_docs`` documents or more, at most ``template_words`` long,
   a different story around each copy (a cookie notice or disclaimer placed anywhere);
5b. ``stock``: in ``stock_docs`` documents or more, at most ``stock_words`` long, a different
   story around each copy, and inside a line in most copies (a phrase in a sentence);
6. ``boilerplate``: in ``min_docs`` documents or more (and as many outlets, when outlets are
   known), at least ``edge_copies`` of the copies at the page head or tail, on lines of their
   own, and either a different story around each or nothing between them and the page edge
   in ``edge_copies`` of the copies (chrome, archive notices: what follows a notice may be
   more template, so its context may look alike). Without outlets, a background paragraph
   closing three short stories looks like a footer and is judged one;
7. ``stock``: as 5, standing on its own lines, in ``stock_line_docs`` documents or more (a
   formulaic line such as a table row; a caption shared by a few outlets is news);
7b. ``boilerplate``: a line of its own of at most ``edge_line_words`` words in two documents,
   at the page edge in both (a headline in a "Related stories" list);
8. ``news``: everything else, including every text repeated inside one document only.

Every decision carries a short reason naming the signal and its figures. What a copy's text
says (``copy_facts``: a pure function of one document's text and credits) may be read where the
texts are, and a cluster's signals (``measure``) and category (``decide``) need only its own
copies' facts and outlets and the corpus's count of outlets: the Spark engine runs these same
functions per cluster on its executors, so local and Spark scans agree by construction.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance.cluster.clusters import merge_spans
from provenance.config import REGEX_PREFIX, CategoryConfig
from provenance.corpus import column, text_reader
from provenance.errors import ConfigError, InputError
from provenance.records import CATEGORIES, Category, Cluster, Credit, Document, Occurrence

CREDIT_LINE_KINDS = frozenset({"byline", "footer", "source"})
"""Credits whose whole line is a credit line (a caption credit's line is the caption)."""

_WORD = re.compile(r"\w")
_NEXT = re.compile(r"\s*(\S)")
# Words of four letters or more: "the" and "said" would make unrelated stories look alike.
_CONTENT = re.compile(r"\b[^\W\d_]{4,}\b")
# "by" before a word: a quick test before looking for a credit line.
_BY_NAME = re.compile(r"(?<!\w)[Bb][Yy]\s+(?=[^\W\d_])")
# A line opening with a name after "by": "By Jane Doe", "(Reporting by Jane Doe; Editing by ...",
# "Additional reporting by ...": a capitalised word, maybe one lower-case word, then "by".
_CREDIT_OPENING = re.compile(r"\W*(?:([^\W\d_]+)(?:\s+[a-z]+)?\s+)?([Bb]y)\s+([^\W\d_])")
_CHARS_PER_WORD = 6  # ``context_words`` words of context are read as this many characters each


@dataclass(frozen=True, slots=True)
class Signals:
    """What the categories stage measured on one cluster (``sampled`` copies for the text-based
    shares; every copy for documents and outlets).

    ``outlet_share`` and ``top_outlet`` are None when outlets say nothing (the corpus names
    fewer than two, or none of the cluster's documents has one); ``context`` is None when no
    two sampled copies are in different documents.
    """

    n_docs: int
    n_outlets: int
    top_outlet: str | None
    outlet_share: float | None
    sampled: int
    head: float
    tail: float
    outer: float
    inline: float
    context: float | None
    words: int
    credit: float
    credit_what: str
    pattern: float
    pattern_hit: str
    captioned: float = 0.0

    @property
    def edge(self) -> float:
        """Share of copies at the page head or tail."""
        return self.head + self.tail


def load_patterns(path: Path) -> tuple[str, ...]:
    """Known boilerplate from a file: one pattern a line, a phrase or, after ``re:``, a regular
    expression. Blank lines and lines starting with ``#`` are skipped.

    Raises:
        InputError: the file cannot be read or is not UTF-8.
        ConfigError: a regular expression is invalid or matches empty text (with its line).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read boilerplate patterns {path}: {err}") from None
    patterns = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            CategoryConfig(patterns=(line,))
        except ConfigError as err:
            raise ConfigError(f"{path}:{number}: {err}") from None
        patterns.append(line)
    return tuple(patterns)


def compile_patterns(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    """``patterns`` (see ``load_patterns``) as regular expressions, each compiled alone so that a
    user's expression may carry its own flags (``re:(?i)read or share``)."""
    compiled = []
    for pattern in patterns:
        if pattern.startswith(REGEX_PREFIX):
            compiled.append(re.compile(pattern[len(REGEX_PREFIX) :]))
        else:
            compiled.append(re.compile(r"\s+".join(re.escape(word) for word in pattern.split()), re.IGNORECASE))
    return compiled


def _goes_on(text: str, end: int) -> bool:
    """Whether the sentence goes on after ``end``, past a line break (the next character is
    lower case or a digit): hard-wrapped text such as Reuters-21578's."""
    following = _NEXT.match(text, end)
    return following is not None and (following.group(1).islower() or following.group(1).isdigit())


def _sample(occurrences: Sequence[Occurrence], k: int) -> Sequence[Occurrence]:
    """At most ``k`` copies, evenly spaced over the cluster (the same ones on every run)."""
    n = len(occurrences)
    return occurrences if n <= k else [occurrences[i * n // k] for i in range(k)]


def _context(text: str, start: int, end: int, k: int) -> frozenset[str]:
    """The words of four letters or more among the about ``k`` words before and after a copy
    (read as ``k * 6`` characters), tagged with their side."""
    reach = k * _CHARS_PER_WORD
    before = _CONTENT.findall(text[max(0, start - reach) : start].casefold())
    after = _CONTENT.findall(text[end : end + reach].casefold())
    return frozenset(["<" + w for w in before] + [">" + w for w in after])


def _name_line(line: str, max_words: int) -> bool:
    """A short line of names after "by": it opens with "By Name" or "Word by Name" ("Reporting
    by", "Photo by"; a capitalised word, not "owned by"), and most of its words are capitalised."""
    opening = _CREDIT_OPENING.match(line)
    if not opening or not opening.group(3).isupper():
        return False
    first = opening.group(1)
    if not (first[0].isupper() if first else opening.group(2) == "By"):
        return False
    words = [w for w in (w.strip("()[];,.:") for w in line.split()) if w and w[0].isalpha()]
    if len(words) > max_words:
        return False
    capitals = sum(1 for w in words if w[0].isupper())
    return capitals * 2 >= len(words)


def _credit_chars(
    text: str, start: int, end: int, regions: Sequence[tuple[int, int, str]], max_words: int
) -> tuple[int, str]:
    """Characters of ``[start, end)`` on credit lines, and what the first credit line is."""
    covered = 0
    what = ""
    line_start = text.rfind("\n", 0, start) + 1
    while line_start < end:
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        lo, hi = max(start, line_start), min(end, line_end)
        if hi > lo:
            found = next((why for s, e, why in regions if s < line_end and line_start < e), "")
            if not found and _name_line(text[line_start:line_end], max_words):
                found = "names after 'by'"
            if found:
                covered += hi - lo
                what = what or found
        line_start = line_end + 1
    return covered, what


def line_regions(text: str, credits: Sequence[Credit]) -> list[tuple[int, int, str]]:
    """The lines of a document's byline, footer and source credits: ``(start, end, what)``, in
    the order of ``credits`` (the credits of the document whose text is ``text``)."""
    regions = []
    for c in credits:
        if c.kind in CREDIT_LINE_KINDS:
            lo = text.rfind("\n", 0, c.start) + 1
            hi = text.find("\n", c.end)
            regions.append((lo, len(text) if hi < 0 else hi, f"{c.kind} credit to {c.agency}"))
    return regions


@dataclass(frozen=True, slots=True)
class CopyFacts:
    """What the categories stage reads in one copy's text and around it: its words, whether it
    sits at the page head or tail (and with no word between it and the edge), inside a line,
    on a captioned line, on credit lines (and what the first is), marked by a known pattern
    (and the text matched), and the words around it (``_context``; None when not read)."""

    words: int
    head: bool
    tail: bool
    outer: bool
    inline: bool
    captioned: bool
    credit: bool
    credit_what: str
    marked: bool
    pattern_hit: str
    context: frozenset[str] | None


def copy_facts(
    text: str,
    start: int,
    end: int,
    regions: Sequence[tuple[int, int, str]],
    caption_starts: Sequence[int],
    params: CategoryConfig,
    patterns: Sequence[re.Pattern[str]] = (),
    context: bool = True,
) -> CopyFacts:
    """The facts of the copy ``[start, end)`` of ``text`` (see ``CopyFacts``): ``regions`` are
    the document's credit lines (``line_regions``), ``caption_starts`` the starts of its caption
    credits; the words around the copy are read only with ``context``. A pure function of the
    document's own text and credits: an engine may run it where the text is."""
    n = len(text)
    n_words = len(text[start:end].split())
    zone = min(max(params.edge_share * n, params.edge_chars), n / 2)
    head = tail = outer = at_edge = False
    if end <= zone:
        head = at_edge = True
        outer = _WORD.search(text, 0, start) is None
    elif start >= n - zone:
        tail = at_edge = True
        outer = _WORD.search(text, end) is None
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = n if line_end < 0 else line_end
    inline = bool(_WORD.search(text, line_start, start) or _WORD.search(text, end, line_end) or _goes_on(text, end))
    # A caption credit on the copy's own line, after its start: a shared photo caption.
    captioned = any(start <= c <= line_end for c in caption_starts)
    credit, credit_what = False, ""
    if n_words <= 2 * params.credit_line_words and (regions or _BY_NAME.search(text, line_start, line_end)):
        covered, what = _credit_chars(text, start, end, regions, params.credit_line_words)
        if covered * 2 >= end - start:
            credit, credit_what = True, what
    marked, pattern_hit = False, ""
    if patterns:
        hits = [m for pattern in patterns for m in pattern.finditer(text, start, end) if m.end() > m.start()]
        matched = sum(e - s for s, e in merge_spans([m.span() for m in hits]))
        if hits and (matched >= params.pattern_cover * (end - start) or at_edge):
            marked, pattern_hit = True, hits[0].group()
    around = _context(text, start, end, params.context_words) if context else None
    return CopyFacts(n_words, head, tail, outer, inline, captioned, credit, credit_what, marked, pattern_hit, around)


def document_facts(
    text: str,
    copies: Iterable[tuple[int, int]],
    credits: Sequence[Credit],
    params: CategoryConfig,
    patterns: Sequence[re.Pattern[str]] = (),
) -> list[CopyFacts]:
    """The ``copy_facts`` of copies ``(start, end)`` of one document, whose ``credits`` are
    given (its credit lines and captions are found once): how an engine computes them where
    the text is, the words around every copy read."""
    regions = line_regions(text, credits)
    captions = [c.start for c in credits if c.kind == "caption"]
    return [copy_facts(text, start, end, regions, captions, params, patterns) for start, end in copies]


def sampled_copies(clusters: Iterable[Cluster], params: CategoryConfig) -> set[tuple[int, int, int]]:
    """The copies ``(doc, start, end)`` whose facts ``categorize`` reads: each cluster's sample."""
    return {(o.doc, o.start, o.end) for cluster in clusters for o in _sample(cluster.occurrences, params.sample)}


def measure(
    cluster: Cluster,
    docs: Sequence[Document],
    regions_of: dict[int, list[tuple[int, int, str]]],
    params: CategoryConfig,
    n_corpus_outlets: int,
    patterns: Sequence[re.Pattern[str]] = (),
    captions_of: dict[int, list[int]] | None = None,
    facts: Mapping[tuple[int, int, int], CopyFacts] | None = None,
    outlet_of: Sequence[str | None] | Mapping[int, str | None] | None = None,
) -> Signals:
    """The signals of one cluster (see the module docstring).

    ``regions_of`` maps a document to its credit lines (``(start, end, what)``);
    ``n_corpus_outlets`` is the number of distinct outlets in the corpus; ``captions_of`` maps a
    document to the starts of its caption credits ("Photo / AP" closing a caption line);
    ``outlet_of`` gives each document's outlet by index (every document's, or the cluster's).
    ``facts``, when given, holds the ``copy_facts`` of the sampled copies, by ``(doc, start,
    end)``: the texts are then not read (an engine computed the facts where the texts are).
    """
    doc_ids = {o.doc for o in cluster.occurrences}
    if outlet_of is None:  # every document's outlet: ``categorize`` reads them once for all clusters
        outlet_of = column(docs, "outlet")
    outlets = Counter(outlet_of[d] for d in doc_ids if outlet_of[d])
    top_outlet, outlet_share = None, None
    if n_corpus_outlets >= 2 and outlets:
        top_outlet, top = max(outlets.items(), key=lambda kv: (kv[1], kv[0]))
        outlet_share = top / len(doc_ids)
    # Contexts decide only for a text that recurs, or that one outlet holds: compared only then.
    concentrated = outlet_share is not None and outlet_share >= params.outlet_share
    compare = len(doc_ids) >= params.min_docs or (concentrated and len(doc_ids) > 1)
    sample = _sample(cluster.occurrences, params.sample)
    text_of = text_reader(docs)
    head = tail = outer = inline = credit = marked = captioned = 0
    credit_what = pattern_hit = ""
    words: list[int] = []
    contexts: list[tuple[int, frozenset[str]]] = []
    for occ in sample:
        if facts is not None:
            f = facts[(occ.doc, occ.start, occ.end)]
        else:
            f = copy_facts(
                text_of(occ.doc),
                occ.start,
                occ.end,
                regions_of.get(occ.doc, ()),
                (captions_of or {}).get(occ.doc, ()),
                params,
                patterns,
                context=compare,
            )
        words.append(f.words)
        head += f.head
        tail += f.tail
        outer += f.outer
        inline += f.inline
        captioned += f.captioned
        if f.credit:
            credit += 1
            credit_what = credit_what or f.credit_what
        if f.marked:
            marked += 1
            pattern_hit = pattern_hit or f.pattern_hit
        if compare and f.context is not None:
            contexts.append((occ.doc, f.context))
    overlaps = [_jaccard(a, b) for i, (da, a) in enumerate(contexts) for db, b in contexts[i + 1 :] if da != db]
    m = len(sample)
    words.sort()
    return Signals(
        n_docs=len(doc_ids),
        n_outlets=len(outlets),
        top_outlet=top_outlet,
        outlet_share=outlet_share,
        sampled=m,
        head=head / m,
        tail=tail / m,
        outer=outer / m,
        inline=inline / m,
        context=sum(overlaps) / len(overlaps) if overlaps else None,
        words=words[(m - 1) // 2],
        credit=credit / m,
        credit_what=credit_what,
        pattern=marked / m,
        pattern_hit=pattern_hit,
        captioned=captioned / m,
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0  # nothing around either copy (each is a whole document): the same setting
    return len(a & b) / len(a | b)


def decide(signals: Signals, params: CategoryConfig, boilerplate_docs: int | None = None) -> tuple[Category, str]:
    """The category of a cluster from its signals, and the reason in words."""
    s = signals
    n = s.n_docs
    where = f"in {n:,} documents" + (f" of {s.n_outlets} outlets" if s.n_outlets > 1 else "")
    copies = f"of {s.sampled} copies" + (" examined" if s.sampled == params.sample else "")
    if s.pattern >= 0.5:
        return "boilerplate", f"matches known boilerplate ({_quote(s.pattern_hit)}) in {s.pattern:.0%} {copies}"
    if s.credit >= params.credit_copies:
        return "credit", f"credit lines ({s.credit_what}) in {s.credit:.0%} {copies}"
    if n < 2:
        return "news", f"{s.words} words repeated inside one document"
    if boilerplate_docs is not None and n > boilerplate_docs:
        return "boilerplate", f"in {n:,} documents, more than the boilerplate limit ({boilerplate_docs})"
    diverse = s.context is not None and s.context <= params.diverse_context
    edge = s.edge >= params.edge_copies
    context = f"context overlap {s.context:.0%}" if s.context is not None else "no context compared"
    if s.outlet_share is not None and s.outlet_share >= params.outlet_share and (s.edge >= 0.5 or diverse):
        why = f"{where}, {s.outlet_share:.0%} of them in one outlet ({s.top_outlet})"
        why += f", {_edge(s)}" if s.edge >= 0.5 else f", a different story around each copy ({context})"
        return "boilerplate", why
    recurs = n >= params.min_docs and diverse
    if s.captioned >= 0.5 and n < params.template_docs:
        # A short line in a few stories that carries a photo credit is a shared caption.
        return "news", f"a {s.words}-word caption {where}, with a photo credit in {s.captioned:.0%} {copies}"
    if n == 2 and s.edge >= 1.0 and s.inline < 0.5 and s.words <= params.edge_line_words:
        # A lone short line at the page edge of both copies: a headline in "Related stories"
        # or "You may also like" lists, or one page's title listed under another's story.
        return "boilerplate", f"a {s.words}-word line of its own at the page edge of both copies (a link list)"
    if n >= 2 * params.template_docs and s.words <= params.stock_words:
        # A short text on this many pages is template text whatever surrounds it (the template
        # around it may repeat too): page furniture at the edge or on its own line, else a
        # formula inside the stories.
        if s.edge >= 0.5 or s.inline < 0.5:
            return (
                "boilerplate",
                f"a {s.words}-word template line {where}, {_edge(s) if s.edge >= 0.5 else 'on its own line'}",
            )
        return "stock", f"a {s.words}-word phrase {where}, inside the text"

    if recurs and n >= params.template_docs and s.words <= params.template_words:
        # A story reprinted this widely keeps its length; a short text in many different
        # stories is a template (a cookie notice, a standard disclaimer) wherever it sits.
        return "boilerplate", f"a {s.words}-word text {where}, a different story around each copy ({context})"
    if recurs and n >= params.stock_docs and s.words <= params.stock_words and s.inline >= 0.5:
        return "stock", f"a {s.words}-word phrase {where}, inside a different story each time ({context})"
    # Site chrome belongs to one outlet (rule 4); when outlets are known, text that a few of
    # them print at the page edge is more likely a shared story's paragraph than scraper text.
    spread = s.outlet_share is None or s.n_outlets >= params.min_docs
    if n >= params.min_docs and spread and edge and s.inline < 0.5 and (diverse or s.outer >= params.edge_copies):
        why = (
            f", a different story around each copy ({context})" if diverse else ", nothing between it and the page edge"
        )
        return "boilerplate", f"{where}, {_edge(s)}, on lines of its own{why}"
    # A line of its own in a few stories is most often a shared caption (news); a formulaic
    # line (a table row, a standard notice) recurs across many more.
    if recurs and s.words <= params.stock_words and n >= params.stock_line_docs:
        return "stock", f"a {s.words}-word line {where}, in a different story each time ({context})"
    return "news", f"{s.words} words {where}" + (f", {context}" if s.context is not None else "")


def _edge(s: Signals) -> str:
    if s.head >= 2 * s.tail:
        return f"at page head in {s.head:.0%} of copies"
    if s.tail >= 2 * s.head:
        return f"at page tail in {s.tail:.0%} of copies"
    return f"at page head or tail in {s.edge:.0%} of copies"


def _quote(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


def categorize(
    clusters: Iterable[Cluster],
    docs: Sequence[Document],
    credits: Iterable[Credit],
    params: CategoryConfig | None = None,
    boilerplate_docs: int | None = None,
    facts: Mapping[tuple[int, int, int], CopyFacts] | None = None,
) -> list[Cluster]:
    """The same clusters, in the same order, with ``category``, ``category_reason`` and
    ``boilerplate`` (true for every category but news) set.

    Args:
        clusters: clusters from the cluster stage (any engine's sequence).
        docs: every document of the run, indexed by ``Document.index``.
        credits: the credits stage's output; byline, footer and source credits mark credit lines.
        params: thresholds and the user's known boilerplate.
        boilerplate_docs: clusters over this many documents are boilerplate (the scan's
            ``DetectConfig.boilerplate_docs``); None for no limit.
        facts: the ``copy_facts`` of every copy ``sampled_copies`` names, computed where the
            texts are (the Spark engine's executors): then neither the texts nor the credits
            are read here, only the documents' outlets.
    """
    params = params or CategoryConfig()
    regions_of: dict[int, list[tuple[int, int, str]]] = {}
    captions_of: dict[int, list[int]] = {}
    if facts is None:
        credits = list(credits)  # read twice below
        credits_of: dict[int, list[Credit]] = {}
        for credit in credits:
            if credit.kind in CREDIT_LINE_KINDS:
                credits_of.setdefault(credit.doc, []).append(credit)
        text_of = text_reader(docs)
        regions_of = {d: line_regions(text_of(d), cs) for d, cs in credits_of.items()}
        for credit in credits:
            if credit.kind == "caption":
                captions_of.setdefault(credit.doc, []).append(credit.start)
    outlet_of = column(docs, "outlet")
    n_outlets = count_outlets(outlet_of)
    patterns = compile_patterns(params.patterns)
    out = []
    for cluster in clusters:
        signals = measure(cluster, docs, regions_of, params, n_outlets, patterns, captions_of, facts, outlet_of)
        category, reason = decide(signals, params, boilerplate_docs)
        out.append(
            dataclasses.replace(cluster, category=category, category_reason=reason, boilerplate=category != "news")
        )
    return out


def count_outlets(outlets: Iterable[str | None]) -> int:
    """The distinct outlets named among documents' ``outlet`` values (the corpus's, for ``measure``)."""
    return len({o for o in outlets if o})


def category_counts(clusters: Iterable[Cluster]) -> dict[Category, int]:
    """Clusters per category, every category listed (news first), zeros included."""
    counts = Counter(c.category for c in clusters)
    return {name: counts[name] for name in CATEGORIES}
