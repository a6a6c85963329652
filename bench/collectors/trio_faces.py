"""The built-in collectors' async faces under trio (Collector.on_trio): asyncio.sleep and
asyncio.to_thread need asyncio's event loop, so these sleep with trio.sleep and hand the blocking
call to trio.to_thread. The plan, the faults and the CPU part are the wrapped collector's own,
so a trio run faces exactly the work an asyncio run does. Imported only by the trio strategy.
"""

from __future__ import annotations

from dataclasses import dataclass

import trio

from bench.collectors import faults
from bench.collectors.base import Collector, SleepCollector
from bench.model import TaskSpec


@dataclass(frozen=True, slots=True)
class TrioSleepCollector(Collector):
    """SleepCollector's async face, sleeping with trio.sleep."""

    inner: SleepCollector

    def collect(self, spec: TaskSpec) -> object:
        return self.inner.collect(spec)

    async def acollect(self, spec: TaskSpec) -> object:
        if spec.fault:
            await faults.aact(spec, trio.sleep)
        if spec.latency_ns:
            await trio.sleep(spec.latency_ns / 1e9)
        return self.inner.compute(spec)


@dataclass(frozen=True, slots=True)
class TrioToThreadCollector(Collector):
    """ToThreadCollector's fix under trio: the blocking call in trio's worker threads."""

    inner: SleepCollector

    def collect(self, spec: TaskSpec) -> object:
        return self.inner.collect(spec)

    async def acollect(self, spec: TaskSpec) -> object:
        return await trio.to_thread.run_sync(self.inner.collect, spec)
