"""Agency credits in a document: datelines, caption credits, bylines, footers, and mentions.

One trie-shaped regex finds every agency name, false friend and generic phrase ("agencies") in
the text; only the lines holding a name are looked at again, to decide whether the name stands
where a credit stands. A credit's ``[start, end)`` is exactly the name as written (``"AP"`` in
``"Photo / AP"``, ``"Reuters"`` in ``"LONDON (Reuters) -"``, not the parentheses); a generic
credit's span is its phrase (``"Agencies"``). Forms recognised, in order of precedence:

- dateline, document scope: ``BAGHDAD (AP) —``, ``LONDON, March 7 (Reuters) -``, ``(AFP) -``,
  ``BEIJING (Xinhua) --``, ``New Delhi, Feb 14 (IANS) The ...``, ``MOSCOW, May 9. /TASS/.``: a
  line opening with capitalised words, then only agency names in parentheses (or slashes), then
  a dash or colon, or, after a place, the capitalised first word of the story. Not when the
  words before spell the same agency out (``Agence France-Presse (AFP) Chairman ...``).
- byline, document scope: a short ``By ...`` line of names (``By LEE KEATH, Associated Press``),
  ``Additional reporting by AP``, ``(With inputs from agencies)``, ``Compiled from wire reports``,
  ``Reuters contributed to this report``, ``Associated Press writer X contributed ...``.
- labelled credit: ``Source: AAP``, ``Photo / AP``, ``Photograph: Name/AFP/Getty Images``,
  ``Picture courtesy of Reuters``, when the label is followed by a short credit only (names,
  not prose): caption, line scope. A ``Source: X`` line standing alone as the first or last text
  of the document is kind ``source``, document scope.
- agency photo credit: ``(AP Photo/Hadi Mizban)``, ``AFP PHOTO / STR``, ``AAP Image/...``:
  caption, line scope.
- a name (or a chain ``A/B``, ``A via B``, ``A and B``) closing a line, optionally followed by
  ``/Photographer`` and a full stop: after caption text (``... south of Mosul, Iraq AP``,
  ``... their town Getty``, ``Mosul. Reuters``, ``Name/AFP``) a caption, line scope; after a
  dash, inside parentheses or after "with" (``— Reuters``, ``(AFP)``, ``— with agencies``) or
  alone on its line, a ``footer`` when at most two short lines follow it, a ``source`` when it
  is the document's first line, a caption otherwise. A photo credit alone on its line (a photo
  agency, or a ``/`` chain) is always a caption, and its scope starts at the previous non-blank
  line, the caption it sits under. Not a credit after a comma (``Pittsburgh, PA``, ``Tokyo,
  Kyodo``), after a word that makes the name an object (``told Reuters``, ``by AFP``, ``for
  AP``), or after a possessive (``Korea's Yonhap``); generic phrases close a line as credits
  only in sign-off forms.
- mention, paragraph scope (a paragraph is one line): quoted-source uses such as ``told
  Reuters``, ``according to AFP``, ``Reuters reported``, ``a Reuters reporter``, ``news agency
  Xinhua``. Never for credit-only names (EPA, PA...), generic phrases, ``AP-style`` compounds,
  or an all-capitals name after "the" ("the AFP" is more often the Australian Federal Police).

Anything else is not a credit: names inside words (``CAPTION``, ``APEC``, ``SAP``), inside false
friends (``Getty Museum``, ``AP Moller-Maersk``), other spellings (``Pa``: names match
case-sensitively), or mid-sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter

from provenance.credits.gazetteer import UNNAMED, Gazetteer
from provenance.records import Credit, CreditKind, CreditScope, Document

# Where a credit's scope lies: the whole document, its own line, its line and the previous
# non-blank one (a credit line under its caption), or its paragraph (a mention).
_DOC, _LINE, _PREV, _PARA = "document", "line", "prev", "paragraph"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Generic credits that name no agency; found in lower case, capitalised, title case and capitals.
_GENERIC_PHRASES = ("agencies", "news agencies", "wire services", "wire reports", "wires")

# "BAGHDAD, Iraq, March 7 (AP) —", "(AFP) -", "New Delhi, Feb 14 (IANS) The ...", "MOSCOW, May 9. /TASS/.":
# capitalised words, the agencies in parentheses (or slashes), then a dash, a colon, or (after a
# place) the capitalised first word of the story.
_DATELINE = re.compile(
    r"\s*(?P<place>[A-Z0-9][\w.'’/-]*(?:[ ,]+[A-Z0-9][\w.'’/-]*){0,7}[ ,]*)?"
    r"(?:\((?P<inner>[^()\n]{1,60})\)|/(?P<slashed>[^/\n]{1,30})/\.?)"
    r"(?:\s*(?:--|[-—–:_])|(?(place)\s+(?=[A-Z\"“‘'])|(?!)))"
)
_DATELINE_REACH = 100  # the parenthesis of a dateline opens within this many characters
_SEPARATORS = re.compile(r"(?:\s|/|,|&|\+|-|\||\band\b|\bvia\b)*", re.IGNORECASE)
_BYLINE = re.compile(r"\s*(?:By|BY)\s+(?P<rest>\S.{0,99})")
_BYLINE_WORD = re.compile(r"[^\s,|/;–—-]+")
_BYLINE_LOWER = _words(
    "and the of in for from with a an staff writer writers correspondent correspondents reporter "
    "reporters al el bin de del da di van von la le"
)
# Ends where the credited names start (searched with that position as the end).
_REPORTING = re.compile(
    r"(?:^|(?<=[(\[;.|—–-]))\s*(?:(?:additional|extra|further)\s+reporting|reporting|compiled|written|produced"
    r"|with\s+(?:additional\s+)?(?:inputs?|reporting|files|material|information))\s+(?:by|from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_CONTRIBUTED = re.compile(
    r"\s+(?:(?:also|have|has)\s+)?contributed\s+(?:reporting|to\s+(?:this|the)\s+(?:report|story|article))\b"
    r"|\s+(?:writers?|reporters?|correspondents?|journalists?|photographers?|staff)\b[^.\n]{0,150}?\bcontributed\b",
    re.IGNORECASE,
)
# Matched against the lower-cased line; trie-shaped so that most positions fail at once.
_LABEL_PATTERN = (
    r"\b(?:(?:p(?:hoto(?:graph)?s?|ictures?|ics?)|images?|credits?|sources?|video|footage|graphics?)"
    r"(?:\s+credits?)?(?:\s*[:|/]|\s+by\b)"
    r"|(?:(?:photo(?:graph)?s?|pictures?|images?)\s+)?courtesy(?:\s+of\b|\s*:))\s*"
)
_LABEL = re.compile(_LABEL_PATTERN)
_LABEL_ANY_CASE = re.compile(_LABEL_PATTERN, re.IGNORECASE)  # when lower-casing changes the length
# Every label holds one of these; lines without any skip the label pattern.
_LABEL_MARKS = (":", "/", "|", "by", "By", "BY", "ourtesy", "OURTESY")
_CLOSE = re.compile(r"[)\]]")
_SOURCE_LABEL = re.compile(r"sources?\b", re.IGNORECASE)
_TAIL_WORD = re.compile(r"[^\s/,;&|()\[\]]+")
_TAIL_LOWER = _words(
    "via and of for the by photo photos image images picture pictures file handout supplied pool staff "
    "courtesy graphic graphics video footage tv al el bin de del da di van von la le"
)
_MAX_TAIL = 80
_PHOTO_AFTER = re.compile(r"\s*(?:Photos?|PHOTOS?|Images?|IMAGES?|Pictures?|PICTURES?)\b")
_END_AFTER = re.compile(
    r"(?P<photo>\s*(?:Photos?|PHOTOS?|Images?|IMAGES?|Pictures?|PICTURES?))?"
    r"(?:\s*/\s*(?P<who>[^/\n]{1,40}?))?[\s.)\]]*"
)
_PUNCT = ".,;:!?\"'”’)]"
# Words after which a name closing a line is the object of a sentence, not a caption credit.
_NOT_BEFORE_CREDIT = _words(
    "to by told tell tells telling according citing cited quoted quoting said says say saying reported "
    "reports report with from for of the a an and or nor at in on per than like as about against into "
    "onto join joined joins joining agency agencies service outlet news wire contacted asked informed "
    "emailed wrote writes write confirmed sued accused criticised criticized thanked blamed named called "
    "calls source sources interview spokesman spokeswoman spokesperson statement before after unlike "
    "including such both either neither between among without is was were are be been being has had have "
    "which that this these those its his her their our my your whose whom who not no former rival rivals"
)
_NAME_PARTICLES = _words("al el bin ibn de del da di van von la le du dos das")
_MENTION_BEFORE = re.compile(
    r"\b(?:told|tells|telling|tell|according\s+to|citing|cited\s+by|quoted\s+by|quoting|reported\s+by|speaking\s+to"
    r"|spoke\s+to|speaks\s+to|interview\s+with|confirmed\s+to|seen\s+by|obtained\s+by|reviewed\s+by|carried\s+by"
    r"|published\s+by|broadcast\s+by|(?:state\s+)?(?:news\s+)?agency|wire\s+service)\s+(?P<the>the\s+)?$",
    re.IGNORECASE,
)
_MENTION_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:news\s+agency\s+|has\s+)?(?:reported|reports|said|says|quoted|cited|learned|reviewed|obtained"
    r"|confirmed|understands|tally|count|calculations|analysis|poll|survey|investigation|reporters?|correspondents?"
    r"|photographers?|journalists?|interview)\b"
)
_NONSPACE = re.compile(r"\S")
_LAST_LINES = 2  # short lines (sign-offs, editor notes) that may follow a footer
_LAST_LINE_CHARS = 120

# A name found in the text: start, end (absolute offsets) and agency id.
_Hit = tuple[int, int, str]
_start = itemgetter(0)
_Claims = list[tuple[CreditKind, str] | None]


class CreditExtractor:
    """Finds agency credits in documents, with the patterns of one gazetteer compiled once.

    Build one per gazetteer and call ``extract`` per document; ``extract_credits`` does this
    with a cached extractor.
    """

    __slots__ = ("gazetteer", "_names", "_meaning", "_credit_only", "_photo_only")

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        # What each string the scan finds stands for: an agency id, UNNAMED for a generic
        # phrase, or None for a false friend, which is found only to hide the names inside it.
        self._meaning: dict[str, str | None] = {}
        for phrase in _GENERIC_PHRASES:
            for variant in (phrase, phrase.capitalize(), phrase.title(), phrase.upper()):
                self._meaning[variant] = UNNAMED
        for agency in gazetteer:
            for name in agency.names:
                self._meaning[name] = agency.id
        for agency in gazetteer:
            for friend in agency.false_friends:
                self._meaning[friend] = None
        self._credit_only = frozenset(name for agency in gazetteer for name in agency.credit_only)
        self._photo_only = frozenset(a.id for a in gazetteer if not a.text_wire)
        # One trie-shaped alternation: the regex engine then rejects most positions on their first
        # character, and at a position the longest string wins ("Getty Museum" over "Getty").
        self._names = re.compile(_trie_pattern(self._meaning) + r"(?!\w)")

    def extract(self, doc: Document) -> list[Credit]:
        """The credits of ``doc``, sorted by start (see the module docstring for the forms)."""
        text = doc.text
        hits_by_line: dict[tuple[int, int], list[_Hit]] = {}
        search, meaning = self._names.search, self._meaning
        pos = 0
        while (match := search(text, pos)) is not None:
            start, end = match.span()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                pos = start + 1  # inside a word ("SAP", "CAPTION"): a name may still start further on
                continue
            pos = end
            agency = meaning[match.group()]
            if agency is None:
                continue
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            if line_end < 0:
                line_end = len(text)
            if line_end > line_start and text[line_end - 1] == "\r":
                line_end -= 1
            hits_by_line.setdefault((line_start, line_end), []).append((start, end, agency))
        credits: list[Credit] = []
        for (line_start, line_end), hits in hits_by_line.items():
            claims = self._line_claims(text, line_start, line_end, hits)
            for hit, found in zip(hits, claims, strict=True):
                if found is None:
                    continue
                kind, where = found
                scope_start, scope_end = _scope(text, line_start, line_end, where)
                credits.append(
                    Credit(
                        doc=doc.index,
                        agency=hit[2],
                        start=hit[0],
                        end=hit[1],
                        kind=kind,
                        scope=_SCOPE_NAME[where],
                        scope_start=scope_start,
                        scope_end=scope_end,
                    )
                )
        credits.sort(key=lambda c: (c.start, c.end, c.agency))
        return credits

    def _line_claims(self, text: str, ls: int, le: int, hits: list[_Hit]) -> _Claims:
        """What each hit of the line ``[ls, le)`` is: a (kind, scope) claim, or None."""
        line = text[ls:le]
        rel = [(s - ls, e - ls, a) for s, e, a in hits]
        claims: _Claims = [None] * len(hits)
        chains = _chains(line, rel)

        head = line[:_DATELINE_REACH]
        dateline = _DATELINE.match(line) if "(" in head or "/" in head else None
        if dateline:
            lo, hi = dateline.span("inner" if dateline.group("inner") is not None else "slashed")
            inside = _within(rel, lo, hi)
            # "Agence France-Presse (AFP) Chairman ..." spells a name out; it is no dateline.
            if (
                inside
                and _only_separators(line, lo, hi, [rel[i] for i in inside])
                and not _defines(line[:lo], rel, rel[inside[0]])
            ):
                _claim(claims, inside, "dateline", _DOC)

        byline = _BYLINE.fullmatch(line.rstrip()) if line.lstrip()[:3] in ("By ", "BY ") else None
        if byline and _byline_words_ok(line, byline.start("rest"), rel):
            _claim(claims, _within(rel, byline.start("rest"), len(line)), "byline", _DOC)

        for chain in chains:
            start = rel[chain[0]][0]
            near = line[max(0, start - 8) : start].lower()
            if ("by" in near or "from" in near) and _REPORTING.search(line, max(0, start - 60), start):
                _claim(claims, chain, "byline", _DOC)
            if _CONTRIBUTED.match(line, rel[chain[-1]][1]):
                _claim(claims, chain, "byline", _DOC)

        # A label stands at most a short credit before the names it introduces.
        lo, hi = max(0, rel[0][0] - _MAX_TAIL - 30), rel[-1][0]
        window = line[lo:hi]
        if any(mark in window for mark in _LABEL_MARKS):
            lower = line.lower()
            labels = (
                _LABEL.finditer(lower, lo, hi) if len(lower) == len(line) else _LABEL_ANY_CASE.finditer(line, lo, hi)
            )
            for match in labels:
                self._label_claims(text, ls, le, line, match, rel, claims)

        for i, (_, e, agency) in enumerate(rel):
            if agency != UNNAMED and _PHOTO_AFTER.match(line, e):
                _claim(claims, [i], "caption", _LINE)

        if chains:
            self._closing_claims(text, ls, le, rel, chains[-1], claims)

        for i, (s, e, agency) in enumerate(rel):
            if claims[i] is None and self._is_mention(line, s, e, agency):
                _claim(claims, [i], "mention", _PARA)
        return claims

    def _label_claims(
        self, text: str, ls: int, le: int, line: str, match: re.Match[str], rel: list[_Hit], claims: _Claims
    ) -> None:
        """Names in the short credit after the label ``match`` ("Source: AAP", "Photo / AP")."""
        start = match.end()
        end = len(line)
        if line[: match.start()].rstrip().endswith(("(", "[")):
            close = _CLOSE.search(line, start)
            end = close.start() if close else end
        tail = line[start:end].rstrip(" \t.)]")
        end = start + len(tail)
        if len(tail) > _MAX_TAIL or not (inside := _within(rel, start, end)):
            return
        for word in _TAIL_WORD.finditer(tail):
            ws, we = word.start() + start, word.end() + start
            if any(rel[i][0] < we and ws < rel[i][1] for i in inside):
                continue
            token = word.group()
            if not (token[0].isupper() or token[0].isdigit() or token.lower().rstrip(".:") in _TAIL_LOWER):
                return  # prose follows the label ("Source: Reuters calculations show ..."), not a credit
        alone = not line[: match.start()].strip(" \t([")
        if alone and _SOURCE_LABEL.match(match.group()) and _position(text, ls, le) != "middle":
            _claim(claims, inside, "source", _DOC)
        else:
            _claim(claims, inside, "caption", _PREV if alone else _LINE)

    def _closing_claims(self, text: str, ls: int, le: int, rel: list[_Hit], chain: list[int], claims: _Claims) -> None:
        """The chain of names closing the line, if it is a credit (caption, footer or source)."""
        if any(claims[i] is not None for i in chain):
            return
        line = text[ls:le]
        first, last = rel[chain[0]], rel[chain[-1]]
        after = _END_AFTER.fullmatch(line, last[1])
        if after is None or (after.group("who") and not _name_like(after.group("who"))):
            return
        agencies = {rel[i][2] for i in chain}
        generic = UNNAMED in agencies
        photo = bool(after.group("photo") or after.group("who")) or (
            "/" in line[first[0] : last[1]] or " via " in line[first[0] : last[1]]
        )
        before = line[: first[0]]
        if not before.strip():
            if photo or agencies <= self._photo_only:
                _claim(claims, chain, "caption", _PREV)
                return
            position = _position(text, ls, le)
            if position == "last":
                _claim(claims, chain, "footer", _DOC)
            elif position == "first":
                _claim(claims, chain, "source", _DOC)
            else:
                _claim(claims, chain, "caption", _PREV)
            return
        if before.endswith(("(", "[")) or _ends_with_dash(before) or _ends_with_with(before):
            if before.endswith(("(", "[")) and _defines(before, rel, first):
                return  # "Agence France-Presse (AFP)" spells out a name, it does not credit
            position = "middle" if photo else _position(text, ls, le)
            if position == "last":
                _claim(claims, chain, "footer", _DOC)
            elif position == "first":
                _claim(claims, chain, "source", _DOC)
            else:
                _claim(claims, chain, "caption", _LINE)
            return
        if generic:
            return  # "... aid agencies" closing a sentence credits nobody
        if before.endswith("/"):
            _claim(claims, chain, "caption", _LINE)  # "Ahmad al-Rubaye/AFP"
            return
        if not before[-1].isspace():
            return
        raw = before.rsplit(None, 1)[-1]
        core = raw.rstrip(_PUNCT)
        if raw.endswith(","):
            # After a comma a closing name ends a list or a place ("Pittsburgh, PA", "Tirupati, AP",
            # "felt in Tokyo, Kyodo"); caption credits follow the caption with no comma.
            return
        if core == raw and (core.lower() in _NOT_BEFORE_CREDIT or core.endswith(("'s", "’s"))):
            return  # the object of a sentence or a possessive: "told Reuters", "Korea's Yonhap"
        # After a caption's last word, or after punctuation ("Mosul. Reuters", "Hamdaniya) Getty").
        _claim(claims, chain, "caption", _LINE)

    def _is_mention(self, line: str, start: int, end: int, agency: str) -> bool:
        name = line[start:end]
        if agency == UNNAMED or name in self._credit_only:
            return False
        if line.startswith("-", end) and end + 1 < len(line) and line[end + 1].isalnum():
            return False  # "AP-style", "AP-NORC"
        before = line[max(0, start - 40) : start]
        found = _MENTION_BEFORE.search(before)
        if found:
            return not (found.group("the") and name.isupper())
        if name.isupper() and before[-4:].lower() == "the " and not before[-5:-4].isalnum():
            return False
        return _MENTION_AFTER.match(line, end) is not None


def _trie_pattern(strings: Iterable[str]) -> str:
    """A regex matching any of ``strings``, shaped as a trie; longer continuations are tried first."""
    root: dict = {}
    for string in strings:
        node = root
        for char in string:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root) or "(?!)"


def _claim(claims: _Claims, indices: list[int], kind: CreditKind, where: str) -> None:
    """Give the hits a kind and scope unless an earlier (stronger) form already claimed them."""
    for i in indices:
        if claims[i] is None:
            claims[i] = (kind, where)


def _within(rel: list[_Hit], lo: int, hi: int) -> list[int]:
    """Indices of the hits (sorted by start) lying inside ``[lo, hi)``."""
    found = []
    for i in range(bisect_left(rel, lo, key=_start), len(rel)):
        if rel[i][0] >= hi:
            break
        if rel[i][1] <= hi:
            found.append(i)
    return found


_SCOPE_NAME: dict[str, CreditScope] = {_DOC: "document", _LINE: "line", _PREV: "line", _PARA: "paragraph"}


def _scope(text: str, ls: int, le: int, where: str) -> tuple[int, int]:
    if where == _DOC:
        return 0, len(text)
    if where == _PREV:
        return _previous_line_start(text, ls), le
    return ls, le


def _ends_with_dash(before: str) -> bool:
    """Whether a dash introduces what follows ("— Reuters", "- AFP", "--Xinhua")."""
    text = before.rstrip()
    if text.endswith(("—", "–")):
        return True
    for dash in ("--", "-", "_"):
        if text.endswith(dash):
            head = text[: -len(dash)]
            return not head or head[-1].isspace()
    return False


def _ends_with_with(before: str) -> bool:
    """Whether "with" opens a sign-off ("— With AFP", "(with agencies)"), not a sentence."""
    text = before.rstrip()
    if text[-4:].lower() != "with" or not before[-1:].isspace():
        return False
    head = text[:-4].rstrip()
    return not head or head[-1] in "([—–-."


def _chains(line: str, rel: list[_Hit]) -> list[list[int]]:
    """Runs of names joined by separators ("AFP/Getty Images", "AP and Reuters"), as hit indices."""
    chains: list[list[int]] = []
    for i, (s, _, _) in enumerate(rel):
        if chains:
            prev_end = rel[chains[-1][-1]][1]
            gap = line[prev_end:s]
            if gap.strip() and len(gap) <= 7 and _SEPARATORS.fullmatch(gap):
                chains[-1].append(i)
                continue
        chains.append([i])
    return chains


def _only_separators(line: str, lo: int, hi: int, hits: list[_Hit]) -> bool:
    pos, rest = lo, []
    for s, e, _ in hits:
        rest.append(line[pos:s])
        pos = e
    rest.append(line[pos:hi])
    return all(_SEPARATORS.fullmatch(part) for part in rest)


def _byline_words_ok(line: str, start: int, rel: list[_Hit]) -> bool:
    """A byline holds names, agency names and a few glue words ("By LEE KEATH, Associated Press")."""
    for word in _BYLINE_WORD.finditer(line, start):
        ws, we = word.span()
        if any(s < we and ws < e for s, e, _ in rel):
            continue
        token = word.group()
        if not (token[0].isupper() or token[0].isdigit() or token.lower() in _BYLINE_LOWER or token == "&"):
            return False
    return True


def _name_like(text: str) -> bool:
    """Whether text after a slash is a photographer's name ("Hadi Mizban", "STR", "Ahmad al-Rubaye")."""
    for word in text.split():
        lower = word.lower()
        if not (word[0].isupper() or word[0].isdigit() or lower in _NAME_PARTICLES or lower.startswith(("al-", "el-"))):
            return False
    return True


