"""The versioned results file: atomic writes, a validating loader, and the CSV of task records.

Schema history (bump SCHEMA_VERSION and add a migration for every incompatible change):
  1 - first version: environment, config, runs[] with tasks[] (times in seconds from the run start).
      Optional fields added since, read with defaults when absent: runs[].cores, runs[].round,
      tasks[].cpu_seconds, tasks[].phases[], tasks[].attempts, tasks[].http_status.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bench import __version__
from bench.model import Results, RunRecord, TaskRecord, Usage
from bench.errors import OutputFailed
from bench.analysis.stats import efficiency, run_ideal_ns

SCHEMA_VERSION: Final = 1


def _seconds(ns: int | None) -> float | None:
    return None if ns is None else ns / 1e9


def task_to_dict(t: TaskRecord) -> dict[str, Any]:
    row = _task_fields(t)
    # Optional fields, written only when they say something (100,000 tasks add up).
    if t.cpu_ns:
        row["cpu_seconds"] = t.cpu_ns / 1e9
    if t.attempts:
        row["attempts"], row["http_status"] = t.attempts, t.http_status
    if t.retried:
        row["retried_statuses"] = list(t.retried)
    if t.phases:
        row["phases"] = [
            {"name": name, "started_at": a / 1e9, "finished_at": b / 1e9, "pid": pid,
             "thread_id": tid}
            for name, a, b, pid, tid in t.phases
        ]
    return row


def _task_fields(t: TaskRecord) -> dict[str, Any]:
    return {
        "index": t.index,
        "symbol": t.symbol,
        "status": t.status,
        "latency_seconds": t.latency_ns / 1e9,
        "queued_at": _seconds(t.queued_ns),
        "started_at": _seconds(t.started_ns),
        "finished_at": _seconds(t.finished_ns),
        "pid": t.pid,
        "thread_id": t.thread_id,
        "thread_name": t.thread_name,
        "task_name": t.task_name,
        "error": t.error,
    }


def _usage_to_dict(u: Usage) -> dict[str, Any]:
    return {
        "user_seconds": u.user_s,
        "system_seconds": u.system_s,
        "peak_rss_bytes": u.peak_rss_bytes,
        "voluntary_switches": u.voluntary_switches,
        "involuntary_switches": u.involuntary_switches,
    }


def run_to_dict(run: RunRecord, tasks: bool = True) -> dict[str, Any]:
    row = _run_fields(run)
    if tasks:
        row["tasks"] = [task_to_dict(t) for t in run.tasks]
    return row


def _run_fields(run: RunRecord) -> dict[str, Any]:
    return {
        "strategy": run.strategy,
        "workers": run.workers,
        "status": run.status,
        "reason": run.reason,
        "wall_seconds": run.wall_ns / 1e9,
        # Derived for scripts' convenience; the loader recomputes them from the tasks.
        "ideal_seconds": run_ideal_ns(run) / 1e9,
        "efficiency": efficiency(run),
        "startup_seconds": run.startup_ns / 1e9,
        "cores": run.cores,
        "round": run.round,
        "usage": {"parent": _usage_to_dict(run.parent), "children": _usage_to_dict(run.children)},
        "details": dict(run.details),
    }


def _header(results: Results) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "concurrency-bench", "version": __version__},
        "created": results.created,
        "environment": dict(results.environment),
        "config": dict(results.config),
    }


def _json(value: object) -> str:
    # allow_nan=False: NaN and Infinity are not JSON; a bad value fails here, not in a reader.
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def json_chunks(results: Results) -> Iterator[str]:
    """The results document in pieces, one task per line: 100,000 tasks are written without
    building the whole document (or a dict per task) in memory first."""
    yield "{\n"
    for key, value in _header(results).items():
        yield f" {_json(key)}: {_json(value)},\n"
    yield ' "runs": ['
    for n, run in enumerate(results.runs):
        head = run_to_dict(run, tasks=False)
        yield ("," if n else "") + "\n  " + _json(head)[:-1] + ', "tasks": ['
        for i, task in enumerate(run.tasks):
            yield ("," if i else "") + "\n   " + _json(task_to_dict(task))
        yield "\n  ]}"
    yield "\n ]\n}\n"


def dumps(results: Results) -> str:
    return "".join(json_chunks(results))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE: Final = 0o666 & ~_umask()


# Temp files being written right now: an exit that cannot wait (a second Ctrl-C) removes them.
IN_PROGRESS: set[str] = set()


def remove_unfinished() -> None:
    for tmp in list(IN_PROGRESS):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: old or new, never torn.
    `text` may come in pieces (a generator), so large files are never whole in memory. A write
    the machine refuses (disk full, `ulimit -f`, a folder in the way) is an OutputFailed."""
    try:
        _write_atomic(path, text)
    except OSError as exc:
        raise OutputFailed(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_atomic(path: Path, text: str | Iterable[str]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    IN_PROGRESS.add(tmp)
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; results are ordinary files
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        IN_PROGRESS.discard(tmp)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save(results: Results, path: Path) -> None:
    write_atomic(path, json_chunks(results))


@dataclass(frozen=True, slots=True)
class Column:
    """One per-task column of tasks.csv and of the pandas tasks frame: both come from this one
    table, so they cannot drift apart. `value` gets the run, its position in the file, the task."""

    name: str
    dtype: str  # the pandas dtype in the tasks frame
    value: Callable[[RunRecord, int, TaskRecord], object]


def _ran_s(ns: int, t: TaskRecord) -> float | None:
    return ns / 1e9 if t.ran else None


# The first 18 are the columns tasks.csv always had, in their order (scripts index them).
TASK_COLUMNS: Final = (
    Column("strategy", "string", lambda r, n, t: r.strategy),
    Column("workers", "int64", lambda r, n, t: r.workers),
    Column("index", "int64", lambda r, n, t: t.index),
    Column("symbol", "string", lambda r, n, t: t.symbol),
    Column("status", "category", lambda r, n, t: t.status),
    Column("latency_seconds", "float64", lambda r, n, t: t.latency_ns / 1e9),
    Column("queued_at", "float64", lambda r, n, t: _seconds(t.queued_ns)),
    Column("started_at", "float64", lambda r, n, t: _seconds(t.started_ns)),
    Column("finished_at", "float64", lambda r, n, t: _seconds(t.finished_ns)),
    Column("queue_wait_seconds", "float64", lambda r, n, t: _ran_s(t.queue_wait_ns, t)),
    Column("duration_seconds", "float64", lambda r, n, t: _ran_s(t.duration_ns, t)),
    Column("pid", "Int64", lambda r, n, t: t.pid),
    Column("thread_id", "Int64", lambda r, n, t: t.thread_id),
    Column("thread_name", "string", lambda r, n, t: t.thread_name),
    Column("task_name", "string", lambda r, n, t: t.task_name),
    Column("error", "string", lambda r, n, t: t.error),
    Column("attempts", "Int64", lambda r, n, t: t.attempts or None),
    Column("http_status", "Int64", lambda r, n, t: t.http_status),
    Column("cpu_seconds", "float64", lambda r, n, t: t.cpu_ns / 1e9),
    # The status of each retried attempt, space-separated (0: the connection dropped).
    Column("retried_statuses", "string", lambda r, n, t: " ".join(map(str, t.retried)) or None),
    # Which run of the file (0-based, in file order) and which --repeat round: the keys that
    # join a task to its run in the runs frame.
    Column("run", "int64", lambda r, n, t: n),
    Column("round", "int64", lambda r, n, t: r.round),
)
CSV_COLUMNS: Final = tuple(c.name for c in TASK_COLUMNS)


def task_rows(results: Results) -> Iterator[list[object]]:
    """Every task of every run as one row of TASK_COLUMNS."""
    for n, run in enumerate(results.runs):
        for t in run.tasks:
            yield [column.value(run, n, t) for column in TASK_COLUMNS]


def _csv_safe(value: object) -> object:
    # CWE-1236: a spreadsheet runs cells starting with these as formulas. Strings only.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def tasks_csv(results: Results) -> str:
    return "".join(csv_chunks(results))


def csv_chunks(results: Results) -> Iterator[str]:
    """tasks.csv a row at a time (see json_chunks)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in task_rows(results):
        writer.writerow(["" if v is None else _csv_safe(v) for v in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()
