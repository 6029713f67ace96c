"""The written-out table of combining marks is the running Python's Unicode database."""

from __future__ import annotations

import sys
import unicodedata

from provenance.passages.marks import KNOWN, MARK_PLANES, computed_mark_ranges, mark_ranges


def test_the_table_equals_the_unicode_database_it_names() -> None:
    assert mark_ranges() == computed_mark_ranges()
    if sys.version_info[:2] == (3, 11):  # CI's Python: its table must be the one used
        assert unicodedata.unidata_version in KNOWN


def test_no_combining_mark_lies_outside_the_planes_searched() -> None:
    searched = set().union(*(set(plane) for plane in MARK_PLANES))
    outside = [
        code for code in range(sys.maxunicode + 1) if code not in searched and unicodedata.category(chr(code))[0] == "M"
    ]
    assert outside == []
