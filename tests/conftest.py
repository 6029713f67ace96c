"""Fixtures shared by every test: the CLI runner, the seed articles, the input fixtures and the
Reuters-21578 folder. The ``benchmarks`` package at the repository root (the corpus generator,
and the one lookup of the Reuters folder) is made importable here for every test module."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

ROOT = Path(__file__).parents[1]
if str(ROOT) not in sys.path:  # the benchmarks package at the repository root
    sys.path.insert(0, str(ROOT))


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


# The "provenance" logger as the library leaves it, before any test runs the CLI.
_LIBRARY_LOGGING = (
    logging.getLogger("provenance").handlers[:],
    logging.getLogger("provenance").propagate,
    logging.getLogger("provenance").level,
)


@pytest.fixture(autouse=True)
def _restore_library_logging() -> Iterator[None]:
    # The CLI points the "provenance" logger at its own handler and stops propagation, which
    # would hide the library's warnings from caplog in every test that runs afterwards. After
    # each test the logger is put back as the library left it, not as the test found it: a
    # module-scoped fixture that runs the CLI (the benchmark smoke's scan) acts before this
    # fixture starts, and its setting would otherwise last the rest of the session.
    yield
    logger = logging.getLogger("provenance")
    logger.handlers[:], logger.propagate = _LIBRARY_LOGGING[0][:], _LIBRARY_LOGGING[1]
    logger.setLevel(_LIBRARY_LOGGING[2])  # setLevel, not assignment: it also clears the logging cache


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


@pytest.fixture(scope="session")
def reuters_dir() -> Path:
    """The Reuters-21578 folder, as ``benchmarks.textbase.reuters_folder`` finds it (``PROV_REUTERS``,
    else ``PROV_REUTERS_DIR``, else ``shared/corpora/reuters21578`` beside the repository). A test
    that asks for it is skipped when the folder does not hold the corpus (its first file,
    ``reut2-000.sgm``, which every use reads)."""
    from benchmarks.textbase import reuters_folder  # here, not at the top: it imports numpy

    folder = reuters_folder()
    if not (folder / "reut2-000.sgm").is_file():
        pytest.skip(f"no Reuters-21578 corpus at {folder} (set PROV_REUTERS to its folder)")
    return folder
