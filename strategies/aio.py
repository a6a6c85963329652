"""asyncio: one task per symbol on one event loop, at most `workers` inside an asyncio.Semaphore."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bench.model import RawRecord, TaskSpec
from bench.recording import run_async
from strategies.base import Strategy


class AsyncioStrategy(Strategy):
    name = "asyncio"
    summary = "one task per symbol on one event loop, bounded by asyncio.Semaphore(workers)"

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        asyncio.run(self._main(tasks, sink))

    async def _main(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        collector, log, progress = self.options.collector, self.options.log, self.options.progress
        limit = asyncio.Semaphore(self.options.workers)

        async def one(spec: TaskSpec) -> None:
            await run_async(collector, spec, limit, sink, log)
            progress(len(sink))

        # gather, not a TaskGroup: one task's failure is data, it must not cancel the others.
        await asyncio.gather(*(asyncio.create_task(one(spec)) for spec in tasks))

    def details(self) -> dict[str, str]:
        return {"executor": "asyncio.gather + Semaphore", "loop": "asyncio"}
