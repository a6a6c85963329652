"""The one interface every executor implements (hyperfine's Executor trait, in Python).

A strategy only schedules tasks: timing, start-up measurement, usage and records belong to the
runner. `start` builds pools (timed as start-up), `execute` runs the plan and appends one raw
record per task to `sink` as tasks finish (so partial results survive an abort), and `stop`
tears down and reports the usage of any worker processes.
"""

from __future__ import annotations

import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing import resource_tracker
from typing import ClassVar

from bench.harness.execution import Abilities, StrategyAborted, StrategyOptions
from bench.harness.recording import now_ns
from bench.model import Meta, RawRecord, TaskSpec, Usage

__all__ = ["Abilities", "Strategy", "StrategyAborted", "StrategyOptions", "signals_deferred"]
INTERRUPTS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Start worker processes inside this: SIGINT and SIGTERM are blocked meanwhile, and the
    workers inherit the block, so a Ctrl-C cannot reach one before its initializer has set it to
    ignore Ctrl-C (a traceback per worker). The parent receives the signal when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Launching multiprocessing's resource tracker unblocks these signals in the calling thread
    # (it blocks them only around its own spawn): have it running before the block begins.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Strategy(ABC):
    name: ClassVar[str]
    summary: ClassVar[str]
    abilities: ClassVar[Abilities] = Abilities()

    def __init__(self, options: StrategyOptions) -> None:
        self.options = options

    @property
    def workers(self) -> int:
        return self.abilities.fixed_workers or self.options.workers

    def clock(self) -> int:
        """The clock the runner times this strategy with; fakes substitute a virtual one."""
        return now_ns()

    def start(self) -> None:  # noqa: B027  # optional hook: most strategies have nothing to build
        """Build pools and warm them up; the runner reports this time as start-up."""

    @abstractmethod
    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        """Run every task, appending one raw record per finished task to `sink`."""

    def abandon(self, sink: list[RawRecord], reason: str) -> None:  # noqa: B027  # optional hook
        """After an interrupt or abort: record tasks still running as cancelled."""

    def stop(self, abandon: bool = False) -> Usage:
        """Tear down (without waiting for running work if `abandon`); return the usage of worker
        processes during execute (none by default)."""
        return Usage()

    def details(self) -> Meta:
        return {}
