"""The recording cost: the harness against the user's own loop over the same collector, each
round of each side in a fresh interpreter (pyperf's way).

With the GC off, 100,000 zero-latency tasks in one long-lived process timed mostly the state
the allocator was left in: medians of in-process rounds gave 1.34x, 1.32x and 0.82x for the
same code. A fresh interpreter per measurement starts every side from the same state.

    python -m tests.perf.recording harness|bare|empty COUNT on|off WORKERS   # one measurement
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
from pathlib import Path

from bench.collectors.base import SleepCollector
from tests.perf.cases import (
    bare_collect,
    bare_nothing,
    gc_as_the_harness_does,
    harness_wall,
    plan,
)

ROOT = Path(__file__).resolve().parents[2]


def measure(side: str, count: int, gc_on: bool, workers: int) -> float:
    """Seconds for `count` zero-latency tasks on one side, in this process."""
    tasks = plan(count, 0.0)
    if side == "harness":
        return harness_wall("asyncio", tasks, workers, gc_on=gc_on)
    with gc_as_the_harness_does(gc_on):
        if side == "bare":
            return asyncio.run(bare_collect(tasks, workers, SleepCollector()))
        return asyncio.run(bare_nothing(count))


def fresh(side: str, count: int, gc_on: bool, workers: int) -> float:
    """The same, in a new interpreter."""
    argv = [sys.executable, "-m", "tests.perf.recording", side, str(count)]
    argv += ["on" if gc_on else "off", str(workers)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True, timeout=300)
    return float(done.stdout)


def recording_cost(
    count: int, rounds: int = 9, gc_on: bool = True, workers: int | None = None
) -> dict[str, float]:
    """Zero-latency asyncio tasks: harness vs the user's create_task + gather of the same
    collector, both under the same GC regime (on, as in a user's program, or off, as timeit
    does). The collector's own work (its quote) is the user's, not the recording's, so both
    sides do it; a loop of empty tasks is reported beside, as the floor.

    The ratio is the median of each round's pair, run back to back: this VM's speed drifts by
    a third over seconds (the same bare loop took 6.0 to 9.7 us a task in one minute), and a
    pair shares its moment."""
    width = count if workers is None else workers
    hs, bs = [], []
    for _ in range(rounds):
        hs.append(fresh("harness", count, gc_on, width))
        bs.append(fresh("bare", count, gc_on, width))
    ratios = sorted(h / b for h, b in zip(hs, bs, strict=True))
    floor = fresh("empty", count, gc_on, width)
    h, b = statistics.median(hs), statistics.median(bs)
    return {
        "gc": 1.0 if gc_on else 0.0,
        "workers": float(width),
        "rounds": float(rounds),
        "harness_s": h,
        "bare_s": b,
        "ratio": statistics.median(ratios),
        "ratio_low": ratios[0],
        "ratio_high": ratios[-1],
        "harness_ns_per_task": h / count * 1e9,
        "bare_ns_per_task": b / count * 1e9,
        "empty_task_ns": floor / count * 1e9,
    }


if __name__ == "__main__":
    side, count, gc, workers = sys.argv[1:5]
    print(measure(side, int(count), gc == "on", int(workers)))
