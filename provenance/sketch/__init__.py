"""Sketch: token hashes -> MinHash signatures of every window -> LSH band keys -> candidate pairs."""

from provenance.sketch.lsh import Banding, candidate_pairs, choose_banding
from provenance.sketch.minhash import WindowSketcher

__all__ = ["WindowSketcher", "Banding", "choose_banding", "candidate_pairs"]
