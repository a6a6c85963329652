"""The argument parser: every subcommand's flags, kept apart from what the commands do.

Values are taken as text and checked by bench.config, so each bad value gets one line naming the
flag and the allowed range (argparse's own `type=float` would accept nan and inf).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from bench import __version__
from bench.cli.config import IO_MODES, default_start_method
from bench.cli.exits import EXIT_USAGE
from bench.cli.flags import Once, output_flags
from bench.cli.plan import DEFAULT_CPU_WORK
from bench.collectors.faults import FAULT_MODES
from bench.mockapi.faults import FAULTS

Handler = Callable[[argparse.Namespace], int]


def printable(text: object) -> str:
    """Text any terminal can take: bytes that were not UTF-8 in a path or an argument (held as
    lone surrogates) are shown as escapes instead of crashing the print."""
    return str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: scripts and people both read the first line.
        message = printable(message).replace("\n", "\\n").replace("\r", "\\r")
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def folder(text: str) -> Path:
    """An output folder: `Path("")` would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a folder (got an empty string)")
    return Path(text)


def _run_flags(
    run: argparse.ArgumentParser, names: Sequence[str], default: str, sweep: bool = False
) -> None:
    """The plan's flags. A sweep takes lists for --workers, --tasks and --latency; each help
    shows the subcommand's own default (%(default)s is the value set on this parser)."""
    add: Callable[..., Any] = run.add_argument
    lists = "comma-separated list: " if sweep else ""
    add(
        "--strategies",
        default=default,
        help=f"comma-separated, from: {', '.join(names)} (default %(default)s)",
    )
    add("--symbols", help="comma-separated symbols (default AAPL GOOGL MSFT AMZN TSLA META)")
    add(
        "--tasks",
        default="64" if sweep else None,
        help=f"{lists}number of symbols, the six defaults then more tickers"
        + (" (default %(default)s)" if sweep else " (default 6)"),
    )
    add(
        "--workers",
        default="1,2,4,8,16,32,64" if sweep else "6",
        help=f"{lists}concurrency limit (default %(default)s)",
    )
    add(
        "--latency",
        default="0.05" if sweep else "2.0",
        help=f"{lists}mean latency per task in s (default %(default)s)",
    )
    add(
        "--latency-dist",
        default="constant",
        help="constant, uniform, normal, lognormal or exponential (default %(default)s)",
    )
    add(
        "--latency-spread",
        help="uniform half-width (s), normal stdev (s), lognormal sigma (default: half the "
        "mean, a quarter of the mean, sigma 0.5; constant and exponential take none)",
    )
    add("--latency-scale", default="1.0", help="multiply every latency (default %(default)s)")
    add("--seed", default="42", help="seed of the plan (default %(default)s)")
    add("--workload", default="io", help="io, cpu or mixed (default %(default)s)")
    add(
        "--cpu-work",
        default=str(DEFAULT_CPU_WORK),
        help="price points per task for cpu/mixed work (default %(default)s)",
    )
    add("--cpu-impl", default="python", help="python (holds the GIL) or numpy (default python)")
    _execution_flags(add)


def _execution_flags(add: Callable[..., Any]) -> None:
    """How the plan runs: the collector, faults, deadlines, pools, output and rounds."""
    add("--io", default="sleep", help=f"collector: {', '.join(IO_MODES)} (default sleep)")
    add(
        "--collector",
        help="your own collector: package.module:function (sync or async), or "
        "module:sync_fn,module:async_fn (default: the built-in collector)",
    )
    add(
        "--http-faults",
        action=Once,
        help="with --io http: fault rates for the mock server, e.g. "
        f"error=0.1,rate_limit=0.05 (from {', '.join(FAULTS)}; default: none)",
    )
    add(
        "--fail-rate",
        default="0",
        help="fraction of tasks given an injected fault, 0..1 (default %(default)s)",
    )
    add(
        "--fail-mode",
        default="exception",
        help=f"the fault: {', '.join(FAULT_MODES)} (default %(default)s)",
    )
    add(
        "--task-timeout",
        help="seconds a task may run before it is recorded as timeout (default: none)",
    )
    add(
        "--run-timeout",
        help="seconds a strategy run may take before it is aborted (default: none)",
    )
    _pool_flags(add)
    add("--out", type=folder, help="output folder (default results/<timestamp>)")
    add("--force", action="store_true", help="replace an existing results.json")
    add("--repeat", default="1", help="rounds of every strategy, interleaved (default 1)")
    add("--warmup", default="0", help="rounds run first and thrown away (default 0)")
    add("-v", "--verbose", action="store_true", help="log every task as it runs")
    output_flags(add)


def _pool_flags(add: Callable[..., Any]) -> None:
    """Where the workers come from: a cluster, a start method, chunks, the GC."""
    add("--scheduler", help="dask: an existing cluster, tcp://HOST:PORT (default: a LocalCluster)")
    add(
        "--start-method",
        default=default_start_method(),
        help="process start method: fork, forkserver or spawn (default %(default)s)",
    )
    add("--chunksize", default="1", help="tasks per process-pool submission (default %(default)s)")
    add(
        "--gc",
        default="on",
        help="the garbage collector while tasks run: on, as in your "
        "program, or off, as timeit does (default on)",
    )


