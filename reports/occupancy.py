"""Two step curves per run on one time axis: tasks in flight, and OS threads with a task in hand.

The gap between them is the report's central picture: asyncio keeps six tasks in flight on one
thread (concurrent, not parallel); a thread pool needs six threads for six. A thread "holds" a
task from its start to its finish, or, for tasks recorded in phases (the hybrid's I/O on the loop
thread, its CPU part in a worker process), during each phase on the thread that ran that phase.
Keys are (pid, thread id): a thread id alone repeats across processes.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np

from bench.analysis.memo import edges_curve, once
from bench.analysis.overlap import NUMPY_FROM, span_arrays_curve
from bench.analysis.stats import concurrency_steps
from bench.model import TaskRecord

Step = tuple[int, int]  # (time in ns since the run started, level from then on)
BINS = 600  # slices of the time axis: about one per two pixels of a figure at 1280 px


class Curve(NamedTuple):
    """A step curve as two numpy arrays: a million tasks' curve as tuples was 250 MB."""

    times: Any  # ns since the run started, one per instant
    levels: Any  # the level from then on


def _held(tasks: Iterable[TaskRecord]) -> dict[tuple[int, int], tuple[list[int], list[int]]]:
    """Per OS thread, the starts and ends of the spans during which it held a task (phases
    where recorded)."""
    spans: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    for t in tasks:
        if t.started_ns is None or t.finished_ns is None:
            continue
        if t.phases:
            for _name, begin, end, pid, tid in t.phases:
                starts, ends = spans.setdefault((pid, tid), ([], []))
                starts.append(begin)
                ends.append(end)
        elif t.pid is not None and t.thread_id is not None:
            starts, ends = spans.setdefault((t.pid, t.thread_id), ([], []))
            starts.append(t.started_ns)
            ends.append(t.finished_ns)
    return spans


def _merged_arrays(starts: Any, ends: Any) -> tuple[Any, Any]:
    """_merged in numpy: sorted by start, a span that begins before every earlier one has ended
    (or just as one ends: a hand-over) joins them."""
    starts, ends = np.asarray(starts, np.int64), np.asarray(ends, np.int64)  # lists or arrays
    order = np.argsort(starts, kind="stable")
    begin, end = starts[order], ends[order]
    reach = np.maximum.accumulate(end)
    new = np.ones(len(begin), bool)
    new[1:] = begin[1:] > reach[:-1]
    firsts = np.flatnonzero(new)
    return begin[firsts], np.maximum.reduceat(end, firsts)


def thread_curve(tasks: Sequence[TaskRecord]) -> Curve:
    """(time, OS threads holding a task from then on), as arrays."""
    held = None
    if len(tasks) >= NUMPY_FROM and not any(t.phases for t in tasks):
        with contextlib.suppress(OverflowError):  # an id that is not 64-bit unsigned
            held = _held_arrays(tasks)
    if held is None:
        held = [_merged_arrays(starts, ends) for starts, ends in _held(tasks).values()]
    if not held:
        return Curve(np.zeros(0, np.int64), np.zeros(0, np.int64))
    begins = np.concatenate([b for b, _ in held])
    return Curve(*edges_curve(begins, np.concatenate([e for _, e in held])))


def _held_arrays(tasks: Sequence[TaskRecord]) -> list[tuple[Any, Any]]:
    """_held and _merged_arrays for tasks without phases, grouped by thread in numpy (a
    million tasks' spans appended one by one to per-thread lists took a second)."""
    ran = [
        t
        for t in tasks
        if t.started_ns is not None and t.finished_ns is not None and t.pid is not None
        if t.thread_id is not None
    ]
    if not ran:
        return []
    pids = np.fromiter(map(attrgetter("pid"), ran), np.uint64, len(ran))
    tids = np.fromiter(map(attrgetter("thread_id"), ran), np.uint64, len(ran))
    starts = np.fromiter(map(attrgetter("started_ns"), ran), np.int64, len(ran))
    ends = np.fromiter(map(attrgetter("finished_ns"), ran), np.int64, len(ran))
    order = np.lexsort((starts, tids, pids))  # by thread, then start
    pids, tids = pids[order], tids[order]
    bounds = np.flatnonzero((pids[1:] != pids[:-1]) | (tids[1:] != tids[:-1])) + 1
    return [_merged_arrays(starts[part], ends[part]) for part in np.split(order, bounds)]


