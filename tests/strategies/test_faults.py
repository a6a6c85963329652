"""Injected faults, under every strategy: each task ends exactly once, nothing is lost, the run
goes on. Statuses and counts are asserted, never durations beyond one-sided bounds."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

import strategies
from bench.analysis import stats
from bench.collectors import faults
from bench.collectors.base import BlockingSleepCollector
from bench.model import RunRecord, TaskSpec
from tests.conftest import run
from tests.crafted_collectors import BusyThenBlocks, SpinsOnTheLoop, UnpicklableFailure


def faulty_plan(
    count: int, latency_s: float, fault: str, at: Sequence[int]
) -> tuple[TaskSpec, ...]:
    return tuple(
        TaskSpec(i, f"S{i:03d}", round(latency_s * 1e9), fault if i in at else None)
        for i in range(count)
    )


def assert_nothing_lost(record: RunRecord, count: int) -> None:
    assert [t.index for t in record.tasks] == list(range(count))
    for t in record.tasks:
        if t.status == "ok":
            assert t.error is None and t.finished_ns is not None


def test_an_exception_fails_only_its_task(strategy_name: str) -> None:
    record = run(strategy_name, faulty_plan(6, 0.02, "exception", [2]), workers=3)
    assert record.status == "completed"
    assert_nothing_lost(record, 6)
    assert [t.status for t in record.tasks] == ["ok", "ok", "error", "ok", "ok", "ok"]
    assert record.tasks[2].error == "InjectedError: injected failure collecting S002"


def test_a_collector_timeout_is_recorded_as_timeout(strategy_name: str) -> None:
    record = run(strategy_name, faulty_plan(4, 0.02, "timeout", [0, 3]), workers=2)
    assert [t.status for t in record.tasks] == ["timeout", "ok", "ok", "timeout"]


def _deadlines_supported(strategy: str) -> None:
    if not strategies.get(strategy).abilities.deadlines:
        pytest.skip(
            f"{strategy} declares no deadlines; the CLI refuses --task-timeout and "
            "--run-timeout with it"
        )


def test_a_hung_task_becomes_timeout_and_the_run_goes_on(
    strategy_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deadlines_supported(strategy_name)
    # Hang "only" 2 s in-process, so a leaked thread ends before the test session does.
    monkeypatch.setattr(faults, "HANG_SECONDS", 2.0)
    plan = faulty_plan(6, 0.02, "hang", [1])
    record = run(strategy_name, plan, workers=2, task_timeout_s=0.2)
    assert record.status == "completed"
    assert_nothing_lost(record, 6)
    statuses = [t.status for t in record.tasks]
    assert statuses == ["ok", "timeout", "ok", "ok", "ok", "ok"]
    hung = record.tasks[1]
    # One-sided: the deadline, never before it (less 1 ms: uvloop's timers are whole ms).
    assert hung.duration_ns >= 199_000_000
    if "abandoned_threads" in record.details:  # threads cannot be killed: one was given up on
        assert record.details["abandoned_threads"] == 1


def test_the_run_deadline_always_ends_the_run(
    strategy_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deadlines_supported(strategy_name)
    monkeypatch.setattr(faults, "HANG_SECONDS", 2.0)
    plan = faulty_plan(6, 0.02, "hang", [0, 1, 2, 3, 4, 5])
    record = run(strategy_name, plan, workers=2, run_timeout_s=0.3)
    assert record.status == "aborted"
    assert "--run-timeout" in (record.reason or "")
    assert_nothing_lost(record, 6)
    cancelled = [t for t in record.tasks if t.status == "cancelled"]
    assert len(cancelled) == record.workers  # the ones running when the deadline came
    assert all(t.status in ("cancelled", "not_run") for t in record.tasks)


def test_a_dead_worker_aborts_the_process_run_and_keeps_what_finished() -> None:
    plan = faulty_plan(8, 0.05, "crash", [3])
    record = run("processes", plan, workers=2)
    assert record.status == "aborted"
    assert "exited with code 70" in (record.reason or "")
    assert_nothing_lost(record, 8)
    crashed = record.tasks[3]
    assert crashed.status == "error" and "exited with code 70" in (crashed.error or "")
    assert sum(t.status == "ok" for t in record.tasks) >= 2  # the first wave finished
    assert {t.status for t in record.tasks} <= {"ok", "error", "cancelled", "not_run"}


def test_crash_in_process_strategies_is_an_error_not_a_dead_harness() -> None:
    record = run("threads", faulty_plan(4, 0.01, "crash", [1]), workers=2)
    assert record.tasks[1].status == "error"
    assert "only process-pool workers" in (record.tasks[1].error or "")


def test_unpicklable_exceptions_and_results_do_not_break_the_pool() -> None:
    plan = tuple(TaskSpec(i, f"S{i}", 10_000_000) for i in range(6))
    record = run("processes", plan, workers=2, collector=UnpicklableFailure())
    assert record.status == "completed"
    assert record.tasks[1].status == "error"
    assert record.tasks[1].error == "TwoArgError: S1 failed with 42"
    assert all(t.status == "ok" for t in record.tasks if t.index != 1)


def test_a_blocking_call_in_a_coroutine_serialises_and_is_reported() -> None:
    plan = tuple(TaskSpec(i, f"S{i}", 150_000_000) for i in range(4))
    record = run("asyncio", plan, workers=4, collector=BlockingSleepCollector())
    assert stats.peak_overlap(record.tasks) == 1  # one after another on the one thread
    assert isinstance(record.details["loop_blocked"], int) and record.details["loop_blocked"] >= 1
    assert record.details["loop_blocked_busy"] == 0  # the loop's thread waited in time.sleep


def test_cpu_work_holding_the_loop_is_told_apart_from_a_call_that_waits() -> None:
    plan = tuple(TaskSpec(i, f"S{i}", 0) for i in range(3))
    record = run("asyncio", plan, workers=3, collector=SpinsOnTheLoop())
    blocked = record.details["loop_blocked"]
    assert isinstance(blocked, int) and blocked >= 1
    assert record.details["loop_blocked_busy"] == blocked  # computing, not waiting


def test_a_busy_loop_that_then_waits_is_held_by_the_wait() -> None:
    plan = tuple(TaskSpec(i, f"S{i}", 0) for i in range(2))
    record = run("asyncio", plan, workers=2, collector=BusyThenBlocks())
    blocked = record.details["loop_blocked"]
    assert isinstance(blocked, int) and blocked >= 1  # the 300 ms sleep (and, under load, maybe
    assert record.details["loop_blocked_busy"] == 0  # a preempted slice): none by computing


def test_workers_are_never_the_harness() -> None:
    record = run("processes", faulty_plan(2, 0.01, "exception", []), workers=2)
    assert os.getpid() not in stats.distinct_pids(record.tasks)
