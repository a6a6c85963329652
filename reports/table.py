"""The timing tables (rich): one row per strategy run, every figure computed from the records.

On a console of at least `WIDE` columns: three tables rather than one 19-column grid, what the run
achieved (timing), how it ran (execution) and what it cost (CPU, memory, IPC, start-up). On a
narrower one (80 columns, a pipe): one summary with the columns that answer the project's
questions, chosen on purpose rather than dropped by rich, and a pointer to the rest. Each table
uses one time unit, named in its title, so values side by side compare at a glance.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from bench.analysis.stats import RunSummary, saturated, summarize_all
from bench.model import Results
from reports.words import CPUS_BUSY_NOTE, SATURATED_NOTE, cpus_busy, fmt, server_busy

WIDE = 100  # the three full tables need this many columns
Value = Callable[[RunSummary], float | None]
Column = tuple[str, list[str]]  # header, one cell per run
TimeColumn = tuple[str, Value]
NARROW_NOTE = (
    "More columns (ideal, p50/p95 task time, queue wait, CPU, memory, IPC, start-up) in a "
    f"terminal of {WIDE}+ columns and in report.html."
)


def time_unit(values: Sequence[float | None]) -> tuple[str, float]:
    """One unit, picked from the largest value, so every figure in a table reads at a glance."""
    largest = max((abs(v) for v in values if v is not None), default=0.0)
    if largest >= 1:
        return "s", 1.0
    if largest >= 1e-3:
        return "ms", 1e3
    return "µs", 1e6


def _time_columns(
    summaries: Sequence[RunSummary], columns: Sequence[TimeColumn]
) -> tuple[str, list[Column]]:
    """Time columns sharing one unit (returned, for the title)."""
    values = {name: [value(s) for s in summaries] for name, value in columns}
    unit, factor = time_unit([v for column in values.values() for v in column])
    digits = 3 if unit == "s" else 2
    return unit, [
        (name, [fmt(None if v is None else v * factor, digits) for v in column])
        for name, column in values.items()
    ]


def _table(
    title: str, summaries: Sequence[RunSummary], columns: Sequence[Column], tight: bool = False
) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=tight,
    )
    table.add_column("strategy", no_wrap=True)
    for header, cells in columns:
        widest = max([len(word) for word in header.split()] + [len(cell) for cell in cells])
        table.add_column(header, justify="right", min_width=widest)
    for i, s in enumerate(summaries):
        table.add_row(s.strategy, *(cells[i] for _, cells in columns))
    return table


def _speedups(summaries: Sequence[RunSummary]) -> list[str]:
    return ["-" if s.speedup is None else f"{s.speedup:.2f}x" for s in summaries]


def _status(s: RunSummary) -> str:
    return s.status if not s.failed else f"{s.status}, {s.failed} failed"


def _problems(s: RunSummary) -> str:
    """The status in few characters: what went wrong, or "ok"."""
    if s.status != "completed":
        return s.status
    return f"{s.failed} failed" if s.failed else "ok"


def timing_table(summaries: Sequence[RunSummary]) -> Table:
    unit, times = _time_columns(
        summaries,
        [
            ("wall", lambda s: s.wall_s),
            ("ideal", lambda s: s.ideal_s),
            ("p50", lambda s: s.p50_task_s),
            ("p95", lambda s: s.p95_task_s),
            ("queue wait", lambda s: s.mean_queue_wait_s),
        ],
    )
    wall, ideal, *task_times = times
    return _table(
        f"Timing (times in {unit}; p50, p95: one task's time)",
        summaries,
        [
            *_sizes(summaries),
            wall,
            ideal,
            ("eff.", [fmt(s.efficiency) for s in summaries]),
            ("speed-up", _speedups(summaries)),
            ("tasks/s", [fmt(s.throughput, 1) for s in summaries]),
            *task_times,
        ],
    )


def execution_table(summaries: Sequence[RunSummary]) -> Table:
    return _table(
        "Execution",
        summaries,
        [
            *_sizes(summaries),
            ("status", [_status(s) for s in summaries]),
            ("peak overlap", [str(s.peak_overlap) for s in summaries]),
            ("threads", [str(s.threads) for s in summaries]),
            ("pids", [str(s.pids) for s in summaries]),
            ("cores", [str(s.cores) if s.cores else "-" for s in summaries]),
        ],
    )


def cost_table(summaries: Sequence[RunSummary]) -> Table:
    unit, (cpu, startup) = _time_columns(
        summaries,
        [
            ("CPU", lambda s: s.cpu_s),
            ("start-up", lambda s: s.startup_s),
        ],
    )
    return _table(
        f"Cost (times in {unit})",
        summaries,
        [
            *_sizes(summaries),
            cpu,
            ("RSS (MiB)", [f"{s.peak_rss_bytes / 2**20:.1f}" for s in summaries]),
            ("IPC (B/task)", [fmt(s.ipc_bytes_per_task, 0) for s in summaries]),
            startup,
        ],
    )


def _sizes(summaries: Sequence[RunSummary]) -> list[Column]:
    """Workers, and the number of tasks too when runs differ in it (a sweep over --tasks):
    rows that look alike must say what they ran."""
    columns: list[Column] = [("workers", [str(s.workers) for s in summaries])]
    if len({s.tasks for s in summaries}) > 1:
        columns.append(("tasks", [str(s.tasks) for s in summaries]))
    return columns


def last_responses(counts: dict[int | None, int]) -> str:
    """ "200 x 990, 500 x 10, none x 2": how the tasks' last HTTP responses ended."""
    parts = sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    return ", ".join(f"{'none' if k is None else k} x {n}" for k, n in parts)


