"""Origin inference on hand-built records: which agency a cluster of reused text most likely
started with, and when the evidence is too thin or too conflicting to say.

Each test builds the documents, the cluster's occurrences and the credits the way the credit
extractor would (a credit's span is the agency's name as written; a caption credit's scope is
its line; a dateline's, byline's, footer's or source's is the whole document).
"""

from __future__ import annotations

import pytest

from provenance.credits import UNNAMED, Gazetteer, load_gazetteer
from provenance.dates import parse_date
from provenance.graph import infer_origin, infer_origins
from provenance.records import Cluster, Credit, Document, Occurrence, Origin

CAPTION = "Villagers wade through floodwater after Cyclone Nadira hit Khulna district, Bangladesh, on Monday."
BODY = (
    "The storm made landfall near the port of Mongla with sustained winds of up to 130 kilometres per hour, "
    "the Bangladesh Meteorological Department said."
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def make_doc(index: int, *lines: str, outlet: str | None = None, date: str | None = None) -> Document:
    return Document(
        index=index,
        doc_id=f"doc-{index}",
        text="\n\n".join(lines),
        source="test",
        outlet=outlet,
        date=date,
        when=parse_date(date),
    )


def occurrence(doc: Document, passage: str, n: int = 1, cluster_id: str = "c000001") -> Occurrence:
    """The ``n``-th place where ``passage`` stands in ``doc``."""
    start = -1
    for _ in range(n):
        start = doc.text.index(passage, start + 1)
    return Occurrence(f"p{doc.index}-{start}", cluster_id, doc.index, start, start + len(passage), "cross-document")


def credit(doc: Document, agency: str, name: str, kind: str, after: str = "") -> Credit:
    """A credit of ``agency`` spanning ``name`` (its first occurrence after the text ``after``),
    scoped like the extractor scopes that kind of credit."""
    start = doc.text.index(name, doc.text.index(after) + len(after) if after else 0)
    end = start + len(name)
    if kind in ("dateline", "byline", "footer", "source"):
        scope, lo, hi = "document", 0, len(doc.text)
    else:  # caption: its line; mention: its paragraph (one line)
        lo = doc.text.rfind("\n", 0, start) + 1
        hi = doc.text.find("\n", end)
        hi = len(doc.text) if hi < 0 else hi
        scope = "paragraph" if kind == "mention" else "line"
    return Credit(doc.index, agency, start, end, kind, scope, lo, hi)  # type: ignore[arg-type]


def cluster_of(*occurrences: Occurrence, cluster_id: str = "c000001", boilerplate: bool = False) -> Cluster:
    return Cluster(cluster_id, tuple(occurrences), boilerplate)


def credits_by_doc(*credits: Credit) -> dict[int, list[Credit]]:
    found: dict[int, list[Credit]] = {}
    for c in credits:
        found.setdefault(c.doc, []).append(c)
    return found


def check_origin(origin: Origin) -> None:
    """What every origin promises, whatever the evidence."""
    assert 0.0 <= origin.confidence <= 1.0
    assert origin.evidence.strip(), "an origin always says why"


# Scoped credits, document-wide credits and credits elsewhere in the document


def test_a_caption_credit_on_the_passage_beats_a_document_wide_credit(gazetteer: Gazetteer) -> None:
    # Both outlets run a Reuters story (byline) with an AP photo; the reused text is the caption.
    docs = [
        make_doc(i, "By Reuters Staff", BODY, f"{CAPTION} Photo / AP", "More to follow.", outlet=f"Outlet {i}")
        for i in range(2)
    ]
    credits = []
    for doc in docs:
        credits += [credit(doc, "Reuters", "Reuters", "byline"), credit(doc, "AP", "AP", "caption", after=CAPTION)]
    caption = f"{CAPTION} Photo / AP"
    cluster = cluster_of(*(occurrence(d, caption) for d in docs))

    origin = infer_origin(cluster, docs, credits_by_doc(*credits), gazetteer)

    check_origin(origin)
    assert origin.agency == "AP"
    assert "caption credit on the passage's line" in origin.evidence
    assert "Reuters" in origin.evidence  # the losing agency is named as evidence against


def test_the_same_document_wide_credit_wins_for_the_body_text(gazetteer: Gazetteer) -> None:
    # In the same documents the AP caption credit does not cover the body paragraph: Reuters.
    docs = [
        make_doc(i, "By Reuters Staff", BODY, f"{CAPTION} Photo / AP", "More to follow.", outlet=f"Outlet {i}")
        for i in range(2)
    ]
    credits = []
    for doc in docs:
        credits += [credit(doc, "Reuters", "Reuters", "byline"), credit(doc, "AP", "AP", "caption", after=CAPTION)]
    cluster = cluster_of(*(occurrence(d, BODY) for d in docs))

    origin = infer_origin(cluster, docs, credits_by_doc(*credits), gazetteer)

    check_origin(origin)
    assert origin.agency == "Reuters"
    assert "byline credit" in origin.evidence


def test_a_scoped_credit_in_one_copy_outweighs_a_document_wide_credit_in_another(gazetteer: Gazetteer) -> None:
    a = make_doc(0, "LONDON (Reuters) - Storm coverage continues.", f"{CAPTION} Photo / AP")
    b = make_doc(1, "A roundup of the day's pictures.", f"{CAPTION} Photo / AP")
    credits = [
        credit(a, "Reuters", "Reuters", "dateline"),
        credit(a, "AP", "AP", "caption", after=CAPTION),
        credit(b, "AP", "AP", "caption", after=CAPTION),
    ]
    caption = f"{CAPTION} Photo / AP"
    origin = infer_origin(
        cluster_of(occurrence(a, caption), occurrence(b, caption)), [a, b], credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency == "AP"


# Redistribution: AAP carries AP copy


def test_redistribution_moves_aaps_points_to_ap(gazetteer: Gazetteer) -> None:
    # Seed 000 credits the caption "Source: AAP", seed 001 "Photo / AP" (twice): AAP resells AP.
    a = make_doc(0, BODY, f"{CAPTION} Source: AAP")
    b = make_doc(1, BODY, f"{CAPTION} Photo / AP", f"{CAPTION} Photo / AP")
    credits = [
        credit(a, "AAP", "AAP", "caption"),
        credit(b, "AP", "AP", "caption", after=CAPTION),
        credit(b, "AP", "AP", "caption", after=f"{CAPTION} Photo / AP\n\n{CAPTION}"),
    ]
    cluster = cluster_of(occurrence(a, CAPTION), occurrence(b, CAPTION), occurrence(b, CAPTION, n=2))

    origin = infer_origin(cluster, [a, b], credits_by_doc(*credits), gazetteer)

    check_origin(origin)
    assert origin.agency == "AP"
    assert "AAP carries AP" in origin.evidence
    assert origin.confidence == 1.0  # nothing speaks against AP once AAP's points are AP's


def test_ap_is_the_origin_even_when_aap_credits_outnumber_ap_credits(gazetteer: Gazetteer) -> None:
    docs = [make_doc(i, BODY, f"{CAPTION} Source: AAP") for i in range(3)]
    docs.append(make_doc(3, BODY, f"{CAPTION} Photo / AP"))
    credits = [credit(d, "AAP", "AAP", "caption") for d in docs[:3]]
    credits.append(credit(docs[3], "AP", "AP", "caption", after=CAPTION))
    cluster = cluster_of(*(occurrence(d, CAPTION) for d in docs))

    origin = infer_origin(cluster, docs, credits_by_doc(*credits), gazetteer)

    check_origin(origin)
    assert origin.agency == "AP"


def test_aap_alone_is_its_own_origin(gazetteer: Gazetteer) -> None:
    # Without an AP credit there is nothing to move AAP's points to.
    docs = [make_doc(i, BODY, f"{CAPTION} Source: AAP") for i in range(2)]
    credits = [credit(d, "AAP", "AAP", "caption") for d in docs]
    origin = infer_origin(
        cluster_of(*(occurrence(d, CAPTION) for d in docs)), docs, credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency == "AAP"


def test_getty_photo_credits_count_for_afp(gazetteer: Gazetteer) -> None:
    # "AFP/Getty Images" gives two caption credits; Getty carries AFP's photos.
    docs = [make_doc(i, BODY, f"{CAPTION} AFP/Getty Images") for i in range(2)]
    credits = []
    for d in docs:
        credits += [credit(d, "AFP", "AFP", "caption"), credit(d, "Getty", "Getty Images", "caption")]
    caption = f"{CAPTION} AFP/Getty Images"
    origin = infer_origin(
        cluster_of(*(occurrence(d, caption) for d in docs)), docs, credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency == "AFP"
    assert "Getty carries AFP" in origin.evidence


# The agency's own copy


@pytest.mark.parametrize(("outlet", "agency"), [("Reuters", "Reuters"), ("AP", "AP"), ("Associated Press", "AP")])
def test_an_agencys_own_outlet_counts(gazetteer: Gazetteer, outlet: str, agency: str) -> None:
    own = make_doc(0, BODY, outlet=outlet, date="2024-05-27")
    reprint = make_doc(1, BODY, outlet="Eastern Post", date="2024-05-28")
    origin = infer_origin(cluster_of(occurrence(own, BODY), occurrence(reprint, BODY)), [own, reprint], {}, gazetteer)
    check_origin(origin)
    assert origin.agency == agency
    assert f"published by {agency} itself in doc-0" in origin.evidence


def test_an_outlet_that_is_no_agency_gives_no_origin(gazetteer: Gazetteer) -> None:
    docs = [make_doc(0, BODY, outlet="The Daily Herald"), make_doc(1, BODY, outlet="Coastal Gazette")]
    origin = infer_origin(cluster_of(*(occurrence(d, BODY) for d in docs)), docs, {}, gazetteer)
    check_origin(origin)
    assert origin.agency is None


def test_the_agencys_own_copy_beats_a_single_credit_to_another_agency(gazetteer: Gazetteer) -> None:
    own = make_doc(0, BODY, outlet="Reuters")
    other = make_doc(1, BODY, "— AFP", outlet="Eastern Post")
    credits = [credit(other, "AFP", "AFP", "footer")]
    origin = infer_origin(
        cluster_of(occurrence(own, BODY), occurrence(other, BODY)), [own, other], credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency == "Reuters"


# Thin evidence: no origin, and the evidence says why


def test_no_credits_gives_no_origin(gazetteer: Gazetteer) -> None:
    docs = [make_doc(i, BODY) for i in range(2)]
    origin = infer_origin(cluster_of(*(occurrence(d, BODY) for d in docs)), docs, {}, gazetteer)
    check_origin(origin)
    assert origin == Origin("c000001", None, 0.0, "no credits cover this passage")


def test_only_a_mention_gives_no_origin(gazetteer: Gazetteer) -> None:
    a = make_doc(0, BODY, '"Clean water comes first," a relief coordinator told Reuters by telephone.')
    b = make_doc(1, BODY)
    credits = [credit(a, "Reuters", "Reuters", "mention")]
    origin = infer_origin(
        cluster_of(occurrence(a, BODY), occurrence(b, BODY)), [a, b], credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency is None
    assert origin.confidence == 0.0
    assert "no credits" in origin.evidence


def test_mentions_in_every_copy_are_still_only_mentions(gazetteer: Gazetteer) -> None:
    # Four outlets quote the same U.N. statement and each also quotes someone who "told Reuters"
    # elsewhere in the story. A quoted source says nothing about who supplied the statement:
    # four faint mentions (0.25 each) must not add up to an origin.
    docs = [
        make_doc(i, BODY, f'"Water comes first," coordinator No. {i} told Reuters.', outlet=f"Outlet {i}")
        for i in range(4)
    ]
    credits = [credit(d, "Reuters", "Reuters", "mention") for d in docs]
    origin = infer_origin(cluster_of(*(occurrence(d, BODY) for d in docs)), docs, credits_by_doc(*credits), gazetteer)
    check_origin(origin)
    assert origin.agency is None, origin


def test_only_an_unnamed_credit_gives_no_origin(gazetteer: Gazetteer) -> None:
    a = make_doc(0, BODY, "Agencies contributed to this story.")
    b = make_doc(1, BODY)
    credits = [credit(a, UNNAMED, "Agencies", "byline")]
    origin = infer_origin(
        cluster_of(occurrence(a, BODY), occurrence(b, BODY)), [a, b], credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency is None
    assert origin.confidence == 0.0
    assert origin.evidence == "agency copy, agency not named"


def test_an_unnamed_credit_does_not_dilute_a_named_one(gazetteer: Gazetteer) -> None:
    a = make_doc(0, BODY, "Agencies contributed to this story.")
    b = make_doc(1, "LONDON (Reuters) - Weather news.", BODY)
    credits = [credit(a, UNNAMED, "Agencies", "byline"), credit(b, "Reuters", "Reuters", "dateline")]
    origin = infer_origin(
        cluster_of(occurrence(a, BODY), occurrence(b, BODY)), [a, b], credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency == "Reuters"


# Conflicting credits: no origin


def test_three_equally_strong_conflicting_credits_give_no_origin(gazetteer: Gazetteer) -> None:
    agencies = ["AP", "Reuters", "AFP"]
    docs = [make_doc(i, BODY, f"{CAPTION} Photo / {a}") for i, a in enumerate(agencies)]
    credits = [credit(d, a, a, "caption", after=CAPTION) for d, a in zip(docs, agencies, strict=True)]
    origin = infer_origin(
        cluster_of(*(occurrence(d, CAPTION) for d in docs)), docs, credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency is None
    assert origin.evidence.startswith("conflicting credits: ")
    for agency in agencies:
        assert agency in origin.evidence


@pytest.mark.parametrize("first", ["AP", "Reuters"])
def test_two_equally_strong_conflicting_credits_give_no_origin(gazetteer: Gazetteer, first: str) -> None:
    # Two copies of the same length, undated, one credited "Photo / AP", the other "Photo /
    # Reuters": nothing tells them apart. Neither document order (a "most complete copy" bonus
    # given to the lower index on a length tie) nor a share of exactly one half may pick one.
    second = "Reuters" if first == "AP" else "AP"
    docs = [make_doc(0, BODY, f"{CAPTION} Photo / {first}"), make_doc(1, BODY, f"{CAPTION} Photo / {second}")]
    credits = [
        credit(docs[0], first, first, "caption", after=CAPTION),
        credit(docs[1], second, second, "caption", after=CAPTION),
    ]
    origin = infer_origin(
        cluster_of(*(occurrence(d, CAPTION) for d in docs)), docs, credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency is None, origin
    assert origin.evidence.startswith("conflicting credits: ")


def test_a_clear_majority_wins_over_a_lone_dissenting_credit(gazetteer: Gazetteer) -> None:
    agencies = ["AP", "AP", "AP", "Reuters"]
    docs = [make_doc(i, BODY, f"{CAPTION} Photo / {a}") for i, a in enumerate(agencies)]
    credits = [credit(d, a, a, "caption", after=CAPTION) for d, a in zip(docs, agencies, strict=True)]
    origin = infer_origin(
        cluster_of(*(occurrence(d, CAPTION) for d in docs)), docs, credits_by_doc(*credits), gazetteer
    )
    check_origin(origin)
    assert origin.agency == "AP"
    assert "against: Reuters" in origin.evidence
    assert origin.confidence < 1.0


# Dates break ties between otherwise equal credits


@pytest.mark.parametrize(
    ("ap_date", "reuters_date", "expected"),
    [("2024-05-27", "2024-05-29", "AP"), ("2024-05-29", "2024-05-27", "Reuters")],
)
def test_the_earliest_dated_copy_tips_a_tie(
    gazetteer: Gazetteer, ap_date: str, reuters_date: str, expected: str
) -> None:
    # Two copies with equal document-wide credits; a third, uncredited copy is the most
    # complete, so only the date can tell: the earliest copy's credit counts once more.
    ap = make_doc(0, "DHAKA, Bangladesh (AP) — Weather news.", BODY, date=ap_date)
    reuters = make_doc(1, "LONDON (Reuters) - Weather news.", BODY, date=reuters_date)
    full = make_doc(2, f"{BODY} More details as they come.", date="2024-05-30")
    credits = [credit(ap, "AP", "AP", "dateline"), credit(reuters, "Reuters", "Reuters", "dateline")]
    cluster = cluster_of(occurrence(ap, BODY), occurrence(reuters, BODY), occurrence(full, f"{BODY} More details"))
    origin = infer_origin(cluster, [ap, reuters, full], credits_by_doc(*credits), gazetteer)
    check_origin(origin)
    assert origin.agency == expected


# infer_origins: every cluster, in order, with the credits of its own documents


def test_infer_origins_keeps_cluster_order_and_uses_each_documents_credits(gazetteer: Gazetteer) -> None:
    a = make_doc(0, BODY, f"{CAPTION} Photo / AP")
    b = make_doc(1, BODY, f"{CAPTION} Photo / AP", "— Reuters")
    credits = [
        credit(a, "AP", "AP", "caption", after=CAPTION),
        credit(b, "AP", "AP", "caption", after=CAPTION),
        credit(b, "Reuters", "Reuters", "footer"),
    ]
    clusters = [
        cluster_of(occurrence(a, CAPTION, cluster_id="c000001"), occurrence(b, CAPTION, cluster_id="c000001")),
        cluster_of(
            occurrence(a, BODY, cluster_id="c000002"), occurrence(b, BODY, cluster_id="c000002"), cluster_id="c000002"
        ),
    ]
    origins = infer_origins(clusters, [a, b], credits, gazetteer)
    assert [o.cluster_id for o in origins] == ["c000001", "c000002"]
    assert [o.agency for o in origins] == ["AP", "Reuters"]
    for origin in origins:
        check_origin(origin)
