"""How many workers for an API: the throughput-vs-workers curve of a sweep, its ceiling, the limit
that sets it, the job's expected duration, and what workers beyond the answer cost.

Throughput here is tasks that succeeded per second once under way: from the first task that met
a 429 where one did (a burst allowance is spent by then), else from the first success (failed
tasks do not count: a job needs its data; the first answer's wait is paid once, and the job's
duration adds it back).

Three limits are told apart, each against a stated threshold:
- the quota: the best throughput is at least QUOTA_SHARE of the provider's rate, and the server
  refused requests (429) at every worker count beyond the advice: the quota's own signature;
- latency, by Little's law (throughput = workers / latency): the curve still follows it at the
  most workers swept, so the sweep never met a ceiling and more workers would still help;
- the CPUs: the run and the mock server kept at least CPU_SHARE of the usable CPUs busy.
Otherwise the limit is not one of these, and the advice says so rather than guessing. The advice
is chosen among counts where at most FAILED_SHARE of the tasks failed (all, if none qualifies).
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bench.analysis.knee import KNEE_TOLERANCE, knee
from bench.analysis.stats import is_baseline
from bench.model import Results, RunRecord, TaskRecord

QUOTA_SHARE: Final = 0.8
LITTLE_SHARE: Final = 0.8
CPU_SHARE: Final = 0.8
FAILED_SHARE: Final = 0.01  # a count where more tasks failed is not a candidate
LIMITS: Final = ("quota", "politeness", "latency", "cpus", "tasks", "unexplained")


@dataclass(frozen=True, slots=True)
class Point:
    """One worker count's runs (medians over rounds)."""

    workers: int
    runs: int
    throughput: float  # tasks that succeeded per second of wall
    little: float  # Little's law: workers / mean latency (inf at latency 0)
    requests_per_task: float
    refusals_per_task: float  # 429 answers per task (retried ones and final ones)
    failed_share: float  # tasks that did not succeed
    peak_rss_bytes: int  # the harness's and its workers' peak during the run
    cpu_busy: float  # share of the usable CPUs the run and the mock server kept busy
    wall_s: float


@dataclass(frozen=True, slots=True)
class Advice:
    strategy: str
    points: tuple[Point, ...]
    latency_s: float  # mean planned latency
    tasks: int  # per run of the sweep
    quota_rate: float | None  # requests a second, when the API has a quota
    job_tasks: int
    workers: int  # the fewest within KNEE_TOLERANCE of the best throughput
    limit: str  # one of LIMITS
    polite_rate: float | None = None  # --base-url: the client's own --max-rate cap

    @property
    def chosen(self) -> Point:
        return next(p for p in self.points if p.workers == self.workers)

    @property
    def candidates(self) -> tuple[Point, ...]:
        """Counts whose tasks (almost) all succeeded: a job needs its data, so a count that
        fails many is no answer, whatever its rate (all counts, if none qualifies)."""
        return tuple(p for p in self.points if p.failed_share <= FAILED_SHARE) or self.points

    @property
    def best(self) -> Point:
        return max(self.candidates, key=lambda p: p.throughput)

    @property
    def little_workers(self) -> float | None:
        """Little's law: the workers that keep the quota busy (rate x latency)."""
        return None if self.quota_rate is None else self.quota_rate * self.latency_s

    @property
    def job_seconds(self) -> float | None:
        """The whole job: the first answer's wait, then the chosen workers' throughput (None:
        nothing succeeded)."""
        rate = self.chosen.throughput
        return self.latency_s + self.job_tasks / rate if rate > 0 else None

    @property
    def wall_knee(self) -> int | None:
        """The sweep's own knee, on wall time (which tasks failing fast shorten)."""
        return knee([(p.workers, p.wall_s) for p in self.points])

    @property
    def beyond(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.workers > self.workers)


def _point(workers: int, runs: Sequence[RunRecord], cpus: int, latency: float) -> Point:
    def median(values: Sequence[float]) -> float:
        return statistics.median(values) if values else 0.0

    tasks = [len(r.tasks) or 1 for r in runs]
    return Point(
        workers,
        len(runs),
        median([_rate(r) for r in runs]),
        workers / latency if latency > 0 else math.inf,
        median([sum(t.attempts for t in r.tasks) / n for r, n in zip(runs, tasks, strict=True)]),
        median([refusals(r) / n for r, n in zip(runs, tasks, strict=True)]),
        median([1 - _ok(r) / n for r, n in zip(runs, tasks, strict=True)]),
        round(median([r.parent.peak_rss_bytes + r.children.peak_rss_bytes for r in runs])),
        median([_cpu_busy(r, cpus) for r in runs]),
        median([r.wall_ns / 1e9 for r in runs]),
    )


MIN_STEADY = 10  # successes after the first 429 needed to measure from there


