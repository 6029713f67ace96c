"""`prov scan seeds/`: the reuse a reader can see in the five seed articles, with exact offsets."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

SEEDS = Path(__file__).parents[1] / "seeds"
CAPTION = "A boy walks among the debris of a damaged neighbourhood"
CAPTION_001 = CAPTION + " of Mosul. Photo / AP"
REPEAT_000 = "Iraqi security forces advance during fighting against IS militants in western Mosul. Source"
REPEAT_004 = "at a Kurdish Peshmerga position between two front lines near Bashiqa, east of Mosul, Iraq Reuters"


def text(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def spans(doc_text: str, needle: str) -> list[tuple[int, int]]:
    out, at = [], doc_text.find(needle)
    while at >= 0:
        out.append((at, at + len(needle)))
        at = doc_text.find(needle, at + 1)
    return out


@pytest.fixture(scope="module")
def passages(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    from prov_cli.main import app
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(app, ["scan", str(SEEDS), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return pq.read_table(out / "passages.parquet").to_pylist()


def occurrences(passages: list[dict], cluster_id: str) -> list[tuple[str, int, int]]:
    return sorted((p["doc_id"][:3], p["start"], p["end"]) for p in passages if p["cluster_id"] == cluster_id)


def cluster_of(passages: list[dict], doc: str, start: int) -> str:
    (found,) = [p["cluster_id"] for p in passages if p["doc_id"].startswith(doc) and p["start"] == start]
    return found


def test_every_passage_text_is_the_original_text_at_its_offsets(passages: list[dict]) -> None:
    for p in passages:
        assert (SEEDS / p["doc_id"]).read_text(encoding="utf-8")[p["start"] : p["end"]] == p["text"]


def test_the_shared_caption_is_one_cluster_across_000_and_both_copies_in_001(passages: list[dict]) -> None:
    (in_000,) = spans(text("000"), CAPTION)
    copies_001 = spans(text("001"), CAPTION_001)
    assert len(copies_001) == 2
    cluster = cluster_of(passages, "000", in_000[0])
    assert occurrences(passages, cluster) == [("000", *in_000)] + [("001", *s) for s in copies_001]
    assert {p["kind"] for p in passages if p["cluster_id"] == cluster} == {"cross-document"}


def test_the_caption_repeated_inside_000_is_an_internal_cluster(passages: list[dict]) -> None:
    repeats = spans(text("000"), REPEAT_000)
    assert len(repeats) == 2
    cluster = cluster_of(passages, "000", repeats[0][0])
    assert occurrences(passages, cluster) == [("000", *s) for s in repeats]
    assert {p["kind"] for p in passages if p["cluster_id"] == cluster} == {"internal"}


def test_the_photo_captions_repeated_inside_004_are_found(passages: list[dict]) -> None:
    repeats = spans(text("004"), REPEAT_004)
    assert len(repeats) == 2
    cluster = cluster_of(passages, "004", repeats[0][0])
    assert occurrences(passages, cluster) == [("004", *s) for s in repeats]
    umm = "upon the arrival of Iraqi forces in the village of Umm Mahahir, south of Mosul Getty"
    first_umm = spans(text("004"), umm)[0]
    assert any(p["doc_id"].startswith("004") and p["start"] == first_umm[0] for p in passages)


def test_no_reuse_is_reported_where_there_is_none(passages: list[dict]) -> None:
    # 002 and 003 share only stock phrases ("said in a statement", "according to") with the others.
    assert {p["doc_id"][:3] for p in passages} == {"000", "001", "004"}
    assert all(len(p["text"].split()) >= 8 for p in passages)
