"""``trim_shares``: which edges of which matches noise covers, from spans alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.arrow import rows_of
from provenance.cluster.trim import trim_shares
from provenance.records import Alignment


@st.composite
def spans(draw: st.DrawFn, n_docs: int = 6) -> tuple[int, int, int]:
    doc = draw(st.integers(0, n_docs - 1))
    start = draw(st.integers(0, 400))
    return doc, start, start + draw(st.integers(1, 200))


@st.composite
def alignments(draw: st.DrawFn) -> Alignment:
    (doc_a, a_start, a_end), (doc_b, b_start, b_end) = draw(spans()), draw(spans())
    return Alignment(doc_a, a_start, a_end, doc_b, b_start, b_end, 1.0, a_end - a_start, 10)


@given(
    st.lists(alignments(), max_size=40),
    st.dictionaries(st.integers(0, 8), st.lists(spans(), min_size=1, max_size=5), max_size=4),
)
@settings(max_examples=300, deadline=None)
def test_matches_in_columns_get_the_shares_of_matches_as_records(found: list[Alignment], noisy: dict) -> None:
    noise = {doc: sorted((s, e) for _, s, e in found_spans) for doc, found_spans in noisy.items()}
    shares = trim_shares(found, noise)
    assert trim_shares(rows_of(found, Alignment), noise) == shares
    for i, al in enumerate(found):
        if al.doc_a not in noise and al.doc_b not in noise:
            assert i not in shares  # a match in documents without noise is never cut


def test_a_match_whose_head_is_page_chrome_is_cut_by_the_chromes_share() -> None:
    # Characters 0-100 of document 1 are a site header; the match starts at the header.
    al = Alignment(0, 0, 400, 1, 0, 400, 1.0, 400, 60)
    assert trim_shares([al], {1: [(0, 100)]}) == {0: (0.25, 0.0)}
    assert trim_shares([al], {1: [(500, 600)]}) == {}  # noise elsewhere in the page: nothing to cut
