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

__all__ = ["ForkPool", "broken", "can_fork", "result"]

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

    def finish(self, done: bool) -> None:
        """Shut the pool down. When its work is ``done``, as ``shutdown`` does. Otherwise (a task
        failed, the user interrupted, or the reader stopped reading) the tasks not begun are
        cancelled and the running ones' workers ended at once, rather than waited for: a batch
        can take many seconds, and the error or the interrupt would surface only after it."""
        if not done:
            # Python 3.14 has ``terminate_workers``; before it, only the private process map.
            ending = getattr(self, "terminate_workers", None)
            if ending is not None:
                ending()
            else:
                for process in list((getattr(self, "_processes", None) or {}).values()):
                    if process.is_alive():
                        process.terminate()
        self.shutdown(wait=True, cancel_futures=not done)

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
    except BrokenProcessPool as err:
        raise broken(err, f"{source}: the process reading it") from None


def broken(err: BrokenProcessPool, who: str, advice: str = "") -> EngineError:
    """The one line for a broken pool: a worker that died (``who`` ended unexpectedly), or, when
    the pool names a cause, a worker's result this process could not read back (a bug, not the
    machine)."""
    if err.__cause__ is not None:  # the executor sets it only when a result failed to unpickle
        last = str(err.__cause__).strip().splitlines()
        detail = next((line for line in reversed(last) if line.strip(" '")), "").strip(" '")
        return EngineError(f"{who} sent back a result that could not be read ({detail}); please report this")
    return EngineError(f"{who} ended unexpectedly (out of memory?){advice}")
