"""The HTML report: ``REPORT/index.html`` and ``REPORT/html/``, readable offline from ``file://``."""

from provenance.report.html.site import INDEX, SITE_DIR, write_index, write_site

__all__ = ["INDEX", "SITE_DIR", "write_index", "write_site"]
