"""Runs one strategy over a plan: start-up, timing, usage, and turning raw tuples into records.

The runner is handed a strategy class; it does not import the strategies (only the CLI knows them).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.errors import describe_error, exhaustion
from bench.harness import interrupts
from bench.harness.execution import InputRefused, Strategy, StrategyAborted, StrategyOptions
from bench.harness.meters import Bill, Meters, no_cpu, reset_peak_rss, unwatched
from bench.model import Meta, RawRecord, RunRecord, RunStatus, TaskRecord, TaskSpec, Usage
from bench.notes import RunNotes


class RunInterrupted(Exception):
    """Ctrl-C (or SIGTERM) arrived mid-run; `record` holds what finished before it."""

    def __init__(self, record: RunRecord) -> None:
        super().__init__(f"{record.strategy} interrupted")
        self.record = record


class StartupFailed(Exception):
    """The strategy could not start its workers: the machine ran out of something (threads,
    processes, memory, file descriptors; exit 4), or the user's input was unusable (`usage`:
    an unreachable scheduler; exit 2). Not a bug either way."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


MACHINE_LIMIT = "a machine limit: ulimit -u, -v or -n, or memory"


def _start(strategy: Strategy, begun: list[bool]) -> int:
    """Start the strategy and return its start-up time. An interrupt meanwhile waits for the start
    to finish and is raised at its end (the caller stops what was started); a failure tears down
    what was started (no workers left behind). `begun` is set once start() has been called."""
    begin = strategy.clock()
    try:
        # An interrupt waits for the start to finish: raised inside an import (dask's, numpy's)
        # it would leave a module half-imported and the reports unable to render. A second
        # Ctrl-C still exits at once.
        with interrupts.deferred():
            begun.append(True)
            strategy.start()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        strategy.stop(abandon=True)
        if isinstance(exc, InputRefused):
            raise StartupFailed(str(exc), usage=True) from exc
        cause = exhaustion(exc)
        if cause is not None:
            raise StartupFailed(
                f"{strategy.name}: could not start {strategy.workers} workers: "
                f"{describe_error(cause)} ({MACHINE_LIMIT})"
            ) from exc
        raise
    return strategy.clock() - begin


def _interrupted_start(
    strategy: Strategy,
    plan: Sequence[TaskSpec],
    options: StrategyOptions,
    on_interrupt: Callable[[], None],
    begin: int,
    begun: bool,
) -> RunInterrupted:
    """The timed region never began: stop what the start built, every task `not_run`."""
    if begun:
        strategy.stop(abandon=True)
    on_interrupt()
    startup = strategy.clock() - begin
    record = interrupted_at_start(strategy.name, strategy.workers, plan, options.cores, startup)
    return RunInterrupted(record)


def interrupted_at_start(
    name: str, workers: int, plan: Sequence[TaskSpec], cores: int, startup_ns: int = 0
) -> RunRecord:
    """The record of a run interrupted before its first task: every task `not_run`."""
    return RunRecord(
        name,
        workers,
        "interrupted",
        0,
        startup_ns,
        build_tasks(plan, [], 0),
        reason="interrupted during start-up",
        cores=cores,
    )


def build_tasks(
    plan: Sequence[TaskSpec], raws: Sequence[RawRecord], t0_ns: int
) -> tuple[TaskRecord, ...]:
    """One record per planned task: what the workers reported, `not_run` for the rest."""
    by_index = {raw.task_index: raw for raw in raws}
    return tuple(
        TaskRecord.from_raw(by_index[spec.index], spec, t0_ns)
        if spec.index in by_index
        else TaskRecord.not_run(spec)
        for spec in plan
    )


def _ignore() -> None:
    pass


@dataclass
class _Timed:
    """What execute() left behind: the records, how it ended, the clock and the parent's bill."""

    sink: list[RawRecord]
    status: RunStatus = "completed"
    reason: str | None = None
    interrupt: KeyboardInterrupt | None = None
    t0: int = 0
    t1: int = 0
    bill: Bill = field(default_factory=lambda: Bill(Usage(), 0.0, None))
    meter: Callable[[], Bill] | None = None  # reads the meters again: the region's bill
    record: RunRecord | None = None  # once the run is wound up (torn down, its record built)


