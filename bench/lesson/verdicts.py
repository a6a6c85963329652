"""The teaching demo's verdicts: each claim checked against recorded runs, by pure functions.

A verdict is computed, never written in advance: each function can say "contradicted", and tests
feed it crafted runs for both outcomes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from bench.analysis import stats
from bench.lesson.preconditions import NONE, Precondition, cores_for_cpu, on_time, share
from bench.model import RunRecord, TaskRecord

State = Literal["confirmed", "contradicted", "not shown"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A claim, its evidence, and one of three states: a claim whose precondition on the
    machine failed is "not shown", whatever its numbers say; only evidence from a machine that
    let the run happen as planned may confirm or contradict it."""

    claim: str
    state: State
    evidence: str
    precondition: Precondition = NONE

    @classmethod
    def judge(
        cls, claim: str, ok: bool, evidence: str, precondition: Precondition = NONE
    ) -> Verdict:
        state: State = (
            "not shown" if not precondition.held else "confirmed" if ok else "contradicted"
        )
        return cls(claim, state, evidence, precondition)

    @property
    def confirmed(self) -> bool:
        return self.state == "confirmed"

    @property
    def word(self) -> str:
        return self.state

    def line(self) -> str:
        return f"{self.word}: {self.evidence}"

    def checked(self) -> str:
        """The precondition, as the line under the verdict says it."""
        held = "held" if self.precondition.held else "FAILED"
        if self.precondition is NONE:
            return f"precondition: {self.precondition.text}"
        return f"precondition {held}: {self.precondition.text}"


def _ran(run: RunRecord) -> list[TaskRecord]:
    return [t for t in run.tasks if t.ran]


# Scheduling noise on a loaded machine is a few ms whatever the latency, so short (--fast) runs get
# that much absolute slack on top of the relative tolerance.
NOISE_S = 0.02


