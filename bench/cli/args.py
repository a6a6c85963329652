"""The argument parser: every subcommand's flags, kept apart from what the commands do.

run's and sweep's flags, in their groups, are in bench.cli.runflags; values are taken as text and
checked by bench.cli.config. A mistyped name (a subcommand, a flag, a closed choice) is refused in
one line that suggests the nearest.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from bench.cli.exits import EXIT_USAGE
from bench.cli.flags import Once, folder, output_flags
from bench.cli.helptext import HelpFormatter
from bench.cli.runflags import run_flags
from bench.errors import did_you_mean, nearest
from bench.mockapi.faults import FAULTS
from bench.version import __version__

Handler = Callable[[argparse.Namespace], int]

__all__ = ["Parser", "build_parser", "folder", "printable"]

EXAMPLES = """\
examples:
  bench run
  bench run --strategies asyncio,threads --tasks 100 --latency 0.05 -q
  bench run --io http --http-faults error=0.1 --repeat 5
  bench sweep --strategies asyncio,threads --workers 1,4,16,64 --tasks 200
  bench report latest --open
  bench compare results/before latest --fail-above 10
  bench demo --fast

Each command's --help lists its flags, the values they take and their defaults."""


def printable(text: object) -> str:
    """Text any terminal can take: bytes that were not UTF-8 in a path or an argument (held as
    lone surrogates) are shown as escapes instead of crashing the print."""
    return str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        if sys.version_info >= (3, 14):  # its own "maybe you meant", beside ours: one is enough
            kwargs.setdefault("suggest_on_error", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: scripts and people both read the first line.
        message = printable(message).replace("\n", "\\n").replace("\r", "\\r")
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")

    def parse_args(  # type: ignore[override]  # the one call shape bench uses
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        """argparse's own, and a mistyped flag gets the nearest of its subcommand's flags."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            flags = _flags_of(self, getattr(parsed, "command", None))
            near = next(filter(None, (_nearest_flag(flags, word) for word in extra)), "")
            self.error(f"unrecognized arguments: {' '.join(extra)}{near}")
        return parsed

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own check of `choices` (a subcommand's name, `completion SHELL`), plus the
        # nearest name; the message keeps argparse's words.
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            assert action.choices is not None  # only a choice is refused here
            near = did_you_mean(str(value), (str(c) for c in action.choices))
            raise argparse.ArgumentError(action, f"{exc.message}{near}") from None


def _flags_of(parser: argparse.ArgumentParser, command: str | None) -> Iterable[str]:
    """The flags of the subcommand that was parsed (those given to it are its own)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            sub: argparse.ArgumentParser = action.choices[command]
            return list(sub._option_string_actions)
    return list(parser._option_string_actions)


def _nearest_flag(flags: Iterable[str], word: str) -> str:
    """ "; did you mean --workers?" for `--wrokers` or `--wrokers=3`. Compared without the
    dashes, which every flag shares (with them, `--bogus` came out as "did you mean --out?")."""
    if not word.startswith("--"):
        return ""
    bare = {flag[2:]: flag for flag in flags if flag.startswith("--")}
    near = nearest(word[2:].partition("=")[0], bare)
    return f"; did you mean {bare[near]}?" if near else ""


def build_parser(
    handlers: Mapping[str, Handler], names: Sequence[str], default: str
) -> argparse.ArgumentParser:
    parser = Parser(
        prog="bench",
        description="Compare concurrency models on the same workload.",
        epilog=EXAMPLES,
    )
    parser.add_argument("--version", action="version", version=f"concurrency-bench {__version__}")
    sub = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )
    run = sub.add_parser(
        "run",
        help="run strategies over one seeded workload",
        usage="%(prog)s [options]",
        description="Run each strategy over the same seeded workload, record every task, "
        "print the tables and the one-line answers, and write results.json, tasks.csv, "
        "report.html and trace.json.",
        epilog=_examples(
            "bench run --strategies asyncio,threads --tasks 100 --latency 0.05 -q",
            "bench run --workload cpu --strategies threads,processes --repeat 5",
        ),
    )
    run_flags(run, names, default)
    run.set_defaults(handler=handlers["run"])
    sweep = sub.add_parser(
        "sweep",
        help="every strategy over a grid of workers (and tasks, latency)",
        usage="%(prog)s [options]",
        description="Run every strategy at every combination of the lists given to --workers, "
        "--tasks and --latency, and find the fewest workers within 5% of the best.",
        epilog=_examples(
            "bench sweep --strategies asyncio,threads --workers 1,4,16,64 --tasks 200"
        ),
    )
    run_flags(sweep, names, default, sweep=True)
    sweep.set_defaults(handler=handlers["sweep"])
    from bench.cli.advise import add_parser as add_advise

    add_advise(sub, handlers["advise"], lambda p: run_flags(p, names, "asyncio", sweep=True))
    for add_command in (_report, _compare, _list, _demo, _serve, _completion):
        add_command(sub, handlers)
    return parser


def _examples(*lines: str) -> str:
    return "\n".join(["examples:", *(f"  {line}" for line in lines)])


def _report(sub: Any, handlers: Mapping[str, Handler]) -> None:
    report = sub.add_parser(
        "report",
        help="re-render the reports from a saved results.json",
        description="Render report.html, trace.json and tasks.csv again from a saved "
        "results.json, without running anything.",
        epilog=_examples("bench report latest --export-markdown summary.md"),
    )
    report.add_argument(
        "path",
        metavar="RESULTS",
        type=Path,
        help="a results.json, the folder holding one, or latest (the newest run)",
    )
    output = report.add_argument_group("output")
    output.add_argument(
        "--out", metavar="DIR", type=folder, help="where to write (default: beside the file)"
    )
    output_flags(output.add_argument)
    report.set_defaults(handler=handlers["report"])


def _serve(sub: Any, handlers: Mapping[str, Handler]) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the mock market-data API on its own",
        description="Serve the mock market-data API that --io http runs against, until "
        "interrupted; prints its address.",
        epilog=_examples("bench serve --port 8080 --faults error=0.1,rate_limit=0.05"),
    )
    add = serve.add_argument
    add("--host", metavar="HOST", default="127.0.0.1", help="address to bind (default %(default)s)")
    add("--port", metavar="PORT", default="0", help="port (default 0: a free one, printed)")
    add("--seed", metavar="N", default="42", help="seed of the quotes and faults (default 42)")
    add(
        "--faults",
        metavar="NAME=P,...",
        action=Once,  # given twice, the last would win without a word
        help=f"fault rates, e.g. error=0.1 (from {', '.join(FAULTS)}; default: none)",
    )
    add(
        "--slow-seconds",
        metavar="SECONDS",
        default="30",
        help="how long a 'slow' response takes (default %(default)s)",
    )
    add(
        "--retry-after",
        metavar="SECONDS|DATE",
        default="0.05",
        help="the Retry-After header of a 429 (default %(default)s)",
    )
    add(
        "--quota",
        metavar="RATE[/s|/min][,burst=N]",
        help="a token bucket per client key (X-API-Key, else the address): 429 with "
        "Retry-After beyond it, e.g. 20/s,burst=5 (default: none)",
    )
    add("--parent-pid", help=argparse.SUPPRESS)
    serve.set_defaults(handler=handlers["serve"])


