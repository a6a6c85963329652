"""Overlap timelines: one lane per worker thread or process (per task under asyncio), each bar in
the hue of the OS thread (or process) that ran it, queue wait drawn apart from running time,
failures marked where they ended, on a time axis shared by every run; under each, two step lines
on the same axis: tasks in flight, and OS threads holding a task.

asyncio is six overlapping bars of one hue above a gap between the lines (six tasks, one thread:
concurrent, not parallel); a thread pool is six hues and no gap. Lanes are in worker order, each
labelled once; a thread running several lanes (asyncio's tasks) heads its band. Every bar and
failure mark carries hover text (an SVG <title>) in runs of up to HOVER_LIMIT tasks; past
AGGREGATE_LIMIT tasks each thread is one row showing its tasks in flight.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bench.analysis.stats import status_counts
from bench.model import RunRecord
from reports.lane_draw import AGGREGATE_LIMIT, draw_aggregate, draw_lane, hue
from reports.lanes import Groups, Lane, lanes_for, natural, thread_groups
from reports.occupancy import binned_curve, curve_peak, task_curve, thread_curve
from reports.svg import COLORS, MARKERS, PALETTE, SMALL, TITLE, shorten, style, to_svg
from reports.task_text import ENDED, FAILED, failed_words, hover_text
from reports.words import plural, where_ran

HOVER_LIMIT = 500  # bars with their own hover text; beyond, one shape per status (smaller SVG)
ROW_LIMIT = 40  # rows of the aggregated view (threads or processes)
BAND = "#eef2f8"
WIDTH_IN = 11.0
TITLE_CHAR_IN = 0.088  # a title character at 11 pt, generously
LABEL_CHARS = 48  # a lane label past this (a user's very long thread name) ends in "…"
CHAR_IN = 0.078  # a label character at 9 pt, generously: labels must never reach the edge
STEPS_IN = 0.95  # height of the step-line panel under the lanes
RIGHT = 0.75  # where the plots end: the legends take the rest (about 34 characters)

Row = tuple[str, "Lane | None"]  # (group, its lane; None: the group's heading row)


def _own_thread(lane: Lane) -> bool:
    """The lane is a thread (or process) itself, not one of a thread's tasks or slots."""
    return not lane.packed and not lane.tasks[0].task_name


def rows_for(lanes: Sequence[Lane]) -> list[Row]:
    """Lanes in order; a heading row above each thread that runs several lanes (asyncio's)."""
    rows: list[Row] = []
    for lane in lanes:
        if not _own_thread(lane) and (not rows or rows[-1][0] != lane.group):
            rows.append((lane.group, None))
        rows.append((lane.group, lane))
    return rows


def labels_of(run: RunRecord) -> list[str]:
    """Every tick label the run's timeline will show (for the shared left margin)."""
    if len(run.tasks) > AGGREGATE_LIMIT:
        return [f"{g}: peak {len(run.tasks)} in flight" for g in thread_groups(run)[0][:ROW_LIMIT]]
    return [lane.label for _, lane in rows_for(lanes_for(run, ROW_LIMIT)[0]) if lane]


def _band_title(group: str, lanes: int) -> str:
    """ "OS thread MainThread (7): 6 lanes", or "process 12: 6 lanes" across processes."""
    where = f"process {group.removeprefix('pid ')}" if group.startswith("pid ") else group
    return f"{where if group.startswith('pid ') else 'OS thread ' + where}: {plural(lanes, 'lane')}"


def _draw_lanes(ax: Axes, run: RunRecord, ids: str | None) -> list[str]:
    lanes = lanes_for(run, ROW_LIMIT)[0]
    rows = rows_for(lanes)
    groups = sorted({g for g, _ in rows}, key=natural)
    size = sum(len(lane.tasks) for lane in lanes)
    heads = [y for y, (_, lane) in enumerate(rows) if lane is None]
    for y in heads:
        count = sum(1 for g, lane in rows if g == rows[y][0] and lane is not None)
        title = _band_title(rows[y][0], count)
        ax.text(0.003, y, title, transform=ax.get_yaxis_transform(), va="center", fontsize=SMALL)
    _shade(ax, rows)
    for y, (group, lane) in enumerate(rows):
        if lane is not None:
            draw_lane(ax, y, lane, hue(groups, group), size, ids)
    return ["" if lane is None else lane.label for _, lane in rows]


