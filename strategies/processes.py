"""A ProcessPoolExecutor of `workers` processes, with an explicit start method."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bench.model import Meta, RawRecord, TaskSpec, Usage
from bench.recording import now_ns
from strategies import procworker
from strategies.base import Strategy, StrategyAborted, StrategyOptions
from strategies.window import SubmissionWindow


class ProcessesStrategy(Strategy):
    name = "processes"
    summary = "ProcessPoolExecutor(max_workers=workers) with an explicit start method"

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._chunksize = options.chunksize
        self._pool: ProcessPoolExecutor | None = None
        self._pids: list[int] = []
        self._broken: str | None = None

    def start(self) -> None:
        workers = self.options.workers
        context = multiprocessing.get_context(self.options.start_method)
        if self.options.start_method == "forkserver":
            # The fork server imports only what workers need, not the CLI's pandas/matplotlib.
            context.set_forkserver_preload(["strategies.procworker"])
        barrier = context.Barrier(workers)
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=procworker.init,
            initargs=(self.options.collector, self.options.log, barrier, os.getpid()),
        )
        # Workers start lazily; meeting at a barrier forces all of them up before timing starts.
        warm = [self._pool.submit(procworker.warm) for _ in range(workers)]
        self._pids = sorted(future.result() for future in warm)

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        assert self._pool is not None, "start() builds the pool"
        pool, size = self._pool, self._chunksize
        chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        window = SubmissionWindow(2 * self.options.workers, len(chunks), self.options.progress)

        def finished(future: Future[list[RawRecord]]) -> None:
            error = None if future.cancelled() else future.exception()
            if isinstance(error, BrokenProcessPool):
                self._broken = str(error)
            elif error is None and not future.cancelled():
                sink.extend(future.result())
            window.release()

        queued = now_ns()
        for chunk in chunks:
            window.acquire()
            if self._broken:
                break
            try:
                future = pool.submit(procworker.run_chunk, chunk, queued)
            except BrokenProcessPool as exc:
                self._broken = str(exc)
                break
            future.add_done_callback(finished)
        window.wait_all(None if not self._broken else 5.0)
        if self._broken:
            raise StrategyAborted(f"a worker process died: {self._broken}")

    def stop(self) -> Usage:
        if self._pool is None:
            return Usage()
        total = Usage()
        if not self._broken:
            reports = [self._pool.submit(procworker.usage) for _ in self._pids]
            for future in reports:
                _pid, user, system, rss, vol, invol = future.result(timeout=60)
                total += Usage(user, system, rss, vol, invol)
        self._pool.shutdown(wait=True, cancel_futures=True)
        return total

    def details(self) -> Meta:
        return {
            "executor": "ProcessPoolExecutor",
            "start_method": self.options.start_method,
            "chunksize": self._chunksize,
            "worker_pids": list(self._pids),
        }