def build_parser(
    handlers: Mapping[str, Handler], names: Sequence[str], default: str
) -> argparse.ArgumentParser:
    parser = Parser(prog="bench", description="Compare concurrency models on the same workload.")
    parser.add_argument("--version", action="version", version=f"concurrency-bench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = sub.add_parser(
        "run",
        help="run strategies over one seeded workload",
        description="Run each strategy over the same seeded workload, record every task, "
        "print the tables and the one-line answers, and write results.json, tasks.csv, "
        "report.html and trace.json.",
        epilog="example: bench run --strategies asyncio,threads --tasks 100 --latency 0.05 -q",
    )
    _run_flags(run, names, default)
    run.set_defaults(handler=handlers["run"])
    sweep = sub.add_parser(
        "sweep",
        help="every strategy over a grid of workers (and tasks, latency)",
        description="Run every strategy at every combination of the lists given to --workers, "
        "--tasks and --latency, and find the fewest workers within 5% of the best.",
        epilog="example: bench sweep --strategies asyncio,threads --workers 1,4,16,64 --tasks 200",
    )
    _run_flags(sweep, names, default, sweep=True)
    sweep.set_defaults(handler=handlers["sweep"])
    for add_command in (_report, _serve, _compare, _demo, _list, _completion):
        add_command(sub, handlers)
    return parser


def _report(sub: Any, handlers: Mapping[str, Handler]) -> None:
    report = sub.add_parser(
        "report",
        help="re-render the reports from a saved results.json",
        description="Render report.html, trace.json and tasks.csv again from a saved "
        "results.json, without running anything.",
        epilog="example: bench report latest --export-markdown summary.md",
    )
    report.add_argument(
        "path", type=Path, help="a results.json, the folder holding one, or latest (the newest run)"
    )
    report.add_argument("--out", type=folder, help="where to write (default: beside the file)")
    output_flags(report.add_argument)
    report.set_defaults(handler=handlers["report"])


def _serve(sub: Any, handlers: Mapping[str, Handler]) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the mock market-data API on its own",
        epilog="example: bench serve --port 8080 --faults error=0.1,rate_limit=0.05",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", default="0", help="port (default 0: a free one, printed)")
    serve.add_argument("--seed", default="42", help="seed of the quotes and faults (default 42)")
    serve.add_argument(
        "--faults",
        action=Once,
        help=f"fault rates, e.g. error=0.1 ({', '.join(FAULTS)}; default: none)",
    )
    serve.add_argument(
        "--slow-seconds", default="30", help="how long a 'slow' response takes (default 30)"
    )
    serve.add_argument(
        "--retry-after", default="0.05", help="the Retry-After header of a 429 (default 0.05)"
    )
    serve.add_argument("--parent-pid", help=argparse.SUPPRESS)
    serve.set_defaults(handler=handlers["serve"])


def _compare(sub: Any, handlers: Mapping[str, Handler]) -> None:
    compare = sub.add_parser(
        "compare",
        help="compare two saved results: ratios and significance",
        description="Compare the runs two results files have in common: the ratio of their "
        "median walls with its 95% interval, and a verdict only where the interval allows one.",
        epilog="example: bench compare results/before latest --fail-above 10",
    )
    compare.add_argument(
        "baseline", type=Path, help="the earlier results.json, its folder, or latest"
    )
    compare.add_argument("current", type=Path, help="the later results.json, its folder, or latest")
    compare.add_argument(
        "--fail-above",
        help="exit 1 when a strategy got significantly slower by more than this many percent "
        "(default: never)",
    )
    compare.set_defaults(handler=handlers["compare"])


def _demo(sub: Any, handlers: Mapping[str, Handler]) -> None:
    demo = sub.add_parser(
        "demo",
        help="the lesson: every claim about asyncio's one thread, measured",
        description="The teaching demo: nine claims about asyncio, threads and processes, "
        "each measured and given a computed verdict; writes demo.json and demo.html.",
        epilog="example: bench demo --fast --chapter 2",
    )
    demo.add_argument(
        "--fast", action="store_true", help="every latency x0.1: the same shapes in seconds"
    )
    demo.add_argument("--step", action="store_true", help="pause between chapters (on a terminal)")
    demo.add_argument("--chapter", help="run only chapter N, 1-9 (default: all)")
    demo.add_argument("--out", type=folder, help="output folder (default results/demo-<timestamp>)")
    demo.add_argument("--force", action="store_true", help="replace an existing demo report")
    demo.set_defaults(handler=handlers["demo"])


def _list(sub: Any, handlers: Mapping[str, Handler]) -> None:
    listing = sub.add_parser(
        "list",
        help="the strategies (available here or not), their abilities, the collectors",
        epilog="example: bench list",
    )
    listing.set_defaults(handler=handlers["list"])


def _completion(sub: Any, handlers: Mapping[str, Handler]) -> None:
    completion = sub.add_parser(
        "completion",
        help="print the shell completion script for bash or zsh",
        epilog='example: eval "$(bench completion bash)"   (in ~/.bashrc, or ~/.zshrc with zsh)',
    )
    completion.add_argument("shell", choices=("bash", "zsh"), help="the shell to complete in")
    completion.set_defaults(handler=handlers["completion"])
