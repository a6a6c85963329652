"""Random argument vectors: the CLI only ever exits with a documented code, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bench.cli.app
import bench.cli.postrun
import strategies
from bench.cli.app import main
from strategies.fake import FakeStrategy

FLAGS = [
    "--strategies",
    "--symbols",
    "--tasks",
    "--workers",
    "--latency",
    "--latency-dist",
    "--latency-spread",
    "--latency-scale",
    "--seed",
    "--io",
    "--fail-rate",
    "--fail-mode",
    "--task-timeout",
    "--run-timeout",
    "--start-method",
    "--chunksize",
    "--out",
    "--repeat",
    "--warmup",
    "--workload",
    "--cpu-work",
    "--cpu-impl",
    "--collector",
    "--scheduler",
    "--http-faults",
]
VALUES = [
    "0",
    "-1",
    "1",
    "3",
    "1e9",
    "nan",
    "inf",
    "-inf",
    "0.001",
    "abc",
    "",
    ",",
    "A,B",
    "AAPL,AAPL",
    "\x00",
    "sequential,asyncio",
    "uniform",
    "lognormal",
    "hang",
    "crash",
    "fork",
    "spawn",
    "blocking",
    "1.5",
    "99999999999999999",
    "é",
    "$$",
    "<x>",
    "cpu",
    "numpy",
    "mixed",
    "tcp://127.0.0.1:1",
    "error=0.5",
    "x:y",
    "os:getcwd",
    "dask",
    "1e308",
    "-1e308",
    "1e-308",
    "5e-324",
    "2.2250738585072014e-308",
    "1e6",
    "1000001",
    os.fsdecode(b"\xff\xfeAB"),
    os.fsdecode(b"A,\x80"),
]
DOCUMENTED = {0, 2, 3, 4, 5}

argv_strategy = st.lists(
    st.one_of(st.sampled_from(FLAGS), st.sampled_from(VALUES), st.text(max_size=8)), max_size=8
)


@pytest.fixture
def fast_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Validation is what is under test: whatever strategy is named, run the virtual-time fake,
    # skip rendering, and keep every output inside tmp_path.
    monkeypatch.setattr(strategies, "get", lambda _name: FakeStrategy)
    monkeypatch.setattr(bench.cli.postrun, "write_reports", lambda *_args, **_kwargs: [])
    monkeypatch.chdir(tmp_path)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=argv_strategy)
@pytest.mark.usefixtures("fast_runs")
def test_random_arguments_exit_with_a_documented_code(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    if "--out" in argv:  # never write outside the sandbox
        argv = [a for a in argv if a != "--out"]
    code = main(["run", "--force", *argv])
    out, err = capsys.readouterr()
    assert code in DOCUMENTED, (argv, err)
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        assert err.count("\n") == 1, err
    assert os.getcwd()  # still in the sandbox


SPECIAL = [
    "/dev/zero",
    "/dev/null",
    "fifo",
    "folder",
    "deep.json",
    "big.json",
    "missing.json",
    os.fsdecode(b"\xff.json"),
]


@pytest.fixture
def special_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    (tmp_path / "deep.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    (tmp_path / "big.json").write_text('{"schema_version": 1e308, "runs": [1e300]}')
    monkeypatch.chdir(tmp_path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.sampled_from(["report", "compare"]),
    paths=st.lists(st.sampled_from(SPECIAL), min_size=2, max_size=2),
)
@pytest.mark.usefixtures("special_files")
def test_special_files_are_one_line_and_exit_3(
    command: str, paths: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, paths[0], "--out", "out"] if command == "report" else [command, *paths]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 3, (argv, err)
    assert err.count("\n") == 1 and "Traceback" not in err
