"""Progress while strategies run: a rich bar on a terminal, one plain line per run elsewhere.

Workers only store a count (cheap enough for the hot path); the bar reads it when it redraws.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from bench.model import RunRecord


class _Counter:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = 0

    def set(self, done: int) -> None:
        self.done = done


class _PullProgress(Progress):
    """A Progress that reads task counts from counters when it redraws (no per-task calls)."""

    counters: dict[TaskID, _Counter]

    def get_renderable(self) -> RenderableType:
        for task_id, counter in list(self.counters.items()):
            self.update(task_id, completed=counter.done)
        return super().get_renderable()


class RunProgress:
    def __init__(self, console: Console, total: int, live: bool) -> None:
        self._console, self._total, self._live = console, total, live
        self._bar: _PullProgress | None = None
        self._current: _Counter | None = None
        if live:
            self._bar = _PullProgress(
                TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=console, transient=True,
            )  # fmt: skip
            self._bar.counters = {}

    def begin(self, name: str, total: int | None = None) -> Callable[[int], None]:
        counter = _Counter()
        if self._bar is not None:
            # One bar at a time: a sweep of 50 runs must not stack 50 finished bars.
            for old in list(self._bar.counters):
                self._bar.remove_task(old)
                del self._bar.counters[old]
            task_id = self._bar.add_task(name, total=total or self._total)
            self._bar.counters[task_id] = counter
            self._current = counter
        return counter.set

    def end(self, run: RunRecord, note: str = "") -> None:
        ran = sum(t.ran for t in run.tasks)
        if self._current is not None:
            self._current.done = ran
        self._console.print(
            f"{run.strategy}: {run.status}, {ran}/{len(run.tasks)} tasks in "
            f"{run.wall_ns / 1e9:.2f} s (start-up {run.startup_ns / 1e9:.3f} s){note}",
            highlight=False,
            soft_wrap=True,
        )


@contextmanager
def make_progress(stream: TextIO, total: int) -> Iterator[RunProgress]:
    console = Console(file=stream, highlight=False)
    live = console.is_terminal and not os.environ.get("CI")
    progress = RunProgress(console, total, live)
    if progress._bar is None:
        yield progress
        return
    with progress._bar:
        yield progress
