"""Deduplication compares text in its folded form (NFKC, case-folded): copies of a story that
differ only in Unicode form are one story, and the copy kept is written back byte for byte."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from provenance.dedup import dedup
from provenance.records import Document

from ..align.unicode_article import NFC, NFD, compat_copy
from .conftest import seed, write_jsonl

pytestmark = pytest.mark.usefixtures("in_tmp")


def unicode_rows() -> list[dict]:
    """AFP's story precomposed, a later reprint decomposed (NFD), a later one with ligatures and
    fullwidth letters, and two unrelated seed stories."""
    return [
        {"id": "afp-nfc", "text": NFC, "outlet": "AFP", "date": "2024-03-01"},
        {"id": "mac-nfd", "text": NFD, "outlet": "Le Courrier", "date": "2024-03-02"},
        {"id": "pdf-compat", "text": compat_copy(NFC), "outlet": "Archive", "date": "2024-03-03"},
        {"id": "s000", "text": seed("000"), "outlet": "AFP", "date": "2024-03-01"},
        {"id": "s001", "text": seed("001"), "outlet": "SBS", "date": "2024-03-01"},
    ]


def test_prov_dedup_keeps_one_of_the_nfc_and_nfd_copies(runner, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "wire.jsonl", unicode_rows())
    result = runner("dedup", src, "--out", "clean.jsonl", "--policy", "earliest", "--quiet")
    assert result.exit_code == 0, result.output
    kept = [json.loads(line) for line in Path("clean.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in kept] == ["afp-nfc", "s000", "s001"]
    assert kept[0]["text"] == NFC and unicodedata.is_normalized("NFC", kept[0]["text"])  # written as read
    removed = [json.loads(line) for line in Path("clean.removed.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["doc_id"], r["kept_doc_id"], r["similarity"], r["reason"]) for r in removed] == [
        ("mac-nfd", "afp-nfc", 1.0, "near-duplicate"),  # same words, other bytes: not "identical text"
        ("pdf-compat", "afp-nfc", 1.0, "near-duplicate"),
    ]


def test_nfc_and_nfd_copies_too_short_to_shingle_still_meet() -> None:
    # Captions and datelines have fewer words than a shingle: they are matched on their words.
    texts = ["Hà Nội", unicodedata.normalize("NFD", "Hà Nội"), "HÀ NỘI", "Hà Giang"]
    docs = [Document(i, f"d{i}", text, "test") for i, text in enumerate(texts)]
    result = dedup(docs)
    assert sorted((r.doc, r.kept, r.similarity) for r in result.removals) == [(1, 0, 1.0), (2, 0, 1.0)]
