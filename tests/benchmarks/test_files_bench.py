"""The files benchmark's corpus: a JSONL corpus written out as one text file per document, read
back as the same texts (seconds, no generated corpus needed)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import files_bench
from provenance.ingest import read_documents
from provenance.records import Document


def test_each_row_becomes_a_file_read_back_as_its_text(tmp_path: Path) -> None:
    rows = [{"id": f"doc-{i:03d}", "text": f"Story {i}: the harbour board met on day {i}.\n"} for i in range(150)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    folder = tmp_path / "files"
    (tmp_path / "files.partial").mkdir()  # a run cut short before: made again
    assert files_bench.write_files(corpus, folder) == 150
    assert not (tmp_path / "files.partial").exists()
    assert (folder / files_bench.DONE).read_text() == "150\n"
    read = [d for d in read_documents([folder]) if isinstance(d, Document)]
    assert sorted(d.text for d in read) == sorted(r["text"] for r in rows)
    assert "00/doc-000.txt" in {d.doc_id for d in read} and "49/doc-149.txt" in {d.doc_id for d in read}
