"""Loading a results file: every problem becomes one ResultsFileError naming the file and the
JSON path (asv's messages: missing version, newer than understood, invalid JSON at line L)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from bench.errors import ResultsFileError as ResultsFileError  # noqa: PLC0414  # re-exported
from bench.model import MAX_WORKERS, Phase, Results, RunRecord, TaskRecord, Usage
from bench.results.fields import TASK_FIELDS, Kind
from bench.results.writer import SCHEMA_VERSION

# Migrations from an older schema to the next one, applied in order on load.
MIGRATIONS: Final[dict[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {}


# Only regular files of a bounded size are read: a FIFO would block forever, /dev/zero never
# ends. A million-task results.json is about 400 MB.
MAX_FILE_BYTES: Final = 2 * 2**30
MAX_SECONDS: Final = 1e9  # about 31 years: any time beyond is not a measurement
MAX_INT: Final = 2**63 - 1  # pids, thread ids and counts are 64-bit at most


def _ns(seconds: float | None) -> int | None:
    if seconds is None:
        return None
    if not -MAX_SECONDS <= seconds <= MAX_SECONDS:
        raise ValueError(f"a time of {seconds:.3g} s is out of range (|t| <= {MAX_SECONDS:g} s)")
    return round(seconds * 1e9)


class _Shape(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


def _field(obj: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise _Shape(f"{where}.{key}", "missing")
    value = obj[key]
    # bool is an int in Python, but true is not a valid number of workers.
    if isinstance(value, bool) and bool not in kinds:
        raise _Shape(f"{where}.{key}", f"expected {_names(kinds)}, got a boolean")
    if not isinstance(value, kinds):
        raise _Shape(f"{where}.{key}", f"expected {_names(kinds)}, got {type(value).__name__}")
    if isinstance(value, str) and not _text(value):
        raise _Shape(f"{where}.{key}", "not valid text (a lone surrogate or a control character)")
    if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        raise _Shape(f"{where}.{key}", "integer out of range (64-bit)")
    if isinstance(value, float) and not -MAX_SECONDS * 1e9 <= value <= MAX_SECONDS * 1e9:
        raise _Shape(f"{where}.{key}", f"number {value:.3g} out of range")
    return value


def _text(value: str) -> bool:
    """Writable as UTF-8 and free of control characters (tabs and newlines aside: error texts
    may hold them), so every report can show it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in value)


