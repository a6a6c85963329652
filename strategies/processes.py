"""A ProcessPoolExecutor of `workers` processes, with an explicit start method."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import psutil

from bench.model import Meta, RawRecord, TaskSpec, Usage
from bench.recording import now_ns
from strategies import procworker
from strategies.base import Abilities, Strategy, StrategyAborted, StrategyOptions
from strategies.supervise import Running, Supervisor
from strategies.window import SubmissionWindow

F = procworker.SLOT_FIELDS
IPC_SAMPLE = 256  # chunks whose pickled size is measured: enough for a mean, cheap at any size
# How long stop() waits for the pool's own threads after a hard stop (they end within ms).
POOL_THREADS_JOIN_S = 10.0


def _no_progress(done: int) -> None:
    del done


def describe_exit(code: int | None) -> str:
    if code is None:
        return "was still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


class ProcessesStrategy(Strategy):
    name = "processes"
    summary = "ProcessPoolExecutor(max_workers=workers) with an explicit start method"
    abilities = Abilities(deadlines=frozenset({"task", "run"}), processes_per_worker=1)

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._chunksize = options.chunksize
        self._pool: ProcessPoolExecutor | None = None
        self._procs: dict[int, Any] = {}
        self._slots: Any = None
        self._specs: dict[int, TaskSpec] = {}
        self._broken: str | None = None
        self._supervisor: Supervisor | None = None
        self._stuck: set[int] = set()
        self._ipc = {"chunks": 0, "tasks": 0, "out_bytes": 0, "out_ns": 0, "in_bytes": 0,
                     "in_ns": 0}  # fmt: skip
        self._memory: dict[str, int] = {}
        self._pool_threads: list[threading.Thread] = []

    def start(self) -> None:
        workers = self.workers
        before = set(threading.enumerate())
        context = multiprocessing.get_context(self.options.start_method)
        if self.options.start_method == "forkserver":
            # The fork server imports only what workers need, not the CLI's pandas/matplotlib.
            context.set_forkserver_preload(["strategies.procworker"])
        self._slots = context.RawArray("q", workers * F)
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=procworker.init,
            initargs=(self.options.collector, self.options.log, context.Barrier(workers),
                      os.getpid(), self._slots, context.Value("i", 0)),
        )  # fmt: skip
        # Workers start lazily; meeting at a barrier forces all of them up before timing starts.
        for future in [self._pool.submit(procworker.warm) for _ in range(workers)]:
            future.result()
        self._procs = dict(self._pool._processes or {})  # to name a dead worker's exit code
        # The pool's manager and queue-feeder threads, started by the submissions above.
        self._pool_threads = [t for t in threading.enumerate() if t not in before]

    def _running(self) -> list[Running]:
        slots, found = self._slots, []
        for at in range(0, len(slots), F):
            index = slots[at] - 1
            if index >= 0 and index in self._specs:
                found.append(Running(self._specs[index], slots[at + 1], slots[at + 2],
                                     slots[at + 3], "MainThread"))  # fmt: skip
        return found

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        assert self._pool is not None, "start() builds the pool"
        pool, size = self._pool, self._chunksize
        self._specs = {spec.index: spec for spec in tasks}
        chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        # The window counts submissions (chunks); progress is reported in tasks, below.
        window = SubmissionWindow(2 * self.workers, len(chunks), _no_progress)
        queued = now_ns()
        supervisor = self._supervisor = Supervisor(self.options, sink, queued)
        chunk_of = {spec.index: n for n, chunk in enumerate(chunks) for spec in chunk}
        given_back: set[int] = set()  # chunks whose slot a timeout already returned

        def finished(n: int, future: Future[list[RawRecord]]) -> None:
            error = None if future.cancelled() else future.exception()
            if isinstance(error, BrokenProcessPool):
                self._broken = self._broken or str(error)
            elif error is None and not future.cancelled():
                records = future.result()
                if isinstance(records, tuple):  # a measured chunk: (records, bytes, ns back)
                    records, size, pickle_ns = records
                    self._ipc["in_bytes"] += size
                    self._ipc["in_ns"] += pickle_ns
                for record in records:
                    supervisor.add(record)
                self.options.progress(len(sink))
            if n not in given_back:
                window.release()

        def watch() -> None:
            for task in supervisor.check(self._running()):
                self._stuck.add(task.pid)
                given_back.add(chunk_of[task.spec.index])
                window.release()
            if len(self._stuck) >= self.workers:
                raise StrategyAborted("every worker process is stuck past --task-timeout")
            if self._broken:
                self._abort_broken(supervisor)

        poll = supervisor.poll_s or 0.1  # a broken pool must be noticed even without deadlines
        for n, chunk in enumerate(chunks):
            while not window.acquire(poll):
                watch()
            if self._broken:
                break
            try:
                future = self._submit(pool, n, chunk, queued)
            except BrokenProcessPool as exc:
                self._broken = str(exc)
                break
            future.add_done_callback(lambda f, n=n: finished(n, f))  # type: ignore[misc]
        while not window.wait_all(poll):
            watch()
        watch()

    def _submit(
        self, pool: ProcessPoolExecutor, n: int, chunk: Sequence[TaskSpec], queued: int
    ) -> Future[Any]:
        if n >= IPC_SAMPLE:
            return pool.submit(procworker.run_chunk, chunk, queued)
        # Pickle once more, here, to learn the size and cost of what the pool sends.
        begin = now_ns()
        size = len(pickle.dumps((procworker.run_chunk_measured, (chunk, queued))))
        self._ipc["out_ns"] += now_ns() - begin
        self._ipc["out_bytes"] += size
        self._ipc["chunks"] += 1
        self._ipc["tasks"] += len(chunk)
        return pool.submit(procworker.run_chunk_measured, chunk, queued)

    def _abort_broken(self, supervisor: Supervisor) -> None:
        """A worker died: name it, mark its task, cancel the other running ones, abort."""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and all(p.exitcode is None for p in self._procs.values()):
            time.sleep(0.02)  # the pool's manager thread reaps the dead worker
        dead = [(pid, p.exitcode) for pid, p in self._procs.items()
                if p.exitcode not in (None, 0, -signal.SIGTERM)]  # fmt: skip
        how = describe_exit(dead[0][1]) if dead else "died"
        what = f"worker pid {dead[0][0]} {how}" if dead else "a worker process died"
        dead_pids = {pid for pid, _ in dead}
        for task in self._running():
            if task.pid in dead_pids:
                supervisor.close(task, "error", f"the worker process running this task {how}")
            else:
                supervisor.close(task, "cancelled", f"the pool broke: {what}")
        raise StrategyAborted(f"{what}; the process pool is broken")

    def abandon(self, sink: list[RawRecord], reason: str) -> None:
        if self._supervisor is not None:
            self._supervisor.abandon(self._running(), reason)

    def stop(self, abandon: bool = False) -> Usage:
        if self._pool is None:
            return Usage()
        total = Usage()
        if abandon or self._broken or self._stuck:
            # Workers ignore SIGINT and may be hung: terminate them rather than wait.
            for process in self._procs.values():
                with contextlib.suppress(OSError, AttributeError):
                    process.terminate()
        else:
            self._memory = worker_memory(self._procs)
            reports = [self._pool.submit(procworker.usage) for _ in self._procs]
            for future in reports:
                _pid, user, system, rss, vol, invol = future.result(timeout=60)
                total += Usage(user, system, rss, vol, invol)
        hard = bool(abandon or self._broken or self._stuck)
        self._pool.shutdown(wait=not hard, cancel_futures=True)
        if hard:
            self._outlive_pool_threads()
        self._pool = None
        return total

    def _outlive_pool_threads(self) -> None:
        """Keep the pool referenced until its manager thread has finished (CPython gh-125451).

        After a hard stop the manager thread clears the pool's pending work items; if those held
        the last reference to this strategy (through the done callbacks), the pool is collected
        in that thread, whose weakref callback then takes the shutdown lock the thread already
        holds: on 3.12.0-3.12.7 and 3.13.0 it deadlocks, and the interpreter waits on it at
        exit forever. While we wait here, we hold the reference, so that cannot happen.
        """
        deadline = time.monotonic() + POOL_THREADS_JOIN_S
        for thread in self._pool_threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def details(self) -> Meta:
        ipc, sampled = self._ipc, max(self._ipc["tasks"], 1)
        chunks = -(-len(self._specs) // self._chunksize) if self._specs else 0
        return {
            "executor": "ProcessPoolExecutor",
            "start_method": self.options.start_method,
            "chunksize": self._chunksize,
            "worker_pids": sorted(self._procs),
            "stuck_workers": len(self._stuck),
            "ipc_round_trips": chunks,
            "ipc_sampled_tasks": ipc["tasks"],
            "ipc_bytes_out_per_task": round(ipc["out_bytes"] / sampled, 1),
            "ipc_bytes_in_per_task": round(ipc["in_bytes"] / sampled, 1),
            "ipc_pickle_us_per_task": round(ipc["out_ns"] / sampled / 1e3, 2),
            "ipc_pickle_back_us_per_task": round(ipc["in_ns"] / sampled / 1e3, 2),
            **self._memory,
        }


def worker_memory(procs: dict[int, Any]) -> dict[str, int]:
    """USS (memory only that worker holds) and PSS (shared pages split fairly), summed."""
    uss = pss = 0
    for pid in procs:
        try:
            info = psutil.Process(pid).memory_full_info()
        except (psutil.Error, OSError):
            continue
        uss += getattr(info, "uss", 0)
        pss += getattr(info, "pss", 0)
    return {"workers_uss_bytes": uss, "workers_pss_bytes": pss}
