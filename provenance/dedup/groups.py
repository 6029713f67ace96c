"""Near-duplicate groups and the representative each keeps.

Verified pairs (exact Jaccard at or above the threshold) join documents into connected
components. Inside a component the policy ranks the documents; the best one is kept and every
member at least ``threshold`` similar to *it* is removed as its duplicate. Members left over
(similar to a removed document but not to the kept one: A ~ B ~ C with A !~ C) form the next
group the same way. So every removed document really is a near-copy of the document kept in
its place, and no two kept documents of a component are near-duplicates of each other.

Policies (the rank, best first):

- ``earliest``: the earliest date (``Document.when``, read at ingest by
  ``provenance.dates.parse_date``: ISO 8601, RFC 2822, "9 May 2024"...; undated documents and
  dates that cannot be read come last), then the smallest document id.
- ``longest``: the most characters, then as ``earliest``.
- ``credited``: the group's likely wire origin is inferred from agency credits exactly as for
  a passage cluster (``provenance.graph.infer_origin``, each document taken whole); the copy
  published by that agency itself wins, then a copy that credits it, then as ``earliest``.
  Without a credited origin it is ``earliest``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from provenance.cluster.clusters import UnionFind
from provenance.credits import Gazetteer
from provenance.graph import infer_origin
from provenance.records import Cluster, Credit, Document, Occurrence

Rank = tuple  # sortable: smaller is better


def components(n: int, pairs: np.ndarray) -> list[list[int]]:
    """Connected components of more than one document, each sorted, ordered by first member."""
    uf = UnionFind(n)
    for a, b in pairs.tolist():
        uf.union(a, b)
    members: dict[int, list[int]] = {}
    for a in sorted({x for pair in pairs.tolist() for x in pair}):
        members.setdefault(uf.find(a), []).append(a)
    return [m for _, m in sorted(members.items()) if len(m) > 1]


def _by_date(doc: Document) -> Rank:
    when = doc.when
    return (when is None, when.timestamp() if when else 0.0, doc.doc_id)


def _date_words(doc: Document) -> str:
    if doc.when is None:
        return f"date {doc.date!r} not read" if doc.date and doc.date.strip() else "undated"
    return f"dated {doc.date}"


@dataclass(frozen=True, slots=True)
class Ranked:
    """A component's documents ranked by the policy, with why each would be kept."""

    order: list[int]
    why: dict[int, str]


def rank_earliest(group: Sequence[int], docs: Sequence[Document]) -> Ranked:
    """Earliest date first, then smallest id."""
    order = sorted(group, key=lambda d: _by_date(docs[d]))
    return Ranked(order, {d: f"earliest ({_date_words(docs[d])}, id {docs[d].doc_id})" for d in group})


def rank_longest(group: Sequence[int], docs: Sequence[Document]) -> Ranked:
    """Most characters first, then as ``earliest``."""
    order = sorted(group, key=lambda d: (-len(docs[d].text), *_by_date(docs[d])))
    return Ranked(order, {d: f"longest ({len(docs[d].text)} characters)" for d in group})


def rank_credited(
    group: Sequence[int], docs: Sequence[Document], credits_of: dict[int, list[Credit]], gazetteer: Gazetteer
) -> Ranked:
    """The likely origin's own copy first, then copies crediting it, then as ``earliest``."""
    cluster = Cluster(
        "group",
        tuple(Occurrence(f"d{d}", "group", d, 0, len(docs[d].text), "cross-document") for d in group),
    )
    origin = infer_origin(cluster, docs, credits_of, gazetteer).agency
    tiers: dict[int, int] = {}
    why: dict[int, str] = {}
    for d in group:
        doc = docs[d]
        if origin and doc.outlet and gazetteer.agency_for(doc.outlet) == origin:
            tiers[d], why[d] = 0, f"published by {origin}, the likely origin"
        elif origin and any(c.agency == origin and c.kind != "mention" for c in credits_of.get(d, ())):
            tiers[d], why[d] = 1, f"credits {origin}, the likely origin ({_date_words(doc)})"
        else:
            tiers[d] = 2
            why[d] = (
                f"earliest ({_date_words(doc)}); no copy credits {origin}"
                if origin
                else f"earliest ({_date_words(doc)}); no credited origin"
            )
    order = sorted(group, key=lambda d: (tiers[d], *_by_date(docs[d])))
    return Ranked(order, why)


@dataclass(frozen=True, slots=True)
class Group:
    """One kept document and the near-duplicates removed in its favour, with their similarity."""

    kept: int
    kept_because: str
    removed: tuple[tuple[int, float], ...]


def split_component(
    ranked: Ranked, threshold: float, similarity: Callable[[int, list[int]], np.ndarray]
) -> list[Group]:
    """Greedy star groups: the best-ranked document keeps every remaining member at least
    ``threshold`` similar to it; repeat on the rest. ``similarity(kept, others)`` gives the
    exact similarity of ``kept`` to each of ``others``."""
    groups = []
    rest = list(ranked.order)
    while rest:
        kept, others = rest[0], rest[1:]
        sims = similarity(kept, others) if others else np.empty(0)
        removed = tuple((d, float(s)) for d, s in zip(others, sims.tolist(), strict=True) if s >= threshold)
        taken = {d for d, _ in removed}
        if removed:
            groups.append(Group(kept, ranked.why[kept], removed))
        rest = [d for d in others if d not in taken]
    return groups
