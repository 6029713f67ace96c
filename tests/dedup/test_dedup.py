"""Document-level dedup: datasketch-compatible MinHash LSH, exact verification, the policies,
the star groups, boilerplate stripping and determinism."""

from __future__ import annotations

import dataclasses
from itertools import combinations

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.dates import parse_date
from provenance.dedup import DedupConfig, dedup, jaccard, shingle_sets, split_component, strip_spans
from provenance.dedup.groups import Ranked
from provenance.dedup.run import document_bands, document_candidates
from provenance.errors import ConfigError
from provenance.passages import shingle_hash32, shingle_index, words
from provenance.records import Document
from provenance.sketch import MinHasher

from .conftest import EXTRA_PARAGRAPH, corpus_rows, every_nth_word, seed


def documents(rows: list[dict]) -> list[Document]:
    return [
        Document(
            i,
            r["id"],
            r["text"],
            "test",
            r.get("outlet"),
            r.get("date"),
            r.get("title"),
            when=parse_date(r.get("date")),
        )
        for i, r in enumerate(rows)
    ]


def ids(result, attr: str = "kept") -> list[str]:
    return [d.doc_id for d in getattr(result, attr)]


def removed(result) -> dict[str, tuple[str, float, str]]:
    docs = result.documents
    return {docs[r.doc].doc_id: (docs[r.kept].doc_id, r.similarity, r.reason) for r in result.removals}


def shingle_words(text: str, k: int = 3) -> list[str]:
    toks = words(text)
    return [" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1)]


# --- MinHash and LSH agree with datasketch ----------------------------------------------------


VOCAB = ["iraqi", "forces", "mosul", "said", "the", "city", "of", "in", "a", "boy", "walks", "debris", "ap"]


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from(VOCAB), min_size=0, max_size=30), min_size=1, max_size=5),
    num_perm=st.sampled_from([8, 64, 128]),
    seed_=st.integers(0, 2**16),
)
def test_document_signatures_equal_datasketch_minhash_over_the_shingle_set(
    texts: list[list[str]], num_perm: int, seed_: int
) -> None:
    docs = [Document(i, str(i), " ".join(t), "t") for i, t in enumerate(texts)]
    got = MinHasher(num_perm, seed_).set_signatures(shingle_index(docs, 3))
    for doc, row in zip(docs, got.T, strict=True):
        m = MinHash(num_perm=num_perm, seed=seed_, hashfunc=shingle_hash32)
        for sh in shingle_words(doc.text):
            m.update(sh.encode("utf-8"))
        assert row.tolist() == m.hashvalues.tolist()


def test_candidates_are_the_pairs_datasketch_minhashlsh_finds() -> None:
    docs = documents(corpus_rows())
    config = DedupConfig(threshold=0.8, num_perm=128, seed=7)
    bands, _ = document_bands(docs, config)
    pairs, _ = document_candidates(bands, config, len(docs))
    lsh = MinHashLSH(threshold=0.8, num_perm=128, weights=config.weights)
    hashes = {}
    for doc in docs:
        m = MinHash(num_perm=128, seed=7, hashfunc=shingle_hash32)
        for sh in shingle_words(doc.text):
            m.update(sh.encode("utf-8"))
        hashes[doc.index] = m
        lsh.insert(doc.index, m)
    expected = {tuple(sorted((d, o))) for d, m in hashes.items() for o in lsh.query(m) if o != d}
    assert {tuple(p) for p in pairs.tolist()} == expected
    assert expected  # the reprints are found


