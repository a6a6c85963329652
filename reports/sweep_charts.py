"""Sweep charts: wall time and efficiency against workers, with the ideal curve and the knee; a
heat map of efficiency when the sweep has two axes (workers x tasks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bench.analysis.knee import curves, knee
from bench.analysis.repeats import GroupStats
from reports.svg import SMALL, TITLE, style, to_svg


def sweep_svgs(groups: Sequence[GroupStats]) -> list[str]:
    svgs = []
    for (tasks, latency), by_strategy in sorted(curves(groups).items()):
        svgs.append(_curve_svg(tasks, latency, by_strategy))
    if len({t for t, _ in curves(groups)}) > 1:
        svgs.append(_heatmap_svg(groups))
    return svgs


# Each strategy its own marker and dash, and its points nudged sideways (a few percent on the log
# axis): where two strategies measure the same, both lines stay visible instead of one hiding.
MARKS = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES = ("-", "--", "-.", ":")
DODGE = 0.04


def _dodged(xs: list[int], k: int, n: int) -> list[float]:
    return [x * (1 + DODGE) ** (k - (n - 1) / 2) for x in xs]


def knee_words(best: int, tried: list[int]) -> str:
    """The knee's label; at the largest value tried it says the true knee may lie beyond."""
    if len(tried) > 1 and best == max(tried):
        return f"knee {best}? the largest tried: more workers may still help"
    return f"knee {best}"


def _curve_svg(tasks: int, latency: float, by_strategy: dict[str, list[GroupStats]]) -> str:
    with style():
        fig = Figure(figsize=(11, 3.8))
        wall_ax, eff_ax = fig.subplots(1, 2)
        # The groups carry the plan's own ideal (CPU work and latency distribution included).
        ideal_at = {g.workers: g.ideal_s for gs in by_strategy.values() for g in gs}
        workers = sorted(ideal_at)
        wall_ax.plot(workers, [ideal_at[w] for w in workers], "k--", linewidth=1, label="ideal")
        for k, (name, gs) in enumerate(sorted(by_strategy.items())):
            _strategy_lines(wall_ax, eff_ax, name, gs, (k, len(by_strategy)), workers)
        _axes(wall_ax, eff_ax, workers)
        title = f"{tasks} tasks x {latency * 1e3:g} ms: wall time and efficiency against workers"
        fig.suptitle(f"{title} (knee: fewest workers within 5% of the best)", fontsize=TITLE)
    return to_svg(fig)


def _strategy_lines(
    wall_ax: Axes,
    eff_ax: Axes,
    name: str,
    gs: list[GroupStats],
    place: tuple[int, int],
    tried: list[int],
) -> None:
    k, n = place
    xs, walls = [g.workers for g in gs], [g.wall.median for g in gs]
    effs = [g.efficiency.median if g.efficiency else 0.0 for g in gs]
    look: dict[str, Any] = {
        "marker": MARKS[k % len(MARKS)],
        "linestyle": DASHES[k % len(DASHES)],
        "fillstyle": "none" if k % 2 else "full",
        "label": name,
        "gid": f"sweep-{name}",
    }
    line = wall_ax.plot(_dodged(xs, k, n), walls, **look)[0]
    eff_ax.plot(_dodged(xs, k, n), effs, color=line.get_color(), **look)
    best = knee(list(zip(xs, walls, strict=True)))
    if best is not None:
        y = walls[xs.index(best)]
        wall_ax.annotate(
            knee_words(best, tried),
            (best, y),
            textcoords="offset points",
            xytext=(-4, 10 + 12 * k),
            ha="right" if best == max(tried) else "left",
            fontsize=SMALL,
            color=line.get_color(),
        )
        wall_ax.plot(
            [best], [y], marker="s", markersize=11, fillstyle="none", color=line.get_color()
        )


def _axes(wall_ax: Axes, eff_ax: Axes, workers: list[int]) -> None:
    for ax in (wall_ax, eff_ax):
        ax.set_xscale("log", base=2)
        ax.set_xticks(workers, [str(w) for w in workers])
        ax.set_xlabel("workers (each strategy's points nudged sideways)", fontsize=SMALL)
    wall_ax.set_yscale("log")
    # Log axes label ticks with mathtext, which is off (symbols may contain "$"): plain text.
    wall_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    wall_ax.yaxis.set_minor_formatter(
        FuncFormatter(lambda v, _: f"{v:g}" if f"{v:g}".lstrip("0.")[:1] in ("2", "5") else "")
    )
    wall_ax.set_ylabel("wall time (s, median)")
    eff_ax.set_ylabel("efficiency (ideal / wall)")
    eff_ax.set_ylim(0, 1.1)
    eff_ax.axhline(1.0, color="k", linestyle="--", linewidth=1)
    wall_ax.legend(fontsize=SMALL)


def _heatmap_svg(groups: Sequence[GroupStats]) -> str:
    names = sorted({g.strategy for g in groups if not g.baseline})
    workers = sorted({g.workers for g in groups if not g.baseline})
    tasks = sorted({g.tasks for g in groups})
    with style():
        fig = Figure(figsize=(3.6 * len(names), 3.2))
        axes = fig.subplots(1, len(names), squeeze=False)[0]
        for ax, name in zip(axes, names, strict=True):
            cells = {
                (g.tasks, g.workers): g.efficiency.median if g.efficiency else 0.0
                for g in groups
                if g.strategy == name
            }
            grid = [[cells.get((t, w), 0.0) for w in workers] for t in tasks]
            image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto", origin="lower")
            ax.set_xticks(range(len(workers)), [str(w) for w in workers])
            ax.set_yticks(range(len(tasks)), [str(t) for t in tasks])
            ax.set_xlabel("workers")
            ax.set_ylabel("tasks")
            ax.set_title(f"{name}: efficiency", fontsize=TITLE)
            for i, row in enumerate(grid):
                for j, value in enumerate(row):
                    ax.text(
                        j,
                        i,
                        f"{value:.2f}",
                        ha="center",
                        va="center",
                        fontsize=SMALL,
                        color="white" if value < 0.6 else "black",
                    )
        fig.colorbar(image, ax=list(axes), shrink=0.8)
    return to_svg(fig)
