"""Fixtures shared by every test: the CLI runner, the seed articles and the input fixtures."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

ROOT = Path(__file__).parents[1]


class Runner(CliRunner):
    """Calls ``prov`` with string-converted arguments and never swallows an unexpected exception.

    Typer's runner turns any exception into ``result.exception`` with exit code 1, so a crash would
    pass for a handled error; only ``SystemExit`` (how every exit code arrives) is kept in the result.
    """

    def __call__(self, *args: object, **kwargs) -> Result:
        from prov_cli.main import app  # imported here so that a broken CLI fails its tests, not collection

        result = self.invoke(app, [str(arg) for arg in args], **kwargs)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result


@pytest.fixture
def runner() -> Runner:
    return Runner()


@pytest.fixture(autouse=True)
def _restore_library_logging() -> Iterator[None]:
    # The CLI points the "provenance" logger at its own handler and stops propagation, which
    # would hide the library's warnings from caplog in every test that runs afterwards.
    logger = logging.getLogger("provenance")
    saved = (logger.handlers[:], logger.propagate, logger.level)
    yield
    logger.handlers[:], logger.propagate = saved[0], saved[1]
    logger.setLevel(saved[2])  # setLevel, not assignment: it also clears the logging cache


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test in its ``tmp_path``: a command's default ``--out`` (``./prov-report``) and
    anything else written relative to the working folder never lands in the source tree."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def seeds_dir() -> Path:
    return ROOT / "seeds"


@pytest.fixture
def fixtures_dir() -> Path:
    return ROOT / "fixtures"
