"""A small wire corpus built from the seed articles: reprints with light edits, an exact copy,
and unrelated stories, with outlets and dates chosen so that each policy keeps a different copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SEEDS = Path(__file__).parents[2] / "seeds"
EXTRA_PARAGRAPH = (
    "\n\nThe Evening Post's correspondent in Erbil said aid convoys were waiting at the checkpoints "
    "outside the city for a second day on Wednesday."
)


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def every_nth_word(text: str, n: int, word: str = "however") -> str:
    """A light copy edit: every n-th space-separated word replaced."""
    return " ".join(word if i % n == n - 1 else w for i, w in enumerate(text.split(" ")))


def corpus_rows() -> list[dict]:
    """The story of seed 002 three times (AP's own copy, an earlier reprint crediting AP with a
    few words changed, a later and longer reprint), seed 000 twice (the second an exact copy),
    and seeds 001, 003 and 004 once. Exact Jaccard of the 002 copies: 0.85 to 0.93."""
    s002, s000 = seed("002"), seed("000")
    return [
        {"id": "ap-002", "text": s002, "outlet": "AP", "date": "2024-03-02", "edition": "wire"},
        {
            "id": "planet-002",
            "text": "MOSUL, Iraq (AP) — " + every_nth_word(s002, 60),
            "outlet": "Daily Planet",
            "date": "2024-03-01",
            "edition": "city",
        },
        {"id": "post-002", "text": s002 + EXTRA_PARAGRAPH, "outlet": "Evening Post", "date": "2024-03-03"},
        {"id": "wire-000", "text": s000, "outlet": "AFP", "date": "1 March 2024"},
        {"id": "herald-000", "text": s000, "outlet": "Herald", "date": "2024-03-02"},
        {"id": "s001", "text": seed("001"), "outlet": "SBS", "date": "2024-03-01"},
        {"id": "s003", "text": seed("003"), "outlet": "SBS", "date": "2024-03-01"},
        {"id": "s004", "text": seed("004"), "date": "2024-03-04", "title": "Peshmerga"},
    ]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "wire.jsonl", corpus_rows())
