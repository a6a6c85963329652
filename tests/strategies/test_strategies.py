"""Shared structural checks (bench.testing, the kit strategy authors get), run under every
strategy; then what makes each strategy itself.

Concurrency is asserted by structure (thread ids, pids, overlap computed from recorded spans),
never by stopwatch. Latencies are 100 ms so that on a loaded 2-core machine the first wave of tasks
is certainly in flight together (starting a wave takes well under a millisecond).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import strategies
from bench import testing
from bench.analysis import stats
from bench.cli.app import main
from bench.collectors.base import BlockingSleepCollector
from tests.conftest import make_plan, run
from tests.crafted_collectors import IN_FLIGHT, CountsThreadedCalls

LATENCY = 0.1


def test_every_task_recorded_once_and_ordered(strategy_name: str) -> None:
    testing.check_records_every_task_once(strategies.get(strategy_name))


def test_queue_waits_appear_when_workers_are_fewer_than_tasks(strategy_name: str) -> None:
    testing.check_overlap_equals_the_limit(strategies.get(strategy_name))


def test_tasks_run_where_the_strategy_declares(strategy_name: str) -> None:
    testing.check_tasks_run_where_declared(strategies.get(strategy_name))


def test_deadlines_are_honoured_as_declared(strategy_name: str) -> None:
    testing.check_deadlines_as_declared(strategies.get(strategy_name))


def test_asyncio_runs_every_task_on_one_thread_yet_overlapping() -> None:
    record = run("asyncio", make_plan(6, LATENCY), workers=6)
    assert stats.lanes(record.tasks) == {(os.getpid(), record.tasks[0].thread_id)}
    assert stats.peak_overlap(record.tasks) == 6
    assert all(t.task_name and t.task_name.startswith("Task-") for t in record.tasks)
    assert len({t.task_name for t in record.tasks}) == 6


def test_threads_use_several_threads_of_this_process() -> None:
    record = run("threads", make_plan(8, LATENCY), workers=4)
    threads = {t.thread_id for t in record.tasks}
    assert 1 < len(threads) <= 4
    assert stats.distinct_pids(record.tasks) == {os.getpid()}
    assert all(t.task_name is None for t in record.tasks)


def test_processes_use_several_other_processes() -> None:
    record = run("processes", make_plan(8, LATENCY), workers=4)
    pids = stats.distinct_pids(record.tasks)
    assert 1 < len(pids) <= 4
    assert os.getpid() not in pids
    assert record.details["start_method"] == "forkserver"
    assert record.startup_ns > 0
    assert record.children.peak_rss_bytes > 0


def test_processes_under_spawn() -> None:
    record = run("processes", make_plan(4, 0.02), workers=2, start_method="spawn")
    assert record.status == "completed"
    assert os.getpid() not in stats.distinct_pids(record.tasks)


def test_sequential_never_overlaps_and_uses_one_worker() -> None:
    record = run("sequential", make_plan(5, 0.02), workers=8)
    assert record.workers == 1
    assert stats.peak_overlap(record.tasks) == 1
    assert stats.run_ideal_ns(record) == 5 * 20_000_000


def test_processes_chunks_carry_several_tasks() -> None:
    record = run("processes", make_plan(8, 0.02), workers=2, chunksize=4)
    assert record.status == "completed"
    assert all(t.status == "ok" for t in record.tasks)


def test_fake_strategy_is_an_exact_list_scheduler() -> None:
    plan = make_plan(5, 1.0)
    record = run("fake", plan, workers=2)
    assert record.wall_ns == stats.run_ideal_ns(record) == 3_000_000_000
    assert [t.started_ns for t in record.tasks] == [0, 0, 10**9, 10**9, 2 * 10**9]


def test_asyncio_workers_use_one_task_per_worker_on_one_thread() -> None:
    record = run("asyncio-workers", make_plan(8, LATENCY), workers=4)
    assert stats.lanes(record.tasks) == {(os.getpid(), record.tasks[0].thread_id)}
    assert len({t.task_name for t in record.tasks}) == 4  # 4 worker coroutines, not 8 tasks
    assert stats.peak_overlap(record.tasks) == 4


def test_progress_counts_tasks_even_when_processes_take_chunks() -> None:
    seen: list[int] = []
    record = run("processes", make_plan(8, 0.01), workers=2, chunksize=4, progress=seen.append)
    assert record.status == "completed"
    assert seen and max(seen) == 8  # tasks done, not the 2 chunks submitted


def _needs(name: str) -> None:
    if not strategies.available(name):
        pytest.skip(f"{name}: its optional extra is not installed ({strategies.EXTRAS[name][1]})")


def test_gevent_runs_every_task_on_one_thread_of_its_own_process_yet_overlapping() -> None:
    _needs("gevent")
    record = run("gevent", make_plan(6, LATENCY), workers=6)
    assert record.status == "completed"
    # One OS thread of one process, which is not the harness (monkey-patching stays there).
    (pid, thread_id), *others = stats.lanes(record.tasks)
    assert not others
    assert pid != os.getpid()
    assert record.details["child_pid"] == pid and record.details["child_thread_id"] == thread_id
    assert stats.peak_overlap(record.tasks) == 6
    # Each worker greenlet names its tasks, as asyncio's tasks do.
    assert {t.task_name for t in record.tasks} == {f"Greenlet-{n}" for n in range(6)}
    # Interpreter start, importing gevent and patching are start-up, never wall: one-sided
    # (a fresh interpreter takes well over a millisecond; the wall is one 100 ms wave).
    assert record.startup_ns > 1_000_000
    assert record.wall_ns < 6 * LATENCY * 1e9


# Driven in an interpreter of its own: importing the worker module monkey-patches the process.
SLOT_AT_SEND = """
import os
from multiprocessing.connection import Connection

