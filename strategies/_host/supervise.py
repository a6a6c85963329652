"""Parent-side supervision of pool strategies: task deadlines, the run deadline, abandoned work.

Workers say which task they are running (a dict for threads, shared memory for processes); the
feeding loop polls the supervisor while it waits. A task past --task-timeout gets a `timeout`
record and its slot back; a record arriving later for it is dropped, so each task ends exactly
once. Nothing polls when no deadline is set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bench.harness.execution import RUN_TIMEOUT_REACHED, StrategyAborted, StrategyOptions
from bench.harness.recording import now_ns, run_sync
from bench.model import Meta, RawRecord, TaskSpec, TaskStatus
from bench.notes import RunNotes
from strategies._host.threadgroup import WorkerThreads

POLL_S = 0.02


@dataclass(frozen=True, slots=True)
class Running:
    """A task a worker has started and not finished."""

    spec: TaskSpec
    started_ns: int
    pid: int
    thread_id: int
    thread_name: str


class Supervisor:
    def __init__(self, options: StrategyOptions, sink: list[RawRecord], queued_ns: int) -> None:
        self.sink, self._queued = sink, queued_ns
        self.queued_ns = queued_ns
        self._lock = threading.Lock()
        self._closed: set[int] = set()
        timeout = options.task_timeout_s
        self._task_timeout_ns = None if timeout is None else round(timeout * 1e9)
        run = options.run_timeout_s
        self._run_deadline_ns = None if run is None else now_ns() + round(run * 1e9)
        self.poll_s: float | None = POLL_S if options.supervised else None
        self.leaked = 0

    def add(self, record: RawRecord) -> bool:
        """Keep the first record of each task; False (and dropped) for a task already closed."""
        record = self._judged(record)
        with self._lock:
            if record.task_index in self._closed:
                return False
            self._closed.add(record.task_index)
            self.sink.append(record)
            return True

    def _judged(self, record: RawRecord) -> RawRecord:
        """A task that ended past its deadline is a `timeout`, whoever noticed: the pools look
        every POLL_S, and a task ending between two looks (any task, with a deadline shorter
        than that) read `ok` where asyncio, trio and gevent, which cancel at the deadline, said
        `timeout`. Cancelled records (an interrupt, an abort) keep what they say."""
        limit = self._task_timeout_ns
        if limit is None or record.status not in ("ok", "error"):
            return record
        if record.finished_ns - record.started_ns <= limit:
            return record
        return record._replace(status="timeout", error=f"exceeded --task-timeout {limit / 1e9:g}s")

    def closed(self, index: int) -> bool:
        """Whether the task has its record already (finished, timed out or cancelled)."""
        with self._lock:
            return index in self._closed

    def close(self, task: Running, status: TaskStatus, error: str) -> bool:
        now = now_ns()
        return self.add(
            RawRecord(
                task_index=task.spec.index,
                status=status,
                queued_ns=self._queued,
                started_ns=task.started_ns,
                finished_ns=now,
                pid=task.pid,
                thread_id=task.thread_id,
                thread_name=task.thread_name,
                task_name=None,
                error=error,
            )
        )

    def check(self, running: Iterable[Running]) -> list[Running]:
        """Time out overdue tasks (returned) and raise StrategyAborted past the run deadline."""
        now = now_ns()
        if self._run_deadline_ns is not None and now >= self._run_deadline_ns:
            raise StrategyAborted(RUN_TIMEOUT_REACHED)
        if self._task_timeout_ns is None:
            return []
        limit = self._task_timeout_ns
        overdue = [task for task in running if now - task.started_ns > limit]
        error = f"exceeded --task-timeout {limit / 1e9:g}s"
        return [task for task in overdue if self.close(task, "timeout", error)]

    def abandon(self, running: Iterable[Running], reason: str) -> None:
        """Record every task still running as cancelled (an interrupt or an abort)."""
        for task in running:
            self.close(task, "cancelled", reason)


class SupervisedThreads:
    """Threads under deadlines (threads, and sequential as one thread): the plan on a
    WorkerThreads group, watched by a Supervisor that retires the thread of every task past
    --task-timeout, so a replacement takes its place at once and the run always ends."""

    def __init__(self, options: StrategyOptions, width: int) -> None:
        self._options = options
        # Per-thread resources, closed by the thread that owns them.
        self.group: WorkerThreads[TaskSpec] = WorkerThreads(
            width, self._work, on_start=options.collector.open, on_exit=options.collector.close
        )
        self._running: dict[int, Running] = {}
        self._supervisor: Supervisor | None = None
        self._queued = 0
        self._done = threading.Event()
        self._total = 0

    def start(self) -> None:
        self.group.start()

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        self._queued, self._total = now_ns(), len(tasks)
        supervisor = self._supervisor = Supervisor(self._options, sink, self._queued)
        if not tasks:
            return
        for spec in tasks:
            self.group.put(spec)
        while not self._done.wait(supervisor.poll_s):
            for task in supervisor.check(list(self._running.values())):
                self.group.retire(task.thread_id, task.spec)
                self._finished(sink)

    def _work(self, spec: TaskSpec) -> None:
        thread = threading.current_thread()
        self._running[spec.index] = Running(spec, now_ns(), 0, thread.ident or 0, thread.name)
        try:
            record = run_sync(self._options.collector, spec, self._queued, self._options.log)
        finally:
            self._running.pop(spec.index, None)
        assert self._supervisor is not None, "execute() set it before any task was queued"
        if self._supervisor.add(record):
            self._finished(self._supervisor.sink)

    def _finished(self, sink: list[RawRecord]) -> None:
        self._options.progress(len(sink))
        if len(sink) >= self._total:
            self._done.set()

    def abandon(self, reason: str) -> None:
        if self._supervisor is not None:
            self._supervisor.abandon(list(self._running.values()), reason)

    def stop(self, abandon: bool) -> None:
        # Never wait for a hung thread; after a completed run every active thread is idle.
        self.group.stop(wait=not abandon)

    def details(self) -> Meta:
        return RunNotes.note(
            abandoned_threads=self.group.retired, leaked_threads=self.group.leaked()
        )
