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


def _run_flags(run: argparse.ArgumentParser, names: Sequence[str], default: str) -> None:
    add: Callable[..., Any] = run.add_argument
    add("--strategies", default=default, help=f"comma-separated, from: {', '.join(names)}")
    add("--symbols", help="comma-separated symbols (default AAPL GOOGL MSFT AMZN TSLA META)")
    add("--tasks", help="number of symbols: the default six, then more tickers")
    add("--workers", default="6", help="concurrency limit (default 6)")
    add("--latency", default="2.0", help="mean latency per task in s (default 2.0)")
    add(
        "--latency-dist",
        default="constant",
        help="constant, uniform, normal, lognormal or exponential (default constant)",
    )
    add("--latency-spread", help="uniform half-width (s), normal stdev (s), lognormal sigma")
    add("--latency-scale", default="1.0", help="multiply every latency (0.01: 2 s -> 20 ms)")
    add("--seed", default="42", help="seed of the plan (default 42)")
    add("--workload", default="io", help="io, cpu or mixed (default io)")
    add(
        "--cpu-work",
        default=str(DEFAULT_CPU_WORK),
        help=f"price points per task for cpu/mixed work (default {DEFAULT_CPU_WORK})",
    )
    add("--cpu-impl", default="python", help="python (holds the GIL) or numpy (default python)")
    _execution_flags(add)


def _execution_flags(add: Callable[..., Any]) -> None:
    """How the plan runs: the collector, faults, deadlines, pools, output and rounds."""
    add("--io", default="sleep", help=f"collector: {', '.join(IO_MODES)} (default sleep)")
    add(
        "--collector",
        help="your own collector: package.module:function (sync or async), or "
        "module:sync_fn,module:async_fn",
    )
    add(
        "--http-faults",
        default="",
        help="with --io http: fault rates for the mock server, e.g. "
        f"error=0.1,rate_limit=0.05 (from {', '.join(FAULTS)})",
    )
    add("--fail-rate", default="0", help="fraction of tasks given an injected fault (0..1)")
    add("--fail-mode", default="exception", help=f"the fault: {', '.join(FAULT_MODES)}")
    add("--task-timeout", help="seconds a task may run before it is recorded as timeout")
    add("--run-timeout", help="seconds a strategy run may take before it is aborted")
    add("--scheduler", help="dask: an existing cluster, tcp://HOST:PORT (default: a LocalCluster)")
    add(
        "--start-method",
        default=default_start_method(),
        help="process start method: fork, forkserver or spawn",
    )
    add("--chunksize", default="1", help="tasks per process-pool submission (default 1)")
    add(
        "--gc",
        default="on",
        help="the garbage collector while tasks run: on, as in your "
        "program, or off, as timeit does (default on)",
    )
    add("--out", type=folder, help="output folder (default results/<timestamp>)")
    add("--force", action="store_true", help="replace an existing results.json")
    add("--repeat", default="1", help="rounds of every strategy, interleaved (default 1)")
    add("--warmup", default="0", help="rounds run first and thrown away (default 0)")
    add("-v", "--verbose", action="store_true", help="log every task as it runs")


def build_parser(
    handlers: Mapping[str, Handler], names: Sequence[str], default: str
) -> argparse.ArgumentParser:
    parser = Parser(prog="bench", description="Compare concurrency models on the same workload.")
    parser.add_argument("--version", action="version", version=f"concurrency-bench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = sub.add_parser("run", help="run strategies over one seeded workload")
    _run_flags(run, names, default)
    run.set_defaults(handler=handlers["run"])
    sweep = sub.add_parser(
        "sweep", help="every strategy over a grid of workers (and tasks, latency)"
    )
    _run_flags(sweep, names, default)
    sweep.set_defaults(
        handler=handlers["sweep"], workers="1,2,4,8,16,32,64", tasks="64", latency="0.05"
    )
    report = sub.add_parser("report", help="re-render the reports from a saved results.json")
    report.add_argument("path", type=Path, help="a results.json, or the folder holding one")
    report.add_argument("--out", type=folder, help="where to write (default: beside the file)")
    report.set_defaults(handler=handlers["report"])
    serve = sub.add_parser("serve", help="run the mock market-data API on its own")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", default="0", help="port (default 0: a free one, printed)")
    serve.add_argument("--seed", default="42", help="seed of the quotes and faults")
    serve.add_argument(
        "--faults", default="", help=f"fault rates, e.g. error=0.1 ({', '.join(FAULTS)})"
    )
    serve.add_argument("--slow-seconds", default="30", help="how long a 'slow' response takes")
    serve.add_argument("--retry-after", default="0.05", help="the Retry-After header of a 429")
    serve.add_argument("--parent-pid", help=argparse.SUPPRESS)
    serve.set_defaults(handler=handlers["serve"])
    compare = sub.add_parser("compare", help="compare two saved results: ratios and significance")
    compare.add_argument("baseline", type=Path, help="the earlier results.json (or its folder)")
    compare.add_argument("current", type=Path, help="the later results.json (or its folder)")
    compare.add_argument(
        "--fail-above",
        help="exit 1 when a strategy got significantly slower by more than this many percent",
    )
    compare.set_defaults(handler=handlers["compare"])
    demo = sub.add_parser(
        "demo", help="the lesson: every claim about asyncio's one thread, measured"
    )
    demo.add_argument("--fast", action="store_true", help="latencies x0.1: same shape, seconds")
    demo.add_argument("--step", action="store_true", help="pause between chapters (on a terminal)")
    demo.add_argument("--chapter", help="run only chapter N (1-9)")
    demo.add_argument("--out", type=folder, help="output folder (default results/demo-<timestamp>)")
    demo.add_argument("--force", action="store_true", help="replace an existing demo report")
    demo.set_defaults(handler=handlers["demo"])
    return parser
