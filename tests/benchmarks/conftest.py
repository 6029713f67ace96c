"""The small generated corpus the benchmark tests share (the ``benchmarks`` package, the harness
at the repository root, is importable through tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import generate, textbase
from provenance.ingest import read_documents


@pytest.fixture(scope="session")
def base(reuters_dir: Path) -> textbase.Base:
    # Only the tests that build a corpus need Reuters: they all come through this fixture, so
    # they skip (in ``reuters_dir``), and the metric tests run without it. The first three
    # files: a second or two.
    return textbase.load_base(reuters_dir, files=3, cache_dir=None)


@pytest.fixture(scope="session")
def corpus_config() -> generate.GenConfig:
    """The shared corpus's parameters: 300 documents, seed 7, the default (web) noise."""
    return generate.GenConfig(docs=300, seed=7)


@pytest.fixture(scope="session")
def corpus(base: textbase.Base, corpus_config: generate.GenConfig, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared generated corpus, checked for unplanted overlap."""
    out = tmp_path_factory.mktemp("gen") / "gen-300"
    generate.generate(corpus_config, out, base, check=True)
    return out


@pytest.fixture(scope="session")
def corpus_docs(corpus: Path) -> dict[str, dict]:
    """doc_id -> the corpus row (text, outlet, date, title) of the shared corpus."""
    return {d.doc_id: {"text": d.text, "outlet": d.outlet} for d in read_documents([corpus / generate.CORPUS])}
