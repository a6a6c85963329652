"""Honest answers: every "faster" or "slower" is backed by an interval that excludes 1 or by a
single-run difference beyond the stated resolution; every answer leads with where the tasks ran
and how many overlapped; failed tasks never lift efficiency above 1; runs cut short carry no
ratio anywhere."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.analysis import stats
from bench.analysis.significance import MIN_SAMPLES_FOR_INTERVAL, bootstrap_ci
from bench.analysis.speed import SINGLE_RUN_RESOLUTION, Speed, speed
from bench.cli.app import main
from bench.model import Results, RunRecord, TaskRecord
from bench.results import loader
from reports.answers import answers
from reports.frames import runs_frame
from reports.markdown import markdown

MS = 1_000_000
Capture = pytest.CaptureFixture[str]


def _tasks(
    n: int, workers: int, latency_ns: int, tid_per_lane: bool, fail: int = 0
) -> tuple[TaskRecord, ...]:
    """n tasks in waves of `workers`, each lasting its latency; the first `fail` fail at once."""
    out = []
    for i in range(n):
        start = (i // workers) * latency_ns
        failed = i < fail
        out.append(
            TaskRecord(
                i,
                f"S{i}",
                "error" if failed else "ok",
                latency_ns,
                0,
                start,
                start + (1000 if failed else latency_ns),
                100,
                (i % workers) + 1 if tid_per_lane else 7,
                "T",
                None,
                "boom" if failed else None,
            )
        )
    return tuple(out)


def _run(
    strategy: str,
    wall_ms: float,
    workers: int = 6,
    n: int = 6,
    round_: int = 0,
    threads: bool = False,
    **details: object,
) -> RunRecord:
    tasks = _tasks(n, workers, 50 * MS, threads)
    base = {"baseline": strategy == "sequential", **details}
    return RunRecord(
        strategy, workers, "completed", round(wall_ms * MS), 0, tasks, details=base, round=round_
    )


def _results(*runs: RunRecord, **config: object) -> Results:
    return Results({}, {"tasks": 6, "latency_seconds": 0.05, **config}, runs)


def test_one_run_each_within_the_resolution_is_about_as_fast() -> None:
    found = answers(_results(_run("asyncio", 104.5), _run("threads", 109.4, threads=True)))
    assert found == [
        "asyncio: 1 OS thread, 1 process, 6 tasks in flight at once; about as fast as threads "
        "(one run each, 4.7% apart; --repeat 3 to tell them apart)",
        "threads: 6 OS threads, 1 process, 6 tasks in flight at once; 0.11 s (the slowest "
        "here: the others are compared with it)",
    ]


def test_one_run_each_beyond_the_resolution_says_faster_and_that_it_is_one_run() -> None:
    found = answers(_results(_run("sequential", 300.0, workers=1), _run("asyncio", 50.0)))
    assert found[1] == (
        "asyncio: 1 OS thread, 1 process, 6 tasks in flight at once; 6.0x faster than "
        "sequential (one run each)"
    )
    assert found[0].startswith("sequential: 1 OS thread, 1 process, 1 task in flight at once; ")
    # Two figures from one run a side: "3.94x" beside "3.91x" read as a ranking.
    close = answers(_results(_run("sequential", 300.0, workers=1), _run("asyncio", 76.1)))
    assert close[1].endswith("; 3.9x faster than sequential (one run each)")
    far = answers(_results(_run("sequential", 1230.0, workers=1), _run("asyncio", 100.0)))
    assert far[1].endswith("; 12x faster than sequential (one run each)")


def test_rounds_whose_interval_includes_one_are_about_as_fast_with_the_interval() -> None:
    walls = [(100, 101), (100, 99), (100, 100.5), (100, 99.5)]
    runs = [
        run
        for r, (a, t) in enumerate(walls)
        for run in (_run("asyncio", a, round_=r), _run("threads", t, round_=r, threads=True))
    ]
    line = answers(_results(*runs))[1]  # asyncio is the slowest by a hair: the reference
    assert re.fullmatch(
        r"threads: .*; about as fast as asyncio \(95% interval 0\.\d\d-1\.\d\d includes 1, "
        r"4 rounds\)",
        line,
    ), line


def test_rounds_whose_interval_excludes_one_print_the_interval() -> None:
    runs = [
        run
        for r in range(3)
        for run in (_run("sequential", 300 + r, workers=1, round_=r), _run("asyncio", 50, round_=r))
    ]
    line = answers(_results(*runs))[1]
    assert re.fullmatch(
        r"asyncio: .*; 6\.\d\d \+/- 0\.\d\d times faster than sequential "
        r"\(95% interval, 3 rounds\)",
        line,
    ), line


def test_a_blocked_loop_is_no_faster_and_says_why() -> None:
    """`--io blocking`: asyncio's tasks ran one after another; 1.00 +/- 0.00 times slower was the
    old answer."""
    serial = _tasks(6, 1, 50 * MS, False)
    runs = []
    for r in range(3):
        runs.append(_run("sequential", 301, workers=1, round_=r))
        blocked = RunRecord(
            "asyncio",
            6,
            "completed",
            301 * MS,
            0,
            serial,
            details={"loop_blocked": 1, "loop_blocked_busy": 0},
            round=r,
        )
        runs.append(blocked)
    assert answers(_results(*runs))[1] == (
        "asyncio: 1 OS thread, 1 process, 1 task in flight at once; no faster than sequential: "
        "its tasks never overlapped (a blocking call held the loop)"
    )


def test_speed_words_follow_the_evidence() -> None:
    assert Speed(1.05, None, 1).word == "about as fast as"
    assert Speed(1 + SINGLE_RUN_RESOLUTION + 0.01, None, 1).word == "faster"
    assert Speed(0.8, None, 1).word == "slower"
    assert Speed(1.5, (0.9, 2.0), 3).word == "about as fast as"
    assert Speed(1.02, (1.01, 1.03), 3).word == "faster"  # small but certain
    assert Speed(0.5, (0.4, 0.6), 3).times == 2.0


def test_failed_tasks_never_lift_efficiency_above_one() -> None:
    """Tasks that fail at once did none of their planned wait: the old ideal counted it, and a
    sequential run of 24 tasks with 4 failures read 1.20."""
    tasks = _tasks(24, 1, 100 * MS, False, fail=4)
    wall = sum(t.duration_ns for t in tasks) + MS
    run = RunRecord("sequential", 1, "completed", wall, 0, tasks)
    eff = stats.efficiency(run)
    assert eff is not None and 0.99 < eff <= 1.0
    assert stats.run_ideal_ns(run) < stats.plan_ideal_ns(tasks, 1)


def test_a_run_cut_short_has_no_ratio_in_any_view() -> None:
    run = RunRecord("processes", 2, "aborted", 200 * MS, 0, _tasks(6, 2, 50 * MS, True))
    assert stats.efficiency(run) is None
    assert runs_frame(_results(run))["efficiency"].isna().all()


def test_markdown_states_the_scenario_above_its_table() -> None:
    text = markdown(_results(_run("asyncio", 60), repeat=3, workers=6, seed=1, io="sleep"))
    assert (
        text.splitlines()[0] == "Scenario: 6 tasks x 50 ms, workers 6, 3 rounds, io sleep, seed 1"
    )


# Through the command line, as users run it.


def _quiet(tmp_path: Path, capsys: Capture, *argv: str) -> tuple[list[str], dict[str, Any]]:
    out = tmp_path / "out"
    code = main(["run", *argv, "--out", str(out), "--force", "-q"])
    assert code in (0, 5), code
    lines = capsys.readouterr().out.splitlines()[:-1]  # the last: where the report is
    return lines, json.loads((out / "results.json").read_text())


def _backed(line: str, results: Results) -> None:
    """A "faster"/"slower" needs an interval excluding 1 (3+ rounds) or a difference beyond the
    single-run resolution, recomputed here from the walls in the file."""
    name = line.split(":", maxsplit=1)[0]
    claims = [
        found
        for part in line.split("; ")
        if (
            found := re.match(r"[\d.]+(?:x| \+/- [\d.]+ times) (faster|slower) than ([\w-]+)", part)
        )
    ]
    if not claims:  # no comparison, "about as fast", or "no faster than": no difference claimed
        return
    word, other = claims[0].groups()
    walls = {
        r.round: r.wall_ns for r in results.runs if r.strategy == other and r.status == "completed"
    }
    ratios = [
        walls[r.round] / r.wall_ns
        for r in results.runs
        if r.strategy == name and r.status == "completed" and r.round in walls
    ]
    if len(ratios) >= MIN_SAMPLES_FOR_INTERVAL:
        low, high = bootstrap_ci(ratios)
        assert (low > 1) if word == "faster" else (high < 1), (line, low, high)
    else:
        ratio = statistics.median(ratios)
        assert abs(ratio - 1) >= SINGLE_RUN_RESOLUTION * min(ratio, 1), line
        assert (ratio > 1) == (word == "faster"), line


@pytest.mark.slow
def test_two_close_strategies_in_one_run_each_get_no_faster(
    tmp_path: Path, capsys: Capture
) -> None:
    argv = ["--tasks", "12", "--latency", "0.05", "--strategies", "asyncio,threads"]
    lines, _ = _quiet(tmp_path, capsys, *argv)
    results = loader.load(tmp_path / "out" / "results.json")
    assert lines[0].startswith("asyncio: 1 OS thread, 1 process, 6 tasks in flight at once; ")
    assert lines[1].startswith("threads: 6 OS threads, 1 process, 6 tasks in flight at once; ")
    for line in lines:
        _backed(line, results)


@pytest.mark.slow
def test_blocking_io_under_asyncio_is_no_faster_than_sequential(
    tmp_path: Path, capsys: Capture
) -> None:
    argv = ["--tasks", "4", "--latency", "0.02", "--strategies", "sequential,asyncio"]
    lines, _ = _quiet(tmp_path, capsys, *argv, "--io", "blocking", "--repeat", "3")
    assert lines[1] == (
        "asyncio: 1 OS thread, 1 process, 1 task in flight at once; no faster than sequential: "
        "its tasks never overlapped (a blocking call held the loop)"
    )


@pytest.mark.slow
def test_failures_are_named_and_no_efficiency_exceeds_one(tmp_path: Path, capsys: Capture) -> None:
    argv = ["--strategies", "sequential,asyncio,threads", "--tasks", "12", "--workers", "3"]
    argv += ["--latency", "0.02", "--fail-rate", "0.25", "--fail-mode", "exception", "--seed", "3"]
    lines, doc = _quiet(tmp_path, capsys, *argv)
    failed = sum(t["status"] != "ok" for t in doc["runs"][0]["tasks"])
    assert failed > 0
    assert lines[0].startswith(f"{failed} of 12 tasks failed in every strategy")
    assert all(f"; {failed} of 12 tasks failed" in line for line in lines[1:])
    assert all(r["efficiency"] <= 1.0 + 1e-6 for r in doc["runs"])


@pytest.mark.slow
def test_an_aborted_run_has_no_efficiency_in_the_file(tmp_path: Path, capsys: Capture) -> None:
    argv = ["--strategies", "processes", "--tasks", "6", "--workers", "2", "--latency", "0.05"]
    _, doc = _quiet(tmp_path, capsys, *argv, "--fail-mode", "crash", "--fail-rate", "0.5")
    (run,) = doc["runs"]
    assert run["status"] == "aborted" and run["efficiency"] is None


modes = st.sampled_from(["exception", "timeout", "hang"])


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # each example is a real run: no shrinking
)
@given(
    tasks=st.integers(2, 10),
    workers=st.integers(1, 4),
    rate=st.sampled_from([0.0, 0.2, 0.5, 1.0]),
    mode=modes,
    rounds=st.sampled_from([1, 3]),
    cut=st.booleans(),
)
def test_random_plans_keep_every_answer_honest(
    tmp_path: Path,
    capsys: Capture,
    tasks: int,
    workers: int,
    rate: float,
    mode: str,
    rounds: int,
    cut: bool,
) -> None:
    argv = ["--strategies", "sequential,asyncio,threads", "--tasks", str(tasks)]
    argv += ["--workers", str(workers), "--latency", "0.01", "--repeat", str(rounds)]
    argv += ["--fail-rate", str(rate), "--fail-mode", mode, "--task-timeout", "0.02"]
    argv += ["--run-timeout", "0.03"] if cut else []
    lines, doc = _quiet(tmp_path, capsys, *argv)
    resolution = 1e-6  # the clock's, in seconds over walls of tens of ms: far above it
    for run in doc["runs"]:
        if run["status"] != "completed":
            assert run["efficiency"] is None, run["status"]
        elif run["efficiency"] is not None:
            assert run["efficiency"] <= 1.0 + resolution / run["wall_seconds"], run
    results = loader.load(tmp_path / "out" / "results.json")
    for line in lines:
        _backed(line, results)
    assert speed([], []) is None
