"""Report tables built from a corpus equal those built from plain documents."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.corpus import corpus_of
from provenance.records import Alignment, Cluster, Document, Occurrence
from provenance.report import tables as report_tables
from provenance.report.tables import texts_batches

TEXTS = ["Mosul, Tuesday.", "", "Ünïcödé 中文 😀\r\n\x00", "x" * 5_000, "end"]


def _docs(texts: list[str]) -> list[Document]:
    return [Document(index=i, doc_id=f"doc-{i}", text=t, source=f"in:{i}") for i, t in enumerate(texts)]


def _texts_table(docs) -> pa.Table:
    batches = texts_batches(docs)
    return pa.Table.from_batches(list(batches.batches()), schema=batches.schema)


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_texts_from_a_corpus_are_the_documents_texts(monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    monkeypatch.setattr(report_tables, "TEXTS_BATCH", batch)
    docs = _docs(TEXTS)
    got = _texts_table(corpus_of(docs))
    assert got.equals(_texts_table(docs))
    assert got.column("text").to_pylist() == TEXTS
    assert got.column("doc_id").to_pylist() == [d.doc_id for d in docs]


def test_texts_of_a_selection_with_gaps_are_read_one_by_one() -> None:
    corpus = corpus_of(_docs(TEXTS)).select([0, 2, 3])
    assert _texts_table(corpus).column("text").to_pylist() == [TEXTS[0], TEXTS[2], TEXTS[3]]


def test_a_text_that_is_not_utf8_is_refused_as_before() -> None:
    # A lone surrogate can be held (JSON escapes it) but Parquet strings are UTF-8: the stored
    # bytes are checked, not passed through as they are.
    docs = _docs(["fine", "half a pair \ud800"])
    with pytest.raises(UnicodeEncodeError):
        _texts_table(docs)
    with pytest.raises(UnicodeEncodeError):
        _texts_table(corpus_of(docs))


class _CountingList(list):
    """A plain list of documents that counts the passes made over it."""

    passes = 0

    def __iter__(self):
        type(self).passes += 1
        return super().__iter__()


def _passes_over_documents(folder, stories: int) -> int:
    """Passes the report tables make over a plain list of the documents of ``stories`` stories,
    each printed by two outlets (one cluster each)."""
    import dataclasses
    import json
    import random

    from provenance.config import ScanConfig
    from provenance.pipeline import scan
    from provenance.report.tables import report_tables

    rng = random.Random(5)

    def words(n: int) -> str:
        return " ".join(f"w{rng.randrange(100_000)}" for _ in range(n)) + "."

    rows = []
    for k in range(stories):
        story = words(60)
        rows += [{"id": f"a{k}", "text": f"{words(30)}\n\n{story}"}, {"id": f"b{k}", "text": f"{story}\n\n{words(30)}"}]
    corpus = folder / f"corpus-{stories}.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = scan([corpus], ScanConfig())
    assert len(result.clusters) == stories
    docs = _CountingList(result.documents)
    _CountingList.passes = 0
    tables = report_tables(dataclasses.replace(result, documents=docs))
    assert tables["clusters"].num_rows == stories
    return _CountingList.passes


def test_the_tables_read_a_plain_document_list_a_fixed_number_of_times(tmp_path) -> None:
    # A list (not a Corpus) answers a column by a pass over every document: the tables take each
    # column once, never once per cluster (at 100,000 documents that was 20 minutes of the Spark
    # driver's report).
    assert _passes_over_documents(tmp_path, 5) == _passes_over_documents(tmp_path, 25)


@pytest.mark.parametrize("rows", [1, 3])
def test_the_finding_tables_made_a_slice_at_a_time_are_the_same(
    seeds_dir, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    from provenance.config import ScanConfig
    from provenance.pipeline import scan

    result = scan([seeds_dir], ScanConfig(workers=1))
    whole = report_tables.report_tables(result)
    monkeypatch.setattr(report_tables, "SLICE_ROWS", rows)
    sliced = report_tables.report_tables(result)
    for name in ("passages", "alignments", "clusters"):
        assert whole[name].num_rows > 3
        assert sliced[name].equals(whole[name]), name
        assert len(sliced[name].to_batches()) > len(whole[name].to_batches())


def _first_holding_cluster(alignments, clusters) -> list[int]:
    """The rule itself: the first cluster, in order, with a copy in ``doc_a`` holding ``a_start``."""
    return [
        next(
            k
            for k, c in enumerate(clusters)
            for o in c.occurrences
            if o.doc == al.doc_a and o.start <= al.a_start < o.end
        )
        for al in alignments
    ]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_each_alignment_gets_the_first_cluster_holding_its_start(data) -> None:
    """Copies of one document that do not overlap are searched on arrays; overlapping ones (the
    rule's order then matters) by the rule: both give the rule's answer."""
    n_clusters = data.draw(st.integers(1, 6))
    spans = st.tuples(st.integers(0, 3), st.integers(0, 60), st.integers(1, 30))
    clusters = []
    for k in range(n_clusters):
        copies = data.draw(st.lists(spans, min_size=1, max_size=4))
        occurrences = tuple(
            Occurrence(f"p{k}{i}", f"c{k}", doc, start, start + length, "cross-document")
            for i, (doc, start, length) in enumerate(copies)
        )
        clusters.append(Cluster(f"c{k}", occurrences))
    held = [(o.doc, o.start, o.end) for c in clusters for o in c.occurrences]
    picks = data.draw(st.lists(st.tuples(st.sampled_from(held), st.floats(0, 0.999)), min_size=1, max_size=12))
    alignments = [
        Alignment(doc, start + int((end - start) * f), end, 9, 0, 1, 1.0, 1, 1) for (doc, start, end), f in picks
    ]
    got = report_tables.alignment_clusters(alignments, clusters).tolist()
    assert got == _first_holding_cluster(alignments, clusters)
