"""Clusters hold one text (issue 9): no chaining through a grazing overlap, a roundup that
quotes two stories keeps them apart, and site chrome printed above a story stays out of it.

The documents are in the shape of scraped news: site menus and footers, a byline, wire
paragraphs reprinted by several outlets, and a roundup syndicated to two outlets.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.cluster import build_clusters, occurrence_groups, split_composites
from provenance.config import DetectConfig, ScanConfig
from provenance.engines.local import LocalEngine
from provenance.pipeline import detect
from provenance.records import Alignment, Document

AP = (
    "Rescue teams in northern Chile pulled four miners alive from a collapsed copper shaft on Thursday, "
    "two days after a tunnel roof gave way nearly 300 metres underground, the regional governor said. "
    "The men were flown by helicopter to a hospital in Copiapo, where doctors said they were dehydrated "
    "but in stable condition."
)
REUTERS = (
    "Norway's central bank kept its key policy rate unchanged at 4.5 percent on Wednesday and signalled "
    "that borrowing costs would stay on hold well into next year as inflation slowly eases toward its "
    "target, sending the crown lower against the euro in early trading."
)
HEADER = (
    "The Valley Courier | Home | World | Business | Sport | Opinion | Subscribe for full access to every "
    "story and our morning newsletter delivered to your inbox"
)
OWN_STORIES = [
    "The county fair opened on Saturday with a record number of livestock entries and a new pavilion for "
    "local craft brewers, organisers said, after two years of delays caused by flooding.",
    "Residents of Elm Street asked the town council on Monday to install speed bumps after a series of "
    "near misses involving children walking to the primary school at the end of the road.",
    "The library will extend its opening hours during exam season, the head librarian said, and students "
    "will be able to book quiet study rooms online for the first time this year.",
]


def docs_of(texts: list[str], outlets: list[str | None] | None = None) -> list[Document]:
    outlets = outlets or [None] * len(texts)
    return [
        Document(index=i, doc_id=f"d{i}", text=t, source="test", outlet=o)
        for i, (t, o) in enumerate(zip(texts, outlets, strict=True))
    ]


def scan_texts(texts: list[str], outlets: list[str | None] | None = None):
    docs = docs_of(texts, outlets)
    return detect(docs, ScanConfig(detect=DetectConfig()), LocalEngine(workers=1)), docs


def held(cluster, docs) -> str:
    """All the text a cluster's occurrences hold."""
    return " ".join(docs[o.doc].text[o.start : o.end] for o in cluster.occurrences)


def test_a_roundup_quoting_two_stories_keeps_them_apart() -> None:
    roundup = "Here is what happened around the world today.\n\n" + AP + "\n\n" + REUTERS + "\n\nMore tomorrow."
    texts = [
        "SANTIAGO (AP) — " + AP,
        "Chile news in brief.\n\n" + AP + "\n\nWeather: sunny.",
        "OSLO (Reuters) - " + REUTERS,
        "Markets wrap.\n\n" + REUTERS + "\n\nShares were mixed.",
        "The Daily Star\n\n" + roundup,
        "The Evening Post\n\n" + roundup,
    ]
    result, docs = scan_texts(texts)
    for cluster in result.clusters:
        held = " ".join(docs[o.doc].text[o.start : o.end] for o in cluster.occurrences)
        assert not ("copper shaft" in held and "central bank" in held), "the AP and Reuters stories were merged"
    stories = [c for c in result.clusters if len({o.doc for o in c.occurrences}) >= 3]
    assert len(stories) == 2
    ap, reuters = sorted(
        stories,
        key=lambda c: "copper" not in docs[c.occurrences[0].doc].text[c.occurrences[0].start : c.occurrences[0].end],
    )
    assert {o.doc for o in ap.occurrences} == {0, 1, 4, 5}
    assert {o.doc for o in reuters.occurrences} == {2, 3, 4, 5}


def test_site_chrome_above_a_story_does_not_chain_the_story_to_the_outlets_other_pages() -> None:
    courier = [HEADER + "\n\n" + story for story in OWN_STORIES]
    # the outlet printed the AP story twice (an update), both times under its header
    courier += [HEADER + "\n\n" + AP, HEADER + "\n\n" + AP + "\n\nThis story has been updated."]
    texts = [*courier, "SANTIAGO (AP) — " + AP, "Mining news.\n\n" + AP]
    result, docs = scan_texts(texts, ["courier"] * len(courier) + ["ap", "minenews"])
    story = [
        c for c in result.clusters if any("copper shaft" in docs[o.doc].text[o.start : o.end] for o in c.occurrences)
    ]
    assert len(story) == 1
    held = {docs[o.doc].text[o.start : o.end] for o in story[0].occurrences}
    assert not any("Subscribe for full access" in h for h in held), "the header was chained into the story"
    assert {o.doc for o in story[0].occurrences} == {3, 4, 5, 6}
    chrome = [
        c for c in result.clusters if any("Subscribe" in docs[o.doc].text[o.start : o.end] for o in c.occurrences)
    ]
    assert len(chrome) == 1 and {o.doc for o in chrome[0].occurrences} == {0, 1, 2, 3, 4}


