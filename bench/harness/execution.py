"""The contract between the runner and any executor, defined on the harness's side.

`strategies.base.Strategy` implements it; the runner depends only on this protocol, so the harness
never imports the strategies (data flows one way: strategies depend on bench, not back).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

from bench.collectors.base import Collector
from bench.model import Meta, RawRecord, TaskSpec, Usage


def no_progress(done: int) -> None:
    """The progress callback when nobody is watching."""
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
    # The cyclic garbage collector while tasks run: on, as in the user's program (the harness's
    # own long-lived objects frozen first, so it never walks them), or off (timeit's convention).
    gc: bool = True
    progress: Callable[[int], None] = no_progress

    @property
    def supervised(self) -> bool:
        """Deadlines need a watcher polling the running tasks; without them nothing polls."""
        return self.task_timeout_s is not None or self.run_timeout_s is not None


DEADLINES: Final = {"task": "--task-timeout", "run": "--run-timeout"}
# The collector faces a strategy can call: `collect` (sync), `acollect` (async), or `fetch` on
# the loop then `compute` elsewhere (phased: a PhasedCollector).
FACES: Final = ("sync", "async", "phased")


@dataclass(frozen=True, slots=True)
class Abilities:
    """What a strategy can do, declared on its class: every check reads these, never a name.

    The defaults are the safe guess for a plugin that declares nothing: no deadlines honoured
    (the CLI then refuses --task-timeout and --run-timeout for it), its own threads only.
    """

    deadlines: frozenset[str] = frozenset()  # of DEADLINES' keys
    fixed_workers: int | None = None  # always this many workers, whatever --workers says
    processes_per_worker: int = 0  # interpreter processes started per worker
    threads_per_worker: int = 0  # OS threads started per worker (counted against ulimit -u)
    faces: frozenset[str] = frozenset({"sync"})  # of FACES: the collector faces it calls
    baseline: bool = False  # the run every speed-up is measured against (sequential)
    leaves_process: bool = False  # tasks run in other processes: the collector must pickle
    # Tasks run in other interpreters of this process (subinterpreters): it must pickle too.
    leaves_interpreter: bool = False
    cluster: bool = False  # can run on an existing cluster reached at --scheduler ADDRESS

    def __post_init__(self) -> None:
        unknown = set(self.deadlines) - set(DEADLINES)
        if unknown:
            raise ValueError(f"unknown deadlines {sorted(unknown)}; known: {sorted(DEADLINES)}")
        if not self.faces or set(self.faces) - set(FACES):
            raise ValueError(f"faces must be some of {sorted(FACES)}, got {sorted(self.faces)}")

    def refused_deadlines(self, task_timeout: float | None, run_timeout: float | None) -> list[str]:
        """The flags given that this strategy would not honour."""
        given = {"task": task_timeout is not None, "run": run_timeout is not None}
        return [DEADLINES[k] for k, on in given.items() if on and k not in self.deadlines]


class InputRefused(Exception):
    """Raised by `start` when the user's input (a scheduler address, say) makes the strategy
    unable to start: the run stops with this one line and exit 2."""


class StrategyAborted(Exception):
    """The executor broke (a worker died, a deadline passed): the run is `aborted`."""


# The one wording of a run deadline reached, whichever strategy noticed it (the reason field and
# the terminal say it; tests match it).
RUN_TIMEOUT_REACHED = "--run-timeout reached before every task finished"


class Strategy(ABC):
    """The one interface every executor implements (hyperfine's Executor trait, in Python).

    A strategy only schedules tasks: timing, start-up measurement, usage and records belong to
    the runner. `start` builds pools (timed as start-up), `execute` runs the plan and appends one
    raw record per task to `sink` as tasks finish (so partial results survive an abort) or keeps
    a short row per task for `deferred_records`, `stop` tears down and reports the usage of any
    worker processes. What it can do is declared in
    `abilities`, which every check reads (never the name).
    """

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
        return time.monotonic_ns()

    def start(self) -> None:  # noqa: B027  # optional hook: most strategies have nothing to build
        """Build pools and warm them up; the runner reports this time as start-up."""

    @abstractmethod
    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        """Run every task, appending one raw record per finished task to `sink` (or keeping it
        for `deferred_records`)."""

    def deferred_records(self) -> Sequence[RawRecord]:
        """Records a strategy kept short while the clock ran and builds in full only now that it
        has stopped (asyncio's at 100,000 tasks, see bench.harness.ledger); the runner adds them
        to the sink after `stop`, whatever ended the run. None by default."""
        return ()

    def abandon(self, reason: str) -> None:  # noqa: B027  # optional hook
        """After an interrupt or abort: record the tasks still running as cancelled (appending
        to the sink `execute` was given, or through the strategy's own supervisor)."""

    def stop(self, abandon: bool = False) -> Usage:
        """Tear down (without waiting for running work if `abandon`); return the usage of worker
        processes during execute (none by default)."""
        del abandon  # nothing of its own to tear down
        return Usage()

    def details(self) -> Meta:
        return {}
