from __future__ import annotations

import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import strategies
from bench.collectors.base import SleepCollector
from bench.harness.execution import StrategyOptions
from bench.harness.runner import run_strategy
from bench.model import RunRecord, TaskSpec

# The suite sends Ctrl-C to the processes it starts, as a terminal does. Started as a background
# job of a script (`make test &`), pytest inherits SIGINT ignored and would hand that on: a
# `bench run` keeps an inherited SIG_IGN, as Python does, and the interrupt tests would see runs
# that never stop.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def make_plan(count: int, latency_s: float) -> tuple[TaskSpec, ...]:
    return tuple(TaskSpec(i, f"S{i:03d}", round(latency_s * 1e9)) for i in range(count))


def run(name: str, plan: Sequence[TaskSpec], workers: int, **options: object) -> RunRecord:
    collector = options.pop("collector", SleepCollector())
    watch = options.pop("watch", None)
    opts = StrategyOptions(workers, collector, **options)  # type: ignore[arg-type]
    return run_strategy(strategies.get(name), plan, opts, watch=watch)  # type: ignore[arg-type]


@pytest.fixture(params=list(strategies.BUILTIN))
def strategy_name(request: pytest.FixtureRequest) -> str:
    """Every built-in strategy: shared checks run under each one (anyio's backend fixture).
    Plugins carry their own tests (see examples/thread_per_task)."""
    name: str = request.param
    why = strategies.unavailable(name)
    if why is not None:
        pytest.skip(str(why))
    return name


def optional(name: str) -> Any:
    """A strategy with an optional extra as a parametrize value: skipped where the extra is
    missing, saying which (never silently)."""
    missing = not strategies.available(name)
    reason = f"{name}: its optional extra is not installed ({strategies.EXTRAS[name][1]})"
    return pytest.param(name, marks=pytest.mark.skipif(missing, reason=reason))


# CI runs the whole suite once (Python 3.11, the lock) and, on 3.12, 3.13 and the newest
# releases pyproject allows, every test but the slow end-to-end ones (`--cross-check`): those
# exercise the same code through subprocesses and would cost CI four times their minutes. A slow
# test that only some interpreters can run (subinterpreters, a free-threaded build) is kept,
# since the main leg skips it and this would be its only run.
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cross-check",
        action="store_true",
        help="leave out slow tests except those only some Pythons run (CI's other legs)",
    )


VERSION_BOUND = ("subinterpreters", "free_threading", "free-threading")


# tests/e2e/ drives the tool through processes of its own (a terminal, signals, pools, servers):
# every test there is slow by being there, so a new end-to-end file cannot forget the mark.
E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)
    if not config.getoption("--cross-check"):
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        bound = any(word in item.nodeid for word in VERSION_BOUND)
        (left_out if item.get_closest_marker("slow") and not bound else kept).append(item)
    config.hook.pytest_deselected(items=left_out)
    items[:] = kept
