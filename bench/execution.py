"""The contract between the runner and any executor, defined on the harness's side.

`strategies.base.Strategy` implements it; the runner depends only on this protocol, so the harness
never imports the strategies (data flows one way: strategies depend on bench, not back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bench.collector import Collector
from bench.model import Meta, RawRecord, TaskSpec, Usage


def _no_progress(done: int) -> None:
    del done


@dataclass(frozen=True, slots=True)
class StrategyOptions:
    workers: int
    collector: Collector
    log: bool = False
    start_method: str = "forkserver"
    chunksize: int = 1
    task_timeout_s: float | None = None
    run_timeout_s: float | None = None
    cores: int = 0  # usable CPUs when the plan has CPU work (bounds the ideal); 0 otherwise
    # asyncio: a heartbeat that notices a blocked loop. It wakes the loop itself, so the demo
    # turns it off where it counts context switches (the harness must not be what it measures).
    watch_loop: bool = True
    scheduler: str | None = None  # dask: an existing cluster's address (None: a LocalCluster)
    progress: Callable[[int], None] = _no_progress

    @property
    def supervised(self) -> bool:
        """Deadlines need a watcher polling the running tasks; without them nothing polls."""
        return self.task_timeout_s is not None or self.run_timeout_s is not None


class StrategyAborted(Exception):
    """The executor broke (a worker died, a deadline passed): the run is `aborted`."""


class Executor(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def workers(self) -> int: ...

    def clock(self) -> int: ...

    def start(self) -> None: ...

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None: ...

    def abandon(self, sink: list[RawRecord], reason: str) -> None: ...

    def stop(self, abandon: bool = False) -> Usage: ...

    def details(self) -> Meta: ...
