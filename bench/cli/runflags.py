"""The flags of `bench run` and `bench sweep`, in the groups their --help shows.

Adding a flag is one call in its group's function below. Its metavar says what it takes (`N`,
`SECONDS`, `DIR`); a closed choice goes through `closed`, which shows the values in the help
(`--io {sleep,blocking,http}`) and hands them to shell completion. Values are taken as text and
checked by bench.cli.config, so each bad value gets one line naming the flag and the allowed values
(argparse's own `type=float` would accept nan and inf, and its `choices` would refuse a value with
its own message, before the checks that suggest the nearest name).
"""

from __future__ import annotations

import argparse
import multiprocessing
from collections.abc import Sequence
from typing import Final

from bench.cli.flags import Add, Once, closed, folder, output_flags
from bench.cli.plan import DEFAULT_CPU_WORK
from bench.collectors.cpu import IMPLEMENTATIONS
from bench.collectors.faults import FAULT_MODES
from bench.mockapi.faults import FAULTS
from bench.workload import DISTRIBUTIONS, WORKLOADS

# The closed choices bench.cli.config checks, here with their flags: building the parser (for
# --help, and for each Tab of shell completion) must not import what checking a run needs.
IO_MODES: Final = ("sleep", "blocking", "to-thread", "http")
GC_MODES: Final = ("on", "off")
# Those a platform may have; check_start_method accepts those this one has.
START_METHODS: Final = ("fork", "forkserver", "spawn")


def default_start_method() -> str:
    # forkserver: forking a process that has threads (rich's refresh thread, a previous pool's
    # threads) can deadlock, and 3.14 made it the Linux default for that reason.
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def run_flags(
    parser: argparse.ArgumentParser, names: Sequence[str], default: str, sweep: bool = False
) -> None:
    """Every group, in the order a user reads them. A sweep takes lists for --workers, --tasks
    and --latency; each help shows the subcommand's own default (%(default)s is the value set
    on this parser)."""
    strategies = parser.add_argument_group("strategies and workers")
    _strategy_flags(strategies.add_argument, names, default, sweep)
    _plan_flags(parser.add_argument_group("workload").add_argument, sweep)
    _fault_flags(parser.add_argument_group("faults and deadlines").add_argument)
    _endpoint_flags(parser.add_argument_group("your own endpoint (--io http)").add_argument)
    _statistics_flags(parser.add_argument_group("statistics").add_argument)
    _output_flags(parser.add_argument_group("output").add_argument)


def _strategy_flags(add: Add, names: Sequence[str], default: str, sweep: bool) -> None:
    """What runs the tasks: the strategies, their workers, where pools and clusters come from."""
    closed(
        add,
        "--strategies",
        names,
        metavar="NAME,...",
        default=default,
        help="comma-separated, from: %(values)s (default %(default)s)",
    )
    add(
        "--workers",
        metavar="N,..." if sweep else "N",
        default="1,2,4,8,16,32,64" if sweep else "6",
        help=f"{_lists(sweep)}concurrency limit (default %(default)s)",
    )
    add(
        "--scheduler",
        metavar="ADDRESS",
        help="dask: an existing cluster, tcp://HOST:PORT (default: a LocalCluster)",
    )
    closed(
        add,
        "--start-method",
        START_METHODS,
        default=default_start_method(),
        help="how process pools start their workers (default %(default)s)",
    )
    add(
        "--chunksize",
        metavar="N",
        default="1",
        help="tasks per process-pool submission (default %(default)s)",
    )
    closed(
        add,
        "--gc",
        GC_MODES,
        default="on",
        help="the garbage collector while tasks run: on, as in your program, or off, as "
        "timeit does (default %(default)s)",
    )


def _plan_flags(add: Add, sweep: bool) -> None:
    """The plan: the symbols, their latency, its seed; then what each task does."""
    add(
        "--symbols",
        metavar="SYMBOL,...",
        help="comma-separated symbols (default AAPL GOOGL MSFT AMZN TSLA META)",
    )
    add(
        "--tasks",
        metavar="N,..." if sweep else "N",
        default="64" if sweep else None,
        help=f"{_lists(sweep)}number of symbols, the six defaults then more tickers"
        + (" (default %(default)s)" if sweep else " (default 6)"),
    )
    add(
        "--latency",
        metavar="SECONDS,..." if sweep else "SECONDS",
        default="0.05" if sweep else "2.0",
        help=f"{_lists(sweep)}mean latency per task (default %(default)s)",
    )
    closed(
        add,
        "--latency-dist",
        DISTRIBUTIONS,
        default="constant",
        help="how latencies spread around the mean (default %(default)s)",
    )
    add(
        "--latency-spread",
        metavar="X",
        help="uniform half-width (s), normal stdev (s), lognormal sigma (default: half the "
        "mean, a quarter of the mean, sigma 0.5; constant and exponential take none)",
    )
    add(
        "--latency-from",
        metavar="FILE",
        help="replay your own latencies (replaces --latency and --latency-dist): a CSV or JSON "
        "list of seconds, or a HAR file's entries; seeded like the others (default: none)",
    )
    add(
        "--latency-scale",
        metavar="FACTOR",
        default="1.0",
        help="multiply every latency (default %(default)s)",
    )
    add("--seed", metavar="N", default="42", help="seed of the plan (default %(default)s)")
    _work_flags(add)


