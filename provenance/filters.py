"""Which documents a scan keeps after reading: a date range and a set of outlets.

Applied to the documents as read, before any sketching; the documents kept are indexed again
``0..n-1``. The filters are part of a run's identity (``report.manifest.run_identity``), so a
report filtered one way is a different run from one filtered another way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from provenance.corpus import Corpus
from provenance.errors import ConfigError
from provenance.records import Document


@dataclass(frozen=True, slots=True)
class FilterConfig:
    """The documents a scan keeps (all of them by default).

    - ``since`` / ``until``: the first and last date or instant kept, inclusive, as ISO 8601
      text (``2017-03-07``, ``2017-03-07T09:30``, ``2017-03-07T09:30+01:00``); a date alone is
      its whole day, a time without a zone is UTC. A document whose date is unknown is not kept
      when either is given.
    - ``outlets``: the outlets kept, matched whole and case-insensitively; a document without
      an outlet is not kept when any is given.
    """

    since: str | None = None
    until: str | None = None
    outlets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        start, end = date_bound(self.since, "--since"), date_bound(self.until, "--until", end=True)
        if start is not None and end is not None and start >= end:
            raise ConfigError(f"--since {self.since} is after --until {self.until}; nothing could be kept")
        for outlet in self.outlets:
            if not outlet.strip():
                raise ConfigError("--outlet must name an outlet, got an empty one")

    @property
    def active(self) -> bool:
        """Whether any document can be left out."""
        return bool(self.since or self.until or self.outlets)


def date_bound(text: str | None, option: str, end: bool = False) -> datetime | None:
    """The instant a ``--since`` (``end`` False: the first instant kept) or ``--until`` (``end``
    True: the first instant after those kept) bound stands for, in UTC.

    Raises:
        ConfigError: ``text`` is not an ISO 8601 date or date-time.
    """
    if text is None:
        return None
    value = text.strip()
    try:
        day = date.fromisoformat(value) if len(value) <= 10 else None
        instant = datetime(day.year, day.month, day.day, tzinfo=UTC) if day else datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not a date; give an ISO date (2017-03-07) or date-time (2017-03-07T09:30)"
        ) from None
    instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    if end:  # inclusive: a day runs to the next midnight, an instant to the next microsecond
        instant += timedelta(days=1) if day else timedelta(microseconds=1)
    return instant.astimezone(UTC)


def document_time(doc: Document) -> datetime | None:
    """When ``doc`` was published (UTC), None when its date is unknown: the one place filters
    read a document's date."""
    return doc.when


def keep_documents(docs: Sequence[Document], filters: FilterConfig) -> tuple[Sequence[Document], int]:
    """The documents ``filters`` keeps, indexed again ``0..n-1``, and how many were left out.
    Without any filter, ``docs`` itself (never copied)."""
    if not filters.active:
        return docs, 0
    start, end = date_bound(filters.since, "--since"), date_bound(filters.until, "--until", end=True)
    outlets = {o.strip().casefold() for o in filters.outlets}
    kept: list[int] = []
    for at, doc in enumerate(docs):
        if outlets and (doc.outlet is None or doc.outlet.strip().casefold() not in outlets):
            continue
        if start is not None or end is not None:
            when = document_time(doc)
            if when is None or (start is not None and when < start) or (end is not None and when >= end):
                continue
        kept.append(at)
    left_out = len(docs) - len(kept)
    if isinstance(docs, Corpus):
        return docs.select(kept), left_out
    return [dataclasses.replace(docs[at], index=i) for i, at in enumerate(kept)], left_out
