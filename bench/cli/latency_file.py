"""`--latency-from FILE`: the user's own latencies, from a CSV, a JSON list or a HAR file.

- CSV: one latency a row, in seconds. With a header, one column, or the column named `latency`,
  `latency_s`, `seconds`, `duration`, `elapsed` or `response_time` (seconds) or the same with
  `_ms` (milliseconds). Blank rows and rows starting with `#` are skipped.
- JSON: a list of numbers, in seconds.
- HAR (what browsers and proxies export): each entry's `timings.wait`, the time the server took
  to answer, which is what the mock replays (the client's own connect and transfer happen again
  for real); an entry without one falls back to its total `time`. Both are milliseconds.

A bad file is one line naming the row (or entry) and what is wrong with it; the CLI exits 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from pathlib import Path
from typing import Any, Final

from bench.errors import UsageError

MAX_ROWS: Final = 1_000_000
MAX_SECONDS: Final = 1e6  # the CLI's bound on every duration
SECONDS_COLUMNS: Final = ("latency", "latency_s", "seconds", "duration", "elapsed", "response_time")
MS_COLUMNS: Final = tuple(f"{name}_ms" for name in SECONDS_COLUMNS if not name.endswith("_s"))
FLAG = "--latency-from"


def load_latencies(path: Path) -> tuple[list[float], dict[str, object]]:
    """The latencies in seconds, and where they came from: the file's name, format, digest and
    size, never the data."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{FLAG}: cannot read {path} ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{FLAG}: {path} is not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        samples, fmt, column = _from_json(path, text)
    else:
        samples, fmt, column = _from_csv(path, text)
    if not samples:
        raise UsageError(f"{FLAG}: {path} holds no latencies")
    source: dict[str, object] = {
        "file": path.name,
        "format": fmt,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "count": len(samples),
    }
    if column is not None:
        source["column"] = column
    return samples, source


def _seconds(where: str, value: object, factor: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UsageError(f"{FLAG}: {where}: {value!r} is not a number")
    try:
        seconds = float(value) * factor
    except ValueError:
        raise UsageError(f"{FLAG}: {where}: {value!r} is not a number") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"{FLAG}: {where}: {value!r} is not a finite latency >= 0")
    if seconds > MAX_SECONDS:
        raise UsageError(f"{FLAG}: {where}: {value!r} is more than {MAX_SECONDS:,.0f} s")
    return seconds


def _from_csv(path: Path, text: str) -> tuple[list[float], str, str | None]:
    rows = [
        (number, row)
        for number, row in enumerate(csv.reader(io.StringIO(text)), 1)
        if row and any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")
    ]
    if not rows:
        return [], "csv", None
    index, factor, column = 0, 1.0, None
    first_number, first = rows[0]
    if not _numeric(first[0]):
        index, factor, column = _column(path, first_number, first)
        rows = rows[1:]
    if len(rows) > MAX_ROWS:
        raise UsageError(f"{FLAG}: {path} has more than {MAX_ROWS:,} rows")
    samples = []
    for number, row in rows:
        if index >= len(row):
            raise UsageError(f"{FLAG}: {path}: row {number}: no column {index + 1}")
        samples.append(_seconds(f"{path}: row {number}", row[index].strip(), factor))
    return samples, "csv", column


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _column(path: Path, number: int, header: list[str]) -> tuple[int, float, str]:
    names = [cell.strip().lower() for cell in header]
    for index, name in enumerate(names):
        if name in SECONDS_COLUMNS or (len(names) == 1 and not name.endswith("_ms")):
            return index, 1.0, header[index].strip()
        if name in MS_COLUMNS:
            return index, 1e-3, header[index].strip()
    raise UsageError(
        f"{FLAG}: {path}: row {number}: no latency column among {', '.join(header)}; "
        f"name one {SECONDS_COLUMNS[1]} (seconds) or {MS_COLUMNS[0]} (milliseconds)"
    )


def _from_json(path: Path, text: str) -> tuple[list[float], str, str | None]:
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{FLAG}: {path} is not valid JSON ({exc})") from None
    if isinstance(data, list):
        if len(data) > MAX_ROWS:
            raise UsageError(f"{FLAG}: {path} has more than {MAX_ROWS:,} items")
        return [_seconds(f"{path}: item {i}", x, 1.0) for i, x in enumerate(data, 1)], "json", None
    entries = data.get("log", {}).get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UsageError(
            f"{FLAG}: {path}: expected a JSON list of seconds or a HAR file (log.entries)"
        )
    return [_har_entry(path, i, entry) for i, entry in enumerate(entries, 1)], "har", None


def _har_entry(path: Path, number: int, entry: object) -> float:
    where = f"{path}: entry {number}"
    if not isinstance(entry, dict):
        raise UsageError(f"{FLAG}: {where}: not an object")
    timings = entry.get("timings")
    wait = timings.get("wait") if isinstance(timings, dict) else None
    # HAR marks a timing that does not apply as -1.
    if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
        return _seconds(where, wait, 1e-3)
    if "time" not in entry:
        raise UsageError(f"{FLAG}: {where}: neither timings.wait nor time")
    return _seconds(where, entry["time"], 1e-3)
