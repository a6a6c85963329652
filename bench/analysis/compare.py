"""Run-to-run comparison: per strategy (and sweep point), the ratio of median wall times with its
95% bootstrap interval, which decides; a Mann-Whitney U test is reported beside it.

The decision rule: "slower" when the whole interval of median(current) / median(baseline) lies
above 1, "faster" when it lies below, otherwise no clear change; `--fail-above PCT` fails when
the interval lies above 1 + PCT/100. At least MIN_RUNS runs a side are needed for any decision.
The rank test cannot decide at the sizes people use: with 3 runs a side the smallest two-sided
p it can ever give is 0.1, so a 3x slowdown would read as "not significant".
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bench.analysis.repeats import GroupKey, group_key
from bench.analysis.significance import MIN_SAMPLES_FOR_INTERVAL, mann_whitney_u, ratio_ci
from bench.model import Results

MIN_RUNS: Final = MIN_SAMPLES_FOR_INTERVAL  # a side, for an interval (and so a verdict)
COMPARED_ENVIRONMENT: Final = (
    "python",
    "implementation",
    "platform",
    "machine",
    "hostname",
    "cpu_count",
    "usable_cpus",
    "gil_enabled",
    "start_method",
    "packages",
)
# Configuration fields that say what was run, not how many times or where the output went.
_NOT_CONFIGURATION: Final = {"repeat", "warmup", "strategies", "sweep", "symbols"}


def label(key: GroupKey) -> str:
    """Every field that identifies a group: strategy, workers, tasks and the planned latency."""
    strategy, workers, tasks, latency_ns = key
    mean_ms = latency_ns / max(tasks, 1) / 1e6
    return f"{strategy} (workers {workers}, {tasks} tasks x {mean_ms:g} ms planned)"


@dataclass(frozen=True, slots=True)
class Comparison:
    key: GroupKey
    base: tuple[float, ...]
    current: tuple[float, ...]
    ratio: float  # median(current) / median(base): above 1 is slower
    low: float  # the 95% bootstrap interval of the ratio
    high: float
    p_value: float  # two-sided Mann-Whitney U, for reference: it does not decide

    @property
    def label(self) -> str:
        return label(self.key)

    @property
    def enough_runs(self) -> bool:
        return min(len(self.base), len(self.current)) >= MIN_RUNS

    @property
    def verdict(self) -> str:
        if not self.enough_runs:
            return f"too few runs (need {MIN_RUNS} a side)"
        if self.low > 1:
            return "slower"
        if self.high < 1:
            return "faster"
        return "no clear change"

    def regressed(self, percent: float) -> bool:
        """Slower by more than `percent`, with the whole 95% interval beyond it."""
        return self.enough_runs and self.low > 1 + percent / 100


def _walls(results: Results) -> dict[GroupKey, list[float]]:
    groups: dict[GroupKey, list[float]] = {}
    for run in results.runs:
        if run.status == "completed" and run.wall_ns > 0:
            groups.setdefault(group_key(run), []).append(run.wall_ns / 1e9)
    return groups


def compare(base: Results, current: Results) -> list[Comparison]:
    before, after = _walls(base), _walls(current)
    out = []
    for key in [k for k in before if k in after]:
        b, c = before[key], after[key]
        low, high = ratio_ci(b, c)
        _, p = mann_whitney_u(b, c)
        ratio = statistics.median(c) / statistics.median(b)
        out.append(Comparison(key, tuple(b), tuple(c), ratio, low, high, p))
    return out


def unmatched(base: Results, current: Results) -> list[str]:
    before, after = set(_walls(base)), set(_walls(current))
    return [f"only in the baseline: {label(k)}" for k in sorted(before - after)] + [
        f"only in the current file: {label(k)}" for k in sorted(after - before)
    ]


def differences(base: Results, current: Results) -> list[str]:
    """What differs between the machines or versions that wrote the two files."""
    return _differing(base.environment, current.environment, COMPARED_ENVIRONMENT)


def config_differences(base: Results, current: Results) -> list[str]:
    """Every configuration field that differs (latency, seed, io, gc, ...), by name."""
    keys = sorted((set(base.config) | set(current.config)) - _NOT_CONFIGURATION)
    return _differing(base.config, current.config, keys)


def _differing(a: Mapping[str, object], b: Mapping[str, object], keys: Sequence[str]) -> list[str]:
    return [f"{key}: {a.get(key)!r} vs {b.get(key)!r}" for key in keys if a.get(key) != b.get(key)]
