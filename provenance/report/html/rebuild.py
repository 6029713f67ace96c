"""``prov html REPORT``: build a finished report's HTML pages again, in place and safely.

The pages are built in a temporary folder beside the report, then moved in; the report's
Parquet files are never touched. Only ``index.html`` and ``html/`` are replaced, and only
when the report's manifest lists them as its own (or they are missing).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from provenance.errors import ReportError
from provenance.ownership import MANIFEST, mark_partial
from provenance.report.html.site import INDEX, SITE_DIR, site_tables, write_index, write_site
from provenance.report.writer import read_manifest


def rebuild_html(report: Path) -> Path:
    """Write ``report/index.html`` and ``report/html/`` again from the report's tables.

    Returns:
        The path of ``index.html``.

    Raises:
        ReportError: ``report`` is not a finished prov report, a table the pages need is
            missing or unreadable, or an ``index.html``/``html`` there is not the report's own.
    """
    manifest = read_manifest(report)
    listed = set(manifest.get("files", []))
    for name in (INDEX, SITE_DIR):
        if (report / name).exists() and name not in listed:
            raise ReportError(f"{report / name}: not written by prov (not in the report's manifest); move it first")
    tables = site_tables(report)
    real = Path(os.path.realpath(report))
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{real.name}.html-partial-", dir=real.parent))
    except OSError as err:
        raise ReportError(f"{report}: cannot write beside the report ({err.strerror or err})") from None
    try:
        mark_partial(staging)
        write_site(tables, manifest, staging / SITE_DIR)
        write_index(staging / INDEX)
        if (real / SITE_DIR).exists():
            os.replace(real / SITE_DIR, staging / "html.old")
        os.replace(staging / SITE_DIR, real / SITE_DIR)
        os.replace(staging / INDEX, real / INDEX)
        if not {INDEX, SITE_DIR} <= listed:
            manifest["files"] = sorted(listed | {INDEX, SITE_DIR})
            fresh = staging / MANIFEST
            fresh.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(fresh, real / MANIFEST)
    except OSError as err:
        raise ReportError(f"{report}: cannot write the HTML pages ({err.strerror or err})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report / INDEX
