"""Report files written by a forked child while this process writes the others.

The graph exports and the ``texts`` table depend on no other file of a report, while the HTML
pages read the tables just written; on two cores the child's files cost the report no time
(at 100,000 documents they were 1.8 s of its 5.7 s, all in one process). A forked child shares
the result's memory (its objects are left out of collections while it runs, so it copies no
page of them), and ends with its job: nothing is sent back but an error.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import pickle
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from multiprocessing.connection import Connection
from types import TracebackType

from provenance.errors import ReportError
from provenance.memory import can_fork, die_with, sharing_with_forks

log = logging.getLogger(__name__)

Job = tuple[str, Callable[[], None]]
"""A file's name (for errors) and the function writing it."""


class Aside(AbstractContextManager["Aside"]):
    """``jobs`` run in order, in a forked child started on entering, while the block writes the
    rest (``where``: the folder they go into, for errors; ``start``: run first in the child, as
    the writer records it in the folder's marker). ``wait`` joins the child and raises
    the error that stopped a job. Leaving the block early (this process failed) stops the
    child. Where processes are not forked, or the fork fails, or with nothing to do aside,
    ``wait`` runs the jobs here, in order."""

    def __init__(self, jobs: Sequence[Job], where: str = "", start: Callable[[], None] | None = None) -> None:
        self.jobs, self.where, self.start = list(jobs), where, start
        self._child: mp.process.BaseProcess | None = None
        self._answer: Connection | None = None
        self._sharing: AbstractContextManager[None] | None = None

    def __enter__(self) -> Aside:
        if not self.jobs or not can_fork():
            return self
        self._sharing = sharing_with_forks()
        self._sharing.__enter__()
        context = mp.get_context("fork")
        self._answer, answer = context.Pipe(duplex=False)
        self._child = context.Process(
            target=_run, args=(self.jobs, answer, os.getpid(), self.start), name="prov-report-aside", daemon=True
        )
        try:
            self._child.start()
        except OSError as err:  # no fork (out of memory, too many processes): ``wait`` runs them here
            log.debug("report: writing %s in this process (no fork: %s)", ", ".join(n for n, _ in self.jobs), err)
            self._child = None
            self._end()
        finally:
            answer.close()  # the child's end: with it closed here, a dead child reads as end of file
        return self

    def wait(self) -> None:
        """Wait for the jobs to be done.

        Raises:
            ReportError: the child ended without saying (killed, out of memory); or the error
                a job raised (as raised there: ``ReportError``, ``OSError``...).
        """
        if self._child is None or self._answer is None:
            for _, job in self.jobs:
                job()
            self.jobs = []
            return
        try:
            error = pickle.loads(self._answer.recv_bytes())
        except EOFError:
            names = ", ".join(name for name, _ in self.jobs)
            where = f"{self.where}: " if self.where else ""
            raise ReportError(f"{where}the process writing {names} ended unexpectedly (out of memory?)") from None
        finally:
            self._end()
        if error is not None:
            raise error

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self._end()

    def _end(self) -> None:
        if self._child is not None:
            if self._child.is_alive():  # this process failed before waiting: its files are not wanted
                self._child.kill()
            self._child.join()
            self._child = None
        if self._answer is not None:
            self._answer.close()
            self._answer = None
        if self._sharing is not None:
            self._sharing.__exit__(None, None, None)
            self._sharing = None


def _run(jobs: Sequence[Job], answer: Connection, parent: int, start: Callable[[], None] | None) -> None:
    """The child: ``start``, each job in order, then None (done) or the error that stopped them."""
    error: BaseException | None = None
    try:
        die_with(parent)
        if start is not None:
            start()
        for _, job in jobs:
            job()
    except BaseException as err:  # every failure goes back to the parent, which raises it
        error = err
    try:  # an error goes back as it was raised, if the parent can rebuild it; else as its text
        sent = pickle.dumps(error)
        pickle.loads(sent)
    except Exception:
        sent = pickle.dumps(ReportError(f"{type(error).__name__}: {error}"))
    answer.send_bytes(sent)
    answer.close()