@pytest.mark.parametrize("batch", [1, 3, 4096])  # shingle sets made this many documents at a time
def test_jaccard_is_the_exact_similarity_of_the_shingle_sets(batch: int) -> None:
    docs = documents(corpus_rows())
    docs += [Document(len(docs), "empty", "", "test"), Document(len(docs) + 1, "two", "two words", "test")]
    sets = shingle_sets(docs, 3, batch=batch)
    assert sets.docs.tolist() == list(range(len(docs)))
    for row, doc in enumerate(docs):  # each set: its distinct hashes, sorted
        got = sets.hashes[sets.offsets[row] : sets.offsets[row + 1]]
        assert got.tolist() == sorted({shingle_hash32(w.encode()) for w in shingle_words(doc.text)})
    pairs = np.array(list(combinations(range(len(docs) - 2), 2)), dtype=np.int64)
    got = jaccard(pairs, sets, batch=4)
    for (a, b), j in zip(pairs.tolist(), got.tolist(), strict=True):
        sa, sb = set(shingle_words(docs[a].text)), set(shingle_words(docs[b].text))
        assert j == pytest.approx(len(sa & sb) / len(sa | sb))


# --- policies and groups ------------------------------------------------------------------------


def test_earliest_keeps_the_earliest_dated_copy_of_each_story() -> None:
    result = dedup(documents(corpus_rows()), DedupConfig(policy="earliest"))
    got = removed(result)
    assert sorted(got) == ["ap-002", "herald-000", "post-002"]
    assert got["ap-002"][0] == got["post-002"][0] == "planet-002"
    # "1 March 2024" is read as a date, earlier than 2024-03-02
    assert got["herald-000"] == ("wire-000", 1.0, "identical text")
    assert ids(result) == ["planet-002", "wire-000", "s001", "s003", "s004"]


def test_longest_keeps_the_longest_copy() -> None:
    result = dedup(documents(corpus_rows()), DedupConfig(policy="longest"))
    got = removed(result)
    assert got["ap-002"][0] == got["planet-002"][0] == "post-002"
    assert got["herald-000"][0] == "wire-000"  # same length: the earlier one


def test_credited_keeps_the_agencys_own_copy_over_earlier_reprints() -> None:
    result = dedup(documents(corpus_rows()), DedupConfig(policy="credited"))
    got = removed(result)
    assert got["planet-002"][0] == got["post-002"][0] == "ap-002"
    assert got["herald-000"][0] == "wire-000"  # published by AFP
    why = {result.documents[r.kept].doc_id: r.kept_because for r in result.removals}
    assert why["ap-002"] == "published by AP, the likely origin"


def test_credited_falls_back_to_a_crediting_copy_then_to_the_earliest() -> None:
    rows = [r for r in corpus_rows() if r["id"] != "ap-002"]
    result = dedup(documents(rows), DedupConfig(policy="credited"))
    got = removed(result)
    # No AP copy: the reprint whose dateline credits AP is kept over the uncredited one.
    assert got["post-002"][0] == "planet-002"
    rows = [dict(r, outlet="Herald") if r["id"] == "wire-000" else r for r in corpus_rows()]
    result = dedup(documents(rows), DedupConfig(policy="credited"))
    assert removed(result)["herald-000"][0] == "wire-000"  # no credit at all: earliest


def test_every_removed_document_is_a_near_copy_of_the_one_kept_and_kept_ones_are_not() -> None:
    docs = documents(corpus_rows())
    config = DedupConfig(threshold=0.8)
    result = dedup(docs, config)
    sets = shingle_sets(docs, 3)
    for r in result.removals:
        (exact,) = jaccard(np.array([[min(r.doc, r.kept), max(r.doc, r.kept)]]), sets)
        assert r.similarity == pytest.approx(exact, abs=1e-6)
        assert exact >= config.threshold
    kept = [d.index for d in result.kept]
    sims = jaccard(np.array(list(combinations(kept, 2))), sets)
    assert sims.max() < config.threshold


def test_a_chain_of_near_copies_keeps_the_far_end_too() -> None:
    # A ~ B ~ C but A !~ C: removing C for A would remove a document that is no copy of A.
    sims = {(0, 1): 0.85, (1, 2): 0.85, (0, 2): 0.7}

    def similarity(kept: int, others: list[int]) -> np.ndarray:
        return np.array([sims[tuple(sorted((kept, o)))] for o in others])

    groups = split_component(Ranked([0, 1, 2], dict.fromkeys(range(3), "why")), 0.8, similarity)
    assert [(g.kept, g.removed) for g in groups] == [(0, ((1, 0.85),))]
    # C stays: it is its own group of one, so it is not listed


