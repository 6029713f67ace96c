"""Pools of forked workers that raise when a worker dies (killed, out of memory) instead of
waiting for it for ever, as ``multiprocessing.Pool`` does: the reading's own (web pages, files
of rows), and the local engine's, forked per stage once the documents are read."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from provenance.errors import EngineError
from provenance.memory import can_fork, sharing_with_forks

__all__ = ["ForkPool", "can_fork", "result"]

T = TypeVar("T")


class ForkPool(ProcessPoolExecutor):
    """A ``ProcessPoolExecutor`` of ``workers`` forked processes (a worker that dies raises
    instead of hanging) that share this process's objects without copying them
    (``memory.sharing_with_forks`` for the pool's life, as the engine's pools do)."""

    def __init__(
        self, workers: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
    ) -> None:
        self._sharing: AbstractContextManager[None] | None = sharing_with_forks()
        self._sharing.__enter__()
        super().__init__(workers, mp_context=mp.get_context("fork"), initializer=initializer, initargs=initargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            super().shutdown(wait=wait, cancel_futures=cancel_futures)
        finally:
            if self._sharing is not None:
                self._sharing.__exit__(None, None, None)
                self._sharing = None


def result(future: Future[T], source: str) -> T:
    """The result of a worker's reading of ``source``.

    Raises:
        EngineError: the worker died (killed, or out of memory): one line naming ``source``.
    """
    try:
        return future.result()
    except BrokenProcessPool:
        raise EngineError(f"{source}: the process reading it ended unexpectedly (out of memory?)") from None
