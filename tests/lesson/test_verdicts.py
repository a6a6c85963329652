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


def _busy(run: RunRecord, cores: float, children: bool = False) -> RunRecord:
    """The run with the CPU time of `cores` cores over its wall (a process pool's in its
    children): what the machine gave it."""
    usage = Usage(cores * run.wall_ns / S, 0.0)
    if children:
        return dataclasses.replace(run, children=usage)
    return dataclasses.replace(run, parent=usage)


def _cpu_runs(procs_wall: float = 2.0) -> tuple[RunRecord, RunRecord, RunRecord, RunRecord]:
    seq = _busy(run("sequential", 1, in_line, 4.0), 1.0)
    aio = _busy(run("asyncio", 4, in_line, 4.0), 1.0)
    thr = _busy(run("threads", 4, in_line, 4.1), 1.0)
    return seq, aio, thr, _busy(run("processes", 4, together, procs_wall), 1.95, children=True)


def test_cpu_bound_both_ways_and_honest_about_why() -> None:
    seq, aio, thr, procs = _cpu_runs()
    assert verdicts.cpu_bound(seq, aio, thr, procs, 2, True).confirmed
    slow = _busy(run("processes", 4, together, 4.0), 1.95, children=True)  # all cores, no gain
    assert verdicts.cpu_bound(seq, aio, thr, slow, 2, True).state == "contradicted"
    one_core = verdicts.cpu_bound(seq, aio, thr, procs, 1, True)
    assert one_core.state == "not shown" and not one_core.precondition.retry
    assert "1 usable core: at least 2 are needed" in one_core.checked()
    assert "held back by the GIL" in verdicts.cpu_bound(seq, aio, thr, thr, 2, True).claim


def test_cpu_bound_without_the_gil_expects_threads_to_use_the_cores() -> None:
    """A free-threaded build (the GIL off; faked here, as no such build is on the test machine):
    threads that win confirm the claim, threads held to one core contradict it."""
    seq, aio, _, procs = _cpu_runs()
    free_threads = _busy(run("threads", 4, together, 2.0), 1.9)
    free = verdicts.cpu_bound(seq, aio, free_threads, procs, 2, False)
    assert free.confirmed and "without the GIL threads use the cores" in free.claim
    assert "the threads got 1.9" in free.evidence
    held = _busy(run("threads", 4, in_line, 4.1), 1.0)
    stuck = verdicts.cpu_bound(seq, aio, held, procs, 2, False)
    assert stuck.state == "contradicted"
    assert "yet the threads got 1.0 cores where processes got 1.9" in stuck.evidence
    with_gil = verdicts.cpu_bound(seq, aio, free_threads, procs, 2, True)
    assert with_gil.state == "contradicted"  # threads that win with the GIL on contradict it


def test_blocking_call_both_ways() -> None:
    blocked, fixed = run("asyncio", 6, in_line, 6.0), run("asyncio", 6, together, 1.0)
    assert verdicts.blocking_call(blocked, fixed).confirmed
    assert not verdicts.blocking_call(fixed, fixed).confirmed


def test_a_busy_machine_is_not_shown_never_contradicted() -> None:
    """Chapter 8 read CONTRADICTED in red on a busy machine, and "asyncio 2.41x" on CPU work:
    a starved sequential run (the busy moment passed before the others ran) made every ratio
    look wrong. The run's own CPU share is the precondition: below it, "not shown"."""
    seq, aio, thr, procs = _cpu_runs()
    starved_seq = _busy(run("sequential", 1, in_line, 9.6), 0.42)  # asyncio "2.40x faster"
    busy = verdicts.cpu_bound(starved_seq, aio, thr, procs, 2, True)
    assert busy.state == "not shown" and "asyncio 2.40x" in busy.evidence
    assert "sequential 0.42" in busy.precondition.text and busy.precondition.retry
    starved = _busy(run("processes", 4, together, 3.6), 1.0, children=True)
    busy = verdicts.cpu_bound(seq, aio, thr, starved, 2, True)
    assert busy.state == "not shown"
    assert "the process pool got 1.0 of 2 cores (at least 1.5)" in busy.precondition.text
    ok = verdicts.cpu_bound(seq, aio, thr, procs, 2, True)
    assert ok.confirmed and "the workers got 1.9 cores on average" in ok.evidence
    assert ok.checked().startswith("precondition held: 2 usable cores")


def test_late_tasks_make_timing_claims_not_shown() -> None:
    """Sleeping tasks that woke far past their latency: the machine, not the model. A
    serialised run whose tasks were on time is still contradicted."""
    late = [task(i, 0, 1.5) for i in range(6)]  # 1 s tasks that took 1.5 s
    seq = run("sequential", 1, in_line, 6.02)
    busy = verdicts.speedup(seq, run("asyncio", 6, late, 1.5), 1.0)
    assert busy.state == "not shown" and "500 ms past their latency" in busy.precondition.text
    serial = verdicts.speedup(seq, run("asyncio", 6, in_line, 6.0), 1.0)
    assert serial.state == "contradicted" and serial.precondition.held
    for structural in (verdicts.one_thread, verdicts.overlapping):
        assert structural(run("asyncio", 6, late, 1.5)).precondition.text.startswith("none")


def test_chapter_one_names_the_shared_thread_id() -> None:
    v = verdicts.one_thread(run("asyncio", 6, [task(i, 0, 1, tid=777) for i in range(6)], 1))
    assert v.confirmed and v.evidence == "all 6 tasks ran on thread 777 of pid 10"


def test_a_worker_is_a_pid_and_a_thread_id() -> None:
    threads = run("threads", 3, [task(i, 0, 1, tid=i % 3) for i in range(6)], 2)
    procs = run("processes", 3, [task(i, 0, 1, pid=20 + i % 3, tid=5) for i in range(6)], 2)
    v = verdicts.distinct_workers(threads, procs, parent_pid=10)
    assert v.confirmed and "3 pids in the process pool (thread id 5 in each)" in v.evidence
    assert "3 workers as (pid, thread id) pairs" in v.evidence


def test_the_classic_log_reads_in_time_order() -> None:
    from bench.lesson.logs import classic_log

    lines = classic_log(run("sequential", 1, in_line[:3], 3.0), "Sequential")
    assert _kinds(lines) == ["Starting", "Completed"] * 3  # one after another, as it ran
    parallel = classic_log(run("asyncio", 3, together[:3], 1.0), "Parallel")
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


def test_the_cpu_precondition_says_the_load_it_saw() -> None:
    seq, aio, thr, procs = _cpu_runs()
    v = verdicts.cpu_bound(seq, aio, thr, procs, 2, True, load=1.5)
    assert v.confirmed  # said, not judged: the runs' own CPU shares decide
    assert v.precondition.text.startswith("2 usable cores (load 1.50 per core before);")