def _work_flags(add: Add) -> None:
    """What a task does while it waits, and its CPU part."""
    closed(
        add,
        "--workload",
        WORKLOADS,
        default="io",
        help="what a task does: wait, compute, or both (default %(default)s)",
    )
    add(
        "--cpu-work",
        metavar="N",
        default=str(DEFAULT_CPU_WORK),
        help="price points per task for cpu/mixed work (default %(default)s)",
    )
    closed(
        add,
        "--cpu-impl",
        IMPLEMENTATIONS,
        default="python",
        help="python holds the GIL; numpy spends its time in calls that release it "
        "(default %(default)s)",
    )
    closed(
        add,
        "--io",
        IO_MODES,
        default="sleep",
        help="how a task waits, the built-in collector; bench list says what each does "
        "(default %(default)s)",
    )
    add(
        "--collector",
        metavar="MODULE:FUNCTION",
        help="your own collector: package.module:function (sync or async), or "
        "module:sync_fn,module:async_fn (default: the built-in collector)",
    )


def _fault_flags(add: Add) -> None:
    """What goes wrong on purpose, and how long anything may take."""
    add(
        "--fail-rate",
        metavar="P",
        default="0",
        help="fraction of tasks given an injected fault, 0..1 (default %(default)s)",
    )
    closed(
        add,
        "--fail-mode",
        FAULT_MODES,
        default="exception",
        help="the injected fault (default %(default)s)",
    )
    add(
        "--http-faults",
        metavar="NAME=P,...",
        action=Once,  # given twice, the last would win without a word
        help="with --io http: fault rates for the mock server, e.g. "
        f"error=0.1,rate_limit=0.05 (from {', '.join(FAULTS)}; default: none)",
    )
    add(
        "--http-quota",
        metavar="RATE[/s|/min][,burst=N]",
        help="with --io http: the mock API's quota per client key, a token bucket answering "
        "429 with Retry-After beyond it, e.g. 20/s or 600/min,burst=10 (default: none)",
    )
    add(
        "--http-attempts",
        metavar="N",
        help="with --io http: requests per task at most, retries on 429, 503 and dropped "
        "connections included, 1..100 (default 4)",
    )
    add(
        "--task-timeout",
        metavar="SECONDS",
        help="a task running longer is recorded as timeout (default: none; with --io http "
        "each request also gives up after 10 s without a response)",
    )
    add(
        "--run-timeout",
        metavar="SECONDS",
        help="a strategy run taking longer is aborted (default: none)",
    )


def _endpoint_flags(add: Add) -> None:
    """The HTTP collector sent to the user's endpoint instead of the mock, politely."""
    add(
        "--base-url",
        metavar="URL",
        help="send the HTTP collector to your endpoint instead of the mock API: a URL with "
        "{symbol}, e.g. http://127.0.0.1:8080/quote/{symbol} (default: the mock)",
    )
    add(
        "--max-rate",
        metavar="PER_S",
        help="with --base-url: requests a second at most, all workers together (default 5)",
    )
    add(
        "--max-requests",
        metavar="N",
        help="with --base-url: requests in the whole session at most; past it a task fails "
        "unsent (default 1000)",
    )
    add(
        "--allow-remote",
        action="store_true",
        help="with --base-url: confirm an endpoint that is not a loopback address",
    )


def _statistics_flags(add: Add) -> None:
    """Rounds: what the intervals, the significance tests and the sweeps' verdicts rest on."""
    add(
        "--repeat",
        metavar="N",
        default="1",
        help="rounds of every strategy, interleaved (default %(default)s)",
    )
    add(
        "--warmup",
        metavar="N",
        default="0",
        help="rounds run first and thrown away (default %(default)s)",
    )


def _output_flags(add: Add) -> None:
    """Where the results go and what the terminal shows."""
    add("--out", metavar="DIR", type=folder, help="output folder (default results/<timestamp>)")
    add("--force", action="store_true", help="replace an existing results.json")
    add("-v", "--verbose", action="store_true", help="log every task as it runs")
    output_flags(add)


def _lists(sweep: bool) -> str:
    return "comma-separated list: " if sweep else ""
