"""``prov dedup`` end to end: the corpus written back, the removed list beside it, safe writes."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import provenance.dedup.output as output
from provenance.dedup import REMOVED, STRIPPED
from provenance.dedup.strip import widen

from .conftest import corpus_rows, write_jsonl
from .test_dedup import FOOTER, footer_rows

pytestmark = pytest.mark.usefixtures("in_tmp")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_dedup_writes_the_kept_documents_with_their_fields_and_lists_what_it_removed(runner, corpus: Path) -> None:
    result = runner("dedup", corpus, "--out", "clean.jsonl", "--policy", "credited")
    assert result.exit_code == 0, result.output
    assert "3 near-duplicates removed in 2 groups" in result.stdout
    kept = read_jsonl(Path("clean.jsonl"))
    rows = {r["id"]: r for r in corpus_rows()}
    assert [r["id"] for r in kept] == ["ap-002", "wire-000", "s001", "s003", "s004"]
    for row in kept:
        assert row == rows[row["id"]]  # same fields, pass-through "edition" included, absent ones absent
    removed = read_jsonl(Path("clean.removed.jsonl"))
    assert [(r["doc_id"], r["kept_doc_id"], r["reason"], r["policy"]) for r in removed] == [
        ("planet-002", "ap-002", "near-duplicate", "credited"),
        ("post-002", "ap-002", "near-duplicate", "credited"),
        ("herald-000", "wire-000", "identical text", "credited"),
    ]
    assert all(0.8 <= r["similarity"] <= 1.0 for r in removed)
    assert removed[0]["kept_because"] == "published by AP, the likely origin"
    record = json.loads(Path("clean.dedup.json").read_text(encoding="utf-8"))
    assert record["counts"]["removed"] == 3 and record["counts"]["kept"] == 5
    assert record["parameters"]["dedup"]["policy"] == "credited"
    assert not Path("clean.stripped.jsonl").exists()
    mask = os.umask(0)
    os.umask(mask)
    assert all(Path(f).stat().st_mode & 0o777 == 0o666 & ~mask for f in ("clean.jsonl", "clean.removed.jsonl"))


def test_parquet_output_has_the_input_fields_as_columns(runner, corpus: Path) -> None:
    result = runner("dedup", corpus, "--out", "clean.parquet", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    table = pq.read_table("clean.parquet")
    assert table.column_names == ["id", "text", "outlet", "date", "title", "url", "edition"]
    assert table.column("id").to_pylist() == ["planet-002", "wire-000", "s001", "s003", "s004"]
    removed = pq.read_table("clean.removed.parquet")
    assert removed.schema.equals(REMOVED, check_metadata=True)
    assert removed.column("kept_doc_id").to_pylist() == ["planet-002", "planet-002", "wire-000"]


def test_renamed_fields_are_written_back_under_their_own_names(runner, tmp_path: Path) -> None:
    rows = [{"story": r["id"], "body": r["text"], "paper": r.get("outlet")} for r in corpus_rows()]
    src = write_jsonl(tmp_path / "renamed.jsonl", rows)
    result = runner(
        "dedup", src, "--out", "clean.jsonl.gz", "--id-field", "story", "--text-field", "body",
        "--outlet-field", "paper", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with gzip.open("clean.jsonl.gz", "rt", encoding="utf-8") as handle:
        kept = [json.loads(line) for line in handle]
    assert set(kept[0]) == {"story", "body", "paper"}
    assert Path("clean.removed.jsonl.gz").exists()


def test_the_same_seed_writes_the_same_files(runner, corpus: Path) -> None:
    for out in ("a.jsonl", "b.jsonl"):
        assert runner("dedup", corpus, "--out", out, "--seed", "42", "--quiet").exit_code == 0
    assert Path("a.jsonl").read_bytes() == Path("b.jsonl").read_bytes()
    assert Path("a.removed.jsonl").read_bytes() == Path("b.removed.jsonl").read_bytes()
    counts = [json.loads(Path(f"{x}.dedup.json").read_text())["counts"] for x in "ab"]
    assert counts[0] == counts[1]


def test_strip_boilerplate_writes_the_stripped_list(runner, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "footers.jsonl", footer_rows())
    result = runner("dedup", src, "--out", "clean.jsonl", "--strip-boilerplate", "--boilerplate-docs", "3")
    assert result.exit_code == 0, result.output
    assert "5 boilerplate passages" in result.stdout
    assert all(FOOTER not in r["text"] for r in read_jsonl(Path("clean.jsonl")))
    stripped = read_jsonl(Path("clean.stripped.jsonl"))
    assert len(stripped) == 5 and {r["text"] for r in stripped} == {FOOTER}
    assert set(stripped[0]) == set(STRIPPED.names)


def test_existing_outputs_are_not_replaced_without_force(runner, corpus: Path) -> None:
    Path("clean.removed.jsonl").write_text("mine\n")
    result = runner("dedup", corpus, "--out", "clean.jsonl")
    assert result.exit_code == 1
    assert result.stderr == (
        "prov: error: clean.removed.jsonl: exists; pass --force to replace it, or choose another --out\n"
    )
    assert not Path("clean.jsonl").exists()
    assert Path("clean.removed.jsonl").read_text() == "mine\n"
    assert runner("dedup", corpus, "--out", "clean.jsonl", "--force", "--quiet").exit_code == 0
    assert Path("clean.removed.jsonl").read_text() != "mine\n"


def test_an_input_is_never_overwritten_even_with_force(runner, corpus: Path) -> None:
    before = corpus.read_bytes()
    result = runner("dedup", corpus, "--out", corpus, "--force")
    assert result.exit_code == 1
    assert "would overwrite an input" in result.stderr
    assert corpus.read_bytes() == before


def test_a_failed_write_leaves_the_previous_outputs_whole(
    runner, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner("dedup", corpus, "--out", "clean.jsonl", "--quiet").exit_code == 0
    before = {p.name: p.read_bytes() for p in Path().iterdir()}
    real = output._write_rows

    def failing(path, rows, schema, parquet, gz):
        if schema is REMOVED:
            raise OSError(28, "No space left on device")
        return real(path, rows, schema, parquet, gz)

    monkeypatch.setattr(output, "_write_rows", failing)
    result = runner("dedup", corpus, "--out", "clean.jsonl", "--force", "--policy", "longest")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert {p.name: p.read_bytes() for p in Path().iterdir()} == before  # no temporary files either


@pytest.mark.parametrize("name", ["clean.csv", "clean", ".jsonl"])
def test_the_output_must_be_jsonl_or_parquet(runner, corpus: Path, name: str) -> None:
    result = runner("dedup", corpus, "--out", name)
    assert result.exit_code == 1
    assert "must be a .jsonl, .ndjson (optionally .gz) or .parquet file" in result.stderr


def test_a_bad_threshold_is_a_usage_error(runner, corpus: Path) -> None:
    result = runner("dedup", corpus, "--out", "clean.jsonl", "--threshold", "1.5")
    assert result.exit_code == 2
    assert result.stderr == "prov: error: threshold must be in (0, 1), got 1.5\n"


@pytest.mark.parametrize(
    ("text", "span", "widened"),
    [("a (BOILER plate.) b", (3, 15), (2, 17)), ("x BOILER y", (2, 8), (2, 8)), ('"quoted."', (1, 7), (0, 9))],
)
def test_a_cut_takes_the_punctuation_glued_to_its_words(text: str, span: tuple, widened: tuple) -> None:
    assert widen(text, *span) == widened


def test_the_parquet_corpus_written_a_batch_at_a_time_holds_what_the_jsonl_holds(
    runner, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept documents are written a few rows at a time (a million are never all in memory):
    every batch's rows, pass-through fields included, in input order."""
    from provenance.dedup import output

    monkeypatch.setattr(output, "_BATCH_ROWS", 2)
    assert runner("dedup", corpus, "--out", "a.parquet", "--quiet").exit_code == 0
    assert runner("dedup", corpus, "--out", "b.jsonl", "--quiet").exit_code == 0
    table = pq.read_table("a.parquet")
    assert pq.ParquetFile("a.parquet").metadata.num_row_groups == 3  # 5 rows, 2 at a time
    rows = [{k: v for k, v in r.items() if v is not None} for r in table.to_pylist()]
    assert rows == read_jsonl(Path("b.jsonl")) and len(rows) == 5
