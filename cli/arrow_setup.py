"""pyarrow without its pandas integration, in a ``prov`` run that never hands it pandas objects.

pyarrow looks for pandas once per process, at its first conversion of Python values (any
``pa.array``, ``pq.read_table``, ``schema.empty_table``...), and imports it when it is
installed: 0.3 s, a third of ``prov scan seeds/``, for an integration prov never uses (it
builds tables from lists and numpy arrays, and reads them back as Python values). Users
without pandas never pay it; this makes the run the same for users who have it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


class _NoPandas:
    """A meta path finder for which pandas cannot be imported."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if name == "pandas":
            raise ImportError("pandas is not used by this prov run")
        return None


def arrow_without_pandas() -> None:
    """Make pyarrow's one look for pandas in this process find none, unless pandas is imported
    already. pandas stays importable: anything that imports it later gets it, and pyarrow's
    ``to_pandas`` still works (it imports pandas itself). Not for runs that hand pyarrow pandas
    objects (the Spark engine's driver).
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    blocker = _NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.array([], pa.int64())  # pyarrow looks for pandas here, once
    finally:
        sys.meta_path.remove(blocker)
