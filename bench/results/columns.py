"""tasks.parquet: the task records of a large results file, one columnar table beside it.

A results file holding more than COLUMNAR_ABOVE tasks keeps them here instead of inline in
results.json: a million tasks take about 6 bytes each (zstd, delta-coded times, dictionary-coded
names) instead of 290, and `pandas.read_parquet` reads the file as it is. Columns come from the
one field table (bench.results.fields): a row per task of every run, `run` (the run's position in
results.json) first, times as integer nanoseconds from the run's start (`started_ns`), so they
round-trip exactly. An optional field's column is written only when some task has it.

pyarrow is imported here and in bench.results.arrow only, and only when a large file is written
or read: `bench --version` and a small run never pay for it. Neither path imports pandas (the
arrays are built from buffers, the file read through ParquetFile): pandas cost the 100,000-task
command 45 MiB of its peak for a check pyarrow makes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import fields as dataclass_fields
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO, Final

from bench.model import Phase, RunRecord, TaskRecord
from bench.results.fields import TASK_FIELDS, Kind, TaskField

COLUMNAR_ABOVE: Final = 5_000  # tasks in the file: more go to tasks.parquet, fewer stay inline
TASKS_FILE: Final = "tasks.parquet"
MAX_NS: Final = 10**18  # about 31 years, as the JSON loader's MAX_SECONDS
_TIMES: Final = ("seconds", "opt_seconds")
# Text: written as plain strings (Parquet dictionary-codes each column chunk itself; an arrow
# dictionary of a million unique symbols cost 270 MB to build), read back as a dictionary so
# each distinct name becomes one Python string, not one per task.
_DICTIONARY: Final = ("str", "opt_str")


class ColumnsError(Exception):
    """tasks.parquet cannot be used; the message says where (the loader names the file)."""


def column_name(field: TaskField) -> str:
    """Times are stored as integer ns, named as in the model (`started_ns`); the rest as in
    results.json and tasks.csv."""
    return field.attr if field.kind in _TIMES else field.name


def _arrow_type(kind: Kind) -> Any:
    import pyarrow as pa

    if kind in _DICTIONARY:
        return pa.dictionary(pa.int32(), pa.string())
    if kind == "statuses":
        return pa.list_(pa.int16())
    if kind == "phases":
        parts = [("name", pa.string()), ("started_ns", pa.int64()), ("finished_ns", pa.int64())]
        return pa.list_(pa.struct([*parts, ("pid", pa.int64()), ("thread_id", pa.int64())]))
    return pa.int64()


def _values(runs: Sequence[RunRecord], attr: str) -> list[Any]:
    get = attrgetter(attr)
    return [value for run in runs for value in map(get, run.tasks)]


def _written(runs: Sequence[RunRecord]) -> list[TaskField]:
    """Every field that is not optional, and the optional ones some task has."""
    return [
        f
        for f in TASK_FIELDS
        if not f.optional or any(any(map(attrgetter(f.attr), run.tasks)) for run in runs)
    ]


def tasks_table(runs: Sequence[RunRecord]) -> Any:
    """The pyarrow table of every task of every run, a column at a time."""
    from bench.results import arrow

    columns = {"run": _run_column([len(run.tasks) for run in runs])}
    for field in _written(runs):
        columns[column_name(field)] = _array(field.kind, _values(runs, field.attr))
    return arrow.table(columns)


def _array(kind: Kind, values: list[Any]) -> Any:
    from bench.results import arrow

    if kind in _DICTIONARY:
        return arrow.strings(values)
    if kind == "statuses":
        return arrow.lists(values, arrow.integers(list(itertools.chain(*values)), 16))
    if kind == "phases":
        phases = arrow.structs(list(itertools.chain(*values)), Phase._fields, _PHASE_KINDS)
        return arrow.lists(values, phases)
    return arrow.integers(values)


_PHASE_KINDS: Final = ("str", "int", "int", "int", "int")


def _run_column(counts: Sequence[int]) -> Any:
    """The `run` column: each run's position in results.json, once per task of it."""
    from bench.results import arrow

    return arrow.integers([n for n, count in enumerate(counts) for _ in range(count)], 32)


def write_tasks(runs: Sequence[RunRecord], handle: BinaryIO) -> None:
    import pyarrow.parquet as pq

    table = tasks_table(runs)
    delta = [
        name
        for name, kind in _kinds(table.column_names).items()
        if kind in ("int", "seconds", "opt_seconds", "count")
    ]
    pq.write_table(
        table,
        handle,
        compression="zstd",
        use_dictionary=[name for name in table.column_names if name not in delta],
        column_encoding=dict.fromkeys(delta, "DELTA_BINARY_PACKED"),
    )


def _kinds(names: Sequence[str]) -> dict[str, Kind]:
    by_name = {column_name(f): f.kind for f in TASK_FIELDS}
    return {name: by_name[name] for name in names if name in by_name}


