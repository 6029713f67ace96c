"""The Arrow schemas of the scan report, and their version.

Bump ``SCHEMA_VERSION`` on any change a reader would notice (a column renamed, retyped or
removed); adding a column is a minor bump. The version is stored in every file's schema
metadata and in ``manifest.json``.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "3.0"

_META = {b"prov.schema_version": SCHEMA_VERSION.encode()}


def _schema(*fields: pa.Field) -> pa.Schema:
    return pa.schema(list(fields), metadata=_META)


DOCUMENTS = _schema(
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("outlet", pa.string()),
    pa.field("date", pa.timestamp("us", tz="UTC")),
    pa.field("date_text", pa.string()),
    pa.field("title", pa.string()),
    pa.field("url", pa.string()),
    pa.field("n_chars", pa.int64(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
)
"""One row per document read; ``date`` is the instant its date stands for (UTC; null when it has
none or it cannot be read), ``date_text`` the date as the input wrote it; pass-through fields of
tabular inputs follow as string columns."""

PASSAGES = _schema(
    pa.field("passage_id", pa.string(), nullable=False),
    pa.field("cluster_id", pa.string(), nullable=False),
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("start", pa.int64(), nullable=False),
    pa.field("end", pa.int64(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("category", pa.string(), nullable=False),
)
"""One row per occurrence of a reused passage; ``text == document_text[start:end]``;
``category`` is its cluster's."""

ALIGNMENTS = _schema(
    pa.field("cluster_id", pa.string(), nullable=False),
    pa.field("doc_a", pa.string(), nullable=False),
    pa.field("a_start", pa.int64(), nullable=False),
    pa.field("a_end", pa.int64(), nullable=False),
    pa.field("doc_b", pa.string(), nullable=False),
    pa.field("b_start", pa.int64(), nullable=False),
    pa.field("b_end", pa.int64(), nullable=False),
    pa.field("similarity", pa.float64(), nullable=False),
    pa.field("matched_chars", pa.int64(), nullable=False),
    pa.field("matched_words", pa.int64(), nullable=False),
)
"""The verified pairs behind the passages."""

CLUSTERS = _schema(
    pa.field("cluster_id", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("n_occurrences", pa.int64(), nullable=False),
    pa.field("n_documents", pa.int64(), nullable=False),
    pa.field("n_outlets", pa.int64(), nullable=False),
    pa.field("boilerplate", pa.bool_(), nullable=False),
    pa.field("category", pa.string(), nullable=False),
    pa.field("category_reason", pa.string(), nullable=False),
    pa.field("representative", pa.string(), nullable=False),
    pa.field("representative_doc", pa.string(), nullable=False),
    pa.field("origin", pa.string()),
    pa.field("origin_confidence", pa.float64(), nullable=False),
    pa.field("origin_evidence", pa.string(), nullable=False),
)
"""One row per cluster of reused text; ``category`` is news, boilerplate, stock or credit (and
``boilerplate`` true for all but news); ``origin`` is an agency id, or null when unknown or
when the cluster is not news."""

CREDITS = _schema(
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("agency", pa.string(), nullable=False),
    pa.field("start", pa.int64(), nullable=False),
    pa.field("end", pa.int64(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("scope", pa.string(), nullable=False),
    pa.field("scope_start", pa.int64(), nullable=False),
    pa.field("scope_end", pa.int64(), nullable=False),
)
"""One row per agency credit found in a document."""

NODES = _schema(
    pa.field("node_id", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("label", pa.string(), nullable=False),
)
"""Provenance graph nodes: agencies, outlets, documents and clusters."""

EDGES = _schema(
    pa.field("source", pa.string(), nullable=False),
    pa.field("target", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("weight", pa.float64(), nullable=False),
    pa.field("directed", pa.bool_(), nullable=False),
    pa.field("evidence", pa.string(), nullable=False),
)
"""Provenance graph edges (see provenance.graph.build for the kinds)."""

WIRE_SHARE = _schema(
    pa.field("level", pa.string(), nullable=False),
    pa.field("id", pa.string(), nullable=False),
    pa.field("origin", pa.string(), nullable=False),
    pa.field("reused_chars", pa.int64(), nullable=False),
    pa.field("total_chars", pa.int64(), nullable=False),
    pa.field("share", pa.float64(), nullable=False),
)
"""Share of each document's and each outlet's characters that are reused news copy, by origin
(``origin`` is an agency id, ``unknown``, or ``all`` for the total); other categories do not
count."""

DERIVATION = _schema(
    pa.field("doc_a", pa.string(), nullable=False),
    pa.field("doc_b", pa.string(), nullable=False),
    pa.field("shared_clusters", pa.int64(), nullable=False),
    pa.field("aligned_clusters", pa.int64(), nullable=False),
    pa.field("earlier", pa.string()),
    pa.field("a_chars", pa.int64(), nullable=False),
    pa.field("a_containment_chars", pa.float64(), nullable=False),
    pa.field("a_tokens", pa.int64(), nullable=False),
    pa.field("a_containment_tokens", pa.float64(), nullable=False),
    pa.field("a_class", pa.string(), nullable=False),
    pa.field("b_chars", pa.int64(), nullable=False),
    pa.field("b_containment_chars", pa.float64(), nullable=False),
    pa.field("b_tokens", pa.int64(), nullable=False),
    pa.field("b_containment_tokens", pa.float64(), nullable=False),
    pa.field("b_class", pa.string(), nullable=False),
)
"""One row per pair of documents sharing news copy (``doc_a`` first in the run): how much of
each side lies in the passages they share (characters, tokens), and its METER-style class (``wholly``, ``partially`` or
``non-derived`` from the other); ``earlier`` is the document dated earlier, or null."""

TABLES = {
    "documents": DOCUMENTS,
    "passages": PASSAGES,
    "alignments": ALIGNMENTS,
    "clusters": CLUSTERS,
    "credits": CREDITS,
    "nodes": NODES,
    "edges": EDGES,
    "wire_share": WIRE_SHARE,
    "derivation": DERIVATION,
}
"""Table name -> schema; each is written as ``<name>.parquet`` in the report folder."""

TEXTS = _schema(
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
)
"""The full text of every document, so that a report stands alone (left out with ``--no-texts``);
every offset of the report slices it."""
