"""Option groups shared by several commands, and the config they build."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance.config import DetectConfig, FieldNames

DETECT = "Detection"
FIELDS = "Input fields"

Paths = Annotated[
    list[Path],
    typer.Argument(
        help="Folders (read recursively: .txt/.md files), or .jsonl/.ndjson(.gz), .csv, .parquet or .sgm files.",
        show_default=False,
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
Agencies = Annotated[Path | None, typer.Option(help="Agency file (TOML or YAML) extending the built-in gazetteer.")]
ShingleSize = Annotated[int, typer.Option(help="Words per shingle.", rich_help_panel=DETECT)]
Window = Annotated[int, typer.Option("--window", help="Words per MinHash window.", rich_help_panel=DETECT)]
NumPerm = Annotated[int, typer.Option(help="MinHash permutations.", rich_help_panel=DETECT)]
Seed = Annotated[int, typer.Option(help="MinHash seed (same seed, same signatures).", rich_help_panel=DETECT)]
Threshold = Annotated[
    float, typer.Option(help="Window Jaccard similarity the LSH bands target.", rich_help_panel=DETECT)
]
Bands = Annotated[
    int | None, typer.Option(help="LSH bands (with --rows; overrides --threshold).", rich_help_panel=DETECT)
]
Rows = Annotated[int | None, typer.Option(help="LSH rows per band (with --bands).", rich_help_panel=DETECT)]
MinWords = Annotated[int, typer.Option(help="Shortest passage reported, in matched words.", rich_help_panel=DETECT)]
MinSimilarity = Annotated[float, typer.Option(help="Similarity floor of a passage, 0..1.", rich_help_panel=DETECT)]
MaxGap = Annotated[int, typer.Option(help="Differing words allowed inside a passage.", rich_help_panel=DETECT)]
MaxBucket = Annotated[
    int, typer.Option(help="LSH bucket size above which documents are chained, not paired.", rich_help_panel=DETECT)
]
BoilerplateDocs = Annotated[
    int, typer.Option(help="Clusters over this many documents are flagged as boilerplate.", rich_help_panel=DETECT)
]
IdField = Annotated[str, typer.Option(help="Field holding the document id.", rich_help_panel=FIELDS)]
TextField = Annotated[str, typer.Option(help="Field holding the text.", rich_help_panel=FIELDS)]
OutletField = Annotated[str, typer.Option(help="Field holding the outlet.", rich_help_panel=FIELDS)]
DateField = Annotated[str, typer.Option(help="Field holding the date.", rich_help_panel=FIELDS)]
TitleField = Annotated[str, typer.Option(help="Field holding the title.", rich_help_panel=FIELDS)]
UrlField = Annotated[str, typer.Option(help="Field holding the URL.", rich_help_panel=FIELDS)]

_D = DetectConfig()


def detect_config(
    shingle_size: int = _D.shingle_size,
    window: int = _D.window_words,
    num_perm: int = _D.num_perm,
    seed: int = _D.seed,
    threshold: float = _D.threshold,
    bands: int | None = None,
    rows: int | None = None,
    min_words: int = _D.min_words,
    min_similarity: float = _D.min_similarity,
    max_gap: int = _D.max_gap,
    max_bucket: int = _D.max_bucket,
    boilerplate_docs: int = _D.boilerplate_docs,
) -> DetectConfig:
    """A DetectConfig from command-line values (raises ConfigError when they do not fit)."""
    return DetectConfig(
        shingle_size=shingle_size,
        window_words=window,
        num_perm=num_perm,
        seed=seed,
        threshold=threshold,
        bands=bands,
        rows=rows,
        min_words=min_words,
        min_similarity=min_similarity,
        max_gap=max_gap,
        max_bucket=max_bucket,
        boilerplate_docs=boilerplate_docs,
    )


def field_names(id: str, text: str, outlet: str, date: str, title: str, url: str) -> FieldNames:
    """FieldNames from command-line values."""
    return FieldNames(id=id, text=text, outlet=outlet, date=date, title=title, url=url)
