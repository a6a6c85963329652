"""The subinterpreters strategy: PEP 734's InterpreterPoolExecutor (3.14's standard library, or
3.13's backport from the `subinterpreters` extra). The shared checks run it through the
strategy fixture (tests/conftest.py), which skips it elsewhere with the reason; these check what
makes it itself, by structure: tasks in distinct interpreters of this one process."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
from pathlib import Path

import pytest

import strategies
from bench.analysis import stats
from bench.cli.app import main
from tests.conftest import make_plan, run

HERE = strategies.unavailable("subinterpreters")
needs_interpreters = pytest.mark.skipif(HERE is not None, reason=str(HERE))


@needs_interpreters
def test_tasks_run_in_distinct_interpreters_of_one_process() -> None:
    record = run("subinterpreters", make_plan(8, 0.1), workers=4)
    assert record.status == "completed"
    interpreters = {t.interpreter_id for t in record.tasks}
    assert None not in interpreters and 0 not in interpreters  # never the main interpreter
    assert len(interpreters) == 4  # the first wave of 4 runs at once, one per interpreter
    assert record.details["interpreter_ids"] == sorted(i for i in interpreters if i)
    assert stats.distinct_pids(record.tasks) == {os.getpid()}
    assert len({t.thread_id for t in record.tasks}) == 4  # a thread of this process each
    assert {t.thread_name for t in record.tasks} == {f"interpreter {i}" for i in interpreters}
    assert stats.peak_overlap(record.tasks) == 4
    assert record.startup_ns > 0


@needs_interpreters
def test_chunks_cross_and_what_crossing_costs_is_recorded() -> None:
    seen: list[int] = []
    record = run(
        "subinterpreters", make_plan(8, 0.01), workers=2, chunksize=4, progress=seen.append
    )
    assert record.status == "completed" and all(t.status == "ok" for t in record.tasks)
    assert max(seen) == 8  # tasks, not the 2 chunks
    details = record.details
    assert details["chunksize"] == 4 and details["ipc_sampled_tasks"] == 8
    for key in ("ipc_bytes_out_per_task", "ipc_bytes_in_per_task", "interpreters_rss_bytes"):
        assert details[key] > 0, key  # type: ignore[operator]


@needs_interpreters
@pytest.mark.parametrize(
    ("flags", "why"),
    [
        (["--task-timeout", "1"], "--task-timeout"),
        (["--workload", "cpu", "--cpu-impl", "numpy"], "numpy does not support loading in sub"),
    ],
)
def test_what_it_cannot_do_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], why: str
) -> None:
    argv = ["run", "--strategies", "subinterpreters", "--tasks", "2", *flags]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "subinterpreters" in err and why in err and err.count("\n") == 1


@needs_interpreters
@pytest.mark.slow
def test_ctrl_c_records_the_running_tasks_as_cancelled(tmp_path: Path) -> None:
    from tests.e2e.test_interrupts import _start, _wait_for_tasks

    with _start(tmp_path, "subinterpreters") as proc:
        _wait_for_tasks(proc, 2)  # logged from inside the interpreters
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=90) == 130
    run_ = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run_["status"] == "interrupted"
    statuses = [t["status"] for t in run_["tasks"]]
    assert statuses.count("cancelled") == 2 and set(statuses) == {"cancelled", "not_run"}


def test_where_it_cannot_run_it_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before 3.13 there is nothing to run; on 3.13 the backport is the extra; 3.14 has it."""
    assert isinstance(strategies.unavailable("subinterpreters", (3, 12)), strategies.Unavailable)
    assert "needs Python 3.13 or newer" in str(strategies.unavailable("subinterpreters", (3, 11)))
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)
    missing = strategies.unavailable("subinterpreters", (3, 13))
    assert isinstance(missing, strategies.MissingExtra) and "[subinterpreters]" in str(missing)
    assert strategies.unavailable("subinterpreters", (3, 14)) is None  # the standard library's
    monkeypatch.undo()
    # The CLI on an interpreter too old (made so here: none is too old for (99,)).
    monkeypatch.setitem(strategies.PYTHONS, "subinterpreters", ((99,), (99,), "a test"))
    argv = ["run", "--strategies", "subinterpreters", "--tasks", "2", "--out", str(tmp_path)]
    assert main(argv) == 2  # a usage error: nothing to install makes it run on this Python
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs Python 99 or newer (a test); this is Python" in err
    assert main(["list"]) == 0
    assert "not available here: strategy 'subinterpreters' needs Python 99" in " ".join(
        capsys.readouterr().out.split()
    )


def test_the_findings_read_interpreters_from_the_records() -> None:
    """Several interpreters in one pid are neither threads under one GIL nor processes."""
    from dataclasses import replace

    from reports.reading import cpu_findings, reading
    from tests.strategies.test_cpu import _crafted

    seq, threads = _crafted({"sequential": 4.0, "threads": 2.9})
    spread = tuple(replace(t, interpreter_id=1 + t.index % 4) for t in threads.tasks)
    interp = replace(threads, strategy="subinterpreters", tasks=spread)
    found = cpu_findings([seq, interp], {"workload": "cpu"})
    assert "faster, but short of the ideal: each interpreter has its own GIL" in found[0]
    assert "in 4 interpreters of one process (4 threads)" in reading(interp, seq)
    slow = replace(interp, wall_ns=4 * 10**9)
    assert "no faster across interpreters" in cpu_findings([seq, slow], {"workload": "cpu"})[0]


@needs_interpreters
def test_a_call_that_fails_around_its_task_is_that_tasks_error() -> None:
    from tests.crafted_collectors import ExitsInTask

    record = run("subinterpreters", make_plan(3, 0.01), workers=2, collector=ExitsInTask())
    assert [t.status for t in record.tasks] == ["ok", "error", "ok"]
    assert "the worker interpreter failed: SystemExit" in (record.tasks[1].error or "")
