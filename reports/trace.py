"""Chrome Trace Event export (trace.json): opens in Perfetto (ui.perfetto.dev) or chrome://tracing.

One synthetic process per strategy run, named after it; one lane (tid) per worker thread or
process and per asyncio task, named by `thread_name` metadata; complete events ("X") in
microseconds from the run's start, real pid and thread id in args. A lane never overlaps itself.

A run of more than TRACE_TASKS tasks is aggregated: its first TRACE_TASKS tasks (in plan order)
keep their events, and the whole run is a "tasks in flight" counter track (the peak in each of
COUNTER_BINS slices of its time). The process's name and `otherData.aggregated` say so; the exact
records are in tasks.parquet. A million tasks' trace was 326 MB of events; aggregated it is a
few MB, written in a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from bench.model import Results, RunRecord, TaskRecord
from reports.lanes import by_lane, group_label, multi_process
from reports.occupancy import binned_arrays, in_flight_arrays
from reports.words import plural

TRACE_TASKS = 20_000  # tasks of a run with events of their own; beyond, a counter track
COUNTER_BINS = 2_000  # slices of a run's time in its aggregated counter


def aggregated(run: RunRecord) -> bool:
    return len(run.tasks) > TRACE_TASKS


def _run_name(run: RunRecord) -> str:
    name = f"{run.strategy} ({plural(run.workers, 'worker')})"
    if aggregated(run):
        name += (
            f": events for the first {TRACE_TASKS:,} of {len(run.tasks):,} tasks; all of them in "
            "the 'tasks in flight' counter"
        )
    return name


def _run_events(run: RunRecord, pid: int) -> Iterator[dict[str, Any]]:
    """The run's events one at a time: as a list, 100,000 asyncio tasks (a lane each) made
    300,000 dicts at once, 160 MiB at the top of the whole command's memory."""
    name = _run_name(run)
    yield {"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {"name": name}}
    yield {
        "name": "process_sort_index",
        "ph": "M",
        "pid": pid,
        "tid": 0,
        "args": {"sort_index": pid},
    }
    if aggregated(run):
        yield from _counter(run, pid)
        run = replace(run, tasks=run.tasks[:TRACE_TASKS])
    processes = multi_process(run)
    for tid, ((_, _, task_name), tasks) in enumerate(by_lane(run), 1):
        group = group_label(tasks[0], processes)
        lane = f"{task_name} on {group}" if task_name else group
        yield {"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": lane}}
        for t in tasks:
            # Only a per-task lane can show its own wait without overlapping other work.
            yield from _task_events(t, pid, tid, show_wait=bool(task_name))


def _task_events(t: TaskRecord, pid: int, tid: int, show_wait: bool) -> Iterator[dict[str, Any]]:
    assert t.started_ns is not None and t.finished_ns is not None
    args: dict[str, Any] = {
        "symbol": t.symbol,
        "status": t.status,
        "pid": t.pid,
        "thread_id": t.thread_id,
        "queue_wait_us": t.queue_wait_ns / 1e3,
    }
    if t.error:
        args["error"] = t.error
    if show_wait and t.queued_ns is not None and t.started_ns > t.queued_ns:
        wait = {"ts": t.queued_ns / 1e3, "dur": t.queue_wait_ns / 1e3, "pid": pid, "tid": tid}
        yield {
            "name": f"waiting: {t.symbol}",
            "cat": "queue",
            "ph": "X",
            **wait,
            "args": {"symbol": t.symbol},
        }
    run = {"ts": t.started_ns / 1e3, "dur": t.duration_ns / 1e3, "pid": pid, "tid": tid}
    yield {"name": t.symbol, "cat": t.status, "ph": "X", **run, "args": args}


def _counter(run: RunRecord, pid: int) -> Iterator[dict[str, Any]]:
    """Tasks in flight over the whole run: the peak within each slice, at the slice's start."""
    times, levels = in_flight_arrays(run.tasks)
    end = max(run.wall_ns, int(times[-1]) if len(times) else 0, 1)
    peaks = binned_arrays(times, levels, end, COUNTER_BINS)
    width = end / COUNTER_BINS
    for n, level in enumerate(peaks):
        ts = min(n * width, end) / 1e3
        yield {
            "name": "tasks in flight",
            "ph": "C",
            "pid": pid,
            "tid": 0,
            "ts": ts,
            "args": {"tasks": level},
        }


def trace_chunks(results: Results) -> Iterator[str]:
    """The trace document an event per line, made and written one event at a time."""
    other: dict[str, Any] = {"tool": "concurrency-bench", "created": results.created}
    if any(aggregated(run) for run in results.runs):
        other["aggregated"] = (
            f"runs of more than {TRACE_TASKS:,} tasks: events for their first {TRACE_TASKS:,} "
            "tasks, all tasks as a 'tasks in flight' counter (the peak in each of "
            f"{COUNTER_BINS:,} slices); every record is in tasks.parquet"
        )
    yield '{"displayTimeUnit":"ms","otherData":' + _json(other) + ',"traceEvents":['
    first = True
    for pid, run in enumerate(results.runs, 1):
        for event in _run_events(run, pid):
            yield ("\n" if first else ",\n") + _json(event)
            first = False
    yield "\n]}\n"


def trace_json(results: Results) -> str:
    return "".join(trace_chunks(results))


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
