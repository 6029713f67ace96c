"""Options shared by several commands, each declared once.

Single options are ``Annotated`` aliases (``quiet: opt.Quiet = False``). Blocks of options that
build one value are option groups: a command names the value it wants, ``fields: opt.Fields``,
and ``@grouped`` puts the group's options (``--id-field`` ... ``--url-field``) in the command's
signature where that parameter stands, then calls the command with the value they build (a
``FieldNames``). This is sqlite-utils' ``import_options`` for Typer, which builds a command
from its signature rather than from stacked Click decorators.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from provenance.config import CategoryConfig, DetectConfig, FieldNames, InputLimits

DETECT = "Detection"
FIELDS = "Input fields"
KEYS = "Sketching (default: the index's)"

F = TypeVar("F", bound=Callable[..., Any])

Paths = Annotated[
    list[Path],
    typer.Argument(
        help="Folders (read recursively), files (.txt/.md, .jsonl/.ndjson(.gz), .json, .csv, .parquet, .sgm), "
        "or - for JSON Lines on standard input.",
        show_default=False,
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
Agencies = Annotated[Path | None, typer.Option(help="Agency file (TOML or YAML) extending the built-in gazetteer.")]
Workers = Annotated[int, typer.Option(help="Processes to use (default: all cores).")]
BoilerplatePatterns = Annotated[
    Path | None,
    typer.Option(
        "--boilerplate-patterns",
        metavar="FILE",
        help="Known boilerplate, one phrase (or re:regex) a line; adds to the corpus statistics "
        "that tell news from boilerplate (docs/report.md).",
        rich_help_panel=DETECT,
    ),
]
MaxDocMb = Annotated[
    float,
    typer.Option(
        "--max-doc-mb",
        help="Largest document read, in MB; larger ones are skipped and listed (docs/limits.md).",
        min=0.001,
    ),
]

DayFirst = Annotated[
    bool,
    typer.Option(
        "--dayfirst",
        help="Read ambiguous numeric dates day first: 07/03/2017 is 7 March, not July 3 (dotted dates such as "
        "7.3.2017 are always day first; 31/12/2017 reads one way only).",
        rich_help_panel=FIELDS,
    ),
]


@dataclass(frozen=True)
class OptionGroup:
    """Options that several commands take together, and ``build``, which makes the one value a
    command receives from their values (passed by keyword, under the options' parameter names)."""

    params: tuple[inspect.Parameter, ...]
    build: Callable[..., Any]


def _option(name: str, kind: Any, default: Any, help: str, panel: str) -> inspect.Parameter:
    """The parameter ``name: Annotated[kind, typer.Option(...)] = default`` (``--name-with-dashes``)."""
    if default is None:
        kind = kind | None
    option = typer.Option(help=help, rich_help_panel=panel)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, option])


# The MinHash/LSH keys an index is built with: option, DetectConfig field, type, help.
_SKETCH = (
    ("shingle_size", "shingle_size", int, "Words per shingle."),
    ("window", "window_words", int, "Words per MinHash window."),
    ("num_perm", "num_perm", int, "MinHash permutations."),
    ("seed", "seed", int, "MinHash seed (same seed, same signatures)."),
    ("threshold", "threshold", float, "Window Jaccard similarity the LSH bands target."),
    ("bands", "bands", int, "LSH bands (with --rows; overrides --threshold)."),
    ("rows", "rows", int, "LSH rows per band (with --bands)."),
)
# Against an index the keys default to the index's, and two of them say less.
_INDEX_HELP = {"seed": "MinHash seed.", "bands": "LSH bands (with --rows)."}
# The rest of detection, which an index does not fix: option (= DetectConfig field), type, help.
_PASSAGES = (
    ("min_words", int, "Shortest passage reported, in matched words."),
    ("min_similarity", float, "Similarity floor of a passage, 0..1."),
    ("max_gap", int, "Differing words allowed inside a passage."),
    ("max_bucket", int, "LSH bucket size above which documents are chained, not paired."),
    ("boilerplate_docs", int, "Clusters over this many documents are flagged as boilerplate."),
)
# Input field options: FieldNames attribute, what the field holds.
_FIELDS = (
    ("id", "document id"),
    ("text", "text"),
    ("outlet", "outlet"),
    ("date", "date"),
    ("title", "title"),
    ("url", "URL"),
)

