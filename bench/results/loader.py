"""Loading a results file: every problem becomes one ResultsFileError naming the file and the
JSON path (asv's messages: missing version, newer than understood, invalid JSON at line L)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Final

from bench.errors import ResultsFileError as ResultsFileError  # noqa: PLC0414  # re-exported
from bench.model import MAX_WORKERS, Phase, Results, RunRecord, TaskRecord, Usage
from bench.results.checks import (
    MAX_INT,
    NUM,
    OPT_INT,
    OPT_NUM,
    OPT_STR,
    Shape,
    check_texts,
    is_text,
    to_ns,
    typed_field,
)
from bench.results.columns import TASKS_FILE, ColumnsError, read_tasks
from bench.results.fields import TASK_FIELDS, Kind
from bench.results.writer import SCHEMA_VERSION


def _inline_tasks(data: dict[str, Any]) -> dict[str, Any]:
    """1 -> 2: version 2 may keep the tasks in tasks.parquet; a version 1 file is a version 2
    file with its tasks inline, as it stands."""
    return {**data, "schema_version": 2}


# Migrations from an older schema to the next one, applied in order on load.
MIGRATIONS: Final[dict[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {1: _inline_tasks}


# Only regular files of a bounded size are read: a FIFO would block forever, /dev/zero never
# ends. A million-task results.json is about 400 MB.
MAX_FILE_BYTES: Final = 2 * 2**30


def _task(obj: Any, where: str) -> TaskRecord:
    if not isinstance(obj, dict):
        raise Shape(where, "expected an object")
    try:
        values = {
            f.attr: FROM_JSON[f.kind](obj, f.name, where)
            for f in TASK_FIELDS
            if not f.optional or f.name in obj  # an absent optional field keeps its default
        }
        return TaskRecord(**values)
    except ValueError as exc:
        raise Shape(where, str(exc)) from None


def _optional(
    obj: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str, default: Any
) -> Any:
    return typed_field(obj, key, kinds, where) if key in obj else default


Reader = Callable[[Mapping[str, Any], str, str], Any]  # (object, key, where) -> model value


def _typed(kinds: tuple[type, ...]) -> Reader:
    return lambda obj, key, where: typed_field(obj, key, kinds, where)


def _seconds(obj: Mapping[str, Any], key: str, where: str) -> int:
    return to_ns(typed_field(obj, key, NUM, where)) or 0


def _opt_seconds(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    return to_ns(typed_field(obj, key, OPT_NUM, where))


def _statuses_of(obj: Mapping[str, Any], key: str, where: str) -> tuple[int, ...]:
    return _statuses(typed_field(obj, key, (list,), where), where)


def _phases(obj: Mapping[str, Any], key: str, where: str) -> tuple[Phase, ...]:
    items = typed_field(obj, key, (list,), where)
    return tuple(_phase(p, f"{where}.{key}[{i}]") for i, p in enumerate(items))


# How each kind of field is read back (bench.results.fields.TO_JSON is the other way).
FROM_JSON: Final[Mapping[Kind, Reader]] = {
    "int": _typed((int,)),
    "str": _typed((str,)),
    "seconds": _seconds,
    "opt_seconds": _opt_seconds,
    "opt_int": _typed(OPT_INT),
    "opt_str": _typed(OPT_STR),
    "count": _typed((int,)),
    "statuses": _statuses_of,
    "phases": _phases,
}


def _statuses(values: list[Any], where: str) -> tuple[int, ...]:
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1000 for v in values):
        raise Shape(f"{where}.retried_statuses", "expected HTTP status codes")
    return tuple(values)


def _phase(obj: Any, where: str) -> Phase:
    if not isinstance(obj, dict):
        raise Shape(where, "expected an object")
    return Phase(
        typed_field(obj, "name", (str,), where),
        to_ns(typed_field(obj, "started_at", NUM, where)) or 0,
        to_ns(typed_field(obj, "finished_at", NUM, where)) or 0,
        typed_field(obj, "pid", (int,), where),
        typed_field(obj, "thread_id", (int,), where),
    )


def _usage(obj: Any, where: str) -> Usage:
    if not isinstance(obj, dict):
        raise Shape(where, "expected an object")
    return Usage(
        float(typed_field(obj, "user_seconds", NUM, where)),
        float(typed_field(obj, "system_seconds", NUM, where)),
        typed_field(obj, "peak_rss_bytes", (int,), where),
        typed_field(obj, "voluntary_switches", (int,), where),
        typed_field(obj, "involuntary_switches", (int,), where),
    )


def _run(obj: Any, where: str, beside: tuple[TaskRecord, ...] | None) -> RunRecord:
    if not isinstance(obj, dict):
        raise Shape(where, "expected an object")
    tasks = beside if beside is not None else _inline(obj, where)
    usage = typed_field(obj, "usage", (dict,), where)
    try:
        return RunRecord(
            strategy=typed_field(obj, "strategy", (str,), where),
            workers=_within(typed_field(obj, "workers", (int,), where), 1, MAX_WORKERS, where),
            status=typed_field(obj, "status", (str,), where),
            wall_ns=to_ns(typed_field(obj, "wall_seconds", NUM, where)) or 0,
            startup_ns=to_ns(typed_field(obj, "startup_seconds", NUM, where)) or 0,
            tasks=tasks,
            parent=_usage(usage.get("parent"), f"{where}.usage.parent"),
            children=_usage(usage.get("children"), f"{where}.usage.children"),
            server=_usage(usage["server"], f"{where}.usage.server") if "server" in usage else None,
            details=_checked(typed_field(obj, "details", (dict,), where), f"{where}.details"),
            reason=typed_field(obj, "reason", OPT_STR, where),
            cores=_optional(obj, "cores", (int,), where, 0),
            round=_optional(obj, "round", (int,), where, 0),
        )
    except ValueError as exc:
        raise Shape(where, str(exc)) from None


def _inline(obj: dict[str, Any], where: str) -> tuple[TaskRecord, ...]:
    tasks = typed_field(obj, "tasks", (list,), where)
    count = _optional(obj, "tasks_count", (int,), where, len(tasks))
    if count != len(tasks):
        raise Shape(f"{where}.tasks_count", f"{count}, but the run holds {len(tasks)} tasks")
    return tuple(_task(t, f"{where}.tasks[{i}]") for i, t in enumerate(tasks))


def _counts(runs: list[Any]) -> list[int]:
    """Each run's `tasks_count`, for a file whose tasks are in tasks.parquet."""
    counts = []
    for i, run in enumerate(runs):
        if not isinstance(run, dict):
            raise Shape(f"$.runs[{i}]", "expected an object")
        counts.append(
            _within(typed_field(run, "tasks_count", (int,), f"$.runs[{i}]"), 0, MAX_INT, "$")
        )
    return counts


