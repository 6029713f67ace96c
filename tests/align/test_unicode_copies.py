"""Copies of one story that differ only in Unicode form (NFC, NFD, compatibility characters)
align as one passage over the whole text, with similarity 1.0 and spans that slice each
original text exactly."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest

from provenance.align import align_pair, verify_pairs
from provenance.config import DetectConfig, ScanConfig
from provenance.passages import fold, shingle_index, sort_by_hash, words
from provenance.pipeline import scan
from provenance.records import Document

from .unicode_article import NFC, NFD, compat_copy

COPIES = {
    "nfd": NFD,
    "ligatures and fullwidth": compat_copy(NFC),
    "nfd with ligatures and fullwidth": compat_copy(NFD),
}


def doc(index: int, text: str) -> Document:
    return Document(index=index, doc_id=f"d{index}", text=text, source="test")


def covers_the_story(text: str, start: int, end: int) -> bool:
    """The span runs from the first word to the last (only the closing full stop is left out)."""
    return start == 0 and text[end:] == ".\n"


def test_the_forms_really_differ() -> None:
    # Guards the tests below: a copy that happened to equal the original would prove nothing.
    assert NFC != NFD and len(NFD) > len(NFC) + 40  # some forty precomposed letters
    assert all(copy != NFC for copy in COPIES.values())


@pytest.mark.parametrize("copy", COPIES.values(), ids=COPIES.keys())
def test_a_copy_in_another_unicode_form_aligns_as_one_passage_over_the_whole_text(copy: str) -> None:
    a, b = doc(0, NFC), doc(1, copy)
    found, rejected = align_pair(a, b, DetectConfig())
    assert len(found) == 1, found
    assert not rejected
    al = found[0]
    assert covers_the_story(NFC, al.a_start, al.a_end)
    assert covers_the_story(copy, al.b_start, al.b_end)
    assert al.similarity == 1.0
    assert al.matched_words == len(words(NFC)) == len(words(copy))
    # The spans are offsets into each original text: the slices are the two forms of the story.
    assert fold(copy[al.b_start : al.b_end]) == fold(NFC[al.a_start : al.a_end])
    assert unicodedata.normalize("NFKC", copy[al.b_start : al.b_end]) == NFC[al.a_start : al.a_end]


@pytest.mark.parametrize("copy", COPIES.values(), ids=COPIES.keys())
def test_the_batch_verifier_agrees_with_the_reference_on_unicode_copies(copy: str) -> None:
    docs = [doc(0, NFC), doc(1, copy)]
    detect = DetectConfig()
    index = sort_by_hash(shingle_index(docs, detect.shingle_size))
    batch, _ = verify_pairs(np.array([[0, 1]], dtype=np.int64), index, docs.__getitem__, detect)
    reference, _ = align_pair(docs[0], docs[1], detect)
    assert batch == reference


def test_a_scan_finds_the_nfc_and_nfd_copies_as_one_passage_with_exact_offsets(tmp_path: Path) -> None:
    (tmp_path / "nfc.txt").write_text(NFC, encoding="utf-8")
    (tmp_path / "nfd.txt").write_text(NFD, encoding="utf-8")
    result = scan([tmp_path], ScanConfig())
    by_id = {d.doc_id: d for d in result.documents}
    assert len(by_id) == 2
    originals = {d.index: (tmp_path / d.doc_id).read_bytes().decode("utf-8") for d in result.documents}
    assert sorted(originals.values()) == sorted([NFC, NFD])  # read as written, never normalised

    assert len(result.alignments) == 1
    assert result.alignments[0].similarity == 1.0
    assert len(result.clusters) == 1
    (cluster,) = result.clusters
    assert sorted(o.doc for o in cluster.occurrences) == sorted(originals)
    passages = {}
    for occ in cluster.occurrences:
        text = originals[occ.doc]
        assert covers_the_story(text, occ.start, occ.end)
        passages[occ.doc] = text[occ.start : occ.end]
    nfc_passage, nfd_passage = (passages[d.index] for d in sorted(result.documents, key=lambda d: d.doc_id))
    assert unicodedata.is_normalized("NFC", nfc_passage) and unicodedata.is_normalized("NFD", nfd_passage)
    assert unicodedata.normalize("NFC", nfd_passage) == nfc_passage
