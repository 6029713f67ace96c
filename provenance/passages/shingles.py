"""Shingle indexes of document batches: every word shingle's hash and position, vectorised."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from provenance.memory import release_free_memory
from provenance.passages.tokenize import batch_token_hashes, shingle_hashes32
from provenance.records import Document, ShingleIndex


def shingle_index(docs: Sequence[Document], k: int) -> ShingleIndex:
    """Shingles of a batch of documents in text order (documents in the given order, which
    must be ascending by index)."""
    per_doc = batch_token_hashes([doc.text for doc in docs])
    lengths = np.array([h.shape[0] for h in per_doc], dtype=np.int64)
    n_sh = np.maximum(lengths - k + 1, 0)
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(n_sh, out=offsets[1:])
    if offsets[-1] == 0:
        hashes = np.empty(0, dtype=np.uint32)
        positions = np.empty(0, dtype=np.int32)
    else:
        # Shingles over the concatenated tokens, minus the ones straddling two documents.
        # One hashing pass over the whole batch: per-document calls cost more than the work.
        all_sh = shingle_hashes32(np.concatenate(per_doc), k)
        tok_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        owner = np.repeat(np.arange(len(docs)), n_sh)
        positions = (np.arange(offsets[-1]) - np.repeat(offsets[:-1], n_sh)).astype(np.int32)
        hashes = all_sh[tok_starts[owner] + positions]
    return ShingleIndex(
        docs=np.array([d.index for d in docs], dtype=np.int64),
        offsets=offsets,
        hashes=hashes,
        positions=positions,
        sorted_by_hash=False,
    )


def sort_by_hash(index: ShingleIndex) -> ShingleIndex:
    """The same shingles with each row sorted by hash (then position)."""
    if index.sorted_by_hash:
        return index
    rows = np.repeat(np.arange(len(index), dtype=np.uint64), np.diff(index.offsets))
    # (row, hash) packed in one uint64; a stable sort keeps positions ascending within ties.
    order = np.argsort((rows << np.uint64(32)) | index.hashes.astype(np.uint64), kind="stable")
    return ShingleIndex(index.docs, index.offsets, index.hashes[order], index.positions[order], True)


_TRIM_EVERY = 1 << 27  # bytes of copied parts after which ``concat`` returns freed memory (128 MB)


def concat(parts: list[ShingleIndex]) -> ShingleIndex:
    """Join indexes of consecutive batches (documents ascending across parts).

    Empties ``parts`` as it copies them, and hands their memory back to the system every
    ``_TRIM_EVERY`` bytes (freed heap is otherwise kept by the allocator), so the corpus's index
    is never held twice (it is the largest array of a scan: 8 bytes per word).
    """
    if not parts:
        empty = np.empty(0, dtype=np.int64)
        return ShingleIndex(empty, np.zeros(1, dtype=np.int64), empty.astype(np.uint32), empty.astype(np.int32), True)
    if len(parts) == 1:
        return parts.pop()
    n_docs = sum(len(p) for p in parts)
    n_sh = sum(int(p.offsets[-1]) for p in parts)
    docs = np.empty(n_docs, dtype=np.int64)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    hashes = np.empty(n_sh, dtype=np.uint32)
    positions = np.empty(n_sh, dtype=np.int32)
    sorted_by_hash = all(p.sorted_by_hash for p in parts)
    d = s = freed = 0
    parts.reverse()  # popped from the end: no list shift per part
    while parts:
        part = parts.pop()
        n, m = len(part), int(part.offsets[-1])
        docs[d : d + n] = part.docs
        offsets[d + 1 : d + n + 1] = part.offsets[1:] + s
        hashes[s : s + m] = part.hashes
        positions[s : s + m] = part.positions
        d, s = d + n, s + m
        freed += part.hashes.nbytes + part.positions.nbytes + part.offsets.nbytes
        del part
        if freed >= _TRIM_EVERY:
            release_free_memory()
            freed = 0
    return ShingleIndex(docs, offsets, hashes, positions, sorted_by_hash)


_PART = 1 << 24  # shingles marked at a time by ``drop_unshared`` (bounds its extra memory)


def drop_unshared(index: ShingleIndex) -> ShingleIndex:
    """The same index without the shingles whose hash occurs only once in it.

    A seed is a shingle hash that two documents (or two places of one) share, so a hash the
    index holds once can never be one: verification gives the same result without it, and
    gathers half as much (in news, about half of all shingles are unique). Hashes are marked
    one hash range at a time, and the arrays compacted in place one stretch at a time, so the
    extra memory stays bounded at any corpus size: ``index`` is consumed (its hash and position
    arrays are reused), as a pruned copy beside it would double the largest array of a scan.
    """
    h, pos, offsets = index.hashes, index.positions, index.offsets
    n = h.shape[0]
    if n == 0:
        return index
    parts = 1 << max(0, int(n - 1).bit_length() - _PART.bit_length() + 1)  # ranges of <= ~_PART shingles
    shared = np.empty(n, dtype=bool)
    if parts == 1:
        shared[:] = _repeated(h)
    else:
        width = (1 << 32) // parts
        for p in range(parts):
            at = np.flatnonzero((h >= p * width) & (h <= p * width + width - 1))
            shared[at] = _repeated(h[at])
    new_offsets = np.empty_like(offsets)
    kept = 0
    for lo in range(0, n, _PART):
        hi = min(lo + _PART, n)
        keep = shared[lo:hi]
        first, last = np.searchsorted(offsets, [lo, hi])  # the rows starting in [lo, hi)
        if last > first:
            before = np.zeros(hi - lo + 1, dtype=np.int64)
            np.cumsum(keep, out=before[1:])
            new_offsets[first:last] = kept + before[offsets[first:last] - lo]
        k = int(np.count_nonzero(keep))
        h[kept : kept + k] = h[lo:hi][keep]  # kept <= lo: never overwrites what is still to read
        pos[kept : kept + k] = pos[lo:hi][keep]
        kept += k
    new_offsets[offsets >= n] = kept
    return ShingleIndex(index.docs, new_offsets, _shrunk(h, kept), _shrunk(pos, kept), index.sorted_by_hash)


def _shrunk(a: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` entries of ``a``, in its own memory shrunk in place when it owns it."""
    try:
        a.resize((n,), refcheck=False)  # realloc: the freed tail goes back to the allocator
        return a
    except ValueError:  # a view of another array's memory: copy
        return a[:n].copy()