def task_curve(tasks: Sequence[TaskRecord]) -> Curve:
    """(time, tasks in flight from then on), as arrays: concurrency_steps without tuples. Kept
    for the same sequence of tasks (the timeline, the chart and the trace ask for a run's)."""
    return once("task curve", tasks, None, _task_curve)


def _task_curve(tasks: Sequence[TaskRecord], _none: None) -> Curve:
    ran = [t for t in tasks if t.started_ns is not None and t.finished_ns is not None]
    return Curve(*span_arrays_curve(ran))


def binned_curve(curve: Curve, end_ns: int, bins: int = BINS) -> tuple[list[float], list[int]]:
    """binned, for a Curve."""
    width = max(end_ns, 1) / bins
    xs = [b * width / 1e9 for b in range(bins)] + [end_ns / 1e9]
    if not len(curve.times):
        return xs, [0] * (bins + 1)
    return xs, binned_arrays(curve.times, curve.levels, end_ns, bins)


def curve_peak(curve: Curve) -> int:
    return int(curve.levels.max()) if len(curve.levels) else 0


def thread_steps(tasks: Iterable[TaskRecord]) -> list[Step]:
    """(time, OS threads holding a task from then on)."""
    curve = thread_curve(list(tasks))
    return list(zip(curve.times.tolist(), curve.levels.tolist(), strict=True))


def task_steps(tasks: Iterable[TaskRecord]) -> list[Step]:
    return concurrency_steps(tasks)


def binned(steps: Sequence[Step], end_ns: int, bins: int = BINS) -> tuple[list[float], list[int]]:
    """The peak level within each of `bins` equal slices of [0, end_ns], as post-step points in
    seconds. A wave's hand-over (one task finishing microseconds before the next starts) would
    otherwise draw as a drop to zero, a stall that never happened; the figure cannot show
    anything narrower than a slice anyway, and the cost stays bounded at any task count.

    In numpy: a slice's peak is the highest step that starts in it, or the step carried into it
    from before (a million tasks' steps took 18 s as a loop over each step's slices)."""
    width = max(end_ns, 1) / bins
    xs = [b * width / 1e9 for b in range(bins)] + [end_ns / 1e9]
    if not steps:
        return xs, [0] * (bins + 1)
    pairs = np.fromiter(itertools.chain.from_iterable(steps), np.int64, 2 * len(steps))
    return xs, binned_arrays(pairs[0::2], pairs[1::2], end_ns, bins)


def binned_arrays(times: Any, levels: Any, end_ns: int, bins: int = BINS) -> list[int]:
    """binned's peaks (the last repeated) from a step curve as two numpy arrays."""
    width = max(end_ns, 1) / bins
    until = np.append(times[1:], end_ns)
    first = np.minimum((times / width).astype(np.int64), bins - 1)
    last = np.minimum((np.maximum(until - 1, times) / width).astype(np.int64), bins - 1)
    peaks = np.zeros(bins, np.int64)
    drawn = last >= 0
    np.maximum.at(peaks, np.maximum(first[drawn], 0), levels[drawn])
    slices = np.arange(bins)
    before = np.searchsorted(first, slices, "left") - 1  # the last step begun in an earlier slice
    carried = (before >= 0) & (last[np.maximum(before, 0)] >= slices)
    peaks = np.maximum(peaks, np.where(carried, levels[np.maximum(before, 0)], 0))
    out = [int(p) for p in peaks]
    return [*out, out[-1]]


def in_flight_arrays(tasks: Sequence[TaskRecord]) -> tuple[Any, Any]:
    """concurrency_steps as two numpy arrays (times, levels): the same curve, no tuples."""
    return task_curve(tasks)


def peak(steps: Sequence[Step]) -> int:
    return max((level for _, level in steps), default=0)
