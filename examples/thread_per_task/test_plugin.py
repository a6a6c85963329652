"""The example plugin's own test: found through its entry point, and it passes the shared
checks every built-in strategy passes (bench.testing, the public kit: nothing from tests/)."""

from __future__ import annotations

from cb_thread_per_task import ThreadPerTaskStrategy

import strategies
from bench import testing
from bench.analysis import stats


def test_the_plugin_is_found_by_its_entry_point() -> None:
    assert "thread-per-task" in strategies.names()
    assert strategies.get("thread-per-task") is ThreadPerTaskStrategy


class TestThreadPerTask(testing.StrategyChecks):
    strategy = ThreadPerTaskStrategy


def test_a_thread_of_its_own_per_task() -> None:
    record = testing.run(ThreadPerTaskStrategy, testing.make_plan(8, 0.05), workers=4)
    assert record.status == "completed" and all(t.status == "ok" for t in record.tasks)
    assert stats.peak_overlap(record.tasks) == 4
    assert len({t.thread_name for t in record.tasks}) == 8