def _texts(obj: Any, where: str) -> None:
    """The same check through the free-form parts (environment, config, details)."""
    if isinstance(obj, str) and not _text(obj):
        raise _Shape(where, "not valid text (a lone surrogate or a control character)")
    if isinstance(obj, dict):
        for key, value in obj.items():
            _texts(key, where)
            _texts(value, f"{where}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            _texts(value, f"{where}[{i}]")


def _names(kinds: tuple[type, ...]) -> str:
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


_NUM = (int, float)
_OPT_NUM = (int, float, type(None))
_OPT_INT = (int, type(None))
_OPT_STR = (str, type(None))


def _task(obj: Any, where: str) -> TaskRecord:
    if not isinstance(obj, dict):
        raise _Shape(where, "expected an object")
    try:
        values = {
            f.attr: FROM_JSON[f.kind](obj, f.name, where)
            for f in TASK_FIELDS
            if not f.optional or f.name in obj  # an absent optional field keeps its default
        }
        return TaskRecord(**values)
    except ValueError as exc:
        raise _Shape(where, str(exc)) from None


def _optional(
    obj: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str, default: Any
) -> Any:
    return _field(obj, key, kinds, where) if key in obj else default


Reader = Callable[[Mapping[str, Any], str, str], Any]  # (object, key, where) -> model value


def _typed(kinds: tuple[type, ...]) -> Reader:
    return lambda obj, key, where: _field(obj, key, kinds, where)


def _seconds(obj: Mapping[str, Any], key: str, where: str) -> int:
    return _ns(_field(obj, key, _NUM, where)) or 0


def _opt_seconds(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    return _ns(_field(obj, key, _OPT_NUM, where))


def _statuses_of(obj: Mapping[str, Any], key: str, where: str) -> tuple[int, ...]:
    return _statuses(_field(obj, key, (list,), where), where)


def _phases(obj: Mapping[str, Any], key: str, where: str) -> tuple[Phase, ...]:
    items = _field(obj, key, (list,), where)
    return tuple(_phase(p, f"{where}.{key}[{i}]") for i, p in enumerate(items))


# How each kind of field is read back (bench.results.fields.TO_JSON is the other way).
FROM_JSON: Final[Mapping[Kind, Reader]] = {
    "int": _typed((int,)),
    "str": _typed((str,)),
    "seconds": _seconds,
    "opt_seconds": _opt_seconds,
    "opt_int": _typed(_OPT_INT),
    "opt_str": _typed(_OPT_STR),
    "count": _typed((int,)),
    "statuses": _statuses_of,
    "phases": _phases,
}


def _statuses(values: list[Any], where: str) -> tuple[int, ...]:
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1000 for v in values):
        raise _Shape(f"{where}.retried_statuses", "expected HTTP status codes")
    return tuple(values)


def _phase(obj: Any, where: str) -> Phase:
    if not isinstance(obj, dict):
        raise _Shape(where, "expected an object")
    return Phase(
        _field(obj, "name", (str,), where),
        _ns(_field(obj, "started_at", _NUM, where)) or 0,
        _ns(_field(obj, "finished_at", _NUM, where)) or 0,
        _field(obj, "pid", (int,), where),
        _field(obj, "thread_id", (int,), where),
    )


def _usage(obj: Any, where: str) -> Usage:
    if not isinstance(obj, dict):
        raise _Shape(where, "expected an object")
    return Usage(
        float(_field(obj, "user_seconds", _NUM, where)),
        float(_field(obj, "system_seconds", _NUM, where)),
        _field(obj, "peak_rss_bytes", (int,), where),
        _field(obj, "voluntary_switches", (int,), where),
        _field(obj, "involuntary_switches", (int,), where),
    )


def _run(obj: Any, where: str) -> RunRecord:
    if not isinstance(obj, dict):
        raise _Shape(where, "expected an object")
    tasks = _field(obj, "tasks", (list,), where)
    usage = _field(obj, "usage", (dict,), where)
    try:
        return RunRecord(
            strategy=_field(obj, "strategy", (str,), where),
            workers=_within(_field(obj, "workers", (int,), where), 1, MAX_WORKERS, where),
            status=_field(obj, "status", (str,), where),
            wall_ns=_ns(_field(obj, "wall_seconds", _NUM, where)) or 0,
            startup_ns=_ns(_field(obj, "startup_seconds", _NUM, where)) or 0,
            tasks=tuple(_task(t, f"{where}.tasks[{i}]") for i, t in enumerate(tasks)),
            parent=_usage(usage.get("parent"), f"{where}.usage.parent"),
            children=_usage(usage.get("children"), f"{where}.usage.children"),
            server=_usage(usage["server"], f"{where}.usage.server") if "server" in usage else None,
            details=_checked(_field(obj, "details", (dict,), where), f"{where}.details"),
            reason=_field(obj, "reason", _OPT_STR, where),
            cores=_optional(obj, "cores", (int,), where, 0),
            round=_optional(obj, "round", (int,), where, 0),
        )
    except ValueError as exc:
        raise _Shape(where, str(exc)) from None


def _checked(obj: dict[str, Any], where: str) -> dict[str, Any]:
    _texts(obj, where)
    return obj


def _within(value: int, low: int, high: int, where: str) -> int:
    if not low <= value <= high:
        raise _Shape(where, f"{value} is out of range {low}..{high}")
    return value


def from_dict(data: Any) -> Results:
    if not isinstance(data, dict):
        raise _Shape("$", "expected a JSON object")
    version = data.get("schema_version")
    if version is None:
        raise _Shape("$.schema_version", "missing: not a concurrency-bench results file?")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Shape("$.schema_version", f"expected a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise _Shape(
            "$.schema_version",
            f"version {version} is newer than this concurrency-bench understands "
            f"({SCHEMA_VERSION}); upgrade concurrency-bench",
        )
    for old in range(version, SCHEMA_VERSION):
        data = MIGRATIONS[old](data)
    runs = _field(data, "runs", (list,), "$")
    return Results(
        environment=_checked(_field(data, "environment", (dict,), "$"), "$.environment"),
        config=_checked(_field(data, "config", (dict,), "$"), "$.config"),
        runs=tuple(_run(r, f"$.runs[{i}]") for i, r in enumerate(runs)),
        created=_field(data, "created", (str,), "$"),
    )


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _read(path: Path) -> str:
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
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot read: {exc}") from None


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
        return from_dict(data)
    except _Shape as exc:
        raise ResultsFileError(f"{path}: {exc}") from None
    except RecursionError:
        raise ResultsFileError(f"{path}: nested too deeply to be a results file") from None
