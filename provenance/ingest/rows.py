"""``Row``: one document as a reader found it, before the input rules make it a ``Document``.

Every reader (text files, JSONL/CSV/Parquet tables, Reuters SGML, folders) yields ``Row`` and
``Skipped`` records; ``IngestPolicy.documents`` (``provenance.ingest.policy``) turns the rows
into documents or skips them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    """One document as read, with the facts the input rules need.

    - ``source``: the file it came from, as the reader named it (made printable later);
      ``line``: its line, row or record number in that file, None when it is the whole file;
    - ``doc_id``: the id the input gives, None or empty when it gives none;
    - ``text``: the text, empty when the text field holds none (missing, or not a string);
    - ``outlet``, ``date``, ``title``, ``url``: metadata as text; ``extra``: the other fields,
      as (name, text) pairs in the input's order;
    - ``nul_field``: the first field (by its name in the input) holding a NUL character;
    - ``name``: what a row without an id is named after (``<name>:<line>``): the file's path
      inside the folder read, so that two ``feed.jsonl`` in two sub-folders give different ids;
      None for the file's own name.
    """

    source: str
    line: int | None
    doc_id: str | None
    text: str
    outlet: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    extra: tuple[tuple[str, str | None], ...] = ()
    nul_field: str | None = None
    name: str | None = None
