"""The report's figures and the facts beside them (issue 27), from hand-built records: the two
step lines, lane order and labels, failures, rounds, warnings, bounded size at any task count."""

from __future__ import annotations

import dataclasses
import re

from bench.analysis.notices import run_warnings
from bench.model import Phase, TaskRecord
from reports import charts
from reports.html import render_html
from reports.lanes import lanes_for
from reports.occupancy import binned, peak, task_steps, thread_steps
from reports.timeline import labels_of, timeline_svgs
from tests.samples import S, large_results, rich_results, sample_results


def _task(i: int, start: int, end: int, tid: int, phases: tuple[Phase, ...] = ()) -> TaskRecord:
    return TaskRecord(
        i, f"S{i}", "ok", end - start, start, start, end, 100, tid, "T", None, None, phases=phases
    )


def test_the_gap_between_the_lines_is_asyncio_on_one_thread() -> None:
    seq, aio, thr, prc = sample_results().runs
    assert (peak(task_steps(aio.tasks)), peak(thread_steps(aio.tasks))) == (6, 1)
    assert (peak(task_steps(thr.tasks)), peak(thread_steps(thr.tasks))) == (3, 3)
    assert (peak(task_steps(prc.tasks)), peak(thread_steps(prc.tasks))) == (2, 2)
    assert (peak(task_steps(seq.tasks)), peak(thread_steps(seq.tasks))) == (1, 1)


def test_recorded_phases_count_the_thread_that_ran_each_phase() -> None:
    """The hybrid: I/O on the loop thread (7), CPU in a worker process's thread (pid 200)."""
    phases_a = (Phase("io", 0, S, 100, 7), Phase("cpu", S, 2 * S, 200, 9))
    phases_b = (Phase("io", 0, 2 * S, 100, 7),)
    tasks = [_task(0, 0, 2 * S, 7, phases=phases_a), _task(1, 0, 2 * S, 7, phases=phases_b)]
    steps = thread_steps(tasks)
    assert steps == [(0, 1), (S, 2), (2 * S, 0)]


