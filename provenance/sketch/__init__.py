"""Sketch: token hashes -> MinHash signatures (of every window, or of whole documents) -> LSH
band keys -> candidate pairs."""

from provenance.sketch.lsh import Banding, candidate_pairs, choose_banding, merge_bands, pack_bands, scan_banding
from provenance.sketch.minhash import MinHasher, fold_bands, set_band_keys, sketch_documents, window_band_keys
from provenance.sketch.store import BandStore

__all__ = [
    "MinHasher",
    "Banding",
    "BandStore",
    "choose_banding",
    "candidate_pairs",
    "fold_bands",
    "merge_bands",
    "pack_bands",
    "scan_banding",
    "set_band_keys",
    "sketch_documents",
    "window_band_keys",
]
