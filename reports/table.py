"""The timing tables (rich): one row per strategy run, every figure computed from the records.

Three tables rather than one 19-column grid, so each fits a 100-column terminal: what the run
achieved (timing), how it ran (execution) and what it cost (CPU, memory, IPC, start-up). Every
column is as wide as its longest value, so a narrow terminal wraps headers, never numbers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from rich import box
from rich.console import Console, Group
from rich.table import Table

from bench.model import Results
from bench.stats import RunSummary, summarize_all

Value = Callable[[RunSummary], float | None]
Column = tuple[str, list[str]]  # header, one cell per run


def time_unit(values: Sequence[float | None]) -> tuple[str, float]:
    """One unit per column, picked from its largest value, so a column reads at a glance."""
    largest = max((abs(v) for v in values if v is not None), default=0.0)
    if largest >= 1:
        return "s", 1.0
    if largest >= 1e-3:
        return "ms", 1e3
    return "µs", 1e6


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _times(name: str, summaries: Sequence[RunSummary], value: Value) -> Column:
    values = [value(s) for s in summaries]
    unit, factor = time_unit(values)
    return f"{name} ({unit})", [_fmt(None if v is None else v * factor) for v in values]


def _table(title: str, summaries: Sequence[RunSummary], columns: Sequence[Column]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("strategy", no_wrap=True)
    for header, cells in columns:
        widest = max([len(word) for word in header.split()] + [len(cell) for cell in cells])
        table.add_column(header, justify="right", min_width=widest)
    for i, s in enumerate(summaries):
        table.add_row(s.strategy, *(cells[i] for _, cells in columns))
    return table


def timing_table(summaries: Sequence[RunSummary]) -> Table:
    return _table("Timing", summaries, [
        ("workers", [str(s.workers) for s in summaries]),
        _times("wall", summaries, lambda s: s.wall_s),
        _times("ideal", summaries, lambda s: s.ideal_s),
        ("eff.", [_fmt(s.efficiency) for s in summaries]),
        ("speed-up", ["-" if s.speedup is None else f"{s.speedup:.2f}x" for s in summaries]),
        ("tasks/s", [_fmt(s.throughput, 1) for s in summaries]),
        _times("p50 task", summaries, lambda s: s.p50_task_s),
        _times("p95 task", summaries, lambda s: s.p95_task_s),
        _times("queue wait", summaries, lambda s: s.mean_queue_wait_s),
    ])  # fmt: skip


def _status(s: RunSummary) -> str:
    return s.status if not s.failed else f"{s.status}, {s.failed} failed"


def execution_table(summaries: Sequence[RunSummary]) -> Table:
    return _table("Execution", summaries, [
        ("status", [_status(s) for s in summaries]),
        ("peak overlap", [str(s.peak_overlap) for s in summaries]),
        ("threads", [str(s.threads) for s in summaries]),
        ("pids", [str(s.pids) for s in summaries]),
        ("cores", [str(s.cores) if s.cores else "-" for s in summaries]),
    ])  # fmt: skip


def cost_table(summaries: Sequence[RunSummary]) -> Table:
    return _table("Cost", summaries, [
        ("CPU (s)", [_fmt(s.cpu_s) for s in summaries]),
        ("RSS (MiB)", [f"{s.peak_rss_bytes / 2**20:.1f}" for s in summaries]),
        ("IPC (B/task)", [_fmt(s.ipc_bytes_per_task, 0) for s in summaries]),
        _times("start-up", summaries, lambda s: s.startup_s),
    ])  # fmt: skip


def build_tables(results: Results) -> Group:
    summaries = summarize_all(results.runs)
    return Group(timing_table(summaries), execution_table(summaries), cost_table(summaries))


def format_tables(results: Results, width: int = 100) -> str:
    """The tables as plain text on a fixed-width, colourless console (what golden tests compare)."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False)
    console.print(build_tables(results))
    return out.getvalue()
