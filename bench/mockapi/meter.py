"""The mock server's own CPU during a run, read from outside its process (psutil).

The server answers every strategy's requests on one event loop, so it can use at most one CPU:
busy for most of a run's wall, it (not the strategy under test) may have set the pace. The runner
reads it where it reads its own usage, at the edges of the timed region: workers' warm-up
requests (the collector's `open`) are start-up, and not counted.
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
