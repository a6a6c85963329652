"""The plan's flags (symbols or tasks, latency, its distribution, faults, workload and its CPU
part, seed) turned into a checked Scenario."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Final

from bench.cli.numbers import MAX_NUMBER, parse_float, parse_int, parse_list
from bench.collectors.cpu import IMPLEMENTATIONS
from bench.collectors.faults import FAULT_MODES
from bench.errors import UsageError, not_one_of
from bench.workload import (
    DISTRIBUTIONS,
    WORKLOADS,
    LatencyModel,
    Scenario,
    check_symbols,
    symbols_for,
)

MAX_TASKS: Final = 1_000_000
DEFAULT_CPU_WORK: Final = 400_000  # about 0.2 s of pure-Python factor computation here
MAX_CPU_WORK: Final = 100_000_000


@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    """One point of a sweep, its numbers already parsed from the flags' lists: they stand in
    for --workers, --tasks and --latency, which then hold the lists."""

    workers: int
    tasks: int
    latency_s: float


def scenario_from(args: Any, point: Point | None = None) -> Scenario:
    """The plan's flags: symbols, latency, faults, workload and its CPU part."""
    scenario = build_scenario(
        args.symbols,
        args.tasks if point is None else point.tasks,
        args.latency if point is None else point.latency_s,
        args.latency_dist,
        args.latency_spread,
        args.latency_scale,
        args.seed,
    )
    if getattr(args, "latency_from", None) is not None:
        scenario = _replayed(scenario, args)
    scenario = _with_faults(scenario, args.fail_rate, args.fail_mode)
    scenario = _with_workload(scenario, args.workload, args.cpu_work)
    if args.cpu_impl not in IMPLEMENTATIONS:
        raise not_one_of("--cpu-impl", args.cpu_impl, IMPLEMENTATIONS)
    return scenario


def _replayed(scenario: Scenario, args: Any) -> Scenario:
    """--latency-from: the user's own latencies instead of a built-in distribution."""
    from bench.cli.latency_file import load_latencies

    if args.latency_dist != "constant" or args.latency_spread is not None:
        raise UsageError("--latency-from replaces --latency-dist and --latency-spread: give one")
    samples, source = load_latencies(Path(args.latency_from))
    model = LatencyModel.empirical(samples, source, scenario.latency.scale)
    if max(samples) * model.scale > MAX_NUMBER:
        raise UsageError(f"--latency-from x --latency-scale must be at most {MAX_NUMBER:,.0f} s")
    return dataclasses.replace(scenario, latency=model)


def _with_workload(scenario: Scenario, workload: str, cpu_work_text: str) -> Scenario:
    if workload not in WORKLOADS:
        raise not_one_of("--workload", workload, WORKLOADS)
    cpu_work = parse_int("--cpu-work", cpu_work_text, 0, MAX_CPU_WORK)
    return dataclasses.replace(scenario, workload=workload, cpu_work=cpu_work)


def _with_faults(scenario: Scenario, rate_text: str, mode: str) -> Scenario:
    if mode not in FAULT_MODES:
        raise not_one_of("--fail-mode", mode, FAULT_MODES)
    rate = parse_float("--fail-rate", rate_text, 0.0)
    if rate > 1:
        raise UsageError(f"--fail-rate must be a probability in 0..1 (got {rate_text})")
    return dataclasses.replace(scenario, fail_rate=rate, fail_mode=mode)


def build_scenario(
    symbols: str | None,
    tasks: str | int | None,  # text from the flag, a number from a sweep's point
    latency: str | float,
    dist: str,
    spread: str | None,
    scale: str,
    seed: str,
) -> Scenario:
    if symbols is not None and tasks is not None:
        raise UsageError("--symbols and --tasks are mutually exclusive: give one")
    if dist not in DISTRIBUTIONS:
        raise not_one_of("--latency-dist", dist, DISTRIBUTIONS)
    if tasks is not None:
        count = tasks if isinstance(tasks, int) else parse_int("--tasks", tasks, 1, MAX_TASKS)
        names = symbols_for(count)
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
            mean_s=latency if isinstance(latency, float) else parse_float("--latency", latency, 0),
            spread=None if spread is None else parse_float("--latency-spread", spread, 0.0),
            scale=parse_float("--latency-scale", scale, 0.0, above=True),
        )
    except ValueError as exc:
        raise UsageError(f"--latency-spread: {exc}") from None
    if model.mean_s * model.scale > MAX_NUMBER:
        raise UsageError(f"--latency x --latency-scale must be at most {MAX_NUMBER:,.0f} s")
    return Scenario(names, model, parse_int("--seed", seed, 0, 2**63 - 1))
