"""Giving freed memory back to the operating system between stages.

A stage that unpickles its workers' results, or builds and drops many mid-sized arrays and
objects, leaves glibc's heap full of free but unreturned pages: after sketching 100,000
documents the process held 384 MB, of which 106 MB came back with one ``malloc_trim``. The
next stage (and every worker forked from this process) would otherwise carry them.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # imported on first use: start-up does not pay for it

    # The symbols this process already has: glibc's malloc_trim where the C library is glibc.
    trim: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)
    return trim


def release_free_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; a no-op where
    the C library has no such call), and Arrow's pool's (mimalloc, Arrow's default, keeps what
    Arrow freed: reading 38 MB of report tables back left the process 119 MB larger, 68 MB after
    this; the ``prov`` command gives Arrow the system allocator, which this trims). Arrow is not
    imported for it."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()


def die_with(parent: int) -> None:
    """In a forked child: end it when its parent ``parent`` ends (Linux). A parent killed with
    its process group may be forking at that moment, and a child forked then escapes the kill:
    it would go on holding what it inherited (a lock on an index, a scratch folder's marker)
    and writing where the next run cleans up. Linux sends the signal when the *thread* that
    forked ends: fork from a thread that outlives the child (prov's pools and the report's
    child start from the thread that runs the scan)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the call above
        os._exit(1)


def can_fork() -> bool:
    """Whether this system starts processes by forking (the readers' pools and the report's
    child need it: they share this process's memory instead of being sent it)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def sharing_with_forks() -> Iterator[None]:
    """Around a fork pool's life: the objects that exist when it starts are left out of
    collections (here and in the workers) while it runs, as a collection in a worker writes to
    every object it visits and so copies every page of the parent's objects into the worker; and
    the heap's free pages are returned first, as they would be shared, then copied by whichever
    process writes them."""
    gc.freeze()
    release_free_memory()
    try:
        yield
    finally:
        gc.unfreeze()
