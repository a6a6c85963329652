"""Signals at random moments, to random strategies, start-up included: every run ends within its
deadlines plus a grace, exits only with a documented code, never prints a traceback, and leaves
either no results.json or a valid one in which every planned task has exactly one status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies
from tests.early import interpreter_took_it
from tests.terminal import ROOT

pytestmark = pytest.mark.slow
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
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    with proc:
        time.sleep(delay)
        for _ in range(2 if twice else 1):
            try:
                os.killpg(proc.pid, signum)
            except ProcessLookupError:
                break  # it had already finished
        # Generous: a run here takes a few seconds; a hang would never end.
        code = proc.wait(timeout=60)
        assert proc.stderr is not None
        err = proc.stderr.read()
    if interpreter_took_it(code, err, signum):
        return
    assert code in DOCUMENTED, (code, err)
    assert "Traceback" not in err, err
    _check_results(folder, 6)
    assert not list(folder.glob(".*.tmp")) or code == 128 + signal.SIGINT
