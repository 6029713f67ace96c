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
