"""The per-task fields, in one table: the writer, the loader, tasks.csv and the pandas tasks frame
all derive from TASK_FIELDS, so they cannot drift apart. A new per-task field is one line here
(and its attribute on `TaskRecord`); it then appears in all four.

Each field names its key (in results.json, and its column in tasks.csv and the frame), the
TaskRecord attribute it holds, its `kind` (how the value is stored: seconds in the file,
nanoseconds in the model) and its pandas dtype. An `optional` field is written only when it
says something, and read with the attribute's default when absent (100,000 tasks add up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from bench.model import Phase, RunRecord, TaskRecord

Kind = Literal[
    "int", "str", "seconds", "opt_seconds", "opt_int", "opt_str", "count", "statuses", "phases"
]


@dataclass(frozen=True, slots=True)
class TaskField:
    name: str
    attr: str
    kind: Kind
    dtype: str  # the pandas dtype of its column ("": no column, the field is nested)
    optional: bool = False
    doc: str = ""  # what it means, for the generated reference (docs/reference/results.md)

    def value(self, task: TaskRecord) -> object:
        return getattr(task, self.attr)


TASK_FIELDS: Final = (
    TaskField("index", "index", "int", "int64", doc="the task's position in the plan, from 0"),
    TaskField("symbol", "symbol", "str", "string", doc="the stock symbol the task collected"),
    TaskField(
        "status",
        "status",
        "str",
        "category",
        doc="ok, error, timeout, cancelled or not_run: exactly one per task",
    ),
    TaskField(
        "latency_seconds",
        "latency_ns",
        "seconds",
        "float64",
        doc="the planned wait (the seeded latency, scaled)",
    ),
    TaskField(
        "queued_at",
        "queued_ns",
        "opt_seconds",
        "float64",
        doc="when the task was handed to the strategy, in s from the run's start",
    ),
    TaskField(
        "started_at",
        "started_ns",
        "opt_seconds",
        "float64",
        doc="when its worker started it (after any semaphore or queue wait)",
    ),
    TaskField(
        "finished_at",
        "finished_ns",
        "opt_seconds",
        "float64",
        doc="when it ended, however it ended",
    ),
    TaskField("pid", "pid", "opt_int", "Int64", doc="the process that ran it"),
    TaskField(
        "thread_id",
        "thread_id",
        "opt_int",
        "Int64",
        doc="the OS thread that ran it (a worker is the pair pid, thread id)",
    ),
    TaskField("thread_name", "thread_name", "opt_str", "string", doc="that thread's name"),
    TaskField(
        "task_name",
        "task_name",
        "opt_str",
        "string",
        doc="the asyncio task's or greenlet's name (None for threads and processes)",
    ),
    TaskField(
        "error",
        "error",
        "opt_str",
        "string",
        doc="the exception as one line, for a task that did not end ok",
    ),
    TaskField(
        "cpu_seconds",
        "cpu_ns",
        "seconds",
        "float64",
        optional=True,
        doc="the planned CPU part (--workload cpu or mixed), measured before the runs",
    ),
    TaskField(
        "attempts",
        "attempts",
        "count",
        "Int64",
        optional=True,
        doc="HTTP: requests made, retries included",
    ),
    TaskField(
        "http_status",
        "http_status",
        "opt_int",
        "Int64",
        optional=True,
        doc="HTTP: the final response's status (None: a timeout or a dropped connection)",
    ),
    TaskField(
        "retried_statuses",
        "retried",
        "statuses",
        "string",
        optional=True,
        doc="HTTP: the status of each attempt retried (0: the connection dropped)",
    ),
    TaskField(
        "phases",
        "phases",
        "phases",
        "",
        optional=True,
        doc="the hybrid's phases: name, start, end, pid, thread id each",
    ),
    TaskField(
        "interpreter_id",
        "interpreter_id",
        "opt_int",
        "Int64",
        optional=True,
        doc="subinterpreters: the interpreter that ran it",
    ),
)


def _same(value: object) -> object:
    return value


def _seconds(ns: int | None) -> float | None:
    return None if ns is None else ns / 1e9


def _phases(phases: tuple[Phase, ...]) -> list[dict[str, object]]:
    return [
        {"name": n, "started_at": a / 1e9, "finished_at": b / 1e9, "pid": pid, "thread_id": tid}
        for n, a, b, pid, tid in phases
    ]


def _joined(statuses: tuple[int, ...]) -> str | None:
    """A CSV cell: each retried attempt's status, space-separated (0: the connection dropped)."""
    return " ".join(map(str, statuses)) or None


def _count(value: int) -> int | None:
    return value or None


