"""Command-line wiring: the one place that prints and picks exit codes.

Exit codes: 0 completed (task errors are data), 2 usage error, 3 invalid results file,
4 environment problem, 5 a strategy aborted (partial results saved), 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from rich.console import Console

import strategies
from bench import __version__, environment
from bench.collector import SleepCollector
from bench.config import (
    MAX_WORKERS,
    RunConfig,
    UsageError,
    build_scenario,
    check_start_method,
    check_strategies,
    check_workers,
    default_start_method,
    parse_int,
    parse_list,
)
from bench.execution import StrategyOptions
from bench.model import Results, RunRecord
from bench.output import EnvironmentProblem, prepare
from bench.progress import make_progress
from bench.results import ResultsFileError, load, save, tasks_csv, write_atomic
from bench.runner import RunInterrupted, run_strategy

EXIT_OK, EXIT_USAGE, EXIT_RESULTS, EXIT_ENV, EXIT_ABORTED = 0, 2, 3, 4, 5
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken down the same graceful path as Ctrl-C."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: scripts and people both read the first line.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bench", description="Compare concurrency models on the same workload.")
    parser.add_argument("--version", action="version", version=f"concurrency-bench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run strategies over one seeded workload")
    run.add_argument(
        "--strategies",
        default=",".join(strategies.DEFAULT),
        help=f"comma-separated, from: {', '.join(strategies.names())}",
    )
    run.add_argument("--symbols", help="comma-separated symbols (default AAPL..META)")
    run.add_argument("--tasks", help="number of symbols: the default six, then more tickers")
    run.add_argument("--workers", default="6", help="concurrency limit (default 6)")
    run.add_argument("--latency", default="2.0", help="mean latency per task in s (default 2.0)")
    run.add_argument(
        "--latency-dist",
        default="constant",
        help="constant, uniform, normal, lognormal or exponential (default constant)",
    )
    run.add_argument(
        "--latency-spread", help="uniform half-width (s), normal stdev (s), lognormal sigma"
    )
    run.add_argument(
        "--latency-scale", default="1.0", help="multiply every latency (0.01: 2 s -> 20 ms)"
    )
    run.add_argument("--seed", default="42", help="seed of the plan (default 42)")
    run.add_argument(
        "--start-method",
        default=default_start_method(),
        help="process start method: fork, forkserver or spawn",
    )
    run.add_argument("--chunksize", default="1", help="tasks per process-pool submission")
    run.add_argument("--out", type=Path, help="output folder (default results/<timestamp>)")
    run.add_argument("--force", action="store_true", help="replace an existing results.json")
    run.add_argument("-v", "--verbose", action="store_true", help="log every task as it runs")
    run.set_defaults(handler=cmd_run)
    report = sub.add_parser("report", help="re-render the reports from a saved results.json")
    report.add_argument("path", type=Path, help="a results.json, or the folder holding one")
    report.add_argument("--out", type=Path, help="where to write (default: beside the file)")
    report.set_defaults(handler=cmd_report)
    return parser


def _config(args: argparse.Namespace) -> RunConfig:
    names = tuple(parse_list("--strategies", args.strategies))
    check_strategies(names, strategies.names(), list(strategies.HIDDEN))
    workers = parse_int("--workers", args.workers, 1, MAX_WORKERS)
    check_workers(workers, names)
    scenario = build_scenario(args.symbols, args.tasks, args.latency, args.latency_dist,
                              args.latency_spread, args.latency_scale, args.seed)  # fmt: skip
    chunksize = parse_int("--chunksize", args.chunksize, 1, 100_000)
    start_method = check_start_method(args.start_method)
    return RunConfig(names, scenario, workers, start_method, chunksize, args.verbose)


def _on_sigterm(signum: int, frame: object) -> None:
    # Restore the default first, so a second SIGTERM gets through at once.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise Terminated


def cmd_run(args: argparse.Namespace) -> int:
    config = _config(args)
    folder = prepare(args.out, args.force)
    plan = config.scenario.plan()
    results = Results(environment.collect(config.start_method), config.describe(), (),
                      datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = EXIT_OK
    with make_progress(sys.stderr, len(plan)) as progress:
        for name in config.strategies:
            options = StrategyOptions(config.workers, SleepCollector(config.scenario.seed),
                                      config.verbose, config.start_method, config.chunksize,
                                      progress.begin(name))  # fmt: skip
            try:
                run = run_strategy(strategies.get(name), plan, options)
            except RunInterrupted as stop:
                results = _saved(results, stop.record, folder)
                progress.end(stop.record)
                code = EXIT_SIGTERM if isinstance(stop.__cause__, Terminated) else EXIT_SIGINT
                break
            results = _saved(results, run, folder)
            progress.end(run)
            if run.status == "aborted":
                code = EXIT_ABORTED
    write_atomic(folder / "tasks.csv", tasks_csv(results))
    _print_summary(results, folder, write_reports(results, folder))
    return code


def cmd_report(args: argparse.Namespace) -> int:
    path: Path = args.path
    source = path / "results.json" if path.is_dir() else path
    results = load(source)
    folder = args.out or source.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = write_reports(results, folder)
        write_atomic(folder / "tasks.csv", tasks_csv(results))
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write to {folder}: {exc.strerror or exc}") from None
    _print_summary(results, folder, written)
    return EXIT_OK


def _saved(results: Results, run: RunRecord, folder: Path) -> Results:
    """Add a finished run and rewrite results.json at once: partial results survive anything."""
    results = Results(results.environment, results.config, (*results.runs, run), results.created)
    save(results, folder / "results.json")
    return results


def write_reports(results: Results, folder: Path) -> list[Path]:
    # Imported here: pandas and matplotlib cost a few hundred ms, and only reports need them.
    from reports.render import write_reports as render

    return render(results, folder)


def _print_summary(results: Results, folder: Path, reports: list[Path]) -> None:
    from reports.table import build_tables

    console = Console(highlight=False)
    console.print(build_tables(results))
    for path in [folder / "results.json", folder / "tasks.csv", *reports]:
        console.print(f"{path.name + ':':<13} {path}", soft_wrap=True)
    console.print(f"open the report: {(folder / 'report.html').resolve().as_uri()}", soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exit_:  # --help, --version, or a one-line usage error
            return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
        code: int = args.handler(args)
        return code
    except UsageError as exc:
        return _fail(EXIT_USAGE, str(exc))
    except ResultsFileError as exc:
        return _fail(EXIT_RESULTS, str(exc))
    except EnvironmentProblem as exc:
        return _fail(EXIT_ENV, str(exc))
    except Terminated:
        return _fail(EXIT_SIGTERM, "terminated")
    except KeyboardInterrupt:
        return _fail(EXIT_SIGINT, "interrupted")
    except BrokenPipeError:
        # Output piped into `head`: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _fail(code: int, message: str) -> int:
    print(f"bench: error: {message}", file=sys.stderr)
    return code
