"""Concurrency over time (tasks in flight, with the worker limit, each run on its own time axis)
and measured vs ideal wall (with the rounds' min-max as whiskers when the run was repeated)."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bench.analysis.stats import RunSummary, plan_key, summarize_all
from bench.model import RunRecord
from reports.occupancy import binned_curve, curve_peak, task_curve
from reports.svg import COLORS, SMALL, TITLE, style, to_svg


def _end_ns(run: RunRecord) -> int:
    ends = [t.finished_ns for t in run.tasks if t.finished_ns is not None]
    return int(max([*ends, run.wall_ns, 1]) * 1.02)


def concurrency_svg(runs: Sequence[RunRecord]) -> str:
    """Each run on its own time axis: beside a sequential run twelve times longer, the
    concurrent runs would otherwise be squeezed into a sliver (the timelines above share one)."""
    with style():
        fig = Figure(figsize=(10, 0.6 + 1.75 * max(len(runs), 1)))
        axes = fig.subplots(max(len(runs), 1), 1, squeeze=False, gridspec_kw={"hspace": 0.9})
        for ax, run in zip(axes[:, 0], runs, strict=False):
            end = _end_ns(run)
            steps = task_curve(run.tasks)
            xs, ys = binned_curve(steps, end)
            ax.step(xs, ys, where="post", color=COLORS["ok"], linewidth=1.2)
            ax.axhline(run.workers, color="#555555", linestyle="--", linewidth=0.8)
            ax.text(end / 1e9, run.workers, f" limit {run.workers}", va="center", fontsize=SMALL)
            ax.set_ylim(0, max(run.workers, curve_peak(steps)) * 1.15 + 0.5)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4, min_n_ticks=2))
            ax.set_xlim(0, end / 1e9)
            ax.set_ylabel("in flight")
            ax.set_xlabel("seconds since this run started", fontsize=SMALL)
            ax.set_title(f"{run.strategy} (peak {curve_peak(steps)})", loc="left", fontsize=TITLE)
    return to_svg(fig)


def _spread(run: RunRecord, every: Sequence[RunRecord]) -> tuple[float, float, int]:
    """(min, max, count) of the wall over every round of the same strategy and plan."""
    walls = [
        r.wall_ns / 1e9
        for r in every
        if (r.strategy, r.workers, plan_key(r)) == (run.strategy, run.workers, plan_key(run))
    ]
    return min(walls), max(walls), len(walls)


def speedup_svg(
    runs: Sequence[RunRecord],
    every: Sequence[RunRecord] = (),
    summaries: Sequence[RunSummary] | None = None,
) -> str:
    """Measured wall (the first round's bar) against the ideal; with several rounds in `every`,
    a whisker from the fastest to the slowest round."""
    summaries = summarize_all(runs) if summaries is None else summaries
    spreads = [_spread(run, every or runs) for run in runs]
    rounds = max((n for _, _, n in spreads), default=1)
    with style():
        fig = Figure(figsize=(10, 1.0 + 0.45 * max(len(runs), 1)))
        ax = fig.add_subplot()
        ys = range(len(summaries))
        label = "measured wall" + (
            f" (round 1; whisker: min-max of {rounds} rounds)" if rounds > 1 else ""
        )
        ax.barh(
            [y - 0.18 for y in ys],
            [s.wall_s for s in summaries],
            height=0.36,
            color=COLORS["ok"],
            label=label,
        )
        ax.barh(
            [y + 0.18 for y in ys],
            [s.ideal_s for s in summaries],
            height=0.36,
            color="#9ecae1",
            label="ideal",
        )
        if rounds > 1:
            _whiskers(ax, [y - 0.18 for y in ys], [s.wall_s for s in summaries], spreads)
        for y, s, (_, hi, _) in zip(ys, summaries, spreads, strict=True):
            ax.text(max(s.wall_s, hi), y - 0.18, f" {s.wall_s:.2f} s", va="center", fontsize=SMALL)
        ax.set_yticks(list(ys), [s.strategy for s in summaries])
        ax.invert_yaxis()
        ax.set_xlabel("seconds")
        ax.legend(loc="lower right", fontsize=SMALL)
    return to_svg(fig)


def _whiskers(
    ax: Axes, ys: list[float], walls: list[float], spreads: list[tuple[float, float, int]]
) -> None:
    """From the fastest round's wall to the slowest's, through the first round's bar end."""
    below = [wall - lo for wall, (lo, _, _) in zip(walls, spreads, strict=True)]
    above = [hi - wall for wall, (_, hi, _) in zip(walls, spreads, strict=True)]
    bars = ax.errorbar(
        walls, ys, xerr=[below, above], fmt="none", ecolor="#1d1d1f", elinewidth=1.2, capsize=4
    )
    for line in bars.lines[2]:
        line.set_gid("wall-whiskers")