# How each kind goes into results.json, and into a tasks.csv cell (None: no column).
TO_JSON: Final[Mapping[Kind, Callable[[Any], object]]] = {
    "int": _same,
    "str": _same,
    "seconds": _seconds,
    "opt_seconds": _seconds,
    "opt_int": _same,
    "opt_str": _same,
    "count": _same,
    "statuses": list,
    "phases": _phases,
}
TO_CELL: Final[Mapping[Kind, Callable[[Any], object] | None]] = {
    **TO_JSON,
    "count": _count,
    "statuses": _joined,
    "phases": None,
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of tasks.csv and of the pandas tasks frame. `value` gets the run, its
    position in the file, and the task."""

    name: str
    dtype: str  # the pandas dtype in the tasks frame
    value: Callable[[RunRecord, int, TaskRecord], object]


def _field_column(field: TaskField) -> Column:
    cell, attr = TO_CELL[field.kind], field.attr
    assert cell is not None, f"{field.name} has no column"
    return Column(field.name, field.dtype, lambda _r, _n, t: cell(getattr(t, attr)))


def _ran_s(ns: int, t: TaskRecord) -> float | None:
    return ns / 1e9 if t.ran else None


# Columns that are not fields of a task: its run's, its position, and times derived from it.
_OTHER: Final = {
    "strategy": Column("strategy", "string", lambda r, _n, _t: r.strategy),
    "workers": Column("workers", "int64", lambda r, _n, _t: r.workers),
    "queue_wait_seconds": Column(
        "queue_wait_seconds", "float64", lambda _r, _n, t: _ran_s(t.queue_wait_ns, t)
    ),
    "duration_seconds": Column(
        "duration_seconds", "float64", lambda _r, _n, t: _ran_s(t.duration_ns, t)
    ),
    # Which run of the file (0-based, in file order) and which --repeat round: the keys that
    # join a task to its run in the runs frame.
    "run": Column("run", "int64", lambda _r, n, _t: n),
    "round": Column("round", "int64", lambda r, _n, _t: r.round),
}
# The first 18 are the columns tasks.csv always had, in their order (scripts index them); a
# newer field goes after those, before `run` and `round`.
_FIRST: Final = (
    *("strategy", "workers", "index", "symbol", "status", "latency_seconds", "queued_at"),
    *("started_at", "finished_at", "queue_wait_seconds", "duration_seconds", "pid"),
    *("thread_id", "thread_name", "task_name", "error", "attempts", "http_status"),
)


def _columns() -> tuple[Column, ...]:
    fields = {f.name: f for f in TASK_FIELDS if TO_CELL[f.kind] is not None}
    later = [name for name in fields if name not in _FIRST]
    names = [*_FIRST, *later, "run", "round"]
    return tuple(_OTHER[n] if n in _OTHER else _field_column(fields[n]) for n in names)


TASK_COLUMNS: Final = _columns()
# What the columns of tasks.csv that are not task fields hold (the generated reference).
OTHER_COLUMN_DOCS: Final = {
    "strategy": "the run's strategy",
    "workers": "the run's concurrency limit",
    "queue_wait_seconds": "started_at - queued_at, for a task that ran",
    "duration_seconds": "finished_at - started_at, for a task that ran",
    "run": "the run's position in results.json, from 0 (joins the runs frame)",
    "round": "the run's --repeat round, from 0 (joins the runs frame)",
}
CSV_COLUMNS: Final = tuple(c.name for c in TASK_COLUMNS)


# What results.json holds above the tasks, for the generated reference. A test checks these keys
# against what the writer writes, so a new field cannot go undocumented.
FILE_FIELD_DOCS: Final = {
    "schema_version": "the file format's version (bench.results.writer's history)",
    "tool": "name and version of concurrency-bench that wrote it",
    "created": "when the run started, ISO 8601 in UTC",
    "environment": "where it ran: Python, implementation, platform, machine, hostname, CPUs, "
    "GIL, start method, clock, packages",
    "config": "the plan and the flags, as given (the seed included)",
    "runs": "one entry per strategy run (and per round, per sweep point)",
    "tasks_file": "tasks.parquet when the tasks are beside the file, not inline (more than "
    "5,000 tasks; absent otherwise): one row per task of every run, see below",
}
RUN_FIELD_DOCS: Final = {
    "strategy": "the strategy's registered name",
    "workers": "the concurrency limit it ran with",
    "status": "completed, aborted or interrupted",
    "reason": "why a run did not complete (null when it did)",
    "wall_seconds": "from releasing the plan to the last task ending (start-up excluded)",
    "ideal_seconds": "a perfect executor's time for the work this run did (docs/statistics.md)",
    "efficiency": "ideal / wall; null for a run that did not complete",
    "startup_seconds": "starting the workers, outside the wall",
    "cores": "usable CPUs that bound CPU work in the ideal (0: not a limit)",
    "round": "which repetition (--repeat), from 0",
    "usage": "CPU seconds, peak RSS, context switches: parent, children, server (HTTP)",
    "details": "what the strategy and the harness noted (start method, loop warnings, ...)",
    "tasks_count": "how many tasks the run planned (its rows in tasks.parquet)",
    "tasks": "one record per planned task: the fields below (absent when `tasks_file` is set)",
}
