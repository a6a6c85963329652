"""Code that runs inside Dask workers: the same recording as every other strategy."""

from __future__ import annotations

import resource
import time

from bench.collector import Collector
from bench.model import RawRecord, TaskSpec
from bench.recording import run_sync


def run_task(
    spec: TaskSpec, collector: Collector, queued_ns: int, log: bool
) -> tuple[RawRecord, str]:
    from distributed import get_worker

    return run_sync(collector, spec, queued_ns, log), get_worker().address


def clock() -> int:
    return time.monotonic_ns()


def usage() -> tuple[float, float, int, int, int]:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime, u.ru_stime, u.ru_maxrss * 1024, u.ru_nvcsw, u.ru_nivcsw