from bench.collectors.base import SleepCollector
from bench.model import TaskSpec
from strategies._worker import geventworker

workers = 2
slots = os.memfd_create("slots")
os.ftruncate(slots, 16 * workers)
read, write = os.pipe()
setup = ("setup", SleepCollector(), workers, False, None)
child = geventworker.Child(Connection(read, writable=False), Connection(write), setup, slots)
seen = []

class Outbox:
    def send(self, message):
        if message[0] == "record":  # which tasks the slots name as this record leaves
            running = {child.slots[2 * n] - 1 for n in range(workers)}
            seen.append((message[1].task_index, message[1].task_index in running))

child.outbox = Outbox()
child.prepare()
child.plan.set((iter([TaskSpec(i, f"S{i}", 1_000_000) for i in range(5)]), 0))
child.pool.join()
print(sorted(seen), [child.slots[2 * n] for n in range(workers)])
"""


def test_a_gevent_task_stays_in_its_slot_until_its_record_is_sent() -> None:
    """A parent whose gevent child was killed reads the slots for the tasks that died with it:
    a task must leave its slot only once its record has gone out, or a child killed between the
    two loses a task that ran (it read `not_run`). tests/e2e/test_interrupts.py kills a real
    child."""
    _needs("gevent")
    out = subprocess.run(
        [sys.executable, "-c", SLOT_AT_SEND], capture_output=True, text=True, timeout=60, check=True
    )
    expected = f"{[(i, True) for i in range(5)]} [0, 0]"
    assert out.stdout.strip() == expected, out.stdout + out.stderr


def test_trio_runs_every_task_on_one_thread_yet_overlapping() -> None:
    _needs("trio")
    record = run("trio", make_plan(8, LATENCY), workers=4)
    assert record.status == "completed"
    assert stats.lanes(record.tasks) == {(os.getpid(), record.tasks[0].thread_id)}
    assert stats.peak_overlap(record.tasks) == 4  # the CapacityLimiter's width, no more
    assert len({t.task_name for t in record.tasks}) == 8  # one trio task per symbol
    # Tasks start in plan order (trio itself would pick its own order): the first wave is the
    # first four symbols.
    first = sorted(record.tasks, key=lambda t: t.started_ns or 0)[:4]
    assert sorted(t.index for t in first) == [0, 1, 2, 3]


def test_trio_runs_the_blocking_mistake_one_task_at_a_time() -> None:
    """time.sleep in the async face holds trio's one thread as it holds asyncio's."""
    _needs("trio")
    record = run("trio", make_plan(3, 0.05), workers=3, collector=BlockingSleepCollector())
    assert record.status == "completed"
    assert stats.peak_overlap(record.tasks) == 1


def test_bench_list_shows_the_engines_abilities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    flat = " ".join(capsys.readouterr().out.split())
    for name in ("gevent", "trio"):
        if not strategies.available(name):
            assert f"{name} not available here" in flat
            continue
        line = flat.split(f" {name} ", 1)[1]
        assert line.split(" available here; ", 1)[1].startswith(
            "honours --task-timeout and --run-timeout"
        )


def test_trio_to_thread_is_not_capped_by_trios_default_limiter() -> None:
    """trio.to_thread lends 40 threads by default; a run 50 wide must make 50 calls at once
    (counted inside the blocking calls: the records are made on trio's side of the hand-off)."""
    if not strategies.available("trio"):
        pytest.skip(str(strategies.unavailable("trio")))
    IN_FLIGHT[:] = [0, 0]
    run("trio", make_plan(50, LATENCY), workers=50, collector=CountsThreadedCalls(expect=50))
    assert IN_FLIGHT == [0, 50]


@pytest.mark.parametrize("name", ["asyncio", "asyncio-workers"])
def test_asyncio_to_thread_is_not_capped_by_the_default_executor(name: str) -> None:
    """asyncio.to_thread's default executor has min(32, CPUs + 4) threads: 6 on 2 cores."""
    IN_FLIGHT[:] = [0, 0]
    run(name, make_plan(20, LATENCY), workers=20, collector=CountsThreadedCalls(expect=20))
    assert IN_FLIGHT == [0, 20]
