"""Turn library errors into one-line messages and exit codes (never a traceback)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from provenance.errors import ConfigError, InputError, ProvenanceError

if TYPE_CHECKING:
    from rich.console import Console

F = TypeVar("F", bound=Callable)

EXIT_CODES = {InputError: 2, ConfigError: 2}


@functools.cache
def err_console() -> Console:
    """The console on stderr (made when first needed: rich costs 20 ms a start, and a quiet
    run that goes well prints nothing)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``prov: error: message`` on stderr and return the Exit to raise."""
    from rich.markup import escape

    err_console().print(f"[bold red]prov: error:[/] {escape(message)}", markup=True)  # "prov[spark]" stays
    return typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Decorator for commands: a ProvenanceError becomes a one-line error and exit code 1 or 2;
    Ctrl-C exits 130 with a short note."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ProvenanceError as err:
            code = next((c for kind, c in EXIT_CODES.items() if isinstance(err, kind)), 1)
            raise fail(str(err), code) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was written", 130) from None

    return wrapper  # type: ignore[return-value]


class _OneLine(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        level = "warning" if record.levelno == logging.WARNING else record.levelname.lower()
        err_console().print(f"prov: {level}: {record.getMessage()}", markup=False)


def setup_logging(quiet: bool, verbose: bool = False) -> None:
    """Library log records go to stderr, one line each; ``quiet`` keeps only errors."""
    root = logging.getLogger("provenance")
    root.handlers[:] = [_OneLine()]
    root.propagate = False
    root.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
