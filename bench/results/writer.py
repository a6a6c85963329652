"""The versioned results file: atomic writes, a validating loader, and the CSV of task records.

Schema history (bump SCHEMA_VERSION and add a migration for every incompatible change):
  1 - first version: environment, config, runs[] with tasks[] (times in seconds from the run start).
      Optional fields added since, read with defaults when absent: runs[].cores, runs[].round,
      tasks[].cpu_seconds, tasks[].phases[], tasks[].attempts, tasks[].http_status,
      tasks[].retried_statuses, tasks[].interpreter_id. Since 2026-11-28 every optional task field
      is written only when it says something (http_status was once written as null beside
      attempts); absent reads as null. runs[].usage.server (the mock API server's CPU during an
      --io http run) is added, written only for HTTP runs.
  2 - 2026-12-02: a file of more than 5,000 tasks keeps them in tasks.parquet beside it (one
      columnar table, times in integer ns; bench.results.columns), named by the new top-level
      `tasks_file`; its runs have no `tasks` array. Every run gains `tasks_count`. Smaller files,
      and every --export-json, keep the tasks inline as in version 1, which loads as version 2
      unchanged (a 1M-task results.json was 288 MB, 290 bytes a task; now 6 bytes a task).

The per-task fields, their kinds and their CSV columns are one table: bench.results.fields.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final

from bench.analysis.stats import efficiency, run_ideal_ns
from bench.errors import OutputFailed
from bench.model import Results, RunRecord, TaskRecord, Usage
from bench.results.columns import COLUMNAR_ABOVE, TASKS_FILE, write_tasks
from bench.results.fields import CSV_COLUMNS, TASK_COLUMNS, TASK_FIELDS, TO_JSON
from bench.version import __version__

SCHEMA_VERSION: Final = 2
# Tasks in a file above which tasks.csv is written only on request (--export-csv): a million
# tasks' CSV is 153 MB and took 17 s; tasks.parquet holds the same records in 6 MB.
CSV_LIMIT: Final = 100_000


def _seconds(ns: int | None) -> float | None:
    return None if ns is None else ns / 1e9


# (key, attribute, how it is written, optional) per field, resolved once: 100,000 tasks.
_WRITE: Final = tuple((f.name, f.attr, TO_JSON[f.kind], f.optional) for f in TASK_FIELDS)


def task_to_dict(t: TaskRecord) -> dict[str, Any]:
    row = {}
    for key, attr, encode, optional in _WRITE:
        value = getattr(t, attr)
        if optional and not value:
            continue  # written only when it says something
        row[key] = encode(value)
    return row


def _usage_to_dict(u: Usage) -> dict[str, Any]:
    return {
        "user_seconds": u.user_s,
        "system_seconds": u.system_s,
        "peak_rss_bytes": u.peak_rss_bytes,
        "voluntary_switches": u.voluntary_switches,
        "involuntary_switches": u.involuntary_switches,
    }


def _usages(run: RunRecord) -> dict[str, Any]:
    usage = {"parent": _usage_to_dict(run.parent), "children": _usage_to_dict(run.children)}
    if run.server is not None:
        usage["server"] = _usage_to_dict(run.server)
    return usage


def run_to_dict(run: RunRecord, tasks: bool = True) -> dict[str, Any]:
    row = {**_run_fields(run), "tasks_count": len(run.tasks)}
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
        "usage": _usages(run),
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


def json_chunks(results: Results, tasks_file: str | None = None) -> Iterator[str]:
    """The results document in pieces, one task per line: 100,000 tasks are written without
    building the whole document (or a dict per task) in memory first. With `tasks_file` the
    tasks are not inline: that file (tasks.parquet, beside it) holds them."""
    header = _header(results) | ({"tasks_file": tasks_file} if tasks_file else {})
    yield "{\n"
    for key, value in header.items():
        yield f" {_json(key)}: {_json(value)},\n"
    yield ' "runs": ['
    for n, run in enumerate(results.runs):
        head = _json(run_to_dict(run, tasks=False))
        if tasks_file:
            yield ("," if n else "") + "\n  " + head
            continue
        yield ("," if n else "") + "\n  " + head[:-1] + ', "tasks": ['
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


def write_atomic_bytes(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    """The same for a binary file: `fill` writes it into the handle it is given."""
    try:
        _write_atomic(path, fill)
    except OSError as exc:
        raise OutputFailed(f"cannot write {path}: {exc.strerror or exc}") from None


def _text(text: str | Iterable[str]) -> Callable[[BinaryIO], None]:
    def fill(handle: BinaryIO) -> None:
        for chunk in [text] if isinstance(text, str) else text:
            handle.write(chunk.encode("utf-8"))

    return fill


def _write_atomic(path: Path, text: str | Iterable[str] | Callable[[BinaryIO], None]) -> None:
    fill = text if callable(text) else _text(text)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    IN_PROGRESS.add(tmp)
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; results are ordinary files
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
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


def save(results: Results, path: Path, columnar_above: int = COLUMNAR_ABOVE) -> None:
    """results.json; with more than `columnar_above` tasks, their records in tasks.parquet beside
    it, written first (results.json names it, so a file is never without its tasks). Saved
    inline, a tasks.parquet left from an earlier, larger run in the folder is removed."""
    columnar = sum(len(run.tasks) for run in results.runs) > columnar_above
    beside = path.parent / TASKS_FILE
    if columnar:
        write_atomic_bytes(beside, lambda handle: write_tasks(results.runs, handle))
    write_atomic(path, json_chunks(results, TASKS_FILE if columnar else None))
    if not columnar:
        with contextlib.suppress(OSError):
            beside.unlink(missing_ok=True)


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
