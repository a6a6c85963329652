"""Overlap timelines: one lane per worker thread or process (per task under asyncio), queue wait
drawn apart from running time, failures marked, on a time axis shared by every run.

Lanes sit in shaded bands, one per OS thread (or process), each headed by its name: asyncio's six
lanes share one thread's band, a pool's six threads get six bands, the seed's "same thread id"
made visible. Every bar carries hover text (an SVG <title>) in runs of up to HOVER_LIMIT tasks;
status is told by pattern as well as colour.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from bench.model import RunRecord, TaskRecord
from reports.lanes import Lane, by_group, lanes_for, multi_process
from reports.svg import COLORS, HATCHES, SMALL, TITLE, shorten, style, to_svg
from reports.words import plural, where_ran

LABEL_LIMIT = 60  # symbol labels inside bars only while they stay readable
RASTER_LIMIT = 2000  # beyond this many bars, rasterise them so the SVG stays small
HOVER_LIMIT = 500  # bars with their own hover text; beyond, one shape per status (smaller SVG)
BAND = "#eef2f8"
STATUSES = ("ok", "error", "timeout", "cancelled")


def _bars(tasks: Sequence[TaskRecord], start: str, end: str) -> list[tuple[float, float]]:
    out = []
    for t in tasks:
        a, b = getattr(t, start), getattr(t, end)
        if a is not None and b is not None:
            out.append((a / 1e9, max(b - a, 0) / 1e9))
    return out


def _draw_lane(ax: Axes, y: int, lane: Lane, size: int, ids: str | None) -> None:
    """One lane: queue waits hatched, running time by status (colour and pattern); with `ids`,
    one shape per task, its id `{ids}-{index}` for the hover text."""
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
    for status in STATUSES:
        chosen = [t for t in lane.tasks if t.status == status]
        if ids is not None:
            for t in chosen:
                if t.started_ns is not None and t.finished_ns is not None:
                    width = max(t.finished_ns - t.started_ns, 0) / 1e9
                    ax.add_patch(_bar(t.started_ns / 1e9, y, width, status, f"{ids}-{t.index}"))
        elif chosen:
            ax.broken_barh(
                _bars(chosen, "started_ns", "finished_ns"),
                (y - 0.4, 0.8),
                facecolors=COLORS[status],
                hatch=HATCHES[status],
                edgecolor="white",
                linewidth=0,
                rasterized=raster,
            )
    cpu = [(p[1] / 1e9, (p[2] - p[1]) / 1e9) for t in lane.tasks for p in t.phases if p[0] == "cpu"]
    if cpu:  # the hybrid's CPU phase, run in a worker process, inside the task's bar
        ax.broken_barh(cpu, (y - 0.4, 0.8), facecolors=COLORS["cpu"], rasterized=raster)
    if size <= LABEL_LIMIT:
        _labels(ax, y, lane.tasks)


def _bar(x: float, y: int, width: float, status: str, gid: str) -> Rectangle:
    return Rectangle(
        (x, y - 0.4),
        width,
        0.8,
        facecolor=COLORS[status],
        hatch=HATCHES[status],
        edgecolor="white",
        linewidth=0,
        gid=gid,
    )


def _labels(ax: Axes, y: int, tasks: Sequence[TaskRecord]) -> None:
    for t in tasks:
        if t.started_ns is not None and t.finished_ns is not None:
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


def hover_text(t: TaskRecord) -> str:
    """What hovering a bar says about its task."""

    def at(ns: int | None) -> str:
        return "-" if ns is None else f"{ns / 1e9:.3f} s"

    lines = [
        f"{t.symbol}: {t.status}",
        f"queued {at(t.queued_ns)}, started {at(t.started_ns)}, finished {at(t.finished_ns)}",
        f"waited {t.queue_wait_ns / 1e9:.3f} s, ran {t.duration_ns / 1e9:.3f} s",
        f"thread {t.thread_name or '-'} ({t.thread_id}), pid {t.pid}"
        + (f", task {t.task_name}" if t.task_name else ""),  # asyncio's, or a greenlet
    ]
    if t.attempts:
        status = "no response" if t.http_status is None else f"HTTP {t.http_status}"
        lines.append(f"{plural(t.attempts, 'attempt')}, last: {status}")
    if t.error:
        lines.append(f"error: {t.error}")
    return "\n".join(lines)


def _rows(lanes: Sequence[Lane]) -> list[tuple[str, Lane | None]]:
    """Each thread's (or process's) heading row, then its lanes."""
    rows: list[tuple[str, Lane | None]] = []
    for lane in by_group(lanes):
        if not rows or rows[-1][0] != lane.group:
            rows.append((lane.group, None))
        rows.append((lane.group, lane))
    return rows


def _band_title(group: str, processes: bool, lanes: int) -> str:
    where = f"process {group.removeprefix('pid ')}" if processes else f"OS thread {group}"
    return f"{where}: {plural(lanes, 'lane')}"


def timeline_figure(run: RunRecord, x_max_s: float, ids: str = "") -> Figure:
    """The run's timeline; with `ids`, each bar's SVG id is `{ids}-{task index}`."""
    lanes, note = lanes_for(run)
    size = sum(len(lane.tasks) for lane in lanes)
    processes = multi_process(run)
    rows = _rows(lanes)
    with style():
        height = 1.1 + 0.28 * max(len(rows), 1)
        fig = Figure(figsize=(11, height))
        # Fixed margins (not a tight box) so every run's time axis lines up on the page.
        fig.subplots_adjust(left=0.24, right=0.82, top=1 - 0.45 / height, bottom=0.5 / height)
        ax = fig.add_subplot()
        _draw_rows(ax, rows, size, ids if ids and size <= HOVER_LIMIT else None, processes)
        ax.set_yticks(range(len(rows)), [_tick(lane) for _, lane in rows])
        ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # no lanes: no task ever started
        ax.set_xlim(0, x_max_s)
        ax.set_xlabel("seconds since the run started")
        if size > HOVER_LIMIT:
            note = "; ".join(filter(None, [note, f"hover text for runs of up to {HOVER_LIMIT}"]))
        title = (
            f"{run.strategy} ({plural(run.workers, 'worker')}): "
            f"{plural(len(run.tasks), 'task')}, ran {where_ran(run)}"
        )
        ax.set_title(title + (f"\n{note}" if note else ""), loc="left", fontsize=TITLE)
        _legend(ax, run)
    return fig


def _tick(lane: Lane | None) -> str:
    return "" if lane is None else shorten(lane.label, 36)


def _draw_rows(
    ax: Axes, rows: Sequence[tuple[str, Lane | None]], size: int, ids: str | None, processes: bool
) -> None:
    bands = [y for y, (_, lane) in enumerate(rows) if lane is None]
    for n, top in enumerate(bands):
        bottom = bands[n + 1] - 1 if n + 1 < len(bands) else len(rows) - 1
        if n % 2 == 0:
            ax.axhspan(top - 0.5, bottom + 0.5, color=BAND, zorder=0, linewidth=0)
        title = _band_title(rows[top][0], processes, bottom - top)
        ax.text(0.003, top, title, transform=ax.get_yaxis_transform(), va="center", fontsize=SMALL)
    for y, (_, lane) in enumerate(rows):
        if lane is not None:
            _draw_lane(ax, y, lane, size, ids)


def _legend(ax: Axes, run: RunRecord) -> None:
    handles = [Patch(facecolor=COLORS["queue"], hatch="////", label="queued / waiting")]
    handles += [
        Patch(facecolor=COLORS[s], hatch=HATCHES[s], edgecolor="white", label=s)
        for s in STATUSES
        if any(t.status == s for t in run.tasks)
    ]
    if any(t.phases for t in run.tasks):
        handles.append(Patch(color=COLORS["cpu"], label="CPU phase (worker process)"))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=SMALL,
        frameon=False,
    )


def with_hover(svg: str, run: RunRecord, ids: str) -> str:
    """Each bar's <title>: hover text in any browser, no script needed."""
    if f'<g id="{ids}-' not in svg:
        return svg  # past HOVER_LIMIT no bar has an id: 100,000 searches of the SVG cost 3 s
    for t in run.tasks:
        anchor = f'<g id="{ids}-{t.index}">'
        title = f"<title>{html.escape(hover_text(t))}</title>"
        svg = svg.replace(anchor, anchor + title, 1)
    return svg


def shared_axis_end(runs: Sequence[RunRecord]) -> float:
    """One time axis for every run, so strategies compare by eye."""
    ends = [t.finished_ns for r in runs for t in r.tasks if t.finished_ns is not None]
    return max([*ends, *(r.wall_ns for r in runs), 1]) / 1e9 * 1.02


def timeline_svgs(runs: Sequence[RunRecord]) -> list[str]:
    x_max = shared_axis_end(runs)
    svgs = []
    for n, run in enumerate(runs, 1):
        ids = f"run{n}-task"
        svgs.append(with_hover(to_svg(timeline_figure(run, x_max, ids), tight=False), run, ids))
    return svgs