def test_identical_short_texts_are_duplicates_and_different_ones_are_not() -> None:
    docs = documents(
        [
            {"id": "a", "text": "Photo: AP", "date": "2024-01-02"},
            {"id": "b", "text": "photo - AP!", "date": "2024-01-01"},
            {"id": "c", "text": "Photo: AFP"},
        ]
    )
    result = dedup(docs)
    assert removed(result) == {"a": ("b", 1.0, "near-duplicate")}


def test_the_threshold_decides_what_counts_as_a_copy() -> None:
    docs = documents(corpus_rows())
    assert sorted(removed(dedup(docs, DedupConfig(threshold=0.95)))) == ["herald-000"]
    assert sorted(removed(dedup(docs, DedupConfig(threshold=0.8)))) == ["ap-002", "herald-000", "post-002"]


def test_the_same_seed_gives_the_same_result_and_another_seed_the_same_groups_here() -> None:
    docs = documents(corpus_rows())
    one, two = dedup(docs, DedupConfig(seed=3)), dedup(docs, DedupConfig(seed=3))
    assert one.removals == two.removals and one.counts == two.counts
    assert removed(dedup(docs, DedupConfig(seed=4))) == removed(one)  # clear-cut copies: any seed finds them


def test_documents_must_be_indexed_in_order() -> None:
    docs = documents(corpus_rows())
    with pytest.raises(ConfigError, match="indexed 0..n-1"):
        dedup(docs[1:])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.0}, "threshold must be in"),
        ({"num_perm": 1}, "permutations"),
        ({"policy": "newest"}, "policy must be one of earliest, longest, credited"),
        ({"boilerplate_docs": 1}, "boilerplate documents"),
    ],
)
def test_bad_parameters_say_what_to_fix(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DedupConfig(**kwargs)


# --- boilerplate ------------------------------------------------------------------------------

FOOTER = (
    "This article was distributed by the Regional News Exchange. Republication in any form requires the "
    "written permission of the exchange and its member newspapers."
)


def footer_rows() -> list[dict]:
    """Five distinct stories (seed 002 twice, as reprints) each closing with the same footer."""
    rows = [r for r in corpus_rows() if r["id"] in ("ap-002", "planet-002", "wire-000", "s001", "s003", "s004")]
    return [dict(r, text=r["text"] + "\n" + FOOTER + "\n") for r in rows]


def test_strip_boilerplate_cuts_the_shared_footer_from_kept_documents_only() -> None:
    docs = documents(footer_rows())
    result = dedup(docs, DedupConfig(strip_boilerplate=True, boilerplate_docs=3))
    assert ids(result) == ["planet-002", "wire-000", "s001", "s003", "s004"]
    assert all(FOOTER not in d.text for d in result.kept)
    assert all(d.text == docs[d.index].text.replace("\n" + FOOTER + "\n", "\n") for d in result.kept)
    assert len(result.stripped) == 5  # the removed copy's footer is not counted
    for s in result.stripped:
        assert docs[s.doc].text[s.start : s.end] == FOOTER  # with its closing full stop
        assert s.n_documents == 5
    assert result.counts["stripped_passages"] == 5


def test_a_footer_in_fewer_documents_than_the_bound_stays() -> None:
    result = dedup(documents(footer_rows()), DedupConfig(strip_boilerplate=True, boilerplate_docs=5))
    assert result.stripped == ()
    assert all(FOOTER in d.text for d in result.kept)


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("one\nBOILER\ntwo", [(4, 10)], "one\ntwo"),
        ("one BOILER two", [(4, 10)], "one two"),
        ("BOILER\n", [(0, 6)], ""),
        ("ab cd ef", [(0, 2), (1, 5)], "ef"),
        ("keep", [], "keep"),
    ],
)
def test_strip_spans_leaves_no_empty_line_or_double_space(text: str, spans: list, expected: str) -> None:
    assert strip_spans(text, spans) == expected


