"""The vectorised window MinHash agrees with datasketch, and banding with datasketch's choice."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.config import DetectConfig
from provenance.passages import shingle_hash32, shingle_hashes32, shingle_index, token_hashes, words
from provenance.records import Document
from provenance.sketch import Banding, WindowSketcher, choose_banding
from provenance.sketch.minhash import affine32_permutations, sliding_min

VOCAB = ["iraqi", "forces", "mosul", "said", "the", "city", "of", "in", "a", "boy", "walks", "debris", "ap"]


def datasketch_signature(tokens: list[str], k: int, num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash32)
    for i in range(len(tokens) - k + 1):
        m.update(" ".join(tokens[i : i + k]).encode("utf-8"))
    return m.hashvalues


@settings(max_examples=60, deadline=None)
@given(
    tokens=st.lists(st.sampled_from(VOCAB), min_size=8, max_size=40),
    num_perm=st.sampled_from([4, 16, 64]),
    seed=st.integers(0, 2**16),
)
def test_every_window_signature_equals_datasketch_minhash(tokens: list[str], num_perm: int, seed: int) -> None:
    detect = DetectConfig(num_perm=num_perm, seed=seed, bands=1, rows=num_perm)
    sketcher = WindowSketcher(detect, Banding(1, num_perm))
    k, width = detect.shingle_size, detect.window_words
    signatures = sketcher.signatures(shingle_hashes32(token_hashes(tokens), k))
    for w in range(len(tokens) - width + 1):
        expected = datasketch_signature(tokens[w : w + width], k, num_perm, seed)
        assert signatures[:, w].tolist() == expected.tolist()


@pytest.mark.parametrize("seed", [0, 1, 42, 2**31])
def test_permutations_are_datasketchs(seed: int) -> None:
    a, b = MinHash(num_perm=64, seed=seed).permutations
    ours = affine32_permutations(64, seed)
    assert ours[0].tolist() == a.tolist() and ours[1].tolist() == b.tolist()


def test_signatures_depend_on_the_seed() -> None:
    sh = shingle_hashes32(token_hashes(words("a boy walks among the debris of a damaged neighbourhood")), 3)
    one = WindowSketcher(DetectConfig(seed=1), Banding(4, 4)).signatures(sh)
    two = WindowSketcher(DetectConfig(seed=2), Banding(4, 4)).signatures(sh)
    assert not np.array_equal(one, two)


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=60), st.integers(1, 20))
def test_sliding_min_is_the_minimum_of_every_window(values: list[int], width: int) -> None:
    x = np.array([values], dtype=np.uint32)
    got = sliding_min(x, width)[0].tolist()
    assert got == [min(values[i : i + width]) for i in range(len(values) - width + 1)]


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.5, 16), (0.5, 128), (0.8, 64), (0.3, 8), (0.9, 32)])
def test_banding_matches_datasketch_minhashlsh(threshold: float, num_perm: int) -> None:
    ours = choose_banding(DetectConfig(threshold=threshold, num_perm=num_perm))
    assert (ours.bands, ours.rows) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_explicit_bands_and_rows_win_over_the_threshold() -> None:
    assert choose_banding(DetectConfig(num_perm=32, bands=8, rows=4)) == Banding(8, 4)


def test_identical_windows_share_every_band_key_and_short_documents_have_none() -> None:
    text = "A boy walks among the debris of a damaged neighbourhood as forces advance"
    docs = [
        Document(0, "a", text, "t"),
        Document(1, "b", "Photo: " + text.upper(), "t"),
        Document(2, "c", "too short to sketch", "t"),
    ]
    detect = DetectConfig()
    keys = WindowSketcher(detect, choose_banding(detect)).band_keys(shingle_index(docs, detect.shingle_size))
    for band in keys:
        assert 2 not in band.docs.tolist()
        assert set(band.keys[band.docs == 0].tolist()) <= set(band.keys[band.docs == 1].tolist())
