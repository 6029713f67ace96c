"""provenance and prov_cli type-check clean under mypy (configured in pyproject.toml), so CI
catches a type hint that the code contradicts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_mypy() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed; it is part of the 'test' extra")
    # No arguments: what to check and how come from [tool.mypy] in pyproject.toml.
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
