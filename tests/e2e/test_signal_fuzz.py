"""Signals at random moments, to random strategies, start-up included: every run ends within its
deadlines plus a grace, exits only with a documented code, never prints a traceback, and leaves
either no results.json or a valid one in which every planned task has exactly one status."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies
from tests.early import interpreter_took_it, signalled
from tests.terminal import ROOT

STRATEGIES = ["sequential", "asyncio", "asyncio-workers", "threads", "processes"]
# The optional engines too, where installed: gevent's child and trio's cancel scope take signals
# their own ways.
STRATEGIES += [name for name in ("gevent", "trio") if strategies.available(name)]
DOCUMENTED = {0, 2, 3, 4, 5, 130, 143}
STATUSES = {"ok", "error", "timeout", "cancelled", "not_run"}


def _check_results(folder: Path, tasks: int) -> None:
    path = folder / "results.json"
    if not path.exists():
        return
    for run in json.loads(path.read_text())["runs"]:
        indexes = [t["index"] for t in run["tasks"]]
        assert indexes == list(range(tasks)), indexes  # each planned task exactly once
        assert {t["status"] for t in run["tasks"]} <= STATUSES


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    names=st.lists(st.sampled_from(STRATEGIES), min_size=1, max_size=2, unique=True),
    signum=st.sampled_from([signal.SIGINT, signal.SIGTERM]),
    delay=st.floats(min_value=0.0, max_value=2.5),
    twice=st.booleans(),
    hang=st.booleans(),
)
def test_a_signal_at_any_moment_ends_the_run_cleanly(
    names: list[str],
    signum: signal.Signals,
    delay: float,
    twice: bool,
    hang: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("run")
    argv = [
        sys.executable,
        "-m",
        "bench",
        "run",
        "--strategies",
        ",".join(names),
        "--tasks",
        "6",
        "--workers",
        "2",
        "--latency",
        "0.4",
        "--out",
        str(folder),
    ]
    if hang:
        argv += ["--fail-mode", "hang", "--fail-rate", "0.5", "--task-timeout", "0.3"]
    code, err = signalled(argv, signum, delay, 2 if twice else 1, 60, ROOT)
    if interpreter_took_it(code, err, signum):
        return
    assert code in DOCUMENTED, (code, err)
    assert "Traceback" not in err, err
    _check_results(folder, 6)
    assert not list(folder.glob(".*.tmp")) or code == 128 + signal.SIGINT


# How a person or a script starts bench: as is, under coreutils `timeout` (which passes a
# terminal's Ctrl-C on to bench once more, and to the group once more without --foreground), or
# from a shell script (bash waits for bench, then goes on).
WRAPPERS: dict[str, list[str]] = {
    "none": [],
    "timeout": ["timeout", "120"],
    "timeout --foreground": ["timeout", "--foreground", "120"],
    "bash": ["bash", "-c", '"$@"; exit $?', "bash"],
}
COMMANDS: dict[str, list[str]] = {
    "run": ["run", "--strategies", "asyncio,threads", "--tasks", "6", "--latency", "0.3"],
    "sweep": [
        *("sweep", "--strategies", "asyncio,threads"),
        *("--workers", "1,3", "--tasks", "6", "--latency", "0.2"),
    ],
    "demo": ["demo", "--fast", "--chapter", "5"],  # one chapter: a few seconds
}
# Where an export goes: nowhere, a FIFO nobody reads (one line and exit 4 after a bounded wait,
# never a hang), or a stdout closed before bench started (refused before the run, exit 4).
EXPORTS = ["none", "fifo", "closed-stdout"]


def _check_demo(folder: Path) -> None:
    path = folder / "demo.json"
    if path.exists():
        numbers = [c["number"] for c in json.loads(path.read_text())["chapters"]]
        assert numbers == [5], numbers
        assert (folder / "demo.html").exists()


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    command=st.sampled_from(list(COMMANDS)),
    wrapper=st.sampled_from(list(WRAPPERS)),
    export=st.sampled_from(EXPORTS),
    signum=st.sampled_from([signal.SIGINT, signal.SIGTERM]),
    delay=st.floats(min_value=0.0, max_value=3.0),
    twice=st.booleans(),
)
def test_a_signal_through_any_wrapper_to_any_command_ends_it_cleanly(
    command: str,
    wrapper: str,
    export: str,
    signum: signal.Signals,
    delay: float,
    twice: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp(command)
    argv = [*WRAPPERS[wrapper], sys.executable, "-m", "bench", *COMMANDS[command]]
    argv += ["--out", str(folder)]
    if command != "demo" and export == "fifo":
        os.mkfifo(folder / "export.fifo")
        argv += ["--export-json", str(folder / "export.fifo")]
    elif command != "demo" and export == "closed-stdout":
        argv = ["sh", "-c", 'exec "$@" >&-', "sh", *argv, "--export-csv", "-"]
    # The whole group gets it, wrapper and bench alike, as a terminal's Ctrl-C does.
    code, err = signalled(argv, signum, delay, 2 if twice else 1, 90, ROOT)
    if interpreter_took_it(code, err, signum):
        return  # (through a wrapper too: timeout and bash die of the signal bench died of)
    assert code in DOCUMENTED, (code, err)
    assert "Traceback" not in err, err
    if command == "demo":
        _check_demo(folder)
    else:
        _check_results(folder, 6)
    assert not list(folder.glob(".*.tmp")) or code == 128 + signal.SIGINT
