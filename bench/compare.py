"""Run-to-run comparison: per strategy (and sweep point), the ratio of median wall times with its
bootstrap interval and a Mann-Whitney U test; `--fail-above` turns a significant slowdown into a
failing exit code for CI."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.model import Results
from bench.repeats import GroupKey, group_key
from bench.significance import mann_whitney_u, ratio_ci

ALPHA = 0.05
COMPARED_ENVIRONMENT = (
    "python", "implementation", "platform", "machine", "hostname", "cpu_count", "usable_cpus",
    "gil_enabled", "start_method", "packages",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Comparison:
    key: GroupKey
    base: tuple[float, ...]
    current: tuple[float, ...]
    ratio: float  # median(current) / median(base): above 1 is slower
    low: float
    high: float
    p_value: float

    @property
    def label(self) -> str:
        strategy, workers, tasks, _ = self.key
        return f"{strategy} (workers {workers}, {tasks} tasks)"

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA

    @property
    def verdict(self) -> str:
        if not self.significant:
            return "not significant"
        return "slower" if self.ratio > 1 else "faster"

    def regressed(self, percent: float) -> bool:
        return self.significant and self.ratio > 1 + percent / 100


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
        out.append(Comparison(key, tuple(b), tuple(c), statistics.median(c) / statistics.median(b),
                              low, high, p))  # fmt: skip
    return out


def unmatched(base: Results, current: Results) -> list[str]:
    before, after = set(_walls(base)), set(_walls(current))

    def name(k: GroupKey) -> str:
        return f"{k[0]} (workers {k[1]}, {k[2]} tasks)"

    return [f"only in the baseline: {name(k)}" for k in sorted(before - after)] + [
        f"only in the current file: {name(k)}" for k in sorted(after - before)
    ]


def differences(base: Results, current: Results) -> list[str]:
    """What differs between the machines or versions that wrote the two files."""
    found = []
    for key in COMPARED_ENVIRONMENT:
        a, b = base.environment.get(key), current.environment.get(key)
        if a != b:
            found.append(f"{key}: {a!r} vs {b!r}")
    return found