def _defines(before: str, rel: list[_Hit], first: _Hit) -> bool:
    """Whether the parenthesised name follows another name of the same agency."""
    end = len(before[:-1].rstrip())
    return any(e == end and agency == first[2] for _, e, agency in rel)


def _position(text: str, ls: int, le: int) -> str:
    """ "first" if no text comes before the line, "last" if at most a couple of short lines follow
    it (sign-offs, editor's notes), else "middle"; a document of one line is "last"."""
    pos, count, n = le + 1, 0, len(text)
    last = True
    while pos < n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        length = len(text[pos:nl].strip())
        if length:
            count += 1
            if count > _LAST_LINES or length > _LAST_LINE_CHARS:
                last = False
                break
        pos = nl + 1
    if last:
        return "last"
    return "middle" if _NONSPACE.search(text, 0, ls) else "first"


def _previous_line_start(text: str, ls: int) -> int:
    end = ls - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if text[start:end].strip():
            return start
        end = start - 1
    return ls


@lru_cache(maxsize=8)
def _extractor(gazetteer: Gazetteer) -> CreditExtractor:
    return CreditExtractor(gazetteer)


def extract_credits(doc: Document, gazetteer: Gazetteer) -> list[Credit]:
    """The agency credits of ``doc`` found with ``gazetteer``, sorted by start.

    Each ``Credit`` spans the agency's name as written in ``doc.text`` (or a generic phrase such
    as "Agencies" for agency ``UNNAMED``). The compiled patterns are cached per gazetteer, so
    calling this for every document of a corpus is cheap. Raises nothing for any text.
    """
    return _extractor(gazetteer).extract(doc)
