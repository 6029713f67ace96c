"""The stage timer every run uses: scans, queries and dedup record their stages through it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from provenance.records import StageTiming

log = logging.getLogger(__name__)


class StageTimer:
    """Times named stages, in the order they run, for a result's ``timings``."""

    def __init__(self) -> None:
        self.timings: list[StageTiming] = []

    @contextmanager
    def stage(self, name: str, items: Callable[[], int] = lambda: 0) -> Iterator[None]:
        """Time the ``with`` block as stage ``name``; ``items`` is called when it ends and gives
        how many records the stage produced. A block that raises records nothing."""
        t0 = time.perf_counter()
        yield
        seconds = time.perf_counter() - t0
        self.timings.append(StageTiming(name, round(seconds, 4), int(items())))
        log.info("stage %s: %.2fs", name, seconds)
