"""Overlap from the records: spans, the step curve of tasks in flight and its peak, the OS
threads and processes that ran them; bench.analysis.stats re-exports each (its callers say
`stats.peak_overlap`). `run_shape` is computed once per run: every report asks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from bench.analysis.memo import edges_curve, once, step_arrays
from bench.model import RunRecord, TaskRecord


def spans(tasks: Iterable[TaskRecord]) -> list[tuple[int, int]]:
    return [
        (t.started_ns, t.finished_ns)
        for t in tasks
        if t.started_ns is not None and t.finished_ns is not None
    ]


NUMPY_FROM = 20_000  # spans from which the step curve is sorted in numpy (imported then only)


def concurrency_steps(tasks: Iterable[TaskRecord]) -> list[tuple[int, int]]:
    """(time, tasks in flight from then on): a step curve over every start and finish."""
    pairs = spans(tasks)
    if len(pairs) >= NUMPY_FROM:
        times, levels = step_arrays(pairs)
        return list(zip(times.tolist(), levels.tolist(), strict=True))
    return step_curve([(start, 1) for start, _ in pairs] + [(finish, -1) for _, finish in pairs])


def step_curve(events: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(time, level from then on) from (time, +1 or -1) events, one step per instant. Sorted
    by time, then change: a finish and a start at the same instant are a hand-over, not an
    overlap."""
    steps: list[tuple[int, int]] = []
    level = 0
    for time, change in sorted(events):
        level += change
        if steps and steps[-1][0] == time:
            steps[-1] = (time, level)
        else:
            steps.append((time, level))
    return steps


def peak_overlap(tasks: Iterable[TaskRecord]) -> int:
    ran = [t for t in tasks if t.started_ns is not None and t.finished_ns is not None]
    if len(ran) >= NUMPY_FROM:  # the curve's levels alone: no list of two million tuples
        _times, levels = span_arrays_curve(ran)
        return int(levels.max())
    return max((level for _, level in concurrency_steps(ran)), default=0)


def span_arrays_curve(ran: list[TaskRecord]) -> tuple[Any, Any]:
    """The step curve (times, levels as numpy arrays) of tasks that ran, read straight into
    arrays (a million (start, end) tuples were 64 MB more at the report's peak)."""
    import numpy as np

    starts = np.fromiter(map(attrgetter("started_ns"), ran), np.int64, len(ran))
    ends = np.fromiter(map(attrgetter("finished_ns"), ran), np.int64, len(ran))
    return edges_curve(starts, ends)


def lanes(tasks: Iterable[TaskRecord]) -> set[tuple[int, int]]:
    """Distinct (pid, thread id) pairs: a thread id alone repeats across processes."""
    return {(t.pid, t.thread_id) for t in tasks if t.pid is not None and t.thread_id is not None}


def distinct_pids(tasks: Iterable[TaskRecord]) -> set[int]:
    """Every process that did part of the work, including the CPU phases of hybrid tasks."""
    tasks = list(tasks)
    pids = {t.pid for t in tasks if t.pid is not None}
    pids.update(phase[3] for t in tasks if t.phases for phase in t.phases)
    return pids


@dataclass(frozen=True)
class Shape:
    """Where a run's tasks that ran did so: every report says it, computed once per run."""

    lanes: frozenset[tuple[int, int]]  # (pid, thread id)
    pids: frozenset[int]
    interpreters: frozenset[int]
    peak_overlap: int
    ran: int  # tasks that started and finished


def run_shape(run: RunRecord) -> Shape:
    return once("shape", run, None, _shape)


def _shape(run: RunRecord, _baseline: RunRecord | None) -> Shape:
    ran = [t for t in run.tasks if t.ran]
    return Shape(
        frozenset(lanes(ran)),
        frozenset(distinct_pids(ran)),
        frozenset(t.interpreter_id for t in ran if t.interpreter_id is not None),
        peak_overlap(ran),
        len(ran),
    )
