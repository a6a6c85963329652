"""Runs one strategy over a plan: start-up, timing, usage, and turning raw tuples into records.

The runner is handed a strategy class; it does not import the strategies (only the CLI knows them).
"""

from __future__ import annotations

import errno
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.errors import describe_error
from bench.harness import interrupts
from bench.harness.execution import InputRefused, Strategy, StrategyAborted, StrategyOptions
from bench.harness.meters import Bill, Meters, no_cpu, reset_peak_rss, unwatched
from bench.model import Meta, RawRecord, RunRecord, RunStatus, TaskRecord, TaskSpec, Usage


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


# What running out of a resource looks like when a pool starts: "can't start new thread" is a
# RuntimeError, a failed fork an OSError (EAGAIN, ENOMEM), too many files EMFILE/ENFILE.
_EXHAUSTED_ERRNOS = {errno.EAGAIN, errno.ENOMEM, errno.EMFILE, errno.ENFILE}


def exhaustion(exc: BaseException | None) -> BaseException | None:
    """The running out of something, here or anywhere down the chain ("Nanny failed to start."
    is dask's wrapping of "can't start new thread"), or None."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, MemoryError):
            return exc
        if isinstance(exc, OSError) and exc.errno in _EXHAUSTED_ERRNOS:
            return exc
        if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


MACHINE_LIMIT = "a machine limit: ulimit -u, -v or -n, or memory"


def _start(
    strategy: Strategy,
    plan: Sequence[TaskSpec],
    options: StrategyOptions,
    on_interrupt: Callable[[], None],
) -> int:
    """Start the strategy and return its start-up time; an interrupt or a failure meanwhile
    tears down what was started (no workers left behind)."""
    begin = strategy.clock()
    try:
        # An interrupt waits for the start to finish: raised inside an import (dask's, numpy's)
        # it would leave a module half-imported and the reports unable to render. A second
        # Ctrl-C still exits at once.
        with interrupts.deferred():
            strategy.start()
    except KeyboardInterrupt as exc:
        strategy.stop(abandon=True)
        on_interrupt()
        record = RunRecord(
            strategy.name,
            strategy.workers,
            "interrupted",
            0,
            strategy.clock() - begin,
            build_tasks(plan, [], 0),
            reason="interrupted during start-up",
            cores=options.cores,
        )
        raise RunInterrupted(record) from exc
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
    startup = _start(strategy, plan, options, on_interrupt)
    peak_reset = reset_peak_rss()
    meters = Meters(watch or unwatched, harness_cpu or no_cpu)
    timed = _execute(strategy, plan, options, on_interrupt, meters)
    late: KeyboardInterrupt | None = None
    children: Usage = Usage()
    details: Meta = {}
    try:
        # A pool's teardown runs finalizers; an interrupt raised inside one would be dropped.
        with interrupts.deferred():
            children, details = _teardown(strategy, timed)
    except KeyboardInterrupt as exc:  # arrived during the teardown: the run itself is whole
        on_interrupt()
        late = exc
    record = RunRecord(
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
    interrupt = timed.interrupt or late
    if interrupt is not None:
        raise RunInterrupted(record) from interrupt
    return record


def _execute(
    strategy: Strategy,
    plan: Sequence[TaskSpec],
    options: StrategyOptions,
    on_interrupt: Callable[[], None],
    meters: Meters,
) -> _Timed:
    timed = _Timed([], t0=strategy.clock())
    bill = meters.start()  # read again below, once collected: the collection is not billed
    # Everything from here is inside the try: an interrupt between the start and the first task
    # (a long gc.collect) once left the pool running and saved nothing.
    try:
        # Collect now and freeze what survives, so the collector does not walk (and time does
        # not count) the harness's own long-lived objects while tasks run. It stays on, as in
        # the user's program (at 100,000 live asyncio tasks its walks are about half of
        # asyncio's cost per task); `--gc off` turns it off, as timeit does, and collects
        # right after.
        gc.collect()
        gc.freeze()
        if not options.gc:
            gc.disable()
        bill = meters.start()
        timed.t0 = strategy.clock()
        strategy.execute(plan, timed.sink)
    except StrategyAborted as exc:
        timed.status, timed.reason = "aborted", str(exc)
    except KeyboardInterrupt as exc:
        on_interrupt()
        timed.status, timed.reason, timed.interrupt = "interrupted", "interrupted by a signal", exc
    except BaseException as exc:
        cause = exhaustion(exc)  # a strategy that starts threads as it goes (thread-per-task)
        if cause is None:
            strategy.stop(abandon=True)  # an internal error: do not leave workers behind
            raise
        timed.status = "aborted"
        timed.reason = f"the machine ran out mid-run: {describe_error(cause)} ({MACHINE_LIMIT})"
    finally:
        timed.t1 = strategy.clock()
        if not options.gc:
            gc.enable()
        gc.unfreeze()
        timed.bill = bill()
    return timed


def _notes(strategy: Strategy, options: StrategyOptions, peak_reset: bool, bill: Bill) -> Meta:
    drawn = {"display_cpu_seconds": round(bill.harness_s, 6)} if bill.harness_s else {}
    gc_state = "on" if options.gc else "off"
    return {
        "peak_rss_reset": peak_reset,
        "gc": gc_state,
        "baseline": strategy.abilities.baseline,
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
