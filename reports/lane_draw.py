"""Drawing one timeline's lanes: bars in the hue of the OS thread (or process) that ran them,
queue waits hatched grey, failures marked where they ended; or, past AGGREGATE_LIMIT tasks, one
row per thread showing how many of its tasks were in flight (the figure stays the same size at any
task count, and the exact records stay in the page's JSON and in results.json / tasks.csv).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from bench.model import TaskRecord
from reports.lanes import Lane
from reports.occupancy import binned_curve, curve_peak, task_curve
from reports.svg import COLORS, HATCHES, MARKERS, PALETTE, SMALL, shorten
from reports.task_text import FAILED

LABEL_LIMIT = 60  # symbol labels inside bars only while they stay readable
RASTER_LIMIT = 2000  # beyond this many bars, rasterise them so the SVG stays small
AGGREGATE_LIMIT = 3000  # beyond this many tasks, one row per thread instead of a bar per task


def hue(groups: Sequence[str], group: str) -> str:
    return PALETTE[groups.index(group) % len(PALETTE)]


def _bars(tasks: Sequence[TaskRecord], start: str, end: str) -> list[tuple[float, float]]:
    out = []
    for t in tasks:
        a, b = getattr(t, start), getattr(t, end)
        if a is not None and b is not None:
            out.append((a / 1e9, max(b - a, 0) / 1e9))
    return out


def draw_lane(ax: Axes, y: int, lane: Lane, colour: str, size: int, ids: str | None) -> None:
    """Queue waits hatched, running time in the thread's hue (failures patterned as well); with
    `ids`, one shape per task, its id `{ids}-{index}` for the hover text."""
    raster = size > RASTER_LIMIT
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
    if ids is not None:
        for t in lane.tasks:
            if t.started_ns is not None and t.finished_ns is not None:
                width = max(t.finished_ns - t.started_ns, 0) / 1e9
                ax.add_patch(_bar(t, y, width, colour, f"{ids}-{t.index}"))
    else:
        ax.broken_barh(
            _bars(lane.tasks, "started_ns", "finished_ns"),
            (y - 0.4, 0.8),
            facecolors=colour,
            edgecolor="white",
            linewidth=0,
            rasterized=raster,
        )
    cpu = [(p[1] / 1e9, (p[2] - p[1]) / 1e9) for t in lane.tasks for p in t.phases if p[0] == "cpu"]
    if cpu:  # the hybrid's CPU phase, run in a worker process, inside the task's bar
        ax.broken_barh(cpu, (y - 0.4, 0.8), facecolors=COLORS["cpu"], rasterized=raster)
    if size <= LABEL_LIMIT:
        _labels(ax, y, lane.tasks)
    mark_failures(ax, [(y, t) for t in lane.tasks], ids)


def _bar(t: TaskRecord, y: int, width: float, colour: str, gid: str) -> Rectangle:
    assert t.started_ns is not None
    return Rectangle(
        (t.started_ns / 1e9, y - 0.4),
        width,
        0.8,
        facecolor=colour,
        hatch=HATCHES.get(t.status, ""),
        edgecolor="white",
        linewidth=0,
        gid=gid,
    )


def mark_failures(ax: Axes, placed: Sequence[tuple[float, TaskRecord]], ids: str | None) -> None:
    """A marker where each failed, timed-out or cancelled task ended; with `ids`, each its own
    shape (`{ids}-{index}-end`) for hover text, else one shape per status."""
    for status in FAILED:
        chosen = [(y, t) for y, t in placed if t.status == status and t.finished_ns is not None]
        if ids is not None:
            for y, t in chosen:
                ax.add_line(
                    _mark([(t.finished_ns or 0) / 1e9], [y], status, f"{ids}-{t.index}-end")
                )
        elif chosen:
            xs = [(t.finished_ns or 0) / 1e9 for _, t in chosen]
            line = _mark(xs, [y for y, _ in chosen], status, None)
            line.set_rasterized(len(chosen) > RASTER_LIMIT)
            ax.add_line(line)


def _mark(xs: list[float], ys: list[float], status: str, gid: str | None) -> Line2D:
    return Line2D(
        xs,
        ys,
        marker=MARKERS[status],
        color=COLORS[status],
        markeredgecolor="white",
        markeredgewidth=0.6,
        markersize=8,
        linestyle="none",
        zorder=5,
        clip_on=False,  # a task that failed at time 0 sits on the axis: keep its whole mark
        gid=gid,
    )


def _labels(ax: Axes, y: int, tasks: Sequence[TaskRecord]) -> None:
    for t in tasks:  # a failed task's mark speaks for it; its bar may have no width at all
        if t.status == "ok" and t.started_ns is not None and t.finished_ns is not None:
            middle = (t.started_ns + t.finished_ns) / 2e9
            ax.text(
                middle,
                y,
                shorten(t.symbol, 12),
                ha="center",
                va="center",
                color="white",
                fontsize=SMALL,
                clip_on=True,
            )


def draw_aggregate(ax: Axes, y: int, tasks: Sequence[TaskRecord], colour: str, end_ns: int) -> str:
    """One thread's row as the count of its tasks in flight over time, scaled to the row; its
    peak said in words (returned for the row's label)."""
    steps = task_curve(tasks)
    xs, levels = binned_curve(steps, end_ns)
    top = max(curve_peak(steps), 1)
    ax.fill_between(
        xs,
        [y + 0.4] * len(xs),
        [y + 0.4 - 0.8 * level / top for level in levels],
        step="post",
        color=colour,
        linewidth=0,
    )
    mark_failures(ax, [(y, t) for t in tasks if t.status in FAILED], None)
    return f"peak {top} in flight"
