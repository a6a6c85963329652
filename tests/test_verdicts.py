"""Each demo verdict, fed crafted runs for both outcomes: it must be able to say either."""

from __future__ import annotations

import dataclasses

from bench.lesson import verdicts
from bench.model import RunRecord, TaskRecord, Usage

S = 1_000_000_000


def task(
    i: int,
    start: float,
    end: float,
    pid: int = 10,
    tid: int = 1,
    queued: float = 0.0,
    latency: float = 1.0,
) -> TaskRecord:
    return TaskRecord(
        i,
        f"S{i}",
        "ok",
        round(latency * S),
        round(queued * S),
        round(start * S),
        round(end * S),
        pid,
        tid,
        "t",
        f"Task-{i}",
        None,
    )


def run(
    name: str,
    workers: int,
    tasks: list[TaskRecord],
    wall: float,
    startup: float = 0.0,
    rss: int = 30,
    switches: int = 10,
) -> RunRecord:
    return RunRecord(
        name,
        workers,
        "completed",
        round(wall * S),
        round(startup * S),
        tuple(tasks),
        Usage(0.1, 0.0, rss * 2**20, switches, 0),
    )


together = [task(i, 0, 1) for i in range(6)]
in_line = [task(i, i, i + 1) for i in range(6)]


def test_one_thread_both_ways() -> None:
    assert verdicts.one_thread(run("asyncio", 6, together, 1)).confirmed
    spread = [task(i, 0, 1, tid=i) for i in range(6)]
    assert not verdicts.one_thread(run("asyncio", 6, spread, 1)).confirmed


def test_overlap_both_ways() -> None:
    v = verdicts.overlapping(run("asyncio", 6, together, 1))
    assert v.confirmed and v.evidence.startswith("6 in flight at once with 6 workers")
    assert not verdicts.overlapping(run("asyncio", 6, in_line, 6)).confirmed


def test_speedup_both_ways() -> None:
    seq = run("sequential", 1, in_line, 6.02)
    assert verdicts.speedup(seq, run("asyncio", 6, together, 1.01), 1.0).confirmed
    assert not verdicts.speedup(seq, run("asyncio", 6, in_line, 6.0), 1.0).confirmed


