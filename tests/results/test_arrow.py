"""bench.results.arrow: arrays built from buffers equal pyarrow's own conversion, and writing
tasks.parquet imports no pandas (45 MiB of a 100,000-task command's peak)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from bench.model import Phase
from bench.results import arrow
from bench.results.columns import tasks_table
from tests.samples import every_kind_of_field

INTS = [[], [0], [1, -2, 2**62], [None], [3, None, 4, None, None, 5, 6, 7, 8, None]]


@pytest.mark.parametrize("values", INTS)
@pytest.mark.parametrize("bits", [16, 32, 64])
def test_integers_equal_pyarrows_conversion(values: list[int | None], bits: int) -> None:
    if bits < 64:
        values = [None if v is None else v % 2**10 for v in values]
    made = arrow.integers(values, bits)
    made.validate(full=True)
    assert made.equals(pa.array(values, getattr(pa, f"int{bits}")()))


TEXTS = [[], [""], ["a", None, "ünï", "", None], [None, None], ["x" * 9, "é" * 3, "z"]]


@pytest.mark.parametrize("values", TEXTS)
@pytest.mark.parametrize("limit", [1, 4, 10, arrow.TEXT_CHUNK])
def test_strings_equal_pyarrows_conversion_in_chunks_of_at_most_limit_bytes(
    values: list[str | None], limit: int
) -> None:
    made = arrow.strings(values, limit)
    made.validate(full=True)
    assert made.equals(pa.chunked_array([pa.array(values, pa.string())]))
    for chunk in made.chunks:  # more than one string only where they fit together
        assert len(chunk) <= 1 or sum(len(v.encode()) for v in chunk.to_pylist() if v) <= limit


def test_lists_and_structs_equal_pyarrows_conversion() -> None:
    statuses = [(), (200,), (429, 0, 503)]
    flat = arrow.integers([s for row in statuses for s in row], 16)
    assert arrow.lists(statuses, flat).equals(pa.array(statuses, pa.list_(pa.int16())))
    phases = [(Phase("io", 1, 2, 3, 4), Phase("cpu", 2, 5, 6, 7)), (), (Phase("io", 0, 0, 0, 0),)]
    kind = pa.list_(
        pa.struct([(f, pa.string() if f == "name" else pa.int64()) for f in Phase._fields])
    )
    rows = [p for row in phases for p in row]
    made = arrow.lists(phases, arrow.structs(rows, Phase._fields, ("str",) + ("int",) * 4))
    assert made.equals(pa.array([[p._asdict() for p in row] for row in phases], kind))
    assert arrow.structs([], ["a"], ["int"]).equals(pa.array([], pa.struct([("a", pa.int64())])))


def test_a_string_longer_than_the_limit_stands_alone_in_its_chunk() -> None:
    made = arrow.strings(["ab", "abcdef", "c", "d"], limit=3)
    assert [chunk.to_pylist() for chunk in made.chunks] == [["ab"], ["abcdef"], ["c", "d"]]


def test_writing_and_reading_the_tasks_file_import_no_pandas(tmp_path: Path) -> None:
    """In a fresh process: pyarrow remembers a pandas it imported once, so a test here could
    not see the import happen. The old `pa.array` conversion fails this test."""
    code = (
        "import pathlib, sys\n"
        "from bench.results import loader, writer\n"
        "from tests.samples import every_kind_of_field\n"
        "path = pathlib.Path(sys.argv[1], 'results.json')\n"
        "writer.save(every_kind_of_field(), path, columnar_above=0)\n"
        "assert loader.load(path) == every_kind_of_field()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'pyarrow')))\n"
    )
    argv = [sys.executable, "-c", code, str(tmp_path)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert "'pyarrow'" in out.stdout and "pandas" not in out.stdout


def test_the_table_has_every_column_of_the_fields_table() -> None:
    table = tasks_table(every_kind_of_field().runs)
    table.validate(full=True)
    assert table.column_names[:4] == ["run", "index", "symbol", "status"]


@pytest.mark.parametrize("values", INTS)
@pytest.mark.parametrize("start", [0, 1, 3])
def test_filled_reads_values_and_nulls_of_a_slice(values: list[int | None], start: int) -> None:
    small = [None if v is None else v % 2**10 for v in values]
    for array, of in ((pa.array(values, pa.int64()), values), (pa.array(small, pa.int32()), small)):
        assert arrow.filled(array.slice(start), -7) == [-7 if v is None else v for v in of[start:]]
