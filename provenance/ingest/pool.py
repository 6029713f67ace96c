"""Pools of forked workers that raise when a worker dies (killed, out of memory) instead of
waiting for it for ever, as ``multiprocessing.Pool`` does: the reading's own (web pages, files
of rows), and the local engine's, forked per stage once the documents are read."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from provenance.errors import EngineError
from provenance.memory import can_fork, die_with, sharing_with_forks

__all__ = ["ForkPool", "broken", "can_fork", "result"]

T = TypeVar("T")

_STEP = 1.0  # seconds between looks at the workers while a result is awaited


class ForkPool(ProcessPoolExecutor):
    """A ``ProcessPoolExecutor`` of ``workers`` forked processes (a worker that dies raises
    instead of hanging) that share this process's objects without copying them
    (``memory.sharing_with_forks`` for the pool's life, as the engine's pools do)."""

    def __init__(
        self, workers: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
    ) -> None:
        self._sharing: AbstractContextManager[None] | None = sharing_with_forks()
        self._sharing.__enter__()
        super().__init__(
            workers,
            mp_context=mp.get_context("fork"),
            initializer=_start_worker,
            initargs=(os.getpid(), initializer, initargs),
        )

    def finish(self, done: bool) -> None:
        """Shut the pool down. When its work is ``done``, as ``shutdown`` does. Otherwise (a task
        failed, the user interrupted, or the reader stopped reading) the tasks not begun are
        cancelled and the running ones' workers ended at once, rather than waited for: a batch
        can take many seconds, and the error or the interrupt would surface only after it."""
        if not done:
            # The executor's private process map and result pipe, on every Python: 3.14's
            # ``terminate_workers`` shuts the pool down without waiting, before they are gone.
            workers = self._workers()
            for worker in workers:
                if worker.is_alive():
                    worker.terminate()
            deadline = time.monotonic() + 5
            for worker in workers:
                worker.join(max(0.0, deadline - time.monotonic()))
                if worker.is_alive():  # it ignored SIGTERM for 5 s
                    worker.kill()
                    worker.join()
            self._let_go_of_results()  # every writer gone: a half-read result reads as ended
        self.shutdown(wait=True, cancel_futures=not done)

    def __exit__(self, *exc: Any) -> bool | None:
        """Leaving a ``with`` block: ``finish``, done when nothing was raised."""
        self.finish(exc[0] is None)
        return None

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        if self._workers():  # the first submit forks every worker
            self._let_go_of_results()
        return future

    def _workers(self) -> list[mp.process.BaseProcess]:
        """The workers, from the executor's private process map (none before the first submit
        or after the shutdown)."""
        return list((getattr(self, "_processes", None) or {}).values())

    def _let_go_of_results(self) -> None:
        """Close this process's end of the pool's result pipe, which only the workers write.
        A worker ended while it sent a result leaves the pool's reader waiting for the rest of
        it for as long as any process holds a writing end: closed here once the workers are
        forked, none forked later (another pool's workers, the report's child) holds it."""
        writer = getattr(getattr(self, "_result_queue", None), "_writer", None)
        if writer is not None:
            writer.close()

    def result(self, future: Future[T]) -> T:
        """``future``'s result, waited for in steps: when a worker of this pool has ended and the
        future is not done, ``BrokenProcessPool``. The pool's reader says so itself, except when
        the worker was killed while sending a result and another worker still runs: then it
        waits for ever for the rest."""
        while True:
            try:
                return future.result(timeout=_STEP)
            except TimeoutError:
                if any(worker.exitcode is not None for worker in self._workers()) and not future.done():
                    raise BrokenProcessPool("a worker process ended while its pool was working") from None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            super().shutdown(wait=wait, cancel_futures=cancel_futures)
        finally:
            if self._sharing is not None:
                self._sharing.__exit__(None, None, None)
                self._sharing = None


def _start_worker(parent: int, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    """A worker's start: it dies with its parent (``memory.die_with``), then runs the pool's
    ``initializer``."""
    die_with(parent)
    if initializer is not None:
        initializer(*initargs)


def result(pool: ForkPool | None, future: Future[T], source: str) -> T:
    """The result of a worker's reading of ``source``, from ``pool`` (the pool that runs it).

    Raises:
        EngineError: the worker died (killed, or out of memory): one line naming ``source``.
    """
    try:
        return pool.result(future) if pool is not None else future.result()
    except BrokenProcessPool as err:
        raise broken(err, f"{source}: the process reading it") from None


def broken(err: BrokenProcessPool, who: str, advice: str = "") -> EngineError:
    """The one line for a broken pool: a worker that died (``who`` ended unexpectedly), or a
    worker's result this process could not read back (a bug, not the machine), which the pool
    tells by the cause it names."""
    cause = str(err.__cause__ or "").strip()
    lines = cause.splitlines()
    detail = next((line for line in reversed(lines) if line.strip(" '")), "").strip(" '")
    # Python 3.11-3.13 set a cause when reading a result failed: it could not be unpickled, or
    # the pipe ended (EOFError: every worker gone, this process's end being closed) or memory
    # ran out (the machine). Later ones also when a worker died ("terminated abruptly").
    dead = "terminated abruptly" in cause or detail.startswith(("EOFError", "MemoryError"))
    if cause and not dead:
        return EngineError(f"{who} sent back a result that could not be read ({detail}); please report this")
    return EngineError(f"{who} ended unexpectedly (out of memory?){advice}")
