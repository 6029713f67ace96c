"""A sketch batch gives the same keys and index however many words it sketches at a time."""

from __future__ import annotations

import pytest

from provenance.config import DetectConfig
from provenance.engines import stages
from provenance.records import Document
from provenance.sketch import scan_banding

TEXT = (
    "Iraqi forces pushed deeper into western Mosul on Tuesday as civilians fled the fighting. "
    "The United Nations said thousands of families had left the old city in recent days. "
)


def _docs() -> list[Document]:
    texts = [TEXT * (i % 4) + f"story {i} ends here with its own words" for i in range(12)] + ["", "too short"]
    return [Document(index=i, doc_id=str(i), text=t, source="s") for i, t in enumerate(texts)]


@pytest.mark.parametrize("step", [1, 30, 500])
def test_sketching_in_steps_of_words_changes_nothing(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    detect = DetectConfig()
    banding = scan_banding(detect)
    keys, index = stages.sketch_batch(_docs(), detect, banding)
    monkeypatch.setattr(stages, "SKETCH_WORDS", step)
    keys_in_steps, index_in_steps = stages.sketch_batch(_docs(), detect, banding)
    assert [(k.band, k.keys.tolist(), k.docs.tolist()) for k in keys] == [
        (k.band, k.keys.tolist(), k.docs.tolist()) for k in keys_in_steps
    ]
    for name in ("docs", "offsets", "hashes", "positions"):
        assert getattr(index, name).tolist() == getattr(index_in_steps, name).tolist()
    assert index.sorted_by_hash and index_in_steps.sorted_by_hash


def _fails_on_two(docs, task: int) -> int:
    if task == 2:
        raise ValueError("task 2 failed")
    return len(docs) + task


def test_map_documents_runs_each_task_in_order_and_a_workers_error_reaches_the_caller() -> None:
    from provenance.engines.local import LocalEngine
    from provenance.records import Document

    docs = [Document(i, f"d{i}", "some words here", "test") for i in range(5)]
    for workers in (1, 2, 8):  # 8 workers for 2 tasks: 2 processes
        engine = LocalEngine(workers)
        assert list(engine.map_documents(_fails_on_two, docs, [0, 1])) == [5, 6]
        with pytest.raises(ValueError, match="task 2 failed"):
            list(engine.map_documents(_fails_on_two, docs, [0, 1, 2, 3]))
