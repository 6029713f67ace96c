"""Align: a candidate document pair -> verified Alignments with exact character spans."""

from provenance.align.aligner import align_pair, seed_matches

__all__ = ["align_pair", "seed_matches"]
