"""The asyncio strategy's leanest recording (bench.harness.ledger): the same records as the full
path, made once the clock has stopped, kept through interrupts, HTTP details included."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

import strategies
from bench.collectors.base import SleepCollector
from bench.harness.execution import Strategy, StrategyOptions
from bench.harness.runner import RunInterrupted, run_strategy
from bench.model import RawRecord, RunRecord, TaskSpec, TaskStatus, Usage
from tests.conftest import run
from tests.strategies.test_faults import faulty_plan
from tests.terminal import ROOT


def test_a_run_with_room_for_every_task_keeps_rows_until_the_clock_stops() -> None:
    plan = faulty_plan(5, 0.0, "exception", [1])
    strategy = strategies.get("asyncio")(StrategyOptions(5, SleepCollector()))
    strategy.start()
    sink: list[RawRecord] = []
    try:
        strategy.execute(plan, sink)
        assert sink == []  # nothing built while the clock ran
        records = strategy.deferred_records()
    finally:
        strategy.stop()
    assert sorted(r.task_index for r in records) == [0, 1, 2, 3, 4]
    assert strategy.deferred_records() == []  # handed over once


def _same_but_time(lean: RunRecord, full: RunRecord) -> None:
    for a, b in zip(lean.tasks, full.tasks, strict=True):
        assert (a.index, a.status, a.error, a.pid, a.thread_id, a.thread_name) == (
            b.index, b.status, b.error, b.pid, b.thread_id, b.thread_name,
        )  # fmt: skip


@pytest.mark.parametrize("fault", ["exception", "timeout"])
def test_the_lean_and_the_full_path_record_the_same(fault: str) -> None:
    plan = faulty_plan(6, 0.01, fault, [1, 4])
    lean = run("asyncio", plan, workers=6)  # room for every task: no semaphore, the ledger
    full = run("asyncio", plan, workers=5)  # a semaphore: recording.run_async
    _same_but_time(lean, full)
    assert len({t.queued_ns for t in lean.tasks}) == 1  # all queued when the plan was released
    names = [t.task_name for t in lean.tasks]
    assert all(name and name.startswith("Task-") for name in names)
    assert len(set(names)) == 6  # each task's own asyncio name


class RecordsWhenStopped(Strategy):
    """Hands its records over only once stopped, as a loop's close may still cancel a task."""

    name = "records-when-stopped"
    summary = "a fake"

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        del sink  # everything is deferred
        self.plan, self.stopped = tasks, False

    def stop(self, abandon: bool = False) -> Usage:
        del abandon
        self.stopped = True
        return Usage()

    def deferred_records(self) -> list[RawRecord]:
        error = None if self.stopped else "read before stop()"
        status: TaskStatus = "ok" if self.stopped else "error"
        return [RawRecord(s.index, status, 0, 1, 2, 1, 1, "t", None, error) for s in self.plan]


def test_the_runner_reads_deferred_records_after_stop() -> None:
    plan = faulty_plan(3, 0.0, "none", [])
    record = run_strategy(RecordsWhenStopped, plan, StrategyOptions(3, SleepCollector()))
    assert [(t.status, t.error) for t in record.tasks] == [("ok", None)] * 3


@dataclass(frozen=True)
class Answer:
    attempts: int
    http_status: int
    retried: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AnswersLikeHttp(SleepCollector):
    async def acollect(self, spec: TaskSpec) -> object:
        await asyncio.sleep(0)
        return Answer(spec.index + 1, 200, (429,) * spec.index)


def test_http_details_reach_the_record() -> None:
    record = run("asyncio", faulty_plan(3, 0.0, "none", []), workers=3, collector=AnswersLikeHttp())
    assert [(t.attempts, t.http_status, t.retried) for t in record.tasks] == [
        (1, 200, ()),
        (2, 200, (429,)),
        (3, 200, (429, 429)),
    ]


@dataclass(frozen=True, slots=True)
class InterruptsAtTwo(SleepCollector):
    """Task 2 takes a Ctrl-C (raised in it, as a signal handler would); the others hang."""

    async def acollect(self, spec: TaskSpec) -> object:
        await asyncio.sleep(0.01 if spec.index == 2 else 60)
        raise KeyboardInterrupt


def interrupted_statuses() -> list[str]:
    with pytest.raises(RunInterrupted) as caught:
        run("asyncio", faulty_plan(6, 0.0, "none", []), workers=6, collector=InterruptsAtTwo())
    record = caught.value.record
    assert record.status == "interrupted"
    assert all(t.task_name and t.started_ns is not None for t in record.tasks)
    return [t.status for t in record.tasks]


def test_rows_survive_an_interrupt() -> None:
    # In a child: a KeyboardInterrupt through pytest's own frames left CPython 3.11's parser
    # with a wrong recursion depth ("AST constructor recursion depth mismatch" at exit).
    child = [sys.executable, "-W", "error", "-m", "tests.harness.test_ledger"]
    done = subprocess.run(child, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["cancelled"] * 6  # every task was running


if __name__ == "__main__":
    print(json.dumps(interrupted_statuses()))
