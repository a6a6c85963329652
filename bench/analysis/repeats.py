"""Repeated runs and sweeps: group runs of the same configuration, summarise them, warn.

Groups are keyed by what was run (strategy, workers, number of tasks, total planned latency), so a
sweep's points and a run's rounds fall out of the same records. pyperf's rules of thumb decide
when a result may be unstable.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.analysis.significance import MIN_SAMPLES_FOR_INTERVAL, bootstrap_ci, iqr
from bench.analysis.stats import efficiency, is_baseline, plan_key, run_ideal_ns
from bench.model import RunRecord

GroupKey = tuple[str, int, int, int]


def group_key(run: RunRecord) -> GroupKey:
    return (run.strategy, run.workers, len(run.tasks), sum(t.latency_ns for t in run.tasks))


@dataclass(frozen=True, slots=True)
class Spread:
    median: float
    low: float | None  # 95% bootstrap interval of the median; None with too few runs for one
    high: float | None
    minimum: float
    maximum: float
    iqr: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        low = high = None
        if len(values) >= MIN_SAMPLES_FOR_INTERVAL:
            low, high = bootstrap_ci(values)
        return cls(statistics.median(values), low, high, min(values), max(values), iqr(values))

    @property
    def interval(self) -> tuple[float, float] | None:
        return None if self.low is None or self.high is None else (self.low, self.high)


@dataclass(frozen=True, slots=True)
class GroupStats:
    strategy: str
    workers: int
    tasks: int
    latency_s: float  # mean planned latency
    ideal_s: float  # the plan's ideal time at these workers (stats.plan_ideal_ns)
    baseline: bool  # the baseline's group (stats.is_baseline): not a curve of its own
    runs: int
    wall: Spread
    cpu: Spread
    efficiency: Spread | None
    speedup: Spread | None
    warnings: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.strategy} (workers {self.workers}, {self.tasks} tasks)"


def instability(values: Sequence[float]) -> list[str]:
    """pyperf's checks: spread, outliers, too short for the clock, a slow first run."""
    found = []
    mean = statistics.fmean(values)
    if statistics.median(values) < 1e-3:
        found.append("runs shorter than 1 ms are too short for the clock")
    if len(values) >= 2 and mean > 0:
        stdev = statistics.stdev(values)
        if stdev >= 0.1 * mean:
            found.append(f"unstable: stdev is {stdev / mean:.0%} of the mean")
        if max(values) >= 1.5 * mean or min(values) <= 0.5 * mean:
            found.append("unstable: min or max is 50% or more away from the mean")
    if len(values) >= 3 and values[0] > 1.5 * statistics.median(values[1:]):
        found.append("the first run was much slower than the rest: use --warmup")
    return found


def summarize_groups(runs: Sequence[RunRecord]) -> list[GroupStats]:
    completed = [r for r in runs if r.status == "completed" and r.wall_ns > 0]
    baselines: dict[tuple[int, tuple[int, int]], RunRecord] = {
        (r.round, plan_key(r)): r for r in completed if is_baseline(r)
    }
    groups: dict[GroupKey, list[RunRecord]] = {}
    for run in completed:
        groups.setdefault(group_key(run), []).append(run)
    out = []
    for (strategy, workers, tasks, latency_ns), members in groups.items():
        members.sort(key=lambda r: r.round)
        walls = [r.wall_ns / 1e9 for r in members]
        effs = [e for e in (efficiency(r) for r in members) if e is not None]
        ups = [
            base.wall_ns / r.wall_ns
            for r in members
            if (base := baselines.get((r.round, plan_key(r)))) is not None
        ]
        cpus = [r.parent.cpu_s + r.children.cpu_s for r in members]
        out.append(
            GroupStats(
                strategy=strategy,
                workers=workers,
                tasks=tasks,
                latency_s=latency_ns / max(tasks, 1) / 1e9,
                ideal_s=run_ideal_ns(members[0]) / 1e9,
                baseline=is_baseline(members[0]),
                runs=len(members),
                wall=Spread.of(walls),
                cpu=Spread.of(cpus),
                efficiency=Spread.of(effs) if effs else None,
                speedup=Spread.of(ups) if ups else None,
                warnings=tuple(instability(walls)),
            )
        )
    return out


def interleaved_order(strategies: Sequence[str], rounds: int, warmup: int) -> list[tuple[int, str]]:
    """(round, strategy) in the order to run them: A B C D, A B C D, ... (as asv does), so drift
    spreads evenly; warm-up rounds are numbered negative and thrown away."""
    return [(r, s) for r in range(-warmup, rounds) for s in strategies]
