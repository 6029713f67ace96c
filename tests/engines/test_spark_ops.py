"""The Spark engine's per-partition functions, without Spark: fed the rows a Spark shuffle would
hand them (split into partitions and small batches), they give what the local engine gives."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from provenance.arrow import micros
from provenance.cluster import build_clusters, merge_within
from provenance.config import DetectConfig, ScanConfig
from provenance.credits import load_gazetteer
from provenance.engines import spark_ops as ops
from provenance.engines.local import LocalEngine
from provenance.engines.stages import credits_batch
from provenance.graph import infer_origins
from provenance.pipeline import load
from provenance.sketch import candidate_pairs, scan_banding
from provenance.sketch.lsh import doc_bits

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def corpus() -> list:
    docs, _ = load([ROOT / "seeds", ROOT / "fixtures" / "inputs"], ScanConfig())
    return docs


def batches(table: pa.Table, size: int = 7) -> list[pa.RecordBatch]:
    """A table as Spark hands it to Python: small record batches."""
    return table.to_batches(max_chunksize=size)


def partitions(table: pa.Table, key: np.ndarray, n: int = 3) -> list[pa.Table]:
    """Hash-partition rows by ``key`` like a Spark shuffle (order inside kept)."""
    part = key % n
    return [table.filter(pa.array(part == p)) for p in range(n)]


def doc_table(docs) -> pa.Table:
    return pa.table(
        {
            "index": [d.index for d in docs],
            "doc_id": [d.doc_id for d in docs],
            "text": [d.text for d in docs],
            "source": [d.source for d in docs],
            "outlet": [d.outlet for d in docs],
            "date": [d.date for d in docs],
            "title": [d.title for d in docs],
            "url": [d.url for d in docs],
            "extra": [ops.extra_json(d.extra) for d in docs],
            "when": pa.array([micros(d.when) for d in docs], pa.int64()),
        }
    )


def test_complete_groups_never_split_a_group_across_tables() -> None:
    keys = np.repeat(np.arange(20), np.arange(1, 21))
    table = pa.table({"k": keys, "v": np.arange(keys.shape[0])})
    out = list(ops.complete_groups(batches(table, 5), ("k",), rows=9, nbytes=1 << 30))
    assert sum(t.num_rows for t in out) == table.num_rows
    seen: set[int] = set()
    for t in out:
        groups = set(t.column("k").to_pylist())
        assert not groups & seen
        seen |= groups


def test_documents_round_trip_through_arrow_rows(corpus) -> None:
    assert ops.documents_of(doc_table(corpus[::-1])) == corpus


def test_bucket_batches_over_shuffled_partitions_give_the_local_candidate_pairs(corpus) -> None:
    detect = DetectConfig(max_bucket=2)  # small: chained boilerplate buckets too
    banding = scan_banding(detect)
    n = len(corpus)
    table = pa.Table.from_batches(list(ops.sketch_batches(batches(doc_table(corpus), 3), detect, banding, n)))
    packed = table.column("packed").to_numpy()
    repeat = table.column("repeat").to_numpy(zero_copy_only=False)
    bucket = np.where(repeat, -1 - packed, (packed.view(np.uint64) >> np.uint64(doc_bits(n))).view(np.int64))
    table = table.append_column("bucket", pa.array(bucket))
    emitted = []
    for part in partitions(table, np.abs(bucket)):
        order = np.lexsort((part.column("bucket").to_numpy(), part.column("band").to_numpy()))
        emitted.extend(ops.bucket_batches(batches(part.take(pa.array(order)), 5), detect.max_bucket, n))
    rows = pa.Table.from_batches(emitted, schema=ops.BUCKET_SCHEMA).to_pylist()
    hits: Counter = Counter()
    for r in rows:
        if r["b"] != -1:
            hits[(r["a"], r["b"])] += r["hits"]

    local = LocalEngine(workers=1)
    with local.sketch(corpus, detect, banding) as store:
        pairs, local_hits, acc = candidate_pairs(store, n, max_bucket=detect.max_bucket, min_hits=detect.min_hits)
    assert repeat.any(), "the test needs documents that repeat a key"
    assert sorted(hits.items()) == [((a, b), h) for (a, b), h in zip(pairs.tolist(), local_hits.tolist(), strict=True)]
    boilerplate = sorted((r["band"], r["key"], r["size"], r["a"]) for r in rows if r["b"] == -1)
    assert acc.boilerplate, "the test needs oversized buckets"
    assert boilerplate == sorted(
        (b.band, int(np.uint64(b.key).view(np.int64)), b.size, b.sample_doc) for b in acc.boilerplate
    )


def test_node_batches_group_spans_as_build_clusters_does(corpus) -> None:
    detect = ScanConfig().detect
    local = LocalEngine(workers=1)
    with local.sketch(corpus, detect, scan_banding(detect)) as store:
        pairs, _, _ = candidate_pairs(store, len(corpus), max_bucket=detect.max_bucket, min_hits=detect.min_hits)
    alignments, _ = local.align(corpus, pairs, detect)
    sides = []
    seq: Counter = Counter()
    for al in alignments:
        s = seq[(al.doc_a, al.doc_b)]
        seq[(al.doc_a, al.doc_b)] += 1
        sides.append((al.doc_a, al.a_start, al.a_end, al.doc_a, al.doc_b, s, 0))
        sides.append((al.doc_b, al.b_start, al.b_end, al.doc_a, al.doc_b, s, 1))
    names = ["doc", "start", "end", "doc_a", "doc_b", "seq", "side"]
    table = pa.table(dict(zip(names, zip(*sorted(sides), strict=True), strict=True)))
    nodes = pa.Table.from_batches(list(ops.node_batches(batches(table, 4), min_overlap=detect.min_overlap)))
    expected = {(o.doc, o.start, o.end) for c in build_clusters(alignments) for o in c.occurrences}
    assert {(r["doc"], r["node_start"], r["node_end"]) for r in nodes.to_pylist()} == expected
    numbered = {(r["doc"], r["node_no"]): (r["node_start"], r["node_end"]) for r in nodes.to_pylist()}
    assert len(numbered) == len(expected)  # one number per occurrence of a document
    for doc in {d for d, _ in numbered}:  # numbered 0, 1, ... in each document, in text order
        extents = [numbered[(d, no)] for d, no in sorted(numbered) if d == doc]
        assert sorted(no for d, no in numbered if d == doc) == list(range(len(extents)))
        assert extents == sorted(extents)


def test_verify_batches_find_the_local_alignments(corpus) -> None:
    detect = ScanConfig().detect
    local = LocalEngine(workers=1)
    with local.sketch(corpus, detect, scan_banding(detect)) as store:
        pairs, _, _ = candidate_pairs(store, len(corpus), max_bucket=detect.max_bucket, min_hits=detect.min_hits)
    expected, rejected = local.align(corpus, pairs, detect)
    text = {d.index: d.text for d in corpus}
    table = pa.table(
        {
            "a": pairs[:, 0],
            "b": pairs[:, 1],
            "text_a": [text[a] for a in pairs[:, 0].tolist()],
            "text_b": [text[b] for b in pairs[:, 1].tolist()],
        }
    )
    rows = pa.Table.from_batches(list(ops.verify_batches(batches(table, 3), detect))).to_pylist()
    found = sorted((r for r in rows if r["doc_a"] >= 0), key=lambda r: (r["doc_a"], r["doc_b"], r["seq"]))
    assert [(r["doc_a"], r["a_start"], r["a_end"], r["doc_b"], r["b_start"], r["b_end"]) for r in found] == [
        (al.doc_a, al.a_start, al.a_end, al.doc_b, al.b_start, al.b_end) for al in expected
    ]
    counts: Counter = Counter()
    for r in rows:
        if r["doc_a"] == -1:
            counts[r["reason"]] += r["rejected"]
    assert counts == rejected


def _occurrence_rows(clusters) -> list[dict]:
    """The rows a Spark engine's cluster frame holds: one per occurrence, numbered."""
    return [
        {
            "cluster_no": int(c.cluster_id[1:]),
            "passage_no": int(o.passage_id[1:]),
            "doc": o.doc,
            "start": o.start,
            "end": o.end,
            "kind": o.kind,
        }
        for c in clusters
        for o in c.occurrences
    ]