def _shade(ax: Axes, rows: Sequence[Row]) -> None:
    """Alternate groups on a shaded band, so a thread's lanes read as one."""
    start, shaded = 0, True
    for y in range(1, len(rows) + 1):
        if y == len(rows) or rows[y][0] != rows[start][0]:
            if shaded:
                ax.axhspan(start - 0.5, y - 0.5, color=BAND, zorder=0, linewidth=0)
            start, shaded = y, not shaded


def _draw_aggregate(ax: Axes, grouped: Groups, end_ns: int) -> list[str]:
    groups, tasks = grouped
    labels = []
    for y, group in enumerate(groups[:ROW_LIMIT]):
        said = draw_aggregate(ax, y, tasks[group], hue(groups, group), end_ns)
        labels.append(f"{group}: {said}")
    return labels


def _draw_steps(ax: Axes, run: RunRecord, end_ns: int, prefix: str) -> None:
    """Tasks in flight and OS threads holding a task, each the peak within a sliver of the axis
    (a wave's hand-over is not a stall); integer ticks, a legend naming each line's peak."""
    tasks, threads = task_curve(run.tasks), thread_curve(run.tasks)
    xs, in_flight = binned_curve(tasks, end_ns)
    _, holding = binned_curve(threads, end_ns)
    ax.step(xs, in_flight, where="post", color="#1d1d1f", linewidth=1.4, gid=f"{prefix}-inflight")
    ax.step(
        xs,
        holding,
        where="post",
        color="#d9480f",
        linewidth=1.6,
        linestyle=(0, (4, 2)),
        gid=f"{prefix}-threads",
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3, min_n_ticks=2))
    ax.set_ylim(0, max(curve_peak(tasks), 1) * 1.2)
    ax.set_ylabel("count", fontsize=SMALL)
    ax.set_xlabel("seconds since the run started")
    ax.legend(
        handles=[
            Line2D(
                [],
                [],
                color="#1d1d1f",
                linewidth=1.4,
                label=f"tasks in flight: peak {curve_peak(tasks)}",
            ),
            Line2D(
                [],
                [],
                color="#d9480f",
                linewidth=1.6,
                linestyle=(0, (4, 2)),
                label=f"OS threads with a task in\nhand: peak {curve_peak(threads)}",
            ),
        ],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.1),
        fontsize=SMALL,
        frameon=False,
    )


def timeline_figure(
    run: RunRecord, x_max_s: float, ids: str = "", left_in: float = 2.0, caption: str = ""
) -> Figure:
    """The run's timeline over its step lines; with `ids`, each bar's SVG id is
    `{ids}-{task index}` ("run1-task-3"), each failure mark's `{ids}-{index}-end`, the step
    lines' "run1-inflight" and "run1-threads". `left_in`: the label margin, shared by every run."""
    end_ns = int(x_max_s * 1e9)
    aggregate = len(run.tasks) > AGGREGATE_LIMIT
    grouped = thread_groups(run) if aggregate else None  # once: 100,000 tasks take a while to sort
    rows = min(len(grouped[0]), ROW_LIMIT) if grouped else len(labels_of(run))
    title = _title(run, caption, left_in, grouped)
    with style():
        title_in = 0.2 + 0.2 * title.count("\n") + 0.22
        lanes_in = max(0.28 * max(rows, 1) + 0.1, 0.19 * _legend_lines(run))
        height = title_in + lanes_in + 0.2 + STEPS_IN + 0.5
        fig = Figure(figsize=(WIDTH_IN, height))
        left, width = left_in / WIDTH_IN, RIGHT - left_in / WIDTH_IN
        ax = fig.add_axes((left, (0.7 + STEPS_IN) / height, width, lanes_in / height))
        steps_ax = fig.add_axes((left, 0.5 / height, width, STEPS_IN / height), sharex=ax)
        if grouped:
            labels = _draw_aggregate(ax, grouped, end_ns)
        else:
            hover = ids if ids and len(run.tasks) <= HOVER_LIMIT else None
            labels = _draw_lanes(ax, run, hover)
        ax.set_yticks(range(len(labels)), [shorten(label, LABEL_CHARS) for label in labels])
        ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)  # no lanes: no task ever started
        ax.set_xlim(0, x_max_s)
        ax.tick_params(axis="x", labelbottom=False)
        _draw_steps(steps_ax, run, end_ns, (ids or "run-task").removesuffix("-task"))
        ax.set_title(title, loc="left", fontsize=TITLE)
        _legend(ax, run, aggregate)
    return fig


