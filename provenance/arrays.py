"""Numpy idioms the array stages share (alignment, clustering, derivation, the index)."""

from __future__ import annotations

import itertools

import numpy as np


def spread(lo: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Every index of the ranges ``[lo[k], lo[k] + counts[k])``, range after range: the rows a
    run of look-ups found, gathered without a loop."""
    before = np.cumsum(counts) - counts
    return np.repeat(lo - before, counts) + np.arange(int(counts.sum()))


def slices(counts: np.ndarray, at_once: int) -> list[tuple[int, int]]:
    """Consecutive ``(lo, hi)`` slices of the positions of ``counts`` whose counts add up to
    about ``at_once`` each (more where one count alone is larger): work of many items per
    position, done a bounded slice at a time."""
    total = np.cumsum(counts)
    cuts = np.searchsorted(total, np.arange(at_once, int(total[-1]) if total.shape[0] else 0, at_once))
    return list(itertools.pairwise([0, *cuts.tolist(), counts.shape[0]]))


def ranks(keys: np.ndarray) -> np.ndarray:
    """Each row's rank among the earlier rows with the same key (``keys``: one row of ints
    each): 0 for the first of its key, 1 for the next... (an alignment's ``seq`` among its
    pair's)."""
    n = keys.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((np.arange(n), *keys.T[::-1]))
    ordered = keys[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n) - first
    return out
