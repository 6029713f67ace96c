"""Write a deduplicated corpus and, beside it, what was removed and why.

For ``--out clean.jsonl`` (or ``.jsonl.gz``, ``.ndjson``, ``.parquet``) the files are:

- ``clean.jsonl``: the kept documents in input order, with the input's field names (``id``,
  ``text``, ``outlet``, ``date``, ``title``, ``url`` or their ``--*-field`` renames; absent
  values are left out of JSONL rows and null in Parquet) and every pass-through field.
- ``clean.removed.jsonl``: one row per removed document (``REMOVED`` schema).
- ``clean.stripped.jsonl``: one row per boilerplate passage cut out (``STRIPPED``), only
  with ``strip_boilerplate``.
- ``clean.dedup.json``: the run: version, inputs, parameters, counts, timings, skipped inputs.

Each file is written to a temporary sibling and renamed into place only when every file is
complete, so a failed run never leaves half a corpus or destroys the previous one. Existing
files are replaced only with ``force``; an input is never overwritten.
"""

from __future__ import annotations

import dataclasses
import glob
import gzip
import itertools
import json
import logging
import os
import platform
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance import __version__
from provenance.config import FieldNames
from provenance.corpus import column, text_reader
from provenance.dedup.config import DedupConfig
from provenance.dedup.records import DedupResult
from provenance.errors import ReportError
from provenance.ownership import dead_owner, default_mode, is_within

DEDUP_SCHEMA_VERSION = "1.0"
log = logging.getLogger(__name__)
_META = {b"prov.dedup_schema_version": DEDUP_SCHEMA_VERSION.encode()}

REMOVED = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("kept_doc_id", pa.string()),
        pa.field("similarity", pa.float64(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("policy", pa.string(), nullable=False),
        pa.field("kept_because", pa.string(), nullable=False),
    ],
    metadata=_META,
)
"""One row per removed document: the representative kept in its place (null when it held
only boilerplate), the exact Jaccard similarity of their shingle sets, and why."""

STRIPPED = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("cluster_id", pa.string(), nullable=False),
        pa.field("n_documents", pa.int64(), nullable=False),
    ],
    metadata=_META,
)
"""One row per boilerplate passage cut out of a kept document; offsets are into its original text."""

_JSONL = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_PARQUET = (".parquet",)


@dataclass(frozen=True, slots=True)
class DedupOutputs:
    """The files one deduplication writes."""

    corpus: Path
    removed: Path
    stripped: Path
    manifest: Path

    @property
    def parquet(self) -> bool:
        """Whether the tables are Parquet (else JSONL)."""
        return self.corpus.name.lower().endswith(_PARQUET)

    def all(self, with_stripped: bool) -> list[Path]:
        """Every file of the run (the stripped list only when stripping)."""
        return [self.corpus, self.removed, *([self.stripped] if with_stripped else []), self.manifest]


def dedup_outputs(out: Path, removed: Path | None = None) -> DedupOutputs:
    """The output files for ``--out``: the corpus, and beside it ``<stem>.removed.<ext>``,
    ``<stem>.stripped.<ext>`` and ``<stem>.dedup.json`` (``removed`` overrides the first).

    Raises:
        ReportError: ``out`` is not a ``.jsonl``, ``.ndjson`` (optionally ``.gz``) or ``.parquet`` file.
    """
    name = out.name
    ext = next((e for e in _JSONL + _PARQUET if name.lower().endswith(e)), None)
    if ext is None or len(name) == len(ext):
        raise ReportError(f"{out}: the output must be a .jsonl, .ndjson (optionally .gz) or .parquet file")
    stem = name[: -len(ext)]
    return DedupOutputs(
        corpus=out,
        removed=removed or out.with_name(f"{stem}.removed{ext}"),
        stripped=out.with_name(f"{stem}.stripped{ext}"),
        manifest=out.with_name(f"{stem}.dedup.json"),
    )


def check_outputs(outputs: DedupOutputs, inputs: Sequence[Path], force: bool, with_stripped: bool) -> None:
    """Refuse to overwrite an input, a folder, or (without ``force``) an existing file.

    Call it before the run, so a long run does not fail at the end.

    Raises:
        ReportError: an output is an input, a folder, or exists and ``force`` is false.
    """
    resolved_inputs = {p.resolve() for p in inputs}
    paths = outputs.all(with_stripped)
    finish_interrupted(paths[0])
    if len({p.resolve() for p in paths}) < len(paths):
        raise ReportError(f"{outputs.removed}: the removed list would overwrite another output; choose another name")
    for path in paths:
        resolved = path.resolve()
        if resolved in resolved_inputs:
            raise ReportError(f"{path}: would overwrite an input; choose another --out")
        inside = next((p for p in inputs if p.is_dir() and is_within(path, p)), None)
        if inside is not None:
            raise ReportError(
                f"{path}: is inside the input {inside} and would be read back as input; choose another --out"
            )
        if path.is_dir():
            raise ReportError(f"{path}: is a folder; choose another --out")
        if path.exists() and not force:
            raise ReportError(f"{path}: exists; pass --force to replace it, or choose another --out")


