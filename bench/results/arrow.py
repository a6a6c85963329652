"""Arrow arrays built from Python values through numpy buffers, for tasks.parquet.

pyarrow's own conversion (`pa.array` of a list, `pa.table` of a dict) imports pandas whenever
pandas is installed, only to ask whether the values are a pandas object: about 45 MiB of the
100,000-task command's peak RSS, which was 313-326 MiB against a 250 MiB target. Built from its
buffers, each array is the same (the same Parquet file, byte for byte) and no pandas is
imported; tests pin both. numpy is no extra cost: pyarrow imports it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pyarrow as pa

TEXT_CHUNK: Final = 2**31 - 1  # bytes of text in one array: a string array's offsets are int32


def integers(values: Sequence[int | None], bits: int = 64) -> pa.Array:
    """An int array of `bits` bits; None is null."""
    dtype, kind = np.dtype(f"int{bits}"), getattr(pa, f"int{bits}")()
    validity, nulls = _validity(values)
    # np.array raises OverflowError for a value out of range
    data = np.array(values if not nulls else [0 if v is None else v for v in values], dtype)
    buffers = [validity, pa.py_buffer(data)]
    return pa.Array.from_buffers(kind, len(values), buffers, null_count=nulls)


def _validity(values: Sequence[object]) -> tuple[Any, int]:
    """Arrow's validity bitmap of `values` (None where none is null) and the count of nulls."""
    if None not in values:
        return None, 0
    present = np.array([v is not None for v in values], bool)
    nulls = len(values) - int(np.count_nonzero(present))
    return pa.py_buffer(np.packbits(present, bitorder="little")), nulls


def strings(values: Sequence[str | None], limit: int = TEXT_CHUNK) -> pa.ChunkedArray:
    """A string column; None is null. Split into arrays of at most `limit` bytes of text each."""
    texts = [v or "" for v in values]
    joined = "".join(texts)
    if joined.isascii():  # a character a byte: one encode for the column, lengths from str
        data, lengths = joined.encode(), np.array(list(map(len, texts)), np.int64)
    else:
        encoded = [text.encode() for text in texts]
        data, lengths = b"".join(encoded), np.array(list(map(len, encoded)), np.int64)
    ends = np.cumsum(lengths)
    chunks: list[Any] = []
    row = 0
    while row < len(texts) or not chunks:
        base = int(ends[row - 1]) if row else 0
        stop = max(int(np.searchsorted(ends, base + limit, side="right")), row + 1)
        stop = min(stop, len(texts))
        part = data[base : int(ends[stop - 1]) if stop else 0]
        chunks.append(_text(values[row:stop], part, ends[row:stop] - base))
        row = stop
    return pa.chunked_array(chunks, pa.string())


def _text(values: Sequence[str | None], data: bytes, ends: Any) -> pa.Array:
    count = len(values)
    offsets = np.zeros(count + 1, np.int32)
    offsets[1:] = ends  # raises OverflowError for a single string past the limit
    validity, nulls = _validity(values)
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), count, buffers, null_count=nulls)


def lists(items: Sequence[Sequence[Any]], flat: pa.Array) -> pa.Array:
    """A list column: row n holds the next len(items[n]) values of `flat`."""
    offsets = np.zeros(len(items) + 1, np.int32)
    offsets[1:] = np.cumsum(np.fromiter(map(len, items), np.int64, len(items)))
    starts = pa.Array.from_buffers(pa.int32(), len(offsets), [None, pa.py_buffer(offsets)])
    return pa.ListArray.from_arrays(starts, flat)


def structs(rows: Sequence[tuple[Any, ...]], names: Sequence[str], kinds: Sequence[str]) -> Any:
    """A struct array of `rows`, field n named names[n], of kinds[n] ("str" or "int")."""
    columns = zip(*rows, strict=True) if rows else itertools.repeat((), len(names))
    arrays = [
        pa.concat_arrays(strings(list(c)).chunks) if kind == "str" else integers(list(c))
        for c, kind in zip(columns, kinds, strict=True)
    ]
    return pa.StructArray.from_arrays(arrays, names=list(names))


def filled(array: pa.Array, fill: int) -> list[int]:
    """An int array's values, `fill` for null, read from its buffers (pyarrow's own fill_null
    and to_numpy with nulls import pandas)."""
    count, start = len(array), array.offset
    validity, data = array.buffers()
    values = np.frombuffer(data, array.type.to_pandas_dtype())[start : start + count]
    if validity is None or not array.null_count:
        return list(values.tolist())
    bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")
    return list(np.where(bits[start : start + count], values, fill).tolist())


def table(columns: dict[str, pa.Array | pa.ChunkedArray]) -> pa.Table:
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))
