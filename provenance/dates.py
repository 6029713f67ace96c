"""Read the dates news data comes with, so that documents can be put in time order.

``parse_date`` is the one reader of dates: ingest calls it once per document (``Document.when``),
and everything that compares dates (origins, ``copied_from``, dedup's ``earliest``, the time
figures) uses that value. What it reads, always as a UTC instant:

- ISO 8601: ``2017-03-07``, ``2017-03-07T14:00:00``, with a zone (``+01:00``, ``+0100``, ``Z``)
  or fractions of a second;
- month names (English, full or abbreviated, with or without a weekday): ``March 7, 2017``,
  ``7 March 2017``, ``Mar 7 2017``, ``Tuesday, 7th of March 2017``, each with an optional time
  (``14:00``, ``2:00 pm``) and zone (``UTC``, ``GMT``, ``EST`` ... or an offset);
- RFC 2822 (e-mail, RSS): ``Tue, 07 Mar 2017 14:00:00 +0000``;
- Reuters-21578: ``26-FEB-1987 15:01:01.79``;
- numbers with a four-digit year: year first (``2017/03/07``, ``2017.3.7``) is always year,
  month, day; year last with slashes or dashes (``07/03/2017``) is month first unless
  ``dayfirst``; year last with dots (``7.3.2017``) is day first, as it is written wherever it is
  used. A form only one reading fits (``31/12/2017``, ``12/31/2017``) is read that way whatever
  ``dayfirst`` says.

A date without a time is midnight UTC; a time without a zone is taken as UTC; a time with one
is converted to UTC. Anything else ("next Tuesday", a month alone, a two-digit year outside an
RFC 2822 date, which defines them) is unknown: ``None``, never a guess.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# The zone names RFC 2822 defines (US zones, UT, GMT), and UTC; minutes east of UTC.
_ZONES = {
    "z": 0,
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "mst": -420,
    "mdt": -360,
    "pst": -480,
    "pdt": -420,
}

_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = (
    r"(?:(?:\s*,\s*|\s+(?:at\s+)?|T)(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\.?)?"
    r"(?:\s*(?P<zone>[a-z]{1,4}|[+-]\d{2}(?::?\d{2})?))?)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[a-z]{3,9})\.?"
_PATTERNS = tuple(
    re.compile(f"{pattern}{_TIME}", re.IGNORECASE)
    for pattern in (
        # March 7, 2017; Mar 7 2017; Tuesday, March 7th, 2017
        rf"{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})",
        # 7 March 2017; Tue, 07 Mar 2017 (RFC 2822); 7th of March, 2017
        rf"{_WEEKDAY}(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})",
        # 26-FEB-1987 (Reuters-21578)
        rf"(?P<day>\d{{1,2}})-{_MONTH}-(?P<year>\d{{4}})",
        # 2017/03/07; 2017.3.7; 2017-3-7
        r"(?P<year>\d{4})(?P<sep>[/.-])(?P<first>\d{1,2})(?P=sep)(?P<second_part>\d{1,2})",
        # 07/03/2017; 7.3.2017; 07-03-2017
        r"(?P<first>\d{1,2})(?P<sep>[/.-])(?P<second_part>\d{1,2})(?P=sep)(?P<year>\d{4})",
    )
)


_RFC2822 = re.compile(r"(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}", re.IGNORECASE)


def parse_date(text: str | None, dayfirst: bool = False) -> datetime | None:
    """The UTC instant a date as written stands for (module docstring), or None when it cannot
    be read (or is empty). ``dayfirst`` reads an ambiguous numeric date with the year last
    (``07/03/2017``) day first: 7 March rather than July 3. The result is timezone-aware (UTC).
    """
    if text is None:
        return None
    return _parse(text.strip(), dayfirst)


@lru_cache(maxsize=65536)
def _parse(text: str, dayfirst: bool) -> datetime | None:
    if not text:
        return None
    parsed = _iso(text) or _written(text, dayfirst) or _rfc2822(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # a zone pushing year 1 or 9999 out of range
        return None


def _iso(text: str) -> datetime | None:
    if not text[:4].isdigit():
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _written(text: str, dayfirst: bool) -> datetime | None:
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            return _from_match(match, dayfirst)
    return None


def _from_match(match: re.Match[str], dayfirst: bool) -> datetime | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if parts.get("month") is not None:
        month = _MONTHS.get(parts["month"].lower())
        day = int(parts["day"])
        if month is None:
            return None
    else:
        month, day = _numeric(match, dayfirst) or (0, 0)
    hour, minute, second, micro = 0, 0, 0, 0
    if parts["hour"] is not None:
        hour, minute = int(parts["hour"]), int(parts["minute"])
        second = int(parts["second"] or 0)
        micro = int((parts["fraction"] or "0")[:6].ljust(6, "0"))
        if parts["ampm"] is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if parts["ampm"].lower() == "p" else 0)
    zone = _zone(parts["zone"]) if parts["zone"] is not None else UTC
    if zone is None:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    except ValueError:  # no such day, month or time
        return None


def _numeric(match: re.Match[str], dayfirst: bool) -> tuple[int, int] | None:
    """(month, day) of a numeric date: year first is year-month-day; year last is read as its
    separator and ``dayfirst`` say, unless only the other reading is a date."""
    first, second = int(match["first"]), int(match["second_part"])
    if match.start("year") == 0:
        return first, second
    day_first = dayfirst or match["sep"] == "."
    if first > 12 >= second:
        day_first = True
    elif second > 12 >= first:
        day_first = False
    return (second, first) if day_first else (first, second)


def _zone(name: str) -> timezone | None:
    if name[0] in "+-":
        digits = name[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
        if minutes >= 24 * 60:
            return None
        return timezone(timedelta(minutes=-minutes if name[0] == "-" else minutes))
    offset = _ZONES.get(name.lower())
    return None if offset is None else timezone(timedelta(minutes=offset))


def _rfc2822(text: str) -> datetime | None:
    # Older e-mail forms the patterns leave out (two-digit years, obsolete zones), and only those:
    # the e-mail parser takes much else that is no RFC 2822 date.
    if _RFC2822.match(text) is None:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
