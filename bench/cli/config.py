"""Validated run configuration: every flag is checked here, before anything runs.

Each check raises `UsageError` with one line naming the flag and the allowed range; the CLI turns
it into exit code 2.
"""

from __future__ import annotations

import dataclasses
import email.utils
import math
import multiprocessing
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bench.cli.limits import check_deadlines, check_runnable, check_workers
from bench.collectors.cpu import IMPLEMENTATIONS
from bench.collectors.custom import load as load_collector
from bench.collectors.faults import FAULT_MODES
from bench.errors import UsageError
from bench.harness.execution import Abilities
from bench.mockapi.faults import NO_FAULTS, FaultRates, describe, parse_faults
from bench.model import MAX_WORKERS
from bench.workload import (
    DISTRIBUTIONS,
    WORKLOADS,
    LatencyModel,
    Scenario,
    check_symbols,
    symbols_for,
)

MAX_TASKS: Final = 1_000_000
MAX_NUMBER: Final = 1e6  # seconds for durations (11.6 days), the same for factors and percents
DEFAULT_CPU_WORK: Final = 400_000  # about 0.2 s of pure-Python factor computation here
MAX_CPU_WORK: Final = 100_000_000


def default_start_method() -> str:
    # forkserver: forking a process that has threads (rich's refresh thread, a previous pool's
    # threads) can deadlock, and 3.14 made it the Linux default for that reason.
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(
    r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?(nan|inf|infinity)", re.I
)


def parse_int(flag: str, text: str, low: int, high: int) -> int:
    # Plain ASCII digits only: int() would also take " 3", "1_0" and Arabic-Indic digits.
    if not isinstance(text, str) or not _INT.fullmatch(text):
        raise UsageError(f"{flag} must be an integer in {low}..{high} (got {text!r})")
    value = int(text)
    if not low <= value <= high:
        raise UsageError(f"{flag} must be an integer in {low}..{high} (got {value})")
    return value


def parse_float(
    flag: str, text: str, low: float, *, above: bool = False, high: float = MAX_NUMBER
) -> float:
    """A finite float >= low (or > low with `above`) and <= high; NaN and inf are refused by
    name. Every duration has an upper bound: 1e308 s would overflow the clocks."""
    bound = f"> {low:g}" if above else f">= {low:g}"
    if not isinstance(text, str) or not _FLOAT.fullmatch(text):  # float() takes "1_0" too
        raise UsageError(f"{flag} must be a number {bound} (got {text!r})")
    value = float(text)
    if not math.isfinite(value) or value < low or (above and value == low):
        raise UsageError(f"{flag} must be a finite number {bound} (got {text})")
    if value > high:
        raise UsageError(f"{flag} must be at most {high:,.0f} (got {text})")
    return value


