"""Report tables built from a corpus equal those built from plain documents."""

from __future__ import annotations

import pyarrow as pa
import pytest

from provenance.corpus import corpus_of
from provenance.records import Document
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
