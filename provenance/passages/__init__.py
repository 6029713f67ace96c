"""Passages: Document -> word tokens with character spans, and word-shingle hashes.

Every later stage speaks in tokens of this one tokenizer, so a passage found on hashes maps
back to exact character spans of the original text.
"""

from provenance.passages.shingles import concat, drop_unshared, shingle_index, sort_by_hash
from provenance.passages.tokenize import (
    batch_token_spans,
    fold,
    shingle_hash32,
    shingle_hashes32,
    shingle_hashes64,
    token_hashes,
    token_spans,
    tokenize,
    words,
)

__all__ = [
    "batch_token_spans",
    "fold",
    "tokenize",
    "token_hashes",
    "token_spans",
    "words",
    "shingle_hashes32",
    "shingle_hashes64",
    "shingle_hash32",
    "drop_unshared",
    "shingle_index",
    "sort_by_hash",
    "concat",
]