def _compare(sub: Any, handlers: Mapping[str, Handler]) -> None:
    compare = sub.add_parser(
        "compare",
        help="compare two saved results: ratios and significance",
        description="Compare the runs two results files have in common: the ratio of their "
        "median walls with its 95% interval, and a verdict only where the interval allows one.",
        epilog=_examples("bench compare results/before latest --fail-above 10"),
    )
    add = compare.add_argument
    add(
        "baseline",
        metavar="BASELINE",
        type=Path,
        help="the earlier results.json, its folder, or latest",
    )
    add(
        "current",
        metavar="CURRENT",
        type=Path,
        help="the later results.json, its folder, or latest",
    )
    add(
        "--fail-above",
        metavar="PERCENT",
        help="exit 1 when a strategy got significantly slower by more than this many percent "
        "(default: never)",
    )
    compare.set_defaults(handler=handlers["compare"])


def _demo(sub: Any, handlers: Mapping[str, Handler]) -> None:
    from bench.lesson.texts import TEXTS, chapter_help

    demo = sub.add_parser(
        "demo",
        help="the lesson: every claim about asyncio's one thread, measured",
        description="The teaching demo: ten claims about asyncio, threads, processes and an "
        "API's quota, each measured and given a computed verdict; writes demo.json and "
        "demo.html.",
        epilog=chapter_help(),
    )
    add = demo.add_argument
    add("--fast", action="store_true", help="every latency x0.1: the same shapes in seconds")
    add(
        "--step",
        action="store_true",
        help="on a terminal: after each chapter's explanation, wait for Enter before its run "
        "(time to predict), and for Enter again before the next chapter clears the screen",
    )
    add(
        "--chapter",
        metavar="N[,N...]",
        help=f"run only these chapters: N, or a list such as 2,5 (1-{len(TEXTS)}; default: all)",
    )
    add(
        "--out", metavar="DIR", type=folder, help="output folder (default results/demo-<timestamp>)"
    )
    add("--force", action="store_true", help="replace an existing demo report")
    demo.set_defaults(handler=handlers["demo"])


def _list(sub: Any, handlers: Mapping[str, Handler]) -> None:
    listing = sub.add_parser(
        "list",
        help="strategies and collectors: which run here, what each can do",
        description="Every strategy, whether it can run here (and the install command when it "
        "cannot), what it can do, and the collectors.",
        epilog=_examples("bench list"),
    )
    listing.set_defaults(handler=handlers["list"])


def _completion(sub: Any, handlers: Mapping[str, Handler]) -> None:
    completion = sub.add_parser(
        "completion",
        help="print the shell completion script for bash or zsh",
        description="Print the script that completes bench's commands, flags and their values.",
        epilog=_examples(
            'eval "$(bench completion bash)"   in ~/.bashrc (~/.zshrc and zsh for zsh)'
        ),
    )
    completion.add_argument("shell", choices=("bash", "zsh"), help="the shell to complete in")
    completion.set_defaults(handler=handlers["completion"])