def _near(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= tolerance * target + NOISE_S


def one_thread(run: RunRecord) -> Verdict:
    lanes, pids = stats.lanes(_ran(run)), stats.distinct_pids(_ran(run))
    tids = sorted({tid for _, tid in lanes})
    if len(lanes) == 1 and len(pids) == 1:
        ((pid, tid),) = lanes
        evidence = f"all {len(_ran(run))} tasks ran on thread {tid} of pid {pid}"
    else:
        shown = ", ".join(map(str, tids[:3])) + (" ..." if len(tids) > 3 else "")
        evidence = f"{len(_ran(run))} tasks, {len(tids)} thread ids ({shown}), {len(pids)} pids"
    return Verdict.judge(
        "asyncio runs every task on one thread", len(lanes) == 1 and len(pids) == 1, evidence
    )


def like_asyncio(run: RunRecord) -> str:
    """One line on another single-thread engine's run (gevent's greenlets): same thread id?
    overlapping?"""
    ran = _ran(run)
    lanes, pids = stats.lanes(ran), stats.distinct_pids(ran)
    tids = sorted({tid for _, tid in lanes})
    same = len(lanes) == 1 and len(pids) == 1
    return (
        f"{run.strategy}: {len(ran)} tasks, {len(tids)} thread id"
        f"{f' ({tids[0]})' if same else 's'} in {len(pids)} pid, "
        f"{stats.peak_overlap(ran)} in flight at once: "
        + ("like asyncio" if same else "not one thread")
    )


def overlapping(run: RunRecord) -> Verdict:
    ran = sorted(_ran(run), key=lambda t: t.started_ns or 0)  # every ran task has both times
    early = any((b.started_ns or 0) < (a.finished_ns or 0) for a, b in itertools.pairwise(ran))
    peak = stats.peak_overlap(ran)
    return Verdict.judge(
        "...yet the tasks overlap in time",
        early and peak == run.workers,
        f"{peak} in flight at once with {run.workers} workers; "
        f"task B {'started' if early else 'did not start'} before task A completed",
    )


def speedup(sequential: RunRecord, parallel: RunRecord, latency_s: float) -> Verdict:
    n = len(sequential.tasks)
    seq, par = sequential.wall_ns / 1e9, parallel.wall_ns / 1e9
    slots = -(-n // parallel.workers)
    ok = _near(seq, n * latency_s, 0.1) and _near(par, slots * latency_s, 0.25)
    return Verdict.judge(
        f"{n} symbols x {latency_s:g} s: about {n * latency_s:g} s sequential, about "
        f"{slots * latency_s:g} s with {parallel.workers} workers",
        ok,
        f"sequential {seq:.2f} s, {parallel.strategy} {par:.2f} s ({seq / par:.1f}x)",
        on_time(sequential, parallel),
    )


def arithmetic(seq: RunRecord, par: RunRecord, big: RunRecord, latency_s: float) -> Verdict:
    first = speedup(seq, par, latency_s)
    ideal_s = stats.run_ideal_ns(big) / 1e9
    ok = first.confirmed and _near(big.wall_ns / 1e9, ideal_s, 0.25)
    return Verdict.judge(
        f"the arithmetic holds (latency scaled to {latency_s:g} s)",
        ok,
        f"{first.evidence}; {len(big.tasks)} symbols with {big.workers} workers: "
        f"{big.wall_ns / 1e9:.2f} s (ideal {ideal_s:.2f} s)",
        on_time(seq, par, big),
    )


def semaphore_queues(run: RunRecord) -> Verdict:
    waits = sorted(t.queue_wait_ns / 1e9 for t in _ran(run))
    first = min((t.latency_ns for t in run.tasks), default=0) / 1e9
    queued = waits[run.workers :]
    ok = (
        len(run.tasks) > run.workers
        and stats.peak_overlap(_ran(run)) == run.workers
        and bool(queued)
        and min(queued) >= 0.9 * first
    )
    return Verdict.judge(
        f"a semaphore of {run.workers} queues the other tasks",
        ok,
        f"{len(queued)} of {len(waits)} tasks waited (longest {max(waits, default=0):.2f} s); "
        f"peak overlap {stats.peak_overlap(_ran(run))}",
    )


def distinct_workers(threads: RunRecord, processes: RunRecord, parent_pid: int) -> Verdict:
    """A worker is the pair (pid, thread id): a thread id is unique only within its process, and
    each pool process's main thread may show the same one."""
    tids = {tid for _, tid in stats.lanes(_ran(threads))}
    pairs = stats.lanes(_ran(processes))
    pids = stats.distinct_pids(_ran(processes))
    ok = len(tids) > 1 and len(pids) > 1 and parent_pid not in pids
    reused = {tid for _, tid in pairs}
    note = f" (thread id {next(iter(reused))} in each)" if len(reused) == 1 < len(pairs) else ""
    return Verdict.judge(
        "a thread pool shows different thread ids; a process pool different pids",
        ok,
        f"{len(tids)} thread ids in the thread pool's one pid; {len(pids)} pids in the process "
        f"pool{note}, {'none' if parent_pid not in pids else 'one'} of them the harness's: "
        f"{len(pairs)} workers as (pid, thread id) pairs",
    )


def io_costs(aio: RunRecord, threads: RunRecord, processes: RunRecord) -> Verdict:
    def switches(run: RunRecord) -> int:
        return sum(
            u.voluntary_switches + u.involuntary_switches for u in (run.parent, run.children)
        )

    def rss(run: RunRecord) -> int:
        return run.parent.peak_rss_bytes + run.children.peak_rss_bytes

    not_faster = threads.wall_ns >= 0.9 * aio.wall_ns
    heavier = rss(processes) > rss(aio) and processes.startup_ns > threads.startup_ns
    fewer = switches(aio) <= switches(threads)
    return Verdict.judge(
        "for I/O, threads are not much faster than asyncio; processes cost memory and "
        "start-up; one thread means few context switches",
        not_faster and heavier and fewer,
        f"wall asyncio {aio.wall_ns / 1e9:.2f} s, threads {threads.wall_ns / 1e9:.2f} s; "
        f"peak RSS asyncio {rss(aio) / 2**20:.0f} MiB, "
        f"processes {rss(processes) / 2**20:.0f} MiB; "
        f"start-up threads {threads.startup_ns / 1e6:.1f} ms, "
        f"processes {processes.startup_ns / 1e6:.0f} ms; "
        f"context switches asyncio {switches(aio)}, threads {switches(threads)}, "
        f"processes {switches(processes)}",
        on_time(aio, threads, processes),
    )


def cpu_bound(
    seq: RunRecord,
    aio: RunRecord,
    threads: RunRecord,
    processes: RunRecord,
    cores: int,
    gil: bool,
    load: float | None = None,
) -> Verdict:
    """With the GIL (`gil`, as the interpreter says when the runs end), threads must not beat
    sequential; without it (a free-threaded build) they must, as processes do. Judged only when
    the machine gave the runs their cores (preconditions.cores_for_cpu)."""

    def x(run: RunRecord) -> float:
        return seq.wall_ns / run.wall_ns if run.wall_ns else 0.0

    threads_win = x(threads) >= 1.25
    ok = x(aio) < 1.25 and x(processes) >= 1.25 and threads_win != gil
    thread_cores = "" if gil else f"; the threads got {share(threads, False):.1f}"
    evidence = (
        f"speed-up over sequential: asyncio {x(aio):.2f}x, threads {x(threads):.2f}x, "
        f"processes {x(processes):.2f}x on {cores} usable cores (the workers got "
        f"{share(processes, True):.1f} cores on average{thread_cores})"
    )
    precondition = cores_for_cpu(seq, (aio, threads), processes, cores, load)
    if precondition.held and not ok and not gil:
        evidence += (
            f"; this Python runs without the GIL, yet the threads got "
            f"{share(threads, False):.1f} cores where processes got "
            f"{share(processes, True):.1f}: something in the work serialised them"
        )
    claim = (
        "CPU-bound: asyncio does not help, threads are held back by the GIL, "
        "processes use the cores"
        if gil
        else "CPU-bound: asyncio does not help; without the GIL threads use the cores, as "
        "processes do"
    )
    return Verdict.judge(claim, ok, evidence, precondition)


def blocking_call(blocked: RunRecord, fixed: RunRecord) -> Verdict:
    before, after = stats.peak_overlap(_ran(blocked)), stats.peak_overlap(_ran(fixed))
    ok = before == 1 and after == fixed.workers
    return Verdict.judge(
        "a blocking call in a coroutine serialises everything; asyncio.to_thread "
        "restores the overlap",
        ok,
        f"blocking: peak overlap {before}, wall {blocked.wall_ns / 1e9:.2f} s; "
        f"with asyncio.to_thread: peak overlap {after}, wall {fixed.wall_ns / 1e9:.2f} s",
        on_time(fixed),
    )
