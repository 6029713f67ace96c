"""The run's manifest: what was read, with which parameters, what came out, how long it took."""

from __future__ import annotations

import dataclasses
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from provenance import __version__
from provenance.config import ScanConfig
from provenance.records import ScanResult

_MAX_BOILERPLATE_LISTED = 50


def build_manifest(result: ScanResult, config: ScanConfig, inputs: list[Path], engine: str = "local") -> dict[str, Any]:
    """A JSON-ready manifest. ``inputs`` and ``parameters`` identify the run (see ``writer``)."""
    docs = result.documents
    biggest = sorted(result.boilerplate, key=lambda b: -b.size)[:_MAX_BOILERPLATE_LISTED]
    return {
        "tool": "prov",
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "python": platform.python_version(),
        "inputs": [str(Path(p)) for p in inputs],
        "parameters": {
            "detect": dataclasses.asdict(config.detect)
            | {"bands": result.counts["bands"], "rows": result.counts["rows"]},
            "fields": dataclasses.asdict(config.fields),
        },
        "counts": result.counts,
        "timings": [{"stage": t.stage, "seconds": t.seconds, "items": t.items} for t in result.timings],
        "skipped": [{"source": s.source, "line": s.line, "reason": s.reason} for s in result.skipped],
        "boilerplate": [
            {"band": b.band, "bucket_size": b.size, "sample_doc": docs[b.sample_doc].doc_id} for b in biggest
        ],
    }
