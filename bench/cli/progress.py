"""Progress while strategies run: a rich bar on a terminal, one plain line per run elsewhere.

Workers only store a count (cheap enough for the hot path); the bar reads it when it redraws.
Only rich's public API is used: a `Progress` that is never started builds the bar's table, and
our own `Live` redraws a renderable that copies the counts in first. (Subclassing `Progress`
broke on rich 15, which draws during `__init__`.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console, RenderableType
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from bench.cli.lines import is_log, say
from bench.model import RunRecord


class _Counter:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = 0

    def set(self, done: int) -> None:
        self.done = done


class _Bar:
    """One bar at a time (a sweep of 50 runs must not stack 50 finished bars)."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,
        )
        self.current: tuple[TaskID, _Counter] | None = None

    def show(self, name: str, total: int, counter: _Counter) -> None:
        if self.current is not None:
            self.progress.remove_task(self.current[0])
        self.current = (self.progress.add_task(name, total=total), counter)

    def __rich__(self) -> RenderableType:
        if self.current is not None:
            task_id, counter = self.current
            self.progress.update(task_id, completed=counter.done)
        return self.progress.make_tasks_table(self.progress.tasks)


class RunProgress:
    def __init__(self, console: Console, total: int, bar: _Bar | None) -> None:
        self._console, self._total, self._bar = console, total, bar
        self._current: _Counter | None = None

    def begin(self, name: str, total: int | None = None) -> Callable[[int], None]:
        counter = _Counter()
        if self._bar is not None:
            self._bar.show(name, total or self._total, counter)
            self._current = counter
        return counter.set

    def end(self, run: RunRecord, note: str = "") -> None:
        ran = sum(t.ran for t in run.tasks)
        finished = sum(t.status in ("ok", "error", "timeout") for t in run.tasks)
        if self._current is not None:
            self._current.done = ran
        say(
            self._console,
            f"{run.strategy}: {run.status}, {finished}/{len(run.tasks)} tasks finished in "
            f"{run.wall_ns / 1e9:.2f} s (start-up {run.startup_ns / 1e9:.3f} s){note}",
            highlight=False,
        )


def live_allowed(console: Console) -> bool:
    """Animate only for a person at a terminal (CI logs would fill with redraws)."""
    return not is_log(console)


@contextmanager
def make_progress(stream: TextIO, total: int) -> Iterator[RunProgress]:
    console = Console(file=stream, highlight=False)
    if not live_allowed(console):
        yield RunProgress(console, total, None)
        return
    bar = _Bar(console)
    with Live(bar, console=console, transient=True, refresh_per_second=10):
        yield RunProgress(console, total, bar)
