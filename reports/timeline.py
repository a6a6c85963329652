"""Overlap timelines: one lane per worker thread or process (per task under asyncio), queue wait
drawn apart from running time, failures marked, on a time axis shared by every run."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bench.model import RunRecord, TaskRecord
from reports.lanes import Lane, lanes_for
from reports.svg import COLORS, shorten, style, to_svg
from reports.words import plural, where_ran

LABEL_LIMIT = 60  # symbol labels inside bars only while they stay readable
RASTER_LIMIT = 2000  # beyond this many bars, rasterise them so the SVG stays small


def _bars(tasks: Sequence[TaskRecord], start: str, end: str) -> list[tuple[float, float]]:
    out = []
    for t in tasks:
        a, b = getattr(t, start), getattr(t, end)
        if a is not None and b is not None:
            out.append((a / 1e9, max(b - a, 0) / 1e9))
    return out


def _draw_lane(ax: object, y: int, lane: Lane, raster: bool, labels: bool) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    if not lane.packed:
        ax.broken_barh(
            _bars(lane.tasks, "queued_ns", "started_ns"),
            (y - 0.3, 0.6),
            facecolors=COLORS["queue"],
            hatch="////",
            edgecolor="#b0b0b0",
            linewidth=0,
            rasterized=raster,
        )
    for status in ("ok", "error", "timeout", "cancelled"):
        chosen = [t for t in lane.tasks if t.status == status]
        if chosen:
            ax.broken_barh(
                _bars(chosen, "started_ns", "finished_ns"),
                (y - 0.4, 0.8),
                facecolors=COLORS[status],
                rasterized=raster,
            )
    cpu = [(p[1] / 1e9, (p[2] - p[1]) / 1e9) for t in lane.tasks for p in t.phases if p[0] == "cpu"]
    if cpu:  # the hybrid's CPU phase, run in a worker process, inside the task's bar
        ax.broken_barh(cpu, (y - 0.4, 0.8), facecolors=COLORS["cpu"], rasterized=raster)
    if labels:
        for t in lane.tasks:
            if t.started_ns is not None and t.finished_ns is not None:
                middle = (t.started_ns + t.finished_ns) / 2e9
                ax.text(
                    middle,
                    y,
                    shorten(t.symbol, 12),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=7,
                    clip_on=True,
                )


def timeline_figure(run: RunRecord, x_max_s: float) -> Figure:
    lanes, note = lanes_for(run)
    bars = sum(len(lane.tasks) for lane in lanes)
    with style():
        height = 1.1 + 0.28 * max(len(lanes), 1)
        fig = Figure(figsize=(11, height))
        # Fixed margins (not a tight box) so every run's time axis lines up on the page.
        fig.subplots_adjust(left=0.24, right=0.87, top=1 - 0.45 / height, bottom=0.5 / height)
        ax = fig.add_subplot()
        for y, lane in enumerate(lanes):
            _draw_lane(ax, y, lane, bars > RASTER_LIMIT, bars <= LABEL_LIMIT)
        ax.set_yticks(range(len(lanes)), [shorten(lane.label, 36) for lane in lanes])
        ax.set_ylim(max(len(lanes), 1) - 0.5, -0.5)  # no lanes: no task ever started
        ax.set_xlim(0, x_max_s)
        ax.set_xlabel("seconds since the run started")
        title = (
            f"{run.strategy} ({plural(run.workers, 'worker')}): "
            f"{plural(len(run.tasks), 'task')}, ran {where_ran(run)}"
        )
        ax.set_title(title + (f"\n{note}" if note else ""), loc="left", fontsize=9)
        handles = [Patch(facecolor=COLORS["queue"], hatch="////", label="queued / waiting")]
        handles += [
            Patch(color=COLORS[s], label=s)
            for s in ("ok", "error", "timeout", "cancelled")
            if any(t.status == s for t in run.tasks)
        ]
        if any(t.phases for t in run.tasks):
            handles.append(Patch(color=COLORS["cpu"], label="CPU phase (worker process)"))
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False
        )
    return fig


def shared_axis_end(runs: Sequence[RunRecord]) -> float:
    """One time axis for every run, so strategies compare by eye."""
    ends = [t.finished_ns for r in runs for t in r.tasks if t.finished_ns is not None]
    return max([*ends, *(r.wall_ns for r in runs), 1]) / 1e9 * 1.02


def timeline_svgs(runs: Sequence[RunRecord]) -> list[str]:
    x_max = shared_axis_end(runs)
    return [to_svg(timeline_figure(run, x_max), tight=False) for run in runs]
