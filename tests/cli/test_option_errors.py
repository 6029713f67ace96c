"""Absurd numeric options: one line on stderr, exit code 2, and nothing done or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import DetectConfig
from provenance.errors import ConfigError

pytestmark = pytest.mark.usefixtures("in_tmp")


def assert_one_line_error(result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("prov: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    for text in expected:
        assert text in result.stderr
    assert result.stdout == ""


SCAN_OPTIONS = {
    "seed -1": (["--seed", "-1"], "seed must be 0..4294967295"),
    "seed 2^32": (["--seed", str(2**32)], "seed must be 0..4294967295"),
    "seed huge": (["--seed", "9" * 30], "seed must be 0..4294967295"),
    "workers -3": (["--workers", "-3"], "workers must be 1..256"),
    "workers 100000": (["--workers", "100000"], "workers must be 1..256"),
    "max-bucket 0": (["--max-bucket", "0"], "max bucket must be at least 2"),
    "min-similarity 2": (["--min-similarity", "2"], "similarity floor must be in [0, 1]"),
    "min-similarity nan": (["--min-similarity", "nan"], "similarity floor must be in [0, 1]"),
    "threshold 5": (["--threshold", "5"], "threshold must be in (0, 1)"),
    "threshold nan": (["--threshold", "nan"], "threshold must be in (0, 1)"),
    "num-perm 0": (["--num-perm", "0"], "permutations must be 1..1024"),
    "shingle-size 0": (["--shingle-size", "0"], "shingle size must be 1..10"),
    "window 100000": (["--window", "100000"], "window must be between"),
    "min-words -1": (["--min-words", "-1"], "minimum passage"),
    "max-gap -1": (["--max-gap", "-1"], "max gap must be 0..50"),
    "boilerplate-docs 0": (["--boilerplate-docs", "0"], "boilerplate documents must be at least 2"),
    "bands and rows -1": (["--bands", "-1", "--rows", "-1"], "bands and rows must be positive"),
    "bands without rows": (["--bands", "3"], "give both --bands and --rows"),
}


@pytest.mark.parametrize(("options", "message"), SCAN_OPTIONS.values(), ids=SCAN_OPTIONS.keys())
def test_an_absurd_scan_option_is_a_one_line_error_before_any_work(
    runner, seeds_dir: Path, options: list[str], message: str
) -> None:
    result = runner("scan", seeds_dir, "--out", "report", *options)
    assert_one_line_error(result, message)
    assert not Path("report").exists()


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_a_seed_out_of_range_on_index_add_is_a_one_line_error_and_no_index_is_created(
    runner, seeds_dir: Path, seed: str
) -> None:
    result = runner("index", "add", seeds_dir, "--index", "ix", "--seed", seed)
    assert_one_line_error(result, f"seed must be 0..4294967295 (2^32-1), got {seed}")
    assert not Path("ix").exists()


@pytest.mark.parametrize("seed", [0, 2**32 - 1])
def test_the_ends_of_the_seed_range_run(runner, seeds_dir: Path, seed: int) -> None:
    result = runner("scan", seeds_dir, "--out", "report", "--seed", seed, "--quiet")
    assert result.exit_code == 0, result.output
    assert (Path("report") / "manifest.json").is_file()


@pytest.mark.parametrize("seed", [-1, 2**32, -(2**63)])
def test_detect_config_refuses_a_seed_numpy_cannot_take(seed: int) -> None:
    with pytest.raises(ConfigError, match=r"seed must be 0\.\.4294967295 \(2\^32-1\)"):
        DetectConfig(seed=seed)
