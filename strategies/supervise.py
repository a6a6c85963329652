"""Parent-side supervision of pool strategies: task deadlines, the run deadline, abandoned work.

Workers say which task they are running (a dict for threads, shared memory for processes); the
feeding loop polls the supervisor while it waits. A task past --task-timeout gets a `timeout`
record and its slot back; a record arriving later for it is dropped, so each task ends exactly
once. Nothing polls when no deadline is set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from bench.execution import StrategyAborted, StrategyOptions
from bench.model import RawRecord, TaskSpec
from bench.recording import now_ns

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
        self._sink, self._queued = sink, queued_ns
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
        with self._lock:
            if record[0] in self._closed:
                return False
            self._closed.add(record[0])
            self._sink.append(record)
            return True

    def close(self, task: Running, status: str, error: str) -> bool:
        now = now_ns()
        return self.add((task.spec.index, status, self._queued, task.started_ns, now, task.pid,
                         task.thread_id, task.thread_name, None, error))  # fmt: skip

    def check(self, running: Iterable[Running]) -> list[Running]:
        """Time out overdue tasks (returned) and raise StrategyAborted past the run deadline."""
        now = now_ns()
        if self._run_deadline_ns is not None and now >= self._run_deadline_ns:
            raise StrategyAborted("--run-timeout reached before every task finished")
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
