"""The smaller commands: `bench compare` and `bench serve` (CLI side: they print)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from rich.console import Console

from bench.cli.args import printable
from bench.cli.exits import EXIT_OK, EXIT_REGRESSION, EXIT_SIGINT, EXIT_SIGTERM
from bench.cli.httpflags import http_faults, http_quota, retry_after
from bench.cli.lines import say
from bench.cli.numbers import parse_float, parse_int
from bench.errors import ResultsFileError, UsageError
from bench.harness.interrupts import Terminated
from bench.model import Results
from bench.results.folder import resolve_latest
from bench.results.loader import load


def load_path(path: Path) -> Results:
    """A results.json, or the folder holding one; `latest` is the newest run's."""
    return load(source_of(path))


def source_of(path: Path) -> Path:
    """The results.json a path names: the file, the folder holding one, or `latest`'s."""
    try:
        path = resolve_latest(path)
        return path / "results.json" if path.is_dir() else path
    except OSError as exc:  # a name too long, a loop of links, a folder it may not look in
        raise ResultsFileError(f"{printable(str(path))}: {exc.strerror or exc}") from None


PLANS_DIFFER = (
    "note: the plans differ (above), so runs are matched by strategy and workers; a ratio "
    "across two plans measures the plan as much as the code"
)


def cmd_compare(args: argparse.Namespace) -> int:
    from bench.analysis.compare import MIN_RUNS, compare, config_differences, differences, unmatched
    from reports.compare_table import compare_table

    limit = None if args.fail_above is None else parse_float("--fail-above", args.fail_above, 0.0)
    base, current = load_path(args.baseline), load_path(args.current)
    rows = compare(base, current)
    console = Console(highlight=False)
    for line in differences(base, current):
        print(f"warning: the files differ in {line}", file=sys.stderr)
    for line in config_differences(base, current):
        print(f"note: the configurations differ in {line}", file=sys.stderr)
    for line in unmatched(base, current):
        print(f"note: {line}", file=sys.stderr)
    if any(c.plans_differ for c in rows):
        print(PLANS_DIFFER, file=sys.stderr)
    if not rows:
        raise UsageError("the two files have no completed strategy and configuration in common")
    console.print(compare_table(rows, console.width))
    say(
        console,
        "A verdict needs the whole 95% interval of the ratio on one side of 1 (and beyond "
        "--fail-above for a regression); the U test's p is shown for reference.",
    )
    if not all(c.enough_runs for c in rows):
        say(
            console,
            f"note: with fewer than {MIN_RUNS} runs a side there is no interval and "
            f"no verdict; use --repeat {MIN_RUNS} or more",
        )
    regressions = [c for c in rows if limit is not None and c.regressed(limit)]
    for c in regressions:
        plans = "; the plans differ, so the plan, not the code, may explain it"
        say(
            console,
            f"regression: {c.label} is {c.ratio - 1:.1%} slower (95% interval of "
            f"the ratio {c.low:.3f}-{c.high:.3f}){plans if c.plans_differ else ''}",
        )
    return EXIT_REGRESSION if regressions else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from bench.mockapi.process import serve

    port = parse_int("--port", args.port, 0, 65535)
    seed = parse_int("--seed", args.seed, 0, 2**63 - 1)
    faults = dataclasses.replace(
        http_faults(args.faults, "--faults"),
        slow_seconds=parse_float("--slow-seconds", args.slow_seconds, 0.0),
        retry_after=retry_after(args.retry_after),
    )
    host = args.host
    if not host.isprintable() or printable(host) != host:
        raise UsageError(f"--host must be a host name or an address (got {printable(host)!r})")
    if host not in ("127.0.0.1", "::1", "localhost"):
        print(
            f"warning: binding {host}: the mock API is reachable from other machines",
            file=sys.stderr,
        )
    parent = (
        None if args.parent_pid is None else parse_int("--parent-pid", args.parent_pid, 1, 2**31)
    )
    try:
        signum = serve(host, port, seed, faults, parent, http_quota(args.quota, "--quota"))
    except KeyboardInterrupt as exc:  # before the server's own handlers were in
        return EXIT_SIGTERM if isinstance(exc, Terminated) else EXIT_SIGINT
    return 128 + signum if signum else EXIT_OK
