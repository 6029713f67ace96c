"""Hostile agency files: too deep to parse, alias bombs and huge values give one short ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.credits import load_gazetteer
from provenance.credits.gazetteer import MAX_ALIAS_VALUES
from provenance.errors import ConfigError

DEPTH = 5000  # far past Python's recursion limit, which both parsers hit once per level


def billion_laughs(levels: int = 9) -> str:
    """A YAML file whose ``aliases`` list stands for 9**levels strings (387 million at 9 levels:
    gigabytes once anything walks it), though it holds under 400 bytes."""
    lines = [
        "agencies:",
        "  - id: LOL",
        "    name: Laughing Agency",
        "    aliases: [&l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol],",
    ]
    for level in range(1, levels - 1):
        lines.append(f"      &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "],")
    lines.append("      [" + ",".join([f"*l{levels - 2}"] * 9) + "]]")
    return "\n".join(lines) + "\n"


def load_error(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_gazetteer(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


DEEP = {
    "toml array": ("deep.toml", "a = " + "[" * DEPTH + "]" * DEPTH + "\n"),
    "toml inline table": ("deep.toml", "a = " + "{b = " * DEPTH + "1" + "}" * DEPTH + "\n"),
    "toml agencies value": ("deep.toml", "[[agencies]]\nid = 'X'\nname = " + "[" * DEPTH + "]" * DEPTH + "\n"),
    "yaml flow": ("deep.yaml", "agencies: " + "[" * DEPTH + "]" * DEPTH + "\n"),
}


@pytest.mark.parametrize(("name", "text"), DEEP.values(), ids=DEEP.keys())
def test_a_file_nested_5000_deep_is_a_one_line_error(tmp_path: Path, name: str, text: str) -> None:
    message = load_error(tmp_path, name, text)
    assert "nested too deeply to read" in message


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    bomb = billion_laughs()
    assert len(bomb.encode()) < 494
    message = load_error(tmp_path, "bomb.yaml", bomb)
    assert f"aliases expand to more than {MAX_ALIAS_VALUES:,} values" in message
    assert len(message) < 400


def test_a_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, "loop.yaml", "agencies: &all [*all]\n")
    assert "recursive alias" in message


def test_a_few_yaml_aliases_still_work(tmp_path: Path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "agencies:\n"
        "  - id: NTB\n    name: &ntb Norsk Telegrambyrå\n    aliases: [*ntb, NTB]\n    carries: &wires [AP, AFP]\n"
        "  - id: STT\n    name: Suomen Tietotoimisto\n    carries: *wires\n",
        encoding="utf-8",
    )
    gazetteer = load_gazetteer(path)
    assert gazetteer["NTB"].aliases == ("Norsk Telegrambyrå", "NTB")
    assert gazetteer["STT"].carries == ("AP", "AFP")


AGENCY = "[[agencies]]\nid = 'X'\nname = 'X'\n"
HUGE = {
    "long list": ("[[agencies]]\nid = 'X'\nname = [" + "'x', " * 100_000 + "]\n", "'name' must be a string"),
    "deep list": ("[[agencies]]\nid = 'X'\nname = " + "[" * 300 + "]" * 300 + "\n", "'name' must be a string"),
    "long alias": (AGENCY + "aliases = [' " + "x" * 100_000 + "']\n", "agency X: name ' xxx"),
    "control characters": (AGENCY + 'kind = "' + "\\u001b[2J" * 50_000 + '"\n', "agency X: kind '\\x1b[2J"),
    "id of many lines": ('[[agencies]]\nid = "' + "x\\n" * 50_000 + '"\nname = "X"\n', "agency id 'x\\nx"),
    "long key": (AGENCY + "k" * 100_000 + " = 1\n", "unknown key 'kkk"),
    "many keys": ("".join(f"k{i} = 1\n" for i in range(10_000)), "'k1000' and 9995 more"),
}


@pytest.mark.parametrize(("text", "problem"), HUGE.values(), ids=HUGE.keys())
def test_a_value_quoted_in_a_message_is_cut_short(tmp_path: Path, text: str, problem: str) -> None:
    message = load_error(tmp_path, "big.toml", text)
    assert problem in message
    assert len(message) < len(str(tmp_path)) + 200, message
    assert not any(c < " " for c in message), message  # control characters show as escapes
