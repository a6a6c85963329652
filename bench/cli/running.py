"""`bench run` and `bench sweep`: flags checked into a configuration, the session run (with the
mock API in a process of its own for --io http), the reports written, the exit code chosen.

Imported only when one of them (or `bench advise`) runs: the rest of the command line, --help and
shell completion among it, does not pay for the harness, rich and the reports.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import strategies
from bench.analysis.notices import run_warnings
from bench.cli import postrun, session
from bench.cli.app import fail
from bench.cli.config import RunConfig, build_config
from bench.cli.endpoint import politely
from bench.cli.exits import EXIT_ABORTED, EXIT_ENV, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE
from bench.cli.limits import check_machine_limits
from bench.cli.numbers import parse_float, parse_int, parse_list
from bench.cli.output import Show, show_from
from bench.cli.plan import MAX_TASKS, Point
from bench.errors import EnvironmentProblem, MachineLimit, UsageError
from bench.harness import environment, interrupts
from bench.harness.execution import Abilities
from bench.harness.interrupts import Terminated
from bench.model import MAX_WORKERS, Results, RunRecord
from bench.results.folder import prepare


def _importable_here(args: argparse.Namespace) -> None:
    # `--collector mypkg.mod:fn` means the user's module beside them, as `python -m` would see it.
    if getattr(args, "collector", None) and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def cmd_run(args: argparse.Namespace) -> int:
    _importable_here(args)
    config = build_config(args, strategies.names(), list(strategies.HIDDEN), abilities)
    repeat, warmup = (
        parse_int("--repeat", args.repeat, 1, 1000),
        parse_int("--warmup", args.warmup, 0, 100),
    )
    _check_limits(config)
    show = show_from(args)
    folder = prepare(args.out, args.force)
    jobs = session.run_jobs(config, repeat, warmup)
    described = {**config.describe(), "repeat": repeat, "warmup": warmup}
    return _session(jobs, config, described, folder, show)


def sweep(args: argparse.Namespace, extra: dict[str, object] | None = None) -> tuple[int, Path]:
    """The sweep's session: its exit code and its folder (`extra`: more for config)."""
    _importable_here(args)
    workers = [
        parse_int("--workers", w, 1, MAX_WORKERS) for w in parse_list("--workers", args.workers)
    ]
    tasks = [parse_int("--tasks", n, 1, MAX_TASKS) for n in parse_list("--tasks", args.tasks)]
    latencies = [parse_float("--latency", x, 0.0) for x in parse_list("--latency", args.latency)]
    if args.latency_from is not None and len(latencies) > 1:
        raise UsageError("--latency-from replaces --latency: a sweep replays the file's latencies")
    axes: dict[str, object] = {"workers": workers, "tasks": tasks, "latency": latencies}
    configs = [
        build_config(args, strategies.names(), list(strategies.HIDDEN), abilities, Point(w, n, x))
        for n in tasks
        for x in latencies
        for w in workers
    ]
    repeat, warmup = (
        parse_int("--repeat", args.repeat, 1, 1000),
        parse_int("--warmup", args.warmup, 0, 100),
    )
    _check_limits(configs[0], max(workers))
    show = show_from(args)
    folder = prepare(args.out, args.force)
    jobs = session.sweep_jobs(configs, repeat, warmup)
    described = {**configs[0].describe(), "sweep": axes, "repeat": repeat, "warmup": warmup}
    for key in ("workers", "tasks", "latency_seconds", "symbols"):
        described.pop(key, None)
    if args.latency_from is not None:  # the file's mean, not the --latency it replaced
        axes["latency"] = [configs[0].scenario.latency.mean_s]
    described.update(extra or {})
    return _session(jobs, configs[0], described, folder, show), folder


@contextmanager
def _mock_server(config: RunConfig) -> Iterator[RunConfig]:
    """With --io http, the mock API in a process of its own for the whole session."""
    if config.io != "http":
        yield config
        return
    if config.endpoint is not None:  # the user's own: no mock server, the session's caps
        yield politely(config)
        return
    from bench.mockapi.process import server_process

    with server_process(config.scenario.seed, config.http_faults, config.http_quota) as (url, pid):
        yield dataclasses.replace(config, base_url=url, server_pid=pid)


def abilities(name: str) -> Abilities:
    try:
        return strategies.get(name).abilities
    except strategies.NeedsNewerPython as exc:
        raise UsageError(str(exc)) from None  # nothing to install: this Python cannot, ever
    except strategies.Unavailable as exc:
        raise EnvironmentProblem(str(exc)) from None  # an install away


def _check_limits(config: RunConfig, workers: int | None = None) -> None:
    declared = {name: abilities(name) for name in config.strategies}
    try:
        check_machine_limits(workers or config.workers, declared, http=config.io == "http")
    except MachineLimit as exc:
        raise EnvironmentProblem(str(exc)) from None


def _session(
    jobs: list[session.Job],
    config: RunConfig,
    described: dict[str, object],
    folder: Path,
    show: Show,
) -> int:
    results = Results(
        environment.collect(config.start_method),
        described,
        (),
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    with _mock_server(config) as served:
        outcome = session.execute(
            jobs, served, results, folder, interrupts.taken, warn_about, quiet=show.quiet
        )
    results = outcome.results
    if results.runs:  # a session stopped before its first run has nothing to report
        try:
            postrun.write_all(results, folder, show)
        except postrun.Cut as cut:
            what = "terminated" if cut.terminated else "interrupted"
            return fail(
                EXIT_SIGTERM if cut.terminated else EXIT_SIGINT,
                f"{what} while writing {cut.stage}: {folder / 'results.json'} is saved "
                f"(`bench report {folder}` writes the rest)",
            )
    if outcome.failed_start is not None:
        failed = outcome.failed_start
        return fail(EXIT_USAGE if failed.usage else EXIT_ENV, str(failed))
    if outcome.interrupted_by is not None:
        terminated = isinstance(outcome.interrupted_by, Terminated)
        return fail(
            EXIT_SIGTERM if terminated else EXIT_SIGINT,
            f"{'terminated' if terminated else 'interrupted'}: what finished is saved in {folder}",
        )
    return EXIT_ABORTED if outcome.aborted else EXIT_OK


def warn_about(run: RunRecord) -> None:
    for line in run_warnings(run):  # the report shows the same lines beside the run
        print(line, file=sys.stderr)
