"""Numbers and places in words, shared by every renderer so they all say it the same way."""

from __future__ import annotations

import math

from bench.analysis import stats
from bench.model import Meta, RunRecord


def fmt(value: float | None, digits: int = 2, unit: str = "") -> str:
    """A figure for people: "-" where there is none (None, or NaN from pandas)."""
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.{digits}f}{unit}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def where_ran(run: RunRecord) -> str:
    """Where the tasks that ran did so, from the records: "on one thread (id)", "on N threads
    of one process", "in N interpreters of one process" or "in N processes"."""
    shape = stats.run_shape(run)
    pids, lanes, interpreters = shape.pids, shape.lanes, shape.interpreters
    if len(pids) > 1:
        return f"in {len(pids)} processes"
    if len(interpreters) > 1:
        return f"in {len(interpreters)} interpreters of one process ({len(lanes)} threads)"
    if len(lanes) == 1:
        (_pid, tid) = next(iter(lanes))
        return f"on one thread ({tid})"
    return f"on {len(lanes)} threads of one process"


SATURATED_NOTE = (
    "saturated: the mock server's one CPU was busy 90% or more of the wall, so the server, "
    "not the strategy, may have set the pace"
)
CPUS_BUSY_NOTE = (
    "CPUs busy: the harness, its workers and the mock server together, as a share of every "
    "usable CPU for the whole wall; near 100% the machine itself was the limit"
)


def server_busy(busy: float | None) -> str:
    """The mock server's CPU share of a run's wall, in words ("-" without a server)."""
    if busy is None:
        return "-"
    return f"{busy:.0%}" + (" saturated" if stats.saturated(busy) else "")


def cpus_busy(summary: stats.RunSummary, cpus: int) -> str:
    """What the run and the mock server used of the machine's CPUs during the wall."""
    if cpus < 1 or summary.wall_s <= 0:
        return "-"
    spent = summary.cpu_s + (summary.server_busy or 0.0) * summary.wall_s
    return f"{spent / (cpus * summary.wall_s):.0%} of {cpus}"


def scenario(config: Meta) -> str:
    """The plan in one line, for a summary pasted away from its report: tasks x latency,
    workers, rounds, and what each task did."""
    tasks, latency = config.get("tasks"), config.get("latency_seconds")
    dist = config.get("latency_dist") or "constant"
    head = f"{tasks} tasks x {_seconds(latency)}" + ("" if dist == "constant" else f" ({dist})")
    parts = [head, f"workers {_listed(config.get('workers'))}"]
    rounds = config.get("repeat")
    parts.append(plural(rounds if isinstance(rounds, int) else 1, "round"))
    parts.append(f"io {config.get('io', 'sleep')}")
    if config.get("workload", "io") != "io":
        parts.append(f"workload {config.get('workload')} (cpu work {config.get('cpu_work')})")
    rate = config.get("fail_rate")
    if isinstance(rate, int | float) and rate > 0:
        parts.append(f"fail rate {rate:g} ({config.get('fail_mode') or 'exception'})")
    parts.append(f"seed {config.get('seed')}")
    return ", ".join(parts)


def _seconds(value: object) -> str:
    if isinstance(value, list):
        return "{" + ", ".join(_seconds(v) for v in value) + "}"
    if isinstance(value, int | float):
        return f"{value * 1000:g} ms" if value < 1 else f"{value:g} s"
    return str(value)


def _listed(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
