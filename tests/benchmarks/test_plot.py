"""The scaling figure's points: only corpora of one kind share a line."""

from __future__ import annotations

from benchmarks import plot


def result(scale: str, docs: int, noise: str | None, wall: float) -> dict:
    corpus = {"documents": docs} | ({"noise": noise} if noise else {})
    return {"scale": scale, "corpus": corpus, "prov": {"wall_s": wall, "peak_mb": 100.0}}


def test_generated_corpora_of_another_noise_and_reuters_are_kinds_apart() -> None:
    results = [
        result("10k", 10_000, "web", 30.0),
        result("reuters", 19_043, None, 7.0),
        result("100k", 100_000, "none", 25.0),
    ]
    kinds = {p[3]: p[4] for p in plot.points(results, "prov")}
    assert kinds == {"10k": "noise web", "reuters": "reuters", "100k": "noise none"}
    assert plot.points(results, "baseline") == []
