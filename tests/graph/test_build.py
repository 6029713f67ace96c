"""The provenance graph built from hand-made clusters and origins: which nodes and edges there
are, which way ``copied_from`` points, and what each edge weighs."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.arrow import Rows
from provenance.dates import parse_date
from provenance.graph import build_graph, node_id
from provenance.graph.build import MAX_PAIR_DOCS
from provenance.records import Category, Cluster, Document, GraphEdge, GraphNode, Occurrence, Origin

PARAGRAPH = (
    "Flights resumed at Kolkata's airport on Monday evening after Cyclone Nadira weakened into a deep "
    "depression over eastern India, leaving uprooted trees and waterlogged streets across the city."
)


def make_doc(index: int, outlet: str | None = None, date: str | None = None, title: str | None = None) -> Document:
    return Document(
        index=index,
        doc_id=f"doc-{index}",
        text=f"{PARAGRAPH}\n\n{PARAGRAPH}\n\nEnd of story {index}.",
        source="test",
        outlet=outlet,
        date=date,
        title=title,
        when=parse_date(date),
    )


def occ(doc: int, start: int, end: int, cluster_id: str = "c000001", kind: str = "cross-document") -> Occurrence:
    return Occurrence(f"p-{cluster_id}-{doc}-{start}", cluster_id, doc, start, end, kind)  # type: ignore[arg-type]


def cluster(cluster_id: str, *occurrences: Occurrence, category: Category = "news") -> Cluster:
    return Cluster(cluster_id, occurrences, boilerplate=category != "news", category=category)


def edges_of(edges: list[GraphEdge], kind: str) -> list[GraphEdge]:
    return [e for e in edges if e.kind == kind]


def doc_pairs(edges: list[GraphEdge]) -> list[GraphEdge]:
    return [e for e in edges if e.kind in ("copied_from", "shares_wire_copy")]


def check_graph(nodes: list[GraphNode], edges: list[GraphEdge]) -> None:
    """What every graph promises: unique node ids of known kinds, every edge between nodes."""
    ids = [n.id for n in nodes]
    assert len(ids) == len(set(ids))
    assert {n.kind for n in nodes} <= {"agency", "outlet", "doc", "cluster"}
    for n in nodes:
        assert n.id.startswith(f"{n.kind}:")
    for e in edges:
        assert e.source in ids and e.target in ids, e
        assert e.weight >= 0
        assert e.evidence


# copied_from: earlier -> later, only between dated documents with different dates


@pytest.mark.parametrize("later_first", [False, True], ids=["earlier-first", "later-first"])
def test_copied_from_points_from_the_earlier_to_the_later_document(later_first: bool) -> None:
    dates = ["2024-05-28", "2024-05-27"] if later_first else ["2024-05-27", "2024-05-28"]
    docs = [make_doc(0, "Reuters", dates[0]), make_doc(1, "Eastern Post", dates[1])]
    nodes, edges = build_graph(docs, [cluster("c000001", occ(0, 0, 180), occ(1, 0, 180))], [])

    check_graph(nodes, edges)
    [edge] = doc_pairs(edges)
    early, late = ("doc-1", "doc-0") if later_first else ("doc-0", "doc-1")
    assert (edge.source, edge.target, edge.kind, edge.directed) == (
        node_id("doc", early),
        node_id("doc", late),
        "copied_from",
        True,
    )
    assert edge.weight == 180.0
    assert "2024-05-27" in edge.evidence and "2024-05-28" in edge.evidence


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("2024-05-27", "2024-05-28"),
        ("2024-05-28T06:00:00+00:00", "2024-05-28T18:30:00+00:00"),
        ("9 May 2024", "10 May 2024"),
        ("Thu, 09 May 2024 08:00:00 GMT", "Fri, 10 May 2024 08:00:00 GMT"),
    ],
    ids=["iso-date", "iso-datetime", "day-month-year", "rfc-2822"],
)
def test_copied_from_follows_the_calendar_not_the_alphabet(earlier: str, later: str) -> None:
    # Dates pass through from JSONL/CSV rows as written, so they must be compared as dates:
    # as strings, "10 May 2024" would come before "9 May 2024".
    docs = [make_doc(0, "Eastern Post", later), make_doc(1, "Reuters", earlier)]
    _, edges = build_graph(docs, [cluster("c000001", occ(0, 0, 180), occ(1, 0, 180))], [])
    [edge] = doc_pairs(edges)
    assert (edge.kind, edge.source, edge.target) == ("copied_from", "doc:doc-1", "doc:doc-0")


@pytest.mark.parametrize(
    "dates",
    [("2024-05-27", "2024-05-27"), ("2024-05-27", None), (None, "2024-05-27"), (None, None)],
    ids=["same-date", "second-undated", "first-undated", "both-undated"],
)
def test_without_two_different_dates_the_documents_only_share_wire_copy(dates: tuple[str | None, str | None]) -> None:
    docs = [make_doc(0, "Reuters", dates[0]), make_doc(1, "Eastern Post", dates[1])]
    nodes, edges = build_graph(docs, [cluster("c000001", occ(0, 0, 180), occ(1, 0, 180))], [])

    check_graph(nodes, edges)
    [edge] = doc_pairs(edges)
    assert (edge.source, edge.target, edge.kind, edge.directed) == ("doc:doc-0", "doc:doc-1", "shares_wire_copy", False)
    assert edge.weight == 180.0


def test_three_dated_copies_give_every_earlier_later_pair() -> None:
    docs = [make_doc(0, "A", "2024-05-29"), make_doc(1, "B", "2024-05-27"), make_doc(2, "C", "2024-05-28")]
    _, edges = build_graph(docs, [cluster("c000001", *(occ(d, 0, 180) for d in range(3)))], [])
    assert sorted((e.source, e.target) for e in edges_of(edges, "copied_from")) == [
        ("doc:doc-1", "doc:doc-0"),
        ("doc:doc-1", "doc:doc-2"),
        ("doc:doc-2", "doc:doc-0"),
    ]
    assert not edges_of(edges, "shares_wire_copy")


def test_document_pair_weights_add_the_shared_characters_of_every_cluster() -> None:
    # Two clusters shared by the same two documents: one edge, weighted by the smaller copy of
    # each cluster, summed.
    docs = [make_doc(0, "A", "2024-05-27"), make_doc(1, "B", "2024-05-28")]
    clusters = [
        cluster("c000001", occ(0, 0, 180), occ(1, 0, 150, "c000001")),
        cluster("c000002", occ(0, 182, 362, "c000002"), occ(1, 182, 362, "c000002")),
    ]
    _, edges = build_graph(docs, clusters, [])
    [edge] = doc_pairs(edges)
    assert edge.kind == "copied_from"
    assert edge.weight == 150.0 + 180.0


def test_a_passage_repeated_inside_one_document_adds_no_document_edge() -> None:
    docs = [make_doc(0, "A", "2024-05-27")]
    internal = cluster("c000001", occ(0, 0, 180, kind="internal"), occ(0, 182, 362, kind="internal"))
    nodes, edges = build_graph(docs, [internal], [])
    check_graph(nodes, edges)
    assert doc_pairs(edges) == []
    [contains] = edges_of(edges, "contains")
    assert (contains.source, contains.target, contains.weight) == ("doc:doc-0", "cluster:c000001", 360.0)


# Not news: boilerplate, stock phrases, credit lines


@pytest.mark.parametrize("category", ["boilerplate", "stock", "credit"])
def test_clusters_that_are_not_news_are_left_out_of_the_graph(category: Category) -> None:
    docs = [make_doc(i, f"Outlet {i}", f"2024-05-2{i}") for i in range(4)]
    other = cluster("c000001", *(occ(d, 0, 180) for d in range(4)), category=category)
    nodes, edges = build_graph(docs, [other], [Origin("c000001", "AP", 0.9, "caption credit")])
    assert (nodes, edges) == ([], [])


def test_boilerplate_next_to_real_copy_only_links_through_the_real_copy() -> None:
    docs = [make_doc(i, f"Outlet {i}", f"2024-05-2{i}") for i in range(3)]
    clusters = [
        cluster("c000001", *(occ(d, 0, 180) for d in range(3)), category="boilerplate"),
        cluster("c000002", occ(0, 182, 362, "c000002"), occ(1, 182, 362, "c000002")),
    ]
    _, edges = build_graph(docs, clusters, [])
    assert [(e.source, e.target, e.kind, e.weight) for e in doc_pairs(edges)] == [
        ("doc:doc-0", "doc:doc-1", "copied_from", 180.0)
    ]


# Agencies: origin_of and supplied


def test_supplied_edges_are_weighted_by_the_characters_attributed_to_the_agency() -> None:
    docs = [make_doc(0, "AP", "2024-05-27"), make_doc(1, "Daily Herald", "2024-05-28")]
    clusters = [
        cluster("c000001", occ(0, 0, 180), occ(1, 0, 170)),
        cluster("c000002", occ(0, 182, 362, "c000002"), occ(1, 182, 300, "c000002")),
        cluster("c000003", occ(0, 364, 378, "c000003"), occ(1, 364, 378, "c000003")),
    ]
    origins = [
        Origin("c000001", "AP", 1.0, "published by AP itself"),
        Origin("c000002", "AP", 0.8, "dateline credit"),
        Origin("c000003", None, 0.0, "no credits cover this passage"),
    ]
    nodes, edges = build_graph(docs, clusters, origins)

    check_graph(nodes, edges)
    supplied = {(e.source, e.target): e.weight for e in edges_of(edges, "supplied")}
    assert supplied == {("agency:AP", "doc:doc-0"): 180.0 + 180.0, ("agency:AP", "doc:doc-1"): 170.0 + 118.0}
    assert all(e.directed for e in edges_of(edges, "supplied"))
    origin_of = {(e.source, e.target): (e.weight, e.evidence) for e in edges_of(edges, "origin_of")}
    assert origin_of == {
        ("agency:AP", "cluster:c000001"): (1.0, "published by AP itself"),
        ("agency:AP", "cluster:c000002"): (0.8, "dateline credit"),
    }
    assert [n.id for n in nodes if n.kind == "agency"] == ["agency:AP"]


def test_supplied_counts_every_occurrence_in_a_document() -> None:
    # Seed 001 prints the same captioned photo twice: both copies are the agency's.
    docs = [make_doc(0, "NZ Herald"), make_doc(1, "Sydney Sentinel")]
    clusters = [cluster("c000001", occ(0, 0, 180), occ(0, 182, 362), occ(1, 0, 180))]
    _, edges = build_graph(docs, clusters, [Origin("c000001", "AP", 1.0, "caption credit")])
    supplied = {e.target: e.weight for e in edges_of(edges, "supplied")}
    assert supplied == {"doc:doc-0": 360.0, "doc:doc-1": 180.0}
    contains = {e.source: e.weight for e in edges_of(edges, "contains")}
    assert contains == {"doc:doc-0": 360.0, "doc:doc-1": 180.0}


def test_an_unknown_origin_adds_no_agency() -> None:
    docs = [make_doc(0, "A"), make_doc(1, "B")]
    nodes, edges = build_graph(
        docs, [cluster("c000001", occ(0, 0, 180), occ(1, 0, 180))], [Origin("c000001", None, 0.0, "no credits")]
    )
    assert not [n for n in nodes if n.kind == "agency"]
    assert not edges_of(edges, "origin_of") and not edges_of(edges, "supplied")


# Nodes, outlets and published edges


def test_nodes_are_the_documents_in_clusters_their_outlets_and_the_clusters() -> None:
    docs = [
        make_doc(0, "Reuters", "2024-05-27", title="Kolkata flights resume"),
        make_doc(1, None, "2024-05-28"),
        make_doc(2, "Harbour Courier", "2024-05-29", title="Council delays vote"),  # in no cluster
    ]
    nodes, edges = build_graph(docs, [cluster("c000001", occ(0, 0, 180), occ(1, 0, 180))], [])

    check_graph(nodes, edges)
    by_id = {n.id: n for n in nodes}
    assert set(by_id) == {"doc:doc-0", "doc:doc-1", "outlet:Reuters", "cluster:c000001"}
    assert by_id["doc:doc-0"].label == "Kolkata flights resume"  # a title labels its document
    assert by_id["doc:doc-1"].label == "doc-1"  # else its id does
    assert [(e.source, e.target, e.directed) for e in edges_of(edges, "published")] == [
        ("outlet:Reuters", "doc:doc-0", True)
    ]


def test_an_empty_scan_has_an_empty_graph() -> None:
    assert build_graph([make_doc(0, "A")], [], []) == ([], [])


def test_the_graph_is_the_same_whatever_the_order_of_origins() -> None:
    docs = [make_doc(0, "AP", "2024-05-27"), make_doc(1, "B", "2024-05-28"), make_doc(2, "C", "2024-05-28")]
    clusters = [
        cluster("c000001", occ(0, 0, 180), occ(1, 0, 180), occ(2, 0, 180)),
        cluster("c000002", occ(0, 182, 362, "c000002"), occ(2, 182, 362, "c000002")),
    ]
    origins = [Origin("c000001", "AP", 1.0, "own"), Origin("c000002", "Reuters", 0.5, "footer credit")]
    one = build_graph(docs, clusters, origins)
    other = build_graph(docs, clusters, list(reversed(origins)))
    assert one == other
    assert Counter(e.kind for e in one[1]) == {
        "published": 3,
        "contains": 5,
        "origin_of": 2,
        "supplied": 5,
        "copied_from": 2,
        "shares_wire_copy": 1,
    }


# The graph is built on arrays: it gives what one object per node and edge gave


def reference_graph(
    docs: list[Document], clusters: list[Cluster], origins: list[Origin]
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The graph as the module's rules say, one object at a time (how it was built before it
    was built on arrays): the reference the array version is checked against."""
    clusters = [c for c in clusters if c.category == "news" and not c.boilerplate]
    nodes: dict[str, GraphNode] = {}
    edges: list[GraphEdge] = []

    def node(kind: str, name: str, label: str | None = None) -> str:
        nid = node_id(kind, name)
        nodes.setdefault(nid, GraphNode(nid, kind, label or name))
        return nid

    origin_of = {o.cluster_id: o for o in origins}
    for d in sorted({o.doc for c in clusters for o in c.occurrences}):
        dnode = node("doc", docs[d].doc_id, docs[d].title or docs[d].doc_id)
        if docs[d].outlet:
            edges.append(GraphEdge(node("outlet", docs[d].outlet), dnode, "published", 1.0, True, "document's outlet"))
    supplied: dict[tuple[str, int], float] = defaultdict(float)
    pair_chars: dict[tuple[int, int], float] = defaultdict(float)
    for c in clusters:
        cnode = node("cluster", c.cluster_id)
        origin = origin_of.get(c.cluster_id)
        chars_in: dict[int, int] = defaultdict(int)
        for o in c.occurrences:
            chars_in[o.doc] += o.end - o.start
        for d, chars in sorted(chars_in.items()):
            edges.append(
                GraphEdge(node_id("doc", docs[d].doc_id), cnode, "contains", float(chars), True, "reused characters")
            )
        if origin is not None and origin.agency:
            edges.append(
                GraphEdge(node("agency", origin.agency), cnode, "origin_of", origin.confidence, True, origin.evidence)
            )
            for d, chars in chars_in.items():
                supplied[(origin.agency, d)] += chars
        if len(chars_in) <= MAX_PAIR_DOCS:
            for a, b in combinations(sorted(chars_in), 2):
                pair_chars[(a, b)] += min(chars_in[a], chars_in[b])
    for (agency, d), weight in sorted(supplied.items()):
        edges.append(
            GraphEdge(
                node_id("agency", agency),
                node_id("doc", docs[d].doc_id),
                "supplied",
                weight,
                True,
                "attributed reused copy",
            )
        )
    for (a, b), weight in sorted(pair_chars.items()):
        ka, kb, ia, ib = docs[a].when, docs[b].when, docs[a].doc_id, docs[b].doc_id
        if ka and kb and ka != kb:
            early, late = (a, b) if ka < kb else (b, a)
            ke, kl = docs[early].doc_id, docs[late].doc_id
            why = f"{ke} dated {docs[early].date}, {kl} dated {docs[late].date}"
            edges.append(GraphEdge(node_id("doc", ke), node_id("doc", kl), "copied_from", weight, True, why))
        else:
            edges.append(
                GraphEdge(
                    node_id("doc", ia),
                    node_id("doc", ib),
                    "shares_wire_copy",
                    weight,
                    False,
                    "no date gives a direction",
                )
            )
    return list(nodes.values()), edges


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Document], list[Cluster], list[Origin]]:
    """Documents (some outlets empty or shared, some dates missing or equal, some titles) and
    clusters over them (of every category, up to past ``MAX_PAIR_DOCS`` documents, a document's
    copies repeated), with origins (an agency, none, or missing)."""
    n = draw(st.one_of(st.integers(1, 12), st.integers(MAX_PAIR_DOCS, MAX_PAIR_DOCS + 10)))
    outlets = st.sampled_from([None, "", "Reuters", "Eastern Post", "AP", "doc-1"])
    dates = st.sampled_from([None, "2024-05-27", "2024-05-28", "2024-05-28T06:00:00+00:00", "9 May 2024"])
    docs = [
        make_doc(i, draw(outlets), draw(dates), draw(st.sampled_from([None, "", f"Title {i % 3}"]))) for i in range(n)
    ]
    if draw(st.booleans()):  # ids given twice, as an index query's result holds them
        docs = [replace(d, doc_id=f"doc-{draw(st.integers(0, n - 1))}") for d in docs]
    clusters, origins = [], []
    for k in range(draw(st.integers(0, 6))):
        cid = f"c{draw(st.integers(0, k)):06d}"  # a cluster id now and then given twice
        every = st.just(list(range(min(n, draw(st.sampled_from([MAX_PAIR_DOCS, MAX_PAIR_DOCS + 1]))))))
        members = draw(st.one_of(st.lists(st.integers(0, n - 1), min_size=1, max_size=70), every))
        copies = tuple(occ(d, 3 * j, 3 * j + draw(st.integers(1, 200)), cid) for j, d in enumerate(members))
        category = draw(st.sampled_from(["news", "news", "news", "boilerplate", "stock"]))
        clusters.append(cluster(cid, *copies, category=category))
        agency = draw(st.sampled_from([None, "AP", "Reuters", "AFP", "skip"]))
        if agency != "skip":
            origins.append(Origin(cid, agency, draw(st.floats(0, 1)), f"evidence {k}"))
    return docs, clusters, draw(st.permutations(origins))


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_the_graph_built_on_arrays_is_the_graph_the_rules_give(
    case: tuple[list[Document], list[Cluster], list[Origin]],
) -> None:
    docs, clusters, origins = case
    nodes, edges = build_graph(docs, clusters, origins)
    want_nodes, want_edges = reference_graph(docs, clusters, origins)
    assert list(nodes) == want_nodes
    assert list(edges) == want_edges
    check_graph(list(nodes), list(edges))


def test_the_graph_is_held_in_columns_not_objects() -> None:
    docs = [make_doc(0, "AP", "2024-05-27"), make_doc(1, "B", "2024-05-28")]
    nodes, edges = build_graph(docs, [cluster("c000001", occ(0, 0, 180), occ(1, 0, 180))], [])
    assert isinstance(nodes, Rows) and isinstance(edges, Rows)
    assert edges.table.column("kind").to_pylist() == ["published", "published", "contains", "contains", "copied_from"]
