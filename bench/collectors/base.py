"""The collector: "collect data for a symbol", with a sync and an async face over the same plan.

Like httpx's transports, both faces take the same input and return the same record, so a strategy
picks the face that suits its executor and the work stays identical.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from bench.collectors import cpu as factors
from bench.collectors import faults
from bench.model import TaskSpec


class Quote(NamedTuple):
    """The small, deterministic record a collection returns: price and volume derive from the
    digest when read, so making one costs a tuple, not a frozen dataclass's setattr per field
    and a round(): 1.5 us less per task (timeit, 2-core VM), of the 17-19 us a zero-latency
    asyncio task costs in all (docs/measurements/performance.md)."""

    symbol: str
    digest: int

    @property
    def price(self) -> float:
        return round(10 + (self.digest % 990_000) / 1000, 2)

    @property
    def volume(self) -> int:
        return 1_000 + self.digest % 1_000_000


_new_tuple = tuple.__new__


def quote_for(symbol: str, seed: int) -> Quote:
    # crc32 rather than hash(): str hashes are salted per process, and workers must agree.
    return _new_tuple(Quote, (symbol, zlib.crc32(symbol.encode(), seed & 0xFFFFFFFF)))


@runtime_checkable
class Collector(Protocol):
    """Both faces of one collector, and its lifecycle hooks. Implementations must be picklable
    for the process pool. Subclass it: the hooks then default to doing nothing.

    Strategies call the hooks outside the timed region: `astart` on their event loop before the
    clock starts, `astop` on the same loop after it stops, and `open` and `close` once in every
    thread or process that uses the sync face, by that thread or process.
    """

    __slots__ = ()

    def collect(self, spec: TaskSpec) -> object: ...

    async def acollect(self, spec: TaskSpec) -> object: ...

    async def astart(self, workers: int) -> None:
        """Open per-run async resources (an HTTP session for `workers` connections)."""
        del workers  # nothing to open

    async def astop(self) -> None:
        """Close what `astart` opened."""
        return None

    def open(self) -> None:
        """Make the calling thread's sync resources ready (connect, and pay first-use costs)
        before the clock starts; strategies call it once in every worker thread or process that
        will use the sync face, and `close` in the same one at the end."""
        return None

    def close(self) -> None:
        """Release the calling thread's sync resources (a keep-alive connection)."""
        return None

    def on_trio(self) -> Collector:
        """This collector with an async face (and astart/astop) that runs under trio, where
        asyncio's sleep and aiohttp cannot. By default the collector itself: its async face must
        then be trio-compatible already (trio's own calls, or anyio's)."""
        return self


@runtime_checkable
class PhasedCollector(Collector, Protocol):
    """A collector whose I/O and CPU parts can run apart (the hybrid strategy awaits the first
    on the event loop and sends the second to a process pool)."""

    async def fetch(self, spec: TaskSpec) -> None: ...

    def compute(self, spec: TaskSpec) -> object: ...


@dataclass(frozen=True, slots=True)
class SleepCollector(Collector):
    """Simulated I/O (the planned latency spent sleeping: time.sleep / asyncio.sleep), then the
    task's CPU part, if the plan gives it one: factors over its price series."""

    seed: int = 42
    cpu_impl: str = "python"

    def collect(self, spec: TaskSpec) -> object:
        if spec.fault:
            faults.act(spec)
        if spec.latency_ns:
            time.sleep(spec.latency_ns / 1e9)
        return self.compute(spec)

    async def acollect(self, spec: TaskSpec) -> object:
        # fetch() inlined: one coroutine less per task on the hot path.
        if spec.fault:
            await faults.aact(spec)
        if spec.latency_ns:
            await asyncio.sleep(spec.latency_ns / 1e9)
        # Inline, as a naive asyncio pipeline does: CPU work holds the loop's only thread.
        return self.compute(spec)

    async def fetch(self, spec: TaskSpec) -> None:
        if spec.fault:
            await faults.aact(spec)
        if spec.latency_ns:
            await asyncio.sleep(spec.latency_ns / 1e9)

    def on_trio(self) -> Collector:
        from bench.collectors.trio_faces import TrioSleepCollector

        return TrioSleepCollector(self)

    def compute(self, spec: TaskSpec) -> object:
        if spec.cpu_work:
            return factors.compute(spec.symbol, self.seed, spec.cpu_work, self.cpu_impl)
        return quote_for(spec.symbol, self.seed)


@dataclass(frozen=True, slots=True)
class BlockingSleepCollector(SleepCollector):
    """The classic mistake: a blocking call (time.sleep) inside the async face. Every coroutine
    then runs one after another on the loop's single thread."""

    async def acollect(self, spec: TaskSpec) -> object:
        return self.collect(spec)

    def on_trio(self) -> Collector:
        return self  # the same mistake under trio: its async face touches no event loop


@dataclass(frozen=True, slots=True)
class ToThreadCollector(SleepCollector):
    """The fix for that mistake: the blocking call handed to a thread with asyncio.to_thread, so
    the loop stays free to run the other coroutines."""

    async def acollect(self, spec: TaskSpec) -> object:
        return await asyncio.to_thread(self.collect, spec)

    def on_trio(self) -> Collector:
        from bench.collectors.trio_faces import TrioToThreadCollector

        return TrioToThreadCollector(self)
