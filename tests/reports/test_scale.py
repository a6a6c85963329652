"""Large runs stay bounded (issue #30): the trace aggregates beyond TRACE_TASKS, the report
beyond its limits, and the in-flight curves drawn from numpy match the step curve exactly."""

from __future__ import annotations

import itertools
import json

import pytest

from bench.analysis.stats import concurrency_steps
from reports import trace
from reports.occupancy import binned, binned_arrays, in_flight_arrays
from reports.trace import COUNTER_BINS, trace_json
from tests.samples import large_results, rich_results


def test_in_flight_arrays_are_the_step_curve() -> None:
    for run in (*rich_results().runs, *large_results(3_000, workers=7).runs):
        times, levels = in_flight_arrays(run.tasks)
        assert list(zip(times.tolist(), levels.tolist(), strict=True)) == concurrency_steps(
            run.tasks
        )


def test_binned_peaks_from_arrays_match_the_steps() -> None:
    run = large_results(3_000, workers=7).runs[0]
    times, levels = in_flight_arrays(run.tasks)
    _, peaks = binned(concurrency_steps(run.tasks), run.wall_ns, 50)
    assert binned_arrays(times, levels, run.wall_ns, 50) == peaks
    assert max(peaks) == 7


def test_a_large_run_is_an_aggregated_track_said_in_the_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(trace, "TRACE_TASKS", 100)
    results = large_results(1_000, workers=10)
    doc = json.loads(trace_json(results))
    events = doc["traceEvents"]
    assert "runs of more than 100 tasks" in doc["otherData"]["aggregated"]
    (name,) = [e["args"]["name"] for e in events if e["name"] == "process_name"]
    assert name.endswith(
        "events for the first 100 of 1,000 tasks; all of them in the 'tasks in flight' counter"
    )
    work = [e for e in events if e["ph"] == "X" and e["cat"] != "queue"]
    assert sorted(e["name"] for e in work) == sorted(f"SYN{i:06d}" for i in range(100))
    counter = [e for e in events if e["ph"] == "C"]
    assert len(counter) == COUNTER_BINS + 1
    assert {e["args"]["tasks"] for e in counter} == {10}  # ten in flight, all along
    assert [e["ts"] for e in counter] == sorted(e["ts"] for e in counter)
    by_lane: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for e in (e for e in events if e["ph"] == "X"):
        by_lane.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    for spans in by_lane.values():  # still valid for Perfetto: a lane never overlaps itself
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_a_small_run_is_not_aggregated() -> None:
    doc = json.loads(trace_json(large_results(200)))
    assert "aggregated" not in doc["otherData"]
    assert not [e for e in doc["traceEvents"] if e["ph"] == "C"]


def test_the_trace_of_100k_tasks_stays_small() -> None:
    """Each task of 100,000 was 3 events (326 bytes a task): now 20,000 tasks' events and a
    counter. One-sided, a structural bound: under 100 bytes a task."""
    size = len(trace_json(large_results(100_000)))
    assert size / 100_000 < 100, size


def test_the_numpy_paths_give_the_same_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """From NUMPY_FROM spans the step curve and its peak come from numpy: the same values."""
    from bench.analysis import overlap

    runs = [*rich_results().runs, *large_results(3_000, workers=7).runs]
    python = [(overlap.concurrency_steps(r.tasks), overlap.peak_overlap(r.tasks)) for r in runs]
    monkeypatch.setattr(overlap, "NUMPY_FROM", 1)
    assert [(overlap.concurrency_steps(r.tasks), overlap.peak_overlap(r.tasks)) for r in runs] == (
        python
    )


def test_threads_busy_from_numpy_match_the_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    from dataclasses import replace

    from reports import occupancy

    rng = random.Random(1)
    tasks = [
        replace(t, thread_id=rng.randint(1, 5), pid=rng.choice([10, 11]))
        for t in large_results(3_000, workers=7).runs[0].tasks
    ]
    python = occupancy.thread_curve(tasks)
    monkeypatch.setattr(occupancy, "NUMPY_FROM", 1)
    numpy = occupancy.thread_curve(tasks)
    assert numpy.times.tolist() == python.times.tolist()
    assert numpy.levels.tolist() == python.levels.tolist()
    assert max(numpy.levels) == 7


def test_a_large_runs_summary_is_the_same_from_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.analysis import overlap, stats

    run = large_results(3_000, workers=7).runs[0]
    python = stats._summarize(run, None)
    monkeypatch.setattr(stats, "NUMPY_FROM", 1)
    monkeypatch.setattr(overlap, "NUMPY_FROM", 1)
    assert stats._summarize(run, None) == python
    assert type(stats._summarize(run, None).p95_task_s) is float


def test_a_run_where_no_task_ran_has_an_empty_curve() -> None:
    """An interrupt during start-up leaves every task not run: nothing to sort, no crash."""
    from bench.model import TaskRecord, TaskSpec
    from reports.occupancy import binned_curve, task_curve, thread_curve

    tasks = [TaskRecord.not_run(TaskSpec(i, f"S{i}", 1_000)) for i in range(3)]
    for curve in (task_curve(tasks), thread_curve(tasks)):
        assert len(curve.times) == len(curve.levels) == 0
        assert binned_curve(curve, 1_000, 4)[1] == [0] * 5
