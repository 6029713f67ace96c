"""Index fixtures: the five seed articles as the indexed corpus, and a follow-up story that
reuses paragraphs of three of them (one lightly edited) and repeats a caption inside itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SEEDS = Path(__file__).parents[2] / "seeds"
SEED_IDS = sorted(p.name for p in SEEDS.glob("*.txt"))


def seed_lines(prefix: str) -> list[str]:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8").split("\n")


def followup_text() -> str:
    """A round-up: its own opening and closing around a paragraph of 000, a caption of 000 twice,
    a paragraph of 001 with one word changed, and a paragraph of 003."""
    s000, s001, s003 = seed_lines("000"), seed_lines("001"), seed_lines("003")
    return "\n\n".join(
        [
            "BAGHDAD (Reuters) - A round-up of the week's fighting in Mosul, compiled by our regional desk from "
            "correspondents and wire reports on Friday.",
            s000[4],
            s000[1],
            s001[2].replace("elite police units", "elite federal police units"),
            "Commanders would not say when the final assault on the Old City would begin, and aid groups said "
            "they had not been told either.",
            s003[3],
            s000[1],
            "Our desk will publish a further round-up next week.",
        ]
    )


@pytest.fixture
def followup(tmp_path: Path) -> Path:
    folder = tmp_path / "new"
    folder.mkdir()
    path = folder / "followup.txt"
    path.write_text(followup_text(), encoding="utf-8")
    return path


def many_rows(n: int) -> list[dict]:
    """``n`` distinct documents made by rotating and mixing seed paragraphs (a largish input)."""
    paragraphs = [line for p in ("000", "001", "002", "003", "004") for line in seed_lines(p) if len(line) > 80]
    rows = []
    for i in range(n):
        picked = [paragraphs[(i * 7 + j * 13) % len(paragraphs)] for j in range(4)]
        rows.append({"id": f"bulk-{i:05d}", "text": f"Bulletin {i}.\n" + "\n".join(picked), "outlet": "Bulk"})
    return rows


@pytest.fixture
def bulk(tmp_path: Path) -> Path:
    path = tmp_path / "bulk.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in many_rows(600)), encoding="utf-8")
    return path
