"""A ThreadPoolExecutor of `workers` threads, running the collector's sync face."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from bench.model import RawRecord, TaskSpec, Usage
from bench.recording import now_ns, run_sync
from strategies.base import Strategy
from strategies.window import SubmissionWindow


class ThreadsStrategy(Strategy):
    name = "threads"
    summary = "ThreadPoolExecutor(max_workers=workers), sync collector"

    _pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        workers = self.options.workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bench-worker")
        # The pool creates threads lazily; a barrier makes every thread exist before timing starts.
        barrier = threading.Barrier(workers)
        warm = [self._pool.submit(barrier.wait, 30) for _ in range(workers)]
        for future in warm:
            future.result()

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        assert self._pool is not None, "start() builds the pool"
        pool, collector, log = self._pool, self.options.collector, self.options.log
        window = SubmissionWindow(2 * self.options.workers, len(tasks), self.options.progress)

        def finished(future: Future[RawRecord]) -> None:
            if not future.cancelled() and future.exception() is None:
                sink.append(future.result())
            window.release()

        queued = now_ns()
        for spec in tasks:
            window.acquire()
            pool.submit(run_sync, collector, spec, queued, log).add_done_callback(finished)
        window.wait_all()

    def stop(self) -> Usage:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return Usage()

    def details(self) -> dict[str, str | int]:
        return {"executor": "ThreadPoolExecutor", "submission_window": 2 * self.options.workers}
