"""A ThreadPoolExecutor of `workers` threads, running the collector's sync face.

With a deadline (--task-timeout, --run-timeout) the plan runs on the harness's supervised group
of `workers` threads instead: a ThreadPoolExecutor cannot replace a thread stuck in a hung call,
and a run whose every thread is stuck would never end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

from bench.harness.recording import now_ns, run_sync
from bench.model import Meta, RawRecord, TaskSpec, Usage
from strategies._host.supervise import POLL_S, Running, SupervisedThreads, Supervisor
from strategies._host.window import SubmissionWindow
from strategies.base import Abilities, Strategy, StrategyOptions, main_thread_takes_interrupts


def _open_on(barrier: threading.Barrier, open_: Callable[[], None]) -> None:
    try:
        open_()  # before the barrier: one call in each of the pool's threads
    except BaseException:
        barrier.abort()  # the others stop waiting at once; start() sees this one's error
        raise
    barrier.wait(30)


def _close_on(barrier: threading.Barrier, close: Callable[[], None]) -> None:
    barrier.wait(30)
    close()


class ThreadsStrategy(Strategy):
    name = "threads"
    summary = "ThreadPoolExecutor(max_workers=workers), sync collector"
    abilities = Abilities(deadlines=frozenset({"task", "run"}), threads_per_worker=1)

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[int, Running] = {}  # so an interrupt can record them as cancelled
        self._supervisor: Supervisor | None = None
        self._supervised = SupervisedThreads(options, self.workers) if options.supervised else None

    def start(self) -> None:
        if self._supervised is not None:
            self._supervised.start()
            return
        workers = self.workers
        self._pool = ThreadPoolExecutor(
            max_workers=workers,
            thread_name_prefix="bench-worker",
            initializer=main_thread_takes_interrupts,
        )
        # The pool creates threads lazily; a barrier makes every thread exist before timing starts.
        barrier, ready = threading.Barrier(workers), self.options.collector.open
        futures = [self._pool.submit(_open_on, barrier, ready) for _ in range(workers)]
        wait(futures)
        errors = [e for e in (f.exception() for f in futures) if e is not None]
        # The thread whose open() failed, not the ones it released from the barrier.
        errors.sort(key=lambda e: isinstance(e, threading.BrokenBarrierError))
        if errors:
            raise errors[0]

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        if self._supervised is not None:
            self._supervised.execute(tasks, sink)
            return
        assert self._pool is not None, "start() builds the pool"
        pool = self._pool
        window = SubmissionWindow(2 * self.workers, len(tasks), self.options.progress)
        queued = now_ns()
        supervisor = self._supervisor = Supervisor(self.options, sink, queued)

        def finished(future: Future[RawRecord]) -> None:
            if not future.cancelled() and future.exception() is None:
                supervisor.add(future.result())
            window.release()

        # Waits with a timeout: the main thread looks at its signals at least this often.
        for spec in tasks:
            while not window.acquire(POLL_S):
                pass
            pool.submit(self._work, spec, queued).add_done_callback(finished)
        while not window.wait_all(POLL_S):
            pass

    def _work(self, spec: TaskSpec, queued: int) -> RawRecord:
        thread = threading.current_thread()
        self._running[spec.index] = Running(spec, now_ns(), 0, thread.ident or 0, thread.name)
        try:
            return run_sync(self.options.collector, spec, queued, self.options.log)
        finally:
            self._running.pop(spec.index, None)

    def abandon(self, reason: str) -> None:
        if self._supervised is not None:
            self._supervised.abandon(reason)
        elif self._supervisor is not None:
            self._supervisor.abandon(list(self._running.values()), reason)

    def stop(self, abandon: bool = False) -> Usage:
        if self._supervised is not None:
            self._supervised.stop(abandon)
            return Usage()
        assert self._pool is not None, "start() builds the pool"
        if not abandon:
            # Per-thread resources (keep-alive connections) are closed by the thread that owns
            # them; the barrier makes every worker take one close call.
            barrier = threading.Barrier(self.workers)
            for future in [
                self._pool.submit(_close_on, barrier, self.options.collector.close)
                for _ in range(self.workers)
            ]:
                future.result()
        self._pool.shutdown(wait=not abandon, cancel_futures=True)
        return Usage()

    def details(self) -> Meta:
        if self._supervised is not None:
            return {"executor": f"{self.workers} supervised threads", **self._supervised.details()}
        return {"executor": "ThreadPoolExecutor", "submission_window": 2 * self.workers}