Beside = Callable[[str, list[int]], list[tuple[TaskRecord, ...]]]  # (file name, counts) -> tasks


def _checked(obj: dict[str, Any], where: str) -> dict[str, Any]:
    check_texts(obj, where)
    return obj


def _within(value: int, low: int, high: int, where: str) -> int:
    if not low <= value <= high:
        raise Shape(where, f"{value} is out of range {low}..{high}")
    return value


def from_dict(data: Any, beside: Beside | None = None) -> Results:
    """The results in `data`; `beside` reads the tasks file a large results.json names."""
    if not isinstance(data, dict):
        raise Shape("$", "expected a JSON object")
    version = data.get("schema_version")
    if version is None:
        raise Shape("$.schema_version", "missing: not a concurrency-bench results file?")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise Shape("$.schema_version", f"expected a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise Shape(
            "$.schema_version",
            f"version {version} is newer than this concurrency-bench understands "
            f"({SCHEMA_VERSION}); upgrade concurrency-bench",
        )
    for old in range(version, SCHEMA_VERSION):
        data = MIGRATIONS[old](data)
    runs = typed_field(data, "runs", (list,), "$")
    header = (
        _checked(typed_field(data, "environment", (dict,), "$"), "$.environment"),
        _checked(typed_field(data, "config", (dict,), "$"), "$.config"),
    )
    tasks: list[tuple[TaskRecord, ...] | None] = [None] * len(runs)
    if "tasks_file" in data:
        tasks = list(_beside(data, runs, beside))
    return Results(
        environment=header[0],
        config=header[1],
        runs=tuple(_run(r, f"$.runs[{i}]", tasks[i]) for i, r in enumerate(runs)),
        created=typed_field(data, "created", (str,), "$"),
    )


def _beside(data: dict[str, Any], runs: list[Any], beside: Beside | None) -> Any:
    name = typed_field(data, "tasks_file", (str,), "$")
    if name != TASKS_FILE:  # a name, never a path: a file cannot send the loader elsewhere
        raise Shape("$.tasks_file", f"expected {TASKS_FILE!r}, got {name!r}")
    if beside is None:
        raise Shape("$.tasks_file", f"the tasks are in {name}, beside the file: load the file")
    return beside(name, _counts(runs))


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _read(path: Path) -> str:
    _regular(path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot read: {exc}") from None


def _regular(path: Path) -> None:
    try:
        info = path.stat()  # stat, not open: opening a FIFO would block until a writer comes
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise ResultsFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ResultsFileError(f"{path}: is a directory, not a results file")
    if not stat.S_ISREG(info.st_mode):
        raise ResultsFileError(f"{path}: not a regular file (a pipe, socket or device)")
    if info.st_size > MAX_FILE_BYTES:
        raise ResultsFileError(
            f"{path}: {info.st_size / 2**30:.1f} GiB is larger than a results file can be "
            f"({MAX_FILE_BYTES / 2**30:.0f} GiB)"
        )


def _read_beside(path: Path, name: str, counts: list[int]) -> list[tuple[TaskRecord, ...]]:
    tasks = path.parent / name
    _regular(tasks)
    try:
        return read_tasks(tasks, counts, is_text)
    except ColumnsError as exc:
        raise ResultsFileError(f"{tasks}: {exc}") from None


def load(path: Path) -> Results:
    text = _read(path)
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        hint = " (file may be truncated: an interrupted run?)" if exc.pos >= len(text) - 1 else ""
        raise ResultsFileError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}"
        ) from None
    except ValueError as exc:
        raise ResultsFileError(f"{path}: invalid JSON: {exc}") from None
    except RecursionError:
        raise ResultsFileError(f"{path}: invalid JSON: nested too deeply") from None
    try:
        return from_dict(data, partial(_read_beside, path))
    except Shape as exc:
        raise ResultsFileError(f"{path}: {exc}") from None
    except RecursionError:
        raise ResultsFileError(f"{path}: nested too deeply to be a results file") from None
