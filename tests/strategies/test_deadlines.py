"""Every documented deadline ends the run, whatever hangs and however many hang.

Hangs are "only" 2 s in-process (HANG_SECONDS patched), so an abandoned thread ends before the
test session does. Durations are never asserted beyond one-sided bounds.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

import strategies
from bench.analysis import stats
from bench.cli.app import main
from bench.collectors import faults
from bench.collectors.base import BlockingSleepCollector, SleepCollector
from bench.harness.execution import StrategyOptions
from bench.model import TaskSpec
from strategies._host.procpool import WorkerPool
from tests.conftest import make_plan, run
from tests.crafted_collectors import KillsItsWorker
from tests.strategies.test_faults import assert_nothing_lost, faulty_plan


def _honours(name: str, deadline: str) -> None:
    if deadline not in strategies.get(name).abilities.deadlines:
        pytest.skip(f"{name} declares no {deadline} deadline; the CLI refuses it (tested below)")


@pytest.fixture(autouse=True)
def _short_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faults, "HANG_SECONDS", 2.0)


@pytest.mark.parametrize(
    ("count", "workers", "hung"),
    [(2, 1, [0, 1]), (6, 3, [0, 2, 3, 5]), (5, 2, [1]), (4, 4, [0, 1, 2, 3])],
    ids=["all-hung-1-worker", "more-hung-than-workers", "fewer-hung", "every-worker-hung"],
)
def test_hung_tasks_time_out_however_many_hang(
    strategy_name: str, count: int, workers: int, hung: Sequence[int]
) -> None:
    _honours(strategy_name, "task")
    record = run(strategy_name, faulty_plan(count, 0.01, "hang", hung), workers, task_timeout_s=0.2)
    assert_nothing_lost(record, count)
    assert record.status == "completed", record.reason
    assert [t.index for t in record.tasks if t.status == "timeout"] == list(hung)
    assert all(t.status == "ok" for t in record.tasks if t.index not in hung)
    if "pool_restarts" in record.details and len(hung) > record.workers:
        # A process, unlike a thread, can be killed: every worker stuck, the pool is replaced.
        assert isinstance(record.details["pool_restarts"], int)
        assert record.details["pool_restarts"] >= 1


def test_an_overrun_that_finishes_keeps_the_width_and_is_not_leaked() -> None:
    """Tasks that overrun the deadline but do finish: at most `workers` tasks in progress, and a
    thread counts as leaked only while it is still running."""
    # Three waves of two under a 0.2 s deadline: the first two waves overrun by 0.1 s and end
    # 0.1 s before the run does (after the third wave's deadline); the third runs on for 0.8 s.
    # Margins of 100 ms each way keep this exact on a loaded machine.
    latencies = [300_000_000] * 4 + [1_000_000_000] * 2
    plan = tuple(TaskSpec(i, f"S{i}", ns) for i, ns in enumerate(latencies))
    before = set(threading.enumerate())
    record = run("threads", plan, workers=2, task_timeout_s=0.2)
    assert [t.status for t in record.tasks] == ["timeout"] * 6
    assert stats.peak_overlap(record.tasks) <= 2
    assert record.details["abandoned_threads"] == 6
    assert record.details["leaked_threads"] == 2  # the finished waves are not counted
    deadline = time.monotonic() + 5  # generous: the last calls end 0.8 s after the run
    while _new_workers(before) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _new_workers(before), "abandoned threads must leave once their call ends"


def _new_workers(before: set[threading.Thread]) -> list[str]:
    return [t.name for t in threading.enumerate() if t not in before and "bench-worker" in t.name]


@pytest.mark.parametrize("name", ["asyncio", "asyncio-workers", "asyncio-uvloop", "trio"])
def test_a_blocked_loop_cannot_outlive_the_task_deadline(name: str) -> None:
    if not strategies.available(name):
        pytest.skip(f"{name}: its optional extra is not installed")
    plan = faulty_plan(3, 0.01, "hang", [0, 2])
    record = run(name, plan, workers=3, task_timeout_s=0.2, collector=BlockingSleepCollector())
    assert record.status == "completed"
    assert [t.status for t in record.tasks] == ["timeout", "ok", "timeout"]
    assert "blocking the event loop" in (record.tasks[0].error or "")
    assert record.details["loop_watchdog_interrupts"] == 2


@pytest.mark.parametrize("name", ["asyncio", "asyncio-workers", "asyncio-uvloop", "trio"])
def test_a_blocked_loop_cannot_outlive_the_run_deadline(name: str) -> None:
    if not strategies.available(name):
        pytest.skip(f"{name}: its optional extra is not installed")
    plan = faulty_plan(20, 0.01, "hang", list(range(20)))
    record = run(name, plan, workers=10, run_timeout_s=0.3, collector=BlockingSleepCollector())
    assert record.status == "aborted"
    assert "blocked the event loop" in (record.reason or "")
    assert [t.status for t in record.tasks].count("cancelled") == 1  # the one blocking it
    assert {t.status for t in record.tasks} == {"cancelled", "not_run"}
    assert record.wall_ns < 2_000_000_000  # one-sided: 0.3 s, and no other task started after


def test_a_strategy_without_deadlines_is_refused_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if "thread-per-task" not in strategies.names():
        pytest.skip("the example plugin is not installed (make installs it)")
    for flag in ("--task-timeout", "--run-timeout"):
        code = main(
            [
                "run",
                "--strategies",
                "thread-per-task",
                flag,
                "1",
                "--tasks",
                "1",
                "--out",
                str(tmp_path / "out"),
            ]
        )
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"{flag}: the thread-per-task strategy cannot honour it" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_the_reported_hang_ends_under_run_and_sweep(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reproduction from the issue: hung tasks outnumbering workers, asyncio and threads."""
    code = main(
        [
            command,
            "--strategies",
            "asyncio,threads",
            "--tasks",
            "6",
            "--workers",
            "3",
            "--latency",
            "0.01",
            "--fail-mode",
            "hang",
            "--fail-rate",
            "0.5",
            "--task-timeout",
            "0.3",
            "--seed",
            "2",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0, capsys.readouterr().err
    runs = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert {r["status"] for r in runs} == {"completed"}
    assert any(t["status"] == "timeout" for r in runs for t in r["tasks"])


def test_a_killed_hybrid_worker_aborts_the_run_and_names_the_signal() -> None:
    plan = tuple(TaskSpec(i, f"S{i}", 50_000_000, cpu_work=2_000) for i in range(8))
    record = run("asyncio+processes", plan, workers=2, collector=KillsItsWorker())
    assert record.status == "aborted"
    assert "was killed by SIGKILL" in (record.reason or "")
    assert_nothing_lost(record, 8)
    assert record.tasks[3].status == "error"
    assert "running this task was killed by SIGKILL" in (record.tasks[3].error or "")
    assert {t.status for t in record.tasks} <= {"ok", "error", "cancelled", "not_run"}


@pytest.mark.parametrize("chunksize", [2, 4])
def test_a_hung_task_takes_only_itself_down_in_a_chunk(chunksize: int) -> None:
    """Its chunk-mates that ran keep their records; those behind it are sent again."""
    plan = faulty_plan(8, 0.02, "hang", [2])
    record = run("processes", plan, workers=2, chunksize=chunksize, task_timeout_s=0.3)
    assert record.status == "completed", record.reason
    assert [t.status for t in record.tasks] == ["ok", "ok", "timeout"] + ["ok"] * 5
    assert record.details["resubmitted_tasks"] == chunksize - 1 - 2 % chunksize


@dataclass
class _Ended:
    exitcode: int | None


@pytest.mark.parametrize("order", [(11, 12), (12, 11)])
def test_the_blame_goes_to_a_known_cause_before_a_255(order: tuple[int, int]) -> None:
    """Under forkserver a worker's status can read 255 ("unknown", through the fork server)
    beside the SIGKILL that broke the pool: the SIGKILL is named, whichever pid comes first."""
    pool = WorkerPool(StrategyOptions(2, SleepCollector(), start_method="forkserver"), 2, False)
    codes = {11: -signal.SIGKILL, 12: 255}
    pool.procs = {pid: _Ended(codes[pid]) for pid in order}
    assert pool.death().what == "worker pid 11 was killed by SIGKILL"


@pytest.mark.parametrize("deadline_s", [5e-324, 1e-6, 0.005])
def test_a_deadline_shorter_than_the_pools_look_is_honoured_alike(
    strategy_name: str, deadline_s: float
) -> None:
    """Pools look at their running tasks every POLL_S (20 ms); a 12 ms task past a shorter
    deadline once read `ok` under threads and processes and `timeout` under asyncio. Every task
    here runs at least 12 ms, past its deadline: `timeout` under every strategy that declares it,
    whoever noticed first."""
    _honours(strategy_name, "task")
    result = run(strategy_name, make_plan(4, 0.012), 2, task_timeout_s=deadline_s)
    assert [t.status for t in result.tasks] == ["timeout"] * 4, [t.error for t in result.tasks]
