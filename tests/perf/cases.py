"""The harness against bare, hand-written loops of the same executor on the same plan.

Each measurement interleaves harness and bare runs (A B A B ...) so drift on a shared machine
spreads over both, and reports medians. Used by the benchmarks (`make perf`) and, at tiny sizes,
by a smoke test in `make test`.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass

import strategies
from bench.analysis.stats import ideal_ns
from bench.collectors.base import Collector, SleepCollector
from bench.harness.execution import StrategyOptions
from bench.harness.runner import run_strategy
from bench.model import TaskSpec


def plan(count: int, latency_s: float) -> tuple[TaskSpec, ...]:
    return tuple(TaskSpec(i, f"S{i:06d}", round(latency_s * 1e9)) for i in range(count))


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@contextmanager
def gc_as_the_harness_does(enabled: bool = True) -> Iterator[None]:
    """The runner collects and freezes before the timed part and leaves the cyclic GC on (or
    off, with --gc off); a fair bare loop runs under the same regime, so the ratio is the
    harness's own cost, like with like."""
    gc.collect()
    gc.freeze()
    if not enabled:
        gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def bare_wall(strategy: str, tasks: Sequence[TaskSpec], workers: int, gc_on: bool = True) -> float:
    with gc_as_the_harness_does(gc_on):
        return _bare_wall(strategy, tasks, workers)


def _bare_wall(strategy: str, tasks: Sequence[TaskSpec], workers: int) -> float:
    """Wall seconds of the simplest loop that does the same work (pools built beforehand)."""
    delays = [t.latency_ns / 1e9 for t in tasks]
    if strategy == "sequential":
        begin = time.perf_counter()
        for d in delays:
            time.sleep(d)
        return time.perf_counter() - begin
    if strategy in ("asyncio", "asyncio-workers"):
        return asyncio.run(_bare_async(delays, workers, strategy == "asyncio-workers"))
    pool_type = ThreadPoolExecutor if strategy == "threads" else ProcessPoolExecutor
    with pool_type(max_workers=workers) as pool:
        wait([pool.submit(_sleep, 0) for _ in range(workers * 2)])  # warm
        begin = time.perf_counter()
        chunks = 1 if strategy == "threads" else max(1, len(delays) // (workers * 4))
        list(pool.map(_sleep, delays, chunksize=chunks))
        return time.perf_counter() - begin


async def _bare_async(delays: list[float], workers: int, queue_pattern: bool) -> float:
    begin = time.perf_counter()
    if queue_pattern:
        it = iter(delays)

        async def worker() -> None:
            for d in it:
                await asyncio.sleep(d)

        await asyncio.gather(*(asyncio.create_task(worker()) for _ in range(workers)))
    else:
        limit = asyncio.Semaphore(workers)

        async def one(d: float) -> None:
            async with limit:
                await asyncio.sleep(d)

        await asyncio.gather(*(asyncio.create_task(one(d)) for d in delays))
    return time.perf_counter() - begin


def harness_wall(
    strategy: str, tasks: Sequence[TaskSpec], workers: int, chunksize: int = 1, gc_on: bool = True
) -> float:
    options = StrategyOptions(workers, SleepCollector(), chunksize=chunksize, gc=gc_on)
    record = run_strategy(strategies.get(strategy), tasks, options)
    assert record.status == "completed"
    return record.wall_ns / 1e9


@dataclass(frozen=True)
class Fidelity:
    strategy: str
    ideal_s: float
    harness_s: float
    bare_s: float

    @property
    def harness_eff(self) -> float:
        return self.ideal_s / self.harness_s

    @property
    def bare_eff(self) -> float:
        return self.ideal_s / self.bare_s

    @property
    def ratio(self) -> float:
        return self.harness_eff / self.bare_eff

    def info(self) -> dict[str, float | str]:
        return {
            "strategy": self.strategy,
            "ideal_s": self.ideal_s,
            "harness_s": self.harness_s,
            "bare_s": self.bare_s,
            "harness_efficiency": round(self.harness_eff, 4),
            "bare_efficiency": round(self.bare_eff, 4),
            "ratio": round(self.ratio, 4),
        }


def interleaved(a: Callable[[], float], b: Callable[[], float], rounds: int) -> tuple[float, float]:
    xs, ys = [], []
    for _ in range(rounds):
        gc.collect()
        xs.append(a())
        gc.collect()
        ys.append(b())
    return statistics.median(xs), statistics.median(ys)


def fidelity(
    strategy: str, count: int, latency_s: float, workers: int, rounds: int = 3
) -> Fidelity:
    tasks = plan(count, latency_s)
    width = 1 if strategy == "sequential" else workers
    chunk = max(1, count // (workers * 4)) if strategy == "processes" else 1
    h, b = interleaved(
        lambda: harness_wall(strategy, tasks, width, chunk),
        lambda: bare_wall(strategy, tasks, width),
        rounds,
    )
    return Fidelity(strategy, ideal_ns((t.latency_ns for t in tasks), width) / 1e9, h, b)


async def bare_collect(tasks: Sequence[TaskSpec], workers: int, collector: Collector) -> float:
    """What a user writes: one task per symbol running the collector, create_task + gather,
    behind a semaphore only when one can block (as the harness does)."""
    limit = asyncio.Semaphore(workers) if workers < len(tasks) else None

    async def limited(spec: TaskSpec) -> object:
        assert limit is not None
        async with limit:
            return await collector.acollect(spec)

    begin = time.perf_counter()
    if limit is None:
        await asyncio.gather(*(asyncio.create_task(collector.acollect(s)) for s in tasks))
    else:
        await asyncio.gather(*(asyncio.create_task(limited(s)) for s in tasks))
    return time.perf_counter() - begin


async def bare_nothing(count: int) -> float:
    """The floor: tasks that do nothing at all (no collector, no suspension)."""

    async def nothing() -> None:
        return None

    begin = time.perf_counter()
    await asyncio.gather(*(asyncio.create_task(nothing()) for _ in range(count)))
    return time.perf_counter() - begin


def ns_per_task(strategy: str, count: int, workers: int) -> float:
    """What one recorded zero-latency task costs through the harness, per strategy."""
    chunk = max(1, count // (workers * 16)) if strategy == "processes" else 1
    return harness_wall(strategy, plan(count, 0.0), workers, chunk) / count * 1e9