def corpus_rows(result: DedupResult, fields: FieldNames) -> Iterator[dict[str, Any]]:
    """The kept documents as rows with the input's field names (None where a value is absent),
    one at a time: a million kept documents are never all in memory."""
    for doc in result.kept:
        row: dict[str, Any] = {
            fields.id: doc.doc_id,
            fields.text: doc.text,
            fields.outlet: doc.outlet,
            fields.date: doc.date,
            fields.title: doc.title,
            fields.url: doc.url,
        }
        for name, value in doc.extra:
            row.setdefault(name, value)
        yield row


def removed_rows(result: DedupResult, policy: str) -> list[dict[str, Any]]:
    """Rows of the ``REMOVED`` table, by input order of the removed document."""
    ids = column(result.documents, "doc_id")  # no document read for its id
    return [
        {
            "doc_id": ids[r.doc],
            "kept_doc_id": ids[r.kept] if r.kept is not None else None,
            "similarity": r.similarity,
            "reason": r.reason,
            "policy": policy,
            "kept_because": r.kept_because,
        }
        for r in result.removals
    ]


def stripped_rows(result: DedupResult) -> list[dict[str, Any]]:
    """Rows of the ``STRIPPED`` table."""
    ids, text_of = column(result.documents, "doc_id"), text_reader(result.documents)
    return [
        {
            "doc_id": ids[s.doc],
            "start": s.start,
            "end": s.end,
            "text": text_of(s.doc)[s.start : s.end],
            "cluster_id": s.cluster_id,
            "n_documents": s.n_documents,
        }
        for s in result.stripped
    ]


def _corpus_schema(result: DedupResult, fields: FieldNames) -> pa.Schema:
    """The corpus table's columns: the known fields, then every pass-through field in the order
    the kept documents first carry it (read from the documents' columns, not their texts)."""
    known = [fields.id, fields.text, fields.outlet, fields.date, fields.title, fields.url]
    names = dict.fromkeys(known)
    for extra in column(result.kept, "extra"):
        names.update((name, None) for name, _ in extra if name not in names)
    return pa.schema([pa.field(n, pa.string(), nullable=n not in known[:2]) for n in names], metadata=_META)


_BATCH_ROWS = 8192  # rows of the corpus written at a time (a row group of the Parquet file)


def _write_rows(path: Path, rows: Iterable[dict[str, Any]], schema: pa.Schema, parquet: bool, gz: bool) -> None:
    if parquet:
        with pq.ParquetWriter(path, schema, compression="zstd") as out:
            rows = iter(rows)
            written = False
            while batch := list(itertools.islice(rows, _BATCH_ROWS)):
                out.write_table(pa.Table.from_pylist(batch, schema=schema))
                written = True
            if not written:
                out.write_table(schema.empty_table())
        return
    opener: Callable[..., Any] = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False) + "\n")


def manifest(
    result: DedupResult, config: DedupConfig, fields: FieldNames, inputs: Sequence[Path], outputs: DedupOutputs
) -> dict[str, Any]:
    """The JSON record of a deduplication run."""
    return {
        "tool": "prov",
        "command": "dedup",
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "schema_version": DEDUP_SCHEMA_VERSION,
        "inputs": [str(Path(p).resolve()) for p in inputs],
        "parameters": {"dedup": dataclasses.asdict(config), "fields": dataclasses.asdict(fields)},
        "counts": result.counts,
        "timings": [{"stage": t.stage, "seconds": t.seconds, "items": t.items} for t in result.timings],
        "skipped": [{"source": s.source, "line": s.line, "reason": s.reason} for s in result.skipped],
        "files": {
            "corpus": outputs.corpus.name,
            "removed": outputs.removed.name,
            **({"stripped": outputs.stripped.name} if config.strip_boilerplate else {}),
        },
    }