def parse_list(flag: str, text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or not all(items):
        raise UsageError(f"{flag} needs a comma-separated list with no empty items (got {text!r})")
    return items


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
    base_url: str | None = None  # set once the mock server is up
    collector: str | None = None  # --collector, already checked against the strategies
    scheduler: str | None = None  # dask: an existing cluster
    task_timeout_s: float | None = None
    run_timeout_s: float | None = None
    gc: bool = True  # the cyclic GC on while tasks run

    def describe(self) -> dict[str, Any]:
        return {
            "strategies": list(self.strategies),
            "workers": self.workers,
            "io": self.io,
            "collector": self.collector,
            "scheduler": self.scheduler,
            "http_faults": describe(self.http_faults) if self.io == "http" else None,
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
    args: Any, known: Sequence[str], hidden: Sequence[str], abilities_of: AbilitiesOf
) -> RunConfig:
    """Every `bench run` flag checked, in the order a user reads them, before anything runs."""
    names = tuple(parse_list("--strategies", args.strategies))
    check_strategies(names, known, hidden)
    abilities = {name: abilities_of(name) for name in names}
    workers = parse_int("--workers", args.workers, 1, MAX_WORKERS)
    check_workers(workers, abilities)
    if args.io not in IO_MODES:
        raise UsageError(f"--io must be one of {', '.join(IO_MODES)} (got {args.io!r})")
    scenario = build_scenario(
        args.symbols,
        args.tasks,
        args.latency,
        args.latency_dist,
        args.latency_spread,
        args.latency_scale,
        args.seed,
    )
    scenario = _with_faults(scenario, args.fail_rate, args.fail_mode)
    scenario = _with_workload(scenario, args.workload, args.cpu_work)
    if args.cpu_impl not in IMPLEMENTATIONS:
        raise UsageError(
            f"--cpu-impl must be one of {', '.join(IMPLEMENTATIONS)} (got {args.cpu_impl!r})"
        )
    task_timeout = _optional_positive("--task-timeout", args.task_timeout)
    run_timeout = _optional_positive("--run-timeout", args.run_timeout)
    if task_timeout and run_timeout and task_timeout > run_timeout:
        raise UsageError("--task-timeout must not exceed --run-timeout")
    check_deadlines(abilities, task_timeout, run_timeout)
    if scenario.fail_rate and scenario.fail_mode == "hang" and not (task_timeout or run_timeout):
        raise UsageError(
            "--fail-mode hang needs --task-timeout or --run-timeout (or it never ends)"
        )
    chunksize = parse_int("--chunksize", args.chunksize, 1, 100_000)
    start_method = check_start_method(args.start_method)
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
    scheduler = _scheduler(args.scheduler, names)
    collector = _custom_collector(args.collector, args.io, abilities)
    if collector is not None:  # the user's code does its own waiting: no planned latency
        scenario = dataclasses.replace(
            scenario, latency=dataclasses.replace(scenario.latency, mean_s=0.0)
        )
    if args.gc not in ("on", "off"):
        raise UsageError(f"--gc must be on or off (got {args.gc!r})")
    return RunConfig(
        names,
        scenario,
        workers,
        start_method,
        chunksize,
        args.verbose,
        args.io,
        args.cpu_impl,
        faults,
        None,
        collector,
        scheduler,
        task_timeout,
        run_timeout,
        args.gc == "on",
    )


def _scheduler(address: str | None, names: Sequence[str]) -> str | None:
    if address is None:
        return None
    if "dask" not in names:
        raise UsageError("--scheduler is for the dask strategy: add dask to --strategies")
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


def http_faults(text: str, flag: str = "--http-faults") -> FaultRates:
    try:
        return parse_faults(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def retry_after(text: str) -> str:
    """A Retry-After header value: seconds (0..1,000,000) or an HTTP date."""
    try:
        parse_float("--retry-after", text, 0.0)
    except UsageError:
        try:
            email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise UsageError(
                f"--retry-after must be seconds (0..1,000,000) or an HTTP date (got {text!r})"
            ) from None
    return text


IO_MODES: Final = ("sleep", "blocking", "http")


def _optional_positive(flag: str, text: str | None) -> float | None:
    return None if text is None else parse_float(flag, text, 0.0, above=True)


def _with_workload(scenario: Scenario, workload: str, cpu_work_text: str) -> Scenario:
    if workload not in WORKLOADS:
        raise UsageError(f"--workload must be one of {', '.join(WORKLOADS)} (got {workload!r})")
    cpu_work = parse_int("--cpu-work", cpu_work_text, 0, MAX_CPU_WORK)
    return dataclasses.replace(scenario, workload=workload, cpu_work=cpu_work)


def _with_faults(scenario: Scenario, rate_text: str, mode: str) -> Scenario:
    if mode not in FAULT_MODES:
        raise UsageError(f"--fail-mode must be one of {', '.join(FAULT_MODES)} (got {mode!r})")
    rate = parse_float("--fail-rate", rate_text, 0.0)
    if rate > 1:
        raise UsageError(f"--fail-rate must be a probability in 0..1 (got {rate_text})")
    return dataclasses.replace(scenario, fail_rate=rate, fail_mode=mode)


def build_scenario(
    symbols: str | None,
    tasks: str | None,
    latency: str,
    dist: str,
    spread: str | None,
    scale: str,
    seed: str,
) -> Scenario:
    if symbols is not None and tasks is not None:
        raise UsageError("--symbols and --tasks are mutually exclusive: give one")
    if dist not in DISTRIBUTIONS:
        raise UsageError(f"--latency-dist must be one of {', '.join(DISTRIBUTIONS)} (got {dist!r})")
    if tasks is not None:
        names = symbols_for(parse_int("--tasks", tasks, 1, MAX_TASKS))
    elif symbols is not None:
        try:
            names = check_symbols(parse_list("--symbols", symbols))
        except ValueError as exc:
            raise UsageError(f"--symbols: {exc}") from None
    else:
        names = symbols_for(6)
    try:
        model = LatencyModel(
            dist=dist,
            mean_s=parse_float("--latency", latency, 0.0),
            spread=None if spread is None else parse_float("--latency-spread", spread, 0.0),
            scale=parse_float("--latency-scale", scale, 0.0, above=True),
        )
    except ValueError as exc:
        raise UsageError(f"--latency-spread: {exc}") from None
    if model.mean_s * model.scale > MAX_NUMBER:
        raise UsageError(f"--latency x --latency-scale must be at most {MAX_NUMBER:,.0f} s")
    return Scenario(names, model, parse_int("--seed", seed, 0, 2**63 - 1))


def check_strategies(names: Sequence[str], known: Sequence[str], hidden: Sequence[str]) -> None:
    for name in names:
        if name not in known and name not in hidden:
            raise UsageError(
                f"--strategies: unknown strategy {name!r}; choose from {', '.join(known)}"
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(f"--strategies: {', '.join(duplicates)} listed more than once")


def check_start_method(method: str) -> str:
    methods = multiprocessing.get_all_start_methods()
    if method not in methods:
        raise UsageError(f"--start-method must be one of {', '.join(methods)} (got {method!r})")
    return method
