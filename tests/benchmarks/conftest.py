"""Make the ``benchmarks`` package (the harness at the repository root) importable in tests, and
build the small generated corpus the benchmark tests share."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generate, textbase  # noqa: E402
from provenance.ingest import read_documents  # noqa: E402

# PROV_REUTERS, as in the other tests; PROV_REUTERS_DIR is the name benchmarks/ reads.
REUTERS = Path(
    os.environ.get("PROV_REUTERS")
    or os.environ.get("PROV_REUTERS_DIR")
    or ROOT / ".." / "shared" / "corpora" / "reuters21578"
).resolve()


@pytest.fixture(scope="session")
def base() -> textbase.Base:
    # Only the tests that build a corpus need Reuters: they all come through this fixture, so
    # they skip here, and the metric tests run without it. The first three files: a second or two.
    if not list(REUTERS.glob("*.sgm")):
        pytest.skip(f"Reuters-21578 corpus not found at {REUTERS} (set PROV_REUTERS to its folder)")
    return textbase.load_base(REUTERS, files=3, cache_dir=None)


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
