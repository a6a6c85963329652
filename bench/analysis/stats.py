"""Pure functions over records: ideal time, efficiency, overlap, percentiles.

Nothing here is stored in the results file as a source of truth: every figure a report shows is
computed from the task records by these functions, so two reports can never disagree.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol, cast

from bench.analysis.memo import once
from bench.analysis.overlap import NUMPY_FROM as NUMPY_FROM  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import Shape as Shape  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import concurrency_steps as concurrency_steps  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import distinct_pids as distinct_pids  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import lanes as lanes  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import peak_overlap as peak_overlap  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import run_shape as run_shape  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import spans as spans  # noqa: PLC0414 (re-exported)
from bench.analysis.overlap import step_curve as step_curve  # noqa: PLC0414 (re-exported)
from bench.model import RunRecord, TaskRecord


def ideal_ns(latencies: Iterable[int], workers: int, cpu_ns: int = 0, cores: int = 0) -> int:
    """Makespan of a perfect executor: list-schedule the task times, in order, on `workers`
    slots; and CPU work cannot finish faster than its total over min(workers, cores) cores."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    slots = [0] * workers
    makespan = 0
    for latency in latencies:
        finish = heapq.heappop(slots) + latency
        makespan = max(makespan, finish)
        heapq.heappush(slots, finish)
    if cpu_ns and cores:
        makespan = max(makespan, -(-cpu_ns // min(workers, cores)))
    return makespan


class Planned(Protocol):
    """What the ideal needs of a task: a TaskSpec before the run, a TaskRecord after it."""

    @property
    def latency_ns(self) -> int: ...

    @property
    def cpu_ns(self) -> int: ...


def plan_ideal_ns(tasks: Sequence[Planned], workers: int, cores: int = 0) -> int:
    """The one definition of the ideal time, for the tables, charts, readings, sweeps, the
    demo's verdicts and the time estimates: each task's planned wait plus its CPU part,
    list-scheduled on `workers` slots, and no faster than the CPU work over the usable cores."""
    cpu = sum(t.cpu_ns for t in tasks)
    return ideal_ns((t.latency_ns + t.cpu_ns for t in tasks), workers, cpu, cores)


def work_done_ns(task: TaskRecord) -> int:
    """How much of a task's planned time its run stood for: all of it when it ended ok; for a
    task that failed, timed out or was cancelled, the time it ran, capped at the plan (a task
    that failed at once did none of its planned wait, and a hung one no more than was planned)."""
    planned = task.latency_ns + task.cpu_ns
    return planned if task.status == "ok" else min(planned, task.duration_ns)


def _cpu_done_ns(task: TaskRecord) -> int:
    # The CPU part comes after the wait: a task that failed before it did none of it.
    if task.status == "ok":
        return task.cpu_ns
    return max(0, min(task.cpu_ns, work_done_ns(task) - task.latency_ns))


def run_ideal_ns(run: RunRecord) -> int:
    """The ideal time of the work this run actually did: the plan's ideal when every task ended
    ok. Tasks that failed count only the time they ran (see work_done_ns), so failures can never
    make an executor look better than perfect. Computed once per run (see _once)."""
    return once("ideal", run, None, _run_ideal_ns)


def _run_ideal_ns(run: RunRecord, _baseline: RunRecord | None) -> int:
    cpu = sum(_cpu_done_ns(t) for t in run.tasks)
    return ideal_ns((work_done_ns(t) for t in run.tasks), run.workers, cpu, run.cores)


def efficiency(run: RunRecord) -> float | None:
    """ideal / wall: 1.0 is a perfect executor. None for a run that did not complete (a part
    against a whole), and when either is zero (a plan without planned waits, such as a user's
    own collector, has no ideal to compare with)."""
    if run.status != "completed":
        return None
    ideal = run_ideal_ns(run)
    return ideal / run.wall_ns if run.wall_ns > 0 and ideal > 0 else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default), q in [0, 100]; None for no values."""
    if not values:
        return None
    return _of_sorted(sorted(values), q)


def _of_sorted(ordered: Sequence[float], q: float) -> float | None:
    if len(ordered) == 0:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Every per-run figure the reports show, derived from one run's records."""

    strategy: str
    workers: int
    status: str
    reason: str | None  # why a run did not complete
    tasks: int
    ok: int
    failed: int
    wall_s: float
    ideal_s: float
    startup_s: float
    efficiency: float | None
    speedup: float | None
    throughput: float | None
    p50_task_s: float | None
    p95_task_s: float | None
    mean_queue_wait_s: float | None
    max_queue_wait_s: float | None
    peak_overlap: int
    threads: int
    pids: int
    cpu_s: float
    peak_rss_bytes: int
    cores: int
    ipc_bytes_per_task: float | None
    http: HttpCounts | None  # HTTP collectors only
    server_busy: float | None  # the mock server's CPU seconds per wall second (--io http)


@dataclass(frozen=True, slots=True)
class HttpCounts:
    """What the HTTP collectors' records say: requests made, why some were retried, how each
    task's last response ended (None: a timeout or a dropped connection, no status)."""

    requests: int
    retried: dict[int, int]  # status -> attempts retried for it (0: the connection dropped)
    final: dict[int | None, int]  # final status -> tasks

    @property
    def retries(self) -> int:
        return sum(self.retried.values())


def http_counts(run: RunRecord) -> HttpCounts | None:
    asked = [t for t in run.tasks if t.attempts]
    if not asked:
        return None
    retried: dict[int, int] = {}
    final: dict[int | None, int] = {}
    for t in asked:
        for status in t.retried:
            retried[status] = retried.get(status, 0) + 1
        final[t.http_status] = final.get(t.http_status, 0) + 1
    return HttpCounts(sum(t.attempts for t in asked), retried, final)


def summarize(run: RunRecord, baseline: RunRecord | None = None) -> RunSummary:
    """Every figure the tables show for a run (computed once per run and baseline)."""
    return once("summary", run, baseline, _summarize)


def _sorted_durations(ran: list[TaskRecord]) -> Sequence[float]:
    """Each task's running time in seconds, sorted; from NUMPY_FROM tasks a numpy array (the
    same doubles: int64 to float64 is exact below 2**53 ns, and the division is IEEE's), a
    quarter of the memory of a list of floats and sorted in C."""
    if len(ran) < NUMPY_FROM:
        return sorted(t.duration_ns / 1e9 for t in ran)
    import numpy as np

    ns = np.fromiter(map(attrgetter("duration_ns"), ran), np.int64, len(ran))
    return cast(Sequence[float], np.sort(ns / 1e9))


def _summarize(run: RunRecord, baseline: RunRecord | None) -> RunSummary:
    ran = [t for t in run.tasks if t.ran]
    shape = run_shape(run)
    durations = _sorted_durations(ran)  # sorted once, for both percentiles
    waits = [t.queue_wait_ns / 1e9 for t in ran]
    wall = run.wall_ns / 1e9
    # Ratios of a run cut short compare a part with a whole: none for aborted or interrupted.
    done = run.status == "completed" and run.wall_ns > 0
    speedup = None
    if done and baseline is not None and baseline.status == "completed":
        speedup = baseline.wall_ns / run.wall_ns
    return RunSummary(
        strategy=run.strategy,
        workers=run.workers,
        status=run.status,
        reason=run.reason,
        tasks=len(run.tasks),
        ok=status_counts(run)["ok"],
        failed=status_counts(run)["error"] + status_counts(run)["timeout"],
        wall_s=wall,
        ideal_s=run_ideal_ns(run) / 1e9,
        startup_s=run.startup_ns / 1e9,
        efficiency=efficiency(run),
        speedup=speedup,
        throughput=len(ran) / wall if done else None,
        p50_task_s=_of_sorted(durations, 50),
        p95_task_s=_of_sorted(durations, 95),
        mean_queue_wait_s=sum(waits) / len(waits) if waits else None,
        max_queue_wait_s=max(waits, default=None),
        peak_overlap=shape.peak_overlap,
        threads=len(shape.lanes),
        pids=len(shape.pids),
        cpu_s=run.parent.cpu_s + run.children.cpu_s,
        peak_rss_bytes=run.parent.peak_rss_bytes + run.children.peak_rss_bytes,
        cores=run.cores,
        ipc_bytes_per_task=_ipc_bytes(run),
        http=http_counts(run),
        server_busy=run.server.cpu_s / wall if run.server is not None and wall > 0 else None,
    )


# The mock server answers on one event loop, so one CPU is all it can use: busy this much of the
# wall, it was the bottleneck or close to it.
SERVER_SATURATED = 0.9


def saturated(busy: float | None) -> bool:
    return busy is not None and busy >= SERVER_SATURATED


def _ipc_bytes(run: RunRecord) -> float | None:
    out, back = run.notes.ipc_bytes_out_per_task, run.notes.ipc_bytes_in_per_task
    return None if out is None or back is None else out + back


def is_baseline(run: RunRecord) -> bool:
    """The run speed-ups are measured against, as its strategy declared it (details.baseline).
    Files written before that detail existed name it: the sequential strategy."""
    flag = run.notes.baseline
    return flag if flag is not None else run.strategy == "sequential"


def plan_key(run: RunRecord) -> tuple[int, int]:
    """What the plan was, whoever ran it: runs of one plan compare with its sequential run."""
    return once("plan", run, None, _plan_key)


def _plan_key(run: RunRecord, _baseline: RunRecord | None) -> tuple[int, int]:
    return (len(run.tasks), sum(map(attrgetter("latency_ns"), run.tasks)))


def status_counts(run: RunRecord) -> Counter[str]:
    """How many tasks ended each way (one pass, kept per run)."""
    return once("statuses", run, None, lambda r, _b: Counter(map(attrgetter("status"), r.tasks)))


def summarize_all(runs: Sequence[RunRecord]) -> list[RunSummary]:
    """Summaries for every run; speed-ups are against the sequential run of the same plan and
    round, where there is one."""
    baselines = {(r.round, plan_key(r)): r for r in runs if is_baseline(r)}
    return [summarize(run, baselines.get((run.round, plan_key(run)))) for run in runs]
