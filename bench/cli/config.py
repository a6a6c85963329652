"""Validated run configuration: every flag is checked here, before anything runs.

Each check raises `UsageError` with one line naming the flag and the allowed range; the CLI turns
it into exit code 2.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.cli.endpoint import Endpoint, endpoint_from
from bench.cli.httpflags import attempts_of, http_faults, quota_of
from bench.cli.limits import check_deadlines, check_runnable, check_workers
from bench.cli.numbers import parse_float, parse_int, parse_list
from bench.cli.plan import Point, scenario_from
from bench.cli.runflags import GC_MODES, IO_MODES
from bench.collectors.custom import load as load_collector
from bench.collectors.polite import Politeness
from bench.errors import UsageError, did_you_mean, not_one_of
from bench.harness.execution import Abilities
from bench.mockapi.faults import NO_FAULTS, FaultRates, describe
from bench.mockapi.quota import Quota
from bench.model import MAX_WORKERS
from bench.workload import (
    Scenario,
)


@dataclass(frozen=True, slots=True)
class RunConfig:
    strategies: tuple[str, ...]
    scenario: Scenario
    workers: int
    start_method: str
    chunksize: int
    verbose: bool
    io: str = "sleep"
    cpu_impl: str = "python"
    http_faults: FaultRates = NO_FAULTS
    http_quota: Quota | None = None  # the mock server's token bucket per client key
    http_attempts: int = 4  # requests per task at most, retries included
    base_url: str | None = None  # set once the mock server is up
    server_pid: int | None = None  # its process, whose CPU each run reads
    collector: str | None = None  # --collector, already checked against the strategies
    scheduler: str | None = None  # dask: an existing cluster
    task_timeout_s: float | None = None
    run_timeout_s: float | None = None
    gc: bool = True  # the cyclic GC on while tasks run
    endpoint: Endpoint | None = None  # --base-url: the user's own endpoint, instead of the mock
    polite: Politeness | None = None  # its limits, shared by the session (set when it starts)

    def describe(self) -> dict[str, Any]:
        return {
            "strategies": list(self.strategies),
            "workers": self.workers,
            "io": self.io,
            "collector": self.collector,
            "scheduler": self.scheduler,
            "http_faults": describe(self.http_faults) if self.io == "http" else None,
            "http_quota": self.http_quota.describe() if self.http_quota else None,
            "http_attempts": self.http_attempts if self.io == "http" else None,
            "endpoint": self.endpoint.describe() if self.endpoint else None,
            "cpu_impl": self.cpu_impl,
            "start_method": self.start_method,
            "chunksize": self.chunksize,
            "task_timeout_seconds": self.task_timeout_s,
            "run_timeout_seconds": self.run_timeout_s,
            "gc": "on" if self.gc else "off",
            **self.scenario.describe(),
        }


AbilitiesOf = Callable[[str], Abilities]


def build_config(
    args: Any,
    known: Sequence[str],
    hidden: Sequence[str],
    abilities_of: AbilitiesOf,
    point: Point | None = None,
) -> RunConfig:
    """Every `bench run` flag checked, in the order a user reads them, before anything runs; a
    sweep's `point` stands in for the lists its --workers, --tasks and --latency hold."""
    names = tuple(parse_list("--strategies", args.strategies))
    check_strategies(names, known, hidden)
    abilities = {name: abilities_of(name) for name in names}
    workers = point.workers if point else parse_int("--workers", args.workers, 1, MAX_WORKERS)
    check_workers(workers, abilities)
    if args.io not in IO_MODES:
        raise not_one_of("--io", args.io, IO_MODES)
    _check_to_thread(args.io, abilities)
    scenario = scenario_from(args, point)
    task_timeout, run_timeout = _deadlines(args, abilities, scenario)
    chunksize = parse_int("--chunksize", args.chunksize, 1, 100_000)
    start_method = check_start_method(args.start_method)
    faults = _io_faults(args, abilities, scenario)
    _check_cpu_impl(args.cpu_impl, abilities, scenario)
    scheduler = _scheduler(args.scheduler, abilities)
    collector = _custom_collector(args.collector, args.io, abilities)
    endpoint = endpoint_from(args, abilities)
    if collector is not None or endpoint is not None:  # their own waiting: no planned latency
        latency = dataclasses.replace(scenario.latency, mean_s=0.0)
        scenario = dataclasses.replace(scenario, latency=latency)
    _check_gc(args.gc)
    return RunConfig(
        names,
        scenario,
        workers,
        start_method,
        chunksize,
        args.verbose,
        args.io,
        cpu_impl=args.cpu_impl,
        http_faults=faults,
        http_quota=quota_of(args),
        http_attempts=attempts_of(args),
        endpoint=endpoint,
        collector=collector,
        scheduler=scheduler,
        task_timeout_s=task_timeout,
        run_timeout_s=run_timeout,
        gc=args.gc == "on",
    )


