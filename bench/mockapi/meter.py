"""The mock server's own CPU during a run, read from outside its process (psutil).

The server answers every strategy's requests on one event loop, so it can use at most one CPU:
busy for most of a run's wall, it (not the strategy under test) may have set the pace. Read
around the whole run; the server only works while requests come, which is inside the wall.
"""

from __future__ import annotations

import psutil

from bench.model import Usage


def usage_of(pid: int) -> Usage | None:
    """The server's CPU and context switches so far (None: it is gone, or not ours to read)."""
    try:
        process = psutil.Process(pid)
        with process.oneshot():
            cpu, switches = process.cpu_times(), process.num_ctx_switches()
    except psutil.Error:
        return None
    return Usage(cpu.user, cpu.system, 0, switches.voluntary, switches.involuntary)


def since(before: Usage | None, after: Usage | None) -> Usage | None:
    """What the server spent between two readings (peak memory is not a difference: 0)."""
    if before is None or after is None:
        return None
    return Usage(
        max(after.user_s - before.user_s, 0.0),
        max(after.system_s - before.system_s, 0.0),
        0,
        after.voluntary_switches - before.voluntary_switches,
        after.involuntary_switches - before.involuntary_switches,
    )
