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
from strategies._host.ipc import ipc_notes
from strategies._host.procpool import WorkerPool
from strategies._host.supervise import Supervisor
from strategies._host.window import SubmissionWindow
from strategies._worker import procworker
from strategies.base import Abilities, Strategy, StrategyAborted, StrategyOptions

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
        return _Feed(self, tasks, supervisor).run()

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

    def abandon(self, reason: str) -> None:
        if self._supervisor is not None:
            self._take(self._pool.streamed(), self._supervisor)
            self._supervisor.abandon(self._pool.running(self._specs), reason)

    def stop(self, abandon: bool = False) -> Usage:
        return self._pool.stop(hard=bool(abandon or self._broken or self._stuck))

    def details(self) -> Meta:
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
            **ipc_notes(self._ipc, chunks, pickle_back=self._ipc["in_ns"]),
            **self._pool.memory,
        }


class _Feed:
    """One pass of the plan through the current pool: chunks out, at most two per worker in
    flight, records back; a task past its deadline gives its chunk's slot back, and the part of
    its chunk that never started goes out again in a chunk of its own."""

    def __init__(
        self, owner: ProcessesStrategy, tasks: Sequence[TaskSpec], supervisor: Supervisor
    ) -> None:
        self.owner, self.supervisor = owner, supervisor
        self.generation = owner._generation
        size = owner._chunksize
        self.chunks = [tuple(tasks[i : i + size]) for i in range(0, len(tasks), size)]
        # The window counts submissions (chunks); progress is reported in tasks, by _take.
        self.window = SubmissionWindow(2 * owner.workers, len(self.chunks), no_progress)
        self.chunk_of = {spec.index: n for n, chunk in enumerate(self.chunks) for spec in chunk}
        self.given_back: set[int] = set()  # chunks whose slot a timeout already returned

    def run(self) -> bool:
        owner, window = self.owner, self.window
        poll = self.supervisor.poll_s or 0.1  # a broken pool must be noticed even without deadlines
        for n in range(len(self.chunks)):
            while not window.acquire(poll):
                if not self.watch():
                    return False
            if owner._broken:
                break
            try:
                self.submit(n, self.chunks[n])
            except BrokenProcessPool as exc:
                owner._broken = str(exc)
                break
        while not window.wait_all(poll):
            if not self.watch():
                return False
        return self.watch()

    def submit(self, n: int, chunk: Sequence[TaskSpec]) -> None:
        future = self.owner._submit(n, chunk, self.supervisor.queued_ns)
        future.add_done_callback(functools.partial(self.finished, n))

    def finished(self, n: int, future: Future[Any]) -> None:
        owner = self.owner
        if self.generation != owner._generation:
            return  # a replaced pool's futures, cancelled or broken when it was stopped
        error = None if future.cancelled() else future.exception()
        if isinstance(error, BrokenProcessPool):
            owner._broken = owner._broken or str(error)
        elif error is None and not future.cancelled():
            owner._take(future.result(), self.supervisor)
        if n not in self.given_back:
            self.window.release()

    def watch(self) -> bool:
        """Take streamed records, give up on overdue tasks; False once every worker is stuck."""
        owner = self.owner
        owner._take(owner._pool.streamed(), self.supervisor)
        for task in self.supervisor.check(owner._pool.running(owner._specs)):
            owner._stuck.add(task.pid)
            self.give_up(task.spec)
        if owner._broken:
            owner._abort_broken(self.supervisor)
        return len(owner._stuck) < owner.workers

    def give_up(self, spec: TaskSpec) -> None:
        n = self.chunk_of[spec.index]
        self.given_back.add(n)
        self.window.release()
        rest = tuple(s for s in self.chunks[n] if s.index > spec.index)
        if rest:  # never started: they go out again, in a chunk of their own
            self.chunks.append(rest)
            self.chunk_of.update((s.index, len(self.chunks) - 1) for s in rest)
            self.window.extend(1)
            self.owner._resubmitted += len(rest)
            self.submit(len(self.chunks) - 1, rest)