def _check_gc(gc: str) -> None:
    if gc not in GC_MODES:
        raise UsageError(f"--gc must be on or off (got {gc!r}){did_you_mean(gc, GC_MODES)}")


def _deadlines(
    args: Any, abilities: Mapping[str, Abilities], scenario: Scenario
) -> tuple[float | None, float | None]:
    task_timeout = _optional_positive("--task-timeout", args.task_timeout)
    run_timeout = _optional_positive("--run-timeout", args.run_timeout)
    if task_timeout and run_timeout and task_timeout > run_timeout:
        raise UsageError("--task-timeout must not exceed --run-timeout")
    check_deadlines(abilities, task_timeout, run_timeout)
    if scenario.fail_rate and scenario.fail_mode == "hang" and not (task_timeout or run_timeout):
        raise UsageError(
            "--fail-mode hang needs --task-timeout or --run-timeout (or it never ends)"
        )
    return task_timeout, run_timeout


def _check_to_thread(io: str, abilities: Mapping[str, Abilities]) -> None:
    """to-thread is the async face handing its blocking call to a thread; a strategy that calls
    the sync face has no event loop to keep free, and would only measure a plain sleep."""
    if io != "to-thread":
        return
    for name, can in abilities.items():
        if "async" not in can.faces:
            raise UsageError(
                f"--io to-thread: {name} does not call the collector's async face, so it has "
                "no event loop to hand a blocking call off from; it is for the strategies that "
                "call the async face (`bench list` says which)"
            )


def _io_faults(args: Any, abilities: Mapping[str, Abilities], scenario: Scenario) -> FaultRates:
    """--http-faults, and the faults and strategies --io pairs with."""
    faults = http_faults(args.http_faults)
    if args.http_faults and args.io != "http":
        raise UsageError("--http-faults needs --io http")
    if scenario.fail_rate and (args.io == "http" or args.collector):
        raise UsageError(
            "--fail-rate plants faults in the built-in sleep collector: with --io http use "
            "--http-faults; with --collector your own code is what fails"
        )
    phased = [name for name, can in abilities.items() if "phased" in can.faces]
    if args.io == "http" and phased:
        raise UsageError(
            f"--io http: the {phased[0]} strategy needs a collector with "
            "separate I/O and CPU parts; run it with --io sleep"
        )
    return faults


def _check_cpu_impl(impl: str, abilities: Mapping[str, Abilities], scenario: Scenario) -> None:
    """numpy's extension modules refuse to load in a subinterpreter: every task would fail."""
    isolated = [name for name, can in abilities.items() if can.leaves_interpreter]
    if impl == "numpy" and scenario.workload != "io" and isolated:
        raise UsageError(
            f"--cpu-impl numpy cannot run under {isolated[0]}: numpy does not support loading "
            "in subinterpreters; use --cpu-impl python"
        )


def _scheduler(address: str | None, abilities: Mapping[str, Abilities]) -> str | None:
    if address is None:
        return None
    if not any(can.cluster for can in abilities.values()):
        raise UsageError(
            "--scheduler is for a strategy that runs on a cluster (dask): add one to --strategies"
        )
    return check_address(address)


def check_address(address: str) -> str:
    """tcp://HOST:PORT or tls://HOST:PORT, with a real port, or inproc://..."""
    bad = UsageError(f"--scheduler must be an address like tcp://HOST:PORT (got {address!r})")
    try:
        parts = urllib.parse.urlsplit(address)
        port = parts.port
    except ValueError:
        raise bad from None
    if parts.scheme == "inproc":
        return address
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None or port == 0:
        raise bad
    return address


def _custom_collector(text: str | None, io: str, abilities: Mapping[str, Abilities]) -> str | None:
    if text is None:
        return None
    if io != "sleep":
        raise UsageError("--collector replaces the built-in collector: leave out --io")
    try:
        check_runnable(load_collector(text), abilities)
    except ValueError as exc:
        raise UsageError(f"--collector: {exc}") from None
    return text


def _optional_positive(flag: str, text: str | None) -> float | None:
    return None if text is None else parse_float(flag, text, 0.0, above=True)


def check_strategies(names: Sequence[str], known: Sequence[str], hidden: Sequence[str]) -> None:
    for name in names:
        if name not in known and name not in hidden:
            raise UsageError(
                f"--strategies: unknown strategy {name!r}; choose from {', '.join(known)}"
                + did_you_mean(name, known)
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(f"--strategies: {', '.join(duplicates)} listed more than once")


def check_start_method(method: str) -> str:
    methods = multiprocessing.get_all_start_methods()
    if method not in methods:
        raise not_one_of("--start-method", method, methods)
    return method
