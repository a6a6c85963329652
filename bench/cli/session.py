"""A session of runs: the jobs `bench run` and `bench sweep` execute, in interleaved rounds,
saving results.json after every run so a cut-short session keeps what finished.

CLI-side wiring (it knows the strategies registry); the harness modules stay unaware of it.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TextIO

import strategies
from bench.analysis.repeats import interleaved_order
from bench.analysis.stats import plan_ideal_ns
from bench.cli.config import RunConfig
from bench.cli.progress import make_progress
from bench.collectors import custom
from bench.collectors.base import (
    BlockingSleepCollector,
    Collector,
    SleepCollector,
    ToThreadCollector,
)
from bench.collectors.http import HttpCollector
from bench.harness import environment, interrupts
from bench.harness.calibrate import with_cpu_estimates
from bench.harness.execution import StrategyOptions
from bench.harness.runner import (
    RunInterrupted,
    StartupFailed,
    interrupted_at_start,
    run_strategy,
)
from bench.model import Results, RunRecord, TaskSpec, Usage
from bench.results.writer import save


@dataclass(frozen=True)
class Job:
    round: int  # negative: a warm-up, not kept
    strategy: str
    plan: tuple[TaskSpec, ...]
    workers: int

    @cached_property  # read again for every job still to run, after every run (time_left)
    def ideal_s(self) -> float:
        width = strategies.get(self.strategy).abilities.fixed_workers or self.workers
        return plan_ideal_ns(self.plan, width) / 1e9


def time_left(seen: Mapping[str, tuple[float, float, float]], remaining: Sequence[Job]) -> float:
    """Seconds the remaining jobs should take, from what each strategy measured last
    (`seen`: strategy -> (wall s, ideal s, start-up s)): its wall scaled by the job's ideal,
    plus its start-up (processes and clusters pay that every run). A strategy not seen yet
    is costed like the average of those seen."""
    if not seen:
        return 0.0
    ratios = [wall / ideal for wall, ideal, _ in seen.values() if ideal > 0]
    typical = (
        sum(ratios) / len(ratios) if ratios else 1.0,
        sum(startup for _, _, startup in seen.values()) / len(seen),
    )
    total = 0.0
    for job in remaining:
        ideal = job.ideal_s
        if job.strategy in seen:
            wall, was_ideal, startup = seen[job.strategy]
            run = wall * ideal / was_ideal if was_ideal > 0 else wall
        else:
            run, startup = typical[0] * ideal, typical[1]
        total += run + startup
    return total


def collector_for(config: RunConfig) -> Collector:
    if config.collector is not None:
        return custom.load(config.collector)
    if config.io == "http":
        assert config.base_url is not None, "the mock server is started before the runs"
        return HttpCollector(
            config.base_url,
            timeout_s=config.task_timeout_s or 10.0,
            max_attempts=config.http_attempts,
            template=config.endpoint.template if config.endpoint else None,
            polite=config.polite,
        )
    kind = {
        "sleep": SleepCollector,
        "blocking": BlockingSleepCollector,
        "to-thread": ToThreadCollector,
    }[config.io]
    return kind(config.scenario.seed, config.cpu_impl)


def plan_for(config: RunConfig) -> tuple[TaskSpec, ...]:
    collector = SleepCollector(config.scenario.seed, config.cpu_impl)  # the CPU part's cost
    return with_cpu_estimates(config.scenario.plan(), collector)


def run_jobs(config: RunConfig, repeat: int, warmup: int) -> list[Job]:
    plan = plan_for(config)
    return [
        Job(r, s, plan, config.workers)
        for r, s in interleaved_order(config.strategies, repeat, warmup)
    ]


def sweep_jobs(configs: Sequence[RunConfig], repeat: int, warmup: int) -> list[Job]:
    """Every grid point under every strategy; sequential once per plan (workers do not matter)."""
    plans: dict[tuple[int, float], tuple[TaskSpec, ...]] = {}
    jobs = []
    for r in range(-warmup, repeat):
        seen_sequential: set[tuple[int, float]] = set()
        for config in configs:
            point = (len(config.scenario.symbols), config.scenario.latency.mean_s)
            if point not in plans:
                plans[point] = plan_for(config)
            for name in config.strategies:
                if strategies.get(name).abilities.baseline:  # workers do not change it
                    if point in seen_sequential:
                        continue
                    seen_sequential.add(point)
                jobs.append(Job(r, name, plans[point], config.workers))
    return jobs


@dataclass
class Outcome:
    results: Results
    aborted: bool = False
    interrupted_by: BaseException | None = None
    failed_start: StartupFailed | None = None  # a strategy could not start: what ran is kept


@contextmanager
def _progress_stream(quiet: bool) -> Iterator[TextIO]:
    """stderr, or with -q nowhere."""
    if not quiet:
        yield sys.stderr
        return
    with open(os.devnull, "w") as nowhere:
        yield nowhere


def execute(
    jobs: Sequence[Job],
    config: RunConfig,
    results: Results,
    folder: Path,
    on_interrupt: Callable[[], None],
    warn: Callable[[RunRecord], None],
    quiet: bool = False,
) -> Outcome:
    outcome = Outcome(results)
    seen: dict[str, tuple[float, float, float]] = {}
    most = max(len(job.plan) for job in jobs)
    with _progress_stream(quiet) as stream, make_progress(stream, most) as progress:
        for n, job in enumerate(jobs, 1):
            run: RunRecord | None = None
            saved = False
            # An interrupt anywhere in a job is the session's: before the strategy is built
            # (nothing of it started) the job is saved as interrupted during start-up, after its
            # run the run is saved, and the reports are written either way.
            try:
                options = _options(job, config, progress.begin(job.strategy, len(job.plan)))
                with interrupts.deferred():  # an import cut short would leave a broken module
                    strategy = strategies.get(job.strategy)
                if config.verbose and strategy.abilities.leaves_process and n == _first(jobs, job):
                    sys.stderr.write(IDENTITY_NOTE.format(strategy.name))  # beside the lines
                run = run_strategy(
                    strategy, job.plan, options, on_interrupt, _watch(config), progress.cpu_seconds
                )
                if job.round >= 0:
                    outcome.results = _saved(outcome.results, run, job, folder)
                saved = True
                outcome.aborted |= run.status == "aborted"
                progress.end(run, _where_we_are(run, jobs, n, seen))
                warn(run)
            except RunInterrupted as stop:
                outcome.results = _saved(outcome.results, stop.record, job, folder)
                progress.end(stop.record)
                outcome.interrupted_by = stop.__cause__
                return outcome
            except StartupFailed as exc:
                outcome.failed_start = exc
                return outcome
            except KeyboardInterrupt as exc:
                on_interrupt()  # copies of it are not raised again: what follows runs whole
                if run is None:
                    run = _not_started(job, config)
                    progress.end(run)
                return _stopped(outcome, exc, None if saved else (run, job, folder))
    return outcome


def _stopped(
    outcome: Outcome,
    exc: KeyboardInterrupt,
    unsaved: tuple[RunRecord, Job, Path] | None,
) -> Outcome:
    """The session ends at an interrupt, with the job it interrupted saved once."""
    if unsaved is not None:
        outcome.results = _saved(outcome.results, *unsaved)
    outcome.interrupted_by = exc
    return outcome


def _where_we_are(
    run: RunRecord, jobs: Sequence[Job], n: int, seen: dict[str, tuple[float, float, float]]
) -> str:
    """The progress line's tail: which job of how many, and the time left (learnt from `run`)."""
    job = jobs[n - 1]
    seen[job.strategy] = (run.wall_ns / 1e9, job.ideal_s, run.startup_ns / 1e9)
    if len(jobs) == 1:
        return ""
    label = "warm-up" if job.round < 0 else f"round {job.round + 1}"
    return f" [{n}/{len(jobs)}, {label}; about {time_left(seen, jobs[n:]):.0f} s left]"


