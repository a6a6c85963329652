"""The statistics table for repeated runs and sweeps: medians, spreads, intervals, warnings."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

from bench.repeats import GroupStats, Spread


def _s(spread: Spread | None, unit: str = "", digits: int = 3) -> str:
    return "-" if spread is None else f"{spread.median:.{digits}f}{unit}"


def _ci(spread: Spread | None, digits: int = 3) -> str:
    return "-" if spread is None else f"{spread.low:.{digits}f}-{spread.high:.{digits}f}"


def stats_rows(groups: Sequence[GroupStats]) -> list[dict[str, str]]:
    return [
        {
            "group": g.strategy, "workers": str(g.workers), "tasks": str(g.tasks),
            "runs": str(g.runs), "wall": _s(g.wall, " s"), "wall_ci": _ci(g.wall),
            "range": f"{g.wall.minimum:.3f}-{g.wall.maximum:.3f}", "iqr": f"{g.wall.iqr:.3f}",
            "cpu": _s(g.cpu, " s", 2), "efficiency": _s(g.efficiency, "", 3),
            "efficiency_ci": _ci(g.efficiency), "speedup": _s(g.speedup, "x", 2),
            "speedup_ci": _ci(g.speedup, 2), "warnings": "; ".join(g.warnings),
        }
        for g in groups
    ]  # fmt: skip


def stats_table(groups: Sequence[GroupStats]) -> Table:
    table = Table(title="Statistics (median and 95% bootstrap interval over rounds)",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)  # fmt: skip
    # Wall and CPU side by side: users of parallel code confuse them. min-max is in the HTML.
    columns = [("strategy", "group"), ("workers", "workers"), ("tasks", "tasks"), ("runs", "runs"),
               ("wall", "wall"), ("95% CI", "wall_ci"), ("CPU", "cpu"), ("IQR", "iqr"),
               ("eff.", "efficiency"), ("speed-up", "speedup")]  # fmt: skip
    rows = stats_rows(groups)
    for header, key in columns:
        width = max([len(header), *(len(r[key]) for r in rows)])
        table.add_column(header, justify="left" if key == "group" else "right", min_width=width)
    for row in rows:
        table.add_row(*(row[key] for _, key in columns))
    return table


def warning_lines(groups: Sequence[GroupStats]) -> list[str]:
    return [f"warning: {g.label}: {w}" for g in groups for w in g.warnings]
