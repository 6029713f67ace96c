"""Sketch: token hashes -> MinHash signatures of every window -> LSH band keys -> candidate pairs."""

from provenance.sketch.lsh import Banding, candidate_pairs, choose_banding, merge_bands
from provenance.sketch.minhash import WindowSketcher
from provenance.sketch.store import BandStore

__all__ = ["WindowSketcher", "Banding", "BandStore", "choose_banding", "candidate_pairs", "merge_bands"]
