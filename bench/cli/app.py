"""Command-line wiring: the one place that prints and picks exit codes.

Exit codes: 0 completed (task errors are data), 1 internal error, 2 usage error, 3 invalid results
file, 4 environment problem, 5 a strategy aborted (partial results saved), 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import strategies
from bench.cli.args import build_parser, printable
from bench.cli.exits import (
    EXIT_ENV,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_RESULTS,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_USAGE,
)
from bench.cli.flags import Deferred
from bench.errors import EnvironmentProblem, ResultsFileError, UsageError
from bench.harness import interrupts
from bench.harness.interrupts import Terminated

if TYPE_CHECKING:
    from pathlib import Path

# Each command's own modules (the harness, rich, the reports, the results file) load when it
# runs, not here: `bench --help` and each Tab of shell completion build the parser and no more
# (pinned by tests/cli/test_cli_fast.py, timed as whole processes by `make perf`).


def cmd_run(args: argparse.Namespace) -> int:
    from bench.cli.running import cmd_run as run

    return run(args)


def sweep(args: argparse.Namespace, extra: dict[str, object] | None = None) -> tuple[int, Path]:
    """The sweep's session: its exit code and its folder (`extra`: more for config)."""
    from bench.cli.running import sweep as swept

    return swept(args, extra)


def cmd_advise(args: argparse.Namespace) -> int:
    from bench.cli.advise import cmd_advise as advise

    return advise(args, sweep)


def cmd_report(args: argparse.Namespace) -> int:
    from bench.cli.output import cmd_report as report

    return report(args)


def cmd_compare(args: argparse.Namespace) -> int:
    from bench.cli.commands import cmd_compare as compare

    return compare(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from bench.cli.commands import cmd_serve as serve

    return serve(args)


def cmd_list(args: argparse.Namespace) -> int:
    from bench.cli.listing import cmd_list as listing

    return listing(args)


def cmd_completion(args: argparse.Namespace) -> int:
    from bench.cli.completion import cmd_completion as completion

    return completion(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from bench.cli.demo import cmd_demo as demo

    return demo(args)


HANDLERS = {
    "run": cmd_run,
    "sweep": lambda args: sweep(args)[0],
    "advise": cmd_advise,
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
        return fail(EXIT_USAGE, str(exc))
    except ResultsFileError as exc:
        return fail(EXIT_RESULTS, str(exc))
    except EnvironmentProblem as exc:
        return fail(EXIT_ENV, str(exc))
    except Terminated:
        return fail(EXIT_SIGTERM, "terminated")
    except KeyboardInterrupt:
        return fail(EXIT_SIGINT, "interrupted")
    except BrokenPipeError:
        if not _stdout_gone():  # a pipe of our own broke: a bug, not a reader that left
            return _internal_error()
        # Output piped into `head`: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        return _internal_error()


def _dispatch(argv: Sequence[str] | None) -> int:
    names = Deferred(strategies.names)  # the plugins are found only if a help or a Tab asks
    parser = build_parser(HANDLERS, names, ",".join(strategies.DEFAULT))
    if "_ARGCOMPLETE" in os.environ:  # the shell asking for completions (bench completion)
        from bench.cli.completion import complete

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
    import traceback

    traceback.print_exc()
    return fail(EXIT_INTERNAL, "internal error (a bug in concurrency-bench: please report it)")


def _stdout_gone() -> bool:
    """Whether stdout is a pipe whose reader has gone (`bench ... | head`)."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a file at all (captured, replaced)
        return False
    import select

    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def fail(code: int, message: str) -> int:
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
