"""Code that runs inside Dask workers: the same recording as every other strategy."""

from __future__ import annotations

import os
import resource
import threading
import time

from bench.collectors.base import Collector
from bench.harness.recording import run_sync
from bench.model import RawRecord, TaskSpec

# What this worker is running: task index -> (started ns, pid, thread id), so an interrupted run
# can record those tasks as cancelled rather than never run.
_running: dict[int, tuple[int, int, int]] = {}


def run_task(
    spec: TaskSpec, collector: Collector, queued_ns: int, log: bool
) -> tuple[RawRecord, str]:
    from distributed import get_worker

    _running[spec.index] = (time.monotonic_ns(), os.getpid(), threading.get_ident())
    try:
        return run_sync(collector, spec, queued_ns, log), get_worker().address
    finally:
        _running.pop(spec.index, None)


def running() -> list[tuple[int, int, int, int]]:
    """(index, started ns, pid, thread id) of each task running here now."""
    return [(index, *where) for index, where in list(_running.items())]


def clock() -> int:
    return time.monotonic_ns()


def usage() -> tuple[float, float, int, int, int]:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime, u.ru_stime, u.ru_maxrss * 1024, u.ru_nvcsw, u.ru_nivcsw
