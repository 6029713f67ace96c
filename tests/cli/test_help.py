"""Help and docs stay honest: every command has help that names its options, and the README
documents every command and option (after sqlite-utils' tests/test_docs.py)."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from prov_cli.main import app
from typer.main import get_command

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
COMMANDS = get_command(app).commands  # name -> click command, whatever way it was registered


def flat(text: str) -> str:
    """Help text without rich's box drawing and line wrapping, to search for sentences."""
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", text).split())


def summary(command) -> str:
    return " ".join(command.help.split("\n\n")[0].split())


def long_options(command) -> list[str]:
    return [
        opt for param in command.params if param.param_type_name == "option" for opt in param.opts if opt[:2] == "--"
    ]


def test_the_app_has_commands() -> None:
    assert "scan" in COMMANDS


def test_prov_help_lists_every_command_with_its_summary(runner) -> None:
    result = runner("--help")
    assert result.exit_code == 0
    assert "Usage: prov [OPTIONS] COMMAND" in result.stdout
    assert "--version" in result.stdout
    for name, command in COMMANDS.items():
        assert f"{name} {summary(command)}" in flat(result.stdout)


def test_prov_without_arguments_shows_the_help(runner) -> None:
    result = runner()
    assert "Usage: prov [OPTIONS] COMMAND" in result.stdout
    assert "Traceback" not in result.output


def test_prov_version(runner) -> None:
    result = runner("--version")
    assert result.exit_code == 0
    assert result.stdout == f"prov {version('prov')}\n"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_describes_the_command_and_names_every_option(runner, name: str) -> None:
    command = COMMANDS[name]
    assert command.help and command.help.strip(), f"{name} has no docstring"
    result = runner(name, "--help")
    assert result.exit_code == 0
    assert f"Usage: prov {name} [OPTIONS]" in result.stdout
    assert summary(command) in flat(result.stdout)
    for option in long_options(command):
        assert option in result.stdout, f"{option} missing from `prov {name} --help`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_parameter_has_help_text(name: str) -> None:
    missing = [param.name for param in COMMANDS[name].params if not (getattr(param, "help", None) or "").strip()]
    assert missing == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_readme_documents_every_command(name: str) -> None:
    assert f"prov {name}" in README


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_readme_documents_every_option(name: str) -> None:
    # Field-name options are documented as a family ("rename with `--id-field`, `--text-field`, ..."),
    # so for those the README must name the field itself; every other option must appear as is.
    undocumented = []
    for param in COMMANDS[name].params:
        if param.param_type_name != "option" or param.name == "help":
            continue
        option = next(opt for opt in param.opts if opt[:2] == "--")
        if option.endswith("-field"):
            documented = f"`{option[2 : -len('-field')]}`" in README
        else:
            documented = re.search(rf"{re.escape(option)}(?![\w-])", README) is not None
        if not documented:
            undocumented.append(option)
    assert undocumented == []