def _repeated(hashes: np.ndarray) -> np.ndarray:
    """Which entries hold a hash that occurs more than once among ``hashes`` (uint32, fewer
    than 2**32 of them)."""
    n = hashes.shape[0]
    # Each hash with its position below it, sorted as one uint64: the order an argsort would
    # give, from numpy's vectorised sort of plain values (ten times faster than argsort).
    # Built and compared in chunks: whole-array temporaries would cost 8 bytes a shingle each.
    chunk = max(_PART >> 2, 1)
    keyed = hashes.astype(np.uint64)
    keyed <<= np.uint64(32)
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        keyed[lo:hi] |= np.arange(lo, hi, dtype=np.uint64)
    keyed.sort()
    same = np.empty(max(n - 1, 0), dtype=bool)
    for lo in range(0, n - 1, chunk):
        hi = min(lo + chunk, n - 1)
        step = keyed[lo + 1 : hi + 1] ^ keyed[lo:hi]  # the same hash where the high half is 0
        np.less(step, np.uint64(1 << 32), out=same[lo:hi])
    repeated = np.zeros(n, dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    keyed &= np.uint64(0xFFFFFFFF)  # the positions: below 2**32, so they read as int64 alike
    out = np.empty_like(repeated)
    out[keyed.view(np.int64)] = repeated
    return out
