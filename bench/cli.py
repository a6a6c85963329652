"""Command-line wiring: the one place that prints and picks exit codes.

Exit codes: 0 completed (task errors are data), 1 internal error, 2 usage error, 3 invalid results
file, 4 environment problem, 5 a strategy aborted (partial results saved), 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

import strategies
from bench import environment
from bench.calibrate import with_cpu_estimates
from bench.cliargs import build_parser
from bench.collector import BlockingSleepCollector, SleepCollector
from bench.config import MachineLimit, RunConfig, UsageError, build_config, check_machine_limits
from bench.execution import StrategyOptions
from bench.model import Results, RunRecord
from bench.output import EnvironmentProblem, prepare
from bench.progress import make_progress
from bench.results import ResultsFileError, load, save, tasks_csv, write_atomic
from bench.runner import RunInterrupted, run_strategy

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_RESULTS, EXIT_ENV, EXIT_ABORTED = 0, 1, 2, 3, 4, 5
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken down the same graceful path as Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    _let_next_signal_through()
    raise Terminated


def _let_next_signal_through() -> None:
    # After the first interrupt, a second Ctrl-C or SIGTERM ends the process at once; the
    # results file on disk is whole either way (written atomically).
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def collector_for(config: RunConfig) -> SleepCollector:
    kind = {"sleep": SleepCollector, "blocking": BlockingSleepCollector}[config.io]
    return kind(config.scenario.seed, config.cpu_impl)


def cmd_run(args: argparse.Namespace) -> int:
    config = build_config(args, strategies.names(), list(strategies.HIDDEN))
    try:
        check_machine_limits(config.workers, config.strategies)
    except MachineLimit as exc:
        raise EnvironmentProblem(str(exc)) from None
    folder = prepare(args.out, args.force)
    plan = with_cpu_estimates(config.scenario.plan(), collector_for(config))
    results = Results(environment.collect(config.start_method), config.describe(), (),
                      datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        results, code = _run_all(config, plan, results, folder)
    finally:
        signal.signal(signal.SIGTERM, previous)
    write_atomic(folder / "tasks.csv", tasks_csv(results))
    _print_summary(results, folder, write_reports(results, folder))
    return code


def _run_all(
    config: RunConfig, plan: Sequence[object], results: Results, folder: Path
) -> tuple[Results, int]:
    code = EXIT_OK
    with make_progress(sys.stderr, len(plan)) as progress:
        for name in config.strategies:
            options = StrategyOptions(
                workers=config.workers, collector=collector_for(config), log=config.verbose,
                start_method=config.start_method, chunksize=config.chunksize,
                task_timeout_s=config.task_timeout_s, run_timeout_s=config.run_timeout_s,
                cores=environment.usable_cpus() if config.scenario.workload != "io" else 0,
                progress=progress.begin(name),
            )  # fmt: skip
            try:
                run = run_strategy(strategies.get(name), plan, options, _let_next_signal_through)  # type: ignore[arg-type]
            except RunInterrupted as stop:
                results = _saved(results, stop.record, folder)
                progress.end(stop.record)
                return results, EXIT_SIGTERM if isinstance(
                    stop.__cause__, Terminated
                ) else EXIT_SIGINT
            results = _saved(results, run, folder)
            progress.end(run)
            _warn_about(run)
            if run.status == "aborted":
                code = EXIT_ABORTED
    return results, code


def _warn_about(run: RunRecord) -> None:
    blocked = run.details.get("loop_blocked")
    if isinstance(blocked, int) and blocked > 0:
        longest = run.details.get("loop_longest_block_seconds")
        print(f"warning: {run.strategy}: the event loop was blocked {blocked} times (longest "
              f"{longest} s): a blocking call inside a coroutine serialises every task",
              file=sys.stderr)  # fmt: skip
    leaked = run.details.get("leaked_threads")
    if isinstance(leaked, int) and leaked > 0:
        print(f"warning: {run.strategy}: {leaked} threads overran --task-timeout and cannot be "
              "killed; they were left running (leaked)", file=sys.stderr)  # fmt: skip


def _saved(results: Results, run: RunRecord, folder: Path) -> Results:
    """Add a finished run and rewrite results.json at once: partial results survive anything."""
    results = Results(results.environment, results.config, (*results.runs, run), results.created)
    save(results, folder / "results.json")
    return results


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


def write_reports(results: Results, folder: Path) -> list[Path]:
    # Imported here: pandas and matplotlib cost a few hundred ms, and only reports need them.
    from reports.render import write_reports as render

    return render(results, folder)


def _print_summary(results: Results, folder: Path, reports: list[Path]) -> None:
    from reports.reading import cpu_findings
    from reports.table import build_tables

    console = Console(highlight=False)
    console.print(build_tables(results))
    for line in cpu_findings(results.runs, dict(results.config)):
        console.print(f"- {line}", soft_wrap=True)
    for path in [folder / "results.json", folder / "tasks.csv", *reports]:
        console.print(f"{path.name + ':':<13} {path}", soft_wrap=True)
    console.print(f"open the report: {(folder / 'report.html').resolve().as_uri()}", soft_wrap=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from bench.demo_cli import cmd_demo as demo

    return demo(args)


HANDLERS = {"run": cmd_run, "report": cmd_report, "demo": cmd_demo}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(HANDLERS, strategies.names(), ",".join(strategies.DEFAULT))
    try:
        try:
            args = parser.parse_args(argv)
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
    except Exception:
        traceback.print_exc()
        return _fail(EXIT_INTERNAL, "internal error (a bug in concurrency-bench: please report it)")


def _fail(code: int, message: str) -> int:
    one_line = message.replace("\n", "\\n").replace("\r", "\\r")
    print(f"bench: error: {one_line}", file=sys.stderr)
    return code


def entry() -> None:
    """The console script: main(), then exit without waiting for threads that cannot end."""
    code = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):  # fmt: skip
        # A hung worker thread would block the interpreter's exit forever (thread pools are
        # joined at exit); everything is written, so leave without joining it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
