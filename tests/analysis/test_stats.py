from __future__ import annotations

import pytest

from bench.analysis import stats
from bench.model import RunRecord, TaskRecord


def task(
    index: int,
    start: float,
    finish: float,
    queued: float = 0.0,
    pid: int = 1,
    tid: int = 1,
    latency: float = 1.0,
) -> TaskRecord:
    ns = 1_000_000_000
    return TaskRecord(
        index,
        f"S{index}",
        "ok",
        round(latency * ns),
        round(queued * ns),
        round(start * ns),
        round(finish * ns),
        pid,
        tid,
        "t",
        None,
        None,
    )


def test_ideal_is_list_scheduling_in_submission_order() -> None:
    assert stats.ideal_ns([2, 2, 2, 2, 2, 2], 6) == 2
    assert stats.ideal_ns([2] * 6, 1) == 12
    assert stats.ideal_ns([3, 1, 1, 1], 2) == 3
    assert stats.ideal_ns([1, 1, 1, 3], 2) == 4  # 1|1, then 1 after 1, 3 after 1
    assert stats.ideal_ns([], 4) == 0
    with pytest.raises(ValueError):
        stats.ideal_ns([1], 0)


def test_peak_overlap_counts_hand_overs_as_sequential() -> None:
    back_to_back = [task(0, 0, 1), task(1, 1, 2), task(2, 2, 3)]
    assert stats.peak_overlap(back_to_back) == 1
    staggered = [task(0, 0, 2), task(1, 1, 3), task(2, 1.5, 2.5)]
    assert stats.peak_overlap(staggered) == 3
    assert stats.peak_overlap([]) == 0


def test_concurrency_steps() -> None:
    steps = stats.concurrency_steps([task(0, 0, 2), task(1, 1, 3)])
    assert steps == [(0, 1), (10**9, 2), (2 * 10**9, 1), (3 * 10**9, 0)]


def test_percentile_interpolates_like_numpy() -> None:
    assert stats.percentile([1, 2, 3, 4], 50) == 2.5
    assert stats.percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert stats.percentile([7], 95) == 7
    assert stats.percentile([], 50) is None


def test_summary_of_a_crafted_run() -> None:
    tasks = (
        task(0, 0, 1, pid=10, tid=1),
        task(1, 0, 1, pid=10, tid=2),
        task(2, 1, 2, pid=11, tid=1),
        task(3, 1, 2.5, queued=0, pid=11, tid=1),
    )
    run = RunRecord("threads", 2, "completed", 2_500_000_000, 0, tasks)
    base = RunRecord("sequential", 1, "completed", 4_000_000_000, 0, tasks)
    s = stats.summarize(run, base)
    assert s.ideal_s == 2.0
    assert s.efficiency == pytest.approx(0.8)
    assert s.speedup == pytest.approx(1.6)
    assert s.peak_overlap == 2
    assert s.threads == 3  # (10,1), (10,2), (11,1): thread ids repeat across processes
    assert s.pids == 2
    assert s.mean_queue_wait_s == pytest.approx(0.5)
    assert s.max_queue_wait_s == pytest.approx(1.0)
    assert s.throughput == pytest.approx(4 / 2.5)