def run_strategy(
    make: type[Strategy],
    plan: Sequence[TaskSpec],
    options: StrategyOptions,
    on_interrupt: Callable[[], None] = _ignore,
    watch: Callable[[], Usage | None] | None = None,
    harness_cpu: Callable[[], float] | None = None,
) -> RunRecord:
    """Run one strategy over the plan. Task failures are data; an abort (broken pool, run
    deadline) gives an `aborted` record; an interrupt raises RunInterrupted carrying the partial
    record, after `on_interrupt` (the CLI lets a second Ctrl-C through at once). `watch` reads
    another process's usage (the mock server's), recorded over the timed region as `server`.
    `harness_cpu` reads the CPU seconds of the harness's own threads in this process (the
    progress display): what they spend over the timed region is not charged to the strategy."""
    strategy = make(options)
    begin = strategy.clock()
    begun: list[bool] = []
    timed: _Timed | None = None
    # One handler from the start to the end: an interrupt is the run's wherever it lands. The
    # start and the timed region each had their own, and one that landed between the two (the
    # pool up, the first task not yet sent: peak-memory reset, meters read) escaped both: the
    # pool and its semaphores were left behind and nothing was saved (asyncio+processes, 1 in
    # about 200 interrupts at start-up on a loaded machine).
    try:
        startup = _start(strategy, begun)
        peak_reset = reset_peak_rss()
        meters = Meters(watch or unwatched, harness_cpu or no_cpu)
        timed = _execute(strategy, plan, options, on_interrupt, meters)
        record = _wind_up(strategy, plan, options, timed, startup, peak_reset)
    except KeyboardInterrupt as exc:
        if timed is None:  # the timed region never began (_execute takes every one inside it)
            raise _interrupted_start(
                strategy, plan, options, on_interrupt, begin, bool(begun)
            ) from exc
        # Arrived as the run was wound up: the run itself is whole. Copies of an interrupt
        # already raised are not raised again, so the wind-up now runs to its end.
        on_interrupt()
        timed.interrupt = timed.interrupt or exc
        record = timed.record or _wind_up(strategy, plan, options, timed, startup, peak_reset)
    if timed.interrupt is not None:
        raise RunInterrupted(record) from timed.interrupt
    return record


def _wind_up(
    strategy: Strategy,
    plan: Sequence[TaskSpec],
    options: StrategyOptions,
    timed: _Timed,
    startup: int,
    peak_reset: bool,
) -> RunRecord:
    """Tear down and build the record, whole: an interrupt meanwhile is raised at the end."""
    # A pool's teardown runs finalizers; an interrupt raised inside one would be dropped.
    with interrupts.deferred():
        children, details = _teardown(strategy, timed)
        timed.record = RunRecord(
            strategy=strategy.name,
            workers=strategy.workers,
            status=timed.status,
            wall_ns=timed.t1 - timed.t0,
            startup_ns=startup,
            tasks=build_tasks(plan, timed.sink, timed.t0),
            parent=timed.bill.parent,
            children=children,
            server=timed.bill.server,
            details={**details, **_notes(strategy, options, peak_reset, timed.bill)},
            reason=timed.reason,
            cores=options.cores,
        )
    return timed.record


def _execute(
    strategy: Strategy,
    plan: Sequence[TaskSpec],
    options: StrategyOptions,
    on_interrupt: Callable[[], None],
    meters: Meters,
) -> _Timed:
    """The timed region. Every interrupt from its first line on is the run's: none escapes."""
    timed = _Timed([])
    try:
        timed.t0 = strategy.clock()  # a start, should the collection below be interrupted
        try:
            # Collect now and freeze what survives, so the collector does not walk (and time
            # does not count) the harness's own long-lived objects while tasks run. It stays
            # on, as in the user's program (at 100,000 live asyncio tasks its walks are about
            # half of asyncio's cost per task); `--gc off` turns it off, as timeit does, and
            # collects right after.
            gc.collect()
            gc.freeze()
            if not options.gc:
                gc.disable()
            timed.meter = meters.start()  # after the collection: it is not billed
            timed.t0 = strategy.clock()
            strategy.execute(plan, timed.sink)
        except StrategyAborted as exc:
            timed.status, timed.reason = "aborted", str(exc)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            cause = exhaustion(exc)  # a strategy that starts threads as it goes (thread-per-task)
            if cause is None:
                strategy.stop(abandon=True)  # an internal error: do not leave workers behind
                raise
            timed.status = "aborted"
            timed.reason = f"the machine ran out mid-run: {describe_error(cause)} ({MACHINE_LIMIT})"
    except KeyboardInterrupt as exc:  # in the region, or in a handler above
        on_interrupt()
        timed.interrupt = exc
        if timed.status == "completed":
            timed.status, timed.reason = "interrupted", "interrupted by a signal"
    finally:
        try:
            _close_region(strategy, options, timed)
        except KeyboardInterrupt as exc:  # the first one, as the region closed
            on_interrupt()
            timed.interrupt = timed.interrupt or exc
            _close_region(strategy, options, timed)  # whole now: its copies are not raised
    return timed


def _close_region(strategy: Strategy, options: StrategyOptions, timed: _Timed) -> None:
    """The clock, the collector's state and the bill at the region's end (safe to repeat)."""
    timed.t1 = strategy.clock()
    if not options.gc:
        gc.enable()
    gc.unfreeze()
    if timed.meter is not None:
        timed.bill = timed.meter()


def _notes(strategy: Strategy, options: StrategyOptions, peak_reset: bool, bill: Bill) -> Meta:
    drawn = {"display_cpu_seconds": round(bill.harness_s, 6)} if bill.harness_s else {}
    gc_state = "on" if options.gc else "off"
    return {
        "peak_rss_reset": peak_reset,
        "gc": gc_state,
        **RunNotes.note(baseline=strategy.abilities.baseline),
        **drawn,
    }


def _teardown(strategy: Strategy, timed: _Timed) -> tuple[Usage, Meta]:
    if timed.status != "completed":
        strategy.abandon(f"{timed.status}: {timed.reason}")
    try:
        children = strategy.stop(abandon=timed.status != "completed")
    finally:
        # After stop: a task that closing the loop cancels still records itself.
        timed.sink.extend(strategy.deferred_records())
    details = strategy.details()
    gc.collect()  # the pool's cycles go now, inside the deferred block, not at a random moment
    return children, details
