"""Commands run as in an install without pandas, which prov never uses.

pyarrow imports pandas when it is installed: at its first conversion of Python values (any
``pa.array``, ``pq.read_table``...) and when ``pyarrow.dataset`` is imported. That is 0.3 s,
a third of ``prov scan seeds/``, and 50 MB, for an integration prov has no use for: it builds
tables from lists and numpy arrays and reads them back as Python values. pandas is not one of
prov's dependencies, so a plain install runs without it; ``without_pandas`` makes a run the same
where pandas is installed (not for the Spark engine, whose driver hands pyarrow pandas objects).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _NoPandas:
    """A meta path finder for which pandas cannot be imported."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError(f"{name} is not used by prov")
        return None


@contextmanager
def pandas_blocked() -> Iterator[None]:
    """While the block runs, ``import pandas`` raises ImportError, unless pandas was imported
    already. pyarrow then takes pandas as missing for the rest of the process (and imports it
    only when asked for it, by ``to_pandas``)."""
    if "pandas" in sys.modules:
        yield
        return
    blocker = _NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        yield
    finally:
        sys.meta_path.remove(blocker)


def without_pandas(command: F) -> F:
    """Decorator for commands: the command runs in ``pandas_blocked``."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with pandas_blocked():
            return command(*args, **kwargs)

    return run  # type: ignore[return-value]