def _not_started(job: Job, config: RunConfig) -> RunRecord:
    make = strategies.get(job.strategy)
    workers = make.abilities.fixed_workers or job.workers
    return interrupted_at_start(make.name, workers, job.plan, _cores(config))


# Said where -v's lines from other processes appear: their Thread- ids can all be the same.
IDENTITY_NOTE = (
    "({}: a worker is the pair (pid, thread id); each process's main thread may log the same "
    "Thread- id, as a thread id is unique only within its process)\n"
)


def _first(jobs: Sequence[Job], job: Job) -> int:
    """The 1-based position of the strategy's first job (its note is said once)."""
    return next(n for n, j in enumerate(jobs, 1) if j.strategy == job.strategy)


def _options(job: Job, config: RunConfig, progress: Callable[[int], None]) -> StrategyOptions:
    return StrategyOptions(
        workers=job.workers,
        collector=collector_for(config),
        log=config.verbose,
        start_method=config.start_method,
        chunksize=config.chunksize,
        task_timeout_s=config.task_timeout_s,
        run_timeout_s=config.run_timeout_s,
        cores=_cores(config),
        scheduler=config.scheduler,
        gc=config.gc,
        progress=progress,
    )


def _cores(config: RunConfig) -> int:
    return environment.usable_cpus() if config.scenario.workload != "io" else 0


def _watch(config: RunConfig) -> Callable[[], Usage | None] | None:
    """The mock server's usage, when there is one, for the runner to read at the wall's edges."""
    if config.server_pid is None:
        return None
    from bench.mockapi.meter import usage_of

    return partial(usage_of, config.server_pid)


def _saved(results: Results, run: RunRecord, job: Job, folder: Path) -> Results:
    """Add a finished run and rewrite results.json at once: partial results survive anything."""
    run = dataclasses.replace(run, round=max(job.round, 0))
    results = dataclasses.replace(results, runs=(*results.runs, run))
    save(results, folder / "results.json")
    return results
