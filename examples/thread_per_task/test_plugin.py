"""The example plugin's own test: found through its entry point, and it runs the shared checks."""

from __future__ import annotations

import strategies
from bench.analysis import stats
from tests.conftest import make_plan, run


def test_the_plugin_is_found_by_its_entry_point() -> None:
    assert "thread-per-task" in strategies.names()
    assert strategies.get("thread-per-task").__name__ == "ThreadPerTaskStrategy"


def test_the_plugin_runs_like_a_builtin() -> None:
    record = run("thread-per-task", make_plan(8, 0.05), workers=4)
    assert record.status == "completed" and all(t.status == "ok" for t in record.tasks)
    assert stats.peak_overlap(record.tasks) == 4
    assert len({t.thread_name for t in record.tasks}) == 8  # a thread of its own per task
