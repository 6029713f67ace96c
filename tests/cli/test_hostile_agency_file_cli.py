"""``prov scan --agencies``: a file too deep to parse or a YAML alias bomb stops the run with one
line naming the file and exit code 2, before any work and without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

DEPTH = 5000


def billion_laughs() -> str:
    """Under 400 bytes of YAML whose ``aliases`` stand for 9**9 (387 million) strings."""
    levels = ["&l0 [" + ",".join(["lol"] * 9) + "]"]
    levels += [f"&l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 8)]
    levels.append("[" + ",".join(["*l7"] * 9) + "]")
    return "agencies:\n  - id: LOL\n    name: Laughs\n    aliases: [" + ",\n      ".join(levels) + "]\n"


HOSTILE = {
    "toml 5000 deep": ("agencies.toml", "a = " + "[" * DEPTH + "]" * DEPTH + "\n", "nested too deeply"),
    "toml tables 5000 deep": ("agencies.toml", "a = " + "{b = " * DEPTH + "1" + "}" * DEPTH, "nested too deeply"),
    "yaml 5000 deep": ("agencies.yaml", "agencies:\n" + "- " * DEPTH + "x\n", "nested too deeply"),
    "yaml alias bomb": ("agencies.yaml", billion_laughs(), "aliases expand to more than 10,000 values"),
}


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.mark.parametrize(("name", "text", "problem"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_agency_file_is_a_one_line_error(
    runner, seeds_dir: Path, tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner("scan", seeds_dir, "--agencies", path, "--out", "report")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"prov: error: {path}: invalid "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert problem in result.stderr
    assert not Path("report").exists()


def test_the_bomb_is_small() -> None:
    assert len(billion_laughs().encode()) < 494
