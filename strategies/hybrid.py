"""asyncio+processes: the I/O part awaited on the event loop, the CPU part sent to a process pool
with run_in_executor: what most real ingestion pipelines need. Each record carries both phases."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence

from bench.collector import PhasedCollector
from bench.model import Meta, Phase, RawRecord, TaskSpec
from bench.recording import describe_error, now_ns
from strategies import procworker
from strategies.base import StrategyAborted
from strategies.processes import ProcessesStrategy


class HybridStrategy(ProcessesStrategy):
    name = "asyncio+processes"
    summary = "I/O on one event loop, CPU parts in a ProcessPoolExecutor via run_in_executor"

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        if not isinstance(self.options.collector, PhasedCollector):
            raise StrategyAborted("the collector has no separate I/O and CPU parts")
        try:
            asyncio.run(self._main(tasks, sink))
        except TimeoutError:
            raise StrategyAborted("--run-timeout reached before every task finished") from None

    async def _main(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        limit = asyncio.Semaphore(self.workers)
        async with asyncio.timeout(self.options.run_timeout_s):
            await asyncio.gather(*(asyncio.create_task(self._one(s, limit, sink)) for s in tasks))

    async def _one(self, spec: TaskSpec, limit: asyncio.Semaphore, sink: list[RawRecord]) -> None:
        collector = self.options.collector
        assert isinstance(collector, PhasedCollector)
        queued = now_ns()
        task = asyncio.current_task()
        name = None if task is None else task.get_name()
        phases: list[Phase] = []
        pid, tid = os.getpid(), threading.get_ident()
        async with limit:
            started = now_ns()
            status, error = "ok", None
            try:
                async with asyncio.timeout(self.options.task_timeout_s):
                    await collector.fetch(spec)
                    phases.append(("io", started, now_ns(), pid, tid))
                    if spec.cpu_work:
                        assert self._pool is not None
                        loop = asyncio.get_running_loop()
                        a, b, wpid, wtid = await loop.run_in_executor(
                            self._pool, procworker.compute_phase, spec
                        )
                        phases.append(("cpu", a, b, wpid, wtid))
            except TimeoutError as exc:
                status, error = (
                    "timeout",
                    describe_error(exc) if str(exc) else "exceeded --task-timeout",
                )
            except asyncio.CancelledError:
                status, error = "cancelled", "cancelled while running"
                raise
            except Exception as exc:  # a task's failure is data
                status, error = "error", describe_error(exc)
            except BaseException as exc:  # an interrupt inside the task (Ctrl-C)
                status, error = "cancelled", describe_error(exc)
                raise
            finally:
                thread = threading.current_thread().name
                sink.append((spec.index, status, queued, started, now_ns(), pid, tid, thread,
                             name, error, tuple(phases)))  # fmt: skip
                self.options.progress(len(sink))

    def abandon(self, sink: list[RawRecord], reason: str) -> None:
        """The event loop already recorded its cancelled tasks."""

    def details(self) -> Meta:
        base = dict(super().details())
        for key in ("ipc_round_trips", "ipc_sampled_tasks", "ipc_bytes_out_per_task",
                    "ipc_bytes_in_per_task", "ipc_pickle_us_per_task", "chunksize"):  # fmt: skip
            base.pop(key, None)
        return {**base, "executor": "asyncio + ProcessPoolExecutor.run_in_executor"}