def write_dedup(
    outputs: DedupOutputs,
    result: DedupResult,
    config: DedupConfig,
    fields: FieldNames,
    inputs: Sequence[Path],
    force: bool = False,
) -> DedupOutputs:
    """Write the corpus, the removed list, the stripped list (when stripping) and the run record.

    Raises:
        ReportError: see ``check_outputs``; or a file cannot be written (nothing is replaced then).
    """
    check_outputs(outputs, inputs, force, config.strip_boilerplate)
    parquet = outputs.parquet
    gz = outputs.corpus.name.lower().endswith(".gz")  # temporary names end otherwise: decide here
    writers: list[tuple[Path, Callable[[Path], object]]] = [
        (
            outputs.corpus,
            lambda p: _write_rows(p, corpus_rows(result, fields), _corpus_schema(result, fields), parquet, gz),
        ),
        (outputs.removed, lambda p: _write_rows(p, removed_rows(result, config.policy), REMOVED, parquet, gz)),
    ]
    if config.strip_boilerplate:
        writers.append((outputs.stripped, lambda p: _write_rows(p, stripped_rows(result), STRIPPED, parquet, gz)))
    record = manifest(result, config, fields, inputs, outputs)
    writers.append(
        (
            outputs.manifest,
            lambda p: p.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"),
        )
    )
    write_atomically(writers)
    return outputs


def _journal(first: Path) -> Path:
    return first.with_name(f".{first.name}.commit.json")


def _pending(first: Path, pid: int) -> Path:
    return first.with_name(f".{first.name}.pending-{pid}.json")


def _record(pending: Path, temps: list[str]) -> None:
    """List the temporary files a write is about to create, before it creates them."""
    staged = pending.with_name(pending.name + ".tmp")
    staged.write_text(json.dumps(temps), encoding="utf-8")
    os.replace(staged, pending)


def finish_interrupted(first: Path) -> None:
    """Complete or tidy what an interrupted ``write_atomically`` whose first file is ``first``
    left behind: renames recorded in its journal are finished (all files then belong to one
    run), and the temporary files a process that no longer runs listed as its own (beside any
    of its outputs) are removed."""
    journal = _journal(first)
    if journal.exists():
        try:
            moves = json.loads(journal.read_text(encoding="utf-8"))
            for tmp, path in moves:
                if Path(tmp).exists():
                    os.replace(tmp, path)
            journal.unlink()
            log.warning("%s: finished writing the output of an interrupted run", first)
        except (OSError, ValueError, TypeError) as err:
            log.warning("%s: cannot finish the interrupted write recorded there (%s)", journal, err)
    journal.with_name(journal.name + ".tmp").unlink(missing_ok=True)  # a journal never committed
    for pending in first.parent.glob(f".{glob.escape(first.name)}.pending-*"):
        owner = pending.name.rsplit(".pending-", 1)[1].split(".", 1)[0]
        if not dead_owner(owner):
            continue
        try:
            listed = json.loads(pending.read_text(encoding="utf-8")) if pending.suffix == ".json" else []
        except (OSError, ValueError):
            listed = []
        for name in listed if isinstance(listed, list) else []:
            tmp = Path(str(name))
            if ".partial-" in tmp.name:  # only what a write names as its own temporary file
                tmp.unlink(missing_ok=True)
        pending.unlink(missing_ok=True)
    for leftover in first.parent.glob(f".{glob.escape(first.name)}.partial-*"):
        if dead_owner(leftover.name.rsplit(".partial-", 1)[1].split("-", 1)[0]):
            leftover.unlink(missing_ok=True)


def write_atomically(writers: Sequence[tuple[Path, Callable[[Path], object]]]) -> None:
    """Write every file to a temporary sibling, then rename them all into place.

    Nothing is renamed unless every file was written; on failure the temporary files go. The
    renames are recorded first in a journal beside the first file, so a process killed among
    them leaves a state ``finish_interrupted`` completes: never a mix of two runs' files.

    Raises:
        ReportError: a file cannot be written.
    """
    done: list[tuple[Path, Path]] = []
    mode = default_mode()
    journal = _journal(writers[0][0])
    # Every temporary file is listed here before it is created: a kill at any moment leaves
    # nothing finish_interrupted cannot find, whichever folder an output is in.
    pending = _pending(writers[0][0], os.getpid())
    temps: list[str] = []
    committing = False
    try:
        for n, (path, writer) in enumerate(writers):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.partial-{os.getpid()}-{n}")
            temps.append(str(tmp))
            _record(pending, temps)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, mode)  # outputs get the usual permissions
            os.close(fd)
            done.append((tmp, path))
            writer(tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        staged = journal.with_name(journal.name + ".tmp")
        staged.write_text(json.dumps([[str(t), str(p)] for t, p in done]), encoding="utf-8")
        os.replace(staged, journal)
        committing = True
        for tmp, path in done:
            os.replace(tmp, path)
        journal.unlink()
        pending.unlink(missing_ok=True)
    except OSError as err:
        if committing:
            raise ReportError(
                f"cannot write {path}: {err.strerror or err}; the next prov dedup run to the same --out completes it"
            ) from None
        raise ReportError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        if not committing:
            for tmp, _ in done:
                tmp.unlink(missing_ok=True)
            pending.unlink(missing_ok=True)
