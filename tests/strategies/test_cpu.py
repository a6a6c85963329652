"""CPU and mixed workloads, the hybrid strategy, and what the process pool's bill records."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from bench.analysis import stats
from bench.collectors import cpu as factors
from bench.collectors.base import SleepCollector
from bench.harness.calibrate import with_cpu_estimates
from bench.model import RunRecord, TaskRecord
from bench.results.loader import load
from bench.results.writer import save
from bench.workload import LatencyModel, Scenario, symbols_for
from reports.reading import cpu_findings
from tests.conftest import run
from tests.samples import sample_results


def test_factors_are_deterministic_per_symbol() -> None:
    for impl in factors.IMPLEMENTATIONS:
        a = factors.compute("AAPL", 42, 5000, impl)
        assert a == factors.compute("AAPL", 42, 5000, impl)
        assert a != factors.compute("MSFT", 42, 5000, impl)
        assert all(isinstance(x, float) for x in a)


def test_workloads_shape_the_plan() -> None:
    base = Scenario(symbols_for(4), LatencyModel("constant", 1.0), cpu_work=1000)
    io = base.plan()
    cpu = dataclasses.replace(base, workload="cpu").plan()
    mixed = dataclasses.replace(base, workload="mixed").plan()
    assert {(t.latency_ns, t.cpu_work) for t in io} == {(10**9, 0)}
    assert {(t.latency_ns, t.cpu_work) for t in cpu} == {(0, 1000)}
    assert {(t.latency_ns, t.cpu_work) for t in mixed} == {(10**9, 1000)}


def test_calibration_fills_in_the_cpu_cost() -> None:
    plan = Scenario(symbols_for(3), LatencyModel(), workload="cpu", cpu_work=20_000).plan()
    estimated = with_cpu_estimates(plan, SleepCollector())
    assert all(t.cpu_ns > 0 for t in estimated)
    assert len({t.cpu_ns for t in estimated}) == 1  # same work, one measurement


def test_ideal_is_bounded_by_the_cores() -> None:
    # Four 1 s CPU tasks on 4 workers but 2 cores: no executor can beat 2 s.
    assert stats.ideal_ns([10**9] * 4, 4, cpu_ns=4 * 10**9, cores=2) == 2 * 10**9
    assert stats.ideal_ns([10**9] * 4, 4) == 10**9  # I/O alone: 1 s


def _cpu_plan(count: int, work: int = 20_000) -> tuple:  # type: ignore[type-arg]
    plan = Scenario(
        symbols_for(count), LatencyModel("constant", 0.02), workload="mixed", cpu_work=work
    ).plan()
    return with_cpu_estimates(plan, SleepCollector())


def test_hybrid_runs_the_cpu_phase_in_another_process(tmp_path: Path) -> None:
    record = run("asyncio+processes", _cpu_plan(6), workers=3, cores=2)
    assert record.status == "completed"
    parent = os.getpid()
    for task in record.tasks:
        assert task.status == "ok"
        assert task.pid == parent  # the I/O phase: on the event loop
        names = [p[0] for p in task.phases]
        assert names == ["io", "cpu"]
        io, cpu = task.phases
        assert cpu[3] != parent  # the CPU phase: in a pool worker
        assert task.started_ns is not None and task.finished_ns is not None
        assert task.started_ns <= io[1] <= io[2] <= cpu[1] <= cpu[2] <= task.finished_ns
    assert len(stats.distinct_pids(record.tasks)) > 1
    results = dataclasses.replace(sample_results(), runs=(record,))
    save(results, tmp_path / "results.json")
    assert load(tmp_path / "results.json").runs[0].tasks == record.tasks


def test_chunksize_cuts_ipc_round_trips() -> None:
    plan = _cpu_plan(8, work=1000)
    one = run("processes", plan, workers=2, chunksize=1)
    four = run("processes", plan, workers=2, chunksize=4)
    assert one.details["ipc_round_trips"] == 8
    assert four.details["ipc_round_trips"] == 2
    for record in (one, four):
        out, back = (
            record.details["ipc_bytes_out_per_task"],
            record.details["ipc_bytes_in_per_task"],
        )
        assert isinstance(out, float) and out > 0
        assert isinstance(back, float) and back > 0
        assert isinstance(record.details["workers_uss_bytes"], int)
        pickling = record.details["ipc_pickle_back_us_per_task"]
        assert isinstance(pickling, float) and pickling >= 0
    # Four tasks to a message: the fixed cost of a message is paid once for four.
    assert four.details["ipc_bytes_out_per_task"] < one.details["ipc_bytes_out_per_task"]  # type: ignore[operator]


SHAPES = {  # (pid, thread id, asyncio task name) of task i, as each kind of strategy records it
    "loop": lambda i: (1, 1, f"Task-{i + 2}"),
    "thread": lambda _i: (1, 1, None),
    "threads": lambda i: (1, 10 + i % 4, None),
    "processes": lambda i: (100 + i % 4, 1, None),
}
SHAPE_OF = {
    "sequential": "thread",
    "asyncio": "loop",
    "asyncio-workers": "loop",
    "asyncio-uvloop": "loop",
    "threads": "threads",
    "processes": "processes",
}


def _crafted(walls: dict[str, float], cores: int = 2, workers: int = 4) -> list[RunRecord]:
    runs = []
    for name, wall in walls.items():
        w = 1 if name == "sequential" else workers
        where = SHAPES[SHAPE_OF[name]]
        tasks = tuple(
            TaskRecord(
                i,
                f"S{i}",
                "ok",
                0,
                0,
                0,
                10**9,
                where(i)[0],
                where(i)[1],
                "t",
                where(i)[2],
                None,
                10**9,
            )
            for i in range(4)
        )
        details = {"baseline": name == "sequential"}
        runs.append(
            RunRecord(
                name, w, "completed", round(wall * 1e9), 0, tasks, details=details, cores=cores
            )
        )
    return runs


def test_findings_follow_the_records_not_the_names() -> None:
    """asyncio-workers and asyncio-uvloop were told "pickling ate the gain" (not asyncio, so
    not one thread, by name); the records say one event loop thread."""
    found = cpu_findings(
        _crafted({"sequential": 4.0, "asyncio-workers": 4.1, "asyncio-uvloop": 4.05}),
        {"workload": "cpu"},
    )
    assert all(line.endswith("every CPU part ran on the event loop's one thread") for line in found)
    assert not any("pickling" in line for line in found)


def test_findings_say_what_was_measured_either_way() -> None:
    classic = cpu_findings(
        _crafted({"sequential": 4.0, "asyncio": 4.1, "threads": 4.0, "processes": 2.05}),
        {"workload": "cpu"},
    )
    assert classic[0].startswith("asyncio: 0.98x sequential, where the ideal allows 2.0x")
    assert classic[0].endswith("no faster: every CPU part ran on the event loop's one thread")
    assert classic[1].endswith("no faster: the GIL lets one thread run Python at a time")
    assert "close to the ideal: the cores were used" in classic[2]
    surprise = cpu_findings(
        _crafted({"sequential": 4.0, "threads": 3.0}), {"workload": "cpu", "cpu_impl": "numpy"}
    )
    assert surprise[0].endswith("faster: numpy released the GIL inside its calls")
    assert cpu_findings(_crafted({"sequential": 4.0}), {"workload": "io"}) == []