def test_a_document_of_nothing_but_boilerplate_is_dropped_with_that_reason() -> None:
    rows = footer_rows() + [{"id": "only-footer", "text": FOOTER}]
    result = dedup(documents(rows), DedupConfig(strip_boilerplate=True, boilerplate_docs=3))
    assert "only-footer" not in ids(result)
    (row,) = [r for r in result.removals if result.documents[r.doc].doc_id == "only-footer"]
    assert (row.kept, row.reason) == (None, "only boilerplate")


def test_light_edits_keep_similarity_high_enough_for_the_fixture() -> None:
    # The fixture's margins: the copies of 002 are >= 0.85 similar, well clear of 0.8.
    base = seed("002")
    docs = documents(
        [
            {"id": "a", "text": base},
            {"id": "b", "text": "MOSUL, Iraq (AP) — " + every_nth_word(base, 60)},
            {"id": "c", "text": base + EXTRA_PARAGRAPH},
        ]
    )
    sims = jaccard(np.array([[0, 1], [0, 2], [1, 2]]), shingle_sets(docs, 3))
    assert sims.min() >= 0.85


def test_kept_documents_keep_their_index_and_metadata() -> None:
    docs = documents(corpus_rows())
    result = dedup(docs)
    for doc in result.kept:
        assert doc == docs[doc.index]
    assert dataclasses.replace(result.kept[0]).outlet == "Daily Planet"


def test_a_corpus_read_from_disk_is_deduplicated_as_the_same_documents_in_a_list(tmp_path) -> None:
    """``dedup`` keeps a ``Corpus`` on disk (the kept documents are read from it when written),
    with boilerplate stripping too: the result is the one a list of the documents gives."""
    import json

    from provenance.config import ScanConfig
    from provenance.corpus import Corpus, Picked
    from provenance.pipeline import load

    rows = corpus_rows() + [
        {"id": f"brief-{i}", "text": f"Brief number {i} about the harvest in {town}.\n\n" + EXTRA_PARAGRAPH}
        for i, town in enumerate(
            ["Ames", "Ely", "Oban", "Rye", "Wem", "Ayr", "Ure", "Hay", "Eye", "Ash", "Usk", "Poole"]
        )
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    corpus, _ = load([path], ScanConfig())
    config = DedupConfig(strip_boilerplate=True, boilerplate_docs=10)
    on_disk = dedup(corpus, config, ScanConfig(workers=2))  # sketched and verified on two workers
    in_memory = dedup(list(corpus), config)
    assert isinstance(on_disk.documents, Corpus) and isinstance(on_disk.kept, Picked)
    assert on_disk.stripped and on_disk.stripped == in_memory.stripped
    assert list(on_disk.kept) == list(in_memory.kept) and on_disk.removals == in_memory.removals
    assert on_disk.counts == in_memory.counts
    cut = next(d for d in on_disk.kept if d.doc_id.startswith("brief-"))
    assert EXTRA_PARAGRAPH not in cut.text and cut.index == [r["id"] for r in rows].index(cut.doc_id)
    assert on_disk.kept.column("n_chars") == [len(d.text) for d in in_memory.kept]
    assert [on_disk.kept.text(i) for i in range(len(on_disk.kept))] == [d.text for d in in_memory.kept]


def test_two_workers_find_what_one_finds_and_no_documents_is_nothing_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.config import ScanConfig
    from provenance.dedup import run

    monkeypatch.setattr(run, "SKETCH_DOCS", 3)  # several sketch tasks
    monkeypatch.setattr(run, "SETS_BATCH", 2)  # several shingle-set tasks
    docs = documents(corpus_rows())
    one = dedup(docs, DedupConfig(policy="earliest"), ScanConfig(workers=1))
    two = dedup(docs, DedupConfig(policy="earliest"), ScanConfig(workers=2))
    assert one.removals == two.removals and list(one.kept) == list(two.kept) and one.removals
    empty = dedup([], DedupConfig())
    assert empty.counts["documents"] == empty.counts["kept"] == 0 and not empty.kept and not empty.removals
