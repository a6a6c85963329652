"""`bench list`: every strategy (available here or not, and how to get it), what each declares it
can do, and the collectors, workloads and faults (`cmd_list` prints it).

Strategy modules are imported to read what each declares, but no engine (trio, dask, gevent,
uvloop): each strategy imports its own when it runs. Nor rich: the listing is plain text."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap

import strategies
from bench.cli.exits import EXIT_OK
from bench.cli.runflags import IO_MODES
from bench.collectors.faults import FAULT_MODES
from bench.harness.execution import DEADLINES, Abilities
from bench.workload import WORKLOADS

FACES = {
    "sync": "the collector's sync face",
    "async": "the collector's async face",
    "phased": "the collector's I/O and CPU parts apart",
}
IO_NOTES = {
    "sleep": "the planned latency slept (time.sleep / asyncio.sleep / trio.sleep)",
    "blocking": "time.sleep inside the async face too: the classic mistake",
    "to-thread": "its fix: the blocking call handed to a thread (async-face strategies only)",
    "http": "real HTTP against the local mock API (aiohttp / httpx under trio / http.client)",
}


def listing(width: int | None = 80) -> str:
    """The whole listing, wrapped to `width` columns, or with None one line per line of text
    (piped: `bench list | grep trio` finds a strategy's lines whole)."""
    lines = ["Strategies (--strategies):"]
    for name in strategies.names():
        head, *rest = _strategy(name)
        lines.append(_wrap(f"  {name:<18} {head}", width))
        lines += [_wrap(f"{'':<21}{line}", width) for line in rest]
    lines += ["", "Collectors (--io):"]
    lines += [f"  {mode:<10} {IO_NOTES.get(mode, '')}" for mode in IO_MODES]
    lines.append("  or --collector package.module:function: your own code, sync or async")
    lines += ["", f"Workloads (--workload): {', '.join(WORKLOADS)}"]
    lines.append(f"Faults (--fail-mode, with --fail-rate): {', '.join(FAULT_MODES)}")
    return "\n".join(lines) + "\n"


def _wrap(line: str, width: int | None) -> str:
    if width is None:
        return line
    return textwrap.fill(line, max(width, 60), subsequent_indent=" " * 21)


def _strategy(name: str) -> list[str]:
    try:
        strategy = strategies.get(name)
    except strategies.Unavailable as exc:
        return [f"not available here: {exc}"]
    except Exception as exc:  # a broken plugin: say so, keep listing the rest
        return [f"cannot be loaded: {type(exc).__name__}: {exc}"]
    return [strategy.summary, f"available here; {_abilities(strategy.abilities)}"]


def _abilities(can: Abilities) -> str:
    honours = [flag for key, flag in DEADLINES.items() if key in can.deadlines]
    parts = [
        f"honours {' and '.join(honours)}" if honours else "honours no deadline",
        "calls " + ", ".join(FACES[f] for f in sorted(can.faces)),
    ]
    if can.fixed_workers is not None:
        parts.append(f"always {can.fixed_workers} worker")
    if can.processes_per_worker:
        parts.append(f"{can.processes_per_worker} process per worker")
    if can.leaves_process:
        parts.append("tasks leave the process")
    if can.leaves_interpreter:
        parts.append("tasks run in other interpreters of this process")
    if can.cluster:
        parts.append("runs on a cluster with --scheduler")
    if can.baseline:
        parts.append("the baseline of every speed-up")
    return "; ".join(parts)


def cmd_list(args: argparse.Namespace) -> int:
    del args  # nothing to choose
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    sys.stdout.write(listing(width))
    return EXIT_OK
