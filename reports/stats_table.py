"""The statistics table for repeated runs and sweeps: medians, spreads, intervals, warnings."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

from bench.analysis.repeats import GroupStats, Spread
from bench.analysis.significance import MIN_SAMPLES_FOR_INTERVAL
from reports.table import WIDE, time_unit


def _s(spread: Spread | None, unit: str = "", digits: int = 3) -> str:
    return "-" if spread is None else f"{spread.median:.{digits}f}{unit}"


def _ci(spread: Spread | None, digits: int = 3, factor: float = 1.0) -> str:
    """The interval, or "-" where there are too few runs for one (see NO_INTERVAL)."""
    interval = None if spread is None else spread.interval
    if interval is None:
        return "-"
    low, high = interval
    return f"{low * factor:.{digits}f}-{high * factor:.{digits}f}"


NO_INTERVAL = (
    f'No interval with fewer than {MIN_SAMPLES_FOR_INTERVAL} runs: one run\'s "interval" is '
    "the run itself. Use --repeat 3 or more."
)


def stats_rows(groups: Sequence[GroupStats]) -> list[dict[str, str]]:
    return [
        {
            "group": g.strategy,
            "workers": str(g.workers),
            "tasks": str(g.tasks),
            "runs": str(g.runs),
            "wall": _s(g.wall, " s"),
            "wall_ci": _ci(g.wall),
            "range": f"{g.wall.minimum:.3f}-{g.wall.maximum:.3f}",
            "iqr": f"{g.wall.iqr:.3f}",
            "cpu": _s(g.cpu, " s", 2),
            "efficiency": _s(g.efficiency, "", 3),
            "efficiency_ci": _ci(g.efficiency),
            "speedup": _s(g.speedup, "x", 2),
            "speedup_ci": _ci(g.speedup, 2),
            "warnings": "; ".join(g.warnings),
        }
        for g in groups
    ]


def _times(groups: Sequence[GroupStats], factor: float, digits: int) -> dict[str, list[str]]:
    spreads = [g.wall for g in groups]
    return {
        "cpu": [f"{g.cpu.median * factor:.{digits}f}" for g in groups],
        "wall": [f"{w.median * factor:.{digits}f}" for w in spreads],
        "wall_ci": [_ci(w, digits, factor) for w in spreads],
        "iqr": [f"{w.iqr * factor:.{digits}f}" for w in spreads],
    }


def stats_table(groups: Sequence[GroupStats], width: int = WIDE) -> Table:
    """Wall times in one unit (named in the title); on a narrow console, the columns that say how
    fast and how sure, the rest in the report."""
    unit, factor = time_unit([v for g in groups for v in (g.wall.maximum, g.cpu.median)])
    cells = {
        "group": [g.strategy for g in groups],
        "workers": [str(g.workers) for g in groups],
        "tasks": [str(g.tasks) for g in groups],
        "runs": [str(g.runs) for g in groups],
        **_times(groups, factor, 3 if unit == "s" else 2),
        "efficiency": [_s(g.efficiency, "", 3) for g in groups],
        "speedup": [_s(g.speedup, "x", 2) for g in groups],
        "speedup_ci": [_ci(g.speedup, 2) for g in groups],
    }
    # Wall and CPU side by side: users of parallel code confuse them. min-max is in the HTML.
    columns = [
        ("strategy", "group"),
        ("workers", "workers"),
        ("tasks", "tasks"),
        ("runs", "runs"),
        ("wall", "wall"),
        ("95% CI", "wall_ci"),
        ("CPU", "cpu"),
        ("IQR", "iqr"),
        ("eff.", "efficiency"),
        ("speed-up", "speedup"),
        ("95% CI ", "speedup_ci"),
    ]
    if width < WIDE + 20:  # the speed-up's interval needs about 20 columns more
        columns = [c for c in columns if c[1] != "speedup_ci"]
    if width < WIDE:
        keep = {"group", "workers", "runs", "wall", "wall_ci", "speedup"}
        if len({g.tasks for g in groups}) > 1:
            keep.add("tasks")  # a sweep over --tasks: rows must say what they ran
        columns = [c for c in columns if c[1] in keep]
    table = Table(
        title=f"Statistics of rounds (times in {unit}; medians)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=width < WIDE,
    )
    for header, key in columns:
        widest = max([len(header), *(len(cell) for cell in cells[key])])
        table.add_column(header, justify="left" if key == "group" else "right", min_width=widest)
    for i in range(len(groups)):
        table.add_row(*(cells[key][i] for _, key in columns))
    return table


def warning_lines(groups: Sequence[GroupStats]) -> list[str]:
    lines = [f"warning: {g.label}: {w}" for g in groups for w in g.warnings]
    if any(g.wall.interval is None for g in groups):
        lines.append(f"note: {NO_INTERVAL}")
    return lines