_D = DetectConfig()
_SKETCH_FIELD = {name: field for name, field, _, _ in _SKETCH}


def _sketch_keys(**values: Any) -> dict[str, Any]:
    """Option values keyed by DetectConfig field (``window`` is ``window_words``)."""
    return {_SKETCH_FIELD.get(name, name): value for name, value in values.items()}


_sketch = tuple(_option(name, kind, getattr(_D, field), help, DETECT) for name, field, kind, help in _SKETCH)
_passages = tuple(_option(name, kind, getattr(_D, name), help, DETECT) for name, kind, help in _PASSAGES)

DETECT_OPTIONS = OptionGroup(_sketch + _passages, lambda **values: DetectConfig(**_sketch_keys(**values)))
"""``--shingle-size`` ... ``--boilerplate-docs``: every detection parameter, as a DetectConfig
(raises ConfigError when the values do not fit)."""

PASSAGE_OPTIONS = OptionGroup(_passages, lambda **values: DetectConfig(**values))
"""``--min-words`` ... ``--boilerplate-docs``: the detection parameters an index does not fix,
as a DetectConfig with the default sketch keys."""

INDEX_KEY_OPTIONS = OptionGroup(
    tuple(_option(name, kind, None, _INDEX_HELP.get(name, help), KEYS) for name, _, kind, help in _SKETCH),
    _sketch_keys,
)
"""``--shingle-size`` ... ``--rows`` against an index: the keyword arguments of
``resolve_detect``, None where the index's value stands."""

_N = FieldNames()
FIELD_OPTIONS = OptionGroup(
    tuple(
        _option(f"{name}_field", str, getattr(_N, name), f"Field holding the {what}.", FIELDS) for name, what in _FIELDS
    ),
    lambda **values: FieldNames(**{name.removesuffix("_field"): value for name, value in values.items()}),
)
"""``--id-field`` ... ``--url-field``, as FieldNames."""

Detect = Annotated[DetectConfig, DETECT_OPTIONS]
Passages = Annotated[DetectConfig, PASSAGE_OPTIONS]
IndexKeys = Annotated[dict[str, Any], INDEX_KEY_OPTIONS]
Fields = Annotated[FieldNames, FIELD_OPTIONS]


def grouped(command: F) -> F:
    """Expand each parameter of ``command`` annotated with an OptionGroup into the group's options,
    in its place, and call ``command`` with the value the group builds from them.

    Group parameters have no default, so they follow a ``*``. Raises TypeError when two groups
    or a group and the command declare the same option name.
    """
    signature = inspect.signature(command, eval_str=True)
    groups: dict[str, OptionGroup] = {}
    params: list[inspect.Parameter] = []
    for param in signature.parameters.values():
        group = next((m for m in getattr(param.annotation, "__metadata__", ()) if isinstance(m, OptionGroup)), None)
        if group is None:
            params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY))
        else:
            groups[param.name] = group
            params += group.params
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise TypeError(f"{command.__name__}: an option is declared twice in {names}")

    @functools.wraps(command)
    def run(**values: Any) -> Any:
        for name, group in groups.items():
            values[name] = group.build(**{p.name: values.pop(p.name) for p in group.params})
        return command(**values)

    run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params} | {"return": signature.return_annotation}
    return run  # type: ignore[return-value]


def input_limits(max_doc_mb: float) -> InputLimits:
    """Ingest limits with the document size given in MB (the file limit grows with it if needed)."""
    doc = int(max_doc_mb * 1024**2)
    return InputLimits(max_doc_bytes=doc, max_file_bytes=max(doc, InputLimits().max_file_bytes))


def category_config(patterns: Path | None) -> CategoryConfig:
    """Category thresholds, with the known boilerplate of the ``--boilerplate-patterns`` file.

    Raises:
        InputError: the file cannot be read.
        ConfigError: a pattern is invalid (with its line).
    """
    if not patterns:
        return CategoryConfig()
    from provenance.cluster.categories import load_patterns  # imported here: the cluster stage, 0.1 s

    return CategoryConfig(patterns=load_patterns(patterns))
