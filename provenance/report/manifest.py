"""The run's manifest: what was read, with which parameters, what came out, how long it took."""

from __future__ import annotations

import dataclasses
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from provenance import __version__
from provenance.config import ScanConfig
from provenance.ingest.streams import is_stream, stream_name
from provenance.ingest.walk import printable_path
from provenance.records import ScanResult
from provenance.sketch import scan_banding

_MAX_BOILERPLATE_LISTED = 50


def run_identity(config: ScanConfig, inputs: list[Path]) -> dict[str, Any]:
    """What makes two runs the same run: the inputs (resolved; a stream by its name, such as
    ``<stdin>``) and every parameter that changes the output, including the banding derived
    from the threshold and the filters."""
    banding = scan_banding(config.detect)
    detect = dataclasses.asdict(config.detect) | {"bands": banding.bands, "rows": banding.rows}
    return {
        "inputs": [stream_name(p) if is_stream(p) else printable_path(Path(p).resolve()) for p in inputs],
        "parameters": {
            "detect": detect,
            "fields": dataclasses.asdict(config.fields),
            "limits": dataclasses.asdict(config.limits),
            "dayfirst": config.dayfirst,
            "agencies": str(Path(config.agencies).resolve()) if config.agencies else None,
            # patterns as a list, as JSON reads them back: a re-run compares equal
            "categories": dataclasses.asdict(config.categories) | {"patterns": list(config.categories.patterns)},
            "filters": dataclasses.asdict(config.filters) | {"outlets": list(config.filters.outlets)},
        },
    }


def build_manifest(result: ScanResult, config: ScanConfig, inputs: list[Path], engine: str = "local") -> dict[str, Any]:
    """A JSON-ready manifest of a finished scan; ``run_identity`` is part of it."""
    docs = result.documents
    biggest = sorted(result.boilerplate, key=lambda b: -b.size)[:_MAX_BOILERPLATE_LISTED]
    return {
        "tool": "prov",
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "python": platform.python_version(),
        **run_identity(config, inputs),
        "counts": result.counts,
        "timings": [{"stage": t.stage, "seconds": t.seconds, "items": t.items} for t in result.timings],
        "skipped": [{"source": s.source, "line": s.line, "reason": s.reason} for s in result.skipped],
        "boilerplate": [
            {"band": b.band, "bucket_size": b.size, "sample_doc": docs[b.sample_doc].doc_id} for b in biggest
        ],
    }
