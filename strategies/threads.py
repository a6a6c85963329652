"""A ThreadPoolExecutor of `workers` threads, running the collector's sync face."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from bench.model import Meta, RawRecord, TaskSpec, Usage
from bench.recording import now_ns, run_sync
from strategies.base import Strategy, StrategyOptions
from strategies.supervise import Running, Supervisor
from strategies.window import SubmissionWindow


def _close_on(barrier: threading.Barrier, close: Callable[[], None]) -> None:
    barrier.wait(30)
    close()


class ThreadsStrategy(Strategy):
    name = "threads"
    summary = "ThreadPoolExecutor(max_workers=workers), sync collector"

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[int, Running] = {}
        self._supervisor: Supervisor | None = None

    def start(self) -> None:
        workers = self.workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bench-worker")
        # The pool creates threads lazily; a barrier makes every thread exist before timing starts.
        barrier = threading.Barrier(workers)
        for future in [self._pool.submit(barrier.wait, 30) for _ in range(workers)]:
            future.result()

    def _work(self, spec: TaskSpec, queued: int) -> RawRecord:
        thread = threading.current_thread()
        self._running[spec.index] = Running(spec, now_ns(), 0, thread.ident or 0, thread.name)
        try:
            return run_sync(self.options.collector, spec, queued, self.options.log)
        finally:
            self._running.pop(spec.index, None)

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        assert self._pool is not None, "start() builds the pool"
        pool = self._pool
        window = SubmissionWindow(2 * self.workers, len(tasks), self.options.progress)
        queued = now_ns()
        supervisor = self._supervisor = Supervisor(self.options, sink, queued)

        def finished(future: Future[RawRecord]) -> None:
            if future.cancelled() or future.exception() is not None:
                window.release()
            elif supervisor.add(future.result()):
                window.release()  # a task that timed out got its slot back already

        def watch() -> None:
            for _ in supervisor.check(list(self._running.values())):
                supervisor.leaked += 1
                # The hung thread keeps its place in the pool; let the pool start a replacement
                # so the run goes on at full width (ThreadPoolExecutor grows up to _max_workers).
                pool._max_workers += 1
                window.release()

        for spec in tasks:
            while not window.acquire(supervisor.poll_s):
                watch()
            pool.submit(self._work, spec, queued).add_done_callback(finished)
        while not window.wait_all(supervisor.poll_s):
            watch()

    def abandon(self, sink: list[RawRecord], reason: str) -> None:
        if self._supervisor is not None:
            self._supervisor.abandon(list(self._running.values()), reason)

    def stop(self, abandon: bool = False) -> Usage:
        close = getattr(self.options.collector, "close", None)
        if self._pool is not None and close is not None and not abandon and not self._leaked():
            # Per-thread resources (keep-alive connections) are closed by the thread that owns
            # them; the barrier makes every worker take one close call.
            barrier = threading.Barrier(self.workers)
            for future in [
                self._pool.submit(_close_on, barrier, close) for _ in range(self.workers)
            ]:
                future.result()
        if self._pool is not None:
            # A hung thread cannot be killed: never wait for one (it is reported as leaked).
            leaked = self._supervisor is not None and self._supervisor.leaked > 0
            self._pool.shutdown(wait=not (abandon or leaked), cancel_futures=True)
        return Usage()

    def _leaked(self) -> bool:
        return self._supervisor is not None and self._supervisor.leaked > 0

    def details(self) -> Meta:
        leaked = self._supervisor.leaked if self._supervisor else 0
        return {"executor": "ThreadPoolExecutor", "submission_window": 2 * self.workers,
                "leaked_threads": leaked}  # fmt: skip