def _note(run: RunRecord, grouped: Groups | None) -> str:
    """What the figure leaves out or draws differently, and why."""
    if grouped is not None:
        groups = len(grouped[0])
        note = (
            f"{len(run.tasks):,} tasks: each OS thread's row shows how many of its tasks were "
            f"in flight (bars one by one up to {AGGREGATE_LIMIT:,}); exact records: the page's "
            "JSON, results.json, tasks.csv"
        )
        return note + (f"; showing {ROW_LIMIT} of {groups} threads" if groups > ROW_LIMIT else "")
    note = lanes_for(run, ROW_LIMIT)[1]
    if len(run.tasks) > HOVER_LIMIT:
        note = "; ".join(filter(None, [note, f"hover text for runs of up to {HOVER_LIMIT}"]))
    return note


def _title(run: RunRecord, caption: str, left_in: float, grouped: Groups | None) -> str:
    """The run's title, its failures and round, then the note; wrapped to the figure's width."""
    failed = failed_words(run)
    head = (
        f"{run.strategy} ({plural(run.workers, 'worker')}): {plural(len(run.tasks), 'task')}"
        + (f", {failed}" if failed else "")
        + f", ran {where_ran(run)}"
        + (f" · {caption}" if caption else "")
    )
    chars = int((WIDTH_IN * 0.97 - left_in) / TITLE_CHAR_IN)
    lines = [*textwrap.wrap(head, chars), *textwrap.wrap(_note(run, grouped), chars)]
    return "\n".join(lines)


def _legend_lines(run: RunRecord) -> int:
    """Lines of text in the lanes' legend: the panel is at least that tall, or it would run into
    the step lines' legend below."""
    counts = status_counts(run)
    failed = sum(counts[s] > 0 for s in FAILED)
    return 3 + failed + any(t.phases for t in run.tasks)


def _legend(ax: Axes, run: RunRecord, aggregate: bool) -> None:
    handles: list[Patch | Line2D] = [
        Patch(facecolor=PALETTE[0], label="running; hue: its OS thread\n(or process)"),
        Patch(facecolor=COLORS["queue"], hatch="////", label="queued / waiting"),
    ]
    if aggregate:
        handles = [
            Patch(facecolor=PALETTE[0], label="its tasks in flight; height:\nshare of its peak")
        ]
    for status in FAILED:
        if status_counts(run)[status]:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=MARKERS[status],
                    color=COLORS[status],
                    linestyle="none",
                    label=f"{ENDED[status]}: mark at its end",
                )
            )
    if any(t.phases for t in run.tasks):
        handles.append(Patch(color=COLORS["cpu"], label="CPU phase (worker process)"))
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=SMALL, frameon=False
    )


def with_hover(svg: str, run: RunRecord, ids: str) -> str:
    """Each bar's and failure mark's <title>: hover text in any browser, no script needed."""
    if f'<g id="{ids}-' not in svg:
        return svg  # past HOVER_LIMIT no bar has an id: 100,000 searches of the SVG cost 3 s
    for t in run.tasks:
        title = f"<title>{html.escape(hover_text(t))}</title>"
        for anchor in (f'<g id="{ids}-{t.index}">', f'<g id="{ids}-{t.index}-end">'):
            svg = svg.replace(anchor, anchor + title, 1)
    return svg


def shared_axis_end(runs: Sequence[RunRecord]) -> float:
    """One time axis for every run, so strategies compare by eye."""
    ends = [t.finished_ns for r in runs for t in r.tasks if t.finished_ns is not None]
    return max([*ends, *(r.wall_ns for r in runs), 1]) / 1e9 * 1.02


def label_margin(runs: Sequence[RunRecord]) -> float:
    """Inches left of the lanes: room for the longest label of any run, so labels are whole and
    every run's time axis still lines up."""
    longest = max((len(label) for run in runs for label in labels_of(run)), default=8)
    return 0.25 + CHAR_IN * min(max(longest, 8), LABEL_CHARS)


def timeline_svgs(runs: Sequence[RunRecord], captions: Sequence[str] = ()) -> list[str]:
    x_max = shared_axis_end(runs)
    left = label_margin(runs)
    svgs = []
    for n, run in enumerate(runs, 1):
        ids = f"run{n}-task"
        caption = captions[n - 1] if captions else ""
        fig = timeline_figure(run, x_max, ids, left, caption)
        svgs.append(with_hover(to_svg(fig, tight=False), run, ids))
    return svgs
