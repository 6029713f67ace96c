"""The corpus gives back exactly the documents it was given, by index, slice, iteration and
selection, in this process and in forked workers."""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import corpus as corpus_mod
from provenance.corpus import Corpus, corpus_of
from provenance.records import Document

WHEN = datetime(2017, 3, 7, tzinfo=UTC)


def _docs(texts: list[str]) -> list[Document]:
    return [
        Document(
            index=i,
            doc_id=f"doc-{i}",
            text=text,
            source=f"in.jsonl:{i + 1}",
            outlet=("AAP", None, "Reuters")[i % 3],
            date="2017-03-07" if i % 2 else None,
            title=f"title {i}" if i % 4 == 1 else None,
            url=None,
            extra=(("section", "world"),) if i % 5 == 2 else (),
            when=WHEN if i % 2 else None,
        )
        for i, text in enumerate(texts)
    ]


TEXTS = [
    "Iraqi forces pushed into western Mosul on Tuesday.",
    "",  # an empty text is a document too
    "Ünïcödé, 中文, العربية and 😀 emoji",
    "a lone surrogate \ud800 from a JSON escape",
    "café\u0301 NFD and \r\n line ends\x00",
    "x" * 10_000,
]


def test_every_document_comes_back_exactly() -> None:
    docs = _docs(TEXTS)
    corpus = corpus_of(docs)
    assert len(corpus) == len(docs)
    assert [corpus[i] for i in range(len(docs))] == docs
    assert list(corpus) == docs
    assert corpus[-1] == docs[-1]
    assert corpus[1:4] == docs[1:4]
    assert corpus[::2] == docs[::2]
    assert [corpus.text(i) for i in range(len(docs))] == TEXTS
    assert corpus == docs and docs == list(corpus)
    assert corpus.text_bytes == sum(len(t.encode("utf-8", "surrogatepass")) for t in TEXTS)


def test_out_of_range_is_an_index_error() -> None:
    corpus = corpus_of(_docs(TEXTS[:2]))
    with pytest.raises(IndexError):
        corpus[2]
    with pytest.raises(IndexError):
        corpus[-3]


def test_iteration_reads_across_chunk_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _docs([f"text number {i} " * (i % 7) for i in range(200)])
    corpus = corpus_of(docs)
    for limit in (1, 13, 64, 1 << 20):
        monkeypatch.setattr(corpus_mod, "_READ_AT_ONCE", limit)
        assert list(corpus) == docs
        assert corpus[37:151] == docs[37:151]


def test_select_renumbers_and_shares_the_texts() -> None:
    docs = _docs(TEXTS)
    corpus = corpus_of(docs)
    chosen = corpus.select([0, 2, 5])
    assert len(chosen) == 3
    assert [d.index for d in chosen] == [0, 1, 2]
    assert [d.doc_id for d in chosen] == ["doc-0", "doc-2", "doc-5"]
    assert [d.text for d in chosen] == [TEXTS[0], TEXTS[2], TEXTS[5]]
    again = chosen.select([2])  # a selection of a selection
    assert again[0].doc_id == "doc-5" and again[0].index == 0
    assert chosen.text_bytes == sum(len(TEXTS[i].encode("utf-8", "surrogatepass")) for i in (0, 2, 5))


def _read_in_child(corpus: Corpus, out: mp.SimpleQueue) -> None:  # type: ignore[type-arg]
    out.put([corpus.text(i) for i in range(len(corpus))])


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="forked workers need fork")
def test_forked_workers_read_the_same_texts() -> None:
    corpus = corpus_of(_docs(TEXTS))
    ctx = mp.get_context("fork")
    out = ctx.SimpleQueue()
    child = ctx.Process(target=_read_in_child, args=(corpus, out))
    child.start()
    got = out.get()
    child.join()
    assert got == TEXTS
    assert corpus.text(2) == TEXTS[2]  # the parent still reads after the child is gone


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=30), st.data())
def test_any_texts_round_trip(texts: list[str], data: st.DataObject) -> None:
    docs = _docs(texts)
    corpus = corpus_of(docs)
    assert list(corpus) == docs
    if texts:
        i = data.draw(st.integers(0, len(texts) - 1))
        assert corpus[i] == docs[i]
        picked = sorted(set(data.draw(st.lists(st.integers(0, len(texts) - 1)))))
        assert [d.text for d in corpus.select(picked)] == [texts[p] for p in picked]