def test_credit_and_origin_batches_match_the_local_stage(corpus) -> None:
    gazetteer = load_gazetteer()
    credits = credits_batch(corpus, gazetteer)
    rows = pa.Table.from_batches(list(ops.credit_batches(batches(doc_table(corpus), 2), gazetteer))).to_pylist()
    assert [(r["doc"], r["agency"], r["start"], r["end"], r["kind"]) for r in rows] == [
        (c.doc, c.agency, c.start, c.end, c.kind) for c in credits
    ]
    detect = ScanConfig().detect
    local = LocalEngine(workers=1)
    with local.sketch(corpus, detect, scan_banding(detect)) as store:
        pairs, _, _ = candidate_pairs(store, len(corpus), max_bucket=detect.max_bucket, min_hits=detect.min_hits)
    clusters = build_clusters(local.align(corpus, pairs, detect)[0])
    expected = infer_origins(clusters, corpus, credits, gazetteer)
    credit_json: dict[int, list] = {}
    for r in rows:
        credit_json.setdefault(r["doc"], []).append(r)
    occurrences = [
        row
        | {
            "doc_id": corpus[row["doc"]].doc_id,
            "text": corpus[row["doc"]].text,
            "source": corpus[row["doc"]].source,
            "outlet": corpus[row["doc"]].outlet,
            "date": corpus[row["doc"]].date,
            "when": micros(corpus[row["doc"]].when),
            "credits": json.dumps(credit_json[row["doc"]]) if row["doc"] in credit_json else None,
        }
        for row in _occurrence_rows(clusters)
    ]
    found = pa.Table.from_batches(list(ops.origin_batches(batches(pa.Table.from_pylist(occurrences), 2), gazetteer)))
    got = sorted(zip(*(found.column(n).to_pylist() for n in ops.ORIGIN_SCHEMA.names), strict=True))
    assert [(ops.cluster_id(n), a, c, e) for n, a, c, e in got] == [
        (o.cluster_id, o.agency, o.confidence, o.evidence) for o in expected
    ]


