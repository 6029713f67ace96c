"""The derivation table: for each pair of documents that share news copy, how much of each is
derived from the other, and a METER-style class.

The METER corpus (Gaizauskas, Clough et al. 2001) labels a newspaper story ``wholly``,
``partially`` or ``non``-derived from Press Association wire copy: all of it rewritten from the
wire, some of it, or none (written independently; a shared quote or phrase is incidental).
Here the other document of the pair stands where the wire copy stood, and the class of each
side is read from its character containment (``docs/report.md``, derivation.parquet):

- ``wholly``: at least ``WHOLLY`` (0.8) of the document's characters lie in passages it shares
  with the other, i.e. nearly all of it, short of a headline, dateline and a line or two;
- ``partially``: at least ``PARTIALLY`` (0.2), about a paragraph of a five-paragraph story;
- ``non-derived``: less, the reuse of a quote or a sentence.

Only news clusters count (boilerplate, stock phrases and credit lines are not reporting) and
only across documents (a passage repeated inside one article derives it from nothing). The
pairs, their shared spans and their token counts are computed on arrays, never pair by pair.

A whole-document word n-gram containment (Tversky's index with alpha 1 and beta 0, which
textdistance offers) was measured too and left out: it needs every paired document tokenized
again and a set per document (3.6 of the table's 7.7 s on 100,000 generated documents, memory
growing with the corpus), and says less than the token containment of the passages found.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import numpy as np
import pyarrow as pa

from provenance.arrays import spread
from provenance.cluster.clusters import alignment_spans
from provenance.corpus import column, document_lengths, text_reader
from provenance.graph.build import MAX_PAIR_DOCS
from provenance.passages import batch_token_spans
from provenance.records import Alignment, Cluster, Document, ScanResult
from provenance.report import schemas

WHOLLY = 0.8
"""Character containment from which a document is wholly derived from the other."""
PARTIALLY = 0.2
"""Character containment from which a document is partially derived (below it: non-derived)."""

DerivationClass = Literal["wholly", "partially", "non-derived"]

_TOKENIZE_BATCH = 500  # documents tokenized at once (2,000 held 22 MB more at 100,000 generated
# documents, for no time measured: 0.57-1.05 s against 0.61-0.72 s for the whole table)


def derivation_class(containment: float) -> DerivationClass:
    """The METER-style class of a share of a document derived from another (see the module)."""
    if containment >= WHOLLY:
        return "wholly"
    if containment >= PARTIALLY:
        return "partially"
    return "non-derived"


def news_pairs(docs: Sequence[Document], clusters: Sequence[Cluster]) -> tuple[np.ndarray, np.ndarray]:
    """``(pair_cluster, cluster_index)``: one row per document pair and news cluster they share.

    ``pair_cluster`` is ``doc_a * n_docs + doc_b`` with ``doc_a < doc_b``. A cluster of at most
    ``MAX_PAIR_DOCS`` (50) documents pairs all of them; a bigger one (news clusters stop at
    ``--boilerplate-docs``, 100) pairs each of its documents with the one holding its longest
    copy only, n - 1 pairs instead of n(n - 1)/2, so that a story reprinted 100 times adds 99
    rows, not 4,950 (those documents still pair fully through any smaller cluster they share).
    """
    n = max(len(docs), 1)
    keys: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for ci, cluster in enumerate(clusters):
        if cluster.category != "news":
            continue
        members = np.array(cluster.docs, dtype=np.int64)
        if members.shape[0] < 2:
            continue
        if members.shape[0] <= MAX_PAIR_DOCS:
            left, right = _all_pairs(members.shape[0])
            a, b = members[left], members[right]
        else:
            hub = max(cluster.occurrences, key=lambda o: (o.end - o.start, -o.doc)).doc
            others = members[members != hub]
            a, b = np.minimum(others, hub), np.maximum(others, hub)
        keys.append(a * n + b)
        owners.append(np.full(a.shape[0], ci, dtype=np.int64))
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(owners)


@functools.cache
def _all_pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(size, 1)


def merge_group_spans(group: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int) -> tuple:
    """Merged spans of each group: ``(group, start, end)`` of every maximal run of overlapping
    spans, with groups laid end to end (``group * width + offset``) so that one running maximum
    over all of them merges each group's spans without crossing into the next."""
    lo = group * width + starts
    hi = group * width + ends
    order = np.lexsort((lo, group))
    lo, hi, group = lo[order], hi[order], group[order]
    reach = np.maximum.accumulate(hi)
    new = np.ones(lo.shape[0], dtype=bool)
    new[1:] = lo[1:] > reach[:-1]
    first = np.flatnonzero(new)
    seg_end = np.maximum.reduceat(hi, first)
    seg_group = group[first]
    return seg_group, lo[first] - seg_group * width, seg_end - seg_group * width


