"""A ProcessPoolExecutor of `workers` processes, with an explicit start method.

Tasks go out in chunks of `--chunksize`. Under a deadline, workers stream each record back as
its task ends, and a chunk whose task hung is split: what ran is kept, what had not started is
submitted again, so a hung task takes only itself down.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bench.harness.execution import no_progress
from bench.harness.recording import now_ns
from bench.model import Meta, RawRecord, TaskSpec, Usage
from strategies import procworker
from strategies.base import Abilities, Strategy, StrategyAborted, StrategyOptions
from strategies.procpool import WorkerPool
from strategies.supervise import Supervisor
from strategies.window import SubmissionWindow

IPC_SAMPLE = 256  # chunks whose pickled size is measured: enough for a mean, cheap at any size


class ProcessesStrategy(Strategy):
    name = "processes"
    summary = "ProcessPoolExecutor(max_workers=workers) with an explicit start method"
    abilities = Abilities(
        deadlines=frozenset({"task", "run"}), processes_per_worker=1, leaves_process=True
    )

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._chunksize = options.chunksize
        self._pool = WorkerPool(options, self.workers, stream_records=options.supervised)
        self._specs: dict[int, TaskSpec] = {}
        self._broken: str | None = None
        self._supervisor: Supervisor | None = None
        self._stuck: set[int] = set()
        self._resubmitted = 0
        self._generation = 0  # which pool: the first, or a replacement after every worker hung
        self._restarts: list[int] = []  # ns each replacement took (inside the wall)
        self._retired_pids: list[int] = []
        self._ipc = {
            "chunks": 0,
            "tasks": 0,
            "out_bytes": 0,
            "out_ns": 0,
            "in_bytes": 0,
            "in_ns": 0,
        }

    def start(self) -> None:
        self._pool.start()

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        self._specs = {spec.index: spec for spec in tasks}
        supervisor = self._supervisor = Supervisor(self.options, sink, now_ns())
        pending = list(tasks)
        while pending and not self._feed(pending, supervisor):
            # Every worker is stuck in a hung call. A process, unlike a thread, can be killed:
            # replace the pool and go on with what never finished (its start-up is in the wall).
            self._take(self._pool.streamed(), supervisor)
            pending = [spec for spec in tasks if not supervisor.closed(spec.index)]
            if pending:
                self._restart_pool()

    def _restart_pool(self) -> None:
        began = now_ns()
        self._generation += 1  # first: the old pool's futures now fail, and must be ignored
        self._pool.stop(hard=True)
        self._retired_pids.extend(self._pool.procs)
        self._pool = WorkerPool(self.options, self.workers, stream_records=True)
        self._pool.start()
        self._stuck, self._broken = set(), None
        self._restarts.append(now_ns() - began)

    def _feed(self, tasks: Sequence[TaskSpec], supervisor: Supervisor) -> bool:
        """Submit `tasks` in chunks to the current pool and wait for them; False if every
        worker got stuck past --task-timeout first (the caller restarts the pool)."""
        size, generation, queued = self._chunksize, self._generation, supervisor.queued_ns
        chunks = [tuple(tasks[i : i + size]) for i in range(0, len(tasks), size)]
        # The window counts submissions (chunks); progress is reported in tasks, below.
        window = SubmissionWindow(2 * self.workers, len(chunks), no_progress)
        chunk_of = {spec.index: n for n, chunk in enumerate(chunks) for spec in chunk}
        given_back: set[int] = set()  # chunks whose slot a timeout already returned

        def finished(n: int, future: Future[Any]) -> None:
            if generation != self._generation:
                return  # a replaced pool's futures, cancelled or broken when it was stopped
            error = None if future.cancelled() else future.exception()
            if isinstance(error, BrokenProcessPool):
                self._broken = self._broken or str(error)
            elif error is None and not future.cancelled():
                self._take(future.result(), supervisor)
            if n not in given_back:
                window.release()

        def submit(n: int, chunk: Sequence[TaskSpec]) -> None:
            future = self._submit(n, chunk, queued)
            future.add_done_callback(functools.partial(finished, n))

        def watch() -> bool:
            self._take(self._pool.streamed(), supervisor)
            for task in supervisor.check(self._pool.running(self._specs)):
                self._stuck.add(task.pid)
                n = chunk_of[task.spec.index]
                given_back.add(n)
                window.release()
                rest = [s for s in chunks[n] if s.index > task.spec.index]
                if rest:  # never started: they go out again, in a chunk of their own
                    chunks.append(tuple(rest))
                    chunk_of.update((s.index, len(chunks) - 1) for s in rest)
                    window.extend(1)
                    self._resubmitted += len(rest)
                    submit(len(chunks) - 1, rest)
            if self._broken:
                self._abort_broken(supervisor)
            return len(self._stuck) < self.workers

        poll = supervisor.poll_s or 0.1  # a broken pool must be noticed even without deadlines
        for n in range(len(chunks)):
            while not window.acquire(poll):
                if not watch():
                    return False
            if self._broken:
                break
            try:
                submit(n, chunks[n])
            except BrokenProcessPool as exc:
                self._broken = str(exc)
                break
        while not window.wait_all(poll):
            if not watch():
                return False
        return watch()

    def _take(self, records: Any, supervisor: Supervisor) -> None:
        if isinstance(records, tuple):  # a measured chunk: (records, bytes, ns back)
            records, size, pickle_ns = records
            self._ipc["in_bytes"] += size
            self._ipc["in_ns"] += pickle_ns
        for record in records:
            supervisor.add(record)
        if records:
            self.options.progress(len(supervisor.sink))

    def _submit(self, n: int, chunk: Sequence[TaskSpec], queued: int) -> Future[Any]:
        executor = self._pool.executor
        if n >= IPC_SAMPLE:
            return executor.submit(procworker.run_chunk, chunk, queued)
        # Pickle once more, here, to learn the size and cost of what the pool sends.
        begin = now_ns()
        size = len(pickle.dumps((procworker.run_chunk_measured, (chunk, queued))))
        self._ipc["out_ns"] += now_ns() - begin
        self._ipc["out_bytes"] += size
        self._ipc["chunks"] += 1
        self._ipc["tasks"] += len(chunk)
        return executor.submit(procworker.run_chunk_measured, chunk, queued)

    def _abort_broken(self, supervisor: Supervisor) -> None:
        """A worker died: name it, mark its task, cancel the other running ones, abort."""
        death = self._pool.death()
        for task in self._pool.running(self._specs):
            if task.pid in death.pids:
                supervisor.close(task, "error", f"the worker process running this task {death.how}")
            else:
                supervisor.close(task, "cancelled", f"the pool broke: {death.what}")
        raise StrategyAborted(f"{death.what}; the process pool is broken")

    def abandon(self, sink: list[RawRecord], reason: str) -> None:
        if self._supervisor is not None:
            self._take(self._pool.streamed(), self._supervisor)
            self._supervisor.abandon(self._pool.running(self._specs), reason)

    def stop(self, abandon: bool = False) -> Usage:
        return self._pool.stop(hard=bool(abandon or self._broken or self._stuck))

    def details(self) -> Meta:
        ipc, sampled = self._ipc, max(self._ipc["tasks"], 1)
        chunks = -(-len(self._specs) // self._chunksize) if self._specs else 0
        return {
            "executor": "ProcessPoolExecutor",
            "start_method": self.options.start_method,
            "chunksize": self._chunksize,
            "worker_pids": sorted([*self._retired_pids, *self._pool.procs]),
            "stuck_workers": len(self._stuck),
            "pool_restarts": len(self._restarts),
            "pool_restart_seconds": round(sum(self._restarts) / 1e9, 4),
            "resubmitted_tasks": self._resubmitted,
            "records_streamed": self.options.supervised,
            "ipc_round_trips": chunks,
            "ipc_sampled_tasks": ipc["tasks"],
            "ipc_bytes_out_per_task": round(ipc["out_bytes"] / sampled, 1),
            "ipc_bytes_in_per_task": round(ipc["in_bytes"] / sampled, 1),
            "ipc_pickle_us_per_task": round(ipc["out_ns"] / sampled / 1e3, 2),
            "ipc_pickle_back_us_per_task": round(ipc["in_ns"] / sampled / 1e3, 2),
            **self._pool.memory,
        }
