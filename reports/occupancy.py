"""Two step curves per run on one time axis: tasks in flight, and OS threads with a task in hand.

The gap between them is the report's central picture: asyncio keeps six tasks in flight on one
thread (concurrent, not parallel); a thread pool needs six threads for six. A thread "holds" a
task from its start to its finish, or, for tasks recorded in phases (the hybrid's I/O on the loop
thread, its CPU part in a worker process), during each phase on the thread that ran that phase.
Keys are (pid, thread id): a thread id alone repeats across processes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from bench.analysis.memo import step_arrays
from bench.analysis.stats import concurrency_steps, step_curve
from bench.analysis.stats import spans as task_spans
from bench.model import TaskRecord

Step = tuple[int, int]  # (time in ns since the run started, level from then on)
BINS = 600  # slices of the time axis: about one per two pixels of a figure at 1280 px


def _held(tasks: Iterable[TaskRecord]) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Per OS thread, the spans during which it held a task (phases where recorded)."""
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for t in tasks:
        if t.started_ns is None or t.finished_ns is None:
            continue
        if t.phases:
            for _name, begin, end, pid, tid in t.phases:
                spans.setdefault((pid, tid), []).append((begin, end))
        elif t.pid is not None and t.thread_id is not None:
            spans.setdefault((t.pid, t.thread_id), []).append((t.started_ns, t.finished_ns))
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if out and begin <= out[-1][1]:  # touching spans: a hand-over, the thread stays busy
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((begin, end))
    return out


def thread_steps(tasks: Iterable[TaskRecord]) -> list[Step]:
    """(time, OS threads holding a task from then on)."""
    events: list[tuple[int, int]] = []
    for spans in _held(tasks).values():
        for begin, end in _merged(spans):
            events += [(begin, 1), (end, -1)]
    return step_curve(events)


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
    return step_arrays(task_spans(tasks))


def peak(steps: Sequence[Step]) -> int:
    return max((level for _, level in steps), default=0)