def derivation_table(result: ScanResult) -> pa.Table:
    """``derivation`` rows: one per pair of documents sharing news copy, in document order.

    For each side (``a`` the document first in the run), the characters of its passages in the
    news clusters the pair shares (overlapping passages merged), their share of the document,
    the share of its word tokens that start inside them, and its class (``derivation_class`` of
    the character share); and the document dated earlier, when both dates can be read and differ.
    """
    docs, clusters = result.documents, result.clusters
    n = max(len(docs), 1)
    pair_cluster, owner = news_pairs(docs, clusters)
    pair_keys, pair_of_row, shared = np.unique(pair_cluster, return_inverse=True, return_counts=True)
    if pair_keys.shape[0] == 0:
        return schemas.DERIVATION.empty_table()
    doc_a, doc_b = pair_keys // n, pair_keys % n
    side_doc = np.stack([doc_a, doc_b], axis=1).reshape(-1)  # group g = pair * 2 + side
    n_groups = side_doc.shape[0]
    words = _Tokens(docs, np.unique(side_doc))
    occ = sorted_copies(clusters)
    ids, whens, doc_chars = column(docs, "doc_id"), column(docs, "when"), document_lengths(result)
    width = max(doc_chars) + 1

    def measure(group: np.ndarray, start: np.ndarray, end: np.ndarray, doc_of: np.ndarray) -> tuple[np.ndarray, int]:
        """Characters of the spans of each group (of document ``doc_of[group]``), overlapping
        spans counted once, and the number under which ``words`` answers their tokens."""
        seg_group, seg_start, seg_end = merge_group_spans(group, start, end, width)
        size = doc_of.shape[0]
        chars = np.bincount(seg_group, weights=seg_end - seg_start, minlength=size).astype(np.float64)
        return chars, words.ask(doc_of[seg_group], seg_start, seg_end, seg_group, size)

    # A pair's own alignments inside a shared cluster give the exact spans of each side.
    aligned, group, start, end = _aligned_spans(result.alignments, clusters, occ, pair_keys, n, pair_of_row, owner)
    chars, tokens_asked = measure(group, start, end, side_doc)
    # A shared cluster with no alignment of the pair (they met through a third copy): each side
    # counts the smaller of the two documents' copies of it, as the other holds at most that;
    # and never more than the characters its copies add to the aligned spans (copies of
    # different clusters may overlap in one document).
    rest = np.flatnonzero(~aligned)
    groups, starts, ends, sizes = [group], [start], [end], []
    for side, of_side in enumerate((doc_a, doc_b)):
        copy_doc = of_side[pair_of_row[rest]]
        row, copy_start, copy_end = _copies(occ, n, owner[rest], copy_doc)
        sizes.append(measure(row, copy_start, copy_end, copy_doc))
        groups.append(pair_of_row[rest][row] * 2 + side)
        starts.append(copy_start)
        ends.append(copy_end)
    union_chars, union_asked = measure(np.concatenate(groups), np.concatenate(starts), np.concatenate(ends), side_doc)
    words.answer()  # every span's tokens, counted a batch of documents at a time
    tokens, union_tokens = words.per_group(tokens_asked), words.per_group(union_asked)
    copy_tokens = [words.per_group(asked) for _, asked in sizes]
    for side in (0, 1):
        at = pair_of_row[rest] * 2 + side
        chars += np.bincount(at, weights=np.minimum(sizes[0][0], sizes[1][0]), minlength=n_groups)
        tokens += np.bincount(at, weights=np.minimum(copy_tokens[0], copy_tokens[1]), minlength=n_groups)
    chars, tokens = np.minimum(chars, union_chars), np.minimum(tokens, union_tokens)

    n_tokens = words.n_tokens[side_doc].astype(np.float64)
    n_chars = np.array([doc_chars[d] for d in side_doc.tolist()], dtype=np.float64)
    share_chars = share(chars, n_chars)
    classes = [derivation_class(s) for s in share_chars.tolist()]
    columns: dict[str, object] = {
        "doc_a": [ids[d] for d in doc_a.tolist()],
        "doc_b": [ids[d] for d in doc_b.tolist()],
        "shared_clusters": shared,
        "aligned_clusters": np.bincount(pair_of_row[aligned], minlength=pair_keys.shape[0]),
        "earlier": [
            _earlier(whens[a], whens[b], ids[a], ids[b]) for a, b in zip(doc_a.tolist(), doc_b.tolist(), strict=True)
        ],
    }
    for side, name in enumerate("ab"):
        columns[f"{name}_chars"] = chars[side::2].astype(np.int64)
        columns[f"{name}_containment_chars"] = share_chars[side::2]
        columns[f"{name}_tokens"] = tokens[side::2].astype(np.int64)
        columns[f"{name}_containment_tokens"] = share(tokens, n_tokens)[side::2]
        columns[f"{name}_class"] = classes[side::2]
    return pa.Table.from_pydict({f.name: columns[f.name] for f in schemas.DERIVATION}, schema=schemas.DERIVATION)


