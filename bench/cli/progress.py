"""Progress while strategies run: a rich bar on a terminal, one plain line per run elsewhere.

Workers only store a count (cheap enough for the hot path); the bar reads it when it redraws.
Only rich's public API is used: a `Progress` that is never started builds the bar's table, and
our own `Live` redraws a renderable that copies the counts in first. (Subclassing `Progress`
broke on rich 15, which draws during `__init__`.)
"""

from __future__ import annotations

import contextlib
import threading
import time
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


class _Redraws(threading.Thread):
    """Redraws the bar ten times a second on a thread of our own, so the runner can read what
    the drawing cost (its CPU clock) and keep it out of the strategy's bill: about 16 ms of CPU
    a second, which a sleeping strategy's own work is a small fraction of."""

    def __init__(self, live: Live) -> None:
        super().__init__(name="bench-progress", daemon=True)
        self._live, self._done = live, threading.Event()
        self._spent = 0.0

    def run(self) -> None:
        while not self._done.wait(0.1):
            self._live.refresh()

    def cpu_seconds(self) -> float:
        if self.ident is not None and self.is_alive():
            # The thread may end between the check and the read: keep the last reading.
            with contextlib.suppress(OSError):
                self._spent = time.clock_gettime(time.pthread_getcpuclockid(self.ident))
        return self._spent

    def stop(self) -> None:
        self._done.set()
        self.join()


class RunProgress:
    def __init__(
        self, console: Console, total: int, bar: _Bar | None, redraws: _Redraws | None = None
    ) -> None:
        self._console, self._total, self._bar = console, total, bar
        self._current: _Counter | None = None
        self._redraws = redraws

    def cpu_seconds(self) -> float:
        """CPU the display has used so far (0 when there is none): the harness's, not the
        strategy's."""
        return 0.0 if self._redraws is None else self._redraws.cpu_seconds()

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
    with Live(bar, console=console, transient=True, auto_refresh=False) as live:
        redraws = _Redraws(live)
        redraws.start()
        try:
            yield RunProgress(console, total, bar, redraws)
        finally:
            redraws.stop()
