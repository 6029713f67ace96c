"""release_free_memory: freed heap pages go back to the system (Linux, glibc)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from provenance.memory import _malloc_trim

SCRIPT = """
from provenance.memory import release_free_memory
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024
blocks = [bytes(2000) for _ in range(100_000)]  # ~200 MB of heap, not mmap
keep = blocks[-1]  # live at the top of the heap: glibc cannot shrink it from the end
del blocks
before = rss()
release_free_memory()
print(before, rss())
"""


@pytest.mark.skipif(_malloc_trim() is None, reason="needs glibc's malloc_trim")
def test_freed_heap_memory_is_returned() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    before, after = map(int, out.split())
    assert before - after > 150, (before, after)


ARROW_SCRIPT = """
import pyarrow as pa
from provenance.memory import release_free_memory
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024
arrays = [pa.array(range(i, i + 250_000)) for i in range(100)]  # ~200 MB in Arrow's pool, in pieces
keep = arrays[-1]
del arrays
before = rss()
release_free_memory()
print(before, rss())
"""


def test_memory_arrow_freed_is_returned_too() -> None:
    """Arrow's default pool (mimalloc) keeps what Arrow freed until asked."""
    out = subprocess.run([sys.executable, "-c", ARROW_SCRIPT], capture_output=True, text=True, check=True).stdout
    before, after = map(int, out.split())
    assert before - after > 100, (before, after)
