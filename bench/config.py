"""Validated run configuration: every flag is checked here, before anything runs.

Each check raises `UsageError` with one line naming the flag and the allowed range; the CLI turns
it into exit code 2.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bench.workload import DISTRIBUTIONS, LatencyModel, Scenario, check_symbols, symbols_for

MAX_WORKERS: Final = 100_000
MAX_PROCESS_WORKERS: Final = 256
MAX_TASKS: Final = 1_000_000


class UsageError(Exception):
    """Bad input from the user: exit 2 with this one-line message."""


def default_start_method() -> str:
    # forkserver: forking a process that has threads (rich's refresh thread, a previous pool's
    # threads) can deadlock, and 3.14 made it the Linux default for that reason.
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def parse_int(flag: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise UsageError(f"{flag} must be an integer in {low}..{high} (got {text!r})") from None
    if not low <= value <= high:
        raise UsageError(f"{flag} must be an integer in {low}..{high} (got {value})")
    return value


def parse_float(flag: str, text: str, low: float, *, above: bool = False) -> float:
    """A finite float >= low (or > low with `above`); NaN and inf are refused by name."""
    bound = f"> {low:g}" if above else f">= {low:g}"
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise UsageError(f"{flag} must be a number {bound} (got {text!r})") from None
    if not math.isfinite(value) or value < low or (above and value == low):
        raise UsageError(f"{flag} must be a finite number {bound} (got {text})")
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

    def describe(self) -> dict[str, Any]:
        return {
            "strategies": list(self.strategies),
            "workers": self.workers,
            "start_method": self.start_method,
            "chunksize": self.chunksize,
            **self.scenario.describe(),
        }


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


def check_workers(workers: int, strategies: Sequence[str]) -> None:
    if "processes" in strategies and workers > MAX_PROCESS_WORKERS:
        raise UsageError(
            f"--workers must be at most {MAX_PROCESS_WORKERS} with the processes strategy "
            f"(got {workers}); each worker is a whole interpreter"
        )


def check_start_method(method: str) -> str:
    methods = multiprocessing.get_all_start_methods()
    if method not in methods:
        raise UsageError(f"--start-method must be one of {', '.join(methods)} (got {method!r})")
    return method
