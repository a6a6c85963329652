"""A test kit for strategy authors: the checks every built-in strategy passes, for yours.

As anyio ships its pytest plugin, bench ships the shared checks. Subclass `StrategyChecks` in a
test module and name your class; pytest then runs every check on it:

    from bench.testing import StrategyChecks
    from my_plugin import MyStrategy

    class TestMyStrategy(StrategyChecks):
        strategy = MyStrategy

Each check is also a plain function (`check_*`) taking the strategy class, for other runners.
Every check asserts structure, never the stopwatch: which tasks were recorded and how, the most
tasks in flight at once (from the recorded spans), queue waits, where tasks ran (pids), and the
deadlines the class declares it honours. Tasks wait 100 ms so that on a loaded 2-core machine a
wave of tasks is certainly in flight together (starting one takes well under a millisecond).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import ClassVar

from bench.analysis import stats
from bench.collectors import faults
from bench.collectors.base import SleepCollector
from bench.harness.execution import Strategy, StrategyOptions
from bench.harness.runner import run_strategy
from bench.model import RunRecord, TaskSpec

LATENCY_S = 0.1
# libuv (uvloop) keeps whole-millisecond timers on a cached loop time: a sleep may end up to
# 1 ms early there. Anything shorter than its latency by more than this was not waited for.
SLEEP_SLACK_NS = 1_000_000


def make_plan(
    count: int, latency_s: float, faults_at: Sequence[int] = (), fault: str = ""
) -> tuple[TaskSpec, ...]:
    """`count` tasks of `latency_s`; those at `faults_at` get `fault` (bench.collectors.faults)."""
    return tuple(
        TaskSpec(i, f"S{i:03d}", round(latency_s * 1e9), fault if i in faults_at else None)
        for i in range(count)
    )


def run(
    make: type[Strategy], plan: Sequence[TaskSpec], workers: int, **options: object
) -> RunRecord:
    """One run of `make` over `plan`, as the CLI does it, with the sleeping collector unless a
    `collector` is given; other options are StrategyOptions' fields."""
    collector = options.pop("collector", SleepCollector())
    opts = StrategyOptions(workers, collector, **options)  # type: ignore[arg-type]
    return run_strategy(make, plan, opts)


def _completed(record: RunRecord, count: int) -> None:
    assert record.status == "completed", record.reason
    assert [t.index for t in record.tasks] == list(range(count)), "every task, once, in order"


def check_records_every_task_once(make: type[Strategy]) -> None:
    """Every planned task is recorded once, ok, with queued <= started <= finished inside the
    wall, and its collector waited the planned latency."""
    plan = make_plan(6, 0.02)
    record = run(make, plan, workers=3)
    _completed(record, len(plan))
    assert [t.symbol for t in record.tasks] == [s.symbol for s in plan]
    for task in record.tasks:
        assert task.status == "ok", task.error
        assert task.queued_ns is not None and task.started_ns is not None
        assert task.finished_ns is not None
        assert 0 <= task.queued_ns <= task.started_ns <= task.finished_ns <= record.wall_ns
        assert task.duration_ns >= task.latency_ns - SLEEP_SLACK_NS


def check_overlap_equals_the_limit(make: type[Strategy]) -> None:
    """With more tasks than workers, exactly `workers` are in flight at once at the peak, and
    every task past the first wave waited for a slot at least one latency."""
    # A cluster hands tasks out through its scheduler: beside other jobs on 2 cores it once took
    # over 100 ms to reach its last worker, so its tasks last longer.
    latency = LATENCY_S * 5 if make.abilities.cluster else LATENCY_S
    record = run(make, make_plan(8, latency), workers=4)
    _completed(record, 8)
    assert stats.peak_overlap(record.tasks) == record.workers
    waits = sorted(t.queue_wait_ns for t in record.tasks)
    assert all(w >= latency * 1e9 - SLEEP_SLACK_NS for w in waits[record.workers :])


def check_tasks_run_where_declared(make: type[Strategy]) -> None:
    """A task (or any phase of one) runs in another process only if the class declares
    Abilities.leaves_process: the CLI checks that the collector pickles only then. (Declaring
    it is allowed without leaving: a hybrid sends only its CPU phases away, and this plan has
    none.)"""
    record = run(make, make_plan(4, 0.02), workers=2)
    _completed(record, 4)
    pids = stats.distinct_pids(record.tasks)
    if not make.abilities.leaves_process:
        assert pids == {os.getpid()}, f"tasks ran in {pids}, not declared leaves_process"


@contextmanager
def _short_hangs(seconds: float) -> Iterator[None]:
    # A hung thread cannot be killed: it must end soon after its check, not with the session.
    before, faults.HANG_SECONDS = faults.HANG_SECONDS, seconds
    try:
        yield
    finally:
        faults.HANG_SECONDS = before


def check_deadlines_as_declared(make: type[Strategy]) -> None:
    """A task deadline times out a hung task and only it; a run deadline ends a run that would
    not end, as `aborted` with its reason. Deadlines the class does not declare are not run
    (the CLI refuses those flags for it)."""
    declared = make.abilities.deadlines
    with _short_hangs(2.0):
        if "task" in declared:
            record = run(make, make_plan(3, 0.01, [1], "hang"), workers=3, task_timeout_s=0.2)
            _completed(record, 3)
            assert [t.status for t in record.tasks] == ["ok", "timeout", "ok"]
        if "run" in declared:
            record = run(make, make_plan(2, 0.01, [0], "hang"), workers=2, run_timeout_s=0.3)
            assert record.status == "aborted" and record.reason, record.status
            assert [t.index for t in record.tasks] == [0, 1] and record.tasks[0].status != "ok"


class StrategyChecks:
    """Every shared check as a test method: subclass it and set `strategy` (see the module)."""

    strategy: ClassVar[type[Strategy]]

    def test_records_every_task_once(self) -> None:
        check_records_every_task_once(self.strategy)

    def test_overlap_equals_the_limit(self) -> None:
        check_overlap_equals_the_limit(self.strategy)

    def test_tasks_run_where_declared(self) -> None:
        check_tasks_run_where_declared(self.strategy)

    def test_deadlines_as_declared(self) -> None:
        check_deadlines_as_declared(self.strategy)
