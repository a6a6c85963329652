"""The collector: "collect data for a symbol", with a sync and an async face over the same plan.

Like httpx's transports, both faces take the same input and return the same record, so a strategy
picks the face that suits its executor and the work stays identical.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bench import faults
from bench.model import TaskSpec


@dataclass(frozen=True, slots=True)
class Quote:
    """The small, deterministic record a collection returns."""

    symbol: str
    price: float
    volume: int


def quote_for(symbol: str, seed: int) -> Quote:
    # crc32 rather than hash(): str hashes are salted per process, and workers must agree.
    digest = zlib.crc32(f"{seed}:{symbol}".encode())
    return Quote(symbol, round(10 + (digest % 990_000) / 1000, 2), 1_000 + digest % 1_000_000)


@runtime_checkable
class Collector(Protocol):
    """Both faces of one collector. Implementations must be picklable for the process pool."""

    def collect(self, spec: TaskSpec) -> object: ...

    async def acollect(self, spec: TaskSpec) -> object: ...


@dataclass(frozen=True, slots=True)
class SleepCollector:
    """Simulated I/O: the planned latency is spent sleeping (time.sleep / asyncio.sleep)."""

    seed: int = 42

    def collect(self, spec: TaskSpec) -> Quote:
        if spec.fault:
            faults.act(spec)
        time.sleep(spec.latency_ns / 1e9)
        return quote_for(spec.symbol, self.seed)

    async def acollect(self, spec: TaskSpec) -> Quote:
        if spec.fault:
            await faults.aact(spec)
        await asyncio.sleep(spec.latency_ns / 1e9)
        return quote_for(spec.symbol, self.seed)


@dataclass(frozen=True, slots=True)
class BlockingSleepCollector(SleepCollector):
    """The classic mistake: a blocking call (time.sleep) inside the async face. Every coroutine
    then runs one after another on the loop's single thread."""

    async def acollect(self, spec: TaskSpec) -> Quote:
        return self.collect(spec)
