"""The vectorised window MinHash agrees with datasketch, banding with datasketch's choice, and
sketching in batches gives the keys of sketching at once."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.config import DetectConfig
from provenance.errors import ConfigError
from provenance.passages import shingle_hash32, shingle_hashes32, token_hashes, words
from provenance.records import Document
from provenance.sketch import (
    Banding,
    MinHasher,
    choose_banding,
    fold_bands,
    merge_bands,
    scan_banding,
    sketch_documents,
)
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
    k, width = 3, 8
    signatures = MinHasher(num_perm, seed).window_signatures(shingle_hashes32(token_hashes(tokens), k), width - k + 1)
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
    one = MinHasher(16, seed=1).window_signatures(sh, 6)
    two = MinHasher(16, seed=2).window_signatures(sh, 6)
    assert not np.array_equal(one, two)


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=60), st.integers(1, 20))
def test_sliding_min_is_the_minimum_of_every_window(values: list[int], width: int) -> None:
    x = np.array([values], dtype=np.uint32)
    got = sliding_min(x, width)[0].tolist()
    assert got == [min(values[i : i + width]) for i in range(len(values) - width + 1)]


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.5, 16), (0.5, 128), (0.8, 64), (0.3, 8), (0.9, 32)])
def test_banding_matches_datasketch_minhashlsh(threshold: float, num_perm: int) -> None:
    ours = choose_banding(threshold, num_perm)
    assert (ours.bands, ours.rows) == _optimal_param(threshold, num_perm, 0.5, 0.5)
    assert scan_banding(DetectConfig(threshold=threshold, num_perm=num_perm)) == ours


@pytest.mark.parametrize(("threshold", "num_perm", "weights"), [(0.8, 128, (0.1, 0.9)), (0.6, 64, (0.3, 0.7))])
def test_weighted_banding_matches_datasketch_minhashlsh(
    threshold: float, num_perm: int, weights: tuple[float, float]
) -> None:
    ours = choose_banding(threshold, num_perm, *weights)
    assert (ours.bands, ours.rows) == _optimal_param(threshold, num_perm, *weights)


@pytest.mark.parametrize(
    ("threshold", "num_perm", "weights"),
    [(0.0, 16, (0.5, 0.5)), (1.0, 16, (0.5, 0.5)), (0.5, 0, (0.5, 0.5)), (0.5, 16, (-0.1, 1.1))],
)
def test_banding_refuses_values_it_cannot_tune_for(
    threshold: float, num_perm: int, weights: tuple[float, float]
) -> None:
    with pytest.raises(ConfigError):
        choose_banding(threshold, num_perm, *weights)


def test_explicit_bands_and_rows_win_over_the_threshold() -> None:
    assert scan_banding(DetectConfig(num_perm=32, bands=8, rows=4)) == Banding(8, 4)


def test_identical_windows_share_every_band_key_and_short_documents_have_none() -> None:
    text = "A boy walks among the debris of a damaged neighbourhood as forces advance"
    docs = [
        Document(0, "a", text, "t"),
        Document(1, "b", "Photo: " + text.upper(), "t"),
        Document(2, "c", "too short to sketch", "t"),
    ]
    ((keys, _),) = sketch_documents(docs, MinHasher(16, 1), Banding(3, 5), shingle_size=3, window_words=8)
    for band in keys:
        assert 2 not in band.docs.tolist()
        assert set(band.keys[band.docs == 0].tolist()) <= set(band.keys[band.docs == 1].tolist())


def test_a_band_key_folds_the_bands_rows_of_a_signature_and_reads_only_those() -> None:
    signatures = np.array([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], dtype=np.uint32)
    keys = fold_bands(signatures, Banding(2, 2))
    fnv = 0x100000001B3
    assert keys.tolist() == [
        [(1 * fnv + 3) % 2**64, (2 * fnv + 4) % 2**64],
        [(5 * fnv + 7) % 2**64, (6 * fnv + 8) % 2**64],
    ]
    assert keys.tolist() == fold_bands(signatures[:4], Banding(2, 2)).tolist()


def test_the_first_permutations_of_a_signature_do_not_depend_on_how_many_are_evaluated() -> None:
    sh = shingle_hashes32(token_hashes(words("a boy walks among the debris of a damaged neighbourhood")), 3)
    hasher = MinHasher(32, seed=5)
    assert hasher.window_signatures(sh, 6, perms=12).tolist() == hasher.window_signatures(sh, 6)[:12].tolist()


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from(VOCAB), min_size=0, max_size=30), min_size=0, max_size=8),
    batch_docs=st.integers(1, 4),
    batch_words=st.sampled_from([None, 5, 40]),
    window_words=st.sampled_from([None, 4, 8]),
)
def test_sketching_in_batches_gives_the_keys_of_sketching_at_once(
    texts: list[list[str]], batch_docs: int, batch_words: int | None, window_words: int | None
) -> None:
    docs = [Document(i, str(i), " ".join(t), "t") for i, t in enumerate(texts)]
    hasher, banding = MinHasher(16, 3), Banding(3, 5)

    def merged(**batching: int | None) -> list[tuple[int, list[int], list[int]]]:
        sketches = sketch_documents(docs, hasher, banding, shingle_size=3, window_words=window_words, **batching)
        return [(bk.band, bk.keys.tolist(), bk.docs.tolist()) for bk in merge_bands(k for k, _ in sketches)]

    at_once = merged()
    assert [band for band, _, _ in at_once] == [0, 1, 2]  # every band, even without documents
    assert merged(batch_docs=batch_docs, batch_words=batch_words) == at_once
