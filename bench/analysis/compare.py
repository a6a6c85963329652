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
from collections.abc import Iterable, Mapping, Sequence
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


def _plan(key: GroupKey) -> str:
    _, _, tasks, latency_ns = key
    return f"{tasks} tasks x {latency_ns / max(tasks, 1) / 1e6:g} ms planned"


def label(key: GroupKey) -> str:
    """Every field that identifies a group: strategy, workers, tasks and the planned latency."""
    strategy, workers, _, _ = key
    return f"{strategy} (workers {workers}, {_plan(key)})"


@dataclass(frozen=True, slots=True)
class Comparison:
    key: GroupKey
    base: tuple[float, ...]
    current: tuple[float, ...]
    ratio: float  # median(current) / median(base): above 1 is slower
    low: float  # the 95% bootstrap interval of the ratio
    high: float
    p_value: float  # two-sided Mann-Whitney U, for reference: it does not decide
    base_key: GroupKey | None = None  # the baseline's group, when it ran another plan

    @property
    def plans_differ(self) -> bool:
        return self.base_key is not None and self.base_key != self.key

    @property
    def label(self) -> str:
        if self.base_key is None or not self.plans_differ:
            return label(self.key)
        (_, _, tasks, _), (_, _, was_tasks, was_ns) = self.key, self.base_key
        was = f"{was_ns / max(was_tasks, 1) / 1e6:g} ms"
        was = was if tasks == was_tasks else f"{was_tasks} tasks x {was}"
        return f"{label(self.key)[:-1]}; baseline {was})"

    @property
    def enough_runs(self) -> bool:
        return min(len(self.base), len(self.current)) >= MIN_RUNS

    @property
    def verdict(self) -> str:
        if not self.enough_runs:
            return f"too few runs (need {MIN_RUNS} a side)"
        found = "slower" if self.low > 1 else "faster" if self.high < 1 else "no clear change"
        # A ratio across two plans measures the plans as much as the code.
        return f"{found} (different plans)" if self.plans_differ else found

    def regressed(self, percent: float) -> bool:
        """Slower by more than `percent`, with the whole 95% interval beyond it."""
        return self.enough_runs and self.low > 1 + percent / 100


def _walls(results: Results) -> dict[GroupKey, list[float]]:
    """Completed runs' wall times by configuration (runs cut short are no sample)."""
    groups: dict[GroupKey, list[float]] = {}
    for run in results.runs:
        if run.status == "completed" and run.wall_ns > 0:
            groups.setdefault(group_key(run), []).append(run.wall_ns / 1e9)
    return groups


def _pairs(
    before: Iterable[GroupKey], after: Iterable[GroupKey]
) -> list[tuple[GroupKey, GroupKey]]:
    """(baseline key, current key): the same configuration where both files ran it; otherwise
    the same strategy and workers where each file ran it under one plan only (the files'
    plans differ: a changed --latency or --tasks must not make every row vanish)."""
    before, after = list(before), list(after)
    pairs = [(k, k) for k in after if k in before]
    alone_b, alone_a = _by_strategy(before, after), _by_strategy(after, before)
    pairs += [(alone_b[sw], key) for sw, key in alone_a.items() if sw in alone_b]
    return pairs


def _by_strategy(keys: list[GroupKey], other: list[GroupKey]) -> dict[tuple[str, int], GroupKey]:
    """Keys with no exact match in `other`, by (strategy, workers) where that is unambiguous."""
    found: dict[tuple[str, int], list[GroupKey]] = {}
    for key in keys:
        if key not in other:
            found.setdefault(key[:2], []).append(key)
    return {sw: ks[0] for sw, ks in found.items() if len(ks) == 1}


def compare(base: Results, current: Results) -> list[Comparison]:
    before, after = _walls(base), _walls(current)
    out = []
    for base_key, key in _pairs(before, after):
        b, c = before[base_key], after[key]
        low, high = ratio_ci(b, c)
        _, p = mann_whitney_u(b, c)
        ratio = statistics.median(c) / statistics.median(b)
        out.append(Comparison(key, tuple(b), tuple(c), ratio, low, high, p, base_key))
    return out


def unmatched(base: Results, current: Results) -> list[str]:
    """A configuration only one file has, and why where the other file says: a run of the
    same strategy and workers there that was aborted or interrupted."""
    before, after = _walls(base), _walls(current)
    paired = _pairs(before, after)
    only_b = sorted(set(before) - {b for b, _ in paired})
    only_a = sorted(set(after) - {a for _, a in paired})
    return [_only(k, "baseline", current, "the current file") for k in only_b] + [
        _only(k, "current file", base, "the baseline") for k in only_a
    ]


def _only(key: GroupKey, side: str, other: Results, other_name: str) -> str:
    cut = [
        r.status
        for r in other.runs
        if r.status != "completed" and (r.strategy, r.workers) == key[:2]
    ]
    if cut:
        return f"{label(key)}: {cut[0]} in {other_name}, so not compared"
    return f"only in the {side}: {label(key)}"


def differences(base: Results, current: Results) -> list[str]:
    """What differs between the machines or versions that wrote the two files."""
    return _differing(base.environment, current.environment, COMPARED_ENVIRONMENT)


def config_differences(base: Results, current: Results) -> list[str]:
    """Every configuration field that differs (latency, seed, io, gc, ...), by name."""
    keys = sorted((set(base.config) | set(current.config)) - _NOT_CONFIGURATION)
    return _differing(base.config, current.config, keys)


def _differing(a: Mapping[str, object], b: Mapping[str, object], keys: Sequence[str]) -> list[str]:
    return [f"{key}: {a.get(key)!r} vs {b.get(key)!r}" for key in keys if a.get(key) != b.get(key)]
