"""Concurrency over time (tasks in flight, with the worker limit) and measured vs ideal wall."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from bench.analysis.stats import concurrency_steps, summarize_all
from bench.model import RunRecord
from reports.svg import COLORS, SMALL, TITLE, style, to_svg
from reports.timeline import shared_axis_end

MAX_STEPS = 4000


def _downsample(steps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep at most MAX_STEPS points, keeping each bucket's peak so the maximum stays visible."""
    if len(steps) <= MAX_STEPS:
        return steps
    size = -(-len(steps) // MAX_STEPS)
    return [max(steps[i : i + size], key=lambda s: s[1]) for i in range(0, len(steps), size)]


def concurrency_svg(runs: Sequence[RunRecord]) -> str:
    x_max = shared_axis_end(runs)
    with style():
        fig = Figure(figsize=(10, 0.6 + 1.6 * max(len(runs), 1)))
        axes = fig.subplots(
            max(len(runs), 1), 1, sharex=True, squeeze=False, gridspec_kw={"hspace": 0.7}
        )[:, 0]
        for ax, run in zip(axes, runs, strict=False):
            steps = _downsample(concurrency_steps(run.tasks))
            xs = [0.0] + [t / 1e9 for t, _ in steps]
            ys = [0] + [level for _, level in steps]
            ax.step(xs, ys, where="post", color=COLORS["ok"], linewidth=1.2)
            ax.axhline(run.workers, color="#555555", linestyle="--", linewidth=0.8)
            ax.text(x_max, run.workers, f" limit {run.workers}", va="center", fontsize=SMALL)
            ax.set_ylim(0, max([run.workers, *ys]) * 1.15 + 0.5)
            ax.set_ylabel("in flight")
            ax.set_title(run.strategy, loc="left", fontsize=TITLE)
        axes[-1].set_xlim(0, x_max)
        axes[-1].set_xlabel("seconds since the run started")
    return to_svg(fig)


def speedup_svg(runs: Sequence[RunRecord]) -> str:
    summaries = summarize_all(runs)
    with style():
        fig = Figure(figsize=(10, 0.8 + 0.45 * max(len(runs), 1)))
        ax = fig.add_subplot()
        ys = range(len(summaries))
        ax.barh(
            [y - 0.18 for y in ys],
            [s.wall_s for s in summaries],
            height=0.36,
            color=COLORS["ok"],
            label="measured wall",
        )
        ax.barh(
            [y + 0.18 for y in ys],
            [s.ideal_s for s in summaries],
            height=0.36,
            color="#9ecae1",
            label="ideal",
        )
        for y, s in zip(ys, summaries, strict=True):
            ax.text(s.wall_s, y - 0.18, f" {s.wall_s:.2f} s", va="center", fontsize=SMALL)
        ax.set_yticks(list(ys), [s.strategy for s in summaries])
        ax.invert_yaxis()
        ax.set_xlabel("seconds")
        ax.legend(loc="lower right", fontsize=SMALL)
    return to_svg(fig)