def sorted_copies(clusters: Sequence[Cluster]) -> np.ndarray:
    """Every occurrence as ``(doc, start, end, cluster position)``, sorted by document, start,
    end and cluster."""
    occ = np.array(
        [(o.doc, o.start, o.end, ci) for ci, c in enumerate(clusters) for o in c.occurrences], dtype=np.int64
    ).reshape(-1, 4)
    return occ[np.lexsort((occ[:, 3], occ[:, 2], occ[:, 1], occ[:, 0]))]


def alignment_clusters(
    alignments: Sequence[Alignment], clusters: Sequence[Cluster], occ: np.ndarray | None = None
) -> np.ndarray:
    """For each alignment, the position in ``clusters`` of the first cluster (in order) with an
    occurrence in ``doc_a`` that holds ``a_start`` (every alignment has one); ``occ`` is
    ``sorted_copies(clusters)`` when the caller has it.

    The copies of one document seldom overlap: then the one holding a start is found by a
    search over all copies sorted by document and start, on arrays (a Python list of copies
    per document costs 140 bytes a copy, 50 MB at a million documents). In a document whose
    copies overlap, each alignment takes the first such cluster in order, as the rule says,
    from a list of that document's copies.
    """
    spans = alignment_spans(alignments)
    return _clusters_holding(spans[:, 0], spans[:, 1], clusters, occ)


def _clusters_holding(
    a_doc: np.ndarray, a_start: np.ndarray, clusters: Sequence[Cluster], occ: np.ndarray | None = None
) -> np.ndarray:
    """``alignment_clusters`` of alignments given by their first sides' documents and starts."""
    doc, start, end, owner = (sorted_copies(clusters) if occ is None else occ).T
    overlapping = np.unique(doc[1:][(doc[1:] == doc[:-1]) & (start[1:] < end[:-1])])
    width = int(max(end.max(initial=0), a_start.max(initial=0))) + 1
    found = np.searchsorted(doc * width + start, a_doc * width + a_start, side="right") - 1
    held = found >= 0
    held[held] = (doc[found[held]] == a_doc[held]) & (a_start[held] < end[found[held]])
    out = owner[np.maximum(found, 0)] if doc.shape[0] else np.zeros(a_doc.shape[0], dtype=np.int64)
    by_rule = np.flatnonzero(~held | np.isin(a_doc, overlapping))  # the documents whose copies overlap
    if by_rule.size:
        docs = set(a_doc[by_rule].tolist())
        copies: dict[int, list[tuple[int, int, int]]] = {}
        for k, cluster in enumerate(clusters):
            for o in cluster.occurrences:
                if o.doc in docs:
                    copies.setdefault(o.doc, []).append((o.start, o.end, k))
        for i in by_rule.tolist():
            at = int(a_start[i])
            out[i] = next(k for s, e, k in copies[int(a_doc[i])] if s <= at < e)
    return out


