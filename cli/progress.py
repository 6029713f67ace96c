"""A progress display for long stages, shown only on an interactive terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prov_cli.errors import err_console

if TYPE_CHECKING:
    from rich.progress import TaskID


@contextmanager
def stage_progress(enabled: bool) -> Iterator:
    """Yield a ``progress(stage, done, total)`` callback, or None when disabled or not a tty."""
    if not enabled or not err_console().is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console(), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
