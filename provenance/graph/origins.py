"""Infer the likely wire origin of every cluster from the credits around its occurrences.

Evidence, strongest first, each a number of points for an agency:

- a credit whose scope (a caption line, a paragraph) covers the occurrence: 3;
- the cluster is in a document published by the agency itself (its outlet is the agency): 4;
- a document-wide credit (dateline, byline, footer, "source: Xinhua"): 1.5;
- the most complete copy (the longest occurrence) and the earliest dated occurrence: their
  document's credits count once more (1 each);
- a weak mention ("told Reuters"): 0.25.

Redistribution then moves points down the supply chain: when the cluster is credited both to
an agency and to one it carries (AAP and AP), the carrier's points go to the agency it carries,
because the copy most likely started there. The winner's share of all points, damped when
there are few points, is the confidence; below ``MIN_POINTS`` or ``MIN_SHARE`` the origin is
unknown rather than a guess.

Only news clusters have an origin: ``news_origins`` gives every other cluster (boilerplate,
stock phrase, credit line) none, with the evidence "not news".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from provenance.corpus import column, text_reader
from provenance.credits import UNNAMED, Gazetteer
from provenance.records import Cluster, Credit, Document, Occurrence, Origin

SCOPED, OWN_OUTLET, DOCUMENT_WIDE, BONUS, MENTION = 3.0, 4.0, 1.5, 1.0, 0.25
MIN_POINTS = 1.0  # less than one document-wide credit's worth: too thin to name an origin
MIN_SHARE = 0.5  # the winner must hold at least half the points


def _points_for_doc(
    outlet: str | None, text: Callable[[], str], start: int, end: int, credits: Sequence[Credit], gazetteer: Gazetteer
) -> dict[str, tuple[float, str]]:
    """Agency -> (points, the strongest reason) from one occurrence's document."""
    found: dict[str, tuple[float, str]] = {}

    def add(agency: str, points: float, reason: str) -> None:
        old = found.get(agency)
        if old is None or points > old[0]:
            found[agency] = (points, reason)

    own = gazetteer.agency_for(outlet) if outlet else None
    if own:
        add(own, OWN_OUTLET, f"published by {own} itself")
    for credit in credits:
        if credit.kind == "mention":
            add(credit.agency, MENTION, f"mentioned ({text()[credit.start : credit.end]!r})")
        elif credit.scope == "document":
            add(credit.agency, DOCUMENT_WIDE, f"{credit.kind} credit")
        elif credit.scope_start < end and start < credit.scope_end:
            add(credit.agency, SCOPED, f"{credit.kind} credit on the passage's {credit.scope}")
    return found


def _single_best(occurrences: Sequence[Occurrence], score: Callable[[Occurrence], float]) -> Occurrence | None:
    """The occurrence with the highest score, or None when documents tie for it."""
    if not occurrences:
        return None
    best = max(score(o) for o in occurrences)
    top = [o for o in occurrences if score(o) == best]
    return top[0] if len({o.doc for o in top}) == 1 else None


@dataclass(frozen=True, slots=True)
class DocFacts:
    """What origins read of a document, by index: its id, outlet, date and text."""

    doc_id: Callable[[int], str]
    outlet: Callable[[int], str | None]
    when: Callable[[int], datetime | None]
    text: Callable[[int], str]

    @classmethod
    def of(cls, docs: Sequence[Document]) -> DocFacts:
        """From the documents' columns (a corpus reads a text only when a mention needs it)."""
        ids, outlets, whens = column(docs, "doc_id"), column(docs, "outlet"), column(docs, "when")
        return cls(ids.__getitem__, outlets.__getitem__, whens.__getitem__, text_reader(docs))


