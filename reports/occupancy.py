"""Two step curves per run on one time axis: tasks in flight, and OS threads with a task in hand.

The gap between them is the report's central picture: asyncio keeps six tasks in flight on one
thread (concurrent, not parallel); a thread pool needs six threads for six. A thread "holds" a
task from its start to its finish, or, for tasks recorded in phases (the hybrid's I/O on the loop
thread, its CPU part in a worker process), during each phase on the thread that ran that phase.
Keys are (pid, thread id): a thread id alone repeats across processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bench.analysis.stats import concurrency_steps, step_curve
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
    anything narrower than a slice anyway, and the cost stays bounded at any task count."""
    width = max(end_ns, 1) / bins
    peaks = [0] * bins
    for n, (time, level) in enumerate(steps):
        until = steps[n + 1][0] if n + 1 < len(steps) else end_ns
        first = min(int(time / width), bins - 1)
        last = min(int(max(until - 1, time) / width), bins - 1)
        for b in range(max(first, 0), last + 1):
            peaks[b] = max(peaks[b], level)
    xs = [b * width / 1e9 for b in range(bins)] + [end_ns / 1e9]
    return xs, [*peaks, peaks[-1]]


def peak(steps: Sequence[Step]) -> int:
    return max((level for _, level in steps), default=0)
