"""The Spark engine's cluster stage finds its cuts and trims per document on the executors
(``spark_ops.cut_batches``, ``spark_ops.edge_batches``): a few documents' sides at a time must
give exactly what the local functions give over all alignments at once (no JVM needed here)."""

from __future__ import annotations

import json

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.cluster.segment import composite_cuts
from provenance.cluster.trim import trim_shares
from provenance.engines import spark_ops as ops
from provenance.records import Alignment


@st.composite
def alignments(draw: st.DrawFn) -> list[Alignment]:
    """Alignments among a few documents whose spans nest and overlap (blocks inside matches),
    in the local order: by pair, each pair's as found."""
    found = []
    for _ in range(draw(st.integers(0, 40))):
        a, b = draw(st.integers(0, 5)), draw(st.integers(0, 5))
        a_start = draw(st.sampled_from([0, 10, 50, 100, 150, 200, 300]))
        a_len = draw(st.sampled_from([45, 60, 90, 100, 150, 250, 400]))
        b_start = draw(st.sampled_from([0, 20, 100, 200]))
        b_len = draw(st.sampled_from([45, 60, 100, 250, 400]))
        found.append(Alignment(a, a_start, a_start + a_len, b, b_start, b_start + b_len, 0.9, a_len, a_len // 6))
    return sorted(found, key=lambda al: (al.doc_a, al.doc_b))  # stable: a pair's in the order drawn


def _seqs(found: list[Alignment]) -> list[int]:
    seen: dict[tuple[int, int], int] = {}
    out = []
    for al in found:
        pair = (al.doc_a, al.doc_b)
        out.append(seen.get(pair, 0))
        seen[pair] = out[-1] + 1
    return out


def _side_rows(found: list[Alignment], noise: dict[int, list[tuple[int, int]]] | None = None) -> list[dict]:
    """Both sides of every alignment, sorted as ``SparkEngine._sides`` sorts them."""
    rows = []
    for al, seq in zip(found, _seqs(found), strict=True):
        for side, (doc, start, end, partner) in enumerate(
            ((al.doc_a, al.a_start, al.a_end, al.doc_b), (al.doc_b, al.b_start, al.b_end, al.doc_a))
        ):
            row = {"doc_a": al.doc_a, "doc_b": al.doc_b, "seq": seq, "side": side}
            row |= {"doc": doc, "start": start, "end": end, "partner": partner}
            if noise is not None:
                row["noise"] = [{"start": s, "end": e} for s, e in reversed(noise.get(doc, []))]
            rows.append(row)
    return sorted(rows, key=lambda r: (r["doc"], r["start"], r["end"], r["side"], r["doc_a"], r["doc_b"], r["seq"]))


def _batches(rows: list[dict], size: int) -> list[pa.RecordBatch]:
    table = pa.Table.from_pylist(rows)
    return table.to_batches(max_chunksize=size) if rows else []


@settings(max_examples=150, deadline=None)
@given(alignments(), st.integers(1, 7))
def test_cuts_found_a_few_documents_at_a_time_are_the_local_cuts(found: list[Alignment], size: int) -> None:
    got = [r for batch in ops.cut_batches(_batches(_side_rows(found), size), min_chars=40) for r in batch.to_pylist()]
    # The a side's cuts, else the b side's, by position in the local order.
    chosen: dict[int, tuple[list, bool]] = {}
    position = {(al.doc_a, al.doc_b, seq): i for i, (al, seq) in enumerate(zip(found, _seqs(found), strict=True))}
    for r in sorted(got, key=lambda r: r["side"]):
        chosen.setdefault(
            position[r["doc_a"], r["doc_b"], r["seq"]], ([tuple(c) for c in json.loads(r["cuts"])], r["side"] == 1)
        )
    assert chosen == composite_cuts(found)


noise_spans = st.dictionaries(
    st.integers(0, 5),
    st.lists(
        st.tuples(st.sampled_from([0, 5, 40, 100, 140, 200]), st.sampled_from([30, 60, 110, 160, 420]))
        .map(sorted)
        .map(tuple),
        max_size=6,
    ).map(sorted),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(alignments(), noise_spans, st.integers(1, 7))
def test_trims_found_side_by_side_are_the_local_trims(
    found: list[Alignment], noise: dict[int, list[tuple[int, int]]], size: int
) -> None:
    rows = [r for r in _side_rows(found, noise) if r["doc"] in noise]  # joined with the noisy documents only
    shares: dict[tuple[int, int, int], tuple[float, float]] = {}
    for batch in ops.edge_batches(_batches(rows, size)):
        for r in batch.to_pylist():
            key = (r["doc_a"], r["doc_b"], r["seq"])
            head, tail = shares.get(key, (0.0, 0.0))
            shares[key] = (max(head, r["head"]), max(tail, r["tail"]))
    keys = list(zip((al.doc_a for al in found), (al.doc_b for al in found), _seqs(found), strict=True))
    assert {keys.index(k): v for k, v in shares.items()} == trim_shares(found, noise)
