"""Cut reused boilerplate passages out of the documents a deduplication keeps.

The passage scan (``provenance.pipeline.detect``) runs over the kept documents only, so that a
story's own near-copies, already removed, do not make its text look like boilerplate. A
cluster is boilerplate when it spans more than ``boilerplate_docs`` documents (the scan's own
``DetectConfig.boilerplate_docs``, set from the dedup config), whatever its category.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from provenance.cluster import merge_spans
from provenance.config import ScanConfig
from provenance.corpus import Corpus
from provenance.dedup.records import StrippedSpan
from provenance.engines.local import Progress
from provenance.pipeline import detect
from provenance.records import Document

_BLANKS = " \t"


def boilerplate_spans(
    docs: Sequence[Document], boilerplate_docs: int, config: ScanConfig, progress: Progress | None = None
) -> list[StrippedSpan]:
    """Boilerplate passages of ``docs`` (any indexes; spans refer to each document's ``index``):
    occurrences of clusters spanning more than ``boilerplate_docs`` documents.

    Returns one ``StrippedSpan`` per occurrence, widened over glued punctuation (``widen``), by
    document then start.
    """
    # A Corpus numbers its documents by position already, and is read from disk as the scan goes.
    local = docs if isinstance(docs, Corpus) else [dataclasses.replace(doc, index=i) for i, doc in enumerate(docs)]
    config = dataclasses.replace(config, detect=dataclasses.replace(config.detect, boilerplate_docs=boilerplate_docs))
    result = detect(local, config, progress=progress)
    spans = []
    for cluster in result.clusters:
        n_docs = len(cluster.docs)
        # Spread alone, not the scan's category: a stock phrase or a credit line cut out of a
        # sentence would leave it broken.
        if n_docs <= boilerplate_docs:
            continue
        for occ in cluster.occurrences:
            start, end = widen(local[occ.doc].text, occ.start, occ.end)
            spans.append(StrippedSpan(docs[occ.doc].index, start, end, cluster.cluster_id, n_docs))
    return sorted(spans, key=lambda s: (s.doc, s.start, s.end))


def _glued(ch: str) -> bool:
    """Punctuation stuck to a word (not a blank, not a word character)."""
    return not ch.isspace() and not (ch.isalnum() or ch == "_")


def widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A passage span widened over the punctuation glued to its first and last word: passages
    run from word to word, but cutting one must take its closing full stop or quote along."""
    while start > 0 and _glued(text[start - 1]):
        start -= 1
    while end < len(text) and _glued(text[end]):
        end += 1
    return start, end


def strip_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` without the given character spans.

    Blanks after a cut span go with it; a span that began a line also takes the line break that
    ends it, so cutting a whole line leaves no empty line behind.
    """
    out, at = [], 0
    for start, end in merge_spans(spans):
        if start < at:  # swallowed by the tidy-up of the previous span
            start = at
        if end <= start:
            continue
        out.append(text[at:start])
        while end < len(text) and text[end] in _BLANKS:
            end += 1
        line_start = start == 0 or text[start - 1] == "\n"
        if line_start and end < len(text) and text[end] == "\n":
            end += 1
        at = end
    out.append(text[at:])
    return "".join(out)