def _facts_on_partitions(corpus, copies, credit_json, params) -> pa.Table:
    """``fact_batches`` over the rows a shuffle by document hands it for ``copies``."""
    table = pa.Table.from_pylist(
        [
            {
                "doc": doc,
                "start": start,
                "end": end,
                "text": corpus[doc].text,
                "credits": json.dumps(credit_json[doc]) if doc in credit_json else None,
            }
            for doc, start, end in copies
        ]
    )
    parts = partitions(table, table.column("doc").to_numpy())
    return pa.Table.from_batches(
        [b for part in parts for b in ops.fact_batches(batches(part, 3), params)], schema=ops.FACT_SCHEMA
    )


def _credit_json(corpus) -> tuple[list, dict[int, list]]:
    gazetteer = load_gazetteer()
    rows = pa.Table.from_batches(list(ops.credit_batches(batches(doc_table(corpus), 2), gazetteer))).to_pylist()
    credit_json: dict[int, list] = {}
    for r in rows:
        credit_json.setdefault(r["doc"], []).append(r)
    return credits_batch(corpus, gazetteer), credit_json


def _local_clusters(corpus) -> list:
    detect = ScanConfig().detect
    local = LocalEngine(workers=1)
    with local.sketch(corpus, detect, scan_banding(detect)) as store:
        pairs, _, _ = candidate_pairs(store, len(corpus), max_bucket=detect.max_bucket, min_hits=detect.min_hits)
    return merge_within(build_clusters(local.align(corpus, pairs, detect)[0]))