def _aligned_spans(
    alignments: Sequence[Alignment],
    clusters: Sequence[Cluster],
    occ: np.ndarray,
    pair_keys: np.ndarray,
    n: int,
    pair_of_row: np.ndarray,
    owner: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which ``news_pairs`` rows (pair, cluster) hold an alignment of the two documents, and the
    spans of those alignments: ``(aligned, group, start, end)``, ``group = pair * 2 + side``.

    An alignment belongs to the cluster ``alignments.parquet`` gives it (``alignment_clusters``),
    so that the two tables join; ``occ`` is ``sorted_copies(clusters)``.
    """
    al = alignment_spans(alignments)  # (n, 6)
    al = al[al[:, 0] != al[:, 3]]  # across documents
    cluster = _clusters_holding(al[:, 0], al[:, 1], clusters, occ)
    lo, hi = np.minimum(al[:, 0], al[:, 3]), np.maximum(al[:, 0], al[:, 3])
    pair = np.minimum(np.searchsorted(pair_keys, lo * n + hi), pair_keys.shape[0] - 1)
    n_clusters = int(max(owner.max(), cluster.max() if cluster.shape[0] else 0)) + 1
    row_keys = pair_of_row * n_clusters + owner
    al_keys = pair * n_clusters + cluster
    keep = (pair_keys[pair] == lo * n + hi) & np.isin(al_keys, row_keys)
    al, pair = al[keep], pair[keep]
    first_is_a = al[:, 0] < al[:, 3]  # doc_a of a pair comes first in the run
    group = np.concatenate([pair * 2 + np.where(first_is_a, 0, 1), pair * 2 + np.where(first_is_a, 1, 0)])
    start = np.concatenate([al[:, 1], al[:, 4]])
    end = np.concatenate([al[:, 2], al[:, 5]])
    return np.isin(row_keys, al_keys[keep]), group, start, end


def _copies(occ: np.ndarray, n: int, cluster: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every occurrence of ``cluster[i]`` in ``doc[i]``: ``(i, start, end)`` rows (``occ`` is
    ``(doc, start, end, cluster)``)."""
    key = occ[:, 3] * n + occ[:, 0]
    order = np.argsort(key, kind="stable")
    want = cluster * n + doc
    first = np.searchsorted(key[order], want, side="left")
    count = np.searchsorted(key[order], want, side="right") - first
    row = np.repeat(np.arange(want.shape[0]), count)
    picked = order[spread(first, count)]
    return row, occ[picked, 1], occ[picked, 2]


class _Tokens:
    """How many word tokens (``provenance.passages`` tokens, so they match every other stage)
    start inside spans of some documents, and how many each document has (``n_tokens``).

    The spans are asked first, all of them (``ask``), then answered at once (``answer``),
    tokenizing a batch of documents at a time: the tokens of every paired document at once
    were 260 MB at a million generated documents, and the tokenizer holds four bytes and more
    per character of what it is given.
    """

    def __init__(self, docs: Sequence[Document], which: np.ndarray) -> None:
        self.docs, self.which = docs, which
        self.n_tokens = np.zeros(len(docs), dtype=np.int64)
        self._asked: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._groups: list[tuple[np.ndarray, int]] = []  # each question's span groups, and their number
        self._answers: list[np.ndarray] = []

    def ask(self, doc: np.ndarray, start: np.ndarray, end: np.ndarray, group: np.ndarray, size: int) -> int:
        """Ask how many tokens of ``doc`` start in ``[start, end)``, span by span (``doc`` among
        the documents ``which``), summed by ``group`` (``0..size-1``); after ``answer``, the sums
        are ``per_group(number)``."""
        self._asked.append((doc, start, end))
        self._groups.append((group, size))
        return len(self._asked) - 1

    def per_group(self, number: int) -> np.ndarray:
        group, size = self._groups[number]
        return np.bincount(group, weights=self._answers[number], minlength=size).astype(np.float64)

    def answer(self) -> None:
        sizes = [doc.shape[0] for doc, _, _ in self._asked]
        doc, start, end = (np.concatenate([asked[k] for asked in self._asked]) for k in range(3))
        self._asked = []
        order = np.argsort(doc, kind="stable")  # the spans of a batch of documents lie together
        doc, start, end = doc[order], start[order], end[order]
        found = np.zeros(doc.shape[0], dtype=np.int64)
        text = text_reader(self.docs)
        for at in range(0, self.which.shape[0], _TOKENIZE_BATCH):
            batch = self.which[at : at + _TOKENIZE_BATCH]
            texts = [text(d) for d in batch.tolist()]
            spans = batch_token_spans(texts)
            # The batch's texts laid end to end (one apart): one sorted array of token starts.
            base = np.concatenate([[0], np.cumsum([len(t) + 1 for t in texts])])
            del texts
            counts = np.array([starts.shape[0] for starts, _ in spans], dtype=np.int64)
            self.n_tokens[batch] = counts
            starts = np.concatenate([s for s, _ in spans] + [np.empty(0, np.int64)]) + np.repeat(base[:-1], counts)
            lo, hi = np.searchsorted(doc, batch[0]), np.searchsorted(doc, batch[-1], side="right")
            within = np.searchsorted(batch, doc[lo:hi])  # each span's document, by place in the batch
            offset = base[within]
            found[lo:hi] = _search(starts, offset + end[lo:hi]) - _search(starts, offset + start[lo:hi])
        answers = np.empty_like(found)
        answers[order] = found
        self._answers = np.split(answers, np.cumsum(sizes)[:-1])


def _search(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """``np.searchsorted(haystack, needles)``, the needles looked up in ascending order (each
    search then starts where the last ended: 0.07 s instead of 0.3 for 300,000 spans in ten
    million tokens)."""
    order = np.argsort(needles, kind="stable")
    found = np.empty(needles.shape[0], dtype=np.int64)
    found[order] = np.searchsorted(haystack, needles[order])
    return found


def share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.round(np.divide(part, whole, out=np.zeros_like(part, dtype=np.float64), where=whole > 0), 6)


def _earlier(ka: datetime | None, kb: datetime | None, a: str, b: str) -> str | None:
    if ka is None or kb is None or ka == kb:
        return None
    return a if ka < kb else b
