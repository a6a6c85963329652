from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cli.app import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "0"], "--workers must be an integer in 1..100000 (got 0)"),
        (["--workers", "-3"], "--workers must be an integer in 1..100000 (got -3)"),
        (["--workers", "abc"], "--workers must be an integer in 1..100000 (got 'abc')"),
        (["--workers", "1000", "--strategies", "processes"], "at most 256 with the processes"),
        (["--latency", "-1"], "--latency must be a finite number >= 0 (got -1)"),
        (["--latency", "nan"], "--latency must be a finite number >= 0 (got nan)"),
        (["--latency", "inf"], "--latency must be a finite number >= 0 (got inf)"),
        (["--latency-scale", "0"], "--latency-scale must be a finite number > 0"),
        (["--strategies", "curio"], "unknown strategy 'curio'; choose from sequential, asyncio"),
        (["--strategies", ""], "--strategies needs a comma-separated list"),
        (
            ["--strategies", "asyncio", "--scheduler", "tcp://127.0.0.1:8786"],
            "--scheduler is for a strategy that runs on a cluster (dask)",
        ),
        (["--strategies", "asyncio,asyncio"], "asyncio listed more than once"),
        (["--latency-dist", "zipf"], "--latency-dist must be one of constant, uniform"),
        (["--symbols", ""], "--symbols needs a comma-separated list"),
        (["--symbols", "AAPL,,MSFT"], "--symbols needs a comma-separated list"),
        (["--symbols", "A\x01B"], "--symbols: symbol 1 contains a NUL or control character"),
        (["--symbols", "AAPL", "--tasks", "3"], "mutually exclusive"),
        (["--tasks", "0"], "--tasks must be an integer in 1..1000000 (got 0)"),
        (["--start-method", "teleport"], "--start-method must be one of"),
        (["--seed", "x"], "--seed must be an integer"),
        (["--latency-dist", "constant", "--latency-spread", "1"], "takes no spread"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--cpu-work", "-1"], "--cpu-work must be an integer in 0..100000000 (got -1)"),
        (["--workload", "gpu"], "--workload must be one of io, cpu, mixed (got 'gpu')"),
        (["--cpu-impl", "rust"], "--cpu-impl must be one of python, numpy (got 'rust')"),
        (["--fail-rate", "1.5"], "--fail-rate must be a probability in 0..1"),
        (["--fail-mode", "explode"], "--fail-mode must be one of exception, timeout, hang"),
        (["--fail-rate", "0.5", "--fail-mode", "hang"], "needs --task-timeout or --run-timeout"),
        (["--task-timeout", "0"], "--task-timeout must be a finite number > 0"),
        (["--task-timeout", "5", "--run-timeout", "1"], "must not exceed --run-timeout"),
        (["--io", "carrier-pigeon"], "--io must be one of sleep, blocking"),
        (["--workers", " 3"], "--workers must be an integer in 1..100000 (got ' 3')"),
        (["--workers", "\u0663"], "--workers must be an integer in 1..100000"),
        (["--latency", "1_0"], "--latency must be a number >= 0 (got '1_0')"),
        (["--io", "http", "--fail-rate", "1"], "--fail-rate plants faults in the built-in"),
        (["--collector", "os:getcwd", "--fail-rate", "0.5"], "--fail-rate plants faults"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--out", str(tmp_path / "out"), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1, err
    assert not (tmp_path / "out").exists(), "nothing may run or be written on bad input"


def test_existing_results_need_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "results.json").write_text("{}")
    assert main(["run", "--strategies", "fake", "--out", str(tmp_path)]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err


def test_unwritable_output_is_an_environment_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["run", "--strategies", "fake", "--out", str(blocker / "sub")]) == 4
    assert "cannot write to" in capsys.readouterr().err


def test_fake_run_end_to_end_writes_results_and_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "run",
            "--strategies",
            "sequential,fake",
            "--tasks",
            "4",
            "--workers",
            "2",
            "--latency",
            "0.01",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    data = json.loads((tmp_path / "results.json").read_text())
    fake = data["runs"][1]
    assert fake["strategy"] == "fake"
    assert fake["wall_seconds"] == fake["ideal_seconds"] == 0.02
    assert [t["started_at"] for t in fake["tasks"]] == [0.0, 0.0, 0.01, 0.01]
    assert len((tmp_path / "tasks.csv").read_text().splitlines()) == 1 + 8
    out = capsys.readouterr().out
    assert "Summary" in out and "fake" in out  # captured stdout is 80 columns: the narrow table


@pytest.mark.slow
def test_real_subprocess_prints_no_traceback(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "bench", "run", "--workers", "nan"]
    proc = subprocess.run(
        argv, capture_output=True, text=True, check=False, timeout=60, cwd=tmp_path
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        "bench: error: --workers must be an integer in 1..100000 (got 'nan')"
    )


@pytest.mark.slow
def test_all_four_strategies_from_the_command_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "run",
            "--tasks",
            "6",
            "--workers",
            "3",
            "--latency",
            "0.05",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "results.json").read_text())
    assert [r["strategy"] for r in data["runs"]] == [
        "sequential",
        "asyncio",
        "threads",
        "processes",
    ]
    assert all(t["status"] == "ok" for r in data["runs"] for t in r["tasks"])


def test_stale_temp_files_from_a_killed_write_are_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / ".results.json.abc123.tmp"
    stale.write_text('{"half": ')
    assert main(["run", "--strategies", "fake", "--tasks", "2", "--out", str(tmp_path)]) == 0
    assert not stale.exists()
    json.loads((tmp_path / "results.json").read_text())