def http_table(summaries: Sequence[RunSummary], narrow: bool = False, cpus: int = 0) -> Table:
    """What the HTTP collectors met: requests, retries by cause, how the tasks' last responses
    ended (none: a timeout or a dropped connection)."""
    rows = [s for s in summaries if s.http is not None]
    counts = [s.http for s in rows if s.http is not None]
    causes: list[Column] = [
        ("429", [str(h.retried.get(429, 0)) for h in counts]),
        ("503", [str(h.retried.get(503, 0)) for h in counts]),
        ("dropped", [str(h.retried.get(0, 0)) for h in counts]),
    ]
    columns: list[Column] = [
        ("workers", [str(s.workers) for s in rows]),
        ("requests", [str(h.requests) for h in counts]),
        ("retried", [str(h.retries) for h in counts]),
        *([] if narrow else causes),  # by cause: on a wide console and in the report
        ("server CPU", [server_busy(s.server_busy) for s in rows]),
        ("CPUs busy", [cpus_busy(s, cpus) for s in rows]),
    ]
    if not narrow:
        columns.append(("last response (tasks)", [last_responses(h.final) for h in counts]))
    title = "HTTP (retried: attempts sent again" + (")" if narrow else ", by cause)")
    table = _table(title, rows, columns, tight=narrow)
    notes = [CPUS_BUSY_NOTE] + [SATURATED_NOTE] * any(saturated(s.server_busy) for s in rows)
    table.caption, table.caption_justify = "\n".join(notes), "left"
    return table


def summary_table(summaries: Sequence[RunSummary]) -> Table:
    """The narrow view: the answer first (how fast, how parallel, on how many threads/pids)."""
    unit, (wall,) = _time_columns(summaries, [("wall", lambda s: s.wall_s)])
    columns: list[Column] = [
        *_sizes(summaries),
        wall,
        ("speed-up", _speedups(summaries)),
        ("eff.", [fmt(s.efficiency) for s in summaries]),
        ("threads", [str(s.threads) for s in summaries]),
        ("pids", [str(s.pids) for s in summaries]),
    ]
    if any(s.status != "completed" or s.failed for s in summaries):
        columns.append(("status", [_problems(s) for s in summaries]))
    return _table(f"Summary (times in {unit})", summaries, columns, tight=True)


def build_tables(results: Results, width: int = WIDE) -> Group:
    summaries = summarize_all(results.runs)
    parts: list[RenderableType]
    if width >= WIDE:
        parts = [timing_table(summaries), execution_table(summaries), cost_table(summaries)]
    else:
        parts = [summary_table(summaries), Text(NARROW_NOTE)]
    if any(s.http is not None for s in summaries):
        cpus = results.environment.get("usable_cpus")
        cpus = cpus if isinstance(cpus, int) else 0
        parts.append(http_table(summaries, narrow=width < WIDE, cpus=cpus))
    parts += [Text(line) for line in cut_short(summaries)]
    return Group(*parts)


def cut_short(summaries: Sequence[RunSummary]) -> list[str]:
    """Why each run that did not complete stopped; its ratios would compare a part with a whole."""
    return [
        f"{s.strategy} (workers {s.workers}) {s.status}: {s.reason or 'no reason recorded'}; "
        "no efficiency, speed-up or throughput for a run cut short"
        for s in summaries
        if s.status != "completed"
    ]


def format_tables(results: Results, width: int = WIDE) -> str:
    """The tables as plain text on a fixed-width, colourless console (what golden tests compare)."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False)
    console.print(build_tables(results, width))
    return out.getvalue()