def test_sample_and_category_batches_decide_as_categorize_does(corpus) -> None:
    from provenance.cluster.categories import categorize, count_outlets, sampled_copies
    from provenance.config import CategoryConfig

    credits, credit_json = _credit_json(corpus)
    clusters = _local_clusters(corpus)
    # Three copies sampled of each cluster: the larger clusters' samples leave copies out.
    params = CategoryConfig(sample=3, patterns=("Associated Press",))
    assert any(len(c.occurrences) > params.sample for c in clusters)
    rows = _occurrence_rows(clusters)
    table = pa.Table.from_pylist(rows)
    parts = partitions(table, table.column("cluster_no").to_numpy())
    sampled = [r for part in parts for b in ops.sample_batches(batches(part, 2), params) for r in b.to_pylist()]
    copies = sorted((r["doc"], r["start"], r["end"]) for r in sampled)
    assert copies == sorted(sampled_copies(clusters, params))

    found = _facts_on_partitions(corpus, copies, credit_json, params).to_pylist()
    facts = {(r["doc"], r["start"], r["end"]): r for r in found}
    # Each occurrence with its document's outlet and, when sampled, its facts (null otherwise).
    fields = ops.FACT_SCHEMA.names[3:]
    judged = pa.Table.from_pylist(
        [
            r
            | {"outlet": corpus[r["doc"]].outlet}
            | {k: facts.get((r["doc"], r["start"], r["end"]), {}).get(k) for k in fields}
            for r in rows
        ]
    )
    n_outlets = count_outlets(d.outlet for d in corpus)
    decided = sorted(
        r
        for part in partitions(judged, judged.column("cluster_no").to_numpy())
        for b in ops.category_batches(batches(part, 2), params, n_outlets, 2)
        for r in zip(*(b.column(n).to_pylist() for n in ops.CATEGORY_SCHEMA.names), strict=True)
    )
    expected = categorize(clusters, corpus, credits, params, 2)
    assert decided == [(int(c.cluster_id[1:]), c.category, c.category_reason) for c in expected]
    assert {c.category for c in expected} != {"news"}  # not every cluster is news: the decisions differ


def test_fact_batches_read_what_categorize_reads_locally(corpus) -> None:
    from provenance.cluster.categories import categorize, compile_patterns, copy_facts, line_regions, sampled_copies
    from provenance.config import CategoryConfig

    credits, credit_json = _credit_json(corpus)
    clusters = _local_clusters(corpus)
    params = CategoryConfig(patterns=("Associated Press",))  # a known pattern, so that the pattern facts count
    copies = sorted(sampled_copies(clusters, params))
    assert copies
    found = _facts_on_partitions(corpus, copies, credit_json, params).to_pylist()
    facts = {(r["doc"], r["start"], r["end"]): ops.facts_of(r) for r in found}
    of_doc = {d: [c for c in credits if c.doc == d] for d in {doc for doc, _, _ in copies}}
    for doc, start, end in copies:
        text = corpus[doc].text
        captions = [c.start for c in of_doc[doc] if c.kind == "caption"]
        patterns = compile_patterns(params.patterns)
        expected = copy_facts(text, start, end, line_regions(text, of_doc[doc]), captions, params, patterns)
        assert facts[(doc, start, end)] == expected
    assert categorize(clusters, corpus, credits, params, facts=facts) == categorize(clusters, corpus, credits, params)


def test_cluster_rows_read_back_the_clusters_they_hold(corpus) -> None:
    from provenance.cluster.categories import categorize
    from provenance.config import CategoryConfig

    clusters = categorize(_local_clusters(corpus), corpus, [], CategoryConfig(), 2)
    assert len(clusters) > 3 and {c.category for c in clusters} != {"news"}
    rows = [
        r | {"boilerplate": c.boilerplate, "category": c.category, "category_reason": c.category_reason}
        for c in clusters
        for r in _occurrence_rows([c])
    ]
    held = ops.ClusterRows(pa.Table.from_pylist(rows))
    assert len(held) == len(clusters)
    assert list(held) == clusters and held == clusters
    assert held[1] == clusters[1] and held[-1] == clusters[-1]
    assert held[1:3] == clusters[1:3] and held[::2] == clusters[::2]
    held._SLICE = 2  # built a few at a time when iterated
    assert list(held) == clusters

    uncategorized = ops.ClusterRows(
        pa.Table.from_pylist([{**r, "boilerplate": True} for r in _occurrence_rows(clusters)])
    )
    assert all(c.boilerplate and c.category == "news" for c in uncategorized)
    assert [c.occurrences for c in uncategorized] == [c.occurrences for c in clusters]
    assert list(ops.ClusterRows(pa.Table.from_pylist(rows).slice(0, 0))) == []