def test_a_grazing_or_short_contained_span_stays_apart_and_a_long_contained_one_joins() -> None:
    spans = [(0, 100), (90, 300), (120, 200), (300, 340), (400, 1000), (420, 700)]
    extents, group_of = occurrence_groups(spans, 0.5, long_chars=200)
    # (90, 300) grazes (0, 100); the 80-char (120, 200) inside it is a short line (a stock phrase,
    # a caption) and stays apart; the 280-char (420, 700) is a long excerpt of (400, 1000) and joins
    assert extents == [(0, 100), (90, 300), (120, 200), (300, 340), (400, 1000)]
    assert group_of == [0, 1, 2, 3, 4, 4]


def al(a: int, a0: int, a1: int, b: int, b0: int, b1: int) -> Alignment:
    return Alignment(a, a0, a1, b, b0, b1, similarity=1.0, matched_chars=a1 - a0, matched_words=10)


def test_a_grazing_alignment_leaves_two_clusters() -> None:
    clusters = build_clusters([al(0, 0, 100, 1, 0, 100), al(0, 90, 300, 2, 0, 210)])
    assert [[(o.doc, o.start, o.end) for o in c.occurrences] for c in clusters] == [
        [(0, 0, 100), (1, 0, 100)],
        [(0, 90, 300), (2, 0, 210)],
    ]


def test_a_composite_match_is_cut_where_other_matches_show_two_texts() -> None:
    roundup = AP + "\n\n" + REUTERS
    docs = docs_of([roundup, roundup, AP, REUTERS])
    cut = len(AP)
    pieces = split_composites(
        [
            al(0, 0, len(roundup), 1, 0, len(roundup)),
            al(0, 0, cut, 2, 0, cut),
            al(0, cut + 2, len(roundup), 3, 0, len(REUTERS)),
        ],
        docs,
    )
    assert [(p.doc_a, p.a_start, p.a_end, p.doc_b, p.b_start, p.b_end) for p in pieces[:2]] == [
        (0, 0, cut, 1, 0, cut),
        (0, cut + 2, len(roundup), 1, cut + 2, len(roundup)),
    ]
    assert all(p.similarity == 1.0 for p in pieces[:2])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 500), st.integers(1, 200)), min_size=1, max_size=30),
    st.floats(0.05, 1.0),
    st.sampled_from([50, 120, 200]),
)
def test_occurrence_groups_are_the_components_of_the_overlap_rule(raw, min_overlap: float, long_chars: int) -> None:
    spans = [(s, s + n) for s, n in raw]
    extents, group_of = occurrence_groups(spans, min_overlap, long_chars)
    assert extents == sorted(extents)
    for (start, end), g in zip(spans, group_of, strict=True):
        assert extents[g][0] <= start and end <= extents[g][1]
    assert sorted(set(group_of)) == list(range(len(extents)))

    # The reference: every pair of spans compared, joined by the rule, components by search.
    def joins(a: tuple[int, int], b: tuple[int, int]) -> bool:
        overlap = min(a[1], b[1]) - max(a[0], b[0])
        shorter, longer = sorted((a[1] - a[0], b[1] - b[0]))
        return overlap >= min_overlap * longer or (shorter >= long_chars and overlap >= min_overlap * shorter)

    component = list(range(len(spans)))
    for i in range(len(spans)):
        for j in range(len(spans)):
            if spans[i] == spans[j] or joins(spans[i], spans[j]):
                old, new = component[j], component[i]
                component = [new if c == old else c for c in component]
    for i in range(len(spans)):
        for j in range(len(spans)):
            assert (group_of[i] == group_of[j]) == (component[i] == component[j])


def test_noise_on_many_pages_is_cut_off_the_edges_of_a_match() -> None:
    from provenance.cluster.trim import trim_noise

    page = HEADER + "\n\n" + AP
    docs = docs_of([page, page])
    story = len(HEADER) + 2
    whole = al(0, 0, len(page), 1, 0, len(page))
    (trimmed,) = trim_noise([whole], docs, {0: [(0, len(HEADER))], 1: [(0, len(HEADER))]})
    assert (trimmed.a_start, trimmed.a_end, trimmed.b_start, trimmed.b_end) == (story, len(page), story, len(page))
    assert trimmed.similarity == 1.0
    # a match that is all noise stays as it is: it is the noise's own cluster
    header_only = al(0, 0, len(HEADER), 1, 0, len(HEADER))
    assert trim_noise([header_only], docs, {0: [(0, len(HEADER))], 1: [(0, len(HEADER))]}) == [header_only]


CAPTION = "Rescuers carry an injured miner to a waiting ambulance outside the collapsed shaft near Copiapo"


def test_a_caption_shared_by_a_few_stories_is_news_and_the_same_line_without_credits_is_not() -> None:
    bodies = OWN_STORIES + [REUTERS, AP[:180]]
    captioned = [f"{body}\n{CAPTION}. Photo / AP\nMore on this story later." for body in bodies[:4]]
    result, docs = scan_texts(captioned, ["a", "b", "c", "d"])
    (caption,) = [c for c in result.clusters if "Rescuers carry" in held(c, docs)]
    assert caption.category == "news", caption.category_reason
    assert "caption" in caption.category_reason
    bare = [f"{body} Witnesses saw {CAPTION.lower()} as night fell." for body in bodies[:4]]
    result, docs = scan_texts(bare, ["a", "b", "c", "d"])
    (phrase,) = [c for c in result.clusters if "rescuers carry" in held(c, docs).lower()]
    assert phrase.category == "stock", phrase.category_reason