def infer_origin(
    cluster: Cluster,
    docs: Sequence[Document] | Mapping[int, Document],
    credits_of: dict[int, list[Credit]],
    gazetteer: Gazetteer,
    facts: DocFacts | None = None,
) -> Origin:
    """The likely origin of one cluster, with a confidence in [0, 1] and the evidence in words.
    ``facts`` reads the documents (``DocFacts.of(docs)``, made once for many clusters); without
    it, the cluster's documents are taken from ``docs``."""
    if facts is None:
        member = {d: docs[d] for d in cluster.docs}
        facts = DocFacts(
            lambda d: member[d].doc_id, lambda d: member[d].outlet, lambda d: member[d].when, lambda d: member[d].text
        )
    points: dict[str, float] = defaultdict(float)
    reasons: dict[str, list[str]] = defaultdict(list)
    longest = _single_best(cluster.occurrences, lambda o: o.end - o.start)
    dated = [o for o in cluster.occurrences if facts.when(o.doc) is not None]
    # Earliest = largest negated timestamp; a tie between documents gives no bonus to either.
    earliest = _single_best(dated, lambda o: -facts.when(o.doc).timestamp())  # type: ignore[union-attr]
    credited = False
    for occ in cluster.occurrences:
        d = occ.doc
        for agency, (pts, why) in _points_for_doc(
            facts.outlet(d), partial(facts.text, d), occ.start, occ.end, credits_of.get(d, []), gazetteer
        ).items():
            bonus = (BONUS if occ is longest else 0.0) + (BONUS if occ is earliest else 0.0)
            points[agency] += pts + (bonus if pts >= DOCUMENT_WIDE else 0.0)
            reasons[agency].append(f"{why} in {facts.doc_id(d)}")
            credited = credited or (pts > MENTION and agency != UNNAMED)
    named = {a: p for a, p in points.items() if a != UNNAMED}
    for carrier in list(named):
        carried = [a for a in named if gazetteer.redistributes(carrier, a)]
        if carried:
            target = max(carried, key=lambda a: (named[a], a))
            named[target] += named.pop(carrier)
            reasons[target].append(f"{carrier} credits count for {target}: {carrier} carries {target} copy")
    total = sum(named.values())
    if total < MIN_POINTS or not credited:  # mentions alone never name an origin
        why = "agency copy, agency not named" if points.get(UNNAMED) else "no credits cover this passage"
        return Origin(cluster.cluster_id, None, 0.0, why)
    winner = max(named, key=lambda a: (named[a], a))
    share = named[winner] / total
    runner_up = max((p for a, p in named.items() if a != winner), default=0.0)
    confidence = round(share * min(1.0, total / (2 * SCOPED)), 3)
    others = ", ".join(f"{a} {p:g}" for a, p in sorted(named.items(), key=lambda kv: -kv[1]) if a != winner)
    evidence = "; ".join(dict.fromkeys(reasons[winner])) + (f" (against: {others})" if others else "")
    if share < MIN_SHARE or named[winner] == runner_up:
        return Origin(
            cluster.cluster_id, None, round(share, 3), f"conflicting credits: {winner} {named[winner]:g}, {others}"
        )
    return Origin(cluster.cluster_id, winner, confidence, evidence)


def infer_origins(
    clusters: Sequence[Cluster], docs: Sequence[Document], credits: Sequence[Credit], gazetteer: Gazetteer
) -> list[Origin]:
    """The origin of every cluster, in cluster order."""
    credits_of: dict[int, list[Credit]] = defaultdict(list)
    for credit in credits:
        credits_of[credit.doc].append(credit)
    facts = DocFacts.of(docs)
    return [infer_origin(c, docs, credits_of, gazetteer, facts) for c in clusters]


NOT_NEWS = "not news"
"""How an origin's evidence starts when its cluster is not news (``news_origins``)."""


def news_origins(origins: Iterable[Origin], clusters: Sequence[Cluster]) -> list[Origin]:
    """One origin per cluster, in cluster order: as inferred for news clusters; none, with the
    evidence "not news (<category>)", for every other category."""
    inferred = {o.cluster_id: o for o in origins}
    out = []
    for cluster in clusters:
        origin = inferred.get(cluster.cluster_id)
        if cluster.category != "news":
            origin = Origin(cluster.cluster_id, None, 0.0, f"{NOT_NEWS} ({cluster.category})")
        elif origin is None:
            origin = Origin(cluster.cluster_id, None, 0.0, "no credits cover this passage")
        out.append(origin)
    return out