def _cut(stored: tuple[bytes, object] | None) -> list[str]:
    assert stored is not None
    data, offsets = stored
    bounds = list(offsets)  # type: ignore[call-overload]
    return [data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(bounds, bounds[1:], strict=False)]


def test_utf8_gives_the_stored_bytes_of_consecutive_documents() -> None:
    corpus = corpus_of(_docs(TEXTS))
    assert _cut(corpus.utf8(0, len(TEXTS))) == TEXTS
    assert _cut(corpus.utf8(2, 5)) == TEXTS[2:5]  # offsets start at 0 for any range
    assert corpus.utf8(3, 3) is not None and _cut(corpus.utf8(3, 3)) == []
    chosen = corpus.select([1, 2, 3, 5])
    assert _cut(chosen.utf8(0, 3)) == TEXTS[1:4]  # consecutive in the file: one read
    assert chosen.utf8(2, 4) is None  # documents 3 and 5: not consecutive, the caller reads them one by one
    with pytest.raises(IndexError):
        corpus.utf8(0, len(TEXTS) + 1)


def test_held_documents_come_back_under_their_own_indices() -> None:
    """``Held``: some documents of a run (indices with gaps, in any order: the Spark driver takes
    them as its partitions come) give back each document, its text and each field under its own
    index, and nothing for an index not held; an index given twice is an error."""
    from dataclasses import replace

    from provenance.corpus import Held

    docs = [replace(d, index=3 * d.index + 2) for d in _docs(["Mosul – first", "", "third \ud800 text", "x" * 5000])]
    for held in (Held(iter(docs)), Held(docs[2:] + docs[:2]), Held(reversed(docs))):
        assert len(held) == 4
        for doc in docs:
            assert doc.index in held and held.get(doc.index) == doc and held.text(doc.index) == doc.text
            for name in ("doc_id", "source", "outlet", "date", "when", "title", "url", "extra"):
                assert held.field(doc.index, name) == getattr(doc, name), name
        for absent in (0, 1, 3, 4, 100, -1):
            assert absent not in held and held.get(absent) is None and held.text(absent) is None
            assert held.field(absent, "title", "none") == "none"
        assert np.int64(docs[1].index) in held and np.int64(docs[1].index + 1) not in held
    assert len(Held()) == 0 and Held().get(0) is None and 0 not in Held()
    with pytest.raises(ValueError, match="held twice"):
        Held([*docs, docs[1]])


@settings(max_examples=60, deadline=None)
@given(
    chosen=st.lists(st.booleans(), min_size=0, max_size=40),
    cut=st.sets(st.integers(0, 39), max_size=6),
    read_at_once=st.sampled_from([1, 64, 1 << 20]),
)
def test_picked_documents_iterate_as_they_index_reading_runs_of_the_corpus(
    chosen: list[bool], cut: set[int], read_at_once: int
) -> None:
    """A dedup's kept documents: some of a corpus, a few replaced by their cut copies, read in
    runs of consecutive positions; the same documents as indexing them one by one."""
    from dataclasses import replace

    from provenance.corpus import Picked

    docs = [Document(i, f"d{i}", f"text {i} " * (i % 5 + 1), "test", outlet=f"o{i % 3}") for i in range(len(chosen))]
    corpus = corpus_of(docs)
    positions = [i for i, keep in enumerate(chosen) if keep]
    instead = {p: replace(docs[p], text="cut") for p in positions if p in cut}
    old = corpus_mod._READ_AT_ONCE
    corpus_mod._READ_AT_ONCE = read_at_once
    try:
        picked = Picked(corpus, positions, instead)
        expected = [instead.get(p, docs[p]) for p in positions]
        assert list(picked) == expected == [picked[i] for i in range(len(picked))]
        assert picked == expected and [d.index for d in picked] == positions
    finally:
        corpus_mod._READ_AT_ONCE = old
