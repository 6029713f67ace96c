"""Align: candidate document pairs -> verified Alignments with exact character spans."""

from provenance.align.aligner import align_pair, chains, score_segments, segment_arrays, verify_pairs

__all__ = ["align_pair", "verify_pairs", "segment_arrays", "score_segments", "chains"]
