"""The readers' fork pool: a worker that dies is one error line naming what it read, and the
parent's objects stay frozen (out of collections) only while the pool lives."""

from __future__ import annotations

import gc
import os
import signal

import pytest

from provenance.errors import EngineError
from provenance.ingest.pool import ForkPool, can_fork, result

pytestmark = pytest.mark.skipif(not can_fork(), reason="the readers' pools fork")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer ends a worker


def _twice(x: int) -> int:
    return 2 * x


def test_a_worker_that_dies_is_one_error_naming_the_file() -> None:
    pool = ForkPool(2)
    try:
        with pytest.raises(EngineError) as err:
            result(pool.submit(_die), "feeds/big.jsonl")
    finally:
        pool.shutdown()
    assert str(err.value) == "feeds/big.jsonl: the process reading it ended unexpectedly (out of memory?)"


def test_objects_are_frozen_while_the_pool_lives() -> None:
    before = gc.get_freeze_count()
    pool = ForkPool(2)
    try:
        assert gc.get_freeze_count() > before
        assert result(pool.submit(_twice, 21), "x") == 42
    finally:
        pool.shutdown()
    assert gc.get_freeze_count() == before
    pool.shutdown()  # a second shutdown is harmless
    assert gc.get_freeze_count() == before