def _rate(run: RunRecord) -> float:
    """Successes a second once under way. From the first task that met a 429 when there was one
    (the quota's bucket was empty then: before it, a burst allowance makes the API look faster
    than it stays), else from the first success (the first answer's wait, which a long job pays
    once, does not count)."""
    done = sorted(t.finished_ns for t in run.tasks if t.status == "ok" and t.finished_ns)
    refused = [t.finished_ns for t in run.tasks if t.finished_ns and _refusals_of(t)]
    if refused:
        start = min(refused)
        after = [f for f in done if f > start]  # by then the burst's requests have answered
        if len(after) >= MIN_STEADY and after[-1] > after[0]:
            return (len(after) - 1) / ((after[-1] - after[0]) / 1e9)
    if len(done) >= 2 and done[-1] > done[0]:
        return (len(done) - 1) / ((done[-1] - done[0]) / 1e9)
    return len(done) / (run.wall_ns / 1e9) if run.wall_ns else 0.0


def _ok(run: RunRecord) -> int:
    return sum(t.status == "ok" for t in run.tasks)


def _refusals_of(task: TaskRecord) -> int:
    return task.retried.count(429) + (task.http_status == 429)


def refusals(run: RunRecord) -> int:
    """429 answers over the run's tasks: the retried ones and the final ones (also the demo's
    quota chapter and its handout count them this way)."""
    return sum(_refusals_of(t) for t in run.tasks)


def _cpu_busy(run: RunRecord, cpus: int) -> float:
    wall = run.wall_ns / 1e9
    if wall <= 0 or cpus < 1:
        return 0.0
    spent = run.parent.cpu_s + run.children.cpu_s + (run.server.cpu_s if run.server else 0.0)
    return spent / (cpus * wall)


def _mean_latency(runs: Sequence[RunRecord]) -> float:
    """The planned mean; where nothing was planned (the user's own endpoint decides), the
    measured mean of the tasks answered at the first attempt (pass the fewest workers' runs:
    their tasks waited least for the politeness cap)."""
    planned = [t.latency_ns for r in runs for t in r.tasks]
    if planned and any(planned):
        return sum(planned) / len(planned) / 1e9
    measured = [
        t.duration_ns for r in runs for t in r.tasks if t.status == "ok" and t.attempts <= 1
    ]
    return sum(measured) / len(measured) / 1e9 if measured else 0.0


def advise(
    runs: Sequence[RunRecord],
    quota_rate: float | None,
    job_tasks: int | None,
    cpus: int,
    polite_rate: float | None = None,
) -> list[Advice]:
    """One advice per strategy swept (the baseline left out: workers do not change it)."""
    by_strategy: dict[str, dict[int, list[RunRecord]]] = {}
    for run in runs:
        if not is_baseline(run) and run.status == "completed":
            by_strategy.setdefault(run.strategy, {}).setdefault(run.workers, []).append(run)
    out = []
    for strategy, by_workers in sorted(by_strategy.items()):
        latency = _mean_latency(by_workers[min(by_workers)])
        points = tuple(_point(w, rs, cpus, latency) for w, rs in sorted(by_workers.items()))
        every = [r for rs in by_workers.values() for r in rs]
        tasks = max(len(r.tasks) for r in every)
        eligible = [p for p in points if p.failed_share <= FAILED_SHARE] or points
        best = max(p.throughput for p in eligible)
        chosen = min(p.workers for p in eligible if p.throughput >= best * (1 - KNEE_TOLERANCE))
        advice = Advice(
            strategy,
            points,
            latency,
            tasks,
            quota_rate,
            job_tasks or tasks,
            chosen,
            "unexplained",
            polite_rate,
        )
        out.append(_with_limit(advice))
    return out


def _with_limit(advice: Advice) -> Advice:
    best, last = advice.best, advice.points[-1]
    if _quota_bound(advice):
        limit = "quota"
    elif advice.polite_rate and best.throughput >= QUOTA_SHARE * advice.polite_rate:
        limit = "politeness"
    elif advice.workers >= advice.tasks:
        limit = "tasks"  # every task at once: the plan, not the API, ran out
    elif advice.workers == last.workers and last.throughput >= LITTLE_SHARE * last.little:
        limit = "latency"
    elif best.cpu_busy >= CPU_SHARE:
        limit = "cpus"
    else:
        limit = "unexplained"
    return dataclasses.replace(advice, limit=limit)


def _quota_bound(advice: Advice) -> bool:
    rate = advice.quota_rate
    if rate is None or advice.best.throughput < QUOTA_SHARE * rate:
        return False
    return all(p.refusals_per_task > 0 for p in advice.beyond)


def advisable(config: Mapping[str, Any]) -> bool:
    """A sweep run by `bench advise`, or any sweep against a quota."""
    return "sweep" in config and bool(config.get("advise") or config.get("http_quota"))


def advise_results(results: Results) -> list[Advice]:
    config = results.config
    quota = config.get("http_quota")
    rate = quota.get("rate_per_s") if isinstance(quota, dict) else None
    plan = config.get("advise")
    job = plan.get("job_tasks") if isinstance(plan, dict) else None
    cpus = results.environment.get("usable_cpus") or results.environment.get("cpu_count") or 1
    endpoint = config.get("endpoint")
    polite = endpoint.get("max_rate_per_s") if isinstance(endpoint, dict) else None
    return advise(
        results.runs,
        float(rate) if isinstance(rate, int | float) else None,
        job if isinstance(job, int) else None,
        int(cpus) if isinstance(cpus, int) else 1,
        float(polite) if isinstance(polite, int | float) else None,
    )
