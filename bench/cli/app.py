"""Command-line wiring: the one place that prints and picks exit codes.

Exit codes: 0 completed (task errors are data), 1 internal error, 2 usage error, 3 invalid results
file, 4 environment problem, 5 a strategy aborted (partial results saved), 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import select
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import strategies
from bench.analysis.notices import run_warnings
from bench.cli import postrun, session
from bench.cli.advise import cmd_advise
from bench.cli.args import build_parser, printable
from bench.cli.commands import cmd_compare, cmd_list, cmd_serve
from bench.cli.completion import cmd_completion, complete
from bench.cli.config import RunConfig, build_config
from bench.cli.endpoint import politely
from bench.cli.exits import (
    EXIT_ABORTED,
    EXIT_ENV,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_RESULTS,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_USAGE,
)
from bench.cli.limits import check_machine_limits
from bench.cli.numbers import parse_float, parse_int, parse_list
from bench.cli.output import Show, cmd_report, show_from
from bench.cli.plan import MAX_TASKS
from bench.errors import EnvironmentProblem, MachineLimit, UsageError
from bench.harness import environment, interrupts
from bench.harness.execution import Abilities
from bench.harness.interrupts import Terminated
from bench.model import MAX_WORKERS, Results, RunRecord
from bench.results.folder import prepare
from bench.results.loader import ResultsFileError


def _importable_here(args: argparse.Namespace) -> None:
    # `--collector mypkg.mod:fn` means the user's module beside them, as `python -m` would see it.
    if getattr(args, "collector", None) and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def cmd_run(args: argparse.Namespace) -> int:
    _importable_here(args)
    config = build_config(args, strategies.names(), list(strategies.HIDDEN), _abilities)
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
        build_config(
            argparse.Namespace(
                **{**vars(args), "workers": str(w), "tasks": str(n), "latency": repr(x)}
            ),
            strategies.names(),
            list(strategies.HIDDEN),
            _abilities,
        )
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


def _abilities(name: str) -> Abilities:
    try:
        return strategies.get(name).abilities
    except strategies.NeedsNewerPython as exc:
        raise UsageError(str(exc)) from None  # nothing to install: this Python cannot, ever
    except strategies.Unavailable as exc:
        raise EnvironmentProblem(str(exc)) from None  # an install away


def _check_limits(config: RunConfig, workers: int | None = None) -> None:
    abilities = {name: _abilities(name) for name in config.strategies}
    try:
        check_machine_limits(workers or config.workers, abilities, http=config.io == "http")
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
            jobs, served, results, folder, interrupts.taken, _warn_about, quiet=show.quiet
        )
    results = outcome.results
    if results.runs:  # a session stopped before its first run has nothing to report
        try:
            postrun.write_all(results, folder, show)
        except postrun.Cut as cut:
            what = "terminated" if cut.terminated else "interrupted"
            return _fail(
                EXIT_SIGTERM if cut.terminated else EXIT_SIGINT,
                f"{what} while writing {cut.stage}: {folder / 'results.json'} is saved "
                f"(`bench report {folder}` writes the rest)",
            )
    if outcome.failed_start is not None:
        failed = outcome.failed_start
        return _fail(EXIT_USAGE if failed.usage else EXIT_ENV, str(failed))
    if outcome.interrupted_by is not None:
        terminated = isinstance(outcome.interrupted_by, Terminated)
        return _fail(
            EXIT_SIGTERM if terminated else EXIT_SIGINT,
            f"{'terminated' if terminated else 'interrupted'}: what finished is saved in {folder}",
        )
    return EXIT_ABORTED if outcome.aborted else EXIT_OK


def _warn_about(run: RunRecord) -> None:
    for line in run_warnings(run):  # the report shows the same lines beside the run
        print(line, file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from bench.cli.demo import cmd_demo as demo

    return demo(args)


HANDLERS = {
    "run": cmd_run,
    "sweep": lambda args: sweep(args)[0],
    "advise": lambda args: cmd_advise(args, sweep),
    "report": cmd_report,
    "compare": cmd_compare,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "list": cmd_list,
    "completion": cmd_completion,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _dispatch(argv)
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
        if not _stdout_gone():  # a pipe of our own broke: a bug, not a reader that left
            return _internal_error()
        # Output piped into `head`: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        return _internal_error()


def _dispatch(argv: Sequence[str] | None) -> int:
    parser = build_parser(HANDLERS, strategies.names(), ",".join(strategies.DEFAULT))
    if "_ARGCOMPLETE" in os.environ:  # the shell asking for completions (bench completion)
        complete(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a one-line usage error
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if sys.stdout is None and getattr(args, "command", None) in ANSWERS_ON_STDOUT:
        raise EnvironmentProblem(f"{args.command}: stdout is closed; nowhere to write the answer")
    code: int = args.handler(args)
    return code


ANSWERS_ON_STDOUT = ("list", "completion")  # the rest print through rich, which takes None


def _internal_error() -> int:
    traceback.print_exc()
    return _fail(EXIT_INTERNAL, "internal error (a bug in concurrency-bench: please report it)")


def _stdout_gone() -> bool:
    """Whether stdout is a pipe whose reader has gone (`bench ... | head`)."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a file at all (captured, replaced)
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _fail(code: int, message: str) -> int:
    one_line = printable(message).replace("\n", "\\n").replace("\r", "\\r")
    print(f"bench: error: {one_line}", file=sys.stderr)
    return code


def entry() -> None:
    """The console script: main(), then exit without waiting for threads that cannot end."""
    code = main()
    interrupts.leaving()
    if any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.main_thread()
    ):
        # A hung worker thread would block the interpreter's exit forever (thread pools are
        # joined at exit); everything is written, so leave without joining it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
