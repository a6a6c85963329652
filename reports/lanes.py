"""Which lane each task is drawn on, shared by the timelines and the trace.

A lane is a worker thread or process, or under asyncio one task (all grouped under the thread they
share): a lane never runs two things at once. Runs too large to draw a lane per asyncio task pack
tasks into reusable slots, and beyond `limit` lanes only the first are drawn; the note says so.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bench.analysis.memo import once
from bench.model import RunRecord, TaskRecord

LaneKey = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Lane:
    label: str
    group: str  # the OS thread or process the lane runs in ("thread MainThread (7)", "pid 12")
    tasks: tuple[TaskRecord, ...]
    packed: bool = False  # several tasks share the lane: their waits would overlap, not drawn


def lane_key(task: TaskRecord) -> LaneKey:
    return (task.pid or 0, task.thread_id or 0, task.task_name or "")


def multi_process(run: RunRecord) -> bool:
    first = next((t.pid for t in run.tasks if t.pid is not None), None)
    return any(t.pid is not None and t.pid != first for t in run.tasks)


def group_label(task: TaskRecord, processes: bool) -> str:
    if processes:
        return f"pid {task.pid}"
    return f"{task.thread_name or 'thread'} ({task.thread_id})"


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading digits as numbers: worker_2 before worker_10, Task-9 before Task-10."""
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in re.split(r"(\d+)", text) if p)


def by_group(lanes: Sequence[Lane]) -> list[Lane]:
    """The lanes in worker order: groups (threads, processes) by name, numbers read as numbers
    (a pool's worker_0, worker_1 ... worker_10), then each group's lanes the same way; reusable
    slots keep their own order."""
    return sorted(lanes, key=lambda lane: (natural(lane.group), lane.packed, natural(lane.label)))


def by_lane(run: RunRecord) -> list[tuple[LaneKey, list[TaskRecord]]]:
    """Tasks that ran, by lane, lanes in the order their first task started (as a log reads)."""
    lanes: dict[LaneKey, list[TaskRecord]] = {}
    for task in run.tasks:
        if task.started_ns is not None:
            lanes.setdefault(lane_key(task), []).append(task)
    return sorted(lanes.items(), key=lambda kv: (min(t.started_ns or 0 for t in kv[1]), kv[0]))


def _pack(tasks: Sequence[TaskRecord]) -> list[list[TaskRecord]]:
    """Interval partitioning by running time: each task goes on the slot that freed up first,
    or a new slot when none is free; uses as many slots as the peak overlap."""
    slots: list[list[TaskRecord]] = []
    free: list[tuple[int, int]] = []  # (end time, slot) heap
    for task in sorted(tasks, key=lambda t: (t.started_ns or 0, t.index)):
        begin = task.started_ns or 0
        if free and free[0][0] <= begin:
            _, slot = heapq.heappop(free)
        else:
            slot = len(slots)
            slots.append([])
        slots[slot].append(task)
        heapq.heappush(free, (task.finished_ns or begin, slot))
    return slots


def _thread_label(task: TaskRecord, group: str, names: list[str | None]) -> str:
    """A thread's lane by its name alone where no other lane shares it (the id is in the hover
    text), else with its id; a process's by its pid."""
    name = task.thread_name or ""
    unique = bool(name) and names.count(name) == 1
    return name if unique and not group.startswith("pid ") else group


def lanes_for(run: RunRecord, limit: int = 40) -> tuple[list[Lane], str]:
    grouped = by_lane(run)
    processes = multi_process(run)
    per_task = [tasks for key, tasks in grouped if key[2]]
    note = ""
    result: list[Lane] = []
    if len(per_task) > limit:
        # Thousands of asyncio tasks: one lane each would be unreadable; reuse lanes instead.
        flat = [t for tasks in per_task for t in tasks]
        group = group_label(flat[0], processes)
        result = [
            Lane(f"slot {i + 1}", group, tuple(s), packed=True) for i, s in enumerate(_pack(flat))
        ]
        note = f"{len(flat)} asyncio tasks packed into reusable slots (one lane per slot)"
        grouped = [(key, tasks) for key, tasks in grouped if not key[2]]
    names = [tasks[0].thread_name for key, tasks in grouped if not key[2]]
    for (_pid, _tid, name), tasks in grouped:
        group = group_label(tasks[0], processes)
        result.append(Lane(name or _thread_label(tasks[0], group, names), group, tuple(tasks)))
    result = by_group(result)
    if len(result) > limit:
        note = "; ".join(filter(None, [note, f"showing {limit} of {len(result)} lanes"]))
        result = result[:limit]
    return result, note


Groups = tuple[list[str], dict[str, list[TaskRecord]]]


def thread_groups(run: RunRecord) -> Groups:
    """The threads (or processes) that ran tasks, in worker order, with their tasks (once per
    run: the labels and the figure both ask)."""
    return once("thread groups", run, None, _thread_groups)


def _thread_groups(run: RunRecord, _baseline: RunRecord | None) -> Groups:
    processes = multi_process(run)
    by_key: dict[tuple[int | None, int | None], list[TaskRecord]] = {}
    for t in run.tasks:
        if t.started_ns is not None:
            by_key.setdefault((t.pid, None if processes else t.thread_id), []).append(t)
    tasks = {group_label(ts[0], processes): ts for ts in by_key.values()}
    return sorted(tasks, key=natural), tasks