def test_arithmetic_both_ways() -> None:
    seq = run("sequential", 1, [task(i, i, i + 1) for i in range(10)], 10.0)
    par = run("asyncio", 10, [task(i, 0, 1) for i in range(10)], 1.0)
    big_ok = run("asyncio", 10, [task(i, i // 10, i // 10 + 1) for i in range(100)], 10.1)
    big_slow = run("asyncio", 10, [task(i, i // 10, i // 10 + 1) for i in range(100)], 30.0)
    assert verdicts.arithmetic(seq, par, big_ok, 1.0).confirmed
    assert not verdicts.arithmetic(seq, par, big_slow, 1.0).confirmed


def test_semaphore_both_ways() -> None:
    queued = [task(i, (i // 2), (i // 2) + 1) for i in range(6)]
    assert verdicts.semaphore_queues(run("asyncio", 2, queued, 3)).confirmed
    assert not verdicts.semaphore_queues(run("asyncio", 6, together, 1)).confirmed


def test_distinct_workers_both_ways() -> None:
    threads = run("threads", 3, [task(i, 0, 1, tid=i % 3) for i in range(6)], 2)
    procs = run("processes", 3, [task(i, 0, 1, pid=20 + i % 3) for i in range(6)], 2)
    assert verdicts.distinct_workers(threads, procs, parent_pid=10).confirmed
    same = run("processes", 3, [task(i, 0, 1, pid=10) for i in range(6)], 2)
    assert not verdicts.distinct_workers(threads, same, parent_pid=10).confirmed


def test_io_costs_both_ways() -> None:
    aio = run("asyncio", 6, together, 1.0, rss=30, switches=8)
    threads = run("threads", 6, together, 1.0, startup=0.001, rss=31, switches=30)
    procs = run("processes", 6, together, 1.0, startup=0.09, rss=130, switches=80)
    assert verdicts.io_costs(aio, threads, procs).confirmed
    fast_threads = run("threads", 6, together, 0.5, startup=0.001, rss=31, switches=30)
    assert not verdicts.io_costs(aio, fast_threads, procs).confirmed


def test_cpu_bound_both_ways_and_honest_about_why() -> None:
    seq = run("sequential", 1, in_line, 4.0)
    aio, thr = run("asyncio", 4, in_line, 4.0), run("threads", 4, in_line, 4.1)
    assert verdicts.cpu_bound(seq, aio, thr, run("processes", 4, together, 2.0), 2, True).confirmed
    one_core = verdicts.cpu_bound(seq, aio, thr, run("processes", 4, together, 4.0), 1, True)
    assert not one_core.confirmed and "one usable core" in one_core.evidence
    assert "held back by the GIL" in verdicts.cpu_bound(seq, aio, thr, thr, 2, True).claim


def test_cpu_bound_without_the_gil_expects_threads_to_use_the_cores() -> None:
    """A free-threaded build (the GIL off; faked here, as no such build is on the test machine):
    threads that win confirm the claim, threads held to one core contradict it."""
    seq = run("sequential", 1, in_line, 4.0)
    aio, procs = run("asyncio", 4, in_line, 4.0), run("processes", 4, together, 2.0)
    procs = dataclasses.replace(procs, children=Usage(3.9, 0.0))
    free_threads = dataclasses.replace(run("threads", 4, together, 2.0), parent=Usage(3.8, 0.0))
    free = verdicts.cpu_bound(seq, aio, free_threads, procs, 2, False)
    assert free.confirmed and "without the GIL threads use the cores" in free.claim
    assert "the threads got 1.9" in free.evidence
    held = dataclasses.replace(run("threads", 4, in_line, 4.1), parent=Usage(4.0, 0.0))
    stuck = verdicts.cpu_bound(seq, aio, held, procs, 2, False)
    assert not stuck.confirmed
    assert "yet the threads got 1.0 cores where processes got 1.9" in stuck.evidence
    with_gil = verdicts.cpu_bound(seq, aio, free_threads, procs, 2, True)
    assert not with_gil.confirmed  # threads that win with the GIL on contradict that claim
    one_core = verdicts.cpu_bound(seq, aio, held, procs, 1, False)
    assert "neither threads nor processes can win" in one_core.evidence


def test_blocking_call_both_ways() -> None:
    blocked, fixed = run("asyncio", 6, in_line, 6.0), run("asyncio", 6, together, 1.0)
    assert verdicts.blocking_call(blocked, fixed).confirmed
    assert not verdicts.blocking_call(fixed, fixed).confirmed


def test_cpu_bound_names_a_busy_machine_as_the_cause() -> None:
    """Processes fell short in 2 of 4 live runs on 2 cores: their workers got about one core
    (the machine was busy), which the verdict now measures and says, instead of guessing."""
    seq = run("sequential", 1, in_line, 4.0)
    aio, thr = run("asyncio", 4, in_line, 4.0), run("threads", 4, in_line, 4.1)
    starved = dataclasses.replace(run("processes", 4, together, 3.6), children=Usage(3.6, 0.0))
    busy = verdicts.cpu_bound(seq, aio, thr, starved, 2, True)
    assert not busy.confirmed
    assert "the workers got 1.0 of 2 cores" in busy.evidence and "busy" in busy.evidence
    fed = dataclasses.replace(run("processes", 4, together, 2.0), children=Usage(3.9, 0.0))
    ok = verdicts.cpu_bound(seq, aio, thr, fed, 2, True)
    assert ok.confirmed and "the workers got 1.9 cores on average" in ok.evidence


def test_the_classic_log_reads_in_time_order() -> None:
    from bench.lesson.chapters import _classic_log

    lines = _classic_log(run("sequential", 1, in_line[:3], 3.0), "Sequential")
    assert _kinds(lines) == ["Starting", "Completed"] * 3  # one after another, as it ran
    parallel = _classic_log(run("asyncio", 3, together[:3], 1.0), "Parallel")
    assert _kinds(parallel) == ["Starting"] * 3 + ["Completed"] * 3


def _kinds(lines: list[str]) -> list[str]:
    return ["Starting" if "Starting" in line else "Completed" for line in lines[:-1]]


def test_titles_say_the_latency_the_lesson_uses() -> None:
    from bench.lesson.chapters import texts

    assert texts(2.0)[2][0] == "12 s vs 2 s"
    assert texts(0.2)[2][0] == "1.2 s vs 0.2 s"  # --fast
    assert "after 0.20s wait" in texts(0.2)[4][1]
    assert "held back by the GIL" in texts(2.0)[7][1]
    assert "without the GIL, so threads use the cores" in texts(2.0, gil=False)[7][1]
