"""asyncio+processes: the I/O part awaited on the event loop, the CPU part sent to a process pool
with run_in_executor: what most real ingestion pipelines need. Each record carries both phases.

If a worker process dies, the pool is broken for every task: the task whose CPU part it was
running ends as `error` naming how it died, the others in flight are cancelled, the rest never
run, and the run is aborted.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool

from bench.collectors.base import PhasedCollector
from bench.harness import interrupts
from bench.harness.execution import RUN_TIMEOUT_REACHED
from bench.harness.recording import now_ns, task_failure
from bench.model import Meta, Phase, RawRecord, TaskSpec, TaskStatus, Usage
from strategies._host.procpool import Death, WorkerPool
from strategies._worker import procworker
from strategies.base import Abilities, Strategy, StrategyAborted, StrategyOptions, cancel_main


class _PoolBroke(Exception):
    """The CPU part could not run: a worker process died and the pool is unusable. Carries the
    task's record: `error` if its own worker died, `cancelled` if another one did."""

    def __init__(self, status: TaskStatus, error: str) -> None:
        super().__init__(f"{status}: {error}")
        self.status, self.error = status, error


class HybridStrategy(Strategy):
    name = "asyncio+processes"
    summary = "I/O on one event loop, CPU parts in a ProcessPoolExecutor via run_in_executor"
    abilities = Abilities(
        deadlines=frozenset({"task", "run"}),
        processes_per_worker=1,
        faces=frozenset({"phased"}),
        leaves_process=True,
    )

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._pool = WorkerPool(options, self.workers, stream_records=False)
        self._death: Death | None = None
        self._dead_tasks: set[int] = set()
        self._specs: dict[int, TaskSpec] = {}
        self._main_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._pool.start()

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        if not isinstance(self.options.collector, PhasedCollector):
            raise StrategyAborted("the collector has no separate I/O and CPU parts")
        self._specs = {spec.index: spec for spec in tasks}
        try:
            with interrupts.cancelling(lambda: cancel_main(self._main_task)):
                asyncio.run(self._main(tasks, sink))
        except TimeoutError:
            raise StrategyAborted(RUN_TIMEOUT_REACHED) from None
        except (_PoolBroke, asyncio.CancelledError):
            if self._death is None:
                raise
            raise StrategyAborted(f"{self._death.what}; the process pool is broken") from None

    async def _main(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        limit = asyncio.Semaphore(self.workers)
        self._main_task = asyncio.current_task()
        async with asyncio.timeout(self.options.run_timeout_s):
            released = now_ns()  # every task is queued from the plan's release, as in a pool
            await asyncio.gather(
                *(asyncio.create_task(self._one(s, limit, sink, released)) for s in tasks)
            )

    async def _one(
        self, spec: TaskSpec, limit: asyncio.Semaphore, sink: list[RawRecord], queued: int
    ) -> None:
        collector = self.options.collector
        assert isinstance(collector, PhasedCollector)
        task = asyncio.current_task()
        name = None if task is None else task.get_name()
        phases: list[Phase] = []
        pid, tid = os.getpid(), threading.get_ident()
        async with limit:
            started = now_ns()
            status: TaskStatus = "ok"
            error: str | None = None
            try:
                async with asyncio.timeout(self.options.task_timeout_s):
                    await collector.fetch(spec)
                    phases.append(Phase("io", started, now_ns(), pid, tid))
                    if spec.cpu_work:
                        phases.append(await self._compute(spec))
            except BaseException as exc:
                status, error, again = self._failed(spec, exc)
                if again:
                    raise
            finally:
                sink.append(
                    RawRecord(
                        task_index=spec.index,
                        status=status,
                        queued_ns=queued,
                        started_ns=started,
                        finished_ns=now_ns(),
                        pid=pid,
                        thread_id=tid,
                        thread_name=threading.current_thread().name,
                        task_name=name,
                        error=error,
                        phases=tuple(phases),
                    )
                )
                self.options.progress(len(sink))

    def _failed(self, spec: TaskSpec, exc: BaseException) -> tuple[TaskStatus, str, bool]:
        """(status, error, whether to raise it on): a task's own failure is data; a
        cancellation, a broken pool or an interrupt goes on up."""
        if isinstance(exc, asyncio.CancelledError):
            return (*self._cancelled(spec), True)
        if isinstance(exc, _PoolBroke):
            return exc.status, exc.error, True
        status, error, _ = task_failure(exc)
        return status, error, not isinstance(exc, Exception)

    async def _compute(self, spec: TaskSpec) -> Phase:
        loop = asyncio.get_running_loop()
        try:
            a, b, wpid, wtid = await loop.run_in_executor(
                self._pool.executor, procworker.compute_phase, spec
            )
        except BrokenProcessPool:
            raise self._broke(spec) from None
        return Phase("cpu", a, b, wpid, wtid)

    def _broke(self, spec: TaskSpec) -> _PoolBroke:
        """The first task to see the broken pool names the dead worker and stops every task."""
        if self._death is None:
            self._death = self._pool.death()
            self._dead_tasks = {
                t.spec.index for t in self._pool.running(self._specs) if t.pid in self._death.pids
            }
            spared = {asyncio.current_task(), self._main_task}
            for task in asyncio.all_tasks():
                if task not in spared:
                    task.cancel()
        if spec.index in self._dead_tasks:
            return _PoolBroke("error", f"the worker process running this task {self._death.how}")
        return _PoolBroke("cancelled", f"the pool broke: {self._death.what}")

    def _cancelled(self, spec: TaskSpec) -> tuple[TaskStatus, str]:
        if self._death is not None and spec.index in self._dead_tasks:
            return "error", f"the worker process running this task {self._death.how}"
        return "cancelled", "cancelled while running"

    def stop(self, abandon: bool = False) -> Usage:
        return self._pool.stop(hard=abandon or self._death is not None)

    def details(self) -> Meta:
        return {
            "executor": "asyncio + ProcessPoolExecutor.run_in_executor",
            "start_method": self.options.start_method,
            "worker_pids": sorted(self._pool.procs),
            **self._pool.memory,
        }