# TaskRecord's attributes in order, for building records positionally (a million of them).
_ORDER: Final = tuple(f.name for f in dataclass_fields(TaskRecord))
_DEFAULTS: Final = {
    f.name: f.default for f in dataclass_fields(TaskRecord) if f.default is not f.default_factory
}


def read_tasks(
    path: Path, counts: Sequence[int], text: Callable[[str], bool]
) -> list[tuple[TaskRecord, ...]]:
    """Each run's records, `counts[n]` for run n, in file order. A file that does not match
    (a column missing or of the wrong type, rows for other runs, a bad value) is a
    ColumnsError naming the column or row; `text` says whether a string may be shown."""
    import pyarrow.parquet as pq

    try:
        names = [column_name(f) for f in TASK_FIELDS if f.kind in _DICTIONARY]
        # ParquetFile, not read_table: read_table imports pandas (45 MiB) for one argument check.
        with pq.ParquetFile(path, read_dictionary=names) as file:
            table = file.read()
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ColumnsError(f"not a readable Parquet file: {exc}") from None
    table = _check_runs(table, counts)
    columns = {f.attr: _column(table, f, text) for f in TASK_FIELDS}
    rows = zip(*(columns.get(a) or itertools.repeat(_DEFAULTS[a]) for a in _ORDER), strict=False)
    records = [_record(values, n) for n, values in enumerate(rows)]
    starts = list(itertools.accumulate(counts, initial=0))
    return [tuple(records[a:b]) for a, b in itertools.pairwise(starts)]


def _record(values: tuple[Any, ...], row: int) -> TaskRecord:
    try:
        return TaskRecord(*values)
    except (ValueError, TypeError) as exc:
        raise ColumnsError(f"row {row}: {exc}") from None


def _check_runs(table: Any, counts: Sequence[int]) -> Any:
    """The rows of `counts`' runs, in order. Rows past them (runs a save added after this
    results.json was written, when an interrupt came between the two files) are left out."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "run" not in table.column_names:
        raise ColumnsError("column run: missing")
    total = sum(counts)
    expected = _run_column(counts)
    found = table.column("run").cast(pa.int32())
    rest = found.slice(total)
    later = len(rest) == 0 or pc.min(rest).as_py() >= len(counts)
    if len(found) < total or not found.slice(0, total).equals(pa.chunked_array([expected])):
        later = False
    if not later:
        raise ColumnsError(f"column run: the rows do not hold runs of {list(counts)} tasks")
    return table.slice(0, total)


def _column(table: Any, field: TaskField, text: Callable[[str], bool]) -> list[Any] | None:
    """The column's values as Python objects (None: an optional column not written)."""
    name = column_name(field)
    if name not in table.column_names:
        if field.optional:
            return None
        raise ColumnsError(f"column {name}: missing")
    column = table.column(name)
    expected = _arrow_type(field.kind)
    if not column.type.equals(expected) and not _decoded(column.type, expected):
        raise ColumnsError(f"column {name}: expected {expected}, got {column.type}")
    _check_values(name, field, column, text)
    if field.kind in _DICTIONARY:
        return _words(column)
    values = column.to_pylist()
    return [_from_cell(field.kind, v) for v in values] if field.kind in _LISTS else values


_LISTS: Final = ("statuses", "phases")


def _words(column: Any) -> list[str | None]:
    """A text column's values, each distinct one a single Python string."""
    import pyarrow as pa

    from bench.results import arrow

    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    values: list[str | None] = []
    for chunk in column.chunks:
        words = [*chunk.dictionary.to_pylist(), None]  # index -1: null
        values += [words[i] for i in arrow.filled(chunk.indices, -1)]
    return values


def _decoded(found: Any, expected: Any) -> bool:
    """A string column another writer did not dictionary-code is as good."""
    import pyarrow as pa

    return bool(pa.types.is_dictionary(expected) and found.equals(expected.value_type))


def _from_cell(kind: Kind, value: Any) -> Any:
    if value is None:
        return ()
    if kind == "statuses":
        return tuple(value)
    return tuple(
        Phase(p["name"], p["started_ns"], p["finished_ns"], p["pid"], p["thread_id"]) for p in value
    )


def _check_values(name: str, field: TaskField, column: Any, text: Callable[[str], bool]) -> None:
    """Nulls where the field has none, times out of range, text a report could not show: checked
    on the whole column at once (pyarrow.compute), not a million values one by one."""
    import pyarrow.compute as pc

    if field.kind in ("int", "str", "seconds", "count") and column.null_count:
        raise ColumnsError(f"column {name}: {column.null_count} null values")
    if field.kind in _TIMES and len(column) > column.null_count:
        low, high = pc.min_max(column).values()
        if not -MAX_NS <= low.as_py() <= high.as_py() <= MAX_NS:
            raise ColumnsError(f"column {name}: a time out of range (|t| <= {MAX_NS} ns)")
    if field.kind in _DICTIONARY:
        bad = next(
            (v for v in pc.unique(column).to_pylist() if v is not None and not text(v)), None
        )
        if bad is not None:
            raise ColumnsError(f"column {name}: {bad!r} is not valid text (a control character)")