def test_a_waves_hand_over_is_not_drawn_as_a_stall_but_a_real_gap_is() -> None:
    wave = [_task(i, 0, S, 7) for i in range(3)] + [
        _task(3 + i, S + 1_000, 2 * S, 7) for i in range(3)
    ]
    _, levels = binned(task_steps(wave), 2 * S)
    assert min(levels[:-1]) == 3  # one microsecond between waves: no drop to 0
    gap = [_task(0, 0, S // 2, 7), _task(1, 3 * S // 2, 2 * S, 7)]
    _, levels = binned(task_steps(gap), 2 * S)
    assert 0 in levels[:-1] and max(levels) == 1


def test_lanes_are_in_worker_order_and_labelled_once() -> None:
    threads = next(r for r in rich_results().runs if r.strategy == "threads" and r.round == 0)
    labels = [lane.label for lane in lanes_for(threads)[0]]
    assert labels == [f"bench-worker_{n}" for n in range(6)]
    assert labels_of(threads) == labels  # no heading row repeating each thread's name
    asyncio = sample_results().runs[1]
    assert labels_of(asyncio) == [f"Task-{n}" for n in range(2, 8)]


def test_every_failure_is_marked_and_counted_beside_its_title() -> None:
    runs = [r for r in rich_results().runs if r.round == 0]
    svgs = timeline_svgs(runs)
    for run, svg in zip(runs, svgs, strict=True):
        failed = [t.index for t in run.tasks if t.status in ("error", "timeout", "cancelled")]
        marked = re.findall(r'<g id="run\d-task-(\d+)-end"><title>', svg)
        assert sorted(map(int, marked)) == failed
    assert "3 failed (1 error, 1 timed out, 1 cancelled)" in svgs[1]


def test_every_run_warning_the_terminal_prints_is_beside_the_run_in_the_page() -> None:
    results = rich_results()
    page = render_html(results)
    asyncio = results.runs[1]
    (line,) = run_warnings(asyncio)
    assert line.startswith("warning: asyncio: the event loop was blocked 2 times")
    section = page[page.index('id="run-2"') : page.index('id="run-3"')]
    assert f"<li>{line}</li>" in section
    summary = page[page.index('id="summary-table"') : page.index('id="details"')]
    assert summary.count(line) == 3  # one per round's row


def test_rounds_are_labelled_and_a_one_run_statistics_table_is_left_out() -> None:
    page = render_html(rich_results())
    assert page.count('<span class="round small">round 2 of 3</span>') == 4
    assert 'id="statistics-table"' in page
    once = render_html(rich_results(rounds=1))
    assert "round 1 of 1" not in once and 'id="statistics-table"' not in once
    sweep = dataclasses.replace(sample_results(), config={**sample_results().config, "sweep": {}})
    assert 'id="statistics-table"' not in render_html(sweep)  # one run per point


def test_the_detail_table_has_the_terminals_ipc_column() -> None:
    page = render_html(sample_results())
    details = page[page.index('id="detail-table"') :]
    assert "IPC (B/task)" in details and "<td>500 B</td>" in details


def _y_ticks(svg: str) -> list[str]:
    ticks = re.findall(r'<g id="ytick_\d+">.*?<text[^>]*>([^<]*)</text>', svg, re.S)
    return [t for t in ticks if t]


def test_counts_are_ticked_in_whole_numbers() -> None:
    runs = sample_results().runs
    for tick in _y_ticks(charts.concurrency_svg(runs)):
        assert re.fullmatch(r"\d+", tick), tick
    ticks = _y_ticks(timeline_svgs(runs)[1])  # asyncio's lanes, then its step lines' counts
    assert ticks[:6] == [f"Task-{n}" for n in range(2, 8)]
    assert all(re.fullmatch(r"\d+", t) for t in ticks[6:]) and len(ticks) > 6


def test_the_page_stays_bounded_at_any_task_count() -> None:
    """Past a few thousand tasks each thread is one row of its tasks in flight: the figure no
    longer grows with the tasks, and the embedded records stop at their cap."""
    small, big = render_html(large_results(25_000)), render_html(large_results(50_000))
    assert abs(len(big) - len(small)) < 0.02 * len(small)
    assert "exact records: the page's JSON, results.json, tasks.csv" in big
    assert '<a href="results.json">results.json</a>' in big


def test_sweep_lines_stay_apart_and_a_knee_at_the_edge_says_so() -> None:
    from reports.sweep_charts import MARKS, _dodged, knee_words

    assert knee_words(2, [1, 2, 4]) == "knee 2"
    assert "the largest tried: more workers may still help" in knee_words(4, [1, 2, 4])
    first, second = _dodged([1, 2, 4], 0, 2), _dodged([1, 2, 4], 1, 2)
    assert all(a < w < b for a, w, b in zip(first, [1, 2, 4], second, strict=True))
    assert len(set(MARKS)) == len(MARKS)


def test_the_environment_lists_every_installed_package_that_can_shape_a_run() -> None:
    from bench.harness.environment import packages

    found = packages()
    for name in ("concurrency-bench", "aiohttp", "rich", "matplotlib", "pandas", "jinja2"):
        assert found[name], name  # always installed: the harness and the report's renderers
    for name in ("uvloop", "gevent", "trio", "dask"):  # the dev install has every extra
        assert found.get(name), name


def test_a_groups_warning_stays_on_the_page_when_its_one_run_table_is_left_out() -> None:
    """A sweep point run once too short for the clock: the terminal warns, and so does the
    page, though there is no statistics table to put it under."""
    base = sample_results()
    short = tuple(dataclasses.replace(r, wall_ns=500_000) for r in base.runs)
    page = render_html(dataclasses.replace(base, runs=short, config={**base.config, "sweep": {}}))
    assert 'id="statistics-table"' not in page
    assert "runs shorter than 1 ms are too short for the clock" in page


def test_a_very_long_thread_name_cannot_squeeze_the_lanes_away() -> None:
    from reports.timeline import LABEL_CHARS, label_margin

    thr = sample_results().runs[2]
    named = tuple(dataclasses.replace(t, thread_name="worker-" + "x" * 90) for t in thr.tasks)
    run = dataclasses.replace(thr, tasks=named)
    assert label_margin([run]) == label_margin([run, run]) < 0.3 + 0.08 * LABEL_CHARS
    ticks = _y_ticks(timeline_svgs([run])[0])
    assert ticks[0].startswith("worker-xxx") and ticks[0].endswith("…")
    assert len(ticks[0]) == LABEL_CHARS  # the whole name stays in each bar's hover text
